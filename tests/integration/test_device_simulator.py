"""`amina simulate device`: signs in like the app through the local SMS gateway, sends reports
like a phone (offline queue included), and refuses a production server."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from registration_support import registered
from sign_in_support import WORKER, Session, register

from amina.adapters.web.app import create_app
from amina.bootstrap import Container, build
from amina.demo.device_simulator import SimulationError, simulate
from amina.services.clock import FixedClock
from amina.settings import Environment, Settings

CARD = (WORKER["card_number"], date.fromisoformat(WORKER["date_of_birth"]))


def run(app: object, **options: object) -> list:  # type: ignore[type-arg]
    settings: dict[str, object] = {
        "gpx": None,
        "interval": 0.001,
        "batch": 5,
        "offline_minutes": 0.0,
        "count": 12,
        "seed": 7,
        **options,
    }
    coroutine = simulate(
        "http://testserver",
        [CARD],
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        **settings,  # type: ignore[arg-type]
    )
    # A fresh thread has no event loop: a browser test earlier in the same worker leaves
    # Playwright's loop registered on the main thread, and asyncio.run refuses to nest.
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


def test_the_simulator_signs_in_and_every_report_it_queued_offline_is_stored_once(
    client: TestClient, container: Container
) -> None:
    register(container, dict(WORKER))

    ((phone, tally),) = run(client.app, offline_minutes=1.0)

    assert (tally.made, tally.accepted, tally.duplicate, tally.rejected) == (12, 12, 0, 0)
    assert tally.queued == 0
    stored = client.get(
        "/api/v1/me/reports", headers={"Authorization": f"Bearer {phone.access_token}"}
    ).json()["reports"]
    assert len(stored) == 12


def test_the_simulator_walks_around_the_registered_address(
    client: TestClient, container: Container
) -> None:
    register(container, dict(WORKER))
    first, _ = run(client.app, count=1)[0]
    registered(client, Session(first.access_token, first.device_credential, first.person_id, {}))

    ((phone, tally),) = run(client.app, count=6)

    stored = client.get(
        "/api/v1/me/reports", headers={"Authorization": f"Bearer {phone.access_token}"}
    ).json()["reports"]
    assert tally.accepted == 6
    assert all(r["distance_to_address_m"] < 1000 for r in stored[:6])
    assert all(r["region"] == "RU-MOW" for r in stored[:6])


def test_the_simulator_follows_a_gpx_track(
    client: TestClient, container: Container, tmp_path: Path
) -> None:
    register(container, dict(WORKER))
    track = tmp_path / "track.gpx"
    track.write_text(
        '<?xml version="1.0"?><gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
        '<trkpt lat="55.4260" lon="37.5560"/><trkpt lat="55.4262" lon="37.5563"/>'
        "</trkseg></trk></gpx>",
        encoding="utf-8",
    )

    ((phone, _),) = run(client.app, gpx=track, count=4, batch=1)

    stored = client.get(
        "/api/v1/me/reports", headers={"Authorization": f"Bearer {phone.access_token}"}
    ).json()["reports"]
    assert sorted({(r["lat"], r["lon"]) for r in stored}) == [(55.426, 37.556), (55.4262, 37.5563)]
    assert {r["region"] for r in stored} == {"RU-MOS"}


def test_the_simulator_refuses_a_production_server(database_url: str, clock: FixedClock) -> None:
    settings = Settings(
        env=Environment.production,
        database_url=database_url,
        scheduler=False,
        secret_key="a-production-secret-of-enough-length",
    )
    production = build(settings, clock=clock)
    try:
        with pytest.raises(SimulationError, match="production"):
            run(create_app(production))
    finally:
        production.engine.dispose()
