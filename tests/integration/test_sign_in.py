"""Sign-in exactly as API.md: codes, tries, expiry, lock-outs, no enumeration, devices, tokens.

Every test runs on SQLite and PostgreSQL. Codes are read from the local SMS gateway.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from fakes.ports import fake_channels
from fastapi.testclient import TestClient
from sign_in_support import (
    WORKER,
    ask_for_code,
    ask_for_code_by_passport,
    card,
    last_code,
    register,
    sign_in,
    texts_to,
    verify,
    wrong,
)
from sqlalchemy import event, select

from amina.adapters.db.identity.tables import OtpChallengeRow
from amina.adapters.web.app import create_app
from amina.bootstrap import Container
from amina.i18n import Translator
from amina.services.clock import FixedClock
from amina.services.delivery.outbox import deliver_due, pending_count
from amina.services.identity.cards import card_events
from amina.services.identity.sessions import device_retired
from amina.services.identity.sign_in import SMS_TEXT, purge_sign_in_leftovers
from amina.settings import Environment, Settings


def test_a_person_signs_in_with_card_date_of_birth_and_the_code_sent_to_their_phone(
    client: TestClient, container: Container
) -> None:
    register(container, WORKER)
    asked = ask_for_code(client, WORKER)
    assert asked.status_code == 202
    assert set(asked.json()) == {
        "challenge_id",
        "expires_at",
        "resend_after",
        "phone_ending",
        "tries",
    }
    assert asked.json()["expires_at"] == "2025-11-05T07:05:00Z"  # 5 minutes

    texts = texts_to(client, WORKER["phone"])
    assert len(texts) == 1
    code = last_code(client, WORKER["phone"])
    answer = verify(client, asked.json()["challenge_id"], code)

    assert answer.status_code == 200
    body = answer.json()
    assert body["expires_at"] == "2025-11-05T08:00:00Z"
    assert body["person"]["language"] == "ru"
    assert body["person"]["language_chosen"] is False
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["surname_lat"] == "Rahimov"
    device = client.get(
        "/api/v1/devices/current",
        headers={"Authorization": f"Device {body['device_credential']}"},
    )
    assert device.status_code == 200
    assert device.json()["name"] == "Phone"


def test_the_code_comes_in_the_language_of_the_request(
    client: TestClient, container: Container
) -> None:
    register(container, WORKER)
    ask_for_code(client, WORKER, **{"Accept-Language": "tg"})
    code = last_code(client, WORKER["phone"])
    assert texts_to(client, WORKER["phone"])[0] == Translator("tg").gettext(SMS_TEXT, code=code)
    assert Translator("tg").gettext(SMS_TEXT, code=code) != SMS_TEXT % {"code": code}


def _same_answer(response: Any) -> tuple[int, dict[str, Any], str]:
    body = dict(response.json())
    body.pop("challenge_id")
    # two digits, real or stand-in: differ between any two cards (tests below)
    assert re.fullmatch(r"\d\d", body.pop("phone_ending"))
    return response.status_code, body, response.headers["content-type"]


def test_unknown_expired_revoked_and_valid_cards_get_the_same_answer(
    client: TestClient, container: Container
) -> None:
    valid = card("7725100002")
    expired = card("7725100003", valid_to="2025-10-31")
    revoked = card("7725100004", status="revoked")
    lost = card("7725100005", status="lost")
    register(container, valid, expired, revoked, lost)
    unknown = card("7725199999")
    wrong_birthday = {**valid, "date_of_birth": "1992-05-02"}

    answers = [
        ask_for_code(client, record)
        for record in (valid, unknown, expired, revoked, lost, wrong_birthday)
    ]

    assert all(_same_answer(a) == _same_answer(answers[0]) for a in answers)
    assert len({a.json()["challenge_id"] for a in answers}) == len(answers)
    # only the valid card's phone got a code
    assert len(texts_to(client, valid["phone"])) == 1
    for record in (expired, revoked, lost):
        assert texts_to(client, record["phone"]) == []


@contextmanager
def statements(container: Container) -> Iterator[list[str]]:
    seen: list[str] = []

    def listen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(container.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(container.engine, "before_cursor_execute", listen)


def test_a_code_request_does_the_same_work_for_a_real_card_and_an_unknown_one(
    container: Container,
) -> None:
    # The code's SMS is handed to the outbox in the challenge's transaction (issue 10 point 9):
    # the request writes the same rows for every card, and nothing is sent on its connection.
    woken: list[int] = []
    container.wake_outbox = lambda: woken.append(1)  # the worker is left out here
    valid, revoked = card("7725100006"), card("7725100007", status="revoked")
    register(container, valid, revoked)
    unknown = card("7725199998")
    with TestClient(create_app(container), base_url="https://testserver") as client:
        paths = []
        for record in (valid, unknown, revoked):
            with statements(container) as seen:
                assert ask_for_code(client, record).status_code == 202
            paths.append(seen)
        assert texts_to(client, valid["phone"]) == []  # not sent during the request

    assert paths[0] == paths[1] == paths[2]
    assert any(s.startswith("INSERT INTO otp_challenges") for s in paths[0])
    assert any(s.startswith("INSERT INTO outbox") for s in paths[0])
    assert woken == [1, 1, 1]
    with container.uow() as uow:
        rows = uow.session.scalars(select(OtpChallengeRow).order_by(OtpChallengeRow.created_at))
        deliverable = sorted(row.deliverable for row in rows)
        assert pending_count(uow) == 1  # one SMS to send: the real card's
    assert deliverable == [False, False, True]  # a challenge for the unknown card too
    channels = fake_channels()
    assert deliver_due(container.uow, container.clock, channels).sent == 1
    [(to, text)] = channels.sms.sent.values()  # type: ignore[attr-defined]
    assert to == valid["phone"]
    assert re.search(r"\b\d{6}\b", text)


def test_the_outbox_worker_sends_the_code_and_it_signs_in(
    container: Container,
) -> None:
    container.wake_outbox = lambda: None  # as in production: the worker's own thread sends
    record = card("7725100008")
    register(container, record)
    with TestClient(create_app(container), base_url="https://testserver") as client:
        asked = ask_for_code(client, record)
        assert asked.status_code == 202
        assert texts_to(client, record["phone"]) == []
        assert deliver_due(container.uow, container.clock, container.delivery).sent == 1
        code = last_code(client, record["phone"])
        answer = verify(client, asked.json()["challenge_id"], code)
        assert answer.status_code == 200, answer.text


def test_a_wrong_code_is_refused_with_otp_invalid_in_the_callers_language(
    client: TestClient, container: Container
) -> None:
    register(container, WORKER)
    asked = ask_for_code(client, WORKER)
    code = last_code(client, WORKER["phone"])

    refused = verify(client, asked.json()["challenge_id"], wrong(code), **{"Accept-Language": "ky"})

    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "otp_invalid"
    assert refused.json()["title"] == Translator("ky").gettext("Wrong code")
    assert refused.json()["title"] != "Wrong code"


def test_after_five_wrong_codes_even_the_right_code_is_refused(
    client: TestClient, container: Container
) -> None:
    register(container, WORKER)
    challenge = ask_for_code(client, WORKER).json()["challenge_id"]
    code = last_code(client, WORKER["phone"])

    answers = [verify(client, challenge, wrong(code)) for _ in range(5)]
    assert [a.status_code for a in answers] == [401, 401, 401, 401, 429]
    assert answers[-1].json()["code"] == "locked_out"
    assert int(answers[-1].headers["Retry-After"]) > 0

    right = verify(client, challenge, code)
    assert right.status_code == 429
    assert right.json()["code"] == "locked_out"
    # a new code opens the door again (the card itself is not locked yet)
    assert sign_in(client, WORKER).person_id


def test_an_expired_code_is_refused(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    register(container, WORKER)
    challenge = ask_for_code(client, WORKER).json()["challenge_id"]
    code = last_code(client, WORKER["phone"])
    clock.advance(timedelta(minutes=5, seconds=1))

    refused = verify(client, challenge, code)

    assert refused.status_code == 401
    assert refused.json()["code"] == "otp_expired"


def test_a_code_works_only_once(client: TestClient, container: Container) -> None:
    register(container, WORKER)
    challenge = ask_for_code(client, WORKER).json()["challenge_id"]
    code = last_code(client, WORKER["phone"])
    assert verify(client, challenge, code).status_code == 200

    again = verify(client, challenge, code)

    assert again.status_code == 401
    assert again.json()["code"] == "otp_invalid"


def _fail_five_times(client: TestClient, record: dict[str, Any]) -> Any:
    challenge = ask_for_code(client, record).json()["challenge_id"]
    answer = None
    for _ in range(5):
        answer = verify(client, challenge, "000000")
    return answer


def test_repeated_failures_lock_the_card_with_retry_after_and_the_lock_ends(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    register(container, WORKER)
    _fail_five_times(client, WORKER)
    last = _fail_five_times(client, WORKER)  # ten failures within half an hour
    assert last.status_code == 429
    assert last.headers["Retry-After"] == "900"

    locked = ask_for_code(client, WORKER)
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert 0 < int(locked.headers["Retry-After"]) <= 900
    # an unknown card is locked out exactly the same way: the lock reveals nothing
    unknown = card("7725199997")
    _fail_five_times(client, unknown)
    assert _fail_five_times(client, unknown).headers["Retry-After"] == "900"

    clock.advance(timedelta(minutes=15))
    assert sign_in(client, WORKER).person_id


def test_the_lock_is_short_and_never_longer_than_an_hour(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    register(container, WORKER)
    waits = []
    for _ in range(4):
        _fail_five_times(client, WORKER)
        waits.append(int(_fail_five_times(client, WORKER).headers["Retry-After"]))
        # wait out the lock and the hourly limit on code requests; the lock is remembered
        clock.advance(timedelta(seconds=max(waits[-1], 3600)))
    assert waits == [900, 1800, 3600, 3600]


def test_a_client_address_that_keeps_failing_is_locked_out(
    client: TestClient, container: Container
) -> None:
    answers = [verify(client, f"00000000-0000-4000-8000-{n:012d}", "123456") for n in range(50)]
    assert {a.status_code for a in answers[:49]} == {401}
    assert answers[49].status_code == 429
    register(container, WORKER)
    assert ask_for_code(client, WORKER).status_code == 429  # this address, any card


def test_resend_backs_off_30_then_60_seconds_and_replaces_the_code(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    register(container, WORKER)
    asked = ask_for_code(client, WORKER).json()
    assert asked["resend_after"] == 30
    first = last_code(client, WORKER["phone"])
    resend = f"/api/v1/auth/otp/{asked['challenge_id']}/resend"

    too_soon = client.post(resend)
    assert too_soon.status_code == 429
    assert too_soon.json()["code"] == "resend_too_soon"
    assert too_soon.headers["Retry-After"] == "30"

    clock.advance(timedelta(seconds=30))
    again = client.post(resend)
    assert again.status_code == 202
    assert again.json()["resend_after"] == 60
    assert len(texts_to(client, WORKER["phone"])) == 2
    assert client.post(resend).headers["Retry-After"] == "60"

    second = last_code(client, WORKER["phone"])
    if second != first:
        assert verify(client, asked["challenge_id"], first).status_code == 401
    assert verify(client, asked["challenge_id"], second).status_code == 200


def test_passport_sign_in_marks_the_card_lost_and_records_the_event(
    client: TestClient, container: Container
) -> None:
    register(container, WORKER)
    asked = ask_for_code_by_passport(client, WORKER)
    assert asked.status_code == 202
    answer = verify(client, asked.json()["challenge_id"], last_code(client, WORKER["phone"]))
    assert answer.status_code == 200
    bearer = {"Authorization": f"Bearer {answer.json()['access_token']}"}

    assert client.get("/api/v1/me", headers=bearer).json()["card"]["status"] == "lost"
    with container.uow() as uow:
        events = card_events(uow, answer.json()["person"]["id"])
        assert [(e.kind, e.card_number, e.actor_role) for e in events] == [
            ("marked_lost", WORKER["card_number"], "person")
        ]
    # the lost card no longer brings a code; the passport still does
    ask_for_code(client, WORKER)
    assert len(texts_to(client, WORKER["phone"])) == 1
    ask_for_code_by_passport(client, WORKER)
    assert len(texts_to(client, WORKER["phone"])) == 2


def test_binding_a_new_device_retires_the_old_one_with_a_translated_message(
    client: TestClient, container: Container
) -> None:
    register(container, WORKER)
    old = sign_in(client, WORKER, name="Old phone")
    assert (
        client.patch("/api/v1/me", json={"language": "uz"}, headers=old.bearer).status_code == 200
    )
    new = sign_in(client, WORKER, name="New phone")

    refused = client.get("/api/v1/devices/current", headers=old.device)

    assert refused.status_code == 401
    assert refused.json()["code"] == "device_retired"
    uzbek = Translator("uz")
    assert refused.json()["title"] == uzbek.gettext(device_retired("uz").title)
    assert refused.json()["detail"] == uzbek.gettext(str(device_retired("uz").detail))
    assert refused.json()["title"] != device_retired("uz").title
    assert refused.headers["Content-Language"] == "uz"
    assert client.get("/api/v1/devices/current", headers=new.device).json()["name"] == "New phone"
    # the old device's session ended with it
    assert client.get("/api/v1/me", headers=old.bearer).status_code == 401


def test_an_unknown_device_credential_is_device_unknown(client: TestClient) -> None:
    refused = client.get("/api/v1/devices/current", headers={"Authorization": "Device nope"})
    assert refused.status_code == 401
    assert refused.json()["code"] == "device_unknown"


def test_the_access_token_expires_and_the_device_renews_it(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    register(container, WORKER)
    session = sign_in(client, WORKER)
    clock.advance(timedelta(minutes=60))

    expired = client.get("/api/v1/me", headers=session.bearer)
    assert expired.status_code == 401
    assert expired.json()["code"] == "token_expired"

    renewed = client.post("/api/v1/auth/refresh", headers=session.device)
    assert renewed.status_code == 200
    fresh = {"Authorization": f"Bearer {renewed.json()['access_token']}"}
    assert client.get("/api/v1/me", headers=fresh).status_code == 200


def test_sign_out_ends_the_session_and_keeps_the_device_unless_asked(
    client: TestClient, container: Container
) -> None:
    register(container, WORKER)
    first = sign_in(client, WORKER)
    assert client.post("/api/v1/auth/sign-out", headers=first.bearer).status_code == 204
    assert client.get("/api/v1/me", headers=first.bearer).json()["code"] == "not_signed_in"
    assert client.get("/api/v1/devices/current", headers=first.device).status_code == 200

    second = sign_in(client, WORKER)
    out = client.post("/api/v1/auth/sign-out", json={"retire_device": True}, headers=second.bearer)
    assert out.status_code == 204
    assert client.get("/api/v1/devices/current", headers=second.device).json()["code"] == (
        "device_retired"
    )


def test_the_person_api_needs_a_bearer_token(client: TestClient) -> None:
    refused = client.get("/api/v1/me")
    assert refused.status_code == 401
    assert refused.json()["code"] == "not_signed_in"


def test_dev_sms_lists_messages_newest_first_outside_production(
    client: TestClient, container: Container
) -> None:
    other = card("7725100008")
    register(container, WORKER, other)
    ask_for_code(client, WORKER)
    ask_for_code(client, other)

    listed = client.get("/dev/sms.json").json()
    assert [m["to"] for m in listed] == [other["phone"], WORKER["phone"]]
    assert set(listed[0]) == {"to", "text", "sent_at"}
    page = client.get("/dev/sms", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert other["phone"] in page.text
    assert page.text.index(other["phone"]) < page.text.index(WORKER["phone"])


def test_dev_sms_does_not_exist_in_production(database_url: str, clock: FixedClock) -> None:
    settings = Settings(
        env=Environment.production,
        database_url=database_url,
        secret_key="a-production-secret-of-some-length",
        scheduler=False,
    )
    from amina.bootstrap import build

    container = build(settings, clock=clock)
    with TestClient(create_app(container), base_url="https://testserver") as client:
        assert client.get("/dev/sms").status_code == 404
        assert client.get("/dev/sms.json").status_code == 404
        assert "/dev/sms.json" not in client.get("/openapi.json").json()["paths"]
    container.engine.dispose()


def test_a_daily_cleanup_forgets_old_codes_counters_and_tokens_but_not_retired_devices(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    register(container, WORKER)
    old = sign_in(client, WORKER)
    _fail_five_times(client, WORKER)
    sign_in(client, WORKER)  # retires the old device
    clock.advance(timedelta(days=2))

    gone = purge_sign_in_leftovers(container.uow, container.clock)

    assert gone.challenges == 3
    assert gone.throttles >= 1
    assert gone.access_tokens == 2
    with container.uow() as uow:
        assert uow.session.scalars(select(OtpChallengeRow)).all() == []
    assert client.get("/api/v1/devices/current", headers=old.device).json()["code"] == (
        "device_retired"
    )


def test_at_most_five_codes_an_hour_are_sent_for_one_card(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    register(container, WORKER)
    answers = []
    for _ in range(6):
        answers.append(ask_for_code(client, WORKER))
        clock.advance(timedelta(minutes=1))

    assert [a.status_code for a in answers] == [202] * 5 + [429]
    assert answers[-1].json()["code"] == "locked_out"
    assert answers[-1].headers["Retry-After"] == str(3600 - 5 * 60)
    assert len(texts_to(client, WORKER["phone"])) == 5
    clock.advance(timedelta(minutes=55))
    assert ask_for_code(client, WORKER).status_code == 202


# --- what the sign-in screens show (docs/sign-in.md "What the screen is told") ---------------


def test_the_answer_names_the_last_two_digits_of_the_phone_the_code_went_to(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    register(container, card("7725100042"))
    record = card("7725100042")

    asked = ask_for_code(client, record).json()

    assert asked["phone_ending"] == "42"
    assert asked["tries"] == 5
    clock.advance(timedelta(seconds=30))
    resent = client.post(f"/api/v1/auth/otp/{asked['challenge_id']}/resend").json()
    assert resent["phone_ending"] == "42"
    assert resent["tries"] == 5


def test_the_digits_shown_for_unknown_details_are_fixed_and_reveal_nothing(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    valid = card("7725100042")
    register(container, valid)
    wrong_birthday = {**valid, "date_of_birth": "1992-05-02"}
    unknown = card("7725199942")  # its number even ends like a real phone would

    first = [ask_for_code(client, r).json()["phone_ending"] for r in (wrong_birthday, unknown)]
    clock.advance(timedelta(minutes=1))
    again = [ask_for_code(client, r).json()["phone_ending"] for r in (wrong_birthday, unknown)]

    # asking twice with the same details shows the same digits, as for a real card, so
    # repeating a request cannot tell a real card from an unknown one
    assert first == again
    assert all(re.fullmatch(r"\d\d", digits) for digits in first)


def test_a_wrong_code_says_how_many_tries_are_left(
    client: TestClient, container: Container
) -> None:
    register(container, WORKER)
    challenge = ask_for_code(client, WORKER).json()["challenge_id"]
    code = last_code(client, WORKER["phone"])

    answers = [verify(client, challenge, wrong(code)) for _ in range(5)]

    assert [a.json().get("tries_left") for a in answers[:4]] == [4, 3, 2, 1]
    assert "tries_left" not in answers[4].json()


def test_the_same_tries_are_counted_for_an_unknown_card(client: TestClient) -> None:
    challenge = ask_for_code(client, card("7725199941")).json()["challenge_id"]

    answers = [verify(client, challenge, "000000") for _ in range(5)]

    assert [a.status_code for a in answers] == [401, 401, 401, 401, 429]
    assert [a.json().get("tries_left") for a in answers[:4]] == [4, 3, 2, 1]


def test_a_lock_says_until_when_and_agrees_with_retry_after(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    register(container, WORKER)
    _fail_five_times(client, WORKER)
    locked = _fail_five_times(client, WORKER)

    assert locked.json()["code"] == "locked_out"
    assert locked.headers["Retry-After"] == "900"
    until = datetime.fromisoformat(locked.json()["locked_until"])
    assert until == clock.now() + timedelta(seconds=900)
    # asking for a code while locked is refused with the same end of the lock
    refused = ask_for_code(client, WORKER)
    assert refused.status_code == 429
    assert datetime.fromisoformat(refused.json()["locked_until"]) == until
