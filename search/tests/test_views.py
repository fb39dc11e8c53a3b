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


def test_search_finds_a_name_by_its_transliteration(client, owner):
    # DIN 5007-2: ü is written ue, ß ss; either side may be written either way
    person_create(actor=owner, name="Jürgen Weißmüller")
    person_create(actor=owner, name="Juergen Schaefer")
    client.force_login(owner)

    assert search_names(client, "Juergen Weissmueller") == ["Jürgen Weißmüller"]
    assert search_names(client, "weissmueller") == ["Jürgen Weißmüller"]
    assert search_names(client, "Schäfer") == ["Juergen Schaefer"]


def test_search_finds_a_person_by_the_domain_of_an_email_address(client, owner):
    person_create(actor=owner, name="Greta Sommer", emails=["greta@nordwind-solar.example"])
    client.force_login(owner)

    assert search_names(client, "nordwind") == ["Greta Sommer"]


def test_search_finds_a_person_by_another_spelling_of_an_address(client, owner):
    # Gmail ignores dots and RFC 5233 sub-addresses are the same mailbox
    person_create(actor=owner, name="Greta Sommer", emails=["Greta.Sommer+crm@gmail.com"])
    client.force_login(owner)

    assert search_names(client, "gretasommer@gmail.com") == ["Greta Sommer"]


def test_search_finds_an_organization_by_part_of_its_domain(client, owner):
    organization_create(actor=owner, name="Acme", website="https://shop.nordwind-solar.example/")
    client.force_login(owner)

    assert search_names(client, "nordwind-sol") == ["Acme"]


def test_search_finds_an_organization_whatever_its_legal_form(client, owner):
    organization_create(actor=owner, name="Nordwind S.p.A.")
    client.force_login(owner)

    assert search_names(client, "nordwind spa") == ["Nordwind S.p.A."]


def test_search_ranks_the_same_name_before_names_that_only_contain_it(client, owner):
    for name in ["Anna Bergmann", "Tom Berg", "Berg"]:
        person_create(actor=owner, name=name)
    client.force_login(owner)

    assert search_names(client, "berg") == ["Berg", "Tom Berg", "Anna Bergmann"]


def test_search_finds_a_number_kept_as_typed(client, owner):
    person_create(actor=owner, name="Greta Sommer", phones=["+999 123 456"])  # no country +999
    client.force_login(owner)

    assert search_names(client, "+999 123 456") == ["Greta Sommer"]
