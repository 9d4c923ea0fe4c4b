"""psycopg 3 against asyncpg on the report hot path's own statements (issue 14 point 3).

    .venv/bin/python bench/ingest/drivers.py                  # 5 rounds, batches of 1 and 100
    .venv/bin/python bench/ingest/drivers.py --rounds 7 --blocks 6 --per-block 40

A fresh PostgreSQL database (migrated, ``--people`` card holders with bound phones and
registered addresses, loaded through the product's services as bench/ingest/run.py does), then
batches of 1 and 100 reports, each as the product runs it — the device context found by the
credential, the insert (``_PG_INSERT``: ``json_to_recordset … ON CONFLICT DO NOTHING
RETURNING``), the aggregates statement, ``COMMIT`` (durable: ``synchronous_commit`` as the
server has it) — through two drivers on one uvloop event loop:

- ``psycopg``: ``PsycopgReportStore`` (bench/ingest/psycopg_store.py: the product's path until
  asyncpg replaced it) on a psycopg ``AsyncConnection`` (BEGIN, the person's lock and the
  context pipelined, the aggregates statement pipelined with COMMIT, statements prepared by
  psycopg after 5 uses): 3 round trips;
- ``asyncpg``: the same SQL texts (``%s`` → ``$n``) prepared once with ``Connection.prepare``,
  in ``Connection.transaction()`` (``BEGIN`` and the lock are round trips of their own): 6
  round trips (the product's asyncpg store since: 5, BEGIN and the lock in one simple query).

Both build their parameters with the product's ``HotPathSql`` (the JSON documents included)
and read the context into the product's ``IngestContext``. The two alternate in blocks of
``--per-block`` batches (the order flips every block); per round and batch size: client CPU per
batch (``time.process_time`` of this process), wall per batch, and the database backend's CPU
per batch (``/proc/<backend pid>/stat``), with the 1-minute load average. At the end: min /
median / max over the rounds and asyncpg ÷ psycopg. BENCHMARKS.md, "What the designs not built
yet would buy (measured)".
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import psycopg
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import run as bench
from identity_check import columns
from psycopg_store import PsycopgReportStore

from amina.adapters.db.reports.store import (
    HotPathSql,
    LatestReport,
    ReportColumns,
    SummaryDelta,
)
from amina.domain.identity_filter import FILTER_BITS, FilterWrite, arrival_day, mask_of, positions
from amina.domain.reports import FLAG_ORDER
from amina.services.identity.sign_in import bearer_owner, secret_hash

MODES = ("psycopg", "asyncpg")


def dollar(statement: str) -> str:
    """The statement with asyncpg's numbered placeholders instead of psycopg's ``%s``."""
    count = iter(range(1, 1000))
    return re.sub(r"%s", lambda _: f"${next(count)}", statement)


def backend_cpu(pid: int) -> float:
    """CPU seconds (user + system) the database backend ``pid`` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def aggregates_of(
    device_id: str, now: datetime, batch: ReportColumns
) -> tuple[list[SummaryDelta], LatestReport, FilterWrite]:
    """What the use case hands ``update_aggregates`` for ``batch`` (stored entirely)."""
    size = len(batch)
    delta = SummaryDelta(
        now.date(),
        size,
        size,
        size,
        batch.device_time[0],
        batch.device_time[-1],
        [0] * len(FLAG_ORDER),
        0,
    )
    latest = LatestReport(device_id, batch.device_time[-1], now, 55.75, 37.61, "RU-MOW", 0)
    identity = FilterWrite(arrival_day(now), mask_of(positions(c) for c in batch.client_id), None)
    return [delta], latest, identity


