"""Fixes found in QA on the people and organization pages: huge page numbers, website links,
the duplicate check on Add person, picking an organization, one-time tokens, "My team"."""

import pytest
from django.urls import reverse

from contacts.models import Organization, Person
from crm.models import Visibility
from crm.web.once import new_token
from deals.tests.web import make_organization, make_person

pytestmark = pytest.mark.django_db


def person_data(owner, **changes):
    data = {"name": "Carla Diaz", "owner": owner.pk, "visible_to": Visibility.TEAM}
    data.update(changes)
    return data


@pytest.mark.parametrize("name", ["contacts:person_list", "contacts:organization_list"])
@pytest.mark.parametrize("page", ["9223372036854775807", "99999999999999999999", "abc", "-1"])
def test_any_page_number_of_a_contact_list_is_a_page(client, owner, name, page):
    client.force_login(owner)

    response = client.get(reverse(name), {"page": page})

    assert response.status_code == 200


def test_a_javascript_website_is_shown_as_text_not_as_a_link(client, owner):
    org = make_organization(owner, name="Evil", website="javascript:alert(1)")
    client.force_login(owner)

    html = client.get(reverse("contacts:organization_detail", args=[org.pk])).content.decode()

    assert "javascript:alert(1)" in html
    assert 'href="javascript:' not in html


def test_a_plain_domain_website_links_over_https(client, owner):
    org = make_organization(owner, name="Acme", website="acme.example")
    client.force_login(owner)

    html = client.get(reverse("contacts:organization_detail", args=[org.pk])).content.decode()

    assert 'href="https://acme.example"' in html


def test_add_person_shows_likely_duplicates_with_reasons_and_creates_nothing(client, owner):
    make_person(owner, name="Carla Diaz", emails=["carla@example.com"])
    client.force_login(owner)

    response = client.post(
        reverse("contacts:person_add"), person_data(owner, emails="carla@example.com")
    )

    html = response.content.decode()
    assert response.status_code == 200 and Person.objects.count() == 1
    assert "This person may already exist" in html and "Create anyway" in html
    assert [m.record.name for m in response.context["candidates"]] == ["Carla Diaz"]
    assert response.context["candidates"][0].reasons


def test_add_person_creates_anyway_when_asked_explicitly(client, owner):
    make_person(owner, name="Carla Diaz", emails=["carla@example.com"])
    client.force_login(owner)

    response = client.post(
        reverse("contacts:person_add"),
        person_data(owner, emails="carla@example.com", create_anyway="1"),
    )

    assert response.status_code == 302 and Person.objects.count() == 2


def test_add_person_without_likely_duplicates_creates_at_once(client, owner):
    make_person(owner, name="Zed Zimmermann", emails=["zed@example.com"])
    client.force_login(owner)

    response = client.post(reverse("contacts:person_add"), person_data(owner))

    assert response.status_code == 302 and Person.objects.count() == 2


def test_add_person_with_a_similar_organization_name_creates_no_organization_silently(
    client, owner
):
    make_organization(owner, name="Alpenblick Hotels AG")
    client.force_login(owner)

    response = client.post(
        reverse("contacts:person_add"), person_data(owner, organization="Alpenblick")
    )

    assert response.status_code == 200
    assert "Create new organization" in response.content.decode()
    assert Organization.objects.count() == 1 and not Person.objects.exists()


def test_add_person_links_the_organization_picked_from_the_suggestions(client, owner):
    org = make_organization(owner, name="Alpenblick Hotels AG")
    client.force_login(owner)

    client.post(
        reverse("contacts:person_add"),
        person_data(owner, organization="Alpenblick Hotels AG", organization_id=org.pk),
    )

    assert Person.objects.get().organization == org and Organization.objects.count() == 1


def test_add_person_refuses_an_organization_of_another_team(client, owner, outsider):
    foreign = make_organization(outsider, name="Secret AG", visible_to=Visibility.TEAM)
    client.force_login(owner)

    response = client.post(
        reverse("contacts:person_add"),
        person_data(owner, organization="Secret AG", organization_id=foreign.pk),
    )

    assert response.status_code == 200 and not Person.objects.exists()


def test_person_form_suggests_organizations_while_typing(client, owner):
    client.force_login(owner)

    html = client.get(reverse("contacts:person_add")).content.decode()

    assert 'data-suggest-kind="organization"' in html and 'role="combobox"' in html


def test_add_organization_sent_twice_with_one_token_creates_one(client, owner):
    client.force_login(owner)
    data = {"name": "Initech", "owner": owner.pk, "visible_to": "team", "form_token": new_token()}

    client.post(reverse("contacts:organization_add"), data)
    second = client.post(reverse("contacts:organization_add"), data)

    org = Organization.objects.get()
    assert second.url == reverse("contacts:organization_detail", args=[org.pk])


def test_add_person_sent_twice_with_one_token_creates_one(client, owner):
    client.force_login(owner)
    data = person_data(owner, form_token=new_token())

    client.post(reverse("contacts:person_add"), data)
    client.post(reverse("contacts:person_add"), data)

    assert Person.objects.count() == 1


def test_my_team_people_for_a_manager_include_the_managed_team(client, manager, owner):
    make_person(owner, name="Managed Person", visible_to=Visibility.TEAM)
    client.force_login(manager)

    response = client.get(reverse("contacts:person_list"), {"owner": "team"})

    assert [p.name for p in response.context["page"].items] == ["Managed Person"]
