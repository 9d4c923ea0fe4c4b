"""Health, readiness, metrics and the OpenAPI document (API.md "Public, no sign-in")."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from amina.adapters.db.migrate import upgrade
from amina.adapters.web.app import create_app
from amina.bootstrap import Container, build
from amina.entrypoints.cli.main import app as cli
from amina.services.clock import FixedClock
from amina.settings import Environment, Settings


@pytest.fixture
def bare_container(empty_database_url: str, clock: FixedClock) -> Iterator[Container]:
    """A container on a database that no migration has touched yet."""
    settings = Settings(env=Environment.test, database_url=empty_database_url, scheduler=False)
    container = build(settings, clock=clock)
    yield container
    container.engine.dispose()


def serve(container: Container) -> TestClient:
    return TestClient(create_app(container), base_url="https://testserver")


def amina(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_an_empty_database_is_not_ready_until_amina_db_upgrade(
    bare_container: Container, empty_database_url: str
) -> None:
    with serve(bare_container) as client:
        assert client.get("/healthz").status_code == 200
        not_ready = client.get("/readyz")
        assert not_ready.status_code == 503
        assert not_ready.json()["reason"] == "migrations_behind"

        code, output = amina("db", "upgrade", "--database-url", empty_database_url)
        assert code == 0, output
        assert client.get("/readyz").status_code == 200


def test_a_database_left_at_the_first_migration_is_not_ready_and_db_current_says_so(
    bare_container: Container, empty_database_url: str
) -> None:
    upgrade(bare_container.engine, "0001")
    with serve(bare_container) as client:
        assert client.get("/readyz").status_code == 503

        code, output = amina("db", "current", "--database-url", empty_database_url)
        assert code == 1
        assert "current: 0001" in output
        assert "behind" in output

        assert amina("db", "upgrade", "--database-url", empty_database_url)[0] == 0
        code, output = amina("db", "current", "--database-url", empty_database_url)
        assert code == 0, output
        assert "behind" not in output
        assert client.get("/readyz").status_code == 200


def test_the_openapi_document_lists_the_public_api(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert "post" in document["paths"]["/api/v1/eligibility/evaluate"]
    for path in ("/healthz", "/readyz", "/metrics"):
        assert path in document["paths"]


def test_metrics_count_requests_by_route_template_never_by_what_was_typed(
    client: TestClient,
) -> None:
    client.post(
        "/api/v1/eligibility/evaluate",
        json={"citizenship": "UZ", "date_of_birth": "1987-02-14", "purpose": "work"},
    )
    client.get("/no-such-page/AB1234567")
    metrics = client.get("/metrics").text
    assert (
        'amina_http_requests_total{method="POST",route="/api/v1/eligibility/evaluate",'
        'status="200"} 1.0' in metrics
    )
    assert 'route="unmatched"' in metrics
    assert "amina_http_request_duration_seconds_bucket" in metrics
    for typed in ("AB1234567", "1987-02-14", "no-such-page"):
        assert typed not in metrics


def test_every_answer_carries_a_request_id_and_keeps_a_well_formed_one(
    client: TestClient,
) -> None:
    generated = client.get("/healthz").headers["x-request-id"]
    assert len(generated) == 32
    assert client.get("/healthz", headers={"X-Request-Id": "abc123"}).headers["x-request-id"] == (
        "abc123"
    )
    forged = client.get("/healthz", headers={"X-Request-Id": "<script>"}).headers["x-request-id"]
    assert forged != "<script>"
