"""The error contract on every endpoint (API.md, "Errors"): a body over the limit is 413, a body
that is not strict JSON (not UTF-8, ``NaN``, ``Infinity``) is 400 ``malformed_json``, and a
method an address does not take is 405 with ``Allow``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from amina.adapters.web.app import MAX_BODY_BYTES

EVALUATE = "/api/v1/eligibility/evaluate"
JSON = {"Content-Type": "application/json", "Accept-Language": "en"}
BODY = (
    '{"citizenship": "TJ", "date_of_birth": "1990-05-01", "purpose": "work", "region": "RU-MOW",'
    ' "intended_stay_days": %s, "category": "none", "on": "2025-09-01"}'
)


def _chunks(total: int, size: int = 65_536) -> Iterator[bytes]:
    """A body sent in chunks, without Content-Length (as a streaming client sends it)."""
    sent = 0
    while sent < total:
        yield b" " * min(size, total - sent)
        sent += size


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        (EVALUATE, "application/json"),
        ("/console/sign-in", "application/x-www-form-urlencoded"),
    ],
)
def test_a_body_over_the_limit_is_413_even_without_a_length(
    client: TestClient, path: str, content_type: str
) -> None:
    answer = client.post(
        path,
        content=_chunks(MAX_BODY_BYTES + 10),
        headers={"Content-Type": content_type, "Accept-Language": "en"},
    )
    assert answer.status_code == 413, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == "payload_too_large"


def test_a_body_that_is_not_utf_8_is_malformed_json(client: TestClient) -> None:
    body = (BODY % "365").replace("work", "w\xf6rk").encode("latin-1")
    answer = client.post(EVALUATE, content=body, headers=JSON)
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "malformed_json"


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_numbers_json_does_not_have_are_refused_everywhere(client: TestClient, number: str) -> None:
    answer = client.post(EVALUATE, content=BODY % number, headers=JSON)
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "malformed_json"
    assert client.post(EVALUATE, content=BODY % "365", headers=JSON).status_code == 200


def test_a_method_the_address_does_not_take_is_405_with_allow(client: TestClient) -> None:
    answer = client.get(EVALUATE, headers={"Accept-Language": "en"})
    assert answer.status_code == 405
    assert answer.json()["code"] == "method_not_allowed"
    assert answer.headers["allow"] == "POST"


def test_the_openapi_description_declares_problems_and_content_types(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert "Problem" in document["components"]["schemas"]
    for path in ("/healthz", "/metrics"):
        assert "text/plain" in document["paths"][path]["get"]["responses"]["200"]["content"]
    evaluate = document["paths"][EVALUATE]["post"]["responses"]
    for status, code in (("400", "malformed_json"), ("413", "payload_too_large")):
        assert code in evaluate[status]["description"]
        assert evaluate[status]["content"]["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"
        }
    case_file = document["paths"]["/api/v1/staff/cases/{case_id}"]["get"]["responses"]
    assert "staff_sign_in_required" in case_file["401"]["description"]
    assert "forbidden" in case_file["403"]["description"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if path.startswith("/api/") and int(status) >= 400:
                    assert "application/json" not in answer.get("content", {}) or (
                        path == "/api/v1/verify/{code}"  # its own answer: "not valid"
                    ), (method, path, status)
