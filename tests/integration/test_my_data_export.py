"""``GET /api/v1/me/export``: everything Amina holds about a person, as one JSON document (SPEC
§10 transparency)."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from report_support import fix, reporting_person, send, walk

from amina.bootstrap import Container

NOW = datetime.fromisoformat("2025-11-05T10:00:00+03:00")


def test_the_export_holds_every_section_of_what_is_kept_about_the_person(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container, language="ru")
    someone_else = reporting_person(client, container, "7725100002")
    send(
        client, me, {"reports": walk(NOW - timedelta(hours=3), 4), "status": {"app_version": "2.0"}}
    )
    send(client, someone_else, fix(NOW, client_id="not-mine"))

    answer = client.get("/api/v1/me/export", headers=me.bearer)

    assert answer.status_code == 200, answer.text
    assert "attachment" in answer.headers["content-disposition"]
    document = answer.json()
    assert set(document) >= {
        "exported_at",
        "person_id",
        "retention",
        "profile",
        "card",
        "registrations",
        "reports",
        "device_status",
        "summaries",
        "notices",
        "decisions",
        "access_log",
    }
    assert document["person_id"] == me.person_id
    assert document["retention"]["report_retention_days"] == 30
    assert "30" in document["retention"]["explanation"]  # in Russian, the person's language
    assert document["card"]["number"] == "7725100001"
    (registration,) = document["registrations"]
    assert registration["events"][0]["kind"] == "registered"
    assert len(document["reports"]) == 4
    assert all(r["deleted_after"] for r in document["reports"])
    assert "not-mine" not in {r["client_id"] for r in document["reports"]}
    assert document["device_status"]["records"][0]["app_version"] == "2.0"
    assert document["summaries"][0]["reports"] == 4
    assert isinstance(document["notices"], list)
    assert isinstance(document["decisions"], list)
    assert isinstance(document["access_log"], list)


def test_the_export_needs_the_person_signed_in(client: TestClient) -> None:
    assert client.get("/api/v1/me/export").status_code == 401
