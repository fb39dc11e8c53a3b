"""Under the Content-Security-Policy, in a real browser: no page trips it, the docs still work."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from crm.tests.api import make_deal, make_lead, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_violations(page) -> list[str]:
    """Chromium reports every blocked script, style or handler on the console."""
    violations: list[str] = []

    def record(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", record)
    return violations


def test_the_pages_and_their_scripts_run_without_a_policy_violation(
    page, login, live_server, owner, pipeline
):
    person = make_person(owner)
    deal = make_deal(owner, pipeline, person=person)
    lead = make_lead(owner, person=person)
    violations = watch_violations(page)
    login(page, owner, live_server)

    for path in (
        reverse("home"),
        reverse("deals:detail", args=[deal.pk]),
        reverse("contacts:person_detail", args=[person.pk]),
        reverse("leads:detail", args=[lead.pk]),
        "/pipeline/",
        "/api/v1/users/me/",  # DRF's browsable API
    ):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    # A script-driven control still works: "/" focuses the global search (static/js/app.js).
    page.goto(live_server.url + reverse("home"))
    page.keyboard.press("/")
    expect(page.get_by_role("combobox", name="Search")).to_be_focused()

    assert violations == []


def test_the_api_docs_work_under_the_policy(page, login, live_server, owner):
    violations = watch_violations(page)
    login(page, owner, live_server)

    page.goto(live_server.url + "/api/v1/docs/")

    expect(page.get_by_role("heading", name="CRM API")).to_be_visible()
    expect(page.get_by_text("/api/v1/leads/", exact=True).first).to_be_visible()
    assert violations == []


def test_the_admin_login_works_under_the_policy(page, live_server, admin_user):
    violations = watch_violations(page)
    admin_user.is_staff = True
    admin_user.save()

    page.goto(live_server.url + "/admin/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("pass-word-123")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    assert violations == []
