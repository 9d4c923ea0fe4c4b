"""A staff member signs in to the console with a password and a TOTP code, in Chromium."""

from __future__ import annotations

import re

import pytest
from harness import AminaServer, TotpCodes
from playwright.sync_api import Page, expect

from amina.demo.staff import DEMO_STAFF
from amina.domain.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

SUPERVISOR = next(demo for demo in DEMO_STAFF if demo.role is Role.supervisor)


def sign_in(page: Page, server: AminaServer, username: str, password: str, code: str) -> None:
    page.goto(f"{server.url}/console/sign-in?lang=en")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Code from the authenticator app").fill(code)
    page.get_by_role("button", name="Sign in").click()


def test_a_supervisor_signs_in_with_a_totp_code_and_sees_the_console(
    page: Page, amina_server: AminaServer, totp: TotpCodes
) -> None:
    page.goto(f"{amina_server.url}/console")
    expect(page).to_have_url(re.compile(r"/console/sign-in"))

    sign_in(
        page,
        amina_server,
        SUPERVISOR.username,
        SUPERVISOR.password,
        totp.code(SUPERVISOR.totp_secret),
    )

    expect(page).to_have_url(re.compile(r"/console$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(SUPERVISOR.display_name)
    expect(page.locator('[data-permission="staff.manage"]')).to_be_visible()
    expect(page.locator('[data-permission="audit.read"]')).to_have_count(0)


def test_a_wrong_code_keeps_the_door_shut(
    page: Page, amina_server: AminaServer, totp: TotpCodes
) -> None:
    inspector = next(demo for demo in DEMO_STAFF if demo.role is Role.inspector)
    right = totp.code(inspector.totp_secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    sign_in(page, amina_server, inspector.username, inspector.password, wrong)

    expect(page.get_by_role("alert")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/console/sign-in"))
    page.goto(f"{amina_server.url}/console")
    expect(page).to_have_url(re.compile(r"/console/sign-in"))
