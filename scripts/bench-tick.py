#!/usr/bin/env python3
"""How long a person's write waits behind the first background tick (BENCHMARKS.md, "Writes during the daily run").

Copies the generated bench database (scripts/bench.sh makes it: 100,000 people, 5,000 pools and contracts), clears
its daily runs so the next start runs them, starts the release server on the copy and, from the moment it answers,
writes one pool's notes every 20 ms (GET, then PUT with If-Match; only the PUT is timed) until the daily runs have
finished and for two seconds after. Prints each write's wait, worst first, and the runs' own times.

The source must be as generated: a server that ran its daily jobs on it has raised the alerts already, and the
copy then has no catch-up to measure (the script says so). Generate a fresh one then (`scripts/bench.sh` does).

    scripts/bench-tick.py [--bin target/release/seatwise] [--source target/bench/seatwise.db]
"""

import argparse
import http.cookiejar
import json
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from drill_scale_out import pool_input  # the pool as PUT takes it, as the drill writes it


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", default="target/release/seatwise")
    p.add_argument("--source", default="target/bench/seatwise.db")
    p.add_argument("--port", type=int, default=18095)
    args = p.parse_args()
    work = Path("target/bench/tick")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db = work / "seatwise.db"
    # A consistent copy whatever state the source's WAL is in.
    source = sqlite3.connect(args.source)
    source.execute(f"VACUUM INTO '{db}'")
    source.close()
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM job_runs")
    conn.execute("UPDATE org_settings SET daily_run_hour = 0")
    conn.commit()
    conn.close()

    base = f"http://127.0.0.1:{args.port}"
    log = open(work / "server.log", "wb")
    server = subprocess.Popen([args.bin, "--database", f"sqlite://{db}", "--bind", f"127.0.0.1:{args.port}",
                               "--job-interval", "3600"], stdout=log, stderr=log)
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        started = time.time()
        while True:
            try:
                login = json.dumps({"email": "bench@example.com", "password": "bench-password-1"}).encode()
                request = urllib.request.Request(base + "/api/v1/session", data=login, method="POST",
                                                 headers={"Content-Type": "application/json"})
                with opener.open(request, timeout=30) as r:
                    csrf = json.loads(r.read())["csrf_token"]
                break
            except (urllib.error.URLError, ConnectionError):
                if time.time() - started > 60:
                    sys.exit("the server did not start")
                time.sleep(0.05)
        print(f"answering {time.time() - started:.2f} s after start", flush=True)

        def call(method, path, body=None, headers=None):
            data = json.dumps(body).encode() if body is not None else None
            request = urllib.request.Request(base + path, data=data, method=method,
                                             headers={"Content-Type": "application/json", "X-CSRF-Token": csrf,
                                                      **(headers or {})})
            with opener.open(request, timeout=120) as r:
                return json.loads(r.read() or b"null")

        pool = call("GET", "/api/v1/pools?limit=1")["items"][0]["id"]
        waits = []
        finished_at = None
        check = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        n = 0
        while finished_at is None or time.time() - finished_at < 2:
            n += 1
            current = call("GET", f"/api/v1/pools/{pool}")
            body = pool_input(current, f"tick probe {n}")
            t = time.time()
            call("PUT", f"/api/v1/pools/{pool}", body, {"If-Match": f'"{current["version"]}"'})
            waits.append((time.time() - t, round(t - started, 2)))
            if finished_at is None:
                done = check.execute("SELECT COUNT(*) FROM job_runs WHERE finished_at IS NOT NULL").fetchone()[0]
                if done >= 3:
                    finished_at = time.time()
                    print(f"daily runs finished {finished_at - started:.2f} s after start", flush=True)
            time.sleep(0.02)
            if time.time() - started > 600:
                sys.exit("the daily runs did not finish within 10 minutes")
        runs = check.execute("SELECT job, summary FROM job_runs ORDER BY job").fetchall()
    finally:
        server.terminate()
        server.wait(30)
    waits.sort(reverse=True)
    print(f"{len(waits)} writes; slowest (seconds, at s after start):",
          ", ".join(f"{w * 1000:.0f} ms at {at}" for w, at in waits[:8]))
    ordered = sorted(w for w, _ in waits)
    print(f"median {ordered[len(ordered) // 2] * 1000:.1f} ms, "
          f"p99 {ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000:.1f} ms, "
          f"over 100 ms: {sum(1 for w in ordered if w > 0.1)}")
    for job, summary in runs:
        print(f"  {job}: {summary}")
    if not any(job == "renewals" and '"alerts":0' not in summary for job, summary in runs):
        print("the renewal run raised no alerts: the source has had its daily jobs run, so this measured no catch-up")


if __name__ == "__main__":
    main()
