"""A narrower report key: bytes per stored report and insert cost (issue 14 point 3).

    .venv/bin/python bench/ingest/narrow_key.py               # 200k rows, 5 rounds
    .venv/bin/python bench/ingest/narrow_key.py --people 1000 --per-person 200 --rounds 5

A scratch PostgreSQL database (created and dropped here) holding the report table in several
shapes, each partitioned by day on ``device_time`` like ``location_reports``:

- ``text keys``: today's table, from migration 0005's own DDL (``person_id``/``device_id``
  ``varchar(36)``, ``client_id`` ``varchar(64)`` holding the app's 36-character UUID; primary key
  (person_id, device_time, device_id, client_id); the partial index of future-dated reports);
- ``uuid keys``: the same with ``person_id``, ``device_id`` and ``client_id`` as ``uuid``;
- ``bigint keys``: a ``bigint`` surrogate per person and per device, ``client_id`` ``uuid``;
- ``uuid, 3-col key``: ``uuid keys`` with the primary key (person_id, device_time, client_id)
  (the device leaves the key: a report's identity is its client id with its device time);
- ``compact``: the 3-column uuid key, the columns ordered for alignment, the measurements as
  ``real`` (4 bytes: ~0.4 m at Moscow's latitude and longitude), provider and region as
  ``smallint`` codes.

First a fill: ``--people`` people x ``--per-person`` reports (one every 15 minutes, per person
in batches of 20, people interleaved as they would arrive), inserted into every shape with the
product's statement form (``INSERT … SELECT FROM json_to_recordset … ON CONFLICT DO NOTHING
RETURNING client_id``); bytes per stored report (``pg_total_relation_size`` over the
partitions, indexes included; the heap with its TOAST, FSM and VM, and the indexes apart).
Then ``--rounds`` rounds of the same insert in batches of 1 and 100 (each batch committed; the
shapes alternate in blocks, the order rotating), measuring per row: the statement's wall time
and the backend's CPU (``/proc/<pid>/stat``, commit included), with the 1-minute load average.
Then the WAL each shape's insert writes per row (``EXPLAIN (ANALYZE, WAL)`` of
``--wal-samples`` batches of 1 and a tenth as many of 100, interleaved), the bytes per report
again, and once more after ``REINDEX`` (what rebuilding a closed day's partition would give
back). BENCHMARKS.md, "What the designs not built yet would buy (measured)".
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import run as bench

MIGRATION = (
    Path(__file__).resolve().parents[2] / "amina/adapters/db/migrations/versions/0005_reports.py"
)
_spec = importlib.util.spec_from_file_location("reports_migration", MIGRATION)
assert _spec is not None
assert _spec.loader is not None
reports_migration = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reports_migration)

WIDE_COLUMNS = (
    "person_id, device_time, device_id, client_id, received_at, lat, lon, accuracy_m, "
    "speed_mps, altitude_m, provider, mocked, region, flags, distance_to_address_m"
)
WIDE_ROWS = (
    "c {c}, t timestamptz, la float8, lo float8, a float8, s float8, al float8, p varchar, "
    "m bool, r varchar, f int2, d float8"
)
WIDE_SELECT = "%s, b.t, %s, b.c, %s, b.la, b.lo, b.a, b.s, b.al, b.p, b.m, b.r, b.f, b.d"

COMPACT = """
CREATE TABLE {t} (
    person_id uuid NOT NULL,
    device_time timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    device_id uuid NOT NULL,
    client_id uuid NOT NULL,
    lat real NOT NULL,
    lon real NOT NULL,
    accuracy_m real NOT NULL,
    speed_mps real,
    altitude_m real,
    distance_to_address_m real,
    flags smallint NOT NULL,
    provider smallint,
    region smallint,
    mocked boolean NOT NULL,
    CONSTRAINT pk_{t} PRIMARY KEY (person_id, device_time, client_id)
) PARTITION BY RANGE (device_time)
"""
COMPACT_ROWS = (
    "c uuid, t timestamptz, la real, lo real, a real, s real, al real, p int2, m bool, r int2, "
    "f int2, d real"
)


@dataclass(frozen=True)
class Shape:
    name: str
    table: str
    create: str
    #: how the person and device are passed: "text", "uuid" or "bigint"
    key: str
    insert: str


def wide(table: str, key_type: str | None, client: str, primary_key: str | None = None) -> str:
    """Migration 0005's DDL for ``table``, the key columns of ``key_type`` (None: as today)."""
    ddl: str = reports_migration.LOCATION_REPORTS_PG.replace("location_reports", table)
    if key_type is not None:
        ddl = ddl.replace("person_id varchar(36)", f"person_id {key_type}")
        ddl = ddl.replace("device_id varchar(36)", f"device_id {key_type}")
        ddl = ddl.replace("client_id varchar(64)", f"client_id {client}")
    if primary_key is not None:
        ddl = ddl.replace("(person_id, device_time, device_id, client_id)", primary_key)
    return ddl


