"""While the database cannot be reached, the service says so: every request that needs data is
answered ``503 service_unavailable`` as a problem document with ``Retry-After`` (never a 500,
never a 200), and ``/readyz`` says ``database_unreachable`` (docs/operations.md, "When the
database is down"). The real outage — a PostgreSQL server stopped with ``-m immediate`` under
load, and its recovery — is tests/e2e/test_fault_matrix.py; here the database was never there.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from amina.adapters.web.app import create_app
from amina.bootstrap import build
from amina.services.clock import FixedClock
from amina.settings import Environment, Settings

REPORT = {
    "client_id": "c6d1f7d0-0000-4000-8000-000000000001",
    "device_time": "2025-11-05T09:55:00+03:00",
    "lat": 55.7577,
    "lon": 37.6116,
    "accuracy_m": 10.0,
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=["postgresql", "sqlite"])
def unreachable(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock
) -> Iterator[TestClient]:
    """The app on a database that does not answer: a PostgreSQL port nobody listens on, or a
    SQLite file in a folder that does not exist."""
    if request.param == "postgresql":
        url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/amina"
    else:
        url = f"sqlite:///{tmp_path / 'gone' / 'amina.sqlite3'}"
    container = build(
        Settings(env=Environment.test, database_url=url, scheduler=False), clock=clock
    )
    with TestClient(
        create_app(container), base_url="https://testserver", raise_server_exceptions=False
    ) as client:
        yield client
    container.close()


def _is_unavailable_problem(answer: httpx.Response) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["retry-after"] == "5"
    problem = answer.json()
    assert problem["code"] == "service_unavailable"
    assert problem["status"] == 503


def test_requests_that_need_the_database_are_answered_503_while_it_cannot_be_reached(
    unreachable: TestClient,
) -> None:
    reports = unreachable.post(
        "/api/v1/reports",
        json={"reports": [REPORT]},
        headers={"Authorization": "Device some-device-credential"},
    )
    _is_unavailable_problem(reports)

    signed_in = unreachable.get("/api/v1/me", headers={"Authorization": "Bearer some-token"})
    _is_unavailable_problem(signed_in)

    asked = unreachable.post(
        "/api/v1/auth/otp",
        json={"method": "card", "card_number": "7725100001", "date_of_birth": "1992-05-01"},
    )
    _is_unavailable_problem(asked)


def test_the_problem_is_in_the_callers_language(unreachable: TestClient) -> None:
    answer = unreachable.get(
        "/api/v1/me", headers={"Authorization": "Bearer some-token", "Accept-Language": "uz"}
    )
    _is_unavailable_problem(answer)
    assert answer.json()["title"] == "Xizmat vaqtincha ishlamayapti"
    assert answer.headers["content-language"] == "uz"


def test_readiness_says_the_database_is_unreachable(unreachable: TestClient) -> None:
    assert unreachable.get("/healthz").status_code == 200  # the process itself is alive
    ready = unreachable.get("/readyz")
    assert ready.status_code == 503
    assert ready.json() == {"status": "not_ready", "reason": "database_unreachable"}
