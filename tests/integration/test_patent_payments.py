"""The work patent's payment through the API and the sandbox acquirer (issue 11, points 3–5
and 8): exact amounts, paid-until dates, receipts, and callbacks that count once."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

from fastapi.testclient import TestClient
from patent_support import checkout, my_patent, paid, record, start
from registration_support import person
from sqlalchemy import select

from amina.adapters.db.patent.tables import PatentPaymentEventRow, PatentPaymentRow
from amina.bootstrap import Container
from amina.services.clock import FixedClock
from amina.services.patent.payments import reconcile_pending
from amina.services.ports import ProviderReport, ProviderState


def test_a_worker_records_the_patent_and_sees_paid_until_days_left_and_the_next_payment(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    before = client.get("/api/v1/me/patent", headers=me.bearer).json()
    assert before == {"needed": True, "patent": None}

    record(client, me)

    patent = my_patent(client, me)
    assert patent["paid_until"] == "2025-11-19"
    assert patent["days_left"] == 15
    assert patent["state"] == "valid"
    assert Decimal(patent["next_payment_amount"]) == Decimal(8900)
    assert patent["last_day_to_pay"] == "2025-11-19"
    assert patent["months_payable"] == 10


def test_a_citizen_of_the_eaeu_is_told_no_patent_is_needed(
    client: TestClient, container: Container
) -> None:
    me = person(client, container, "7725100002", citizenship="KG")
    assert client.get("/api/v1/me/patent", headers=me.bearer).json()["needed"] is False


def test_the_quote_is_the_exact_amount_with_the_tariff_row_and_its_legal_source(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    record(client, me)
    quote = client.get("/api/v1/me/patent/quote?months=3", headers=me.bearer).json()
    assert Decimal(quote["total"]) == Decimal(26700)
    assert Decimal(quote["monthly"]) == Decimal(8900)
    assert quote["covers_from"] == "2025-11-20"
    assert quote["covers_to"] == "2026-02-19"
    assert Decimal(quote["tariff"]["deflator"]) == Decimal("2.594")
    assert "227.1" in quote["tariff"]["source"]
    too_many = client.get("/api/v1/me/patent/quote?months=11", headers=me.bearer)
    assert too_many.status_code == 422
    assert too_many.json()["code"] == "patent_months_invalid"


def test_paying_two_months_in_the_sandbox_moves_paid_until_and_gives_a_receipt(
    client: TestClient, container: Container
) -> None:
    me = person(client, container, language="uz")
    record(client, me)

    payment = paid(client, me, 2)

    assert Decimal(payment["amount"]) == Decimal(17800)
    assert my_patent(client, me)["paid_until"] == "2026-01-19"
    history = client.get("/api/v1/me/patent/payments", headers=me.bearer).json()
    assert [p["status"] for p in history] == ["succeeded"]
    receipt = client.get(history[0]["receipt_url"], headers=me.bearer)
    assert receipt.status_code == 200
    assert receipt.content.startswith(b"%PDF")
    inbox = client.get("/api/v1/me/inbox", headers=me.bearer).json()
    assert any(m["kind"] == "patent_paid" for m in inbox)


def test_an_employer_checks_a_receipt_code_and_sees_only_the_period_and_the_patent_end(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    record(client, me)
    payment = paid(client, me, 1)
    with container.uow() as uow:
        code = uow.session.scalar(
            select(PatentPaymentRow.verification_code).where(PatentPaymentRow.id == payment["id"])
        )
    checked = client.get(f"/api/v1/patent-payments/check?code={code}").json()
    assert checked["paid"] is True
    assert checked["patent_number_end"] == "3456"
    assert checked["covers_from"] == "2025-11-20"
    assert "Rahimov" not in json.dumps(checked)
    assert "inn" not in checked
    page = client.get(f"/patent/check?code={code}&lang=en")
    assert "This patent payment went through." in page.text


def test_a_callback_that_arrives_twice_changes_nothing_twice_and_is_flagged(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    record(client, me)
    payment = paid(client, me, 1)
    report = container.payments.status(
        _ref(container, payment["id"])
    )  # what the acquirer says: succeeded
    body, signature = container.payments.callback(report)  # type: ignore[attr-defined]

    again = client.post(
        "/api/v1/payments/sandbox/callback",
        content=body,
        headers={"X-Payment-Signature": signature},
    )

    assert again.json() == {"outcome": "ignored"}
    assert my_patent(client, me)["paid_until"] == "2025-12-19"
    assert sorted(_events(container, payment["id"])) == [
        ("created", False),
        ("duplicate_report", True),
        ("succeeded", False),
    ]


def test_a_callback_without_a_valid_signature_is_refused(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/payments/sandbox/callback",
        content=b'{"payment_id": "x"}',
        headers={"X-Payment-Signature": "0" * 64},
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "payment_callback_invalid"


def test_a_callback_for_another_amount_extends_nothing_is_flagged_and_refunded(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    record(client, me)
    payment = start(client, me, 1).json()
    ref = _ref(container, payment["id"])
    forged = ProviderReport(
        payment["id"], ref, ProviderState.succeeded, Decimal(100), container.clock.now()
    )
    body, signature = container.payments.callback(forged)  # type: ignore[attr-defined]

    answer = client.post(
        "/api/v1/payments/sandbox/callback",
        content=body,
        headers={"X-Payment-Signature": signature},
    )

    assert answer.json() == {"outcome": "flagged"}
    assert my_patent(client, me)["paid_until"] == "2025-11-19"
    history = client.get("/api/v1/me/patent/payments", headers=me.bearer).json()
    assert history[0]["status"] == "flagged"
    assert history[0]["flag"] == "amount_mismatch"
    assert ("refund_requested", True) in _events(container, payment["id"])


def test_a_lost_callback_is_settled_by_reconciliation(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    me = person(client, container)
    record(client, me)
    payment = start(client, me, 2).json()
    checkout(client, payment, "lose_callback")
    assert my_patent(client, me)["paid_until"] == "2025-11-19"  # nothing heard yet

    clock.advance(timedelta(minutes=6))
    done = reconcile_pending(container.uow, clock, container.payments)

    assert done.applied == 1
    assert my_patent(client, me)["paid_until"] == "2026-01-19"
    assert ("succeeded", False) in _events(container, payment["id"])


def test_an_abandoned_checkout_times_out_and_frees_the_months(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    me = person(client, container)
    record(client, me)
    first = start(client, me, 1, key="a").json()
    refused = start(client, me, 1, key="b")
    assert refused.status_code == 409
    assert refused.json()["code"] == "patent_payment_pending"

    clock.advance(timedelta(minutes=31))
    reconcile_pending(container.uow, clock, container.payments)

    history = client.get("/api/v1/me/patent/payments", headers=me.bearer).json()
    assert history[0]["id"] == first["id"]
    assert history[0]["status"] == "expired"
    assert start(client, me, 1, key="c").status_code == 201


def test_the_same_idempotency_key_gives_the_same_payment_and_opens_no_second(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)
    record(client, me)
    first = start(client, me, 2, key="same")
    second = start(client, me, 2, key="same")
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert len(client.get("/api/v1/me/patent/payments", headers=me.bearer).json()) == 1


def test_a_lapsed_patent_cannot_be_paid_for(client: TestClient, container: Container) -> None:
    me = person(client, container)
    record(client, me, issued_on="2025-09-05")  # paid until 4 November, the day before today
    patent = my_patent(client, me)
    assert patent["state"] == "lapsed"
    assert patent["days_left"] == 0
    refused = start(client, me, 1)
    assert refused.status_code == 409
    assert refused.json()["code"] == "patent_lapsed"


def _ref(container: Container, payment_id: str) -> str:
    with container.uow() as uow:
        ref = uow.session.scalar(
            select(PatentPaymentRow.provider_ref).where(PatentPaymentRow.id == payment_id)
        )
    assert ref is not None
    return ref


def _events(container: Container, payment_id: str) -> list[tuple[str, bool]]:
    with container.uow() as uow:
        rows = uow.session.scalars(
            select(PatentPaymentEventRow)
            .where(PatentPaymentEventRow.payment_id == payment_id)
            .order_by(PatentPaymentEventRow.occurred_at, PatentPaymentEventRow.kind)
        ).all()
        return [(row.kind, row.flagged) for row in rows]
