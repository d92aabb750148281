#!/usr/bin/env python3
"""The statements behind the people search and calendar endpoints, run in the database's own CLI: `sqlite3` with
`.timer on`, or `psql` with PREPARE/EXECUTE and `\\timing`. Prints the median and 99th percentile wall time of
each endpoint's statements (summed per run) over RUNS runs, to set beside scripts/bench.sh (SQLite: the CLI's
user + sys time, which has microseconds; psql: `\timing`'s wall time). See BENCHMARKS.md.

    scripts/bench-cli.py sqlite://target/bench/seatwise.db
    BENCH_VENDOR=3 BENCH_POOL=17 scripts/bench-cli.py sqlite://...   # the inventory too (scripts/bench.sh sets them)
    BENCH_DAY=2027-11-15 scripts/bench-cli.py postgres://seatwise:seatwise@127.0.0.1:5432/seatwise_bench

The statements are the server's own (db/pools.rs, db/catalog.rs, db/contracts/calendar.rs) with the values the benchmark sends;
the request's authentication (token, user, roles) and the organisation's time zone are not included.
"""

import concurrent.futures
import datetime
import os
import re
import statistics
import subprocess
import sys
import time

# Enough runs that several CLI processes started one after another still overlap for most of their time.
RUNS = int(os.environ.get("RUNS", "200"))
PER_DAY = 3  # service::calendar::PER_DAY

PERSON_SELECT = (
    "SELECT pe.id, pe.name, pe.email, pe.employee_id, pe.status, pe.employment_type, pe.start_date, pe.end_date, "
    "pe.terminated_at, pe.department_id, d.name AS department_name, pe.cost_centre_id, cc.code AS cost_centre_code, "
    "pe.version, (SELECT COUNT(*) FROM seat_assignments a WHERE a.person_id = pe.id) AS seats_held FROM people pe "
    "LEFT JOIN departments d ON d.id = pe.department_id LEFT JOIN cost_centres cc ON cc.id = pe.cost_centre_id"
)

ROW_COLUMNS = (
    "c.id, c.number, c.title, v.name AS vendor_name, c.auto_renew, t.end_date, t.cancel_by, t.key_date, c.currency, "
    "COALESCE(t.price_minor, c.renewal_price_minor, (SELECT CAST(SUM(p.annual_cost_minor) AS BIGINT) FROM pools p "
    "WHERE p.contract_id = c.id AND p.currency = c.currency)) AS value_minor"
)
ROW_FROM = " FROM contract_terms t JOIN contracts c ON c.id = t.contract_id JOIN vendors v ON v.id = c.vendor_id"


class Params:
    def __init__(self):
        self.n = 0

    def take(self, k):
        out = [f"${self.n + i + 1}" for i in range(k)]
        self.n += k
        return out


# The two kinds of event: a term's date column, the kind and the condition the kind adds (db/contracts/calendar.rs).
HALVES = [("cancel_by", "cancel_by", " AND c.auto_renew = 1"), ("end_date", "end", "")]
EVENT_FROM = " FROM contract_terms t JOIN contracts c ON c.id = t.contract_id WHERE 1 = 1"


def day_counts():
    """Events per day and kind (db/contracts/calendar.rs day_counts), for a reader without filters."""
    p, halves = Params(), []
    for column, kind, only in HALVES:
        a, b = p.take(2)
        source = EVENT_FROM if only else " FROM contract_terms t WHERE 1 = 1"
        halves.append(
            f"SELECT t.{column} AS day, '{kind}' AS kind, COUNT(*) AS n{source}{only} AND t.{column} >= {a} "
            f"AND t.{column} <= {b} GROUP BY t.{column}"
        )
    return f"SELECT day, kind, n FROM ({' UNION ALL '.join(halves)}) x ORDER BY day, kind"


