"""The composer of a person page in a real browser."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from activities.models import Note
from deals.tests.web import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_adds_a_note_on_a_person(page, login, live_server, owner):
    person = make_person(owner, name="Anna Weber", emails=["anna@nordwind.example"])
    login(page, owner, live_server)
    page.goto(live_server.url + reverse("contacts:person_detail", args=[person.pk]))

    page.get_by_role("tab", name="Add note").click()
    page.get_by_role("tabpanel").get_by_label("Note").fill("Prefers calls after 4 pm")
    page.get_by_role("button", name="Save note").click()

    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline.get_by_text("Prefers calls after 4 pm")).to_be_visible()
    assert Note.objects.get().person == person


def test_log_email_on_a_person_is_addressed_to_their_primary_email(page, login, live_server, owner):
    person = make_person(
        owner, name="Anna Weber", emails=["anna@nordwind.example", "anna@home.example"]
    )
    login(page, owner, live_server)
    page.goto(live_server.url + reverse("contacts:person_detail", args=[person.pk]))

    page.get_by_role("tab", name="Log email").click()

    expect(page.get_by_role("tabpanel").get_by_label("To")).to_have_value("anna@nordwind.example")
