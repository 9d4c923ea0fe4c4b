"""A client id sent twice at once — two batches of one person in flight together, the same
``client_id`` with two device times — is stored once and refused once (API.md: a report's
identity is its client id with its device time; issue 10 point 2): the second batch waits
for the first to commit before it reads what the person holds."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from report_support import fix, reporting_person

from amina.adapters.db.reports.store import AsyncReportStore, ReportStore
from amina.adapters.web.api.report_body import read_batch
from amina.bootstrap import Container
from amina.services.clock import FixedClock
from amina.services.reports.ingest import IngestOutcome

#: How long the second batch is given to overtake the first, were it not held back.
OVERTAKING = 0.5


def answers(outcome: IngestOutcome) -> list[tuple[str, str | None]]:
    return [(r.status, None if r.error is None else r.error.code) for r in outcome.results]


def held_times(client: TestClient, bearer: dict[str, str]) -> list[str]:
    answer = client.get("/api/v1/me/reports", params={"limit": "100"}, headers=bearer)
    assert answer.status_code == 200, answer.text
    return [r["device_time"] for r in answer.json()["reports"] if r["client_id"] == "twice"]


def two_batches(clock: FixedClock) -> tuple[Any, Any]:
    now = clock.now()
    first = read_batch(fix(now - timedelta(minutes=5), client_id="twice"))
    second = read_batch(fix(now - timedelta(minutes=4), client_id="twice"))
    return first, second


def test_two_batches_at_once_with_one_client_id_and_two_times_store_it_once(
    client: TestClient, container: Container, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = reporting_person(client, container)
    first_written, go_on = threading.Event(), threading.Event()
    write = ReportStore.update_aggregates

    def first_waits(store: ReportStore, *args: Any) -> None:
        write(store, *args)
        if not first_written.is_set():  # the first batch: written, not yet committed
            first_written.set()
            go_on.wait(10)

    monkeypatch.setattr(ReportStore, "update_aggregates", first_waits)
    ingest = container.reports.ingest
    first, second = two_batches(clock)
    with ThreadPoolExecutor(2) as pool:
        one = pool.submit(ingest.ingest_from_device, me.device_credential, first)
        assert first_written.wait(10)
        other = pool.submit(ingest.ingest_from_device, me.device_credential, second)
        time.sleep(OVERTAKING)
        go_on.set()
        outcomes = one.result(timeout=20), other.result(timeout=20)

    assert answers(outcomes[0]) == [("accepted", None)]
    assert answers(outcomes[1]) == [("rejected", "client_id_reused")]
    assert held_times(client, me.bearer) == ["2025-11-05T06:55:00Z"]


def test_two_batches_at_once_on_the_event_loop_store_a_client_id_once(
    client: TestClient, container: Container, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    stores = container.reports.stores
    if stores is None:
        pytest.skip("the event-loop path is PostgreSQL's (SQLite's batches run in a thread)")
    me = reporting_person(client, container)
    write = AsyncReportStore.update_aggregates

    async def both() -> tuple[IngestOutcome, IngestOutcome]:
        first_written, go_on = asyncio.Event(), asyncio.Event()

        async def first_waits(store: AsyncReportStore, *args: Any) -> None:
            await write(store, *args)
            if not first_written.is_set():
                first_written.set()
                await go_on.wait()

        monkeypatch.setattr(AsyncReportStore, "update_aggregates", first_waits)
        ingest = container.reports.ingest
        first, second = two_batches(clock)
        one = asyncio.create_task(
            ingest.ingest_from_device_async(me.device_credential, first, stores)
        )
        await asyncio.wait_for(first_written.wait(), 10)
        other = asyncio.create_task(
            ingest.ingest_from_device_async(me.device_credential, second, stores)
        )
        await asyncio.sleep(OVERTAKING)
        go_on.set()
        outcomes = await asyncio.wait_for(asyncio.gather(one, other), 20)
        await stores.close()
        return outcomes[0], outcomes[1]

    with ThreadPoolExecutor(1) as loop_thread:  # a loop of its own, whatever else runs here
        outcomes = loop_thread.submit(asyncio.run, both()).result(timeout=60)

    assert answers(outcomes[0]) == [("accepted", None)]
    assert answers(outcomes[1]) == [("rejected", "client_id_reused")]
    assert held_times(client, me.bearer) == ["2025-11-05T06:55:00Z"]
