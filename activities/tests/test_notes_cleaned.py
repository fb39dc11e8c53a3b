"""Notes are cleaned to the pages' formatting subset when written: the API hands out no script."""

import pytest
from django.urls import reverse

from activities.models import Note
from crm.tests.api import api_client, make_deal, make_lead, make_note, make_person

pytestmark = pytest.mark.django_db

HOSTILE = '<b>Hi</b><script>alert(1)</script><img src=x onerror="alert(1)">'
CLEAN = "<b>Hi</b>"


def test_a_note_created_through_the_api_is_stored_and_returned_clean(owner):
    person = make_person(owner)

    response = api_client(owner).post(
        "/api/v1/notes/", {"person": person.pk, "content": HOSTILE}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["content"] == CLEAN
    assert Note.objects.get().content == CLEAN


def test_a_note_changed_through_the_api_is_stored_and_returned_clean(owner, pipeline):
    note = make_note(owner, make_deal(owner, pipeline))

    response = api_client(owner).patch(
        f"/api/v1/notes/{note.pk}/", {"content": HOSTILE}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["content"] == CLEAN
    note.refresh_from_db()
    assert note.content == CLEAN


def test_a_note_on_a_lead_through_the_api_is_stored_clean(owner):
    lead = make_lead(owner)

    response = api_client(owner).post(
        "/api/v1/notes/", {"lead": lead.pk, "content": HOSTILE}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["content"] == CLEAN
    assert lead.notes.get().content == CLEAN


def test_a_note_from_a_record_page_is_stored_clean(client, owner):
    person = make_person(owner)
    client.force_login(owner)

    client.post(
        reverse("activities:note_add", args=["person", person.pk]), {"note-content": HOSTILE}
    )

    assert Note.objects.get().content == CLEAN


def test_a_note_from_the_lead_page_is_stored_clean(client, owner):
    lead = make_lead(owner)
    client.force_login(owner)

    client.post(reverse("leads:note_add", args=[lead.pk]), {"note-content": HOSTILE})

    assert lead.notes.get().content == CLEAN


def test_a_note_of_nothing_but_a_script_is_refused_as_empty(owner):
    person = make_person(owner)

    response = api_client(owner).post(
        "/api/v1/notes/",
        {"person": person.pk, "content": "<script>alert(1)</script>"},
        format="json",
    )

    assert response.status_code == 400
    assert "content" in response.json()
    assert not Note.objects.exists()
