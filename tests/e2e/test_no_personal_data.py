"""Nothing personal reaches the logs or the metrics (SPEC §10).

A scenario runs against a real server: every step uses personal data (names, card numbers,
phone numbers, dates of birth, coordinates) the way a real client would, and adds each value
to ``scenario.personal``. Then the server's captured stdout/stderr and its ``/metrics`` are
searched for every one of them.

The server runs with ``AMINA_ENV=test``, as close to production as the demo data allows: in
``development`` the local SMS gateway echoes each message (phone number and code) to the
console on purpose, so that a newcomer can sign in. The log is searched from the moment the
server became ready; before that the demo loaders print the fictional demo card holders'
numbers for the operator, which no production server does.

To cover a new feature, write a step function and add it to ``STEPS``.
"""

from __future__ import annotations

import csv
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from harness import AminaServer, ServerFactory, TotpCodes
from playwright.sync_api import Page, expect

from amina.adapters.clock import SystemClock
from amina.demo.staff import DEMO_STAFF
from amina.domain.calendar import MOSCOW
from amina.domain.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

#: A demo card holder who must use Amina (TJ, works in Moscow).
CARD = "7725000004"
DEMO_CARDS_CSV = Path(__file__).resolve().parents[2] / "amina" / "data" / "demo_cards.csv"


@dataclass
class Scenario:
    server: AminaServer
    http: httpx.Client
    page: Page
    totp: TotpCodes
    personal: set[str] = field(default_factory=set)
    """Every personal value a step sent or saw; none may appear in logs or metrics."""
    api_paths: set[str] = field(default_factory=set)
    bearer: dict[str, str] = field(default_factory=dict)
    """The signed-in person's Authorization header, once a step signed in."""

    def uses(self, *values: str) -> None:
        self.personal.update(values)


Step = Callable[[Scenario], None]


def someone_checks_eligibility_with_their_date_of_birth(scenario: Scenario) -> None:
    scenario.uses("1987-02-14", "2011-07-30")
    adult = scenario.http.post(
        "/api/v1/eligibility/evaluate",
        json={
            "citizenship": "UZ",
            "date_of_birth": "1987-02-14",
            "purpose": "work",
            "region": "RU-MOW",
            "intended_stay_days": 365,
            "on": "2025-11-05",
        },
    )
    assert adult.json()["status"] == "required"
    child = scenario.http.post(
        "/api/v1/eligibility/evaluate",
        json={
            "citizenship": "TJ",
            "date_of_birth": "2011-07-30",
            "purpose": "study",
            "region": "RU-MOS",
            "intended_stay_days": 400,
            "on": "2026-10-01",
        },
    )
    assert child.json()["reason"] == "exempt_minor"


def someone_sends_personal_data_where_it_does_not_belong(scenario: Scenario) -> None:
    scenario.uses("Karimov Dilshod", "+998901234567", "55.7558", "37.6173", "AB1234567")
    invalid = scenario.http.post(
        "/api/v1/eligibility/evaluate",
        json={
            "citizenship": "Karimov Dilshod",
            "date_of_birth": "+998901234567",
            "purpose": "work",
            "lat": 55.7558,
            "lon": 37.6173,
        },
    )
    assert invalid.status_code == 422
    scenario.http.get("/", params={"name": "Karimov Dilshod", "card": "AB1234567"})
    scenario.http.get("/api/v1/verify/AB1234567")


def an_auditor_signs_in_to_the_console_and_reads_the_audit_log(scenario: Scenario) -> None:
    auditor = next(demo for demo in DEMO_STAFF if demo.role is Role.auditor)
    scenario.uses(auditor.display_name)
    page = scenario.page
    page.goto(f"{scenario.server.url}/console/sign-in?lang=en")
    page.get_by_label("Username").fill(auditor.username)
    page.get_by_label("Password").fill(auditor.password)
    page.get_by_label("Code from the authenticator app").fill(
        scenario.totp.code(auditor.totp_secret)
    )
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(auditor.display_name)
    page.goto(f"{scenario.server.url}/console/audit")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def _latest_sms_to(scenario: Scenario, phone: str) -> str:
    deadline = time.monotonic() + 15
    while True:
        messages = scenario.http.get("/dev/sms.json").json()
        texts = [m["text"] for m in messages if m["to"] == phone]
        if texts:
            return str(texts[0])
        assert time.monotonic() < deadline, (
            f"no SMS to the demo phone; the gateway holds {messages}"
        )
        time.sleep(0.2)


