"""The timeline: newest first, what was done on a person's deals included, bounded per page."""

from datetime import date

from django.urls import reverse

from activities.selectors import TIMELINE_PAGE, person_timeline
from activities.services import activity_create, activity_set_done, note_create
from contacts.services import person_create
from crm.models import Visibility
from deals.services import deal_create, deal_update


def test_a_persons_timeline_includes_their_deals_newest_first(owner, pipeline):
    person = person_create(actor=owner, name="Ann Lee")
    deal = deal_create(actor=owner, title="Licence", pipeline=pipeline, person=person)
    note_create(actor=owner, person=person, content="First")
    note_create(actor=owner, deal=deal, content="On the deal")

    entries = person_timeline(person=person, user=owner)

    notes = [e.item.content for e in entries if e.kind == "note"]
    assert notes == ["On the deal", "First"]
    assert any(e.kind == "history" for e in entries)


def test_a_long_history_shows_its_newest_page_and_says_there_is_more(owner, client):
    person = person_create(actor=owner, name="Ann Lee")
    for i in range(TIMELINE_PAGE + 5):
        note_create(actor=owner, person=person, content=f"Note {i}")

    page = person_timeline(person=person, user=owner)
    everything = person_timeline(person=person, user=owner, limit=None)

    assert len(page) == TIMELINE_PAGE and page.truncated
    assert page[0].item.content == f"Note {TIMELINE_PAGE + 4}"
    assert len(everything) == TIMELINE_PAGE + 5 and not everything.truncated


def test_the_person_page_links_to_the_whole_history(owner, client):
    person = person_create(actor=owner, name="Ann Lee")
    for i in range(TIMELINE_PAGE + 1):
        note_create(actor=owner, person=person, content=f"Note {i}")
    client.force_login(owner)
    url = reverse("contacts:person_detail", args=[person.pk])

    first = client.get(url).content.decode()
    whole = client.get(url, {"timeline": "all"}).content.decode()

    assert "Show the whole history" in first and "Note 0<" not in first.replace("\n", "")
    assert "Note 0" in whole and "Show the whole history" not in whole


def test_an_activity_done_today_is_among_the_newest_though_many_are_due_earlier(owner):
    person = person_create(actor=owner, name="Ann Lee")
    first = activity_create(
        actor=owner, person=person, subject="Old call", due_date=date(2030, 1, 1)
    )
    for i in range(TIMELINE_PAGE + 5):
        activity_create(actor=owner, person=person, subject=f"Task {i}", due_date=date(2026, 1, 1))
    activity_set_done(actor=owner, activity=first)

    page = person_timeline(person=person, user=owner)

    assert page[0].item == first and page.truncated


def test_a_deals_notes_stay_on_the_person_they_were_written_about_when_the_deal_moves_on(
    owner, pipeline
):
    ann = person_create(actor=owner, name="Ann Lee")
    bob = person_create(actor=owner, name="Bob Roe")
    deal = deal_create(actor=owner, title="Licence", pipeline=pipeline, person=ann)
    note_create(actor=owner, deal=deal, content="Ann asked for a discount")
    deal_update(actor=owner, deal=deal, version=deal.version, person=bob)

    anns = [e.item.content for e in person_timeline(person=ann, user=owner) if e.kind == "note"]
    bobs = [e.item.content for e in person_timeline(person=bob, user=owner) if e.kind == "note"]

    assert anns == bobs == ["Ann asked for a discount"]


def test_a_persons_timeline_hides_what_was_done_on_a_deal_the_user_may_not_see(
    owner, outsider, pipeline
):
    person = person_create(actor=owner, name="Ann Lee", visible_to=Visibility.COMPANY)
    private = deal_create(
        actor=owner, title="Secret", pipeline=pipeline, person=person, visible_to=Visibility.OWNER
    )
    note_create(actor=owner, deal=private, content="Secret terms")
    note_create(actor=owner, person=person, content="Met at the fair")

    def notes(user):
        return [
            e.item.content for e in person_timeline(person=person, user=user) if e.kind == "note"
        ]

    assert notes(outsider) == ["Met at the fair"]
    assert notes(owner) == ["Met at the fair", "Secret terms"]


def test_a_done_activity_shows_who_marked_it_done_and_a_planned_one_who_planned_it(owner, teammate):
    person = person_create(actor=owner, name="Ann Lee", visible_to=Visibility.TEAM)
    call = activity_create(actor=owner, person=person, subject="Call", due_date=date(2030, 1, 1))
    activity_create(actor=owner, person=person, subject="Visit", due_date=date(2030, 1, 2))
    activity_set_done(actor=teammate, activity=call)

    actors = {e.item.subject: e.actor for e in person_timeline(person=person, user=owner)}

    assert actors == {"Call": teammate, "Visit": owner}
