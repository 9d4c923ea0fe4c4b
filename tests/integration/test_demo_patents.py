"""The demo data gives one person in each patent state, as the README says (issue 11,
point 9): paid ahead with a receipt, due in 3 days, ended yesterday, an EAEU citizen with none."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console

from amina.bootstrap import Container
from amina.demo.loader import load_demo
from amina.domain.calendar import moscow_date
from amina.services.identity.cards import card_numbered
from amina.services.identity.enrolment import person_for_card
from amina.services.patent.patents import current_patent, person_needs_patent
from amina.services.patent.payments import payments_of

README = Path(__file__).resolve().parents[2] / "README.md"


def _person(container: Container, number: str) -> str:
    with container.uow() as uow:
        card = card_numbered(uow, number)
        assert card is not None
        person = person_for_card(uow, card, container.clock.now(), "ru")
        uow.commit()
        return person.id


@pytest.mark.usefixtures("client")
def test_the_demo_has_a_patent_in_each_state_and_the_readme_names_them(
    container: Container,
) -> None:
    console = Console(record=True, width=200)
    load_demo(container, console)
    load_demo(container, console)  # idempotent
    today = moscow_date(container.clock.now())
    ids = {n: _person(container, n) for n in ("7725000001", "7725000004", "7725000016")}
    eaeu_id = _person(container, "7725000007")
    shown = {}
    with container.uow() as uow:
        for number, person_id in ids.items():
            patent = current_patent(uow, container.clock, person_id)
            assert patent is not None, number
            shown[number] = (patent.state.value, patent.validity.paid_until)
        paid_ahead = payments_of(uow, ids["7725000001"])
        eaeu = person_needs_patent(uow, eaeu_id)
    assert shown["7725000001"][0] == "valid"
    assert shown["7725000001"][1] > today + timedelta(days=30)
    assert [p.status for p in paid_ahead] == ["succeeded"]
    assert shown["7725000004"] == ("valid", today + timedelta(days=3))
    assert shown["7725000016"] == ("lapsed", today - timedelta(days=1))
    assert eaeu is False
    readme = README.read_text(encoding="utf-8")
    for number in ("7725000001", "7725000004", "7725000016", "7725000007"):
        assert number in readme
