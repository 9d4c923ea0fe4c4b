"""What application-level group commit could buy single reports (issue 14 point 3).

    .venv/bin/python bench/ingest/group_commit.py             # N = 1, 4, 16, 32; 5 rounds
    .venv/bin/python bench/ingest/group_commit.py --sizes 1 8 32 --rounds 7 --blocks 8

A fresh PostgreSQL database (migrated, ``--people`` card holders with bound phones and
registered addresses, loaded through the product's services as bench/ingest/run.py does). For
each N, N single-report requests from N different people, stored in one of two ways, the two
alternating in blocks of ``--per-block`` reports (the order flips every block):

- ``each its own``: N concurrent requests on N psycopg ``AsyncConnection`` of one event
  loop, each through ``PsycopgReportStore`` (the product's path until asyncpg replaced it):
  the device context (pipelined with ``BEGIN``), the insert, the aggregates statement, its own
  ``COMMIT``;
- ``one transaction``: the same N reports as one group on one connection — one context query
  for the N credentials, ONE insert for every person's report (the product's ``_PG_INSERT``
  with the person and the device per row), ONE aggregates statement for the N people (the
  product's ``_PG_SUMMARY`` and ``_LAST_UPSERT`` over a JSON document of N rows), one
  ``COMMIT``. Every report still waits for the COMMIT that holds it: nothing is acknowledged
  early.

Per round, N and way: the database backends' CPU per report (``/proc/<pid>/stat`` of every
connection used), wall per report, this process's CPU per report, and the WAL flushes per
report: the ``fdatasync`` calls of those backends and of the WAL writer, counted by ``perf
stat`` on the syscall's tracepoint (``pg_stat_wal`` would count the whole server's; needs perf
and root, else "nan"), with the 1-minute load average. At the end min / median / max over the
rounds and one transaction ÷ each its own. BENCHMARKS.md, "What the designs not built yet would
buy (measured)".
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import psycopg
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import run as bench
from drivers import aggregates_of, backend_cpu
from identity_check import columns
from psycopg_store import PsycopgReportStore

from amina.adapters.db.reports.store import (
    _DEVICE_CONTEXT_BY_HASH,
    _FILTER_PART,
    _FILTER_UPSERT,
    _LAST_UPSERT,
    _PG_INSERT,
    _PG_SUMMARY,
    _REPORT_PART,
    _STATUS_PART,
    HotPathSql,
    IngestContext,
    ReportColumns,
    _minified,
)
from amina.services.identity.sign_in import bearer_owner, secret_hash

WAYS = ("each its own", "one transaction")
FIGURES = {
    "database": "database CPU µs",
    "wall": "wall µs",
    "client": "client CPU µs",
    "fsyncs": "WAL flushes (fdatasync)",
}

#: The device context of every credential of the group in one query.
GROUP_CONTEXT = _DEVICE_CONTEXT_BY_HASH.replace(
    "WHERE d.credential_hash = %s\nLIMIT 1",
    "WHERE (d.person_id, d.credential_hash) IN "
    "(SELECT * FROM unnest(%s::varchar[], %s::varchar[]))",
)
assert GROUP_CONTEXT != _DEVICE_CONTEXT_BY_HASH

#: The product's insert with the person and the device in each row of the document.
GROUP_INSERT = (
    _PG_INSERT.replace("SELECT %s, b.t, %s, b.c,", "SELECT b.who, b.t, b.dev, b.c,")
    .replace("AS b(c varchar", "AS b(who varchar, dev varchar, c varchar")
    .replace("RETURNING client_id", "RETURNING person_id, client_id")
)
assert GROUP_INSERT.count("%s") == 2

_LAST_COLUMNS = ("person_id", "last_contact_at", *_REPORT_PART, *_STATUS_PART)
_FILTER_COLUMNS = ("person_id", *_FILTER_PART)


def _from_document(upsert: str, columns: tuple[str, ...], types: dict[str, str]) -> str:
    """An upsert of one row (``VALUES (%s, …)``) as an upsert of a JSON document's rows."""
    rows = ", ".join(f"{c} {types[c]}" for c in columns)
    many, count = re.subn(
        r"\) VALUES \((%s, )*%s\) ON CONFLICT",
        f") SELECT x.* FROM json_to_recordset(%s::json) AS x({rows}) ON CONFLICT",
        upsert,
    )
    assert count == 1
    return many


def group_aggregates(types: dict[str, str]) -> str:
    """The product's aggregates statement for many people: the summaries with the person in
    each row, the filter and last-report upserts from JSON documents of one row per person."""
    summaries = _PG_SUMMARY.replace("SELECT %s, d.day", "SELECT d.who, d.day").replace(
        "AS d(day date", "AS d(who varchar, day date"
    )
    identity = _from_document(_FILTER_UPSERT, _FILTER_COLUMNS, types)
    last = _from_document(_LAST_UPSERT, _LAST_COLUMNS, types)
    return _minified(f"WITH summaries AS ({summaries}), identity AS ({identity}) {last}")


