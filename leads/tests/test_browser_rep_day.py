"""A sales rep's day in a real browser: add, note, convert (with a duplicate), win; archive and
restore; search; who may open what; and a page in German."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from contacts.services import person_create
from crm.models import Visibility
from leads.models import Lead
from leads.services import lead_create

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rep_adds_a_lead_converts_it_onto_an_existing_person_and_wins_the_deal(
    page, login, live_server, owner, pipeline
):
    existing = person_create(
        actor=owner,
        name="Anna Weber",
        emails=["anna@nordwind.example"],
        visible_to=Visibility.TEAM,
    )
    login(page, owner, live_server)

    # Add a lead with a new person and a new organization; the existing person is suggested.
    page.get_by_role("link", name="Add lead").click()
    page.get_by_label("Title").fill("Fleet tracking")
    page.get_by_role("combobox", name="Person").fill("Anna Web")
    expect(page.get_by_role("option", name=re.compile("Anna Weber"))).to_be_visible()
    page.get_by_role("combobox", name="Person").fill("Anna Weber")
    # A typed name never creates a person by itself: the rep chooses to create one.
    page.get_by_role("option", name="Create new person “Anna Weber”").click()
    page.get_by_label("Email").fill("anna@nordwind.example")
    page.get_by_role("combobox", name="Organization").fill("Nordwind Logistik")
    page.get_by_role("option", name="Create new organization “Nordwind Logistik”").click()
    page.get_by_label("Value").fill("12000")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Fleet tracking")).to_be_visible()

    # A note on the lead.
    page.get_by_role("textbox", name="Note").fill("Wants a pilot in May")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Wants a pilot in May")).to_be_visible()

    page.get_by_role("link", name="Leads").first.click()
    expect(page.get_by_role("link", name="Fleet tracking")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "inbox.png"), full_page=True)

    # Convert: the duplicate person is shown side by side; use the existing one.
    page.get_by_role("link", name="Fleet tracking").click()
    page.get_by_role("link", name="Convert to deal").click()
    dialog = page.get_by_role("dialog", name="Convert to deal")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Title")).to_have_value("Fleet tracking")
    dialog.get_by_label("Stage").select_option(label="Proposal")
    dialog.get_by_role("button", name="Save").click()
    dialog = page.get_by_role("dialog", name="Convert to deal")
    expect(dialog.get_by_label("Keep new")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "convert-dialog.png"))
    dialog.get_by_label("Use Anna Weber").check()
    dialog.get_by_role("button", name="Save").click()

    # The deal: with the note and the existing person; then it is won.
    page.wait_for_url(re.compile(r"/deals/\d+/"))
    expect(page.get_by_text("Wants a pilot in May")).to_be_visible()
    expect(page.get_by_role("link", name="Anna Weber").first).to_have_attribute(
        "href", reverse("contacts:person_detail", args=[existing.pk])
    )
    page.get_by_role("button", name="Won").click()
    expect(page.get_by_text("Won").first).to_be_visible()
    page.goto(live_server.url + reverse("leads:inbox"))
    expect(page.get_by_role("link", name="Fleet tracking")).to_have_count(0)


def test_a_person_typed_before_the_page_script_ran_is_still_suggested(
    page, login, live_server, owner
):
    person_create(actor=owner, name="Anna Weber", visible_to=Visibility.TEAM)
    login(page, owner, live_server)
    # Hold app.js back, as a busy machine does, so that the typing comes before it runs.
    held = []
    page.route("**/static/js/app.js", lambda route: held.append(route))
    with page.expect_request("**/static/js/app.js"):
        page.get_by_role("link", name="Add lead").click()
    page.get_by_role("combobox", name="Person").fill("Anna Web")
    assert held, "app.js should still be on its way"

    held[0].continue_()

    expect(page.get_by_role("option", name=re.compile("Anna Weber"))).to_be_visible()


def test_rep_archives_a_lead_and_restores_it(page, login, live_server, owner):
    person = person_create(actor=owner, name="Otto Brandt")
    lead = lead_create(actor=owner, title="Old enquiry", person=person)
    login(page, owner, live_server)

    page.goto(live_server.url + reverse("leads:detail", args=[lead.pk]))
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_text("Lead archived.")).to_be_visible()
    page.get_by_role("link", name="Leads").first.click()
    # An absence proves something only once the inbox's list is there: the click returns as the
    # new page starts loading.
    expect(page.get_by_text("No leads here.")).to_be_visible()
    expect(page.get_by_role("link", name="Old enquiry")).to_have_count(0)

    page.get_by_label("Archived").check()
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Old enquiry").click()
    page.get_by_role("button", name="Restore").click()
    page.get_by_role("link", name="Leads").first.click()
    expect(page.get_by_role("link", name="Old enquiry")).to_be_visible()


def test_search_finds_a_person_as_the_rep_types(page, login, live_server, owner):
    person_create(actor=owner, name="Greta Sommer")
    login(page, owner, live_server)

    page.get_by_role("combobox", name="Search").fill("somm")

    expect(page.get_by_role("option", name="Greta Sommer")).to_be_visible()


def test_teammate_opens_a_team_lead_and_an_outsider_gets_404(
    browser, live_server, login, owner, teammate, outsider
):
    person = person_create(actor=owner, name="Team Contact", visible_to=Visibility.TEAM)
    lead = lead_create(actor=owner, title="Shared lead", person=person, visible_to=Visibility.TEAM)
    url = live_server.url + reverse("leads:detail", args=[lead.pk])
    for user, status in ((teammate, 200), (outsider, 404)):
        context = browser.new_context(locale="en-US")
        page = context.new_page()
        login(page, user, live_server)

        response = page.goto(url)

        assert response.status == status
        context.close()


def test_inbox_speaks_german_with_german_money(page, login, live_server, owner):
    owner.language = "de"
    owner.save()
    person = person_create(actor=owner, name="Jana Kühn")
    lead_create(actor=owner, title="Wärmepumpe", person=person, value="1234.56")
    login(page, owner, live_server)

    page.goto(live_server.url + reverse("leads:inbox"))

    expect(page.get_by_role("link", name="Lead hinzufügen")).to_be_visible()
    expect(page.get_by_text("1.234,56\xa0€")).to_be_visible()


def test_add_lead_hides_the_chosen_bar_until_a_record_is_picked(page, login, live_server, owner):
    login(page, owner, live_server)

    page.goto(live_server.url + reverse("leads:add"))

    expect(page.locator(".chosen").first).to_be_hidden()
    expect(page.get_by_role("button", name="Change")).to_have_count(0)


def test_a_double_click_on_save_sends_the_form_once(page, login, live_server, owner):
    login(page, owner, live_server)
    page.goto(live_server.url + reverse("leads:add"))
    page.get_by_label("Title").fill("Double click")
    page.get_by_role("combobox", name="Organization").fill("Zwilling AG")
    page.get_by_role("option", name="Create new organization “Zwilling AG”").click()
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    page.get_by_role("button", name="Save").dblclick()

    expect(page.get_by_role("heading", name="Double click")).to_be_visible()
    assert len(posts) == 1
    assert Lead.objects.filter(title="Double click").count() == 1


def test_escape_closes_the_convert_dialog_and_a_reload_keeps_it_closed(
    page, login, live_server, owner, pipeline
):
    person = person_create(actor=owner, name="Ella Esc")
    lead = lead_create(actor=owner, title="Escape me", person=person)
    login(page, owner, live_server)
    page.goto(live_server.url + reverse("leads:convert", args=[lead.pk]))
    expect(page.get_by_role("dialog", name="Convert to deal")).to_be_visible()

    page.keyboard.press("Escape")

    expect(page.get_by_role("dialog", name="Convert to deal")).to_be_hidden()
    expect(page).to_have_url(live_server.url + reverse("leads:detail", args=[lead.pk]))
    # The keyboard user is back where a click would have left them: on Convert to deal.
    expect(page.get_by_role("link", name="Convert to deal")).to_be_focused()
    page.reload()
    expect(page.get_by_role("dialog", name="Convert to deal")).to_be_hidden()


def test_inbox_on_a_tablet_keeps_titles_readable(browser, login, live_server, owner):
    person = person_create(actor=owner, name="Tara Tablet", organization=None)
    lead_create(actor=owner, title="Heat pump for the town hall", person=person)
    context = browser.new_context(locale="en-US", viewport={"width": 768, "height": 1024})
    page = context.new_page()
    login(page, owner, live_server)

    page.goto(live_server.url + reverse("leads:inbox"))

    expect(page.get_by_role("columnheader", name="Source")).to_be_hidden()
    link = page.get_by_role("link", name="Heat pump for the town hall")
    line_height = link.evaluate("a => parseFloat(getComputedStyle(a).lineHeight)")
    assert link.bounding_box()["height"] <= 2.5 * line_height
    context.close()
