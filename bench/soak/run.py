"""Soak benchmark (issue 15 point 6; results and how to read them: BENCHMARKS.md, "Soak").

    .venv/bin/python bench/soak/run.py                         # one hour at 70 % load, PostgreSQL
    .venv/bin/python bench/soak/run.py --minutes 10            # a shorter proof run
    .venv/bin/python bench/soak/run.py --rate 150              # a fixed request rate instead

`amina serve --workers 2` (the normal setup, scheduler included) on a fresh database with N
people loaded through the product's services (bench/ingest/run.py's loader). First the
maximum request rate is measured on this machine, now (closed loop, ``--calibrate-seconds``);
then requests leave on a fixed schedule at ``--load`` (70 %) of it for ``--minutes`` (60). Each
phone's reports are in device-time order (a random walk around the registered address), built
as they are sent, so the generator's own memory stays flat.

Every ``--sample-seconds`` (10) the resident memory (VmRSS) of each worker is recorded, with
the requests, errors and latency of that interval. RSS growth is the mean of the last tenth of
the run against the mean of the first tenth after the warm-up (a fifth of the run, at most five
minutes): the target is < 5 % per worker. The whole curve goes to ``--output``
(bench/soak/results.json).

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from amina.demo.device_simulator import RandomWalk, report_body  # noqa: E402


def _ingest_bench() -> Any:
    """bench/ingest/run.py: its loader, server control and HTTP exchange are reused."""
    spec = importlib.util.spec_from_file_location("ingest_bench", REPO / "bench/ingest/run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["ingest_bench"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


ingest = _ingest_bench()


class Phones:
    """Request bytes built on demand: phone after phone, each one's reports one second apart
    in device time (starting twelve hours back, so that a long run never reaches the future)."""

    def __init__(self, devices: list[Any], batch: int, port: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.devices = devices
        self.batch = batch
        self.port = port
        self.walks = [RandomWalk(d.home, self.rng, 20.0) for d in devices]
        start = datetime.now(UTC) - timedelta(hours=12)
        self.clock = [start + timedelta(milliseconds=self.rng.randrange(60_000)) for _ in devices]
        self.sent = 0

    def next_request(self) -> bytes:
        d = self.sent % len(self.devices)
        self.sent += 1
        reports = []
        for _ in range(self.batch):
            self.clock[d] += timedelta(seconds=1)
            reports.append(report_body(next(self.walks[d]), self.rng, self.clock[d]))
        body = orjson.dumps({"reports": reports})
        return (
            b"POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
            b"Content-Type: application/json\r\nAuthorization: Device %s\r\n"
            b"Content-Length: %d\r\n\r\n%s"
            % (self.port, self.devices[d].credential.encode(), len(body), body)
        )


@dataclass
class Interval:
    """One sample: seconds since the load started, each worker's RSS, and the traffic since
    the previous sample."""

    t: float
    rss_mb: list[float]
    requests: int
    errors: int
    p50_ms: float
    p99_ms: float


@dataclass
class Traffic:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    late: int = 0

    def take(self) -> tuple[int, int, float, float]:
        latencies, errors = self.latencies, self.errors
        self.latencies, self.errors = [], 0
        return (
            len(latencies),
            errors,
            ingest.percentile(latencies, 0.5) * 1000,
            ingest.percentile(latencies, 0.99) * 1000,
        )


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def calibrate(port: int, phones: Phones, seconds: float, connections: int) -> float:
    """The maximum request rate now: closed loop, as many connections as keep it busy."""
    done = 0
    stop = time.perf_counter() + seconds
    warm = time.perf_counter() + min(5.0, seconds / 4)

    async def connection() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < stop:
                await ingest.exchange(reader, writer, phones.next_request())
                if time.perf_counter() > warm:
                    done += 1
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    return done / (seconds - min(5.0, seconds / 4))


async def soak(
    port: int,
    phones: Phones,
    rate: float,
    seconds: float,
    connections: int,
    workers: list[int],
    sample_every: float,
) -> list[Interval]:
    """Open loop at ``rate`` requests/s for ``seconds``, sampling RSS every ``sample_every``."""
    traffic = Traffic()
    samples: list[Interval] = []
    start = time.perf_counter() + 0.5
    total = int(rate * seconds)

    async def connection(first: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for index in range(first, total, connections):
                due = start + index / rate
                wait = due - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
                status, _ = await ingest.exchange(reader, writer, phones.next_request())
                traffic.latencies.append(time.perf_counter() - due)
                if status != 200:
                    traffic.errors += 1
        finally:
            writer.close()

    async def sampler() -> None:
        while time.perf_counter() < start + seconds:
            await asyncio.sleep(sample_every)
            requests, errors, p50, p99 = traffic.take()
            samples.append(
                Interval(
                    round(time.perf_counter() - start, 1),
                    [round(rss_mb(pid), 1) for pid in workers],
                    requests,
                    errors,
                    round(p50, 1),
                    round(p99, 1),
                )
            )
            latest = samples[-1]
            print(
                f"  {latest.t:7.0f} s  RSS {latest.rss_mb} MB  {requests / sample_every:6.1f} req/s"
                f"  p50 {latest.p50_ms} ms  p99 {latest.p99_ms} ms  errors {errors}",
                flush=True,
            )

    await asyncio.gather(sampler(), *(connection(c) for c in range(connections)))
    return samples


def growth(samples: list[Interval], warmup: float, seconds: float) -> list[float]:
    """Per worker: mean RSS of the last tenth against the first tenth after the warm-up."""
    tenth = (seconds - warmup) / 10
    first = [s for s in samples if warmup <= s.t <= warmup + tenth]
    last = [s for s in samples if s.t >= seconds - tenth]
    result = []
    for worker in range(len(samples[0].rss_mb)):
        before = statistics.mean(s.rss_mb[worker] for s in first)
        after = statistics.mean(s.rss_mb[worker] for s in last)
        result.append(round((after - before) / before * 100, 2))
    return result


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="length of the soak")
    parser.add_argument("--load", type=float, default=0.7, help="share of the maximum rate")
    parser.add_argument("--rate", type=float, help="requests/s (skips the calibration)")
    parser.add_argument("--batch", type=int, default=10, help="reports per request")
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--calibrate-seconds", type=float, default=20.0)
    parser.add_argument("--sample-seconds", type=float, default=10.0)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--output", type=Path, default=REPO / "bench/soak/results.json")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="amina-soak-"))
    url = ingest.fresh_database(args.database, folder)
    server = None
    try:
        print(f"loading {args.people} people into {args.database} ...", flush=True)
        devices = ingest.load_people(url, args.people)
        port = ingest.free_port()
        server = ingest.start_server(url, port, 2, folder)
        time.sleep(2)
        workers = ingest.worker_pids(server)
        phones = Phones(devices, args.batch, port, seed=15)
        loads = [load_average()]
        if args.rate is None:
            maximum = asyncio.run(calibrate(port, phones, args.calibrate_seconds, args.connections))
            rate = maximum * args.load
            print(f"maximum {maximum:.1f} req/s now; soaking at {rate:.1f} req/s", flush=True)
        else:
            maximum, rate = float("nan"), args.rate
        seconds = args.minutes * 60
        samples = asyncio.run(
            soak(port, phones, rate, seconds, args.connections, workers, args.sample_seconds)
        )
        loads.append(load_average())
        warmup = min(300.0, seconds / 5)
        grew = growth(samples, warmup, seconds)
        result: dict[str, Any] = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": args.database,
            "minutes": args.minutes,
            "batch": args.batch,
            "people": args.people,
            "maximum_requests_per_s": round(maximum, 1),
            "rate_requests_per_s": round(rate, 1),
            "load_average_before_after": loads,
            "warmup_s": warmup,
            "rss_growth_percent": grew,
            "requests": sum(s.requests for s in samples),
            "errors": sum(s.errors for s in samples),
            "samples": [asdict(s) for s in samples],
        }
        args.output.write_text(json.dumps(result, indent=1) + "\n")
        verdict = "met" if max(grew) < 5 else "MISSED"
        print(
            f"RSS growth per worker {grew} % (target < 5 %: {verdict}); "
            f"{result['requests']} requests, {result['errors']} errors; -> {args.output}"
        )
    finally:
        if server is not None:
            ingest.stop_server(server)
        ingest.drop_database(url)


if __name__ == "__main__":
    main()
