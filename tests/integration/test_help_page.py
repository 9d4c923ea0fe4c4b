"""A person can find the rules (issue 13, point 8): the help page at /help, in every language,
with the numbers of the policy in force, linked from the landing page, the app's menu and every
notice, message and decision screen."""

from __future__ import annotations

import re
from datetime import date, timedelta

from fastapi.testclient import TestClient

from amina.bootstrap import Container
from amina.domain.roles import Role
from amina.i18n import LANGUAGES
from amina.services.audit.trail import Actor
from amina.services.clock import FixedClock
from amina.services.policy.versions import propose_policy_version
from amina.services.staff.accounts import create_staff

#: The page's title as a reader of each language must see it (not the English id).
TITLES = {
    "ru": "Правила: что отправляется, сроки, жалобы, ваши данные",
    "uz": "Qoidalar: nima yuboriladi, muddatlar, shikoyatlar, maʼlumotlaringiz",
    "tg": "Қоидаҳо: чӣ фиристода мешавад, мӯҳлатҳо, шикоятҳо, маълумоти шумо",
    "ky": "Эрежелер: эмне жөнөтүлөт, мөөнөттөр, даттануулар, сиздин маалыматтарыңыз",
    "hy": "Կանոններ. ինչ է ուղարկվում, ժամկետներ, բողոքներ, ձեր տվյալները",
    "kk": "Ережелер: не жіберіледі, мерзімдер, шағымдар, сіздің деректеріңіз",
    "ka": "წესები: რა იგზავნება, ვადები, საჩივრები, თქვენი მონაცემები",
    "az": "Qaydalar: nə göndərilir, müddətlər, şikayətlər, məlumatlarınız",
    "ro": "Reguli: ce se trimite, termene, contestații, datele dumneavoastră",
    "uk": "Правила: що надсилається, строки, скарги, ваші дані",
    "en": "Rules: what is sent, deadlines, objections, your data",
}


def _by_id(html: str, element_id: str) -> str:
    """The text of the element with this id (tags removed)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"the page has no #{element_id}"
    return re.sub(r"<[^>]+>", "", match.group(2)).strip()


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


def _help(client: TestClient, language: str) -> str:
    answer = client.get("/help", params={"lang": language})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-language"] == language
    return answer.text


def test_the_help_page_gives_the_rules_in_force_in_every_language(client: TestClient) -> None:
    assert set(TITLES) == set(LANGUAGES)
    for language, title in TITLES.items():
        html = _help(client, language)

        assert re.search(r"<h1[^>]*>\s*" + re.escape(title) + r"\s*</h1>", html), language
        # the initial policy: more than 3 working days without data, 3 working days to answer,
        # a reminder after 1, 3 days out of the region, 10 days to object, reports kept 30 days
        assert _numbers(_by_id(html, "help-no-data")) == [3], language
        assert _numbers(_by_id(html, "help-deadline")) == [3], language
        assert _numbers(_by_id(html, "help-reminder")) == [1], language
        assert _numbers(_by_id(html, "help-out-of-region")) == [3], language
        assert _numbers(_by_id(html, "help-objection")) == [10], language
        assert _numbers(_by_id(html, "help-retention")) == [30], language
        assert "2025-09-01.1" in _by_id(html, "help-policy"), language


def test_the_help_page_says_the_numbers_in_correct_russian(client: TestClient) -> None:
    html = _help(client, "ru")

    assert "дольше, чем 3 рабочих дня" in _by_id(html, "help-no-data")
    assert "дольше, чем 1 рабочий день" in _by_id(html, "help-reminder")
    assert "у вас есть 3 рабочих дня" in _by_id(html, "help-deadline")
    assert "10 дней со дня решения" in _by_id(html, "help-objection")
    assert "хранится 30 дней" in _by_id(html, "help-retention")
    assert "раз в 15 минут" in html
    assert "5 ноября 2025" in _by_id(html, "help-policy")


def test_the_help_page_follows_a_supervisors_new_policy_on_the_day_it_takes_effect(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    with container.uow() as uow:
        boss = create_staff(
            uow, clock, username="supervisor-one", role=Role.supervisor, display_name="A boss"
        )
        propose_policy_version(
            uow,
            clock,
            Actor(staff_id=boss.account.staff_id, role=boss.account.role.value),
            date(2025, 11, 6),
            {
                "no_data_working_days": 5,
                "notice_deadline_working_days": 4,
                "reminder_after_working_days": 0,
                "out_of_region_days": 0,
                "objection_days": 21,
                "report_retention_days": 60,
            },
            "Order No. 17 of 4 November 2025: new deadlines",
        )
        uow.commit()
    before = _help(client, "ru")

    clock.advance(timedelta(days=1))
    after = {language: _help(client, language) for language in LANGUAGES}

    assert _numbers(_by_id(before, "help-no-data")) == [3]
    assert "help-reminder" in before
    for language, html in after.items():
        assert _numbers(_by_id(html, "help-no-data")) == [5], language
        assert _numbers(_by_id(html, "help-deadline")) == [4], language
        assert _numbers(_by_id(html, "help-objection")) == [21], language
        assert _numbers(_by_id(html, "help-retention")) == [60], language
        # a rule the policy switched off is not described as if it applied
        assert 'id="help-reminder"' not in html, language
        assert 'id="help-out-of-region"' not in html, language
    assert "дольше, чем 5 рабочих дней" in _by_id(after["ru"], "help-no-data")
    assert "у вас есть 4 рабочих дня" in _by_id(after["ru"], "help-deadline")
    assert "21 день со дня решения" in _by_id(after["ru"], "help-objection")


def _block(html: str, pattern: str) -> str:
    match = re.search(pattern, html, re.S)
    assert match, pattern
    return match.group(0)


def test_every_notice_message_and_decision_screen_links_to_the_rules(client: TestClient) -> None:
    for language in ("ru", "uz", "ka", "en"):
        app = client.get("/app", params={"lang": language}).text
        link = f'href="/help?lang={language}"'
        screens = {
            # the messages screen holds a section of its own: up to the notice screen
            "messages": r'<section id="screen-inbox".*?(?=<section id="screen-notice")',
            "each message": r'<template id="inbox-message">.*?</template>',
            "notice": r'<section id="screen-notice".*?</section>',
            "decision": r'<section id="screen-decision".*?</section>\s*<script',
            "menu": r'<nav class="card app-menu".*?</nav>',
        }
        for name, pattern in screens.items():
            assert link in _block(app, pattern), f"{name} in {language}"

        landing = client.get("/", params={"lang": language}).text
        assert link in landing, language
        assert client.get(f"/help?lang={language}").status_code == 200
