"""What the identity check costs the database (issue 10 point 2; BENCHMARKS.md, "Issue 10: the
identity check by key" and "… by a Bloom filter").

    uv run --frozen --no-sync python bench/ingest/identity_check.py --held-days 3 \
        --every-seconds 900 --rounds 5 --per-round 200

A fresh PostgreSQL database (migrated, vacuumed), one person whose phone already stored a
report every ``--every-seconds`` for ``--held-days`` days up to now (their identity keys and
their filter too, as ingest would have written them), then batches of 1 and 100 new reports,
each batch as the three statements every batch runs — the context query, the insert, the
aggregates statement — in one transaction rolled back (the tables do not grow), alternating
between:

- ``without check``: the insert before issue 10 (``3aeb9cc``: ``INSERT … SELECT FROM
  json_to_recordset ON CONFLICT DO NOTHING RETURNING client_id``), the context query and the
  aggregates statement without the filter;
- ``old check``: issue 10's first check, the same insert plus a read of the person's stored
  reports under the batch's client ids within ``--window-hours`` (a range of the partitioned
  key);
- ``key check``: branch ``identity-key``'s insert, plus one look-up and one insert per report
  in ``report_client_ids`` (the table created here for the comparison);
- ``bloom``: today's statements: the person's lock (one batch of a person at a time), the
  context query reading the filter, the bare insert, the aggregates statement OR-ing the
  batch's bits in (nothing held: the filter rules every new
  client id out, no read of the stored reports).

``--rounds`` rounds of ``--per-round`` batches each; per round the median wall time of each
mode's three statements (local socket, so mostly the server's work) and the 1-minute load
average before and after; at the end min / median / max of the round medians, and the
worker's CPU for the filter's part (decoding it, hashing the client ids, testing them).
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

from amina.adapters.db.reports.store import (
    _FILTER_PART,
    _FILTER_READ,
    _LAST_UPSERT,
    _PG_SUMMARY,
    _REPORT_COLUMNS,
    HotPathSql,
    LatestReport,
    ReportColumns,
    SummaryDelta,
    _minified,
)
from amina.domain.identity_filter import (
    FilterWrite,
    IdentityFilter,
    arrival_day,
    decode_bits,
    encode_bits,
    mask_of,
    positions,
)
from amina.domain.reports import FLAG_ORDER

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

#: Branch ``identity-key``'s insert (``34b00fa``): every report's key inserted beside it.
KEY_CHECK = f"""
WITH b AS (SELECT * FROM json_to_recordset(%s::json) AS t(c varchar, t timestamptz, la float8,
           lo float8, a float8, s float8, al float8, p varchar, m bool, r varchar, f int2,
           d float8)),
i AS (INSERT INTO location_reports ({_REPORT_COLUMNS})
      SELECT %s, b.t, %s, b.c, %s, b.la, b.lo, b.a, b.s, b.al, b.p, b.m, b.r, b.f, b.d FROM b
      ON CONFLICT DO NOTHING
      RETURNING client_id),
k AS (INSERT INTO report_client_ids (person_id, client_id, device_time, flags)
      SELECT %s, b.c, b.t, b.f FROM b
      ON CONFLICT DO NOTHING
      RETURNING client_id)
SELECT client_id, true FROM i UNION ALL SELECT client_id, false FROM k
"""
KEY_TABLE = """
CREATE TABLE report_client_ids (person_id varchar(36), client_id varchar(64),
    device_time timestamptz NOT NULL, flags int2 NOT NULL, PRIMARY KEY (person_id, client_id))
