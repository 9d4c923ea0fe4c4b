"""What the identity check costs the database (issue 10 point 2; BENCHMARKS.md, "Issue 10: the
identity check by key").

    uv run --frozen --no-sync python bench/ingest/identity_check.py --held-days 3 \
        --every-seconds 900 --rounds 5 --per-round 200

A fresh PostgreSQL database (migrated, vacuumed), one person whose phone already stored a
report every ``--every-seconds`` for ``--held-days`` days up to now (their identity keys too,
as ingest would have written them), then batches of 1 and 100 new reports inserted over and
over, each in a transaction rolled back (the tables do not grow), alternating between:

- ``without check``: the insert before issue 10 (``3aeb9cc``: ``INSERT … SELECT FROM
  json_to_recordset ON CONFLICT DO NOTHING RETURNING client_id``);
- ``old check``: issue 10's first check, the same insert plus a read of the person's stored
  reports under the batch's client ids within ``--window-hours`` (a range of the partitioned
  key);
- ``key check``: today's ``_PG_INSERT``, the insert plus one look-up and one insert per report
  in ``report_client_ids``.

``--rounds`` rounds of ``--per-round`` statements each; per round the median wall time of each
statement (local socket, so mostly the server's work) and the 1-minute load average; at the
end min / median / max of the round medians, and the key table's bytes per key (50,000 keys
written and committed).
"""

from __future__ import annotations

import argparse
import os
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

#: Issue 10's first identity check (``684e365``): the stored reports read in the insert.
OLD_CHECK = f"""
WITH b AS (SELECT * FROM json_to_recordset(%s::json) AS t(c varchar, t timestamptz, la float8,
           lo float8, a float8, s float8, al float8, p varchar, m bool, r varchar, f int2,
           d float8)),
h AS (SELECT r.client_id, r.device_time, r.flags FROM location_reports r
      WHERE r.person_id = %s AND r.device_time >= %s AND r.device_time <= %s
        AND r.client_id IN (SELECT b.c FROM b)),
i AS (INSERT INTO location_reports ({_REPORT_COLUMNS})
      SELECT %s, b.t, %s, b.c, %s, b.la, b.lo, b.a, b.s, b.al, b.p, b.m, b.r, b.f, b.d FROM b
      ON CONFLICT DO NOTHING
      RETURNING client_id)
SELECT client_id, NULL::timestamptz, NULL::int2 FROM i
UNION ALL SELECT client_id, device_time, flags FROM h
"""

LABELS = ("without check", "old check", "key check")
#: Each statement is rolled back: its rows stay behind as dead tuples (in the tables and their
#: indexes) until a VACUUM, and they slow the statements that follow; a VACUUM every this many
#: rounds of the three keeps them from piling up (a committed insert leaves none).
VACUUM_EVERY = 25


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


def main() -> None:  # noqa: PLR0915 (one measurement, read top to bottom)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--held-days", type=float, default=3.0)
    parser.add_argument("--every-seconds", type=int, default=900)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-round", type=int, default=200)
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
                cursor.executemany(
                    "INSERT INTO report_client_ids (person_id, client_id, device_time, flags) "
                    "VALUES (%s, %s, %s, 0)",
                    [(r[0], r[3], r[1]) for r in rows if r[1] >= now - timedelta(days=2)],
                )
            connection.commit()
            connection.autocommit = True
            connection.execute("VACUUM ANALYZE location_reports")  # as autovacuum would
            connection.execute("VACUUM ANALYZE report_client_ids")
            connection.execute(f"SET plan_cache_mode = {args.plan_cache_mode}")
            connection.autocommit = False
            print(f"person holds {held} reports over {args.held_days} days")
            rounds: dict[tuple[int, str], list[float]] = {}
            for round_ in range(1, args.rounds + 1):
                for size in (1, 100):
                    load = os.getloadavg()[0]
                    spent: dict[str, list[float]] = {label: [] for label in LABELS}
                    for n in range(args.per_round):
                        if n % VACUUM_EVERY == 0:  # the rolled-back rows, cleared as autovacuum
                            connection.autocommit = True  # would on a busy table
                            connection.execute("VACUUM location_reports, report_client_ids")
                            connection.autocommit = False
                        batch = columns(now + timedelta(seconds=1), size)
                        reach = timedelta(hours=args.window_hours)
                        window = (now - reach, now + reach)
                        _, [(key_check, parameters)] = sql.insert_reports(
                            person, device_id, now, batch
                        )
                        document = parameters[0]
                        runs = [
                            ("without check", WITHOUT_CHECK, (person, device_id, now, document)),
                            (
                                "old check",
                                OLD_CHECK,
                                (document, person, *window, person, device_id, now),
                            ),
                            ("key check", key_check, parameters),
                        ]
                        # alternate the order too: none always runs first (cold) or last
                        shift = n % len(runs)
                        for label, statement, values in runs[shift:] + runs[:shift]:
                            with connection.cursor() as cursor:
                                started = time.perf_counter()
                                cursor.execute(statement, values)
                                cursor.fetchall()
                                spent[label].append(time.perf_counter() - started)
                            connection.rollback()
                    after = os.getloadavg()[0]
                    medians = {label: statistics.median(t) * 1000 for label, t in spent.items()}
                    for label, median in medians.items():
                        rounds.setdefault((size, label), []).append(median)
                    print(
                        f"round {round_}, batch {size:>3} (load {load:.1f}->{after:.1f}): "
                        + ", ".join(f"{label} {medians[label]:.3f} ms" for label in LABELS)
                    )
                    if args.explain and round_ == 1:
                        for statement, values in (
                            (WITHOUT_CHECK, (person, device_id, now, document)),
                            (key_check, parameters),
                        ):
                            plan = connection.execute(
                                "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + statement, values
                            ).fetchall()
                            print("\n".join(row[0] for row in plan))
                            connection.rollback()
            print("\nmedian per statement, ms: min / median / max over the rounds")
            for size in (1, 100):
                base = statistics.median(rounds[(size, "without check")])
                for label in LABELS:
                    values = sorted(rounds[(size, label)])
                    print(
                        f"batch {size:>3}, {label:>13}: {values[0]:.3f} / "
                        f"{statistics.median(values):.3f} / {values[-1]:.3f}  "
                        f"(x{statistics.median(values) / base:.2f} of without check)"
                    )
            # bytes per key on disk, index included: 50,000 keys of 36-character client ids
            # (a UUID as text, as the apps send them) written and committed, then measured
            connection.autocommit = True
            connection.execute("TRUNCATE report_client_ids")
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO report_client_ids (person_id, client_id, device_time, flags) "
                    "VALUES (%s, %s, %s, 0)",
                    [
                        (person, str(uuid.uuid4()), now - timedelta(seconds=i))
                        for i in range(50_000)
                    ],
                )
            connection.execute("VACUUM ANALYZE report_client_ids")
            keys, key_bytes = connection.execute(
                "SELECT count(*), pg_total_relation_size('report_client_ids') "
                "FROM report_client_ids"
            ).fetchone()  # type: ignore[misc]
            print(
                f"report_client_ids: {keys} keys, {key_bytes} bytes with its index "
                f"({key_bytes / max(keys, 1):.0f} bytes per key)"
            )
    finally:
        bench.drop_database(url)


if __name__ == "__main__":
    main()
