"""The lead's timeline, and what was written on a lead on its person's timeline."""

from datetime import date

from django.urls import reverse

from activities.selectors import TIMELINE_PAGE, person_timeline
from activities.services import note_create
from contacts.services import person_create
from crm.models import Visibility
from deals.services import deal_delete
from leads.conversion import ContactChoice, lead_convert
from leads.selectors import lead_timeline
from leads.services import lead_add_activity, lead_add_note, lead_create


def test_a_lead_timeline_gives_everything_when_asked(owner):
    person = person_create(actor=owner, name="Ann Lee")
    lead = lead_create(actor=owner, title="Fair contact", person=person)
    for i in range(TIMELINE_PAGE + 2):
        lead_add_note(actor=owner, lead=lead, content=f"Note {i}")

    assert len(lead_timeline(lead=lead, user=owner, limit=None)) == TIMELINE_PAGE + 2
    assert len(lead_timeline(lead=lead, user=owner)) == TIMELINE_PAGE


def test_what_was_written_on_a_private_lead_stays_off_its_persons_timeline_and_the_api(
    client, owner, teammate, admin_user
):
    person = person_create(actor=owner, name="Ann Lee", visible_to=Visibility.COMPANY)
    private = lead_create(actor=owner, title="Quiet", person=person, visible_to=Visibility.OWNER)
    shared = lead_create(actor=owner, title="Open", person=person, visible_to=Visibility.TEAM)
    lead_add_note(actor=owner, lead=private, content="Private remark")
    lead_add_note(actor=owner, lead=shared, content="Team remark")
    note_create(actor=teammate, person=person, content="Met at the fair")

    def timeline(user):
        entries = person_timeline(person=person, user=user)
        return {e.item.content for e in entries if e.kind == "note"}

    def api_notes(user):
        client.force_login(user)
        return {n["content"] for n in client.get("/api/v1/notes/").json()["results"]}

    everything = {"Private remark", "Team remark", "Met at the fair"}
    assert timeline(owner) == timeline(admin_user) == everything
    assert timeline(teammate) == {"Team remark", "Met at the fair"}
    assert api_notes(owner) == api_notes(admin_user) == everything
    assert api_notes(teammate) == {"Team remark", "Met at the fair"}
    client.force_login(teammate)
    page = client.get(reverse("contacts:person_detail", args=[person.pk])).content.decode()
    assert "Team remark" in page and "Private remark" not in page


def _converted(owner, pipeline, *, deal_visible_to):
    person = person_create(actor=owner, name="Ann Lee", visible_to=Visibility.COMPANY)
    lead = lead_create(actor=owner, title="Fair", person=person, visible_to=Visibility.TEAM)
    lead_add_note(actor=owner, lead=lead, content="Their budget")
    lead_add_activity(actor=owner, lead=lead, subject="Call back", due_date=date(2030, 1, 1))
    deal = lead_convert(
        lead=lead,
        actor=owner,
        pipeline=pipeline,
        title="Secret contract",
        visible_to=deal_visible_to,
        person_choice=ContactChoice("keep"),
        organization_choice=ContactChoice("keep"),
    )
    lead.refresh_from_db()
    return lead, deal


def test_a_converted_leads_page_shows_its_items_only_to_those_who_see_the_deal(
    client, owner, teammate, pipeline
):
    lead, deal = _converted(owner, pipeline, deal_visible_to=Visibility.OWNER)
    url = reverse("leads:detail", args=[lead.pk])

    client.force_login(teammate)
    page = client.get(url).content.decode()
    api = client.get(f"/api/v1/leads/{lead.pk}/timeline/").json()["results"]
    client.force_login(owner)
    owners_page = client.get(url).content.decode()

    assert "Their budget" not in page and "Call back" not in page and deal.title not in page
    assert "Open the deal" not in page and "Open the deal" in owners_page
    assert [entry["kind"] for entry in api] == ["conversion"]
    assert "Their budget" in owners_page and "Call back" in owners_page


def test_a_converted_leads_page_still_opens_after_its_deal_was_deleted(client, owner, pipeline):
    lead, deal = _converted(owner, pipeline, deal_visible_to=Visibility.TEAM)
    deal_delete(actor=owner, deal=deal)
    client.force_login(owner)

    response = client.get(reverse("leads:detail", args=[lead.pk]))

    assert response.status_code == 200
    assert "Converted to a deal" in response.content.decode()
