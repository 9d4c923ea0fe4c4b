"""POST /api/v1/eligibility/evaluate exactly as in API.md, on both databases."""

from __future__ import annotations

from fastapi.testclient import TestClient

BODY = {
    "citizenship": "TJ",
    "date_of_birth": "1990-05-01",
    "purpose": "work",
    "region": "RU-MOW",
    "intended_stay_days": 365,
    "category": "none",
    "on": "2025-09-01",
}


def test_a_tajik_worker_in_moscow_is_required_from_1_september_2025(client: TestClient) -> None:
    response = client.post("/api/v1/eligibility/evaluate", json=BODY)
    assert response.status_code == 200
    assert response.json() == {
        "status": "required",
        "rule": "phase-1-work",
        "reason": "covered",
        "policy_version": "2025-09-01.1",
    }


def test_the_same_worker_a_day_earlier_is_not_covered(client: TestClient) -> None:
    response = client.post("/api/v1/eligibility/evaluate", json={**BODY, "on": "2025-08-31"})
    assert response.json()["status"] == "not_covered"


def test_a_belarusian_is_exempt_with_the_reason(client: TestClient) -> None:
    response = client.post(
        "/api/v1/eligibility/evaluate",
        json={**BODY, "citizenship": "BY", "on": "2026-10-01", "purpose": "study"},
    )
    assert response.json()["status"] == "exempt"
    assert response.json()["reason"] == "exempt_citizenship"


def test_schema_violations_list_every_field_in_the_callers_language(client: TestClient) -> None:
    response = client.post(
        "/api/v1/eligibility/evaluate",
        json={"citizenship": "TJX"},
        headers={"Accept-Language": "ru"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert {e["field"] for e in problem["errors"]} == {"citizenship", "date_of_birth", "purpose"}
    assert problem["title"] != "Some fields are not valid"  # translated into Russian


def test_malformed_json_is_a_400_problem(client: TestClient) -> None:
    response = client.post(
        "/api/v1/eligibility/evaluate",
        content=b"{nope",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
