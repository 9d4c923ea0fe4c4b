"""Staff sign-in cannot be used to lock staff out (issue 10 point 7), on SQLite and
PostgreSQL: failures slow down the address they come from and, briefly, the account, with
growing delays instead of a lock; a throttled attempt costs no password hash; the staff member
learns about failed attempts since their last sign-in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pyotp
import pytest
from fastapi.testclient import TestClient

from amina.adapters.web.app import create_app
from amina.bootstrap import Container
from amina.domain.roles import Role
from amina.services.clock import FixedClock
from amina.services.staff import accounts
from amina.services.staff.accounts import create_staff

EN = {"Accept-Language": "en"}
PASSWORD = "correct horse battery staple"


@pytest.fixture
def secret(container: Container) -> str:
    with container.uow() as uow:
        new = create_staff(
            uow,
            container.clock,
            username="olga",
            role=Role.operator,
            display_name="Olga Test",
            password=PASSWORD,
        )
        uow.commit()
    return new.second_factor.secret


@pytest.fixture
def elsewhere(container: Container) -> Iterator[TestClient]:
    """A browser at another address (the attacker's)."""
    with TestClient(
        create_app(container), base_url="https://testserver", client=("203.0.113.66", 4444)
    ) as other:
        yield other


def attempt(client: TestClient, password: str, code: str, username: str = "olga") -> httpx.Response:
    page = client.get("/console/sign-in", headers=EN)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    return client.post(
        "/console/sign-in",
        data={"username": username, "password": password, "code": code, "csrf_token": token[1]},
        headers=EN,
        follow_redirects=False,
    )


@pytest.mark.usefixtures("secret")
def test_waits_grow_with_every_further_failure_from_one_address(
    elsewhere: TestClient, container: Container, clock: FixedClock
) -> None:
    free = container.settings.staff_throttle_free_attempts
    for _ in range(free):
        assert attempt(elsewhere, "guess", "000000").status_code == 401
    waits = []
    for _ in range(4):
        throttled = attempt(elsewhere, "guess", "000000")
        assert throttled.status_code == 429
        wait = int(throttled.headers["Retry-After"])
        waits.append(wait)
        clock.advance(timedelta(seconds=wait))
        assert attempt(elsewhere, "guess", "000000").status_code == 401
    assert waits == [1, 2, 4, 8]


def test_someone_guessing_from_elsewhere_cannot_keep_the_staff_member_out(
    client: TestClient, elsewhere: TestClient, clock: FixedClock, secret: str
) -> None:
    for _ in range(40):  # keeps guessing whenever allowed
        answer = attempt(elsewhere, "guess", "000000")
        if answer.status_code == 429:
            clock.advance(timedelta(seconds=int(answer.headers["Retry-After"])))
    # the owner, at their own desk, waits at most a minute (never 15 minutes, never locked)
    answer = attempt(client, PASSWORD, pyotp.TOTP(secret).at(clock.now()))
    if answer.status_code == 429:
        wait = int(answer.headers["Retry-After"])
        assert wait <= 60
        clock.advance(timedelta(seconds=wait))
        answer = attempt(client, PASSWORD, pyotp.TOTP(secret).at(clock.now()))
    assert answer.status_code == 303


@pytest.mark.usefixtures("secret")
def test_a_throttled_attempt_is_refused_before_the_password_is_hashed(
    elsewhere: TestClient,
    container: Container,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for _ in range(container.settings.staff_throttle_free_attempts):
        attempt(elsewhere, "guess", "000000")
    hashed: list[str] = []
    real = accounts._password_matches
    monkeypatch.setattr(accounts, "_password_matches", lambda h, p: hashed.append(p) or real(h, p))
    for _ in range(20):
        assert attempt(elsewhere, PASSWORD, "000000").status_code == 429
    assert hashed == []


def test_the_staff_member_is_told_about_failed_attempts_since_the_last_sign_in(
    client: TestClient, elsewhere: TestClient, clock: FixedClock, secret: str
) -> None:
    for _ in range(3):
        attempt(elsewhere, "guess", "000000")
    clock.advance(timedelta(seconds=30))
    assert attempt(client, PASSWORD, pyotp.TOTP(secret).at(clock.now())).status_code == 303
    home = client.get("/console", headers=EN).text
    banner = re.search(r'id="failed-sign-ins" data-count="(\d+)"', home)
    assert banner is not None
    assert banner[1] == "3"
    assert "3 failed attempts to sign in to your account" in home

    client.cookies.clear()
    clock.advance(timedelta(seconds=30))
    assert attempt(client, PASSWORD, pyotp.TOTP(secret).at(clock.now())).status_code == 303
    assert 'id="failed-sign-ins"' not in client.get("/console", headers=EN).text
