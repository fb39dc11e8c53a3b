"""Playwright fixtures for the browser tests: one Chromium per session, a fresh page per test.

Registered for the whole suite through ``pytest_plugins`` in the root conftest.py. Playwright's
own browser download cannot work here, so Debian's chromium is launched instead.
"""

from collections.abc import Callable, Iterator

import pytest
from django.urls import reverse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "pass-word-123"
# Generous: CI shares two cores with PostgreSQL, the live server and Chromium. A wait that
# passes returns as soon as the condition holds, so this only costs time on a real failure.
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser() -> Iterator["object"]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator["object"]:
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login() -> Callable:
    """Return ``login(page, user, live_server)``: signs in through the login form."""

    def login(page, user, live_server) -> None:
        page.goto(live_server.url + reverse("login"))
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: reverse("login") not in url)

    return login
