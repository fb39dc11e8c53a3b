"""The contact picker's suggestions while typing: only what the user may see, with reasons."""

from django.urls import reverse

from contacts.services import organization_create, person_create
from crm.models import Visibility


def test_suggest_returns_visible_persons_with_reasons(client, owner, outsider):
    mine = person_create(
        actor=owner, name="Zoe Quandt", emails=["zoe@quandt.example"], visible_to=Visibility.TEAM
    )
    person_create(actor=outsider, name="Zoe Quandt", visible_to=Visibility.TEAM)
    client.force_login(owner)

    data = client.get(
        reverse("contacts:suggest"),
        {"kind": "person", "q": "Zoe Quandt", "person_email": "zoe@quandt.example"},
    ).json()

    assert [r["id"] for r in data["results"]] == [mine.pk]
    assert data["results"][0]["reasons"]


def test_suggest_finds_organizations(client, owner):
    org = organization_create(actor=owner, name="Nordwind Logistik GmbH")
    client.force_login(owner)

    data = client.get(reverse("contacts:suggest"), {"kind": "organization", "q": "Nordwind"}).json()

    assert [r["id"] for r in data["results"]] == [org.pk]
