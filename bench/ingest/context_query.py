"""What a per-worker device-credential cache could save the database (issue 14 point 3).

    uv run --frozen --no-sync python bench/ingest/context_query.py

A fresh PostgreSQL database with 200 people and their phones (as bench/ingest/run.py loads
them); the batch's first query — the context: registered address, latest fix, open notice —
run as today (found by the device credential: ``_DEVICE_CONTEXT``, joining ``devices``) and as
it would run with the credential resolved from a cache (by person and device: ``_CONTEXT``),
alternating, 400 of each per round, five rounds; median wall time per query and the 1-minute
load average. BENCHMARKS.md, "Issue 14 point 3: what each change bought".
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import run as bench

from amina.adapters.db.reports.store import HotPathSql
from amina.services.identity.sign_in import bearer_owner, secret_hash


def main() -> None:
    url = bench.fresh_database("postgresql", Path(tempfile.mkdtemp(prefix="amina-context-")))
    try:
        devices = bench.load_people(url, 200)
        sql = HotPathSql(postgresql=True)
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")
            device_of = dict(
                connection.execute(
                    "SELECT person_id, id FROM devices WHERE retired_at IS NULL"
                ).fetchall()
            )
            for round_ in range(1, 6):
                spent: dict[str, list[float]] = {"by credential": [], "by cached device": []}
                load = os.getloadavg()[0]
                for n in range(400):
                    device = devices[n % len(devices)]
                    runs = [
                        (
                            "by credential",
                            sql.device_context(
                                bearer_owner(device.credential), secret_hash(device.credential)
                            ),
                        ),
                        (
                            "by cached device",
                            sql.context(device.person_id, device_of[device.person_id]),
                        ),
                    ]
                    if n % 2:
                        runs.reverse()
                    for label, (statement, params) in runs:
                        started = time.perf_counter()
                        connection.execute(statement, params).fetchall()
                        spent[label].append(time.perf_counter() - started)
                print(
                    f"round {round_} (load {load:.1f}): "
                    + ", ".join(
                        f"{label} {statistics.median(times) * 1000:.3f} ms"
                        for label, times in spent.items()
                    )
                )
    finally:
        bench.drop_database(url)


if __name__ == "__main__":
    main()