class Psycopg:
    """The path the product ran until asyncpg: ``PsycopgReportStore`` on one ``AsyncConnection``."""

    def __init__(self, connection: psycopg.AsyncConnection[Any]) -> None:
        self.store = PsycopgReportStore(connection)
        self.pid = connection.info.backend_pid

    async def batch(
        self, owner: str, hashed: str, now: datetime, rows: ReportColumns
    ) -> tuple[int, float]:
        """Store the batch; (reports stored, seconds spent in COMMIT)."""
        store = self.store
        context = await store.device_context(owner, hashed)
        assert context is not None
        stored = await store.insert_reports(context.person_id, context.device_id, now, rows)
        deltas, latest, identity = aggregates_of(context.device_id, now, rows)
        await store.update_aggregates(context.person_id, now, deltas, latest, None, identity)
        began = time.perf_counter()
        await store.commit()
        return len(stored), time.perf_counter() - began


class Asyncpg:
    """The same statements, prepared once on one asyncpg connection."""

    def __init__(self, connection: asyncpg.Connection, prepared: dict[str, Any]) -> None:
        self.connection = connection
        self.prepared = prepared
        self.sql = HotPathSql(postgresql=True)
        self.pid = connection.get_server_pid()

    @classmethod
    async def connect(cls, url: str) -> Asyncpg:
        connection = await asyncpg.connect(url)
        sql = HotPathSql(postgresql=True)
        texts = {
            "lock": sql.one_batch_of("p")[0],
            "context": sql.device_context("p", "h")[0],
            "insert": sql.insert_reports(
                "p", "d", datetime.now(UTC), columns(datetime.now(UTC), 1)
            )[0][0],
        }
        deltas, latest, identity = aggregates_of(
            "d", datetime.now(UTC), columns(datetime.now(UTC), 1)
        )
        texts["aggregates"] = sql.aggregates(
            "p", datetime.now(UTC), deltas, latest, None, identity
        )[0][0]
        prepared = {name: await connection.prepare(dollar(text)) for name, text in texts.items()}
        return cls(connection, prepared)

    async def batch(
        self, owner: str, hashed: str, now: datetime, rows: ReportColumns
    ) -> tuple[int, float]:
        """Store the batch; (reports stored, seconds spent in COMMIT)."""
        sql, prepared = self.sql, self.prepared
        transaction = self.connection.transaction()
        await transaction.start()
        try:
            # the person's lock, then the context: two round trips (asyncpg has no pipeline;
            # psycopg sends both with BEGIN in one)
            await prepared["lock"].fetchval(*sql.one_batch_of(owner)[1])
            record = await prepared["context"].fetchrow(*sql.device_context(owner, hashed)[1])
            context = sql.read_context(tuple(record))
            assert context is not None
            [(_, values)] = sql.insert_reports(context.person_id, context.device_id, now, rows)
            stored = await prepared["insert"].fetch(*values)
            deltas, latest, identity = aggregates_of(context.device_id, now, rows)
            [(_, values, _)] = sql.aggregates(
                context.person_id, now, deltas, latest, None, identity
            )
            # asyncpg sends bit(n) as a BitString (psycopg as the text "x<hex>")
            values = [
                asyncpg.BitString.frombytes(bytes.fromhex(v[1:]), FILTER_BITS)
                if isinstance(v, str) and v.startswith("x") and len(v) > 64
                else v
                for v in values
            ]
            await prepared["aggregates"].fetch(*values)
        except BaseException:
            await transaction.rollback()
            raise
        began = time.perf_counter()
        await transaction.commit()
        return len(stored), time.perf_counter() - began


FIGURES = {
    "client": "client CPU",
    "database": "database backend CPU",
    "wall": "wall",
    "before commit": "wall before COMMIT",
}


def report(
    figures: dict[tuple[int, str, str], list[float]], rounds: int, loads: list[float]
) -> None:
    """min / median / max over the rounds per driver, and asyncpg ÷ psycopg: the ratio of the
    medians and the median of the rounds' own ratios (each round's pair ran side by side)."""
    print(
        f"\nms per batch, min / median / max over {rounds} rounds (load {min(loads):.2f}"
        f"–{max(loads):.2f})"
    )
    for size in (1, 100):
        for figure, label in FIGURES.items():
            cells = []
            for mode in MODES:
                values = sorted(figures[size, mode, figure])
                middle = statistics.median(values)
                cells.append(f"{mode} {values[0]:.3f} / {middle:.3f} / {values[-1]:.3f}")
            ours, theirs = figures[size, "psycopg", figure], figures[size, "asyncpg", figure]
            medians = statistics.median(theirs) / statistics.median(ours)
            paired = statistics.median(a / p for a, p in zip(theirs, ours, strict=True) if p)
            print(
                f"batch {size:>3}, {label}: "
                + "; ".join(cells)
                + f"  (asyncpg ÷ psycopg: medians {medians:.2f},"
                f" per round {paired:.2f})"
            )