class Group:
    """N reports of N people in one transaction on one connection."""

    def __init__(self, connection: psycopg.AsyncConnection[Any], aggregates: str) -> None:
        self.connection = connection
        self.aggregates = aggregates
        self.sql = HotPathSql(postgresql=True)

    async def store(self, requests: list[tuple[str, str, ReportColumns]]) -> int:
        sql, connection = self.sql, self.connection
        now = datetime.now(UTC)
        async with connection.pipeline(), connection.cursor() as cursor:
            await cursor.execute(
                GROUP_CONTEXT, ([r[0] for r in requests], [r[1] for r in requests])
            )
            found = await cursor.fetchall()
        contexts: dict[str, IngestContext] = {}
        for row in found:
            context = sql.read_context(row)
            assert context is not None
            contexts[context.person_id] = context
        reports = []
        summaries: list[dict[str, Any]] = []
        last: list[dict[str, Any]] = []
        filters: list[dict[str, Any]] = []
        for owner, _, rows in requests:
            context = contexts[owner]
            [(_, (_, _, _, document))] = sql.insert_reports(owner, context.device_id, now, rows)
            for row in orjson.loads(document):
                row["who"], row["dev"] = owner, context.device_id
                reports.append(row)
            deltas, latest, identity = aggregates_of(context.device_id, now, rows)
            [(_, values, _)] = sql.aggregates(owner, now, deltas, latest, None, identity)
            for summary in orjson.loads(values[2]):
                summary["who"] = owner
                summaries.append(summary)
            # (person, now, summaries, *the filter's row, *the last-report row)
            width = len(_FILTER_COLUMNS)
            filters.append(dict(zip(_FILTER_COLUMNS, values[3 : 3 + width], strict=True)))
            last.append(dict(zip(_LAST_COLUMNS, values[3 + width :], strict=True)))
        async with connection.cursor() as cursor:
            await cursor.execute(GROUP_INSERT, (now, orjson.dumps(reports).decode()))
            stored = len(await cursor.fetchall())
            await cursor.execute(
                self.aggregates,
                (
                    now,
                    orjson.dumps(summaries).decode(),
                    orjson.dumps(filters).decode(),
                    orjson.dumps(last).decode(),
                ),
            )
        await connection.commit()
        return stored


async def each_its_own(
    connection: psycopg.AsyncConnection[Any], owner: str, hashed: str, rows: ReportColumns
) -> int:
    """One request as the product stores it."""
    store = PsycopgReportStore(connection)
    now = datetime.now(UTC)
    context = await store.device_context(owner, hashed)
    assert context is not None
    stored = await store.insert_reports(context.person_id, context.device_id, now, rows)
    deltas, latest, identity = aggregates_of(context.device_id, now, rows)
    await store.update_aggregates(context.person_id, now, deltas, latest, None, identity)
    await store.commit()
    return len(stored)


