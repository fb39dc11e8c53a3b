"""The global search: what it finds, for whom, and how it shows it."""

from django.urls import reverse

from contacts.services import organization_create, person_create
from crm.models import Visibility
from leads.services import lead_create


def test_search_finds_visible_people_organizations_and_leads(client, owner):
    person = person_create(actor=owner, name="Greta Sommer")
    organization_create(actor=owner, name="Sommer Solar")
    lead_create(actor=owner, title="Sommer roof", person=person)
    client.force_login(owner)

    data = client.get(
        reverse("search:results"), {"q": "sommer"}, HTTP_ACCEPT="application/json"
    ).json()

    names = {group["label"]: [i["name"] for i in group["items"]] for group in data["groups"]}
    assert names == {
        "People": ["Greta Sommer"],
        "Organizations": ["Sommer Solar"],
        "Leads": ["Sommer roof"],
    }


def test_search_never_finds_another_teams_private_records(client, owner, outsider):
    person_create(actor=outsider, name="Hidden Sommer", visible_to=Visibility.TEAM)
    client.force_login(owner)

    data = client.get(
        reverse("search:results"), {"q": "sommer"}, HTTP_ACCEPT="application/json"
    ).json()

    assert data["groups"] == []


def test_search_partial_escapes_names(client, owner):
    person_create(actor=owner, name="<img src=x onerror=alert(1)> Evil")
    client.force_login(owner)

    page = client.get(reverse("search:results"), {"q": "evil", "partial": "1"}).content.decode()

    assert "<img" not in page and "&lt;img" in page


def search_names(client, query: str) -> list[str]:
    response = client.get(reverse("search:results"), {"q": query}, HTTP_ACCEPT="application/json")
    return [item["name"] for group in response.json()["groups"] for item in group["items"]]


def test_search_finds_a_person_by_email_address(client, owner):
    person_create(actor=owner, name="Greta Sommer", emails=["greta@sommer.example"])
    client.force_login(owner)

    assert search_names(client, "greta@somm") == ["Greta Sommer"]


def test_search_finds_a_person_by_phone_number_as_written_nationally(client, owner):
    person_create(actor=owner, name="Greta Sommer", phones=["+49 30 1234567"])
    client.force_login(owner)

    assert search_names(client, "030 1234567") == ["Greta Sommer"]


def test_search_finds_a_name_without_its_accents(client, owner):
    person_create(actor=owner, name="Jürgen Müller")
    client.force_login(owner)

    assert search_names(client, "jurgen mull") == ["Jürgen Müller"]


def test_search_finds_an_organization_by_its_domain(client, owner):
    organization_create(actor=owner, name="Nordwind", website="https://www.nordwind.example/")
    client.force_login(owner)

    assert search_names(client, "nordwind.example") == ["Nordwind"]


def test_search_by_email_never_finds_another_teams_private_person(client, owner, outsider):
    person_create(
        actor=outsider, name="Hidden", emails=["hidden@x.example"], visible_to=Visibility.TEAM
    )
    client.force_login(owner)

    assert search_names(client, "hidden@x.example") == []
