"""The app reports the person's location while it is open (issue 5, points 6 and 7), in Chromium
at a phone's size with its geolocation override and offline mode: a report is accepted and
the home screen says when; offline, reports wait in the phone's queue and are all stored
exactly once when the network returns; without location permission the person is told how to
turn it on; "My location data" shows today as covered and downloads everything as JSON.

The interval between reports is the policy's (15 minutes). The offline test does not wait for
it: Playwright's clock (``page.clock``) replaces the page's timers, and the test moves the
page's time on by one interval to make the app take the next fix.

Each test signs in with its own demo card holder who has an active demo registration
(amina/demo/registrations.py).
"""

from __future__ import annotations

import json
import re
from importlib.metadata import version as package_version
from typing import Any

import httpx
import pytest
from harness import AminaServer
from playwright.sync_api import Locator, Page, expect
from test_person_app import card, screen, sign_in_by_card, translated

from amina.i18n import Translator

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

INTERVAL_MS = 15 * 60 * 1000
#: Leninsky prospekt 30, Moscow: the registered address of demo card 7725000014.
LENINSKY = {"latitude": 55.7069, "longitude": 37.5870, "accuracy": 12}
#: Balashikha, prospekt Lenina 32 (the address of 7725000016, who moved there), and a walk.
BALASHIKHA = {"latitude": 55.7963, "longitude": 37.9382, "accuracy": 10}
WALK = [
    {"latitude": 55.7990, "longitude": 37.9450, "accuracy": 15},
    {"latitude": 55.7700, "longitude": 37.8600, "accuracy": 20},
    {"latitude": 55.7512, "longitude": 37.6184, "accuracy": 25},  # Red Square
]
#: Tverskaya 7, Moscow: the address of 7725000001.
TVERSKAYA = {"latitude": 55.7577, "longitude": 37.6116, "accuracy": 8}


def with_location(page: Page, server: AminaServer, where: dict[str, float]) -> None:
    """The phone allows this site to see its location, and is at ``where``."""
    page.context.grant_permissions(["geolocation"], origin=server.url)
    page.context.set_geolocation(where)


def reporting_card(page: Page) -> Locator:
    card_ = screen(page, "home").locator("#reporting")
    expect(card_).to_be_visible()
    return card_


def last_accepted_pattern(language: str) -> re.Pattern[str]:
    text = Translator(language).gettext("Last report accepted at %(time)s", time="{time}")
    return re.compile(re.escape(text).replace(re.escape("{time}"), r"\d\d:\d\d"))


def waiting_text(language: str, count: int) -> str:
    return translated(language, "Reports waiting to be sent: %(count)s", count=str(count))


