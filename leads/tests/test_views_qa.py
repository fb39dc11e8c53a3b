"""Fixes found in QA on the lead pages: one-time form tokens, explicit creation of contacts,
the convert dialog's duplicate choice, bulk messages, sorting, "My team" and form ids."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from activities.models import Note
from contacts.models import Organization, Person
from contacts.services import organization_create, person_create
from crm.models import Visibility
from crm.tests.factories import UserFactory
from crm.web.once import new_token
from leads.models import Lead
from leads.services import lead_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def token() -> str:
    return new_token()


def lead_data(owner, **changes):
    data = {
        "title": "New fleet",
        "person_name": "Ida Neu",
        "person_new": "on",
        "organization_name": "Neu GmbH",
        "organization_new": "on",
        "currency": "EUR",
        "source": "manual",
        "owner": owner.pk,
        "visible_to": "team",
    }
    data.update(changes)
    return data


@pytest.fixture
def lead(owner):
    person = person_create(actor=owner, name="Zoe Quandt", visible_to=Visibility.TEAM)
    return lead_create(actor=owner, title="Solar roof", person=person, visible_to=Visibility.TEAM)


def test_add_lead_sent_twice_with_one_token_creates_one_lead_and_one_organization(
    client, owner, token
):
    client.force_login(owner)

    first = client.post(reverse("leads:add"), lead_data(owner, form_token=token))
    second = client.post(reverse("leads:add"), lead_data(owner, form_token=token))

    lead = Lead.objects.get()
    assert Organization.objects.count() == 1 and Person.objects.count() == 1
    assert first.url == second.url == reverse("leads:detail", args=[lead.pk])
    assert "already sent" in " ".join(str(m) for m in get_messages(second.wsgi_request))


def test_add_lead_with_errors_gives_the_token_back_for_the_corrected_form(client, owner, token):
    client.force_login(owner)

    refused = client.post(reverse("leads:add"), lead_data(owner, title="", form_token=token))
    client.post(reverse("leads:add"), lead_data(owner, form_token=token))

    assert refused.status_code == 200
    assert Lead.objects.count() == 1


def test_add_note_sent_twice_with_one_token_adds_one_note(client, owner, lead, token):
    client.force_login(owner)
    data = {"note-content": "Call back", "form_token": token}

    client.post(reverse("leads:note_add", args=[lead.pk]), data)
    second = client.post(reverse("leads:note_add", args=[lead.pk]), data)

    assert Note.objects.count() == 1
    assert second.url == reverse("leads:detail", args=[lead.pk])


def test_add_lead_form_carries_a_fresh_token_each_time(client, owner):
    client.force_login(owner)

    tokens = [
        re.search(
            r'name="form_token" value="([^"]+)"', client.get(reverse("leads:add")).content.decode()
        )[1]
        for _ in range(2)
    ]

    assert tokens[0] != tokens[1]


def test_edit_lead_with_a_typed_new_name_creates_no_person_silently(client, owner, lead):
    client.force_login(owner)

    response = client.post(
        reverse("leads:edit", args=[lead.pk]),
        lead_data(owner, person="", person_name="Zoe Q.", person_new="", organization_name=""),
    )

    lead.refresh_from_db()
    assert response.status_code == 200
    assert "Create new person" in response.content.decode()
    assert Person.objects.count() == 1 and lead.person.name == "Zoe Quandt"


def test_edit_lead_creates_a_new_person_when_asked_explicitly(client, owner, lead):
    client.force_login(owner)

    client.post(
        reverse("leads:edit", args=[lead.pk]),
        lead_data(owner, person="", person_name="Yves New", organization_name=""),
    )

    lead.refresh_from_db()
    assert lead.person.name == "Yves New"


def test_add_lead_with_a_typed_organization_name_alone_is_refused(client, owner):
    client.force_login(owner)

    response = client.post(reverse("leads:add"), lead_data(owner, organization_new=""))

    assert response.status_code == 200
    assert "Create new organization" in response.content.decode()
    assert not Lead.objects.exists() and not Organization.objects.exists()


def test_convert_without_a_duplicate_choice_says_what_to_choose(client, owner, pipeline, lead):
    person_create(actor=owner, name="Zoe Quandt", visible_to=Visibility.TEAM)
    client.force_login(owner)
    stage = pipeline.first_stage()

    response = client.post(
        reverse("leads:convert", args=[lead.pk]),
        {
            "title": "Solar roof",
            "pipeline": pipeline.pk,
            "stage": stage.pk,
            "currency": "EUR",
            "owner": owner.pk,
            "visible_to": "team",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200 and not lead.__class__.objects.get().is_converted
    assert "Choose “Keep new” or one of the existing records for: Person." in html


def test_convert_dialog_shows_organization_fields_for_organization_duplicates(
    client, owner, pipeline
):
    org = organization_create(
        actor=owner, name="Alpenblick Hotels AG", website="alpenblick.example", address="Bergweg 1"
    )
    organization_create(actor=owner, name="Alpenblick Hotels", website="alpenblick.example")
    lead = lead_create(actor=owner, title="Spa", organization=org)
    client.force_login(owner)

    html = client.get(reverse("leads:convert", args=[lead.pk])).content.decode()

    dialog = html[html.index('id="convert-dialog"') :]
    assert "Bergweg 1" in dialog and "Address" in dialog
    assert "Phones" not in dialog


def test_bulk_archive_of_one_lead_says_one_lead(client, owner, lead):
    client.force_login(owner)

    response = client.post(reverse("leads:bulk"), {"action": "archive", "ids": [lead.pk]})

    assert [str(m) for m in get_messages(response.wsgi_request)] == ["1 lead archived."]


def test_bulk_action_without_a_selection_asks_for_one(client, owner):
    client.force_login(owner)

    response = client.post(reverse("leads:bulk"), {"action": "archive"})

    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Select at least one lead."]


def test_a_column_header_sorts_ascending_first(client, owner):
    client.force_login(owner)

    response = client.get(reverse("leads:inbox"))

    assert response.context["sort_links"]["title"] == "sort=title"
    current = client.get(reverse("leads:inbox"), {"sort": "title"})
    assert current.context["sort_links"]["title"] == "sort=-title"


def test_my_team_for_a_manager_shows_the_teams_they_manage(client, manager, owner):
    person = person_create(actor=owner, name="Kim Team")
    lead_create(actor=owner, title="Managed team lead", person=person)
    client.force_login(manager)

    html = client.get(reverse("leads:inbox"), {"scope": "team"}).content.decode()

    assert "Managed team lead" in html


def test_my_team_for_a_rep_leaves_out_other_teams(client, owner, other_team):
    stranger = UserFactory(team=other_team)
    person = person_create(actor=stranger, name="Far away", visible_to=Visibility.COMPANY)
    lead_create(actor=stranger, title="Other team lead", person=person, visible_to="company")
    client.force_login(owner)

    html = client.get(reverse("leads:inbox"), {"scope": "team"}).content.decode()

    assert "Other team lead" not in html


def test_huge_inbox_page_number_is_not_an_error(client, owner):
    client.force_login(owner)

    response = client.get(reverse("leads:inbox"), {"page": "9" * 30})

    assert response.status_code == 200


def test_lead_page_has_no_duplicate_ids(client, owner, lead):
    client.force_login(owner)

    html = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()

    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_activity_on_a_lead_can_go_to_a_teammate_for_a_set_duration(client, owner, teammate, lead):
    client.force_login(owner)

    client.post(
        reverse("leads:activity_add", args=[lead.pk]),
        {
            "activity-type": "meeting",
            "activity-subject": "Site visit",
            "activity-due_date": "2030-01-15",
            "activity-duration_minutes": "90",
            "activity-assignee": teammate.pk,
        },
    )

    activity = lead.activities.get()
    assert activity.assignee == teammate and activity.duration_minutes == 90


def test_activity_assignee_must_be_someone_the_user_may_assign_to(client, owner, outsider, lead):
    client.force_login(owner)

    response = client.post(
        reverse("leads:activity_add", args=[lead.pk]),
        {
            "activity-type": "call",
            "activity-subject": "Call",
            "activity-due_date": "2030-01-15",
            "activity-assignee": outsider.pk,
        },
    )

    assert response.status_code == 400 and not lead.activities.exists()