class Fdatasyncs:
    """Counts the ``fdatasync`` calls (PostgreSQL's WAL flushes here: ``wal_sync_method``) of
    the given processes with ``perf stat`` on the syscall's tracepoint (no ptrace: the
    processes run at full speed). None when perf cannot count them."""

    def __init__(self, pids: list[int]) -> None:
        self.process: subprocess.Popen[str] | None = None
        if shutil.which("perf") is None:
            return
        self.process = subprocess.Popen(
            ["perf", "stat", "-x,", "-e", "syscalls:sys_enter_fdatasync", "-p",
             ",".join(map(str, pids))],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        time.sleep(0.15)  # attached

    def stop(self) -> float | None:
        if self.process is None:
            return None
        self.process.send_signal(signal.SIGINT)
        _, errors = self.process.communicate()
        for line in errors.splitlines():
            if "sys_enter_fdatasync" in line and line.split(",")[0].isdigit():
                return float(line.split(",")[0])
        return None


def report(figures: dict[tuple[int, str, str], list[float]], args: argparse.Namespace) -> None:
    print(f"\nper report, min / median / max over {args.rounds} rounds; one transaction ÷ each")
    for size in args.sizes:
        for figure, label in FIGURES.items():
            cells = []
            for way in WAYS:
                values = sorted(figures[size, way, figure])
                middle = statistics.median(values)
                digits = 3 if figure == "fsyncs" else 1
                cells.append(
                    f"{way} {values[0]:.{digits}f} / {middle:.{digits}f} / {values[-1]:.{digits}f}"
                )
            own = statistics.median(figures[size, WAYS[0], figure])
            grouped = statistics.median(figures[size, WAYS[1], figure])
            ratio = f"{grouped / own:.2f}" if own else "–"
            print(f"N {size:>2}, {label}: " + "; ".join(cells) + f"  (ratio {ratio})")


async def measure(args: argparse.Namespace, url: str, devices: list[bench.Device]) -> None:
    # every bench credential carries its person (bearer_owner is None only for old ones)
    people = [(str(bearer_owner(d.credential)), secret_hash(d.credential)) for d in devices]
    largest = max(args.sizes)
    own = [await psycopg.AsyncConnection.connect(url) for _ in range(largest)]
    admin = await psycopg.AsyncConnection.connect(url, autocommit=True)
    types: dict[str, str] = dict(
        await (
            await admin.execute(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid IN ('person_last_report'::regclass,"
                " 'report_identity_filters'::regclass) AND attnum > 0"
            )
        ).fetchall()
    )
    group = Group(await psycopg.AsyncConnection.connect(url), group_aggregates(types))
    row = await (
        await admin.execute("SELECT pid FROM pg_stat_activity WHERE backend_type = 'walwriter'")
    ).fetchone()
    assert row is not None
    walwriter = int(row[0])
    pids = {
        WAYS[0]: [c.info.backend_pid for c in own],
        WAYS[1]: [group.connection.info.backend_pid],
    }
    start = datetime.now(UTC)
    tick = iter(range(10**9))  # every report a new device time (a millisecond apart)

    def requests(size: int) -> list[tuple[str, str, ReportColumns]]:
        at = start + timedelta(milliseconds=next(tick))
        return [(owner, hashed, columns(at, 1)) for owner, hashed in people[:size]]

    async def run(way: str, size: int, cycles: int) -> None:
        for _ in range(cycles):
            work = requests(size)
            if way == WAYS[0]:
                stored = sum(
                    await asyncio.gather(
                        *(
                            each_its_own(connection, owner, hashed, rows)
                            for connection, (owner, hashed, rows) in zip(own, work, strict=False)
                        )
                    )
                )
            else:
                stored = await group.store(work)
            assert stored == size, (way, size, stored)

    for way in WAYS:  # warm-up: psycopg prepares after 5 uses
        for size in args.sizes:
            await run(way, size, 6)
    figures: dict[tuple[int, str, str], list[float]] = {}
    for round_ in range(1, args.rounds + 1):
        for size in args.sizes:
            load = os.getloadavg()[0]
            spent = dict.fromkeys(((way, f) for way in WAYS for f in FIGURES), 0.0)
            cycles = max(1, args.per_block // size)
            for block in range(args.blocks):
                for way in WAYS if (block + round_) % 2 else WAYS[::-1]:
                    used = pids[way][:size]
                    syncs = Fdatasyncs([*used, walwriter])
                    database = sum(backend_cpu(pid) for pid in used)
                    client = time.process_time()
                    wall = time.perf_counter()
                    await run(way, size, cycles)
                    spent[way, "wall"] += time.perf_counter() - wall
                    spent[way, "client"] += time.process_time() - client
                    spent[way, "database"] += sum(backend_cpu(pid) for pid in used) - database
                    flushes = syncs.stop()
                    spent[way, "fsyncs"] += float("nan") if flushes is None else flushes
            reports = args.blocks * cycles * size
            for (way, figure), value in spent.items():
                scale = 1 if figure == "fsyncs" else 1e6
                figures.setdefault((size, way, figure), []).append(value / reports * scale)
            print(
                f"round {round_}, N {size:>2} (load {load:.2f}->{os.getloadavg()[0]:.2f}), "
                "per report: "
                + "; ".join(
                    f"{way}: database {spent[way, 'database'] / reports * 1e6:.0f} µs, wall "
                    f"{spent[way, 'wall'] / reports * 1e6:.0f} µs, client "
                    f"{spent[way, 'client'] / reports * 1e6:.0f} µs, "
                    f"{spent[way, 'fsyncs'] / reports:.3f} WAL flushes"
                    for way in WAYS
                ),
                flush=True,
            )
    report(figures, args)
    for connection in [*own, group.connection, admin]:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 4, 16, 32], help="the Ns")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--blocks", type=int, default=6, help="alternating blocks per N a round")
    parser.add_argument("--per-block", type=int, default=128, help="reports per block")
    args = parser.parse_args()
    url = bench.fresh_database("postgresql", Path(tempfile.mkdtemp(prefix="amina-group-")))
    try:
        devices = bench.load_people(url, max(args.sizes))
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")
        uvloop.run(measure(args, url, devices))
    finally:
        bench.drop_database(url)


if __name__ == "__main__":
    main()
