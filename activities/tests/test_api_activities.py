"""Notes, activities and logged e-mails through the API: visibility, authorship, lead links."""

from datetime import date

import pytest

from activities.models import Activity, Note
from activities.services import activity_create
from crm.tests.api import (
    api_client,
    make_activity,
    make_deal,
    make_email,
    make_lead,
    make_note,
    make_person,
)

pytestmark = pytest.mark.django_db

MATRIX = [
    ("owner", 200),
    ("teammate", 200),
    ("outsider", 404),
    ("manager", 200),
    ("admin_user", 200),
]
MAKERS = {"notes": make_note, "activities": make_activity, "emails": make_email}


@pytest.mark.parametrize("resource", sorted(MAKERS))
@pytest.mark.parametrize(("viewer", "expected"), MATRIX)
def test_items_on_a_deal_are_seen_by_whom_may_see_the_deal(
    request, owner, pipeline, resource, viewer, expected
):
    item = MAKERS[resource](owner, make_deal(owner, pipeline))
    user = request.getfixturevalue(viewer)

    response = api_client(user).get(f"/api/v1/{resource}/{item.pk}/")

    assert response.status_code == expected


def test_note_on_a_lead_is_created_and_linked_to_the_lead(owner):
    lead = make_lead(owner)

    response = api_client(owner).post(
        "/api/v1/notes/", {"lead": lead.pk, "content": "Call in May."}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["lead"] == lead.pk
    assert response.json()["person"] == lead.person_id
    assert list(lead.notes.all()) == [Note.objects.get()]


def test_note_author_cannot_be_set(owner, teammate):
    person = make_person(owner)

    response = api_client(owner).post(
        "/api/v1/notes/",
        {
            "person": person.pk,
            "content": "Hello",
            "author": teammate.pk,
        },
        format="json",
    )

    assert response.json()["author"] == owner.pk


def test_note_on_an_unseen_deal_is_a_400_on_deal(owner, outsider, pipeline):
    deal = make_deal(outsider, pipeline, visible_to="owner")

    response = api_client(owner).post(
        "/api/v1/notes/", {"deal": deal.pk, "content": "Sneaky"}, format="json"
    )

    assert response.status_code == 400
    assert "deal" in response.json()


def test_note_needs_something_to_be_attached_to(owner):
    response = api_client(owner).post("/api/v1/notes/", {"content": "Alone"}, format="json")

    assert response.status_code == 400


def test_only_the_author_edits_a_note(owner, teammate, pipeline):
    note = make_note(owner, make_deal(owner, pipeline))

    refused = api_client(teammate).patch(
        f"/api/v1/notes/{note.pk}/", {"content": "Mine"}, format="json"
    )
    edited = api_client(owner).patch(
        f"/api/v1/notes/{note.pk}/", {"content": "Better"}, format="json"
    )

    assert refused.status_code == 403
    assert edited.json()["content"] == "Better"


def test_notes_filter_by_lead(owner):
    lead = make_lead(owner)
    api_client(owner).post(
        "/api/v1/notes/", {"lead": lead.pk, "content": "On the lead"}, format="json"
    )
    api_client(owner).post(
        "/api/v1/notes/", {"person": make_person(owner).pk, "content": "Elsewhere"}, format="json"
    )

    results = api_client(owner).get(f"/api/v1/notes/?lead={lead.pk}").json()["results"]

    assert [n["content"] for n in results] == ["On the lead"]


def test_activity_is_created_marked_done_and_deleted(owner, pipeline):
    deal = make_deal(owner, pipeline)
    client = api_client(owner)

    created = client.post(
        "/api/v1/activities/",
        {
            "deal": deal.pk,
            "subject": "Call",
            "due_date": "2030-05-01",
            "type": "meeting",
        },
        format="json",
    )
    done = client.patch(
        f"/api/v1/activities/{created.json()['id']}/", {"done": True}, format="json"
    )
    deleted = client.delete(f"/api/v1/activities/{created.json()['id']}/")

    assert created.status_code == 201
    assert (done.json()["done"], done.json()["done_at"] is not None) == (True, True)
    assert deleted.status_code == 204
    assert not Activity.objects.exists()


def test_activity_with_a_bad_type_is_a_400(owner, pipeline):
    deal = make_deal(owner, pipeline)

    response = api_client(owner).post(
        "/api/v1/activities/",
        {
            "deal": deal.pk,
            "subject": "Call",
            "due_date": "2030-05-01",
            "type": "party",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "type" in response.json()


def test_email_is_logged_on_a_lead(owner):
    lead = make_lead(owner)

    response = api_client(owner).post(
        "/api/v1/emails/",
        {
            "lead": lead.pk,
            "sender": "jane@example.com",
            "recipients": "me@example.com",
            "subject": "Offer",
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["lead"] == lead.pk
    assert response.json()["logged_by"] == owner.pk


def test_activities_are_listed_by_due_range_with_both_days_included(owner):
    person = make_person(owner)
    for day in (1, 2, 8, 9):
        activity_create(
            actor=owner, subject=f"Day {day}", due_date=date(2026, 12, day), person=person
        )

    response = api_client(owner).get(
        "/api/v1/activities/", {"due_after": "2026-12-02", "due_before": "2026-12-08"}
    )

    assert response.status_code == 200
    assert [a["subject"] for a in response.json()["results"]] == ["Day 2", "Day 8"]


def test_a_due_range_that_is_not_a_date_is_a_400(owner):
    response = api_client(owner).get("/api/v1/activities/", {"due_after": "next week"})

    assert response.status_code == 400
    assert "due_after" in response.json()
