"""`amina serve --clock fixed:...` lets a demo or a test live on a chosen day."""

from __future__ import annotations

import pytest
from harness import ServerFactory
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_a_server_on_a_fixed_clock_shows_that_day(page: Page, start_server: ServerFactory) -> None:
    server = start_server(demo=False, clock="fixed:2025-11-05T23:30:00+03:00")
    page.goto(f"{server.url}/?lang=en")
    # the eligibility checker offers "today" in Moscow, which is the fixed day
    expect(page.locator("#on")).to_have_value("2025-11-05")
