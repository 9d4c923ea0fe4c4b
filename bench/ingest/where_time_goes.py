"""Where a worker's CPU goes on `POST /api/v1/reports` (BENCHMARKS.md, "Where the time goes").

    .venv/bin/python bench/ingest/where_time_goes.py --batch 100 --requests 300

Builds a fresh PostgreSQL database with people loaded through the services (as bench/ingest/run.py
does), then calls the ASGI application in-process — the same app `amina serve` runs, without
uvicorn and the network — one request after another. It prints the CPU time per request for the
report endpoint and for `GET /healthz` (the framework's floor), then a cProfile of the report
requests (CPU time, not wall time), so that the numbers are the worker's own work.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import run as bench


def requests_of(bodies: bench.Bodies) -> list[tuple[list[tuple[bytes, bytes]], bytes]]:
    out = []
    for raw in bodies.requests:
        head, body = raw.split(b"\r\n\r\n", 1)
        headers = [tuple(line.split(b": ", 1)) for line in head.split(b"\r\n")[1:]]
        out.append(([(k.lower(), v) for k, v in headers], body))  # type: ignore[misc]
    return out


async def call(app: Any, method: str, path: str, headers: list[Any], body: bytes) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    statuses: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]


async def measure(app: Any, reports: list[Any], rounds: int, profile: bool) -> None:
    quiet = open(os.devnull, "w")  # noqa: SIM115 - the access log goes nowhere, as in the bench
    real_stdout, sys.stdout = sys.stdout, quiet
    try:
        for headers, body in reports[:50]:
            assert await call(app, "POST", "/api/v1/reports", headers, body) == 200
        started = time.process_time()
        for headers, body in reports[50 : 50 + rounds]:
            await call(app, "POST", "/api/v1/reports", headers, body)
        per_report_request = (time.process_time() - started) / rounds * 1000
        started = time.process_time()
        for _ in range(rounds):
            await call(app, "GET", "/healthz", [], b"")
        per_health = (time.process_time() - started) / rounds * 1000
        profiler = cProfile.Profile(time.process_time)
        if profile:
            profiler.enable()
            for headers, body in reports[50 + rounds :]:
                await call(app, "POST", "/api/v1/reports", headers, body)
            profiler.disable()
    finally:
        sys.stdout = real_stdout
    print(
        f"CPU per request: POST /api/v1/reports {per_report_request:.2f} ms; "
        f"GET /healthz {per_health:.2f} ms"
    )
    if profile:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


@contextmanager
def in_process_app(people: int) -> Iterator[tuple[Any, list[bench.Device]]]:
    """The ASGI app `amina serve` runs, on a fresh PostgreSQL database with ``people`` loaded
    through the services (uvloop installed when there is one); the database and the app's
    data folder are removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="amina-profile-"))
    url = bench.fresh_database("postgresql", folder)
    try:
        devices = bench.load_people(url, people)
        os.environ.update(
            {
                "DATABASE_URL": url,
                "AMINA_ENV": "development",
                "AMINA_DATA_DIR": str(folder / "var"),
                "AMINA_SCHEDULER": "false",
            }
        )
        from amina.entrypoints.asgi import app_factory

        try:
            import uvloop

            uvloop.install()
        except ImportError:
            pass
        yield app_factory(), devices
    finally:
        bench.drop_database(url)
        shutil.rmtree(folder, ignore_errors=True)  # its data folder (keys, SMS log)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    with in_process_app(args.people) as (app, devices):
        bodies = bench.Bodies(devices, args.batch, 50 + 2 * args.requests, 8000, seed=5)
        asyncio.run(measure(app, requests_of(bodies), args.requests, not args.no_profile))


if __name__ == "__main__":
    main()
