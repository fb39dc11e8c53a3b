"""Adding a deal from a board column, editing a deal's person, and sending a deal back to
the leads inbox, in a real browser."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from deals.models import Deal
from deals.tests.web import make_deal, make_organization, make_person
from leads.models import Lead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_adds_a_deal_from_a_board_column_and_it_lands_there_with_the_totals(
    page, login, live_server, owner, pipeline
):
    # given: a board with one deal of 1,000 in Proposal, and a person to link the new one to
    proposal = pipeline.stages.get(name="Proposal")
    make_deal(owner, pipeline, title="First roof", stage=proposal, value=1000)
    make_person(owner, name="Bruno Baum", emails=["bruno@baum.example"])
    login(page, owner, live_server)
    page.goto(live_server.url + reverse("board:pipeline", args=[pipeline.pk]))
    column = page.get_by_role("region", name="Proposal")
    expect(column.locator(".board-count")).to_have_text("1 deal")
    # when: the column's "+" opens the form in that stage; the rep picks the person
    page.get_by_role("link", name="Add deal in Proposal").click()
    expect(page.get_by_label("Stage")).to_have_value(str(proposal.pk))
    page.get_by_label("Title").fill("Second roof")
    page.get_by_role("combobox", name="Person").fill("Bruno")
    page.get_by_role("option", name=re.compile("Bruno Baum")).click()
    page.get_by_label("Value").fill("300")
    page.get_by_role("button", name="Save").click()
    # then: back on the board, the card is in Proposal and the column counts it
    expect(page.get_by_text("Deal “Second roof” added.")).to_be_visible()
    expect(column.get_by_text("Second roof")).to_be_visible()
    expect(column.locator(".board-count")).to_have_text("2 deals")
    expect(column.locator(".board-total")).to_have_attribute(
        "data-total", re.compile(r"^1300(\.00)?$")
    )
    deal = Deal.objects.get(title="Second roof")
    assert deal.stage == proposal and deal.person.name == "Bruno Baum"


def test_editing_a_deal_changes_its_person(page, login, live_server, owner, pipeline):
    # given
    org = make_organization(owner, name="Nordwind GmbH")
    deal = make_deal(
        owner, pipeline, title="Fleet tracking", person=make_person(owner), organization=org
    )
    make_person(owner, name="Clara Zweig", emails=["clara@nordwind.example"])
    login(page, owner, live_server)
    page.goto(live_server.url + reverse("deals:detail", args=[deal.pk]))
    # when
    page.get_by_role("link", name="Edit").click()
    person = page.get_by_role("group", name="Person")
    person.get_by_role("button", name="Change").click()
    page.get_by_role("combobox", name="Person").fill("Clara")
    page.get_by_role("option", name=re.compile("Clara Zweig")).click()
    page.get_by_role("button", name="Save").click()
    # then
    expect(page.get_by_text("Deal saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Clara Zweig")).to_be_visible()
    deal.refresh_from_db()
    assert deal.person.name == "Clara Zweig" and deal.organization == org and deal.version == 2


def test_a_deal_goes_back_to_the_leads_inbox_after_confirming(
    page, login, live_server, owner, pipeline
):
    # given
    deal = make_deal(owner, pipeline, title="Fleet tracking")
    login(page, owner, live_server)
    page.goto(live_server.url + reverse("deals:detail", args=[deal.pk]))
    # when
    page.get_by_role("button", name="Back to leads").click()
    dialog = page.get_by_role("dialog", name="Back to leads")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Send back to leads").click()
    # then
    expect(page.get_by_text("“Fleet tracking” is back in the leads inbox.")).to_be_visible()
    lead = Lead.objects.get()
    assert page.url.endswith(reverse("leads:detail", args=[lead.pk]))
    assert not Deal.objects.filter(pk=deal.pk).exists()
