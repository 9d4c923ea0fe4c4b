"""Due process end to end (issue 6, point 9): a person gets a notice, answers it, it resolves;
another misses the deadline, an inspector deregisters with a reason, the person objects, a
supervisor overturns, and the registration is active again.

One server's database lives through three fixed days (the clock moves only by restarting the
server on the same database file); the daily sweep runs in between with ``amina sweep --on``,
as an operator would run it by hand:

- Wed 5 Nov 2025: Timur (A) and Rustam (B) register at Tverskaya 7 and their phones report.
- Tue 11 Nov: the sweep sends both a notice (more than three working days without data); the
  deadline is Fri 14 Nov.
- Wed 12 Nov: A confirms the address; B's phone says location permission is off.
- Mon 17 Nov: the sweep opens a case for B. The inspector opens it with a purpose and
  deregisters B with a referral; B objects; the supervisor overturns; B's registration is
  active again and the referral withdrawn.

The person's side goes through the public API with the person's own token (the app's notice
and decision screens are not there yet). Set ``AMINA_DOCS_SCREENSHOTS=1`` to refresh the
console screenshots in docs/images/.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from axe_support import assert_accessible
from harness import REPO, AminaServer, launch
from playwright.sync_api import Page, expect

from amina.demo.cards import DEMO_REGISTER
from amina.demo.staff import DEMO_STAFF, DemoStaff
from amina.domain.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

INSPECTOR = next(demo for demo in DEMO_STAFF if demo.role is Role.inspector)
SUPERVISOR = next(demo for demo in DEMO_STAFF if demo.role is Role.supervisor)
CODE = re.compile(r"\b(\d{6})\b")
SCREENSHOTS = REPO / "docs" / "images"
TAKE_SCREENSHOTS = os.environ.get("AMINA_DOCS_SCREENSHOTS") == "1"

REGISTERED = "2025-11-05T10:00:00+03:00"
ANSWERED = "2025-11-12T10:00:00+03:00"
DECIDED = "2025-11-17T10:00:00+03:00"

TVERSKAYA = {
    "region": "RU-MOW",
    "settlement": "Москва",
    "street": "ул. Тверская",
    "house": "7",
    "building": None,
    "flat": "12",
    "fias_id": None,
    "lat": 55.7577,
    "lon": 37.6116,
}
HOST = {"kind": "person", "name": "Иванова Мария Петровна", "document": "4510 123456"}
REASON = (
    "No location data since 5 November and no answer to the notice of 11 November; "
    "the deadline of 14 November has passed."
)
OBJECTION = "My phone's location permission was switched off by an update; I never left Moscow."
OVERTURN = "The phone's status shows the permission was off; the person stayed at the address."


@dataclass(frozen=True)
class Holder:
    card_number: str
    date_of_birth: str
    phone: str


#: Demo card holders without a demo registration (amina/demo/cards.py).
TIMUR = "7725000029"
RUSTAM = "7725000030"


def demo_card(number: str) -> Holder:
    with DEMO_REGISTER.open(encoding="utf-8", newline="") as register:
        row = next(r for r in csv.DictReader(register) if r["card_number"] == number)
    return Holder(row["card_number"], row["date_of_birth"], row["phone"])


class Person:
    """A card holder's phone talking to the public API."""

    def __init__(self, server: AminaServer, holder: Holder) -> None:
        self.http = httpx.Client(base_url=server.url, timeout=15)
        self.holder = holder
        self.token = ""
        self.device = ""
        self.person_id = ""

    def sign_in(self) -> None:
        seen = self._codes()
        asked = self.http.post(
            "/api/v1/auth/otp",
            json={
                "method": "card",
                "card_number": self.holder.card_number,
                "date_of_birth": self.holder.date_of_birth,
            },
        )
        assert asked.status_code == 202, asked.text
        # the code leaves after the answer is sent
        deadline = time.monotonic() + 10
        while len(codes := self._codes()) <= len(seen):
            assert time.monotonic() < deadline, "no sign-in code was sent"
            time.sleep(0.1)
        answer = self.http.post(
            "/api/v1/auth/verify",
            json={
                "challenge_id": asked.json()["challenge_id"],
                "code": codes[0],
                "device": {"name": "Phone", "platform": "android"},
            },
        )
        assert answer.status_code == 200, answer.text
        self.token = answer.json()["access_token"]
        self.device = answer.json()["device_credential"]
        self.person_id = answer.json()["person"]["id"]

    def _codes(self) -> list[str]:
        messages = self.http.get("/dev/sms.json").json()
        return [
            match.group(1)
            for message in messages
            if message["to"] == self.holder.phone and (match := CODE.search(message["text"]))
        ]

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str) -> Any:
        answer = self.http.get(path, headers=self.bearer)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def post(self, path: str, body: dict[str, Any], expected: int = 200) -> Any:
        answer = self.http.post(path, json=body, headers=self.bearer)
        assert answer.status_code == expected, answer.text
        return answer.json()

    def report(self, batch: dict[str, Any]) -> None:
        answer = self.http.post(
            "/api/v1/reports", json=batch, headers={"Authorization": f"Device {self.device}"}
        )
        assert answer.status_code == 200, answer.text

    def registration_status(self) -> str:
        return str(self.get("/api/v1/me/registrations")[0]["status"])  # newest first


