"""Ingest benchmark (issues 5 and 14; results and how to read them: BENCHMARKS.md).

    .venv/bin/python bench/ingest/run.py                     # PostgreSQL and SQLite, 3 rounds
    .venv/bin/python bench/ingest/run.py --databases postgresql --batches 1 100 --rounds 5
    .venv/bin/python bench/ingest/run.py --help              # every flag

For each database: a fresh database, N people with bound devices and registered addresses
loaded through the product's services, then `amina serve --workers 2` (the normal setup,
scheduler and access logs included) driven by an asyncio load generator speaking raw HTTP/1.1
over keep-alive connections (uvloop; request bodies are built before the clock starts). On
PostgreSQL the **bare reference** (bench/ingest/reference.py: raw ASGI + asyncpg, one durable
INSERT per request into a table of the same shape) runs beside it with as many workers.

Each round measures, in turn: every batch size on Amina, the reference at batch 1 right after
Amina's batch 1, and the ceiling — a raw ``COPY`` of ``--copy-rows`` rows of the same shape into
the same ``location_reports`` table (PostgreSQL), or the same rows inserted with
``executemany`` in transactions of 1,000 (SQLite). Alternating like this in one run is what
makes the ratios fair on a shared machine. For every run it records:

- reports/s durably stored (answered ``accepted``; the answer leaves only after COMMIT), and
  p50/p99 acknowledgement latency, with as many connections as keep the server busy;
- p50/p99 again at ``--load-fraction`` (default 70 %) of that rate (open loop: requests leave on
  a schedule, latency counted from the scheduled moment, so a slow answer cannot hide the queue
  behind it);
- the CPU seconds spent by the workers, the database's backends (listed after each run, so
  connections a pool opened during it count) and the load generator; the 1-minute load average;
- at the end: peak RSS of each worker (VmHWM) and bytes per stored report on disk, indexes
  included (``pg_total_relation_size`` over the partitions).

It prints min / median / max over the rounds and the ratios: Amina ÷ reference at batch 1,
Amina ÷ ceiling at batches of 100 and more. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from amina.adapters.db.migrate import upgrade  # noqa: E402
from amina.adapters.external.boundaries import region_classifier  # noqa: E402
from amina.adapters.external.card_register import CardRegisterRecords  # noqa: E402
from amina.bootstrap import build  # noqa: E402
from amina.demo.device_simulator import RandomWalk, report_body  # noqa: E402
from amina.domain.address import Address  # noqa: E402
from amina.domain.calendar import moscow_date  # noqa: E402
from amina.domain.host import Host, HostKind  # noqa: E402
from amina.services.identity.card_import import import_cards  # noqa: E402
from amina.services.identity.cards import card_numbered  # noqa: E402
from amina.services.identity.enrolment import person_for_card  # noqa: E402
from amina.services.identity.sign_in import DeviceInfo, bind_device  # noqa: E402
from amina.services.policy.versions import ensure_initial_policy  # noqa: E402
from amina.services.registration.registrations import (  # noqa: E402
    RegistrationApplication,
    submit_registration,
)
from amina.settings import Environment, Settings  # noqa: E402

PG_ADMIN = os.environ.get("AMINA_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BATCHES = (1, 10, 100, 1000)
#: Connections for the maximum-rate run, per batch size: enough to keep two workers and the
#: database busy (more only adds queueing).
CONNECTIONS = {1: 64, 10: 48, 100: 24, 1000: 6}
HOMES = [(55.7577, 37.6116), (55.7069, 37.5870), (55.9020, 37.4420), (55.4260, 37.5560)]
COPY_COLUMNS = (
    "person_id, device_time, device_id, client_id, received_at, lat, lon, accuracy_m, "
    "speed_mps, altitude_m, provider, mocked, region, flags, distance_to_address_m"
)


# --- setting up ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Device:
    person_id: str
    credential: str
    home: tuple[float, float]
    device_id: str = ""


def fresh_database(kind: str, folder: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder / 'bench.sqlite3'}"
    name = f"amina_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    name = url.rsplit("/", 1)[1]
    admin = create_engine(
        PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def load_people(url: str, count: int) -> list[Device]:
    """Card holders imported, signed-in devices bound and addresses registered — through the
    same services the product uses."""
    container = build(Settings(env=Environment.test, database_url=url, scheduler=False))
    upgrade(container.engine)
    with container.uow() as uow:
        ensure_initial_policy(uow, container.clock)
        uow.commit()
    today = moscow_date(container.clock.now())
    records = [
        {
            "card_number": f"77259{i:05d}",
            "surname_lat": "Bench",
            "given_names_lat": "Person",
            "surname_cyr": "Тест",
            "given_names_cyr": "Человек",
            "date_of_birth": "1990-01-01",
            "citizenship": "UZ",
            "passport_number": f"FB{i:07d}",
            "phone": f"+7901{i:07d}",
            "valid_from": (today - timedelta(days=30)).isoformat(),
            "valid_to": (today + timedelta(days=730)).isoformat(),
            "status": "valid",
            "purpose": "work",
            "intended_stay_days": 365,
            "category": "none",
        }
        for i in range(count)
    ]
    import_cards(container.uow, container.clock, CardRegisterRecords(records))
    devices = []
    now = container.clock.now()
    for i, record in enumerate(records):
        home = HOMES[i % len(HOMES)]
        region = "RU-MOW" if home[1] > 37.5 and home[0] > 55.6 and home[0] < 55.85 else "RU-MOS"
        with container.uow() as uow:
            card = card_numbered(uow, record["card_number"])
            assert card is not None
            person = person_for_card(uow, card, now, "ru")
            device_id, credential = bind_device(
                uow, person.id, DeviceInfo("Bench phone", "android"), now
            )
            submit_registration(
                uow,
                container.clock,
                region_classifier,
                person.id,
                RegistrationApplication(
                    address=Address(
                        region, "Москва", "ул. Тестовая", str(i), None, "1", None, *home
                    ),
                    host=Host(HostKind.person, "Иванова Мария Петровна", "4510 123456", None),
                    stay_from=today,
                    stay_to=today + timedelta(days=364),
                    purpose="work",
                ),
            )
            uow.commit()
        devices.append(Device(person.id, credential, home, device_id))
    container.engine.dispose()
    return devices


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(url: str, port: int, workers: int, folder: Path) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "AMINA_ENV": "development",
        "AMINA_DATA_DIR": str(folder / "var"),
        "PYTHONPATH": str(REPO),
    }
    environment.pop("AMINA_CLOCK", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "amina", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=folder,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=(folder / "server.err").open("wb"),
        start_new_session=True,
    )
    import httpx

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"amina serve exited: {(folder / 'server.err').read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("amina serve did not become ready")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def worker_pids(server: subprocess.Popen[bytes]) -> list[int]:
    """The uvicorn worker processes (children of `amina serve` running spawn_main)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == server.pid and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return sorted(found)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_of(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) each process has used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / tick
    return used


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two readings; a process that appeared in between (a database
    backend the pool opened during the run) counts from zero."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def database_pids(url: str) -> list[int]:
    """The PostgreSQL backends serving the benchmark's database, with the WAL writer,
    checkpointer and background writer. Listed again after each run: pools open their
    connections lazily, so a list taken before the first request would miss them (the old
    harness counted no database CPU at batch 1 for that reason)."""
    if not url.startswith("postgresql"):
        return []
    name = url.rsplit("/", 1)[1]
    engine = create_engine(PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        pids = list(
            connection.execute(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE (datname = :name "
                    "AND pid <> pg_backend_pid()) "
                    "OR backend_type IN ('walwriter', 'checkpointer', 'background writer')"
                ),
                {"name": name},
            ).scalars()
        )
    engine.dispose()
    return pids


# --- requests --------------------------------------------------------------------------------


class Bodies:
    """Pre-built HTTP requests, each device's reports in device-time order."""

    def __init__(self, devices: list[Device], batch: int, count: int, port: int, seed: int) -> None:
        rng = random.Random(seed)
        walks = [RandomWalk(d.home, rng, 20.0) for d in devices]
        start = datetime.now(UTC) - timedelta(hours=3)
        clock = [start + timedelta(milliseconds=rng.randrange(60_000)) for _ in devices]
        self.requests: list[bytes] = []
        for i in range(count):
            d = i % len(devices)
            reports = []
            for _ in range(batch):
                clock[d] += timedelta(seconds=1)
                reports.append(report_body(next(walks[d]), rng, clock[d]))
            body = orjson.dumps(reports[0] if batch == 1 else {"reports": reports})
            self.requests.append(
                b"POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                b"Content-Type: application/json\r\nAuthorization: Device %s\r\n"
                b"Content-Length: %d\r\n\r\n%s"
                % (port, devices[d].credential.encode(), len(body), body)
            )
        self.next = 0

    def take(self) -> bytes | None:
        if self.next >= len(self.requests):
            return None
        self.next += 1
        return self.requests[self.next - 1]


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    writer.write(request)
    status_line = await reader.readline()
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    body = await reader.readexactly(length)
    return int(status_line.split()[1]), body


@dataclass
class Run:
    reports_per_s: float
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def closed_loop(
    port: int, bodies: Bodies, connections: int, seconds: float, warmup: float
) -> Run:
    latencies: list[float] = []
    accepted = 0
    errors = 0
    counted = 0
    started = time.perf_counter()
    window = (started + warmup, started + warmup + seconds)

    async def connection() -> None:
        nonlocal accepted, errors, counted
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < window[1]:
                request = bodies.take()
                if request is None:
                    return
                sent = time.perf_counter()
                status, body = await exchange(reader, writer, request)
                done = time.perf_counter()
                if window[0] <= sent and done <= window[1]:
                    counted += 1
                    latencies.append(done - sent)
                    if status == 200:
                        accepted += body.count(b'"status":"accepted"')
                    else:
                        errors += 1
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    if bodies.next >= len(bodies.requests):
        print("  (ran out of pre-built requests: raise --prebuild)", file=sys.stderr)
    return Run(
        accepted / seconds,
        counted / seconds,
        percentile(latencies, 0.5) * 1000,
        percentile(latencies, 0.99) * 1000,
        counted,
        errors,
    )


async def open_loop(
    port: int, bodies: Bodies, rate: float, seconds: float, connections: int
) -> Run:
    """Requests leave on a fixed schedule; latency counts from the scheduled moment."""
    total = int(rate * seconds)
    latencies: list[float] = []
    accepted = 0
    errors = 0
    start = time.perf_counter() + 0.5

    async def connection(first: int) -> None:
        nonlocal accepted, errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for index in range(first, total, connections):
                due = start + index / rate
                wait = due - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
                request = bodies.take()
                if request is None:
                    return
                status, body = await exchange(reader, writer, request)
                latencies.append(time.perf_counter() - due)
                if status == 200:
                    accepted += body.count(b'"status":"accepted"')
                else:
                    errors += 1
        finally:
            writer.close()

    await asyncio.gather(*(connection(c) for c in range(connections)))
    elapsed = time.perf_counter() - start
    return Run(
        accepted / elapsed,
        len(latencies) / elapsed,
        percentile(latencies, 0.5) * 1000,
        percentile(latencies, 0.99) * 1000,
        len(latencies),
        errors,
    )


# --- the ceiling -----------------------------------------------------------------------------


def copy_ceiling(url: str, rows: int) -> float:
    """Rows per second of a raw COPY of report rows into location_reports (same table, same
    indexes), committed. SQLite: executemany in transactions of 1,000."""
    rng = random.Random(7)
    person, device = str(uuid.uuid4()), str(uuid.uuid4())
    now = datetime.now(UTC)
    values = []
    for i in range(rows):
        at = now - timedelta(hours=2) + timedelta(microseconds=i * 1000)
        values.append(
            (
                person,
                at,
                device,
                uuid.uuid4().hex,
                now,
                55.75 + rng.random() / 100,
                37.61,
                12.5,
                0.4,
                150.0,
                "gps",
                False,
                "RU-MOW",
                0,
                230.5,
            )
        )
    if url.startswith("postgresql"):
        import psycopg

        buffer = io.StringIO()
        for v in values:
            buffer.write(
                f"{v[0]}\t{v[1].isoformat()}\t{v[2]}\t{v[3]}\t{v[4].isoformat()}\t{v[5]}\t{v[6]}\t"
                f"{v[7]}\t{v[8]}\t{v[9]}\t{v[10]}\tf\t{v[12]}\t{v[13]}\t{v[14]}\n"
            )
        data = buffer.getvalue().encode()
        with psycopg.connect(url) as connection:
            started = time.perf_counter()
            with (
                connection.cursor() as cursor,
                cursor.copy(f"COPY location_reports ({COPY_COLUMNS}) FROM STDIN") as copy,
            ):
                for offset in range(0, len(data), 1 << 20):
                    copy.write(data[offset : offset + (1 << 20)])
            connection.commit()
            return rows / (time.perf_counter() - started)
    import sqlite3

    path = url.removeprefix("sqlite:///")
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    fmt = [
        (
            v[0],
            v[1].replace(tzinfo=None).isoformat(" ", "microseconds"),
            v[2],
            v[3],
            v[4].replace(tzinfo=None).isoformat(" ", "microseconds"),
            *v[5:],
        )
        for v in values
    ]
    started = time.perf_counter()
    for offset in range(0, rows, 1000):
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(
            f"INSERT INTO location_reports ({COPY_COLUMNS}) VALUES ({', '.join('?' * 15)})",
            fmt[offset : offset + 1000],
        )
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return rows / elapsed


# --- the reference ---------------------------------------------------------------------------


def start_reference(
    url: str, devices: list[Device], port: int, workers: int, folder: Path
) -> subprocess.Popen[bytes]:
    """The bare reference service (bench/ingest/reference.py) on the same database, writing to
    ``reference_reports``: a copy of ``location_reports``' shape and indexes."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS reference_reports"))
        connection.execute(
            text(
                "CREATE TABLE reference_reports (LIKE location_reports INCLUDING DEFAULTS "
                "INCLUDING CONSTRAINTS INCLUDING INDEXES)"
            )
        )
    engine.dispose()
    mapping = folder / "reference-devices.json"
    mapping.write_bytes(orjson.dumps({d.credential: [d.person_id, d.device_id] for d in devices}))
    environment = {
        **os.environ,
        "REFERENCE_DSN": url,
        "REFERENCE_DEVICES": str(mapping),
        "PYTHONPATH": str(Path(__file__).resolve().parent),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "reference:app",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=folder,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=(folder / "reference.err").open("wb"),
        start_new_session=True,
    )
    wait_ready(process, port, folder / "reference.err")
    return process


def wait_ready(process: subprocess.Popen[bytes], port: int, errors: Path) -> None:
    import httpx

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited: {errors.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("server did not become ready")


# --- the whole run ---------------------------------------------------------------------------


@dataclass
class Measurement:
    """One closed-loop run at the maximum rate (and, for Amina, the open-loop run at a fraction
    of it), with the CPU each side spent and the 1-minute load average when it started."""

    subject: str  # "amina", "reference" or "copy"
    batch: int
    round: int
    load_average: float
    reports_per_s: float
    max_rate: Run | None = None
    partial_rate: Run | None = None
    cpu_workers_s: float = 0.0
    cpu_database_s: float = 0.0
    cpu_generator_s: float = 0.0


@dataclass
class DatabaseResult:
    database: str
    people: int
    workers: int
    load_fraction: float
    measurements: list[Measurement] = field(default_factory=list)
    peak_rss_mb: list[float] = field(default_factory=list)
    reference_peak_rss_mb: list[float] = field(default_factory=list)
    bytes_per_report: float = 0.0


def measure_server(
    subject: str,
    port: int,
    workers: list[int],
    url: str,
    devices: list[Device],
    batch: int,
    round_number: int,
    args: argparse.Namespace,
) -> Measurement:
    connections = CONNECTIONS.get(batch, 16)
    expected = args.expect.get(batch, 2000) * (args.seconds + args.warmup + 2) * 1.5
    bodies = Bodies(
        devices, batch, max(200, int(expected / batch)), port, seed=batch + round_number
    )
    load = os.getloadavg()[0]
    before = (cpu_of(workers), cpu_of(database_pids(url)), time.process_time())
    maximum = asyncio.run(closed_loop(port, bodies, connections, args.seconds, args.warmup))
    after = (cpu_of(workers), cpu_of(database_pids(url)), time.process_time())
    partial = None
    if subject == "amina":
        rate = maximum.requests_per_s * args.load_fraction
        partial_bodies = Bodies(
            devices,
            batch,
            max(100, int(rate * args.seconds) + 10),
            port,
            seed=batch + round_number + 1000,
        )
        partial = asyncio.run(
            open_loop(port, partial_bodies, rate, args.seconds, max(connections, 32))
        )
    return Measurement(
        subject,
        batch,
        round_number,
        load,
        maximum.reports_per_s,
        maximum,
        partial,
        cpu_spent(before[0], after[0]),
        cpu_spent(before[1], after[1]),
        after[2] - before[2],
    )


def stored_bytes_per_report(url: str) -> float:
    """On-disk bytes per stored report, indexes included (every partition of
    ``location_reports``), PostgreSQL only."""
    if not url.startswith("postgresql"):
        return 0.0
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        connection.execute(text("CHECKPOINT"))
        size, rows = connection.execute(
            text(
                "SELECT (SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0) "
                "FROM pg_inherits WHERE inhparent = 'location_reports'::regclass), "
                "(SELECT count(*) FROM location_reports)"
            )
        ).one()
    engine.dispose()
    return float(size) / rows if rows else 0.0


def bench_database(kind: str, args: argparse.Namespace) -> DatabaseResult:
    folder = Path(tempfile.mkdtemp(prefix=f"amina-bench-{kind}-"))
    url = fresh_database(kind, folder)
    result = DatabaseResult(kind, args.people, args.workers, args.load_fraction)
    server = reference = None
    try:
        print(f"[{kind}] loading {args.people} people through the services…", flush=True)
        devices = load_people(url, args.people)
        port = free_port()
        server = start_server(url, port, args.workers, folder)
        workers = worker_pids(server)
        print(f"[{kind}] amina serve --workers {args.workers}: worker pids {workers}", flush=True)
        reference_port = 0
        reference_workers: list[int] = []
        if kind == "postgresql" and 1 in args.batches and not args.no_reference:
            reference_port = free_port()
            reference = start_reference(url, devices, reference_port, args.workers, folder)
            reference_workers = worker_pids(reference)
            print(f"[{kind}] reference: worker pids {reference_workers}", flush=True)
        for round_number in range(1, args.rounds + 1):
            for batch in args.batches:
                amina = measure_server(
                    "amina", port, workers, url, devices, batch, round_number, args
                )
                result.measurements.append(amina)
                top, part = amina.max_rate, amina.partial_rate
                assert top is not None
                assert part is not None
                print(
                    f"[{kind}] round {round_number} batch {batch:>4} "
                    f"(load {amina.load_average:.1f}):"
                    f" amina {top.reports_per_s:>9,.0f} reports/s ({top.requests_per_s:,.0f} "
                    f"req/s, p99 {top.p99_ms:.1f} ms, {top.errors} errors); at "
                    f"{args.load_fraction:.0%} p99 {part.p99_ms:.1f} ms",
                    flush=True,
                )
                if batch == 1 and reference is not None:
                    bare = measure_server(
                        "reference",
                        reference_port,
                        reference_workers,
                        url,
                        devices,
                        batch,
                        round_number,
                        args,
                    )
                    result.measurements.append(bare)
                    print(
                        f"[{kind}] round {round_number} batch    1 (load "
                        f"{bare.load_average:.1f}): reference {bare.reports_per_s:>9,.0f} req/s",
                        flush=True,
                    )
            if any(b >= 100 for b in args.batches):
                load = os.getloadavg()[0]
                rows = copy_ceiling(url, args.copy_rows)
                result.measurements.append(Measurement("copy", 0, round_number, load, rows))
                label = "COPY" if kind == "postgresql" else "executemany ×1,000"
                print(f"[{kind}] round {round_number} {label}: {rows:,.0f} rows/s", flush=True)
        result.peak_rss_mb = [round(peak_rss_mb(pid), 1) for pid in workers]
        result.reference_peak_rss_mb = [round(peak_rss_mb(pid), 1) for pid in reference_workers]
        result.bytes_per_report = stored_bytes_per_report(url)
    finally:
        for process in (server, reference):
            if process is not None:
                stop_server(process)
    drop_database(url)
    shutil.rmtree(folder, ignore_errors=True)
    return result


def spread(values: list[float], fmt: str = "{:,.0f}") -> str:
    """min / median / max."""
    if not values:
        return "–"
    ordered = sorted(values)
    return " / ".join(fmt.format(v) for v in (ordered[0], statistics.median(ordered), ordered[-1]))


def table(results: list[DatabaseResult]) -> str:
    lines = [
        "| database | batch | rounds | loads | reports/s stored (min / median / max) "
        "| p99 ms at max | p99 ms at the fraction | ratio (median) |",
        "|---|---:|---:|---|---:|---:|---:|---|",
    ]
    for r in results:
        copies = [m.reports_per_s for m in r.measurements if m.subject == "copy"]
        bare = [m.reports_per_s for m in r.measurements if m.subject == "reference"]
        ceiling = "COPY" if r.database == "postgresql" else "executemany"
        for batch in sorted({m.batch for m in r.measurements if m.subject == "amina"}):
            runs = [m for m in r.measurements if m.subject == "amina" and m.batch == batch]
            rates = [m.reports_per_s for m in runs]
            ratio = ""
            if batch == 1 and bare:
                ratio = f"{statistics.median(rates) / statistics.median(bare):.0%} of the reference"
            elif batch >= 100 and copies:
                ratio = f"{statistics.median(rates) / statistics.median(copies):.0%} of {ceiling}"
            lines.append(
                f"| {r.database} | {batch:,} | {len(runs)} "
                f"| {', '.join(f'{m.load_average:.1f}' for m in runs)} | {spread(rates)} "
                f"| {spread([m.max_rate.p99_ms for m in runs if m.max_rate], '{:.1f}')} "
                f"| {spread([m.partial_rate.p99_ms for m in runs if m.partial_rate], '{:.1f}')} "
                f"| {ratio} |"
            )
        if bare:
            loads = [m.load_average for m in r.measurements if m.subject == "reference"]
            lines.append(
                f"| {r.database} (reference) | 1 | {len(bare)} "
                f"| {', '.join(f'{x:.1f}' for x in loads)} | {spread(bare)} | | | |"
            )
        if copies:
            loads = [m.load_average for m in r.measurements if m.subject == "copy"]
            lines.append(
                f"| {r.database} ({ceiling}) | – | {len(copies)} "
                f"| {', '.join(f'{x:.1f}' for x in loads)} | {spread(copies)} | | | |"
            )
    lines.append("")
    lines.append(
        "| database | peak RSS per worker (MB) | reference's (MB) | bytes per stored report |"
    )
    lines.append("|---|---|---|---:|")
    for r in results:
        lines.append(
            f"| {r.database} | {', '.join(f'{m:.0f}' for m in r.peak_rss_mb)} "
            f"| {', '.join(f'{m:.0f}' for m in r.reference_peak_rss_mb) or '–'} "
            f"| {r.bytes_per_report:,.0f} |"
        )
    lines.append("")
    lines.append(
        "| database | subject | batch | CPU ms per request: workers | database | load generator |"
    )
    lines.append("|---|---|---:|---:|---:|---:|")
    for r in results:
        for subject in ("amina", "reference"):
            for batch in sorted({m.batch for m in r.measurements if m.subject == subject}):
                runs = [
                    m
                    for m in r.measurements
                    if m.subject == subject and m.batch == batch and m.max_rate
                ]
                requests = sum(m.max_rate.requests for m in runs if m.max_rate) or 1
                lines.append(
                    f"| {r.database} | {subject} | {batch:,} "
                    f"| {1000 * sum(m.cpu_workers_s for m in runs) / requests:.2f} "
                    f"| {1000 * sum(m.cpu_database_s for m in runs) / requests:.2f} "
                    f"| {1000 * sum(m.cpu_generator_s for m in runs) / requests:.2f} |"
                )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--databases",
        nargs="+",
        default=["postgresql", "sqlite"],
        help="which databases to run on (default: postgresql sqlite)",
    )
    parser.add_argument(
        "--batches",
        nargs="+",
        type=int,
        default=list(BATCHES),
        help="reports per request to measure (default: 1 10 100 1000)",
    )
    parser.add_argument(
        "--people", type=int, default=1000, help="people with a bound device (default 1000)"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="amina serve --workers, and the reference's"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds; each round measures every batch size, the reference and the ceiling in "
        "turn (default 3)",
    )
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="measured seconds per run (default 10)"
    )
    parser.add_argument(
        "--warmup", type=float, default=2.0, help="unmeasured seconds before each run (default 2)"
    )
    parser.add_argument(
        "--load-fraction",
        type=float,
        default=0.7,
        help="the open-loop latency run's rate as a fraction of the maximum (default 0.7)",
    )
    parser.add_argument(
        "--copy-rows",
        type=int,
        default=200_000,
        help="rows per ceiling measurement (raw COPY / executemany; default 200000)",
    )
    parser.add_argument(
        "--no-reference", action="store_true", help="skip the bare reference service"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "bench" / "ingest" / "results.json",
        help="where the JSON results go (any path)",
    )
    args = parser.parse_args()
    #: reports/s to prepare requests for, per batch size (generous; see Bodies)
    args.expect = {1: 4000, 10: 25000, 100: 50000, 1000: 50000}
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    results = [bench_database(kind, args) for kind in args.databases]
    report = table(results)
    print()
    print(
        f"machine: {os.cpu_count()} CPUs; {datetime.now(UTC).date()}; people {args.people}; "
        f"{args.rounds} rounds of {args.seconds:.0f} s per run after {args.warmup:.0f} s warm-up"
    )
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps([asdict(r) for r in results], indent=2, default=str), encoding="utf-8"
    )
    print(f"\nresults: {args.out}")


if __name__ == "__main__":
    main()
