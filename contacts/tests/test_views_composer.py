"""The composer on the person and organization pages: add a note, schedule an activity, log an
e-mail, each shown on the record's timeline; "To" is the person's primary e-mail."""

import pytest
from django.urls import reverse

from activities.models import Activity, Email, Note
from crm.models import Visibility
from deals.tests.web import make_organization, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(owner):
    return make_organization(owner, name="Nordwind Logistik GmbH", visible_to=Visibility.TEAM)


@pytest.fixture
def person(owner, org):
    return make_person(
        owner,
        name="Anna Weber",
        emails=["anna@nordwind.example", "anna.private@mail.example"],
        organization=org,
        visible_to=Visibility.TEAM,
    )


RECORD_PAGES = {
    "person": "contacts:person_detail",
    "organization": "contacts:organization_detail",
}


def record_of(kind, person, org):
    return person if kind == "person" else org


def composer_url(name, kind, record):
    return reverse(f"activities:{name}", args=[kind, record.pk])


def page_url(kind, record):
    return reverse(RECORD_PAGES[kind], args=[record.pk])


@pytest.mark.parametrize("kind", sorted(RECORD_PAGES))
def test_the_record_page_has_the_three_composer_forms(client, owner, person, org, kind):
    record = record_of(kind, person, org)
    client.force_login(owner)

    html = client.get(page_url(kind, record)).content.decode()

    for name in ("note_add", "activity_add", "email_log"):
        assert f'action="{composer_url(name, kind, record)}"' in html
    assert "Add note" in html and "Schedule activity" in html and "Log email" in html


@pytest.mark.parametrize("kind", sorted(RECORD_PAGES))
def test_a_note_added_on_the_record_page_shows_on_its_timeline(client, owner, person, org, kind):
    record = record_of(kind, person, org)
    client.force_login(owner)

    response = client.post(
        composer_url("note_add", kind, record),
        {"note-content": "Wants a pilot in <b>May</b>"},
        follow=True,
    )

    note = Note.objects.get()
    assert getattr(note, kind) == record
    assert response.redirect_chain[-1][0] == page_url(kind, record) + "#timeline"
    assert "Wants a pilot in <b>May</b>" in response.content.decode()


@pytest.mark.parametrize("kind", sorted(RECORD_PAGES))
def test_an_activity_scheduled_on_the_record_page_shows_on_its_timeline(
    client, owner, person, org, kind
):
    record = record_of(kind, person, org)
    client.force_login(owner)

    response = client.post(
        composer_url("activity_add", kind, record),
        {
            "activity-type": "call",
            "activity-subject": "Call about the pilot",
            "activity-due_date": "2030-05-01",
        },
        follow=True,
    )

    activity = Activity.objects.get()
    assert getattr(activity, kind) == record and activity.assignee == owner
    assert "Call about the pilot" in response.content.decode()


@pytest.mark.parametrize("kind", sorted(RECORD_PAGES))
def test_an_email_logged_on_the_record_page_shows_on_its_timeline(client, owner, person, org, kind):
    record = record_of(kind, person, org)
    client.force_login(owner)

    response = client.post(
        composer_url("email_log", kind, record),
        {
            "email-sender": "olivia@example.com",
            "email-recipients": "anna@nordwind.example",
            "email-subject": "Pilot offer",
            "email-body": "Hi Anna",
        },
        follow=True,
    )

    email = Email.objects.get()
    assert getattr(email, kind) == record
    assert "Pilot offer" in response.content.decode()


def test_log_email_on_the_person_page_is_addressed_to_their_primary_email(client, owner, person):
    client.force_login(owner)

    html = client.get(page_url("person", person)).content.decode()

    recipients = html.split('name="email-recipients"')[1].split(">")[0]
    assert 'value="anna@nordwind.example"' in recipients  # the primary, not the second one


def test_an_empty_note_on_the_person_page_comes_back_with_its_error(client, owner, person):
    client.force_login(owner)

    response = client.post(composer_url("note_add", "person", person), {"note-content": "  "})

    assert response.status_code == 400
    assert response.context["note_form"].errors
    assert not Note.objects.exists()


@pytest.mark.parametrize("kind", sorted(RECORD_PAGES))
def test_an_outsider_cannot_post_on_a_record_they_may_not_see(client, outsider, person, org, kind):
    record = record_of(kind, person, org)
    client.force_login(outsider)

    response = client.post(composer_url("note_add", kind, record), {"note-content": "Sneaky"})

    assert response.status_code == 404
    assert not Note.objects.exists()