async def measure(args: argparse.Namespace, url: str, devices: list[bench.Device]) -> None:
    drivers: dict[str, Any] = {
        "psycopg": Psycopg(await psycopg.AsyncConnection.connect(url)),
        "asyncpg": await Asyncpg.connect(url),
    }
    people = [(bearer_owner(d.credential), secret_hash(d.credential)) for d in devices]
    start = datetime.now(UTC)
    clock = iter(range(10**9))  # every report a new device time (a millisecond apart)
    # per (size, mode, figure): the round's value per batch
    figures: dict[tuple[int, str, str], list[float]] = {}
    loads: list[float] = []
    for mode in MODES:  # warm-up: psycopg prepares after 5 uses, the caches fill
        for n in range(20):
            owner, hashed = people[n % len(people)]
            await drivers[mode].batch(owner, hashed, start, columns(start, 1))
    for round_ in range(1, args.rounds + 1):
        for size in (1, 100):
            load = os.getloadavg()[0]
            loads.append(load)
            spent = dict.fromkeys(((mode, f) for mode in MODES for f in FIGURES), 0.0)
            for block in range(args.blocks):
                for mode in MODES if (block + round_) % 2 else MODES[::-1]:
                    driver = drivers[mode]
                    work = []
                    for n in range(args.per_block):
                        owner, hashed = people[(block * args.per_block + n) % len(people)]
                        at = start + timedelta(milliseconds=next(clock) * size)
                        rows = columns(at, size)
                        rows.device_time[:] = [at + timedelta(milliseconds=i) for i in range(size)]
                        work.append((owner, hashed, rows))
                    database = backend_cpu(driver.pid)
                    client = time.process_time()
                    wall = time.perf_counter()
                    committing = 0.0
                    for owner, hashed, rows in work:
                        stored, commit = await driver.batch(owner, hashed, datetime.now(UTC), rows)
                        assert stored == size, (mode, stored)
                        committing += commit
                    spent[mode, "wall"] += time.perf_counter() - wall
                    spent[mode, "before commit"] += time.perf_counter() - wall - committing
                    spent[mode, "client"] += time.process_time() - client
                    spent[mode, "database"] += backend_cpu(driver.pid) - database
            batches = args.blocks * args.per_block
            for (mode, figure), seconds in spent.items():
                figures.setdefault((size, mode, figure), []).append(seconds / batches * 1000)
            print(
                f"round {round_}, batch {size:>3} (load {load:.2f}->{os.getloadavg()[0]:.2f}), "
                "ms per batch: "
                + "; ".join(
                    f"{mode} "
                    + " / ".join(f"{f} {spent[mode, f] / batches * 1000:.3f}" for f in FIGURES)
                    for mode in MODES
                ),
                flush=True,
            )
    report(figures, args.rounds, loads)
    await drivers["psycopg"].store.connection.close()
    await drivers["asyncpg"].connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    parser.add_argument(
        "--blocks", type=int, default=6, help="alternating blocks per round and batch size"
    )
    parser.add_argument("--per-block", type=int, default=100, help="batches per block")
    parser.add_argument("--people", type=int, default=20, help="people with a phone")
    args = parser.parse_args()
    url = bench.fresh_database("postgresql", Path(tempfile.mkdtemp(prefix="amina-drivers-")))
    try:
        devices = bench.load_people(url, args.people)
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")
        uvloop.run(measure(args, url, devices))
    finally:
        bench.drop_database(url)


if __name__ == "__main__":
    main()