def a_person_signs_in_with_a_demo_card(scenario: Scenario) -> None:
    """Person sign-in (API.md "Sign-in"): card and date of birth, the code from the SMS."""
    if "/api/v1/auth/otp" not in scenario.api_paths:
        return
    with DEMO_CARDS_CSV.open(encoding="utf-8") as handle:
        person = next(r for r in csv.DictReader(handle) if r["card_number"] == CARD)
    scenario.uses(
        *(person[key] for key in ("card_number", "date_of_birth", "phone", "passport_number")),
        *(person[key] for key in ("surname_lat", "given_names_lat")),
        *(person[key] for key in ("surname_cyr", "given_names_cyr")),
    )
    challenge = scenario.http.post(
        "/api/v1/auth/otp",
        json={"method": "card", "card_number": CARD, "date_of_birth": person["date_of_birth"]},
    )
    assert challenge.status_code == 202, challenge.text
    text = _latest_sms_to(scenario, person["phone"])
    code = re.search(r"\b(\d{6})\b", text)
    assert code is not None, text
    verified = scenario.http.post(
        "/api/v1/auth/verify",
        json={
            "challenge_id": challenge.json()["challenge_id"],
            "code": code.group(1),
            "device": {"name": "Test phone", "platform": "android"},
        },
    )
    assert verified.status_code == 200, verified.text
    scenario.bearer = {"Authorization": f"Bearer {verified.json()['access_token']}"}
    assert scenario.http.get("/api/v1/me", headers=scenario.bearer).status_code == 200


def the_person_registers_an_address_and_a_host_verifies_it(scenario: Scenario) -> None:
    if not scenario.bearer or "/api/v1/me/registrations" not in scenario.api_paths:
        return
    scenario.uses("55.7512", "37.6184", "Tverskaya", "Ivanova Marina", "4510 123456")
    today = SystemClock().now().astimezone(MOSCOW).date()  # the server runs on the real clock
    registered = scenario.http.post(
        "/api/v1/me/registrations",
        headers=scenario.bearer,
        json={
            "address": {
                "region": "RU-MOW",
                "settlement": "Moskva",
                "street": "Tverskaya",
                "house": "7",
                "building": None,
                "flat": "12",
                "fias_id": None,
                "lat": 55.7512,
                "lon": 37.6184,
            },
            "host": {"kind": "person", "name": "Ivanova Marina", "document": "4510 123456"},
            "stay_from": today.isoformat(),
            "stay_to": (today + timedelta(days=90)).isoformat(),
            "purpose": "work",
        },
    )
    assert registered.status_code == 201, registered.text
    slip_code = registered.json()["slip_code"]
    scenario.uses(slip_code)
    assert scenario.http.get(f"/api/v1/verify/{slip_code}").status_code == 200


STEPS: list[Step] = [
    someone_checks_eligibility_with_their_date_of_birth,
    someone_sends_personal_data_where_it_does_not_belong,
    an_auditor_signs_in_to_the_console_and_reads_the_audit_log,
    a_person_signs_in_with_a_demo_card,
    the_person_registers_an_address_and_a_host_verifies_it,
]


@pytest.fixture
def scenario(start_server: ServerFactory, page: Page, totp: TotpCodes) -> Iterator[Scenario]:
    server = start_server(demo=True, env="test")
    with httpx.Client(base_url=server.url, timeout=30) as http:
        paths = set(http.get("/openapi.json").json()["paths"])
        yield Scenario(server, http, page, totp, api_paths=paths)


def json_log_lines(text: str) -> list[dict[str, object]]:
    lines = []
    for line in text.splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_no_personal_data_appears_in_logs_or_metrics(scenario: Scenario) -> None:
    for step in STEPS:
        step(scenario)
    metrics = scenario.http.get("/metrics").text
    log = scenario.server.log_text(since_ready=True)

    # the scenario was really served, logged and counted ...
    assert "/api/v1/auth/otp" not in scenario.api_paths or scenario.bearer
    requests = [line for line in json_log_lines(log) if line.get("event") == "request"]
    assert len(requests) >= len(STEPS)
    assert all(re.fullmatch(r"[0-9a-f]{32}", str(line["request_id"])) for line in requests)
    assert 'route="/api/v1/eligibility/evaluate"' in metrics
    # ... and nothing personal was written down
    for value in sorted(scenario.personal):
        assert value not in log, f"{value!r} is in the server log"
        assert value not in metrics, f"{value!r} is in /metrics"
