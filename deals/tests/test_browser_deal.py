"""The deal page and the person merge in a real browser."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from activities.services import activity_create, email_log, note_create
from contacts.models import Person
from deals.models import Deal, DealStatus
from deals.tests.factories import LostReasonFactory
from deals.tests.web import make_deal, make_organization, make_person

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def deal(owner, pipeline):
    org = make_organization(owner, name="Nordwind Logistik GmbH", website="nordwind.example")
    person = make_person(
        owner,
        name="Anna Weber",
        emails=["anna@nordwind.example"],
        phones=["+49 40 1234567"],
        organization=org,
        job_title="Head of Fleet",
    )
    return make_deal(
        owner, pipeline, title="Fleet tracking", person=person, organization=org, value=12000
    )


def open_deal(page, live_server, deal):
    page.goto(live_server.url + reverse("deals:detail", args=[deal.pk]))


def test_clicking_a_stage_moves_the_deal_there(page, login, live_server, owner, deal):
    login(page, owner, live_server)
    open_deal(page, live_server, deal)

    page.get_by_role("button", name="Proposal").click()

    expect(page.get_by_role("button", name="Proposal")).to_have_attribute("aria-current", "step")
    expect(page.get_by_role("button", name="Qualified")).not_to_have_attribute(
        "aria-current", "step"
    )
    # The page keeps the new version: a second move from the same page works too.
    page.get_by_role("button", name="Negotiation").click()
    expect(page.get_by_role("button", name="Negotiation")).to_have_attribute("aria-current", "step")
    deal.refresh_from_db()
    assert deal.stage.name == "Negotiation" and deal.version == 3


def test_a_second_stage_click_before_the_first_answers_waits_and_both_moves_land(
    page, login, live_server, owner, deal
):
    login(page, owner, live_server)
    open_deal(page, live_server, deal)
    held = []

    def hold(route):  # the first move waits here until the test lets it go
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/move/", hold)

    page.get_by_role("button", name="Proposal").click()
    expect(page.locator("[data-stagebar]")).to_have_attribute("aria-busy", "true")
    for _ in range(100):  # until Playwright has handed the first move over to `hold`
        if held:
            break
        page.wait_for_timeout(20)
    page.get_by_role("button", name="Negotiation").click()
    assert len(held) == 1
    held[0].continue_()

    expect(page.get_by_role("button", name="Negotiation")).to_have_attribute("aria-current", "step")
    expect(page.locator("[data-stagebar]")).not_to_have_attribute("aria-busy", "true")
    deal.refresh_from_db()
    assert deal.stage.name == "Negotiation" and deal.version == 3
    assert "Someone else changed this deal" not in page.content()  # no conflict, no reload


def test_won_marks_the_deal_won(page, login, live_server, owner, deal):
    login(page, owner, live_server)
    open_deal(page, live_server, deal)

    page.get_by_role("button", name="Won", exact=True).click()

    expect(page.get_by_text("Deal marked as won.")).to_be_visible()
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    assert Deal.objects.get(pk=deal.pk).status == DealStatus.WON


def test_lost_asks_for_a_reason_in_a_dialog(page, login, live_server, owner, deal):
    LostReasonFactory(name="Too expensive")
    login(page, owner, live_server)
    open_deal(page, live_server, deal)

    page.get_by_role("button", name="Lost", exact=True).click()
    dialog = page.get_by_role("dialog", name="Mark as lost")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Mark as lost").click()
    expect(dialog.get_by_text("Say why the deal was lost.")).to_be_visible()
    assert Deal.objects.get(pk=deal.pk).status == DealStatus.OPEN

    dialog.get_by_label("Reason").select_option(label="Too expensive")
    dialog.get_by_label("Details").fill("Went with a cheaper tracker")
    dialog.get_by_role("button", name="Mark as lost").click()

    expect(page.get_by_text("Deal marked as lost.")).to_be_visible()
    expect(page.get_by_text("Went with a cheaper tracker").first).to_be_visible()
    assert Deal.objects.get(pk=deal.pk).status == DealStatus.LOST


def test_a_stale_edit_in_a_second_browser_shows_the_conflict(
    browser, login, live_server, owner, teammate, deal
):
    pages = []
    for user in (owner, teammate):
        page = browser.new_context(locale="en-US").new_page()
        login(page, user, live_server)
        page.goto(live_server.url + reverse("deals:edit", args=[deal.pk]))
        pages.append(page)
    first, second = pages

    first.get_by_label("Title").fill("Fleet tracking, 40 trucks")
    first.get_by_role("button", name="Save").click()
    expect(first.get_by_text("Deal saved.")).to_be_visible()
    second.get_by_label("Value").fill("99999")
    second.get_by_role("button", name="Save").click()

    expect(
        second.get_by_role("alert").filter(has_text="Someone else changed this deal")
    ).to_be_visible()
    expect(second.get_by_label("Title")).to_have_value("Fleet tracking, 40 trucks")
    deal.refresh_from_db()
    assert deal.title == "Fleet tracking, 40 trucks" and deal.value == 12000
    for page in pages:
        page.context.close()


def test_merge_two_persons_from_the_person_page(page, login, live_server, owner):
    keep = make_person(owner, name="Robert Smith", emails=["rob@acme.example"], phones=[])
    other = make_person(
        owner, name="Bob Smith", emails=["bob@home.example"], phones=[], job_title="CFO"
    )
    login(page, owner, live_server)
    page.goto(live_server.url + reverse("contacts:person_detail", args=[keep.pk]))

    page.get_by_role("link", name="Merge duplicates").click()
    page.get_by_label("Name or email").fill("bob")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("region", name="Search").get_by_role(
        "link", name="Compare with Bob Smith"
    ).click()
    page.get_by_role("group", name="Name").get_by_label("Bob Smith").check()
    page.get_by_role("button", name="Merge", exact=True).click()

    expect(page.get_by_role("heading", name="Bob Smith", level=1)).to_be_visible()
    # Both addresses are the person's now, and the page says which one came from Bob.
    contact = page.get_by_role("region", name="Contact")
    expect(contact.get_by_role("link", name="bob@home.example")).to_be_visible()
    expect(contact.get_by_role("link", name="rob@acme.example")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("email “bob@home.example”")
    assert not Person.objects.filter(pk=other.pk).exists()


def test_screenshot_of_the_deal_page(page, login, live_server, owner, deal, pipeline):
    note_create(actor=owner, deal=deal, content="Wants a pilot with <b>10 trucks</b> in May.")
    activity_create(
        actor=owner,
        deal=deal,
        subject="Demo at the depot",
        type="meeting",
        due_date=timezone.localdate() + timedelta(days=3),
    )
    email_log(
        actor=owner,
        deal=deal,
        sender="olivia@example.com",
        recipients="anna@nordwind.example",
        subject="Pilot offer",
        body="Hi Anna, …",
    )
    login(page, owner, live_server)
    open_deal(page, live_server, deal)
    page.get_by_role("button", name="Proposal").click()
    expect(page.get_by_role("button", name="Proposal")).to_have_attribute("aria-current", "step")
    open_deal(page, live_server, deal)
    expect(page.get_by_role("heading", name=re.compile("Fleet tracking"))).to_be_visible()

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "deal.png"), full_page=True)

    assert (SCREENSHOTS / "deal.png").stat().st_size > 0


def test_on_a_tablet_the_details_and_contacts_come_before_the_timeline(
    browser, login, live_server, owner, deal
):
    context = browser.new_context(locale="en-US", viewport={"width": 768, "height": 1024})
    page = context.new_page()
    login(page, owner, live_server)

    open_deal(page, live_server, deal)

    top = {
        name: page.get_by_role("heading", name=name, exact=True).bounding_box()["y"]
        for name in ("Details", "Anna Weber", "Timeline")
    }
    assert top["Details"] < top["Anna Weber"] < top["Timeline"]
    context.close()


def test_schedule_activity_labels_point_to_their_own_fields(page, login, live_server, owner, deal):
    login(page, owner, live_server)
    open_deal(page, live_server, deal)

    page.get_by_role("tab", name="Log email").click()
    page.get_by_role("tabpanel").get_by_label("Subject").fill("Offer sent")

    expect(page.locator("#id_email-subject")).to_have_value("Offer sent")
    expect(page.locator("#id_activity-subject")).to_have_value("")


def test_add_person_picks_an_existing_organization_while_typing(page, login, live_server, owner):
    org = make_organization(owner, name="Alpenblick Hotels AG", website="alpenblick.example")
    login(page, owner, live_server)
    page.goto(live_server.url + reverse("contacts:person_add"))

    page.get_by_label("Name", exact=True).fill("Vera Vogt")
    page.get_by_role("combobox", name="Organization").fill("Alpenblick")
    page.get_by_role("option", name=re.compile("Alpenblick Hotels AG")).click()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Vera Vogt")).to_be_visible()
    assert Person.objects.get(name="Vera Vogt").organization == org