def fix(at: str) -> dict[str, Any]:
    return {
        "client_id": uuid.uuid4().hex,
        "device_time": at,
        "lat": TVERSKAYA["lat"],
        "lon": TVERSKAYA["lon"],
        "accuracy_m": 12.5,
        "provider": "gps",
        "mocked": False,
    }


class Days:
    """One database, served on one fixed day at a time."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.server: AminaServer | None = None

    def serve(self, clock: str, *, demo: bool = False) -> AminaServer:
        self.stop()
        self.server = launch(self.folder, demo=demo, clock=f"fixed:{clock}")
        return self.server

    def sweep(self, day: str) -> None:
        """`amina sweep --on DAY` against the same database, at 06:00 that day."""
        self.stop()
        environment = {
            **os.environ,
            "AMINA_ENV": "development",
            "DATABASE_URL": f"sqlite:///{self.folder / 'amina.sqlite3'}",
            "AMINA_DATA_DIR": str(self.folder / "var"),
            "AMINA_CLOCK": f"fixed:{day}T06:00:00+03:00",
            "PYTHONPATH": str(REPO),
        }
        done = subprocess.run(
            [sys.executable, "-m", "amina", "sweep", "--on", day],
            cwd=self.folder,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


@pytest.fixture
def days(tmp_path: Path) -> Iterator[Days]:
    running = Days(tmp_path / "amina")
    yield running
    running.stop()


def sign_in_to_console(page: Page, server: AminaServer, staff: DemoStaff, at: str) -> None:
    """With a fixed clock the code is that of the fixed instant (once per account and run)."""
    code = pyotp.TOTP(staff.totp_secret).at(datetime.fromisoformat(at))
    page.goto(f"{server.url}/console/sign-in?lang=en")
    page.get_by_label("Username").fill(staff.username)
    page.get_by_label("Password").fill(staff.password)
    page.get_by_label("Code from the authenticator app").fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/console$"))


def sign_out_of_console(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/console/sign-in"))


def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    if TAKE_SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=full_page)


def test_a_missed_deadline_is_decided_by_people_and_an_objection_can_undo_it(
    page: Page, days: Days
) -> None:
    timur, rustam = demo_card(TIMUR), demo_card(RUSTAM)

    # Wed 5 Nov: both register; their phones report through the morning.
    server = days.serve(REGISTERED, demo=True)
    a, b = Person(server, timur), Person(server, rustam)
    for person in (a, b):
        person.sign_in()
        person.post(
            "/api/v1/me/registrations",
            {
                "address": TVERSKAYA,
                "host": HOST,
                "stay_from": "2025-11-05",
                "stay_to": "2026-11-04",
                "purpose": "work",
                "dependants": [],
            },
            expected=201,
        )
        person.report(
            {
                "reports": [
                    fix(f"2025-11-05T0{hour}:{minute}:00+03:00")
                    for hour in (8, 9)
                    for minute in ("00", "15", "30", "45")
                ]
            }
        )

    # Tue 11 Nov: the sweep sends both a notice.
    days.sweep("2025-11-11")

    # Wed 12 Nov: A confirms the address in answer; B's phone reports permission off.
    server = days.serve(ANSWERED)
    a, b = Person(server, timur), Person(server, rustam)
    a.sign_in()
    [notice] = a.get("/api/v1/me/notices")
    assert notice["status"] == "open"
    assert notice["deadline"] == "2025-11-14"
    assert a.registration_status() == "confirmation_requested"
    answered = a.post(
        f"/api/v1/me/notices/{notice['id']}/confirm", {"report": fix("2025-11-12T09:58:00+03:00")}
    )
    assert answered["status"] == "answered"
    assert a.registration_status() == "active"
    b.sign_in()
    b.report(
        {
            "status": {
                "at": "2025-11-12T09:30:00+03:00",
                "location_permission": False,
                "location_services": True,
            }
        }
    )
    assert b.get("/api/v1/me/notices")[0]["status"] == "open"

    a_id = a.person_id
    # Mon 17 Nov: B missed the deadline; the sweep opens a case (A has none).
    days.sweep("2025-11-17")
    server = days.serve(DECIDED)
    a, b = Person(server, timur), Person(server, rustam)
    b.sign_in()
    assert b.registration_status() == "confirmation_requested"  # no sanction without a person

    # The inspector opens B's case with a purpose and deregisters with a referral.
    sign_in_to_console(page, server, INSPECTOR, DECIDED)
    page.get_by_role("link", name="Case queue").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case queue")
    cases = page.request.get(f"{server.url}/api/v1/staff/cases").json()
    [case] = [c for c in cases if c["person_id"] == b.person_id]
    assert not [c for c in cases if c["person_id"] == a_id]
    screenshot(page, "console-case-queue.png")
    assert_accessible(page, "the case queue with a case")
    page.locator(f'a[href="/console/cases/{case["id"]}"]').click()
    assert_accessible(page, "the case's purpose form")
    page.get_by_label("Why you need this person's data").select_option("case_decision")
    page.get_by_role("button", name="Open the case file").click()
    expect(page.locator("#case-timeline")).to_be_visible()
    expect(page.locator('.tl-day[data-day="2025-11-05"]')).to_have_attribute("data-reports", "8")
    expect(page.locator('.tl-day[data-day="2025-11-12"]')).to_have_attribute("data-problems", "1")
    expect(page.locator('[data-marker="deadline"]')).to_have_attribute("data-day", "2025-11-14")
    screenshot(page, "console-case-file.png")
    assert_accessible(page, "the case file")
    decision = page.locator("#decision-form")
    decision.get_by_label("Deregister").check()
    decision.get_by_label("Refer to the Registry of Controlled Persons").check()
    decision.get_by_label("Reason", exact=True).fill(REASON)
    decision.get_by_role("button", name="Record the decision").click()
    # A deregistration is final only once confirmed, after its consequences (issue 13).
    expect(page.locator("#decision-consequences")).to_be_visible()
    expect(page.locator("#consequence-referral")).to_be_visible()
    assert_accessible(page, "the deregistration's confirmation with its consequences")
    page.get_by_role("button", name="Confirm the deregistration").click()
    expect(page.locator("#case-decided")).to_be_visible()
    assert_accessible(page, "the decided case")
    assert b.registration_status() == "deregistered"
    sign_out_of_console(page)

    # B reads the decision with its reason and objects.
    [decided] = b.get("/api/v1/me/decisions")
    assert decided["kind"] == "deregister"
    assert decided["reason"] == REASON
    assert decided["may_object"] is True
    b.post(f"/api/v1/me/decisions/{decided['id']}/objection", {"text": OBJECTION}, expected=201)

    # The supervisor overturns the deregistration with a reason.
    sign_in_to_console(page, server, SUPERVISOR, DECIDED)
    page.get_by_role("link", name="Objections").click()
    objection = page.locator("#objection-queue > li").filter(has_text=OBJECTION)
    expect(objection).to_contain_text(REASON)
    screenshot(page, "console-objections.png")
    assert_accessible(page, "the objection queue with an objection")
    objection.get_by_label("Overturn: the decision is undone").check()
    objection.get_by_label("Reason").fill(OVERTURN)
    objection.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#objection-done")).to_contain_text("Overturned")

    # B's registration is active again; the referral was withdrawn before it left.
    assert b.registration_status() == "active"
    [after] = b.get("/api/v1/me/decisions")
    assert after["objection"]["outcome"] == "overturn"
    assert after["objection"]["reason"] == OVERTURN
    assert after["referral"] == "withdrawn"
    page.goto(f"{server.url}/console/referrals?status=withdrawn&lang=en")
    expect(page.locator("#referral-queue > li")).to_have_count(1)

    if TAKE_SCREENSHOTS:  # the policy editor, with a version scheduled for December
        page.goto(f"{server.url}/console/policy?lang=en")
        form = page.locator("#policy-form")
        form.get_by_label("Effective from").fill("2025-12-01")
        form.get_by_label("Days to object to a decision").fill("14")
        form.get_by_label("Reason").fill("Order No. 17 of 20 November 2025: longer time to object")
        form.get_by_role("button", name="Schedule the version").click()
        expect(page.locator("#policy-scheduled")).to_be_visible()
        screenshot(page, "console-policy.png", full_page=False)
        page.locator("#policy-matrix").screenshot(
            path=str(SCREENSHOTS / "console-policy-versions.png")
        )
