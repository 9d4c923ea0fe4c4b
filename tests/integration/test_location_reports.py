"""Location reports from the phone (SPEC §6, API.md "Location reports"): every acknowledged report
is stored, every re-sent one is harmless, invalid ones are refused one by one, and the person
sees what is held about them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from report_support import HOME, NEARBY, TVER, fix, reporting_person, send, statuses, walk
from sign_in_support import WORKER, sign_in

from amina.bootstrap import Container

NOW = datetime.fromisoformat("2025-11-05T10:00:00+03:00")


def held(client: TestClient, session, **params: str) -> list[dict]:  # type: ignore[no-untyped-def]
    answer = client.get("/api/v1/me/reports", params=params, headers=session.bearer)
    assert answer.status_code == 200, answer.text
    return answer.json()["reports"]  # type: ignore[no-any-return]


def all_held(client: TestClient, session) -> list[dict]:  # type: ignore[no-untyped-def]
    found: list[dict] = []
    cursor = None
    while True:
        params = {"limit": "50", **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/me/reports", params=params, headers=session.bearer).json()
        found += page["reports"]
        cursor = page["next_cursor"]
        if cursor is None:
            return found


def signed_in_again(client: TestClient):  # type: ignore[no-untyped-def]
    return sign_in(client, dict(WORKER), name="Newest phone")


def summary_of(client: TestClient, session, day: str) -> dict:  # type: ignore[no-untyped-def]
    answer = client.get(
        "/api/v1/me/summaries", params={"from": day, "to": day}, headers=session.bearer
    )
    assert answer.status_code == 200, answer.text
    (found,) = answer.json()["summaries"]
    return found  # type: ignore[no-any-return]


def test_a_single_report_is_accepted_and_the_person_sees_it(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container)
    report = fix(NOW - timedelta(minutes=5), client_id="9b2f-first")

    answer = send(client, me, report)

    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "results": [{"client_id": "9b2f-first", "status": "accepted", "flags": [], "error": None}]
    }
    (stored,) = held(client, me)
    assert stored["client_id"] == "9b2f-first"
    assert stored["region"] == "RU-MOW"
    assert stored["distance_to_address_m"] < 5
    assert stored["lat"] == report["lat"]
    assert stored["accuracy_m"] == 12.5


def test_a_bad_item_is_rejected_in_the_persons_language_and_the_rest_is_stored(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container, language="uz")
    batch = walk(NOW - timedelta(hours=1), 3)
    batch[1]["lat"] = 91.0

    answer = send(client, me, {"reports": batch})

    assert statuses(answer) == ["accepted", "rejected", "accepted"]
    error = answer.json()["results"][1]["error"]
    assert error["code"] == "coordinates_out_of_range"
    assert error["field"] == "lat"
    assert "kenglik" in error["message"].lower()  # Uzbek (Latin script): latitude
    assert sorted(r["client_id"] for r in held(client, me)) == sorted(
        [batch[0]["client_id"], batch[2]["client_id"]]
    )


def test_items_with_missing_or_wrong_fields_are_rejected_one_by_one(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container, language="en")
    good = fix(NOW)
    no_client_id = {k: v for k, v in fix(NOW).items() if k != "client_id"}
    no_offset = fix(NOW, device_time="2025-11-05T09:00:00")
    not_a_number = fix(NOW, lon="east")
    no_accuracy = {k: v for k, v in fix(NOW).items() if k != "accuracy_m"}

    answer = send(
        client,
        me,
        {"reports": [good, no_client_id, no_offset, not_a_number, no_accuracy, "nonsense"]},
    )

    results = answer.json()["results"]
    assert [r["status"] for r in results] == ["accepted"] + ["rejected"] * 5
    assert [r["error"]["code"] for r in results[1:]] == [
        "client_id_invalid",
        "device_time_without_offset",
        "number_invalid",
        "field_missing",
        "report_invalid",
    ]
    assert results[4]["error"]["message"] == "The field accuracy_m is required."
    assert len(held(client, me)) == 1


def test_an_item_with_two_errors_is_answered_with_the_first_field_in_reading_order(
    client: TestClient, container: Container
) -> None:
    """Fields are read in the order client_id, device_time, lat, lon, accuracy_m, speed_mps,
    altitude_m, provider, mocked (each one's type and its own value rules), then the number
    ranges: the first failing one is the answer, a later type error never hides it."""
    me = reporting_person(client, container, language="en")
    cases = [
        (fix(NOW, client_id="x" * 65, lat="north"), "client_id_invalid", "client_id"),
        (
            fix(NOW, device_time="2025-11-05T09:00:00", lon="east"),
            "device_time_without_offset",
            "device_time",
        ),
        (
            fix(NOW, device_time="1969-07-20T20:17:00Z", accuracy_m="good"),
            "device_time_invalid",
            "device_time",
        ),
        (fix(NOW, provider="p" * 21, mocked="yes"), "text_invalid", "provider"),
        (fix(NOW, lat=91.0, mocked="yes"), "boolean_invalid", "mocked"),
        (fix(NOW, lat=91.0, speed_mps=-1.0), "coordinates_out_of_range", "lat"),
        (fix(NOW, accuracy_m=-1.0, altitude_m=20_000.0), "accuracy_invalid", "accuracy_m"),
    ]

    answer = send(client, me, {"reports": [item for item, _, _ in cases]})

    assert [
        (r["status"], r["error"]["code"], r["error"]["field"]) for r in answer.json()["results"]
    ] == [("rejected", code, field) for _, code, field in cases]
    assert held(client, me) == []


def test_a_resent_batch_is_all_duplicate_and_changes_nothing(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container)
    batch = walk(NOW - timedelta(hours=2), 8)
    first = send(client, me, {"reports": batch})
    summary_before = summary_of(client, me, "2025-11-05")

    again = send(client, me, {"reports": batch})

    assert statuses(first) == ["accepted"] * 8
    assert statuses(again) == ["duplicate"] * 8
    assert [r["flags"] for r in again.json()["results"]] == [
        r["flags"] for r in first.json()["results"]
    ]
    assert len(held(client, me)) == 8
    assert summary_of(client, me, "2025-11-05") == summary_before


def test_overlapping_batches_arriving_out_of_order_store_each_report_once(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container)
    reports = walk(NOW - timedelta(hours=6), 20)
    later, earlier, overlap = reports[10:], reports[:8], reports[5:15]

    assert statuses(send(client, me, {"reports": later})) == ["accepted"] * 10
    assert statuses(send(client, me, {"reports": earlier})) == ["accepted"] * 8
    assert statuses(send(client, me, {"reports": overlap})) == (
        ["duplicate"] * 3 + ["accepted"] * 2 + ["duplicate"] * 5
    )

    stored = all_held(client, me)
    assert sorted(r["client_id"] for r in stored) == sorted(r["client_id"] for r in reports)
    assert summary_of(client, me, "2025-11-05")["reports"] == 20


def test_a_client_id_repeated_within_one_batch_is_stored_once(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container)
    report = fix(NOW - timedelta(minutes=1), client_id="same")

    answer = send(client, me, {"reports": [report, dict(report), fix(NOW)]})

    assert statuses(answer) == ["accepted", "duplicate", "accepted"]
    assert len(held(client, me)) == 2


def test_a_client_id_repeated_within_one_batch_with_other_content_is_rejected_as_reused(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container, language="en")
    report = fix(NOW - timedelta(minutes=1), client_id="same")
    moved = {**report, "lat": NEARBY[0], "lon": NEARBY[1]}
    later = fix(NOW, client_id="same")

    answer = send(client, me, {"reports": [report, moved, later, dict(report)]})

    assert statuses(answer) == ["accepted", "rejected", "rejected", "duplicate"]
    for result in answer.json()["results"][1:3]:
        assert result["client_id"] == "same"
        assert result["error"]["code"] == "client_id_reused"
        assert "already used for another report" in result["error"]["message"]
    [stored] = held(client, me)
    assert (stored["lat"], stored["device_time"]) == (report["lat"], "2025-11-05T06:59:00Z")


def test_a_report_sent_again_with_its_client_id_and_device_time_is_a_duplicate(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container)
    report = fix(NOW - timedelta(minutes=3), client_id="again")
    assert statuses(send(client, me, report)) == ["accepted"]
    summary_before = summary_of(client, me, "2025-11-05")

    # the identity is the client id with the device time: the rest cannot make it new
    again = send(client, me, {**report, "accuracy_m": 40.0, "provider": "network"})

    assert statuses(again) == ["duplicate"]
    assert [r["client_id"] for r in held(client, me)] == ["again"]
    assert summary_of(client, me, "2025-11-05") == summary_before


def test_a_client_id_sent_again_with_another_device_time_is_rejected_and_not_stored(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container, language="en")
    first = fix(NOW - timedelta(hours=2), client_id="counter-1")
    assert statuses(send(client, me, first)) == ["accepted"]
    summary_before = summary_of(client, me, "2025-11-05")
    restamped = {**first, "device_time": (NOW - timedelta(minutes=1)).isoformat()}
    fresh = fix(NOW)

    answer = send(client, me, {"reports": [restamped, fresh]})

    assert statuses(answer) == ["rejected", "accepted"]
    error = answer.json()["results"][0]["error"]
    assert (error["code"], error["field"]) == ("client_id_reused", "client_id")
    assert sorted(r["client_id"] for r in held(client, me)) == sorted(
        ["counter-1", fresh["client_id"]]
    )
    assert [r["device_time"] for r in held(client, me) if r["client_id"] == "counter-1"] == [
        "2025-11-05T05:00:00Z"
    ]
    assert summary_of(client, me, "2025-11-05")["reports"] == summary_before["reports"] + 1
    # and sent once more, the same answer: nothing is ever stored under it twice
    assert statuses(send(client, me, restamped)) == ["rejected"]
    assert len(held(client, me)) == 2


def test_quality_flags_are_stored_and_shown_without_dropping_the_report(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container)
    batch = [
        fix(NOW - timedelta(minutes=30), client_id="home"),
        fix(NOW - timedelta(minutes=25), TVER, client_id="tver"),  # 160 km in 5 minutes
        fix(NOW - timedelta(minutes=20), NEARBY, client_id="vague", accuracy_m=900),
        fix(NOW - timedelta(minutes=15), client_id="fake", mocked=True),
        fix(NOW + timedelta(hours=2), client_id="ahead"),
        fix(NOW - timedelta(days=4), client_id="stale"),
    ]

    answer = send(client, me, {"reports": batch})

    assert statuses(answer) == ["accepted"] * 6
    flags = {r["client_id"]: set(r["flags"]) for r in answer.json()["results"]}
    assert flags["home"] == set()
    assert {"outside_region", "far_from_address", "impossible_speed"} <= flags["tver"]
    assert "low_accuracy" in flags["vague"]
    assert "mocked" in flags["fake"]
    assert "future_time" in flags["ahead"]
    assert "too_old" in flags["stale"]
    shown = {r["client_id"]: r for r in held(client, me)}
    assert {k: set(v["flags"]) for k, v in shown.items()} == flags
    assert shown["tver"]["region"] is None
    assert shown["tver"]["distance_to_address_m"] > 150_000
    day = summary_of(client, me, "2025-11-05")
    assert day["flags"]["mocked"] == 1
    assert day["flags"]["outside_region"] == 1
    # that day: home, vague (nearby), fake and ahead are inside Moscow; tver is not
    assert day["reports"] == 5
    assert day["inside_region"] == 4


def test_a_late_report_for_a_past_day_updates_that_days_summary(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container)
    send(client, me, fix(NOW - timedelta(days=2, hours=1)))  # 3 November, 09:00 Moscow
    send(client, me, fix(NOW))  # and today
    before = summary_of(client, me, "2025-11-03")

    # the phone was offline; its queue arrives two days late, with an earlier fix that day
    late = [fix(NOW - timedelta(days=2, hours=3)), fix(NOW - timedelta(days=2, minutes=30))]
    assert statuses(send(client, me, {"reports": late})) == ["accepted", "accepted"]

    after = summary_of(client, me, "2025-11-03")
    assert before["reports"] == 1
    assert after["reports"] == 3
    assert after["first_at"] == "2025-11-03T04:00:00Z"
    assert after["last_at"] == "2025-11-03T06:30:00Z"
    assert after["any_inside_region"]
    assert after["any_near_address"]
    # the latest report is still today's: a late one never replaces it
    latest = client.get("/api/v1/me/device-status", headers=me.bearer).json()["latest"]
    assert latest["last_report_at"] == "2025-11-05T07:00:00Z"


def test_a_heartbeat_without_a_fix_is_stored_and_shown(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container)
    status = {
        "at": (NOW - timedelta(minutes=3)).isoformat(),
        "location_permission": False,
        "location_services": True,
        "battery_saver": False,
        "app_version": "1.4.2",
    }

    first = send(client, me, {"status": status})
    again = send(client, me, {"status": status})

    assert first.json() == {"results": [], "device_status": {"status": "accepted", "error": None}}
    assert again.json()["device_status"]["status"] == "duplicate"
    shown = client.get("/api/v1/me/device-status", headers=me.bearer).json()
    (record,) = shown["records"]
    assert record["location_permission"] is False
    assert record["problem"] is True
    assert record["app_version"] == "1.4.2"
    assert shown["latest"]["location_permission"] is False
    assert shown["latest"]["last_contact_at"] == "2025-11-05T07:00:00Z"
    assert summary_of(client, me, "2025-11-05")["device_status_problems"] == 1


def test_a_status_sent_with_reports_is_kept_with_them(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container)
    answer = send(
        client,
        me,
        {"reports": walk(NOW - timedelta(hours=1), 2), "status": {"battery_saver": True}},
    )
    assert statuses(answer) == ["accepted", "accepted"]
    assert answer.json()["device_status"]["status"] == "accepted"
    latest = client.get("/api/v1/me/device-status", headers=me.bearer).json()["latest"]
    assert latest["battery_saver"] is True
    assert latest["last_report_at"] == "2025-11-05T06:15:00Z"


def test_a_retired_device_is_refused_and_its_reports_are_not_stored(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container, language="en")
    sign_in(client, dict(WORKER), name="New phone")  # binding a new phone retires the old one

    answer = send(client, me, fix(NOW))

    assert answer.status_code == 401
    assert answer.json()["code"] == "device_retired"
    assert answer.json()["title"] == "This device no longer reports"


def test_a_device_retired_after_it_reported_is_refused_from_that_moment(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container, language="uz")
    assert statuses(send(client, me, fix(NOW - timedelta(minutes=1)))) == ["accepted"]

    sign_in(client, dict(WORKER), name="New phone")
    refused = send(client, me, fix(NOW))
    again = send(client, me, fix(NOW + timedelta(minutes=1)))  # answered from memory

    assert refused.status_code == 401
    assert refused.json()["code"] == "device_retired"
    assert refused.headers["content-language"] == "uz"
    assert again.status_code == 401
    assert again.json() == refused.json()
    assert len(held(client, signed_in_again(client))) == 1


def test_a_malformed_body_from_a_stranger_is_answered_401(
    client: TestClient, container: Container
) -> None:
    reporting_person(client, container)
    answer = client.post(
        "/api/v1/reports",
        content=b"{not json",
        headers={"Authorization": "Device guessed", "Content-Type": "application/json"},
    )
    assert answer.status_code == 401
    assert answer.json()["code"] == "device_unknown"


def test_an_unknown_credential_is_refused(client: TestClient, container: Container) -> None:
    reporting_person(client, container)
    answer = client.post(
        "/api/v1/reports", json=fix(NOW), headers={"Authorization": "Device not-a-credential"}
    )
    assert answer.status_code == 401
    assert answer.json()["code"] == "device_unknown"
    assert client.post("/api/v1/reports", json=fix(NOW)).status_code == 401


def test_a_malformed_body_is_400_and_a_body_that_is_not_json_is_415(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container)
    headers = {**me.device, "Content-Type": "application/json"}

    malformed = client.post("/api/v1/reports", content=b'{"reports": [', headers=headers)
    as_text = client.post(
        "/api/v1/reports", content=b"lat=55", headers={**me.device, "Content-Type": "text/plain"}
    )
    shapeless = client.post("/api/v1/reports", content=b"[1, 2]", headers=headers)

    assert malformed.status_code == 400
    assert malformed.json()["code"] == "malformed_json"
    assert as_text.status_code == 415
    assert as_text.json()["code"] == "unsupported_media_type"
    assert shapeless.status_code == 422
    assert shapeless.json()["code"] == "batch_invalid"
    assert held(client, me) == []


def test_more_than_a_thousand_reports_or_an_oversized_body_is_413(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container)
    too_many = [fix(NOW, client_id=f"r{i}") for i in range(1001)]
    huge = [fix(NOW, client_id=f"r{i}", provider="x" * 20, padding="y" * 2000) for i in range(600)]

    counted = send(client, me, {"reports": too_many})
    sized = send(client, me, {"reports": huge})

    assert counted.status_code == 413
    assert counted.json()["code"] == "batch_too_large"
    assert sized.status_code == 413
    assert sized.json()["code"] == "payload_too_large"
    assert held(client, me) == []


def test_a_full_batch_of_a_thousand_reports_is_stored(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container)
    batch = walk(NOW - timedelta(hours=20), 1000, every=timedelta(seconds=60))

    answer = send(client, me, {"reports": batch})

    assert statuses(answer) == ["accepted"] * 1000
    assert len(all_held(client, me)) == 1000


@pytest.mark.parametrize("when", ["2025-11-05", "2025-11-05T00:00:00+03:00"])
def test_reports_can_be_listed_for_a_period(
    client: TestClient, container: Container, when: str
) -> None:
    me = reporting_person(client, container)
    send(client, me, {"reports": [fix(NOW - timedelta(days=1)), fix(NOW, client_id="today")]})
    found = held(client, me, **{"from": when})
    assert [r["client_id"] for r in found] == ["today"]


def test_every_report_shows_the_day_it_will_be_deleted(
    client: TestClient, container: Container
) -> None:
    me = reporting_person(client, container)
    send(client, me, {"reports": [fix(NOW - timedelta(days=3), client_id="old"), fix(NOW)]})
    answer = client.get("/api/v1/me/reports", headers=me.bearer).json()
    assert answer["retention"]["report_retention_days"] == 30
    assert {r["client_id"]: r["deleted_after"] for r in answer["reports"]}["old"] == "2025-12-02"
    assert "30" in answer["retention"]["explanation"]


def test_reports_are_counted_in_the_metrics(client: TestClient, container: Container) -> None:
    me = reporting_person(client, container)
    bad = fix(NOW, lat=95)
    send(client, me, {"reports": [fix(NOW), bad]})
    metrics = client.get("/metrics").text
    assert 'amina_location_reports_total{status="accepted"} 1.0' in metrics
    assert 'amina_location_reports_total{status="rejected"} 1.0' in metrics
    assert HOME[0] not in [float(x) for x in metrics.split() if x.replace(".", "").isdigit()]


def test_the_published_api_description_states_the_same_bounds_the_server_enforces(
    client: TestClient,
) -> None:
    from amina.domain import reports as rules

    body = client.get("/openapi.json").json()["paths"]["/api/v1/reports"]["post"]["requestBody"]
    [one, batch] = body["content"]["application/json"]["schema"]["oneOf"]
    fields = one["properties"]
    assert fields["lat"]["minimum"] == rules.LAT_MIN
    assert fields["lat"]["maximum"] == rules.LAT_MAX
    assert fields["lon"]["minimum"] == rules.LON_MIN
    assert fields["lon"]["maximum"] == rules.LON_MAX
    assert fields["accuracy_m"]["minimum"] == rules.ACCURACY_MIN_M
    assert fields["client_id"]["minLength"] == rules.CLIENT_ID_MIN_LENGTH
    assert fields["client_id"]["maxLength"] == rules.CLIENT_ID_MAX_LENGTH
    assert fields["provider"]["anyOf"][0]["maxLength"] == rules.PROVIDER_MAX_LENGTH
    status = batch["properties"]["status"]["anyOf"][0]["properties"]
    assert status["app_version"]["anyOf"][0]["maxLength"] == rules.APP_VERSION_MAX_LENGTH