"""

#: The aggregates statement without the filter (as before it): the same statement less the
#: filter's part.
AGGREGATES_WITHOUT_FILTER = _minified(f"WITH summaries AS ({_PG_SUMMARY}) {_LAST_UPSERT}")
#: The filter's row in the context query (its columns and its join).
FILTER_JOIN = "LEFT JOIN report_identity_filters f ON f.person_id = p.id\n"

LABELS = ("without check", "old check", "key check", "bloom")
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


def aggregates(
    sql: HotPathSql,
    person: str,
    device_id: str,
    now: datetime,
    batch: ReportColumns,
) -> tuple[str, tuple[object, ...]]:
    """Today's aggregates statement for ``batch`` (stored entirely) and its parameters."""
    delta = SummaryDelta(
        now.date(),
        len(batch),
        len(batch),
        len(batch),
        batch.device_time[0],
        batch.device_time[-1],
        [0] * len(FLAG_ORDER),
        0,
    )
    latest = LatestReport(device_id, batch.device_time[-1], now, 55.75, 37.61, "RU-MOW", 0)
    identity = FilterWrite(arrival_day(now), mask_of(positions(c) for c in batch.client_id), None)
    [(statement, values, _)] = sql.aggregates(person, now, [delta], latest, None, identity)
    return statement, tuple(values)


def filter_cpu(context_row: tuple[object, ...], batch: ReportColumns) -> float:
    """The worker's part of the filter, in seconds: decode the column, hash and test the
    batch's client ids, make the batch's bits."""
    started = time.perf_counter()
    held = IdentityFilter(decode_bits(bytes(context_row[10])[4:]), None, None)  # type: ignore[arg-type]
    spots = [positions(c) for c in batch.client_id]
    _ = [c for c, spot in zip(batch.client_id, spots, strict=True) if held.may_hold(spot)]
    encode_bits(mask_of(spots), postgresql=True)
    return time.perf_counter() - started


def run(
    connection: psycopg.Connection[tuple[object, ...]],
    cursor: psycopg.Cursor[tuple[object, ...]],
    statements: list[tuple[str, tuple[object, ...]]],
) -> tuple[object, ...]:
    """Run a mode's statements; the first two (the lock, or the context query, and the next)
    in one pipeline when the first is the person's lock, as the product sends them. The
    context query's row."""
    first = 0
    if statements[0][0].startswith("SELECT pg_advisory_xact_lock"):
        with connection.pipeline():
            cursor.execute(*statements[0])
            cursor.execute(*statements[1])
            context = cursor.fetchall()[0]
        first = 2
    for statement, values in statements[first:]:
        cursor.execute(statement, values)
        if cursor.description:
            rows = cursor.fetchall()
            if first == 0:
                context, first = rows[0], -1
    return context


