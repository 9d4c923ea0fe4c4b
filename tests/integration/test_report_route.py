"""``POST /api/v1/reports`` is served by a plain ASGI callable in front of FastAPI
(amina/adapters/web/report_route.py): a phone cannot tell it from the FastAPI route — the same
status, headers, problem documents and translated words, the same metrics and access log line —
and the published description of the operation is the one it always was."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from report_support import fix, reporting_person
from sign_in_support import WORKER, sign_in
from structlog.testing import capture_logs

from amina.adapters.web.report_route import ReportRoute
from amina.bootstrap import Container

NOW = datetime.fromisoformat("2025-11-05T10:00:00+03:00")
PATH = "/api/v1/reports"
#: The operation and the schemas it refers to, as the FastAPI route published them before the
#: plain path existed (tests/integration/report_operation.openapi.json).
PUBLISHED = Path(__file__).with_name("report_operation.openapi.json")
#: The counters a request moves (the latency histogram: by its count; its buckets are timing).
COUNTED = (
    "amina_http_requests_total",
    "amina_http_request_duration_seconds_count",
    "amina_location_reports_total",
)


@contextmanager
def through_fastapi(app: FastAPI) -> Iterator[None]:
    """The app as it answered before the plain path: its FastAPI stack alone."""
    route = app.middleware_stack
    assert isinstance(route, ReportRoute)
    app.middleware_stack = route.fallback
    try:
        yield
    finally:
        app.middleware_stack = route


def counts(app: FastAPI) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in app.state.metrics.registry.collect()
        for sample in family.samples
        if sample.name in COUNTED
    }


def observed(client: TestClient, request: dict[str, Any]) -> dict[str, Any]:
    """What a phone and an operator see of one request: status, headers in order (a request
    id's value only by its form), body, the counters it moved and its access log line."""
    before = counts(client.app)  # type: ignore[arg-type]
    with capture_logs() as logs:
        answer = client.post(PATH, **request)
    after = counts(client.app)  # type: ignore[arg-type]
    headers = [
        (name, "<id>" if name == "x-request-id" and re.fullmatch(r"[0-9a-f]{32}", value) else value)
        for name, value in answer.headers.multi_items()
    ]
    lines = [
        {key: value for key, value in line.items() if key != "duration_ms"}
        for line in logs
        if line["event"] == "request"
    ]
    moved = {
        key: after[key] - before.get(key, 0.0) for key in after if after[key] != before.get(key)
    }
    return {
        "status": answer.status_code,
        "headers": headers,
        "body": answer.content,
        "moved": moved,
        "log": lines,
    }


def streamed() -> Iterator[bytes]:
    """A body over 1 MiB sent in chunks, without a ``Content-Length``."""
    return iter([b'{"reports": [', b" " * 1_048_576, b"]}"])


def bad_inputs(credential: dict[str, str], retired: dict[str, str]) -> dict[str, dict[str, Any]]:
    as_json = {**credential, "Content-Type": "application/json"}
    russian = {**as_json, "Accept-Language": "ru"}
    return {
        "no credential": {"json": fix(NOW)},
        "another scheme": {"json": fix(NOW), "headers": {"Authorization": "Bearer x"}},
        "an unknown credential": {"json": fix(NOW), "headers": {"Authorization": "Device nope"}},
        "a retired device": {"json": fix(NOW), "headers": retired},
        "a stranger's malformed body": {
            "content": b"{not json",
            "headers": {"Authorization": "Device guessed", "Content-Type": "application/json"},
        },
        "malformed JSON": {"content": b'{"reports": [', "headers": as_json},
        "malformed JSON, in Russian": {"content": b"{", "headers": russian},
        "an empty body": {"content": b"", "headers": as_json},
        "invalid UTF-8": {"content": b'{"client_id": "\xff\xfe"}', "headers": as_json},
        "NaN": {"content": b'{"lat": NaN}', "headers": as_json},
        "Infinity": {"content": b'{"reports": [{"lat": Infinity}]}', "headers": as_json},
        "not JSON": {"content": b"lat=55", "headers": {**credential, "Content-Type": "text/plain"}},
        "not JSON, asked in Uzbek": {
            "content": b"lat=55",
            "headers": {**credential, "Content-Type": "text/plain"},
            "params": {"lang": "uz"},
        },
        "a list": {"content": b"[1, 2]", "headers": as_json},
        "reports not a list": {"json": {"reports": "all"}, "headers": credential},
        "neither reports nor status": {"json": {"reports": []}, "headers": credential},
        "too many reports": {"json": {"reports": [{}] * 1001}, "headers": russian},
        "a body over 1 MiB": {"content": b" " * 1_048_577, "headers": as_json},
        "a streamed body over 1 MiB": {
            "content": streamed(),
            "headers": as_json,
        },
        "items wrong one by one, in Russian": {
            "json": {
                "reports": [
                    {**fix(NOW), "client_id": ""},
                    fix(NOW, lat=95),
                    fix(NOW, device_time="yesterday"),
                    fix(NOW, accuracy_m=None),
                    fix(NOW, mocked="yes"),
                ],
                "status": {"battery_saver": "on"},
            },
            "headers": russian,
        },
        "a caller's request id": {
            "content": b"{",
            "headers": {**as_json, "X-Request-ID": "phone0042"},
        },
    }


def test_bad_inputs_are_answered_as_the_fastapi_route_answers_them(
    client: TestClient, container: Container
) -> None:
    retired = reporting_person(client, container, language="uz")
    me = sign_in(client, dict(WORKER), name="New phone")  # binding it retires the old one
    app: FastAPI = client.app  # type: ignore[assignment]

    for case, request in bad_inputs(me.device, retired.device).items():
        plain = observed(client, request)
        if isinstance(request.get("content"), Iterator):  # a stream is read once
            request = {**request, "content": streamed()}  # noqa: PLW2901
        with through_fastapi(app):
            framework = observed(client, request)
        assert plain == framework, case
        assert plain["status"] >= 400 or b'"rejected"' in plain["body"], case


def test_a_report_is_stored_once_whichever_way_it_arrives(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container)
    report = {"json": {"reports": [fix(NOW)], "status": {"app_version": "2.1"}}}
    request = {**report, "headers": me.device}
    app: FastAPI = client.app  # type: ignore[assignment]

    first = observed(client, request)
    with through_fastapi(app):
        framework = observed(client, request)
    plain = observed(client, request)

    assert [r["status"] for r in orjson.loads(first["body"])["results"]] == ["accepted"]
    assert [r["status"] for r in orjson.loads(plain["body"])["results"]] == ["duplicate"]
    assert plain == framework


def test_an_unexpected_error_is_the_same_plain_500_either_way(
    client: TestClient, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = reporting_person(client, container)

    def broken(_credential: str) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(container.reports.refused, "refusal", broken)
    app: FastAPI = client.app  # type: ignore[assignment]
    answering = TestClient(app, raise_server_exceptions=False)  # as a server would answer
    request = {"json": fix(NOW), "headers": me.device}

    plain = observed(answering, request)
    with through_fastapi(app):
        framework = observed(answering, request)

    assert plain == framework
    assert plain["status"] == 500
    assert plain["body"] == b"Internal Server Error"


def test_the_plain_path_serves_the_route_and_fastapi_serves_the_rest(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container)
    route = client.app.middleware_stack  # type: ignore[attr-defined]
    assert isinstance(route, ReportRoute)
    framework = route.fallback
    reached: list[tuple[str, str]] = []

    async def recorded(scope: Any, receive: Any, send: Any) -> None:
        reached.append((scope["method"], scope["path"]))
        await framework(scope, receive, send)

    route.fallback = recorded
    stored = client.post(PATH, json=fix(NOW), headers=me.device)
    elsewhere = client.get(PATH, headers=me.device)  # another method: FastAPI's 405
    slashed = client.post(  # another path: FastAPI sends the phone to the right one
        PATH + "/", json=fix(NOW), headers=me.device, follow_redirects=False
    )

    assert stored.status_code == 200
    assert stored.json()["results"][0]["status"] == "accepted"
    assert elsewhere.status_code == 405
    assert elsewhere.json()["code"] == "method_not_allowed"
    assert slashed.status_code == 307
    assert reached == [("GET", PATH), ("POST", PATH + "/")]


def test_the_published_description_of_the_operation_is_unchanged(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    published = json.loads(PUBLISHED.read_text())

    assert document["paths"][PATH] == published["paths"][PATH]
    for name, schema in published["components"]["schemas"].items():
        assert document["components"]["schemas"][name] == schema, name
