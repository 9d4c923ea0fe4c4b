"""Staff and the patent (issue 11, point 7): the paid-until date beside the registration in a
case file (``patent.view``, audited), and the supervisor's tariff table (versions with a
reason, audited; unverified rows marked)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from case_support import case_of, registered_person, sweep_on
from fastapi.testclient import TestClient
from patent_support import record
from sqlalchemy import select

from amina.adapters.db.audit.tables import AuditEntryRow
from amina.bootstrap import Container
from amina.domain.patent import Region
from amina.services.clock import FixedClock
from amina.services.patent.tariffs import tariff_book
from tests.conftest import StaffLogin

SignIn = Callable[[str], StaffLogin]
EN = {"Accept-Language": "en"}
PURPOSE = "Review of the missed deadline"


def _actions(container: Container, action: str) -> list[tuple[str | None, str]]:
    with container.uow() as uow:
        rows = uow.session.execute(
            select(AuditEntryRow.person_id, AuditEntryRow.purpose).where(
                AuditEntryRow.action == action
            )
        )
        return [(row.person_id, row.purpose) for row in rows]


def test_a_case_file_shows_the_patents_paid_until_date_beside_the_registration_audited(
    client: TestClient, container: Container, clock: FixedClock, sign_in_staff: SignIn
) -> None:
    session = registered_person(client, container, clock, "7725100001", date(2025, 11, 5))
    record(client, session)  # paid until 19 November 2025
    sweep_on(container, clock, date(2025, 11, 11))
    sweep_on(container, clock, date(2025, 11, 17))
    case_id = case_of(container, session.person_id)
    inspector = sign_in_staff("inspector")

    page = client.post(
        f"/console/cases/{case_id}",
        data={
            "purpose_code": "other",
            "purpose_details": PURPOSE,
            "csrf_token": inspector.csrf_token,
        },
        headers=EN,
    )

    assert page.status_code == 200
    shown = re.search(r'id="patent-paid-until">(.*?)</dd>', page.text, re.S)
    assert shown is not None
    assert "November 19, 2025" in shown.group(1)
    assert _actions(container, "patent.view") == [(session.person_id, PURPOSE)]


def test_the_supervisor_sees_the_tariff_rows_with_unverified_ones_marked(
    client: TestClient, sign_in_staff: SignIn
) -> None:
    sign_in_staff("supervisor")
    page = client.get("/console/patent-tariffs", headers=EN).text
    moscow = re.search(r'data-year="2026" data-region="RU-MOW".*?</tr>', page, re.S)
    oblast = re.search(r'data-year="2026" data-region="RU-MOS".*?</tr>', page, re.S)
    assert moscow is not None
    assert oblast is not None
    assert "10000" in moscow.group(0)
    assert "data-unverified" not in moscow.group(0)
    assert "data-unverified" in oblast.group(0)
    assert "not verified" in oblast.group(0)


def test_a_supervisor_adds_a_tariff_version_with_a_reason_and_it_is_audited_and_applied(
    client: TestClient, container: Container, sign_in_staff: SignIn
) -> None:
    supervisor = sign_in_staff("supervisor")
    answer = client.post(
        "/console/patent-tariffs",
        data={
            "csrf_token": supervisor.csrf_token,
            "year": "2025",
            "region": "RU-MOS",
            "deflator": "2.594",
            "coefficient": "2.8",
            "source": "Moscow Oblast law on the coefficient (test)",
            "verified": "1",
            "reason": "Checked against the Oblast law",
        },
        headers=EN,
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    with container.uow() as uow:
        row = tariff_book(uow).on(Region.moscow_oblast, date(2025, 11, 5))
    assert row.version == 2
    assert row.amount == Decimal(8716)  # 1200 × 2.594 × 2.8 = 8715.84
    assert row.verified
    assert _actions(container, "patent.tariff_version_added") == [
        (None, "Checked against the Oblast law")
    ]


def test_a_tariff_version_without_a_reason_is_refused_and_an_operator_may_not_edit(
    client: TestClient, sign_in_staff: SignIn
) -> None:
    supervisor = sign_in_staff("supervisor")
    refused = client.post(
        "/console/patent-tariffs",
        data={
            "csrf_token": supervisor.csrf_token,
            "year": "2025",
            "region": "RU-MOW",
            "deflator": "2.594",
            "coefficient": "2.9",
            "source": "Moscow city law (test)",
            "reason": "",
        },
        headers=EN,
    )
    assert refused.status_code == 422
    sign_in_staff("operator")
    assert client.get("/console/patent-tariffs", headers=EN).status_code == 403
