#!/usr/bin/env python3
"""The statements behind the people search and calendar endpoints, run in the database's own CLI: `sqlite3` with
`.timer on`, or `psql` with PREPARE/EXECUTE and `\\timing`. Prints the median and 99th percentile wall time of
each endpoint's statements (summed per run) over RUNS runs, to set beside scripts/bench.sh (SQLite: the CLI's
user + sys time, which has microseconds; psql: `\timing`'s wall time). See BENCHMARKS.md.

    scripts/bench-cli.py sqlite://target/bench/seatwise.db
    BENCH_DAY=2027-11-15 scripts/bench-cli.py postgres://seatwise:seatwise@127.0.0.1:5432/seatwise_bench

The statements are the server's own (db/catalog.rs, db/contracts/calendar.rs) with the values the benchmark sends;
the request's authentication (token, user, roles) and the organisation's time zone are not included.
"""

import datetime
import os
import re
import statistics
import subprocess
import sys

RUNS = int(os.environ.get("RUNS", "50"))
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


def events(params):
    """The `ev` table of db/contracts/calendar.rs, with two parameters per half."""
    halves = []
    for column, kind, only in [("t.cancel_by", "cancel_by", " AND c.auto_renew = 1"), ("t.end_date", "end", "")]:
        a, b = params.take(2)
        halves.append(
            f"SELECT {column} AS day, '{kind}' AS kind, t.id AS term_id, c.id AS contract_id{ROW_FROM} WHERE 1 = 1"
            f"{only} AND {column} >= {a} AND {column} <= {b}"
        )
    return "WITH ev AS (" + " UNION ALL ".join(halves) + ") "


class Params:
    def __init__(self):
        self.n = 0

    def take(self, k):
        out = [f"${self.n + i + 1}" for i in range(k)]
        self.n += k
        return out


def day_counts():
    p = Params()
    return events(p) + "SELECT day, kind, COUNT(*) AS n FROM ev GROUP BY day, kind ORDER BY day, kind"


def day_events():
    p = Params()
    sql = events(p)
    lo, hi = p.take(2)
    return (
        sql + f"SELECT e.day, e.kind, {ROW_COLUMNS} FROM (SELECT day, kind, term_id, ROW_NUMBER() OVER "
        "(PARTITION BY day ORDER BY contract_id, kind, term_id) AS n FROM ev) e JOIN contract_terms t ON t.id = "
        "e.term_id JOIN contracts c ON c.id = t.contract_id JOIN vendors v ON v.id = c.vendor_id "
        f"WHERE e.n >= {lo} AND e.n <= {hi} ORDER BY e.day, e.n"
    )


def due_terms():
    return f"SELECT {ROW_COLUMNS}{ROW_FROM} WHERE 1 = 1 AND t.key_date >= $1 AND t.key_date <= $2 ORDER BY t.key_date, c.id"


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

    horizon = (today + datetime.timedelta(days=90)).isoformat()
    first, t = month.isoformat(), today.isoformat()
    phrase = lambda q: f'"{q}"' if backend == "sqlite" else f"%{q}%"
    out = {}
    for name, q in [("search", "smith"), ("search-hit", "person4242")]:
        out[name] = [(sql, [phrase(q)]) for sql, _ in search(backend)]
    for name, to in [("calendar-3", months(3)), ("calendar-13", months(13))]:
        out[name] = [
            (day_counts(), [first, to, first, to]),
            (day_events(), [first, to, first, to, 1, PER_DAY]),
            (due_terms(), [t, horizon]),
        ]
    day = os.environ.get("BENCH_DAY")  # scripts/bench.sh prints the busiest day it chose
    if day:
        out["calendar-day"] = [(day_counts(), [day, day, day, day]), (day_events(), [day, day, day, day, 1, 50])]
    return out


def literal(v):
    return str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'"


def inline(sql, args):
    return re.sub(r"\$(\d+)", lambda m: literal(args[int(m.group(1)) - 1]), sql)


def run_sqlite(path, statements):
    # The server's page cache (db/mod.rs SQLITE_PRAGMAS), not the CLI's 2 MB, which the calendar's rows overflow.
    script = "PRAGMA cache_size=-65536;\n.timer on\n.output /dev/null\n" + "".join(
        inline(sql, args) + ";\n" for _ in range(RUNS) for sql, args in statements
    )
    out = subprocess.run(["sqlite3", path], input=script, capture_output=True, text=True, check=True)
    # `real` is printed in whole milliseconds; user + sys have microseconds and, for a warm single-threaded CLI,
    # are its wall time on an idle machine (and less disturbed by a busy one).
    found = re.findall(r"Run Time: real [0-9.]+ user ([0-9.]+) sys ([0-9.]+)", out.stdout + out.stderr)
    times = [float(u) + float(s) for u, s in found]
    return [sum(times[i : i + len(statements)]) * 1000 for i in range(0, len(times), len(statements))]


def run_psql(url, statements):
    lines = []
    for i, (sql, args) in enumerate(statements):
        lines.append(f"PREPARE s{i} AS {sql};")
    lines.append("\\o /dev/null")
    lines.append("\\timing on")
    for _ in range(RUNS):
        for i, (_, args) in enumerate(statements):
            lines.append(f"EXECUTE s{i}({', '.join(literal(a) for a in args)});")
    out = subprocess.run(["psql", "-X", "-q", url], input="\n".join(lines) + "\n", capture_output=True, text=True)
    if out.returncode != 0 or "ERROR" in out.stderr:
        sys.exit(out.stderr)
    times = [float(m) for m in re.findall(r"Time: ([0-9.]+) ms", out.stdout)]
    return [sum(times[i : i + len(statements)]) for i in range(0, len(times), len(statements))]


def main():
    url = sys.argv[1]
    backend = "sqlite" if url.startswith("sqlite") else "postgres"
    today = datetime.date.fromisoformat(sys.argv[2]) if len(sys.argv) > 2 else datetime.date.today()
    path = re.sub(r"^sqlite:(//)?", "", url)
    print(f"| statements ({backend}, CLI, {RUNS} runs) | p50 | p99 |\n|---|---|---|")
    for name, statements in endpoints(backend, today).items():
        runs = sorted(run_sqlite(path, statements) if backend == "sqlite" else run_psql(url, statements))
        # The first run warms the cache like the server's first request; it counts like any other.
        p99 = runs[min(len(runs) - 1, int(len(runs) * 0.99))]
        print(f"| {name} ({len(statements)} statements) | {statistics.median(runs):.2f} ms | {p99:.2f} ms |")
    print(f"load average: {' '.join(open('/proc/loadavg').read().split()[:3])}")


if __name__ == "__main__":
    main()
