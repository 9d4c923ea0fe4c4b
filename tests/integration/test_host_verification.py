"""Host verification: ``GET /api/v1/verify/{code}`` exactly as API.md and the ``/verify`` page.
A host sees initials, address, valid-until and valid / not valid, nothing more; unknown and
malformed codes look the same; lookups are rate-limited per client and counted (counts only)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from registration_support import PODOLSK, person, registered

from amina.bootstrap import Container
from amina.services.audit.trail import Actor
from amina.services.clock import FixedClock
from amina.services.registration.registrations import EventActor, deregister, request_confirmation

UNKNOWN = {"status": "not_valid", "initials": None, "address": None, "valid_until": None}


def test_a_valid_slip_shows_initials_address_and_valid_until_only(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    registration = registered(client, me)

    answer = client.get(f"/api/v1/verify/{registration['slip_code']}")

    assert answer.status_code == 200
    assert answer.json() == {
        "status": "valid",
        "initials": "F. R.",
        "address": "Москва, ул. Тверская, д. 7, кв. 12",
        "valid_until": "2026-11-04",
    }


def test_a_code_typed_in_lower_case_with_spaces_is_understood(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    code = registered(client, me)["slip_code"]
    typed = " ".join(code.replace("-", "").lower()[i : i + 3] for i in range(0, 13, 3))

    assert client.get(f"/api/v1/verify/{typed}").json()["status"] == "valid"


def test_a_closed_registration_is_not_valid_without_a_reason(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    old = registered(client, me)
    registered(client, me, address=PODOLSK)

    answer = client.get(f"/api/v1/verify/{old['slip_code']}")

    assert answer.status_code == 200
    assert answer.json() == {
        "status": "not_valid",
        "initials": "F. R.",
        "address": "Москва, ул. Тверская, д. 7, кв. 12",
        "valid_until": None,
    }


def test_a_deregistered_registration_is_not_valid_and_the_decision_stays_private(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    registration = registered(client, me)
    reason = "No location data for 12 working days; notice unanswered"
    with container.uow() as uow:
        request_confirmation(
            uow, container.clock, me.person_id, registration["id"], EventActor.system()
        )
        deregister(
            uow,
            container.clock,
            me.person_id,
            registration["id"],
            EventActor.staff(Actor(staff_id="inspector-1", role="inspector")),
            reason,
        )
        uow.commit()

    answer = client.get(f"/api/v1/verify/{registration['slip_code']}")

    assert answer.json()["status"] == "not_valid"
    assert set(answer.json()) == {"status", "initials", "address", "valid_until"}
    assert "12 working days" not in answer.text
    page = client.get("/verify", params={"code": registration["slip_code"], "lang": "en"})
    assert "Not valid" in page.text
    assert "12 working days" not in page.text


def test_a_slip_whose_stay_has_ended_is_not_valid(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    me = person(client, container)
    registration = registered(client, me, stay_to="2025-11-20")

    clock.advance(timedelta(days=16))

    assert client.get(f"/api/v1/verify/{registration['slip_code']}").json()["status"] == (
        "not_valid"
    )


def test_unknown_and_malformed_codes_get_the_same_404(client: TestClient) -> None:
    unknown = client.get("/api/v1/verify/ZZZZ-ZZZZ-ZZZZZ")
    malformed = client.get("/api/v1/verify/hello")

    assert unknown.status_code == malformed.status_code == 404
    assert unknown.json() == malformed.json() == UNKNOWN
    assert unknown.headers["content-type"] == malformed.headers["content-type"]


def test_lookups_are_limited_per_client_and_the_limit_lifts_after_the_window(
    client: TestClient, clock: FixedClock
) -> None:
    for _ in range(30):
        assert client.get("/api/v1/verify/ZZZZ-ZZZZ-ZZZZZ").status_code == 404

    refused = client.get("/api/v1/verify/ZZZZ-ZZZZ-ZZZZZ")
    page = client.get("/verify", params={"code": "ZZZZ-ZZZZ-ZZZZZ", "lang": "ru"})

    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 600
    assert page.status_code == 429
    assert "Слишком много проверок" in page.text
    clock.advance(timedelta(minutes=10))
    assert client.get("/api/v1/verify/ZZZZ-ZZZZ-ZZZZZ").status_code == 404


def test_lookups_are_counted_by_result_and_no_code_reaches_the_metrics(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    old = registered(client, me)
    current = registered(client, me, address=PODOLSK)

    client.get(f"/api/v1/verify/{current['slip_code']}")
    client.get(f"/api/v1/verify/{current['slip_code']}")
    client.get(f"/api/v1/verify/{old['slip_code']}")
    client.get("/verify", params={"code": "ZZZZ-ZZZZ-ZZZZZ"})

    metrics = client.get("/metrics").text
    counts = dict(re.findall(r'amina_verify_lookups_total\{result="(\w+)"\} (\d+)', metrics))
    assert counts == {"valid": "2", "not_valid": "1", "unknown": "1"}
    for code in (current["slip_code"], old["slip_code"], "ZZZZ"):
        assert code not in metrics
        assert code.replace("-", "") not in metrics


@pytest.mark.parametrize(
    ("language", "valid_word", "heading"),
    [
        ("hy", "Վավեր է", "Հաշվառման ստուգում"),
        ("ka", "მოქმედებს", "რეგისტრაციის შემოწმება"),
    ],
)
def test_the_verify_page_answers_a_qr_link_in_the_hosts_language(
    client: TestClient, container: Container, language: str, valid_word: str, heading: str
) -> None:
    me = person(client, container)
    registration = registered(client, me)
    code = registration["slip_code"].replace("-", "")

    page = client.get(f"/verify?code={code}", headers={"Accept-Language": language})

    assert page.status_code == 200
    assert page.headers["content-language"] == language
    assert f'<html lang="{language}">' in page.text
    assert heading in page.text
    assert f'<p class="verdict__word">{valid_word}</p>' in page.text
    assert "F. R." in page.text
    assert "Москва, ул. Тверская, д. 7, кв. 12" in page.text
    assert "Rahimov" not in page.text


def test_the_verify_page_offers_a_form_and_says_not_valid_for_an_unknown_code(
    client: TestClient,
) -> None:
    empty = client.get("/verify", params={"lang": "en"})
    unknown = client.get("/verify", params={"code": "7KQ3-M9XD-2HWPA", "lang": "en"})

    assert empty.status_code == 200
    assert '<form class="card stack" action="/verify" method="get"' in empty.text
    assert "verdict" not in empty.text.split("</form>")[1]
    assert unknown.status_code == 200
    assert '<p class="verdict__word">Not valid</p>' in unknown.text
    assert "No valid registration has this code." in unknown.text