def day_events(backend):
    """Each day's first events of each kind (db/contracts/calendar.rs day_events)."""
    p, halves = Params(), []
    for column, kind, only in HALVES:
        a, b, limit = p.take(3)
        days = f"(SELECT DISTINCT {column} AS day FROM contract_terms WHERE {column} >= {a} AND {column} <= {b}) d"
        first = f"{only} AND t.{column} = d.day ORDER BY t.contract_id, t.id LIMIT {limit}"
        if backend == "sqlite":
            halves.append(
                f"SELECT d.day, '{kind}' AS kind, t.id AS term_id, {ROW_COLUMNS} FROM {days} JOIN contract_terms t "
                f"ON t.id IN (SELECT t.id{EVENT_FROM}{first}) JOIN contracts c ON c.id = t.contract_id "
                "JOIN vendors v ON v.id = c.vendor_id"
            )
        else:
            halves.append(
                f"SELECT d.day, '{kind}' AS kind, pick.* FROM {days} CROSS JOIN LATERAL (SELECT t.id AS term_id, "
                f"{ROW_COLUMNS}{ROW_FROM} WHERE 1 = 1{first}) pick"
            )
    return " UNION ALL ".join(halves)


def due_totals():
    """The 30/60/90-day pipeline of a reader who sees every contract (db/contracts/calendar.rs due_totals)."""
    return (
        "SELECT w, currency, COUNT(*) AS n, CAST(SUM(value_minor) AS BIGINT) AS total FROM (SELECT CASE WHEN "
        f"t.key_date <= $1 THEN 0 WHEN t.key_date <= $2 THEN 1 WHEN t.key_date <= $3 THEN 2 END AS w, {ROW_COLUMNS}"
        f"{ROW_FROM} WHERE 1 = 1 AND t.key_date >= $4 AND t.key_date <= $5) due GROUP BY w, currency ORDER BY w, currency"
    )


POOL_JOINS = (
    " JOIN vendors v ON v.id = p.vendor_id JOIN products pr ON pr.id = p.product_id JOIN cost_centres cc ON "
    "cc.id = p.cost_centre_id JOIN departments d ON d.id = p.department_id LEFT JOIN people o ON o.id = p.owner_id"
)
POOL_COLUMNS = (
    "SELECT p.id, p.name, p.vendor_id, v.name AS vendor_name, p.product_id, pr.name AS product_name, p.tier, "
    "p.license_type, p.seats_purchased, p.seats_assigned, p.allow_overage, p.unit_cost_minor, p.currency, "
    "p.billing_period, p.annual_cost_minor, p.cost_centre_id, cc.code AS cost_centre_code, p.department_id, "
    "d.name AS department_name, p.owner_id, o.name AS owner_name, p.contract_start, p.contract_end, p.auto_renew, "
    "p.notice_days, p.cancel_by, p.po_number, p.notes, p.created_at, p.updated_at, p.version"
)
ASSIGNMENT_SELECT = (
    "SELECT a.id, a.pool_id, a.person_id, a.device, a.assigned_at, a.assigned_by, a.reclaim_marked_at, "
    "a.reclaim_reason, pe.name AS person_name, pe.email AS person_email, pe.status AS person_status, "
    "d.name AS department_name FROM seat_assignments a LEFT JOIN people pe ON pe.id = a.person_id "
    "LEFT JOIN departments d ON d.id = pe.department_id"
)
UTILIZATION = "CASE WHEN p.seats_purchased > 0 THEN CAST(p.seats_assigned AS DOUBLE PRECISION) / p.seats_purchased END"


def pool_list(where, args, order):
    """The count and the page of `GET /api/v1/pools` (db/pools.rs list_sql), first page of 50."""
    n = len(args)
    order = f" ORDER BY {order}, p.id"
    page = (
        f"{POOL_COLUMNS} FROM (SELECT p.id FROM pools p WHERE 1 = 1{where}{order} LIMIT ${n + 1} OFFSET ${n + 2}) "
        f"page CROSS JOIN pools p{POOL_JOINS} WHERE p.id = page.id{order}"
    )
    return [(f"SELECT COUNT(*) FROM pools p WHERE 1 = 1{where}", args), (page, args + [50, 0])]


