"""Policy values have ranges: the editor refuses a value outside its parameter's range and shows
every problem of the form at once, in the console's language; and a value out of range that is
already stored (from before the ranges, or written by hand) never makes ingest fail."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, timedelta

import httpx
from fastapi.testclient import TestClient
from report_support import fix, reporting_person, send, statuses
from structlog.testing import capture_logs

from amina.adapters.db.policy.tables import PolicyVersionRow
from amina.bootstrap import Container
from amina.domain.calendar import moscow_date
from amina.domain.policy import INITIAL_POLICY_DOCUMENT
from amina.services.clock import FixedClock
from amina.services.policy.versions import policy_book
from tests.conftest import StaffLogin

ORDER = "Order No. 17 of the Interior Ministry of 1 November 2025"
NEXT_WEEK = date(2025, 11, 12)  # DEFAULT_NOW is Wed 5 Nov 2025 in Moscow


def _schedule(
    client: TestClient, login: StaffLogin, language: str, **fields: str
) -> httpx.Response:
    data = {"csrf_token": login.csrf_token, "reason": ORDER, **fields}
    return client.post(
        "/console/policy",
        data=data,
        headers={"Accept-Language": language},
        follow_redirects=False,
    )


def test_the_editor_refuses_a_value_outside_its_range_in_russian_and_english(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], StaffLogin]
) -> None:
    supervisor = sign_in_staff("supervisor")
    field = {"parameter.future_tolerance_minutes": str(10**14)}
    expected = {
        "en": "takes a value from 0 to 1440",
        "ru": "принимает значение от 0 до 1440",
    }
    for language, message in expected.items():
        refused = _schedule(
            client, supervisor, language, effective_from=NEXT_WEEK.isoformat(), **field
        )
        assert refused.status_code == 422, language
        assert message in refused.text, language
    page = client.get("/console/policy", headers={"Accept-Language": "en"}).text
    assert "From 0 to 1440" in page  # the range is shown beside the field
    with container.uow() as uow:
        assert len(policy_book(uow).versions) == 1


def test_the_editor_shows_every_problem_of_the_form_at_once(
    client: TestClient, container: Container, sign_in_staff: Callable[[str], StaffLogin]
) -> None:
    supervisor = sign_in_staff("supervisor")
    refused = _schedule(
        client,
        supervisor,
        "en",
        effective_from="next tuesday",
        reason="",
        **{
            "parameter.future_tolerance_minutes": str(10**14),
            "parameter.objection_days": "2.5",
            "parameter.proximity_check_enabled": "maybe",
            "parameter.days_of_grace": "3",
        },
    )
    assert refused.status_code == 422
    for message in (
        "Enter a date as YYYY-MM-DD.",
        "Name the order or decision this change follows",
        "takes a value from 0 to 1440",
        "takes a whole number",
        "Choose on or off",
        "no parameter called days_of_grace",
    ):
        assert message in refused.text, message
    assert refused.text.count('class="field-error"') >= 4  # each beside its own field
    with container.uow() as uow:
        assert len(policy_book(uow).versions) == 1


def test_a_stored_value_out_of_range_never_makes_a_report_fail(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    session = reporting_person(client, container)
    # Written before the ranges existed (the editor no longer lets anyone store it).
    document = copy.deepcopy(INITIAL_POLICY_DOCUMENT)
    document["parameters"]["future_tolerance_minutes"] = 10**14
    today = moscow_date(clock.now())
    with container.uow() as uow:
        uow.session.add(
            PolicyVersionRow(
                version=f"{today.isoformat()}.1",
                effective_from=today,
                document=document,
                created_at=clock.now(),
                created_by=None,
                reason="Stored before the ranges",
            )
        )
        uow.commit()

    with capture_logs() as logs:
        batch = [fix(clock.now()), fix(clock.now() + timedelta(hours=2))]
        answer = send(client, session, {"reports": batch})
    # read as the default (5 minutes): the report two hours ahead is flagged, not a crash
    assert statuses(answer) == ["accepted", "accepted"]
    assert "future_time" in answer.json()["results"][1]["flags"]
    warnings = [entry for entry in logs if entry["event"] == "policy_parameter_unusable"]
    assert warnings, logs
    assert warnings[0]["parameter"] == "future_tolerance_minutes"
    assert set(warnings[0]) <= {"event", "log_level", "version", "parameter", "using"}
