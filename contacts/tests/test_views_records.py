"""People and organization pages: lists, search, pages with deals, leads and timeline, forms."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.services import note_create
from contacts.models import Organization, Person
from crm.models import Visibility
from deals.tests.web import make_deal, make_organization, make_person
from leads.services import lead_create

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [record.name for record in response.context["page"].items]


def test_people_list_shows_visible_people(client, owner, outsider):
    make_person(owner, name="Ann Lee")
    make_person(outsider, name="Hidden Person", visible_to=Visibility.TEAM)
    client.force_login(owner)

    response = client.get(reverse("contacts:person_list"))

    assert response.status_code == 200
    assert names(response) == ["Ann Lee"]


def test_people_search_by_name_and_by_email(client, owner):
    make_person(owner, name="Ann Lee", emails=["ann@example.com"])
    make_person(owner, name="Bob Stone", emails=["bob@example.com"])
    client.force_login(owner)

    by_name = client.get(reverse("contacts:person_list"), {"q": "stone"})
    by_email = client.get(reverse("contacts:person_list"), {"q": "ANN@example.com"})

    assert names(by_name) == ["Bob Stone"]
    assert names(by_email) == ["Ann Lee"]


def test_people_list_owner_filter(client, owner, teammate):
    make_person(owner, name="Ann Lee")
    make_person(teammate, name="Bob Stone")
    client.force_login(owner)

    assert names(client.get(reverse("contacts:person_list"), {"owner": "mine"})) == ["Ann Lee"]


def test_person_page_shows_contact_data_deals_leads_and_deal_notes(client, owner, pipeline):
    person = make_person(owner, name="Ann Lee", emails=["ann@example.com", "ann@home.net"])
    deal = make_deal(owner, pipeline, title="Acme rollout", person=person)
    lead_create(actor=owner, title="Second project", person=person)
    note_create(actor=owner, deal=deal, content="Budget approved")
    client.force_login(owner)

    response = client.get(reverse("contacts:person_detail", args=[person.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "ann@example.com" in html and "ann@home.net" in html and "+49 30 1234567" in html
    assert "Acme rollout" in html and "Second project" in html
    assert "Budget approved" in html  # written on the deal, shown on the person


@pytest.mark.parametrize(
    "name,method",
    [
        ("person_detail", "get"),
        ("person_edit", "get"),
        ("person_edit", "post"),
        ("person_merge", "get"),
        ("person_merge", "post"),
    ],
)
def test_outsider_gets_404_on_every_url_of_a_team_person(client, owner, outsider, name, method):
    person = make_person(owner, visible_to=Visibility.TEAM)
    client.force_login(outsider)

    response = getattr(client, method)(reverse(f"contacts:{name}", args=[person.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize(
    "name,method",
    [
        ("organization_detail", "get"),
        ("organization_edit", "get"),
        ("organization_edit", "post"),
        ("organization_merge", "get"),
        ("organization_merge", "post"),
    ],
)
def test_outsider_gets_404_on_every_url_of_a_team_organization(
    client, owner, outsider, name, method
):
    org = make_organization(owner, visible_to=Visibility.TEAM)
    client.force_login(outsider)

    response = getattr(client, method)(reverse(f"contacts:{name}", args=[org.pk]))

    assert response.status_code == 404


def test_teammate_sees_a_team_person(client, owner, teammate):
    person = make_person(owner, visible_to=Visibility.TEAM)
    client.force_login(teammate)

    assert client.get(reverse("contacts:person_detail", args=[person.pk])).status_code == 200


def test_add_person_with_a_new_organization(client, owner):
    client.force_login(owner)

    response = client.post(
        reverse("contacts:person_add"),
        {
            "name": "Carla Diaz",
            "emails": "carla@example.com\ncarla@home.net",
            "phones": "+49 89 123456",
            "organization": "Diaz Consulting",
            "organization_new": "on",
            "job_title": "CEO",
            "owner": owner.pk,
            "visible_to": Visibility.TEAM,
        },
    )

    person = Person.objects.get(name="Carla Diaz")
    assert response.status_code == 302
    assert [e.email for e in person.emails.all()] == ["carla@example.com", "carla@home.net"]
    assert person.organization.name == "Diaz Consulting"


def test_add_person_reuses_a_visible_organization_of_that_name(client, owner):
    org = make_organization(owner, name="Acme GmbH")
    client.force_login(owner)

    client.post(
        reverse("contacts:person_add"),
        {
            "name": "Carla Diaz",
            "organization": "acme gmbh",
            "owner": owner.pk,
            "visible_to": Visibility.TEAM,
        },
    )

    assert Person.objects.get(name="Carla Diaz").organization == org
    assert Organization.objects.count() == 1


def test_a_bad_email_is_shown_on_the_field(client, owner):
    client.force_login(owner)

    response = client.post(
        reverse("contacts:person_add"),
        {
            "name": "Carla Diaz",
            "emails": "not-an-address",
            "owner": owner.pk,
            "visible_to": Visibility.TEAM,
        },
    )

    assert response.status_code == 200
    assert "is not an e-mail address" in response.content.decode()
    assert not Person.objects.exists()


def test_edit_person(client, owner):
    person = make_person(owner, name="Ann Lee")
    client.force_login(owner)

    client.post(
        reverse("contacts:person_edit", args=[person.pk]),
        {
            "name": "Ann Lee-Smith",
            "emails": "ann@new.example",
            "owner": owner.pk,
            "visible_to": Visibility.TEAM,
        },
    )

    person.refresh_from_db()
    assert person.name == "Ann Lee-Smith" and person.primary_email == "ann@new.example"


def test_person_page_query_count_does_not_grow_with_deals_and_notes(
    client, owner, pipeline, django_assert_max_num_queries
):
    person = make_person(owner)
    note_create(actor=owner, deal=make_deal(owner, pipeline, person=person), content="one")
    client.force_login(owner)
    page = reverse("contacts:person_detail", args=[person.pk])
    client.get(page)
    with CaptureQueriesContext(connection) as few:
        client.get(page)
    for i in range(10):
        deal = make_deal(owner, pipeline, title=f"Deal {i}", person=person)
        note_create(actor=owner, deal=deal, content=f"note {i}")
        lead_create(actor=owner, title=f"Lead {i}", person=person)

    with django_assert_max_num_queries(len(few)):
        client.get(page)


def test_organization_list_search(client, owner):
    make_organization(owner, name="Acme GmbH")
    make_organization(owner, name="Globex Corporation", website="globex.example")
    client.force_login(owner)

    response = client.get(reverse("contacts:organization_list"), {"q": "globex"})

    assert names(response) == ["Globex Corporation"]


def test_organization_page_shows_people_deals_and_their_notes(client, owner, pipeline):
    org = make_organization(owner, name="Acme GmbH")
    person = make_person(owner, name="Ann Lee", organization=org)
    deal = make_deal(owner, pipeline, title="Acme rollout", organization=org, person=person)
    note_create(actor=owner, deal=deal, content="Budget approved")
    client.force_login(owner)

    html = client.get(reverse("contacts:organization_detail", args=[org.pk])).content.decode()

    assert "Ann Lee" in html and "Acme rollout" in html and "Budget approved" in html


def test_add_and_edit_organization(client, owner):
    client.force_login(owner)

    client.post(
        reverse("contacts:organization_add"),
        {
            "name": "Initech",
            "website": "initech.example",
            "owner": owner.pk,
            "visible_to": Visibility.COMPANY,
        },
    )
    org = Organization.objects.get(name="Initech")
    client.post(
        reverse("contacts:organization_edit", args=[org.pk]),
        {
            "name": "Initech AG",
            "website": "initech.example",
            "address": "Berlin",
            "owner": owner.pk,
            "visible_to": Visibility.COMPANY,
        },
    )

    org.refresh_from_db()
    assert org.name == "Initech AG" and org.address == "Berlin"
