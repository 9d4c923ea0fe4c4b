"""What the plain ASGI path of `POST /api/v1/reports` saves over the FastAPI stack, in one process
(BENCHMARKS.md, "The report route on a plain ASGI path").

    .venv/bin/python bench/ingest/report_route.py --batch 1 --rounds 7 --requests 200

Builds a fresh PostgreSQL database with people loaded through the services (as where_time_goes.py
does) and calls the app in-process, without uvicorn and the network. Each round sends
``--requests`` requests through the app as served (the plain path in front) and as many through
its FastAPI stack alone (the route as it was), alternating which goes first; every request
carries new reports. It prints the worker's CPU time per request both ways (min / median / max
over the rounds) and their difference: the same database, the same process, the same moment.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import run as bench
from where_time_goes import call, in_process_app, requests_of


async def cpu_per_request(app: Any, requests: list[Any]) -> float:
    started = time.process_time()
    for headers, body in requests:
        assert await call(app, "POST", "/api/v1/reports", headers, body) == 200
    return (time.process_time() - started) / len(requests) * 1000


async def measure(app: Any, requests: list[Any], rounds: int, per_round: int) -> None:
    from amina.adapters.web.report_route import ReportRoute

    quiet = open(os.devnull, "w")  # noqa: SIM115 - the access log goes nowhere, as in the bench
    real_stdout, sys.stdout = sys.stdout, quiet
    try:
        for headers, body in requests[:50]:  # warm-up (and builds the stack)
            await call(app, "POST", "/api/v1/reports", headers, body)
        served = app.middleware_stack
        assert isinstance(served, ReportRoute)
        ways = {"plain": served, "fastapi": served.fallback}
        figures: dict[str, list[float]] = {"plain": [], "fastapi": []}
        at = 50
        for round_ in range(rounds):
            order = ["plain", "fastapi"] if round_ % 2 == 0 else ["fastapi", "plain"]
            for way in order:
                app.middleware_stack = ways[way]
                figures[way].append(await cpu_per_request(app, requests[at : at + per_round]))
                at += per_round
        app.middleware_stack = served
    finally:
        sys.stdout = real_stdout
    for way, values in figures.items():
        print(
            f"{way:8} CPU ms per request: min {min(values):.3f} / median "
            f"{statistics.median(values):.3f} / max {max(values):.3f}  "
            f"({', '.join(f'{v:.3f}' for v in values)})"
        )
    saved = [f - p for f, p in zip(figures["fastapi"], figures["plain"], strict=True)]
    print(
        f"saved per request (FastAPI − plain, round by round): min {min(saved):.3f} / median "
        f"{statistics.median(saved):.3f} / max {max(saved):.3f} ms; plain ÷ FastAPI (medians) "
        f"{statistics.median(figures['plain']) / statistics.median(figures['fastapi']):.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=1, help="reports per request (default 1)")
    parser.add_argument("--rounds", type=int, default=7, help="rounds, each way (default 7)")
    parser.add_argument("--requests", type=int, default=200, help="requests per way and round")
    parser.add_argument("--people", type=int, default=300, help="people with a bound device")
    args = parser.parse_args()
    with in_process_app(args.people) as (app, devices):
        count = 50 + 2 * args.rounds * args.requests
        bodies = bench.Bodies(devices, args.batch, count, 8000, seed=5)
        print(f"load before: {os.getloadavg()[0]:.2f}")
        asyncio.run(measure(app, requests_of(bodies), args.rounds, args.requests))
        print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