def pool_detail(pool):
    """`GET /api/v1/pools/{id}/detail` (service/pools.rs detail): the pool with its marks and contract, and its
    first 100 seats (db/pools.rs get_with_marks_and_contract, assignment_items)."""
    return [
        (f"{POOL_COLUMNS}, p.contract_id, (SELECT COUNT(*) FROM seat_assignments m WHERE m.pool_id = p.id AND "
         f"m.reclaim_marked_at IS NOT NULL) AS marked, ct.title AS contract_title FROM pools p{POOL_JOINS} "
         "LEFT JOIN contracts ct ON ct.id = p.contract_id WHERE p.id = $1", [pool]),
        (f"{ASSIGNMENT_SELECT} WHERE a.pool_id = $1 ORDER BY a.assigned_at DESC, a.id DESC LIMIT $2 OFFSET $3",
         [pool, 100, 0]),
    ]


def search(backend):
    """The count and the first page of `GET /api/v1/people?q=...` (db/catalog.rs push_people_search)."""
    if backend == "sqlite":
        where = " WHERE 1 = 1 AND pe.id IN (SELECT rowid FROM people_search WHERE people_search MATCH $1)"
    else:
        where = " WHERE 1 = 1 AND (LOWER(pe.name) LIKE $1 ESCAPE '\\' OR LOWER(pe.email) LIKE $1 ESCAPE '\\')"
    return [
        ("SELECT COUNT(*) FROM people pe" + where, 1),
        (PERSON_SELECT + where + " ORDER BY pe.name, pe.id LIMIT 50 OFFSET 0", 1),
    ]


def endpoints(backend, today):
    month = today.replace(day=1)

    def months(n):
        y, m = divmod(month.month - 1 + n, 12)
        return (datetime.date(month.year + y, m + 1, 1) - datetime.timedelta(days=1)).isoformat()

    first, t = month.isoformat(), today.isoformat()
    phrase = lambda q: f'"{q}"' if backend == "sqlite" else f"%{q}%"
    out = {}
    vendor, pool = os.environ.get("BENCH_VENDOR"), os.environ.get("BENCH_POOL")  # scripts/bench.sh passes them
    if vendor and pool:
        year = (today + datetime.timedelta(days=365)).isoformat()
        out["list"] = pool_list("", [], "p.name_lower ASC NULLS LAST")
        out["filtered"] = pool_list(
            " AND p.vendor_id = $1 AND p.contract_end >= $2 AND p.contract_end <= $3",
            [int(vendor), today.isoformat(), year],
            "p.name_lower ASC NULLS LAST",
        )
        out["sorted"] = pool_list("", [], f"{UTILIZATION} DESC NULLS LAST")
        out["detail"] = pool_detail(int(pool))
    for name, q in [("search", "smith"), ("search-hit", "person4242")]:
        out[name] = [(sql, [phrase(q)]) for sql, _ in search(backend)]
    windows = [(today + datetime.timedelta(days=d)).isoformat() for d in (30, 60, 90)]
    pipeline = (due_totals(), windows + [t, windows[2]])
    # A quarter carries each day's first three events; thirteen months are an overview, counts only.
    to = months(3)
    out["calendar-3"] = [(day_counts(), [first, to] * 2), (day_events(backend), [first, to, PER_DAY] * 2), pipeline]
    out["calendar-13"] = [(day_counts(), [first, months(13)] * 2), pipeline]
    day = os.environ.get("BENCH_DAY")  # scripts/bench.sh passes the busiest day it chose
    if day:
        # The first page of a day: up to 50 of each kind, then the day's order in the service.
        out["calendar-day"] = [(day_counts(), [day, day] * 2), (day_events(backend), [day, day, 50] * 2)]
    return out


def literal(v):
    return str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'"


