"""The people and organization lists' search: folded and transliterated as the global search,
best answer first unless the user picked an order."""

import pytest
from django.urls import reverse

from contacts.services import organization_create, person_create

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [record.name for record in response.context["page"].items]


def test_people_list_search_finds_a_transliterated_name_best_first(client, owner):
    for name in ["Anna Weißmüllerova", "Jürgen Weißmüller", "Weissmüller"]:
        person_create(actor=owner, name=name)
    client.force_login(owner)

    response = client.get(reverse("contacts:person_list"), {"q": "weissmueller"})

    assert names(response) == ["Weissmüller", "Jürgen Weißmüller", "Anna Weißmüllerova"]


def test_people_list_search_keeps_the_order_the_user_picked(client, owner):
    for name in ["Jürgen Weißmüller", "Weissmüller"]:
        person_create(actor=owner, name=name)
    client.force_login(owner)

    response = client.get(reverse("contacts:person_list"), {"q": "weissmueller", "sort": "name"})

    assert names(response) == ["Jürgen Weißmüller", "Weissmüller"]


def test_organization_list_search_finds_part_of_a_domain(client, owner):
    organization_create(actor=owner, name="Acme", website="https://shop.nordwind-solar.example/")
    organization_create(actor=owner, name="Solarpark Nord")
    client.force_login(owner)

    response = client.get(reverse("contacts:organization_list"), {"q": "nordwind-sol"})

    assert names(response) == ["Acme"]
