"""The bare reference for the ingest benchmark (issue 14 point 1; BENCHMARKS.md).

What a minimal Python service does for one location report: raw ASGI under uvicorn (uvloop,
httptools, no access log), asyncpg, one durable ``INSERT`` per request (the answer leaves after
COMMIT, ``synchronous_commit`` as the server has it) into ``reference_reports``, a table of the
same shape and indexes as ``location_reports``. No validation, no policy, no summaries, no audit:
it is the floor Amina is measured against, not a product.

    REFERENCE_DSN=postgresql://… REFERENCE_DEVICES=devices.json \\
        uvicorn reference:app --workers 2 --loop uvloop --http httptools --no-access-log

``REFERENCE_DEVICES`` maps each device credential to ``[person_id, device_id]`` (the
device's identity resolved from memory, as a per-worker cache would).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import orjson

DEVICES: dict[str, list[str]] = orjson.loads(Path(os.environ["REFERENCE_DEVICES"]).read_bytes())
INSERT = (
    "INSERT INTO reference_reports (person_id, device_time, device_id, client_id, received_at, "
    "lat, lon, accuracy_m, speed_mps, altitude_m, provider, mocked, region, flags, "
    "distance_to_address_m) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, "
    "NULL) ON CONFLICT DO NOTHING"
)


def head(body: bytes) -> dict[str, Any]:
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    return {"type": "http.response.start", "status": 200, "headers": headers}


pool: Any = None


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global pool  # noqa: PLW0603 (one pool per worker process, made in the lifespan)
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                pool = await asyncpg.create_pool(os.environ["REFERENCE_DSN"], min_size=2)
                await send({"type": "lifespan.startup.complete"})
            else:
                await pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["path"] != "/api/v1/reports":
        await send(head(b"{}"))
        await send({"type": "http.response.body", "body": b"{}"})
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    credential = dict(scope["headers"])[b"authorization"][7:].decode()
    person_id, device_id = DEVICES[credential]
    report = orjson.loads(body)
    await pool.execute(
        INSERT,
        person_id,
        datetime.fromisoformat(report["device_time"]),
        device_id,
        report["client_id"],
        datetime.now(UTC),
        report["lat"],
        report["lon"],
        report["accuracy_m"],
        report.get("speed_mps"),
        report.get("altitude_m"),
        report.get("provider"),
        report.get("mocked", False),
        "RU-MOW",
    )
    answer = orjson.dumps({"results": [{"client_id": report["client_id"], "status": "accepted"}]})
    await send(head(answer))
    await send({"type": "http.response.body", "body": answer})
