"""Demo work patents (issue 11, point 9): one person in each state, relative to today —

- 7725000001 (UZ): paid well ahead, with one payment made through the sandbox and its receipt;
- 7725000004 (TJ): paid until 3 days from today (the reminder comes; the app warns);
- 7725000016 (AZ): the last paid day was yesterday: the patent has ended;
- 7725000007 (KG): a citizen of the EAEU, who needs no patent (no record).

Recorded through the same use cases as the app's. Idempotent: a person who already has a
patent is left alone. Not in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from rich.console import Console

from amina.adapters.external.payments.sandbox import Outcome, SandboxProvider
from amina.bootstrap import Container
from amina.domain.calendar import moscow_date
from amina.domain.patent import Region, add_months, period
from amina.services.errors import AminaError
from amina.services.identity.cards import card_numbered
from amina.services.identity.enrolment import person_for_card
from amina.services.patent.patents import NewPatent, current_patent, record_patent
from amina.services.patent.payments import apply_provider_report, start_payment


@dataclass(frozen=True)
class DemoPatent:
    card_number: str
    language: str
    number: str
    inn: str
    oktmo: str
    #: The last paid day, as days from today (negative: in the past).
    paid_until_in_days: int
    months_at_issue: int
    state: str
    pay_months: int = 0  # a payment through the sandbox on top


PATENTS: tuple[DemoPatent, ...] = (
    DemoPatent(
        "7725000001", "uz", "77 2500100001", "500100732259", "45382000", 40, 2, "paid ahead", 2
    ),
    DemoPatent(
        "7725000004", "tg", "77 2500100004", "772500000408", "45312000", 3, 2, "due in 3 days"
    ),
    DemoPatent(
        "7725000016", "az", "50 2500100016", "772500001602", "46735000", -1, 3, "lapsed yesterday"
    ),
)
#: A citizen of Kyrgyzstan (EAEU): works without a patent.
NO_PATENT_NEEDED = "7725000007"


def _issued_on(paid_until: date, months: int) -> date:
    """A date of issue whose ``months`` paid months end on ``paid_until``."""
    guess = add_months(paid_until + timedelta(days=1), -months)
    for shift in range(-3, 4):
        candidate = guess + timedelta(days=shift)
        if period(candidate, months).end == paid_until:
            return candidate
    return guess


def load_demo_patents(container: Container, console: Console) -> None:
    if container.settings.is_production:
        console.print("[yellow]Demo patents are not loaded in production.[/]")
        return
    today = moscow_date(container.clock.now())
    console.print("[bold]Demo work patents[/] — sign in with the card to see each in the app:")
    for demo in PATENTS:
        try:
            until = _load(container, demo, today)
        except AminaError as error:  # e.g. a --clock outside the demo cards' validity
            console.print(f"[yellow]Demo patent for {demo.card_number} not made: {error.code}[/]")
            continue
        if until is not None:
            console.print(
                f"  {demo.card_number:<12} {demo.state:<17} paid until {until.isoformat()}",
                highlight=False,
            )
    console.print(f"  {NO_PATENT_NEEDED:<12} {'EAEU citizen':<17} needs no patent", highlight=False)


def _load(container: Container, demo: DemoPatent, today: date) -> date | None:
    with container.uow() as uow:
        card = card_numbered(uow, demo.card_number)
        if card is None:
            return None
        person = person_for_card(uow, card, container.clock.now(), demo.language)
        uow.commit()
    with container.uow() as uow:
        existing = current_patent(uow, container.clock, person.id)
    if existing is not None:
        return existing.validity.paid_until
    paid_until = today + timedelta(days=demo.paid_until_in_days)
    with container.uow() as uow:
        record_patent(
            uow,
            container.clock,
            person.id,
            NewPatent(
                demo.number,
                (Region.moscow,) if demo.oktmo.startswith("45") else (Region.moscow_oblast,),
                _issued_on(paid_until, demo.months_at_issue),
                demo.months_at_issue,
                demo.inn,
                demo.oktmo,
            ),
        )
        uow.commit()
    if demo.pay_months:
        _pay_in_the_sandbox(container, person.id, demo.pay_months)
    with container.uow() as uow:
        shown = current_patent(uow, container.clock, person.id)
    return None if shown is None else shown.validity.paid_until


def _pay_in_the_sandbox(container: Container, person_id: str, months: int) -> None:
    sandbox = container.payments
    if not isinstance(sandbox, SandboxProvider):
        return
    return_url = container.settings.public_url("/app/patent-return")
    with container.uow() as uow:
        payment = start_payment(
            uow, container.clock, sandbox, person_id, months, return_url=return_url
        )
        uow.commit()
    order = None if payment.provider_ref is None else sandbox.order(payment.provider_ref)
    if order is None:
        return
    report = sandbox.complete(order, Outcome.pay)
    apply_provider_report(container.uow, container.clock, sandbox, report)
