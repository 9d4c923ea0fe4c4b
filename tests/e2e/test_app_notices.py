"""Notices and decisions in the person's app (issue 6, point 8), in Chromium at a phone's size:
a person who stayed silent finds the notice in the inbox with its deadline written the Russian
way and, after switching language, the Uzbek way, and confirms the address with a fresh
location; a person who moved answers with the new address; a person whose case was decided
reads the decision and objects to it.

A server of this module's own (not the shared one): the daily compliance sweep is run against
its database for days ahead — the same service the scheduler runs — and it would issue notices
to every silent person on the server. The inspector's decision is taken through the same use
case as the console's.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from axe_support import assert_accessible
from docs_images import docs_image
from harness import AminaServer, launch
from playwright.sync_api import Page, expect
from sqlalchemy import select
from test_person_app import card, screen, sign_in_by_card, translated

from amina.adapters.db.compliance.tables import CaseRow
from amina.adapters.external.boundaries import region_classifier
from amina.bootstrap import Container, build
from amina.demo.registrations import MOVER, STAYS
from amina.domain.address import Address
from amina.domain.calendar import moscow_date
from amina.domain.decisions import DecisionKind, DecisionRequest
from amina.domain.host import Host, HostKind
from amina.domain.roles import Role
from amina.i18n import LANGUAGE_NAMES, Translator
from amina.services.audit.trail import Actor
from amina.services.compliance.cases import decide_case
from amina.services.compliance.messages import (
    NOTE_WRITTEN_IN,
    STANDARD_REASON_TEXTS,
    language_name,
)
from amina.services.compliance.notices import notices_of
from amina.services.compliance.objections import decisions_of
from amina.services.compliance.sweep import sweep
from amina.services.identity.cards import card_numbered
from amina.services.identity.enrolment import person_for_card
from amina.services.policy.calendar import working_calendar
from amina.services.registration.registrations import RegistrationApplication, submit_registration
from amina.services.staff.accounts import list_staff
from amina.settings import load_settings

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

#: ``AMINA_DOCS_SCREENSHOTS=1`` refreshes the rules page's pictures in docs/images/ (docs/help.md).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "images"

#: Tverskaya street, Moscow.
TVERSKAYA = Address("RU-MOW", "Москва", "ул. Тверская", "9", None, "4", None, 55.7601, 37.6112)
HERE = {"latitude": 55.7601, "longitude": 37.6112, "accuracy": 15}
REASON = "No answer to the notice and no location for two weeks."
RUSSIAN_NOTE = "Звонили 14 ноября, телефон выключен."
OBJECTION = "Мой телефон сломался, я всё время жил по этому адресу на Тверской."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AminaServer]:
    started = launch(tmp_path_factory.mktemp("amina-notices"))
    yield started
    started.stop()


@pytest.fixture(scope="module")
def container(server: AminaServer) -> Container:
    """The services, on the server's own database, in its mode (as `AMINA_ENV=development amina
    sweep` would run them)."""
    return build(load_settings(database_url=server.database_url, env="development"))


def registered(container: Container, number: str) -> str:
    """The card holder (signed in before) registers at Tverskaya 9 today; their person id."""
    assert number not in {stay.card_number for stay in STAYS} | {MOVER}
    today = moscow_date(container.clock.now())
    with container.uow() as uow:
        found = card_numbered(uow, number)
        assert found is not None
        person = person_for_card(uow, found, container.clock.now(), "ru")
        submit_registration(
            uow,
            container.clock,
            region_classifier,
            person.id,
            RegistrationApplication(
                TVERSKAYA,
                Host(HostKind.person, "Иванова Мария Петровна", "4510 123456", None),
                today,
                date(today.year + 1, 1, 31),
                "work",
            ),
        )
        uow.commit()
        return person.id


def silent_until_notice(container: Container, person_id: str) -> date:
    """Sweep a day well past the allowed silence; the notice's deadline."""
    with container.uow() as uow:
        calendar = working_calendar(uow)
    day = calendar.add_working_days(moscow_date(container.clock.now()), 5)
    # every test here sweeps that same day for its own person: a day already swept is not
    # examined again (sweep progress), so the test asks for the whole pass, as `--again` does
    sweep(container.uow, container.clock, day, again=True)
    with container.uow() as uow:
        notices = notices_of(uow, person_id)
    assert [n.status.value for n in notices] == ["open"], notices
    return notices[0].deadline


def open_inbox(page: Page, language: str) -> None:
    home = screen(page, "home")
    home.get_by_role("link", name=translated(language, "Open my messages")).click()
    screen(page, "inbox")


def test_a_silent_person_sees_the_notice_with_its_deadline_in_their_language_and_confirms(
    phone_page: Page, server: AminaServer, container: Container
) -> None:
    person = card("7725000017")
    phone_page.context.grant_permissions(["geolocation"])
    phone_page.context.set_geolocation(HERE)
    sign_in_by_card(phone_page, server, "ru", person)
    person_id = registered(container, person["card_number"])
    deadline = silent_until_notice(container, person_id)

    phone_page.reload()
    home = screen(phone_page, "home")
    expect(home.locator("#home-inbox-due")).to_be_visible()
    open_inbox(phone_page, "ru")
    waiting = phone_page.locator("#inbox-waiting-list li")
    expect(waiting).to_have_count(1)
    in_russian = translated("ru", "Answer by %(date)s", date=Translator("ru").format_date(deadline))
    expect(waiting.first.locator(".notices-deadline")).to_have_text(in_russian)
    assert re.search(r"\d+ \w+ \d{4}", in_russian)  # "3 декабря 2026 г.": a calendar date
    message = phone_page.locator("#inbox-list li").first
    expect(message.locator(".notices-new")).to_have_text(translated("ru", "New"))
    expect(message.locator(".notices-message-title")).to_have_text(
        translated("ru", "Confirm your address or report a change")
    )

    # The person switches to Uzbek: the same deadline, written the Uzbek way.
    phone_page.locator(".app-bar-language").click()
    screen(phone_page, "language").get_by_role(
        "link", name=LANGUAGE_NAMES["uz"], exact=True
    ).click()
    expect(phone_page.locator("html")).to_have_attribute("lang", "uz")
    open_inbox(phone_page, "uz")
    in_uzbek = translated("uz", "Answer by %(date)s", date=Translator("uz").format_date(deadline))
    waiting = phone_page.locator("#inbox-waiting-list li")
    expect(waiting.first.locator(".notices-deadline")).to_have_text(in_uzbek)
    assert in_uzbek != in_russian

    waiting.first.get_by_role("link").click()
    notice = screen(phone_page, "notice")
    expect(notice.locator("#notice-status")).to_have_text(
        translated("uz", "Waiting for your answer")
    )
    expect(notice.locator("#notice-deadline")).to_have_text(in_uzbek)
    # Which address "I still live here" confirms, in words (as registered).
    expect(notice.locator("#notice-address")).to_be_visible()
    expect(notice.locator("#notice-address dt")).to_have_text(
        translated("uz", "Your registered address")
    )
    expect(notice.locator("#notice-address-text")).to_contain_text("Тверская")
    assert_accessible(phone_page, "the notice screen (uz)")
    notice.get_by_role("button", name=translated("uz", "I still live here — confirm")).click()

    expect(notice.locator("#notice-status")).to_have_text(translated("uz", "Answer received"))
    expect(phone_page.locator("#app-message")).to_have_text(
        translated("uz", "Thank you: your address is confirmed.")
    )
    expect(notice.locator("#notice-answers")).to_be_hidden()
    with container.uow() as uow:
        assert [n.status.value for n in notices_of(uow, person_id)] == ["answered"]

    # The inbox says so too, and the message that was read is no longer new.
    notice.get_by_role("link", name=translated("uz", "Back to my messages")).click()
    inbox = screen(phone_page, "inbox")
    expect(inbox.locator("#inbox-waiting")).to_be_hidden()
    expect(inbox.locator("#inbox-list li").first.locator(".notices-message-title")).to_have_text(
        translated("uz", "Thank you: your address is confirmed")
    )


def inspector(container: Container) -> Actor:
    with container.uow() as uow:
        account = next(s for s in list_staff(uow) if s.role is Role.inspector and s.active)
    return Actor(staff_id=account.staff_id, role=Role.inspector.value)


def decided_against(
    container: Container, person_id: str, request: DecisionRequest | None = None
) -> None:
    """The notice's deadline passes in silence, a case opens, an inspector deregisters."""
    deadline = silent_until_notice(container, person_id)
    with container.uow() as uow:
        calendar = working_calendar(uow)
    sweep(container.uow, container.clock, calendar.add_working_days(deadline, 1), again=True)
    deciding = inspector(container)
    with container.uow() as uow:
        case_id = uow.session.scalar(select(CaseRow.id).where(CaseRow.person_id == person_id))
        assert case_id is not None
        decide_case(
            uow,
            container.clock,
            deciding,
            case_id,
            request or DecisionRequest(DecisionKind.deregister, REASON),
        )
        uow.commit()


def test_a_person_reads_the_decision_on_their_case_and_objects_to_it(
    phone_page: Page, server: AminaServer, container: Container
) -> None:
    person = card("7725000019")
    sign_in_by_card(phone_page, server, "ru", person)
    person_id = registered(container, person["card_number"])
    decided_against(container, person_id)

    phone_page.reload()
    open_inbox(phone_page, "ru")
    decision_message = phone_page.locator("#inbox-list li[data-kind=decision]")
    expect(decision_message.locator(".notices-new")).to_be_visible()
    decision_message.locator("summary").click()
    expect(decision_message.locator(".notices-new")).to_be_hidden()  # read now
    decision_message.get_by_role("link", name=translated("ru", "Open the decision")).click()

    decision = screen(phone_page, "decision")
    expect(decision.get_by_role("heading", level=1)).to_have_text(
        translated("ru", "Decision: your registration is cancelled")
    )
    expect(decision.locator("#decision-text")).to_contain_text(REASON)
    today = moscow_date(container.clock.now())
    with container.uow() as uow:
        until = decisions_of(uow, container.clock, person_id)[0].decision.objection_until
    assert until is not None
    assert until > today
    expect(decision.locator("#decision-until")).to_have_text(Translator("ru").format_date(until))
    form = decision.locator("#form-objection")
    form.get_by_label(translated("ru", "Why is the decision wrong?")).fill(OBJECTION)
    form.get_by_role("button", name=translated("ru", "Send the objection")).click()

    objection = decision.locator("#decision-objection")
    expect(objection).to_be_visible()
    expect(objection.locator("#objection-text")).to_have_text(OBJECTION)
    expect(objection.locator("#objection-status")).to_have_text(
        translated("ru", "A supervisor is reviewing your objection.")
    )
    expect(form).to_be_hidden()  # one objection per decision
    expect(phone_page.locator("#app-message")).to_have_text(
        translated(
            "ru",
            "Your objection is recorded. A supervisor who did not take the decision will "
            "review it.",
        )
    )
    # The message belongs to the decision: it does not follow the person to other screens.
    decision.get_by_role("link", name=translated("ru", "Back to my messages")).click()
    expect(screen(phone_page, "inbox")).to_be_visible()
    expect(phone_page.locator("#app-message")).to_be_empty()
    phone_page.go_back()
    # Recorded on the server, and the case is back with a supervisor.
    phone_page.reload()
    expect(screen(phone_page, "decision").locator("#objection-text")).to_have_text(OBJECTION)


@pytest.mark.parametrize(
    ("language", "number"),
    [("ru", "7725000005"), ("uz", "7725000009"), ("ka", "7725000036")],
    ids=["russian", "uzbek", "georgian"],
)
def test_a_reader_reads_the_standard_reason_in_their_language_and_the_russian_note_marked(
    phone_page: Page, server: AminaServer, container: Container, language: str, number: str
) -> None:
    """Issue 13, point 3: the inspector chose a standard reason and wrote a note in Russian."""
    person = card(number)
    sign_in_by_card(phone_page, server, language, person)
    person_id = registered(container, person["card_number"])
    decided_against(
        container,
        person_id,
        DecisionRequest(
            DecisionKind.deregister,
            RUSSIAN_NOTE,
            reason_code="no_data_no_answer",
            note_language="ru",
        ),
    )

    phone_page.reload()
    open_inbox(phone_page, language)
    decision_message = phone_page.locator("#inbox-list li[data-kind=decision]")
    decision_message.locator("summary").click()
    decision_message.get_by_role("link", name=translated(language, "Open the decision")).click()
    decision = screen(phone_page, "decision")
    expect(decision.get_by_role("heading", level=1)).to_have_text(
        translated(language, "Decision: your registration is cancelled")
    )
    text = decision.locator("#decision-text")
    expect(text).to_contain_text(translated(language, STANDARD_REASON_TEXTS["no_data_no_answer"]))
    reader = Translator(language)
    russian = {"ru": "русский", "uz": "ruscha", "ka": "რუსული"}[language]
    marked = reader.gettext(
        NOTE_WRITTEN_IN, language=language_name("ru", reader), note=RUSSIAN_NOTE
    )
    assert russian in marked.lower()
    expect(text).to_contain_text(marked)
    assert_accessible(phone_page, f"the decision screen ({language})")
    docs_image(phone_page, f"app-decision-reason-{language}.png", full_page=True)


def test_a_person_who_moved_answers_the_notice_with_the_new_address(
    phone_page: Page, server: AminaServer, container: Container
) -> None:
    person = card("7725000033")
    phone_page.context.grant_permissions(["geolocation"])
    phone_page.context.set_geolocation({"latitude": 55.7069, "longitude": 37.5870, "accuracy": 10})
    sign_in_by_card(phone_page, server, "az", person)
    person_id = registered(container, person["card_number"])
    silent_until_notice(container, person_id)

    phone_page.reload()
    screen(phone_page, "home").locator("#home-inbox-due a").click()
    notice = screen(phone_page, "notice")
    notice.get_by_role("button", name=translated("az", "I moved — change address")).click()

    register = screen(phone_page, "register")
    expect(register.get_by_role("heading", level=1)).to_have_text(
        translated("az", "Report your new address")
    )
    form = register.locator("#form-register")
    expect(form.locator('[name="host.name"]')).to_have_value("Иванова Мария Петровна")
    form.locator('[name="address.street"]').fill("Ленинский просп.")
    form.locator('[name="address.house"]').fill("30")
    form.locator('[name="address.flat"]').fill("7")
    at_address = translated("az", "I am at this address now — use my location")
    form.get_by_role("button", name=at_address).click()
    expect(form.locator("#reg-locate-status")).to_contain_text("10")  # accuracy, metres
    form.get_by_role("button", name=translated("az", "Continue to the check")).click()
    phone_page.get_by_role("button", name=translated("az", "Send the registration")).click()

    registration = screen(phone_page, "registration")
    expect(registration.locator("#registration-address")).to_have_text(
        "Москва, Ленинский просп., д. 30, кв. 7"
    )
    expect(phone_page.locator("#app-message")).to_have_text(
        translated("az", "Your new address is registered and the notice is answered.")
    )
    with container.uow() as uow:
        assert [n.status.value for n in notices_of(uow, person_id)] == ["answered"]


@pytest.mark.parametrize(
    ("language", "number"), [("ru", "7725000034"), ("uz", "7725000002"), ("ka", "7725000037")]
)
def test_a_person_with_a_notice_finds_the_rules_from_it_in_their_language(
    phone_page: Page, server: AminaServer, container: Container, language: str, number: str
) -> None:
    person = card(number)
    sign_in_by_card(phone_page, server, language, person)
    person_id = registered(container, person["card_number"])
    silent_until_notice(container, person_id)

    phone_page.reload()
    open_inbox(phone_page, language)
    phone_page.locator("#inbox-waiting-list li").first.get_by_role("link").click()
    notice = screen(phone_page, "notice")
    rules = translated(language, "Rules and your rights: deadlines, objections, your data")
    notice.get_by_role("link", name=rules).click()

    expect(phone_page).to_have_url(re.compile(rf"/help\?lang={language}$"))
    expect(phone_page.locator("html")).to_have_attribute("lang", language)
    expect(phone_page.get_by_role("heading", level=1)).to_have_text(
        translated(language, "Rules: what is sent, deadlines, objections, your data")
    )
    # the numbers of the policy in force: a notice after more than 3 working days without
    # data, 3 working days to answer it, 10 days to object, reports kept for 30 days
    expect(phone_page.locator("#help-no-data")).to_contain_text("3")
    expect(phone_page.locator("#help-deadline")).to_contain_text("3")
    expect(phone_page.locator("#help-objection")).to_contain_text("10")
    expect(phone_page.locator("#help-retention")).to_contain_text("30")
    # readable on the phone without scrolling sideways
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        "the help page is wider than the phone"
    )
    if os.environ.get("AMINA_DOCS_SCREENSHOTS") == "1":
        phone_page.screenshot(path=str(SCREENSHOTS / f"help-{language}-phone.png"))