def inline(sql, args):
    return re.sub(r"\$(\d+)", lambda m: literal(args[int(m.group(1)) - 1]), sql)


def sqlite_script(statements):
    # The server's page cache (db/mod.rs SQLITE_PRAGMAS), not the CLI's 2 MB, which the calendar's rows overflow.
    return "PRAGMA cache_size=-16384;\n.timer on\n.output /dev/null\n" + "".join(
        inline(sql, args) + ";\n" for _ in range(RUNS) for sql, args in statements
    )


def sqlite_times(out, statements):
    # `real` is printed in whole milliseconds; user + sys have microseconds and, for a warm single-threaded CLI,
    # are its wall time on an idle machine (and less disturbed by a busy one).
    found = re.findall(r"Run Time: real [0-9.]+ user ([0-9.]+) sys ([0-9.]+)", out)
    times = [float(u) + float(s) for u, s in found]
    return [sum(times[i : i + len(statements)]) * 1000 for i in range(0, len(times), len(statements))]


def psql_script(statements):
    lines = [f"PREPARE s{i} AS {sql};" for i, (sql, _) in enumerate(statements)]
    lines += ["\\o /dev/null", "\\timing on"]
    for _ in range(RUNS):
        for i, (_, args) in enumerate(statements):
            lines.append(f"EXECUTE s{i}({', '.join(literal(a) for a in args)});" if args else f"EXECUTE s{i};")
    return "\n".join(lines) + "\n"


def psql_times(out, statements):
    times = [float(m) for m in re.findall(r"Time: ([0-9.]+) ms", out)]
    return [sum(times[i : i + len(statements)]) for i in range(0, len(times), len(statements))]


def run(backend, url, statements, clients):
    """Each of `clients` CLI processes runs the statements RUNS times, all at once. psql times each statement's
    round trip itself; the sqlite3 CLI's timer has microseconds only for CPU time, which leaves out waiting for
    the other processes, so with several at once a run's time is its process's wall time (less the CLI's own
    start, timed with no statements) divided by RUNS: the mean, not a distribution."""
    if backend == "sqlite":
        command, script, times = ["sqlite3", re.sub(r"^sqlite:(//)?", "", url)], sqlite_script, sqlite_times
    else:
        command, script, times = ["psql", "-X", "-q", url], psql_script, psql_times

    def one(text):
        """One CLI process fed `text`: its output and wall time (each in its own thread, so all run at once)."""
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = proc.communicate(text)
        if proc.returncode != 0 or "ERROR" in err or "Error" in err:
            sys.exit(err)
        return out + err, time.perf_counter() - started

    def at_once(text):
        with concurrent.futures.ThreadPoolExecutor(clients) as pool:
            return list(pool.map(one, [text] * clients))

    if clients == 1 or backend != "sqlite":
        return [t for out, _ in at_once(script(statements)) for t in times(out, statements)]
    _, idle = one(script([]))
    return [max(wall - idle, 0) * 1000 / RUNS for _, wall in at_once(script(statements)) for _ in range(RUNS)]


def main():
    url = sys.argv[1]
    backend = "sqlite" if url.startswith("sqlite") else "postgres"
    today = datetime.date.fromisoformat(sys.argv[2]) if len(sys.argv) > 2 else datetime.date.today()
    clients = int(os.environ.get("BENCH_CONNECTIONS", "1"))
    print(f"| statements ({backend}, CLI, {clients} at once, {RUNS} runs each) | p50 | p99 |\n|---|---|---|")
    for name, statements in endpoints(backend, today).items():
        runs = sorted(run(backend, url, statements, clients))
        # The first run warms the cache like the server's first request; it counts like any other.
        p99 = runs[min(len(runs) - 1, int(len(runs) * 0.99))]
        print(f"| {name} ({len(statements)} statements) | {statistics.median(runs):.2f} ms | {p99:.2f} ms |")
    print(f"load average: {' '.join(open('/proc/loadavg').read().split()[:3])}")


if __name__ == "__main__":
    main()
