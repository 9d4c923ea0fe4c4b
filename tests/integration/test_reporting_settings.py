"""What the person's app needs to report location (``GET /api/v1/me/reporting``) and the region
outline it draws the "my location data" picture from (``GET /api/v1/regions/outline``)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from fastapi.testclient import TestClient
from registration_support import TVERSKAYA, person
from report_support import fix, reporting_person, send, statuses
from shapely.geometry import Point, Polygon

from amina.bootstrap import Container
from amina.domain.roles import Role
from amina.services.audit.trail import Actor
from amina.services.clock import FixedClock
from amina.services.policy.versions import propose_policy_version
from amina.services.staff.accounts import create_staff

NOW = datetime.fromisoformat("2025-11-05T10:00:00+03:00")
KREMLIN = Point(37.6176, 55.7520)
PODOLSK = Point(37.5560, 55.4260)


def supervisor(container: Container, clock: FixedClock) -> Actor:
    with container.uow() as uow:
        created = create_staff(
            uow, clock, username="supervisor-one", role=Role.supervisor, display_name="A boss"
        )
        uow.commit()
    return Actor(staff_id=created.account.staff_id, role=created.account.role.value)


def test_the_app_learns_how_often_to_report_and_where_the_registered_address_is(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container, language="ru")

    answer = client.get("/api/v1/me/reporting", headers=me.bearer)

    assert answer.status_code == 200, answer.text
    reporting = answer.json()
    assert reporting["reporting_expected"] is True
    assert reporting["report_interval_minutes"] == 15
    assert reporting["max_batch"] == 1000
    assert reporting["registered_place"] == {
        "region": "RU-MOW",
        "lat": TVERSKAYA["lat"],
        "lon": TVERSKAYA["lon"],
    }
    assert reporting["report_retention_days"] == 30
    assert "30" in reporting["retention_explanation"]
    assert "deleted" not in reporting["retention_explanation"]  # in Russian, not English
    assert reporting["last_report_at"] is None


def test_the_app_shows_the_latest_report_amina_holds_even_on_a_new_phone(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container)
    taken = NOW - timedelta(minutes=20)
    assert statuses(send(client, me, {"reports": [fix(taken), fix(taken - timedelta(hours=1))]}))

    reporting = client.get("/api/v1/me/reporting", headers=me.bearer).json()

    assert datetime.fromisoformat(reporting["last_report_at"]) == taken
    assert reporting["last_contact_at"] is not None


def test_a_person_without_a_registered_place_is_not_asked_for_their_location(
    client: TestClient, container: Container
) -> None:
    me = person(client, container)

    reporting = client.get("/api/v1/me/reporting", headers=me.bearer).json()

    assert reporting["reporting_expected"] is False
    assert reporting["registered_place"] is None


def test_a_supervisors_new_interval_reaches_the_app_on_the_day_it_takes_effect(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    me = reporting_person(client, container)
    tomorrow = date(2025, 11, 6)
    with container.uow() as uow:
        propose_policy_version(
            uow,
            clock,
            supervisor(container, clock),
            tomorrow,
            {"report_interval_minutes": 5},
            "Order No. 17 of 4 November 2025: report more often",
        )
        uow.commit()
    before = client.get("/api/v1/me/reporting", headers=me.bearer).json()

    clock.advance(timedelta(days=1))
    # A day later the app renews its access token with the device credential, as it does.
    renewed = client.post("/api/v1/auth/refresh", headers=me.device).json()["access_token"]
    after = client.get(
        "/api/v1/me/reporting", headers={"Authorization": f"Bearer {renewed}"}
    ).json()

    assert before["report_interval_minutes"] == 15
    assert after["report_interval_minutes"] == 5
    assert after["policy_version"] != before["policy_version"]


def test_reporting_settings_are_only_for_the_signed_in_person(client: TestClient) -> None:
    answer = client.get("/api/v1/me/reporting")

    assert answer.status_code == 401
    assert answer.json()["code"] == "not_signed_in"


def test_the_region_outline_draws_moscow_and_moscow_oblast_around_it(client: TestClient) -> None:
    answer = client.get("/api/v1/regions/outline", headers={"Accept-Language": "ka"})

    assert answer.status_code == 200
    assert len(answer.content) < 30_000  # small enough for a phone to fetch and draw
    assert "max-age" in answer.headers["cache-control"]
    outline = answer.json()
    regions = {region["code"]: region for region in outline["regions"]}
    assert set(regions) == {"RU-MOW", "RU-MOS"}
    assert regions["RU-MOW"]["name"] == "მოსკოვი"

    def covers(code: str, point: Point) -> bool:
        return any(
            Polygon(polygon[0], polygon[1:]).contains(point)
            for polygon in regions[code]["polygons"]
        )

    assert covers("RU-MOW", KREMLIN)
    assert not covers("RU-MOS", KREMLIN)  # Moscow is a hole in the oblast
    assert covers("RU-MOS", PODOLSK)
    west, south, east, north = outline["bounds"]
    assert west < 36.0
    assert east > 39.0
    assert south < 55.0
    assert north > 56.5
    assert "OpenStreetMap" in outline["attribution"]