class PersonApi:
    """The API as the signed-in app sees it, with the tokens it keeps in localStorage."""

    def __init__(self, page: Page, server: AminaServer) -> None:
        self.url = server.url
        self.device = page.evaluate("localStorage.getItem('amina.device_credential')")
        refreshed = httpx.post(
            self.url + "/api/v1/auth/refresh",
            headers={"Authorization": f"Device {self.device}"},
            timeout=10,
        )
        assert refreshed.status_code == 200, refreshed.text
        self.bearer = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}

    def device_id(self) -> str:
        answer = httpx.get(
            self.url + "/api/v1/devices/current",
            headers={"Authorization": f"Device {self.device}"},
            timeout=10,
        )
        return str(answer.json()["id"])

    def get(self, path: str) -> Any:
        answer = httpx.get(self.url + path, headers=self.bearer, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def reports_from_this_phone(self) -> list[dict[str, Any]]:
        device = self.device_id()
        reports = self.get("/api/v1/me/reports?limit=1000")["reports"]
        return [report for report in reports if report["device_id"] == device]


def queued_client_ids(page: Page) -> list[str]:
    """The client ids of the reports waiting in the app's IndexedDB queue."""
    return page.evaluate(
        """() => new Promise((resolve, reject) => {
            const opened = indexedDB.open("amina-reporting");
            opened.onerror = () => reject(opened.error);
            opened.onsuccess = () => {
                const read = opened.result.transaction("waiting").objectStore("waiting").getAll();
                read.onsuccess = () => resolve(
                    read.result.filter((item) => item.kind === "report").map((item) => item.id));
                read.onerror = () => reject(read.error);
            };
        })"""
    )


def test_the_app_sends_the_location_and_says_when_the_last_report_was_accepted(
    phone_page: Page, amina_server: AminaServer
) -> None:
    with_location(phone_page, amina_server, LENINSKY)

    sign_in_by_card(phone_page, amina_server, "ru", card("7725000014"))

    status = reporting_card(phone_page)
    expect(status.locator("#reporting-headline")).to_have_text(
        translated("ru", "Location is being sent")
    )
    expect(status.locator("#reporting-last")).to_have_text(last_accepted_pattern("ru"))
    expect(status.locator("#reporting-waiting")).to_be_hidden()
    # The interval in words, in the form its number takes ("каждые 15 минут"), never "15 мин."
    expect(status.locator("#reporting-detail")).to_contain_text(
        re.compile(r"кажд(ые \d+ минут[ы]?|ую \d+ минуту)\.")
    )
    api = PersonApi(phone_page, amina_server)
    # The phone reports the release it runs, a number a person can read, never a digest.
    device = api.device_id()
    statuses = [
        s for s in api.get("/api/v1/me/device-status")["records"] if s["device_id"] == device
    ]
    assert statuses
    assert {s["app_version"] for s in statuses} == {package_version("amina")}
    reports = api.reports_from_this_phone()
    assert reports
    for report in reports:
        assert (report["lat"], report["lon"]) == (LENINSKY["latitude"], LENINSKY["longitude"])
        assert report["region"] == "RU-MOW"
        assert "far_from_address" not in report["flags"]


def test_reports_made_offline_wait_in_the_queue_and_are_all_stored_once_when_back_online(
    phone_page: Page, amina_server: AminaServer
) -> None:
    phone_page.clock.install()
    with_location(phone_page, amina_server, BALASHIKHA)
    sign_in_by_card(phone_page, amina_server, "ru", card("7725000016"))
    status = reporting_card(phone_page)
    expect(status.locator("#reporting-last")).to_have_text(last_accepted_pattern("ru"))
    api = PersonApi(phone_page, amina_server)
    before = [report["client_id"] for report in api.reports_from_this_phone()]
    assert before

    phone_page.context.set_offline(True)
    try:
        for made, where in enumerate(WALK, start=1):
            phone_page.context.set_geolocation(where)
            phone_page.clock.run_for(INTERVAL_MS)  # the next report is due
            expect(status.locator("#reporting-waiting")).to_have_text(waiting_text("ru", made))
        expect(status.locator("#reporting-headline")).to_have_text(
            translated("ru", "No connection")
        )
        queued = queued_client_ids(phone_page)
        assert len(queued) == len(WALK)
    finally:
        phone_page.context.set_offline(False)

    expect(status.locator("#reporting-waiting")).to_be_hidden()
    expect(status.locator("#reporting-headline")).to_have_text(
        translated("ru", "Location is being sent")
    )
    assert queued_client_ids(phone_page) == []
    stored = api.reports_from_this_phone()
    client_ids = [report["client_id"] for report in stored]
    assert sorted(client_ids) == sorted([*before, *queued])  # each exactly once
    by_id = {report["client_id"]: report for report in stored}
    places = {(by_id[i]["lat"], by_id[i]["lon"]) for i in queued}
    assert places == {(where["latitude"], where["longitude"]) for where in WALK}


def test_without_location_permission_the_person_is_told_plainly_how_to_turn_it_on(
    phone_page: Page, amina_server: AminaServer
) -> None:
    # No permission granted: Chromium refuses the site's request for the location.
    sign_in_by_card(phone_page, amina_server, "ka", card("7725000010"))

    status = reporting_card(phone_page)
    expect(status.locator("#reporting-headline")).to_have_text(
        translated("ka", "Location permission is off")
    )
    help_box = status.locator("#reporting-permission")
    expect(help_box).to_be_visible()
    expect(help_box).to_contain_text(
        translated(
            "ka",
            "Amina cannot see where you are. Without your location, Amina cannot confirm that "
            "you live at your registered address, and you will be asked to confirm your address "
            "or report a change.",
        )
    )
    help_box.get_by_text(translated("ka", "On an iPhone")).click()
    expect(help_box).to_contain_text(
        translated("ka", "Open Settings → Privacy & Security → Location Services and turn it on.")
    )
    expect(help_box.get_by_role("button", name=translated("ka", "Try again"))).to_be_visible()
    # The phone still told Amina why no location came: a heartbeat with the permission off.
    api = PersonApi(phone_page, amina_server)
    records = api.get("/api/v1/me/device-status")["records"]
    assert records[0]["location_permission"] is False
    assert records[0]["problem"] is True

    # Allowed later: the app notices at once and sends the location.
    with_location(phone_page, amina_server, {"latitude": 55.4260, "longitude": 37.5560})
    expect(help_box).to_be_hidden()
    expect(status.locator("#reporting-headline")).to_have_text(
        translated("ka", "Location is being sent")
    )
    expect(status.locator("#reporting-last")).to_have_text(last_accepted_pattern("ka"))


def test_my_location_data_shows_today_covered_and_downloads_everything_as_json(
    phone_page: Page, amina_server: AminaServer
) -> None:
    with_location(phone_page, amina_server, TVERSKAYA)
    home = sign_in_by_card(phone_page, amina_server, "hy", card("7725000001"))
    expect(reporting_card(phone_page).locator("#reporting-last")).to_have_text(
        last_accepted_pattern("hy")
    )

    home.get_by_role("navigation").get_by_role(
        "link", name=translated("hy", "My location data")
    ).click()
    my_data = screen(phone_page, "my-data")

    today = my_data.locator('#calendar-days [aria-current="date"]')
    expect(today).to_have_attribute("data-coverage", "near")
    expect(today).to_contain_text(translated("hy", "Reports near your registered address"))
    expect(today).to_have_attribute("aria-pressed", "true")
    expect(my_data.locator("#day-reports li").first).to_contain_text(translated("hy", "In Moscow"))
    picture = my_data.locator("#day-picture")
    expect(picture.locator("circle.picture-report")).not_to_have_count(0)
    expect(picture.locator("path.picture-home")).to_have_count(1)
    expect(my_data.locator("#my-data-retention")).to_contain_text("30")

    with phone_page.expect_download() as downloading:
        my_data.get_by_role("button", name=translated("hy", "Download all my data")).click()
    download = downloading.value
    assert download.suggested_filename.startswith("amina-my-data-")
    assert download.suggested_filename.endswith(".json")
    document = json.loads(download.path().read_text(encoding="utf-8"))
    api = PersonApi(phone_page, amina_server)
    held = {report["client_id"] for report in api.reports_from_this_phone()}
    assert held
    assert held <= {report["client_id"] for report in document["reports"]}
    assert document["retention"]["report_retention_days"] == 30
    expect(my_data.locator("#export-done")).to_contain_text(download.suggested_filename)
