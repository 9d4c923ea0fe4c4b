"""What the identity check costs the database (issue 10 point 2; BENCHMARKS.md, issue 9 section).

    .venv/bin/python bench/ingest/identity_check.py --held-days 3 --every-seconds 60

A fresh PostgreSQL database (migrated, vacuumed), one person whose phone already stored a
report every ``--every-seconds`` for ``--held-days`` days up to now, then batches of 1 and 100
new reports inserted over and over, each in a transaction rolled back (the table does not
grow), alternating between the insert without the check (the statement before issue 10), the
insert with it (``_PG_INSERT``: the same insert plus the read of the person's reports under the
batch's client ids within ``--window-hours``) and the check's read alone. Prints the median and
p90 wall time per statement (local socket, so mostly the server's work).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import run as bench

from amina.adapters.db.reports.store import _REPORT_COLUMNS, HotPathSql, ReportColumns

#: The insert without the identity check, as it was before issue 10.
WITHOUT_CHECK = f"""
INSERT INTO location_reports ({_REPORT_COLUMNS})
SELECT %s, t.t, %s, t.c, %s, t.la, t.lo, t.a, t.s, t.al, t.p, t.m, t.r, t.f, t.d
FROM json_to_recordset(%s::json) AS t(c varchar, t timestamptz, la float8, lo float8,
     a float8, s float8, al float8, p varchar, m bool, r varchar, f int2, d float8)
ON CONFLICT DO NOTHING
RETURNING client_id
"""


#: The identity check's read alone (what a separate, pipelined statement would cost).
CHECK_ALONE = """
SELECT r.client_id, r.device_time, r.flags FROM location_reports r
WHERE r.person_id = %s AND r.device_time >= %s AND r.device_time <= %s
  AND r.client_id IN (SELECT t.c FROM json_to_recordset(%s::json) AS t(c varchar))
"""


def columns(start: datetime, count: int) -> ReportColumns:
    times = [start + timedelta(seconds=i) for i in range(count)]
    return ReportColumns(
        [uuid.uuid4().hex for _ in times],
        times,
        [55.75] * count,
        [37.61] * count,
        [10.0] * count,
        [None] * count,
        [None] * count,
        ["gps"] * count,
        [False] * count,
        ["RU-MOW"] * count,
        [0] * count,
        [12.0] * count,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--held-days", type=float, default=3.0)
    parser.add_argument("--every-seconds", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--window-hours", type=float, default=24.0)
    parser.add_argument("--explain", action="store_true", help="print the plan of each, once")
    parser.add_argument(
        "--plan-cache-mode", default="auto", help="PostgreSQL's plan_cache_mode for the session"
    )
    args = parser.parse_args()
    url = bench.fresh_database("postgresql", Path(tempfile.mkdtemp(prefix="amina-identity-")))
    try:
        [device] = bench.load_people(url, 1)
        person = device.person_id
        sql = HotPathSql(postgresql=True)
        now = datetime.now(UTC)
        with psycopg.connect(url) as connection:
            (device_id,) = connection.execute(
                "SELECT id FROM devices WHERE person_id = %s", (person,)
            ).fetchone()  # type: ignore[misc]
            held = int(args.held_days * 86400 / args.every_seconds)
            rows = [
                (
                    person,
                    now - timedelta(seconds=(held - i) * args.every_seconds),
                    device_id,
                    uuid.uuid4().hex,
                    now,
                    55.75,
                    37.61,
                    10.0,
                    None,
                    None,
                    "gps",
                    False,
                    "RU-MOW",
                    0,
                    12.0,
                )
                for i in range(held)
            ]
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO location_reports ({_REPORT_COLUMNS}) VALUES "
                    "(" + ", ".join(["%s"] * 15) + ")",
                    rows,
                )
            connection.commit()
            connection.autocommit = True
            connection.execute("VACUUM ANALYZE location_reports")  # as autovacuum would
            connection.execute(f"SET plan_cache_mode = {args.plan_cache_mode}")
            connection.autocommit = False
            print(f"person holds {held} reports over {args.held_days} days")
            for size in (1, 100):
                spent: dict[str, list[float]] = {
                    "without check": [],
                    "with check": [],
                    "check alone": [],
                }
                for _ in range(args.rounds):
                    batch = columns(now + timedelta(seconds=1), size)
                    reach = timedelta(hours=args.window_hours)
                    window = (now - reach, now + reach)
                    _, [(with_check, parameters)] = sql.insert_reports(
                        person, device_id, now, batch, window
                    )
                    document = parameters[0]
                    for label, statement, values in (
                        ("without check", WITHOUT_CHECK, (person, device_id, now, document)),
                        ("with check", with_check, parameters),
                        ("check alone", CHECK_ALONE, (person, *window, document)),
                    ):
                        with connection.cursor() as cursor:
                            started = time.perf_counter()
                            cursor.execute(statement, values)
                            cursor.fetchall()
                            spent[label].append(time.perf_counter() - started)
                        connection.rollback()
                if args.explain:
                    for statement, values in (
                        (WITHOUT_CHECK, (person, device_id, now, document)),
                        (with_check, parameters),
                    ):
                        plan = connection.execute(
                            "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + statement, values
                        ).fetchall()
                        print("\n".join(row[0] for row in plan))
                        connection.rollback()
                for label, times in spent.items():
                    ordered = sorted(times)
                    print(
                        f"batch {size:>3}, {label:>13}: median "
                        f"{statistics.median(ordered) * 1000:.3f} ms, p90 "
                        f"{ordered[int(len(ordered) * 0.9)] * 1000:.3f} ms"
                    )
    finally:
        bench.drop_database(url)


if __name__ == "__main__":
    main()
