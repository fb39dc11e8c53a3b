"""The whole journey through the API, as an integration would walk it."""

import pytest

from crm.tests.api import api_client

pytestmark = pytest.mark.django_db


def test_from_organization_and_person_to_a_won_deal(owner, pipeline):
    client = api_client(owner)
    # Given an organization and a person already in the CRM
    org = client.post(
        "/api/v1/organizations/",
        {"name": "Acme GmbH", "website": "https://acme.example"},
        format="json",
    ).json()
    person = client.post(
        "/api/v1/persons/",
        {
            "name": "Jane Doe",
            "emails": ["jane@acme.example"],
            "organization": org["id"],
        },
        format="json",
    ).json()
    # and a lead (with a note) whose contact is a second record of the same person
    lead_person = client.post(
        "/api/v1/persons/",
        {
            "name": "Jane Doe",
            "emails": ["Jane@Acme.example"],
        },
        format="json",
    ).json()
    lead = client.post(
        "/api/v1/leads/",
        {
            "title": "Acme website",
            "person": lead_person["id"],
            "value": "12000.00",
        },
        format="json",
    ).json()
    client.post(
        "/api/v1/notes/", {"lead": lead["id"], "content": "Budget approved."}, format="json"
    )

    # When converting without a choice, the duplicate is reported
    found = client.post(
        f"/api/v1/leads/{lead['id']}/convert/", {"pipeline": pipeline.pk}, format="json"
    )
    assert found.status_code == 409
    assert found.json()["code"] == "duplicates_found"
    assert [c["id"] for c in found.json()["duplicates"]["person"]] == [person["id"]]

    # and converting with the existing person gives a deal in the chosen stage
    stage = pipeline.stages.order_by("order")[1]
    converted = client.post(
        f"/api/v1/leads/{lead['id']}/convert/",
        {
            "pipeline": pipeline.pk,
            "stage": stage.pk,
            "person": {"action": "use", "id": person["id"]},
        },
        format="json",
    )
    assert converted.status_code == 201
    deal = converted.json()
    assert (deal["stage"], deal["person"], deal["value"]) == (stage.pk, person["id"], "12000.00")

    # Then the note came along, and the lead left the inbox
    notes = client.get(f"/api/v1/notes/?deal={deal['id']}").json()["results"]
    assert [n["content"] for n in notes] == ["Budget approved."]
    assert client.get("/api/v1/leads/").json()["count"] == 0

    # and the deal moves on and is won
    last = pipeline.stages.order_by("order").last()
    moved = client.patch(
        f"/api/v1/deals/{deal['id']}/",
        {"stage": last.pk, "version": deal["version"]},
        format="json",
    )
    assert moved.status_code == 200
    won = client.post(
        f"/api/v1/deals/{deal['id']}/won/", {"version": moved.json()["version"]}, format="json"
    )
    assert (won.status_code, won.json()["status"]) == (200, "won")