def shapes() -> list[Shape]:
    def insert(
        table: str, rows: str, columns: str = WIDE_COLUMNS, select: str = WIDE_SELECT
    ) -> str:
        return (
            f"INSERT INTO {table} ({columns}) SELECT {select} "
            f"FROM json_to_recordset(%s::json) AS b({rows}) ON CONFLICT DO NOTHING "
            "RETURNING client_id"
        )

    return [
        Shape("text keys", "r_text", wide("r_text", None, ""), "text",
              insert("r_text", WIDE_ROWS.format(c="varchar"))),
        Shape("uuid keys", "r_uuid", wide("r_uuid", "uuid", "uuid"), "uuid",
              insert("r_uuid", WIDE_ROWS.format(c="uuid"))),
        Shape("bigint keys", "r_bigint", wide("r_bigint", "bigint", "uuid"), "bigint",
              insert("r_bigint", WIDE_ROWS.format(c="uuid"))),
        Shape("uuid, 3-col key", "r_uuid3",
              wide("r_uuid3", "uuid", "uuid", "(person_id, device_time, client_id)"), "uuid",
              insert("r_uuid3", WIDE_ROWS.format(c="uuid"))),
        Shape("compact", "r_compact", COMPACT.format(t="r_compact"), "uuid",
              insert("r_compact", COMPACT_ROWS)),
    ]  # fmt: skip


@dataclass
class Person:
    number: int
    person_id: uuid.UUID
    device_id: uuid.UUID
    home: tuple[float, float]
    next_time: datetime


def batch_document(person: Person, size: int, rng: random.Random, compact: bool) -> list[Any]:
    """``size`` reports of the person's phone, one every 15 minutes, as the JSON rows."""
    rows = []
    for _ in range(size):
        at = person.next_time
        person.next_time += timedelta(seconds=900)
        rows.append(
            {
                "c": str(uuid.uuid4()),
                "t": at,
                "la": person.home[0] + rng.uniform(-0.002, 0.002),
                "lo": person.home[1] + rng.uniform(-0.002, 0.002),
                "a": round(rng.uniform(4, 35), 1),
                "s": round(rng.uniform(0, 1.8), 2),
                "al": round(rng.uniform(130, 190), 1),
                "p": 1 if compact else "gps",
                "m": False,
                "r": 77 if compact else "RU-MOW",
                "f": 0,
                "d": round(rng.uniform(0, 400), 1),
            }
        )
    return rows


def parameters(shape: Shape, person: Person, now: datetime, rows: list[Any]) -> tuple[Any, ...]:
    key: dict[str, tuple[Any, Any]] = {
        "text": (str(person.person_id), str(person.device_id)),
        "uuid": (person.person_id, person.device_id),
        "bigint": (person.number, person.number),
    }
    who, device = key[shape.key]
    return (who, device, now, orjson.dumps(rows).decode())


def backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sizes(connection: psycopg.Connection[Any], table: str) -> tuple[int, int, int]:
    """(heap bytes, index bytes, rows) over the table's partitions."""
    heap, index, rows = connection.execute(
        "SELECT coalesce(sum(pg_table_size(inhrelid)), 0), "
        "coalesce(sum(pg_indexes_size(inhrelid)), 0), "
        f"(SELECT count(*) FROM {table}) FROM pg_inherits WHERE inhparent = %s::regclass",
        (table,),
    ).fetchone()  # type: ignore[misc]
    return int(heap), int(index), int(rows)


