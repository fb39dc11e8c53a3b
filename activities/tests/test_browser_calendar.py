"""The activities calendar in a real browser: from the list to this week, a week on, back to
today, the month, and an entry's record."""

import re
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from activities.services import activity_create, activity_set_done
from contacts.services import person_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rep_opens_the_calendar_steps_a_week_and_opens_an_entry(page, login, live_server, owner):
    today = timezone.localdate()
    person = person_create(actor=owner, name="Greta Sommer")
    activity_create(
        actor=owner, subject="Call Greta", due_date=today, due_time=time(9, 30), person=person
    )
    activity_create(
        actor=owner, subject="Demo for Greta", due_date=today + timedelta(days=7), person=person
    )
    done = activity_create(actor=owner, subject="Sent the offer", due_date=today, person=person)
    activity_set_done(actor=owner, activity=done, done=True)
    login(page, owner, live_server)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Activities").click()
    page.get_by_role("link", name="Calendar", exact=True).click()

    expect(page.get_by_role("heading", name="My calendar")).to_be_visible()
    today_cell = page.locator('li[aria-current="date"]')
    entry = today_cell.get_by_role("listitem").filter(has_text="Call Greta")
    expect(entry).to_contain_text("9:30")
    expect(entry).to_contain_text("Call")
    done_subject = today_cell.get_by_role("link", name="Sent the offer")
    expect(done_subject).to_have_css("text-decoration-line", "line-through")
    expect(page.get_by_role("link", name="Demo for Greta")).to_have_count(0)

    page.get_by_role("link", name="Next week").click()

    expect(page.get_by_role("link", name="Demo for Greta")).to_be_visible()
    expect(page.get_by_role("link", name="Call Greta")).to_have_count(0)
    expect(page.locator('li[aria-current="date"]')).to_have_count(0)

    page.get_by_role("link", name="Today").click()
    expect(page.get_by_role("link", name="Call Greta")).to_be_visible()

    page.get_by_role("link", name="Month", exact=True).click()
    expect(page.get_by_role("link", name="Month", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_role("link", name="Call Greta")).to_be_visible()

    page.get_by_role("link", name="Call Greta").click()
    page.wait_for_url(re.compile(reverse("contacts:person_detail", args=[person.pk]) + "$"))
    expect(page.get_by_role("heading", name="Greta Sommer")).to_be_visible()