def main() -> None:  # noqa: PLR0915 (one measurement, read top to bottom)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--held-days", type=float, default=3.0)
    parser.add_argument("--every-seconds", type=int, default=900)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-round", type=int, default=200)
    parser.add_argument("--window-hours", type=float, default=24.0)
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
            stored = ReportColumns(
                [uuid.uuid4().hex for _ in range(held)],
                [now - timedelta(seconds=(held - i) * args.every_seconds) for i in range(held)],
                *([v] * held for v in (55.75, 37.61, 10.0, None, None, "gps", False, "RU-MOW")),
                [0] * held,
                [12.0] * held,
            )
            connection.execute(KEY_TABLE)
            with connection.cursor() as cursor:
                cursor.execute(*sql.insert_reports(person, device_id, now, stored)[0])
                recent = [
                    (person, c, t)
                    for c, t in zip(stored.client_id, stored.device_time, strict=True)
                    if t >= now - timedelta(days=2)
                ]
                cursor.executemany(
                    "INSERT INTO report_client_ids (person_id, client_id, device_time, flags) "
                    "VALUES (%s, %s, %s, 0)",
                    recent,
                )
                # the filter as ingest left it: the last two days' client ids
                last_two_days = ReportColumns(
                    [c for _, c, _ in recent], [t for _, _, t in recent], *([] for _ in range(10))
                )
                cursor.execute(*aggregates(sql, person, device_id, now, last_two_days))
            connection.commit()
            connection.autocommit = True
            connection.execute("VACUUM ANALYZE")  # as autovacuum would
            connection.autocommit = False
            print(f"person holds {held} reports over {args.held_days} days")
            widths = connection.execute(
                "SELECT (SELECT pg_column_size(l.*) FROM person_last_report l),"
                " (SELECT pg_column_size(f.*) FROM report_identity_filters f)"
            ).fetchone()
            print(f"row bytes: person_last_report {widths[0]}, report_identity_filters {widths[1]}")
            connection.rollback()
            context_with, context_values = sql.context(person, device_id)
            context_without = context_with.replace(", " + _FILTER_READ, "").replace(FILTER_JOIN, "")
            assert context_without != context_with
            assert "f." not in context_without
            rounds: dict[tuple[int, str], list[float]] = {}
            cpu: dict[int, list[float]] = {1: [], 100: []}
            for round_ in range(1, args.rounds + 1):
                for size in (1, 100):
                    load = os.getloadavg()[0]
                    spent: dict[str, list[float]] = {label: [] for label in LABELS}
                    for n in range(args.per_round):
                        if n % VACUUM_EVERY == 0:  # the rolled-back rows, cleared as autovacuum
                            connection.autocommit = True  # would on a busy table
                            connection.execute(
                                "VACUUM location_reports, report_client_ids, person_last_report,"
                                " report_identity_filters, daily_summaries"
                            )
                            connection.autocommit = False
                        batch = columns(now + timedelta(seconds=1), size)
                        reach = timedelta(hours=args.window_hours)
                        window = (now - reach, now + reach)
                        [(insert, parameters)] = sql.insert_reports(person, device_id, now, batch)
                        document = parameters[3]
                        with_filter = aggregates(sql, person, device_id, now, batch)
                        without_filter = (
                            AGGREGATES_WITHOUT_FILTER,
                            # the parameters less the filter's (person and its columns)
                            with_filter[1][:3] + with_filter[1][4 + len(_FILTER_PART) :],
                        )
                        plain_context = (context_without, context_values)
                        runs = [
                            (
                                "without check",
                                [
                                    plain_context,
                                    (WITHOUT_CHECK, (person, device_id, now, document)),
                                    without_filter,
                                ],
                            ),
                            (
                                "old check",
                                [
                                    plain_context,
                                    (
                                        OLD_CHECK,
                                        (document, person, *window, person, device_id, now),
                                    ),
                                    without_filter,
                                ],
                            ),
                            (
                                "key check",
                                [
                                    plain_context,
                                    (KEY_CHECK, (document, person, device_id, now, person)),
                                    without_filter,
                                ],
                            ),
                            (
                                "bloom",
                                [
                                    sql.one_batch_of(person),
                                    (context_with, context_values),
                                    (insert, parameters),
                                    with_filter,
                                ],
                            ),
                        ]
                        # alternate the order too: none always runs first (cold) or last
                        shift = n % len(runs)
                        for label, statements in runs[shift:] + runs[:shift]:
                            with connection.cursor() as cursor:
                                started = time.perf_counter()
                                row = run(connection, cursor, statements)
                                spent[label].append(time.perf_counter() - started)
                                if label == "bloom":
                                    context_row = row
                            connection.rollback()
                        cpu[size].append(filter_cpu(context_row, batch))
                    after = os.getloadavg()[0]
                    medians = {label: statistics.median(t) * 1000 for label, t in spent.items()}
                    for label, median in medians.items():
                        rounds.setdefault((size, label), []).append(median)
                    print(
                        f"round {round_}, batch {size:>3} (load {load:.1f}->{after:.1f}): "
                        + ", ".join(f"{label} {medians[label]:.3f} ms" for label in LABELS),
                        flush=True,
                    )
            print(
                "\nmedian per batch (context + insert + aggregates), ms: "
                "min / median / max over the rounds"
            )
            for size in (1, 100):
                base = statistics.median(rounds[(size, "without check")])
                for label in LABELS:
                    values = sorted(rounds[(size, label)])
                    print(
                        f"batch {size:>3}, {label:>13}: {values[0]:.3f} / "
                        f"{statistics.median(values):.3f} / {values[-1]:.3f}  "
                        f"(x{statistics.median(values) / base:.2f} of without check)"
                    )
                print(
                    f"batch {size:>3}, the filter's worker CPU: "
                    f"{statistics.median(cpu[size]) * 1e6:.0f} µs (median)"
                )
    finally:
        bench.drop_database(url)


if __name__ == "__main__":
    main()
