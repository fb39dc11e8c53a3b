"""The timeline: newest first, what was done on a person's deals included, bounded per page."""

from datetime import date

from django.urls import reverse

from activities.selectors import TIMELINE_PAGE, person_timeline
from activities.services import activity_create, activity_set_done, note_create
from contacts.services import person_create
from deals.services import deal_create


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
