"""The lead's timeline: the newest page on the lead page, everything for the API."""

from activities.selectors import TIMELINE_PAGE
from contacts.services import person_create
from leads.selectors import lead_timeline
from leads.services import lead_add_note, lead_create


def test_a_lead_timeline_gives_everything_when_asked(owner):
    person = person_create(actor=owner, name="Ann Lee")
    lead = lead_create(actor=owner, title="Fair contact", person=person)
    for i in range(TIMELINE_PAGE + 2):
        lead_add_note(actor=owner, lead=lead, content=f"Note {i}")

    assert len(lead_timeline(lead=lead, limit=None)) == TIMELINE_PAGE + 2
    assert len(lead_timeline(lead=lead)) == TIMELINE_PAGE
