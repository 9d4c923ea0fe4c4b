"""`amina staff ...` and the demo staff accounts, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re

import pyotp
from click.testing import Result
from fastapi.testclient import TestClient
from rich.console import Console
from typer.testing import CliRunner

from amina.bootstrap import Container
from amina.demo.staff import DEMO_STAFF, load_demo_staff
from amina.entrypoints.cli.main import app as cli
from amina.services.audit.review import audit_page
from amina.services.audit.trail import Actor
from amina.services.clock import FixedClock
from amina.services.staff.accounts import list_staff


def run(container: Container, *args: str) -> Result:
    url = container.engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(cli, [*args, "--database-url", url])


def sign_in(client: TestClient, username: str, password: str, code: str) -> int:
    client.cookies.clear()
    page = client.get("/console/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    answer = client.post(
        "/console/sign-in",
        data={"username": username, "password": password, "code": code, "csrf_token": token[1]},
        follow_redirects=False,
    )
    return answer.status_code


def test_staff_create_prints_a_password_and_second_factor_that_sign_in(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    result = run(container, "staff", "create", "Nadia.K", "--role", "operator", "--name", "Nadia K")
    assert result.exit_code == 0, result.output
    output = result.output
    password = re.search(r"Password:\s+(\S+)", output)
    secret = re.search(r"TOTP secret:\s+([A-Z2-7]+)", output)
    assert password is not None
    assert secret is not None
    assert "otpauth://totp/Amina:nadia.k" in output
    code = pyotp.TOTP(secret[1]).at(clock.now())
    assert sign_in(client, "nadia.k", password[1], code) == 303


def test_staff_create_refuses_a_taken_username(container: Container) -> None:
    assert (
        run(container, "staff", "create", "olga", "--role", "auditor", "--name", "O").exit_code == 0
    )
    again = run(container, "staff", "create", "olga", "--role", "auditor", "--name", "O")
    assert again.exit_code == 1
    assert "Username taken" in again.output


def test_staff_disable_and_reset_mfa_from_the_command_line(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    created = run(container, "staff", "create", "ivan", "--role", "inspector", "--name", "Ivan")
    password = re.search(r"Password:\s+(\S+)", created.output)
    old_secret = re.search(r"TOTP secret:\s+([A-Z2-7]+)", created.output)
    assert password is not None
    assert old_secret is not None

    reset = run(container, "staff", "reset-mfa", "ivan")
    assert reset.exit_code == 0
    new_secret = re.search(r"TOTP secret:\s+([A-Z2-7]+)", reset.output)
    assert new_secret is not None
    assert sign_in(client, "ivan", password[1], pyotp.TOTP(old_secret[1]).at(clock.now())) == 401
    assert sign_in(client, "ivan", password[1], pyotp.TOTP(new_secret[1]).at(clock.now())) == 303

    assert run(container, "staff", "disable", "ivan").exit_code == 0
    assert client.get("/api/v1/staff/me").status_code == 401  # its session ended
    with container.uow() as uow:
        actions = [e.action for e in audit_page(uow, Actor(None, "auditor")).entries]
    assert actions[:3] == ["staff.disable", "staff.reset_mfa", "staff.create"]


def test_staff_disable_names_an_unknown_account(container: Container) -> None:
    result = run(container, "staff", "disable", "nobody")
    assert result.exit_code == 1
    assert "No such staff account" in result.output


def test_demo_staff_are_loaded_once_and_can_sign_in(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    printed = io.StringIO()
    load_demo_staff(container, Console(file=printed, width=200))
    load_demo_staff(container, Console(file=io.StringIO(), width=200))
    with container.uow() as uow:
        usernames = sorted(account.username for account in list_staff(uow))
    assert usernames == sorted(demo.username for demo in DEMO_STAFF)
    for demo in DEMO_STAFF:
        assert demo.password in printed.getvalue()
        assert demo.totp_secret in printed.getvalue()
        code = pyotp.TOTP(demo.totp_secret).at(clock.now())
        assert sign_in(client, demo.username, demo.password, code) == 303
        assert client.get("/api/v1/staff/me").json()["role"] == demo.role.value
