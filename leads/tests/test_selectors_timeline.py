"""The lead's timeline, and what was written on a lead on its person's timeline."""

from django.urls import reverse

from activities.selectors import TIMELINE_PAGE, person_timeline
from activities.services import note_create
from contacts.services import person_create
from crm.models import Visibility
from leads.selectors import lead_timeline, on_hidden_leads
from leads.services import lead_add_note, lead_create


def test_a_lead_timeline_gives_everything_when_asked(owner):
    person = person_create(actor=owner, name="Ann Lee")
    lead = lead_create(actor=owner, title="Fair contact", person=person)
    for i in range(TIMELINE_PAGE + 2):
        lead_add_note(actor=owner, lead=lead, content=f"Note {i}")

    assert len(lead_timeline(lead=lead, limit=None)) == TIMELINE_PAGE + 2
    assert len(lead_timeline(lead=lead)) == TIMELINE_PAGE


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
        entries = person_timeline(person=person, user=user, hidden=on_hidden_leads(user=user))
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