def wal_written(
    connection: psycopg.Connection[Any], shape: Shape, values: tuple[Any, ...]
) -> tuple[int, int]:
    """(WAL bytes, full-page images) of one insert, this statement's own (``EXPLAIN (ANALYZE,
    WAL)``; the commit record, ~50 bytes, not included); committed like the others."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, WAL, FORMAT JSON) " + shape.insert, values)
        [[plan]] = cursor.fetchone()  # type: ignore[misc]
    connection.commit()
    return int(plan["Plan"].get("WAL Bytes", 0)), int(plan["Plan"].get("WAL FPI", 0))


def print_sizes(connection: psycopg.Connection[Any], all_shapes: list[Shape]) -> None:
    base = None
    for shape in all_shapes:
        heap, index, rows = sizes(connection, shape.table)
        total = (heap + index) / rows
        base = base or total
        print(
            f"  {shape.name:>16}: {total:6.1f} bytes per report (heap {heap / rows:5.1f}, "
            f"indexes {index / rows:5.1f}; {rows:,} rows; x{total / base:.2f})"
        )


def main() -> None:  # noqa: PLR0912, PLR0915 (one measurement, read top to bottom)
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=1000, help="people (one phone each)")
    parser.add_argument(
        "--per-person", type=int, default=200, help="reports per person in the fill"
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--blocks", type=int, default=4, help="alternating blocks per round")
    parser.add_argument("--singles", type=int, default=500, help="batches of 1 per block")
    parser.add_argument("--hundreds", type=int, default=100, help="batches of 100 per block")
    parser.add_argument(
        "--wal-samples", type=int, default=300, help="batches of 1 per shape in the WAL sample"
    )
    args = parser.parse_args()
    rng = random.Random(14)
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    url = bench.fresh_database("postgresql", Path(tempfile.mkdtemp(prefix="amina-narrow-")))
    all_shapes = shapes()
    try:
        with psycopg.connect(url) as connection:
            for shape in all_shapes:
                connection.execute(shape.create)
                connection.execute(
                    reports_migration.FUTURE_TIME_INDEX_PG.replace("location_reports", shape.table)
                )
                for day in range(-1, 12):  # the fill and the rounds stay within these days
                    low = start.replace(hour=0) + timedelta(days=day)
                    connection.execute(
                        f"CREATE TABLE {shape.table}_p{day + 1} PARTITION OF {shape.table} "
                        f"FOR VALUES FROM ('{low.isoformat()}') "
                        f"TO ('{(low + timedelta(days=1)).isoformat()}')"
                    )
            connection.commit()
            pid = connection.info.backend_pid
            # one set of people per shape, the same reports (the same seeds) in each
            people = {
                s.name: [
                    Person(
                        i + 1,
                        uuid.UUID(int=rng.getrandbits(128), version=4),
                        uuid.UUID(int=rng.getrandbits(128), version=4),
                        bench.HOMES[i % len(bench.HOMES)],
                        start,
                    )
                    for i in range(args.people)
                ]
                for s in all_shapes
            }

            def insert(shape: Shape, person: Person, size: int, seed: int) -> float:
                """One batch, committed; the statement's wall time."""
                rows = batch_document(
                    person, size, random.Random(seed), compact=shape.name == "compact"
                )
                values = parameters(shape, person, datetime.now(UTC), rows)
                with connection.cursor() as cursor:
                    began = time.perf_counter()
                    cursor.execute(shape.insert, values)
                    stored = len(cursor.fetchall())
                    spent = time.perf_counter() - began
                connection.commit()
                assert stored == size, (shape.name, stored)
                return spent

            load = os.getloadavg()[0]
            began = time.perf_counter()
            for wave in range(args.per_person // 20):
                for i in range(args.people):
                    for shape in all_shapes:
                        insert(shape, people[shape.name][i], 20, wave * 100_000 + i)
            print(
                f"fill: {args.people} people x {args.per_person} reports in each shape, "
                f"{time.perf_counter() - began:.0f} s (load {load:.2f}->{os.getloadavg()[0]:.2f})"
            )
            print_sizes(connection, all_shapes)
            figures: dict[tuple[int, str, str], list[float]] = {}
            loads = []
            seed = 10**9
            for round_ in range(1, args.rounds + 1):
                for size, count in ((1, args.singles), (100, args.hundreds)):
                    load = os.getloadavg()[0]
                    loads.append(load)
                    spent = {(s.name, f): 0.0 for s in all_shapes for f in ("wall", "cpu")}
                    for block in range(args.blocks):
                        turn = (round_ + block) % len(all_shapes)
                        for shape in all_shapes[turn:] + all_shapes[:turn]:
                            cpu, wall = backend_cpu(pid), 0.0
                            for n in range(count):
                                seed += 1
                                person = people[shape.name][(block * count + n) % args.people]
                                wall += insert(shape, person, size, seed)
                            spent[shape.name, "cpu"] += backend_cpu(pid) - cpu
                            spent[shape.name, "wall"] += wall
                    rows_each = args.blocks * count * size
                    line = []
                    for shape in all_shapes:
                        wall = spent[shape.name, "wall"] / rows_each * 1e6
                        cpu = spent[shape.name, "cpu"] / rows_each * 1e6
                        for figure, value in (("wall", wall), ("cpu", cpu)):
                            figures.setdefault((size, shape.name, figure), []).append(value)
                        line.append(f"{shape.name} {wall:.1f}/{cpu:.1f} µs")
                    print(
                        f"round {round_}, batch {size:>3} (load {load:.2f}->"
                        f"{os.getloadavg()[0]:.2f}), per row wall/CPU: " + "; ".join(line),
                        flush=True,
                    )
            print(
                f"\nper row, min / median / max over {args.rounds} rounds "
                f"(load {min(loads):.2f}–{max(loads):.2f}); ratio of medians to text keys"
            )
            units = {"wall": "µs statement wall", "cpu": "µs database CPU"}
            for size in (1, 100):
                for figure, unit in units.items():
                    reference = statistics.median(figures[size, "text keys", figure])
                    cells = []
                    for shape in all_shapes:
                        values = sorted(figures[size, shape.name, figure])
                        middle = statistics.median(values)
                        cells.append(
                            f"{shape.name} {values[0]:.1f}/{middle:.1f}/{values[-1]:.1f} "
                            f"(x{middle / reference if reference else float('nan'):.2f})"
                        )
                    print(f"batch {size:>3}, {unit}: " + "; ".join(cells))
            # WAL per row, each shape's own statements (the server's LSN would count the other
            # databases' writes too); the shapes interleaved, so checkpoints hit them alike
            wal = {(size, s.name): [0, 0, 0] for size in (1, 100) for s in all_shapes}
            for n in range(args.wal_samples):
                for size in (1, 100):
                    if size == 100 and n % 10:
                        continue
                    for shape in all_shapes:
                        seed += 1
                        person = people[shape.name][(n * 7) % args.people]
                        rows = batch_document(
                            person, size, random.Random(seed), compact=shape.name == "compact"
                        )
                        written, images = wal_written(
                            connection, shape, parameters(shape, person, datetime.now(UTC), rows)
                        )
                        wal[size, shape.name][0] += written
                        wal[size, shape.name][1] += images
                        wal[size, shape.name][2] += size
            for size in (1, 100):
                print(
                    f"batch {size:>3}, WAL per row (EXPLAIN ANALYZE WAL): "
                    + "; ".join(
                        f"{s.name} {wal[size, s.name][0] / wal[size, s.name][2]:.0f} B "
                        f"({wal[size, s.name][1] / wal[size, s.name][2]:.3f} page images)"
                        for s in all_shapes
                    )
                )
            print("\nafter the rounds:")
            print_sizes(connection, all_shapes)
            # what a nightly REINDEX of a closed day's partition gives back (the btree pages
            # split half-full while a thousand people's reports arrive interleaved)
            connection.commit()
            connection.autocommit = True
            for shape in all_shapes:
                connection.execute(f"REINDEX TABLE {shape.table}")
            print("after REINDEX (a closed day's partition rebuilt):")
            print_sizes(connection, all_shapes)
    finally:
        bench.drop_database(url)


if __name__ == "__main__":
    main()
