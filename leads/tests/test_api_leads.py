"""The leads API: the inbox, visibility, archive/restore and the conversion (201 and 409s)."""

import pytest

from crm.tests.api import api_client, make_lead, make_person
from deals.models import Deal
from leads.conversion import ContactChoice, lead_convert
from leads.models import Lead
from leads.services import lead_add_note, lead_archive

pytestmark = pytest.mark.django_db

MATRIX = [
    ("owner", 200),
    ("teammate", 200),
    ("outsider", 404),
    ("manager", 200),
    ("admin_user", 200),
]

KEEP = {"person": {"action": "keep"}, "organization": {"action": "keep"}}


@pytest.mark.parametrize(("viewer", "expected"), MATRIX)
def test_lead_is_seen_by_whom_the_rules_say(request, owner, viewer, expected):
    lead = make_lead(owner)
    user = request.getfixturevalue(viewer)

    response = api_client(user).get(f"/api/v1/leads/{lead.pk}/")

    assert response.status_code == expected


@pytest.mark.parametrize(("viewer", "expected"), MATRIX)
def test_inbox_holds_only_visible_leads(request, owner, viewer, expected):
    lead = make_lead(owner)
    user = request.getfixturevalue(viewer)

    ids = [x["id"] for x in api_client(user).get("/api/v1/leads/").json()["results"]]

    assert (lead.pk in ids) == (expected == 200)


def test_create_lead_returns_201_with_value_as_string(owner):
    person = make_person(owner)

    response = api_client(owner).post(
        "/api/v1/leads/",
        {
            "title": "Relaunch",
            "person": person.pk,
            "value": "5000",
            "currency": "usd",
            "source": "referral",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["value"], body["currency"], body["archived"], body["deal"]) == (
        "5000.00",
        "USD",
        False,
        None,
    )


def test_create_lead_ignores_deal_and_converted_at(owner, pipeline):
    person = make_person(owner)
    other = make_lead(owner)
    deal = lead_convert(
        lead=other, actor=owner, pipeline=pipeline, person_choice=ContactChoice("keep")
    )

    response = api_client(owner).post(
        "/api/v1/leads/",
        {
            "title": "Relaunch",
            "person": person.pk,
            "deal": deal.pk,
            "converted_at": "2020-01-01T00:00:00Z",
            "archived": True,
        },
        format="json",
    )

    body = response.json()
    assert (body["deal"], body["converted_at"], body["archived"]) == (None, None, False)


def test_create_lead_with_an_unseen_person_is_a_400(owner, outsider):
    hidden = make_person(outsider, visible_to="owner")

    response = api_client(owner).post(
        "/api/v1/leads/", {"title": "Relaunch", "person": hidden.pk}, format="json"
    )

    assert response.status_code == 400
    assert "person" in response.json()


def test_inbox_hides_archived_leads_unless_asked(owner):
    lead = make_lead(owner)
    lead_archive(actor=owner, lead=lead)
    client = api_client(owner)

    inbox = client.get("/api/v1/leads/").json()
    archived = client.get("/api/v1/leads/?archived=true").json()

    assert inbox["count"] == 0
    assert [x["id"] for x in archived["results"]] == [lead.pk]


def test_archive_and_restore(owner):
    lead = make_lead(owner)
    client = api_client(owner)

    archived = client.post(f"/api/v1/leads/{lead.pk}/archive/")
    restored = client.post(f"/api/v1/leads/{lead.pk}/restore/")

    assert (archived.status_code, archived.json()["archived"]) == (200, True)
    assert (restored.status_code, restored.json()["archived"]) == (200, False)


def test_outsider_cannot_archive_an_unseen_lead(owner, outsider):
    lead = make_lead(owner)

    response = api_client(outsider).post(f"/api/v1/leads/{lead.pk}/archive/")

    assert response.status_code == 404
    lead.refresh_from_db()
    assert lead.archived_at is None


def test_convert_returns_201_with_the_deal_in_the_chosen_stage(owner, pipeline):
    lead = make_lead(owner, value="800")
    stage = pipeline.stages.order_by("order")[1]

    response = api_client(owner).post(
        f"/api/v1/leads/{lead.pk}/convert/",
        {
            "pipeline": pipeline.pk,
            "stage": stage.pk,
            **KEEP,
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["stage"], body["value"], body["lead"]) == (stage.pk, "800.00", lead.pk)


def test_converting_twice_is_a_409_already_converted_with_the_deal(owner, pipeline):
    lead = make_lead(owner)
    client = api_client(owner)
    first = client.post(
        f"/api/v1/leads/{lead.pk}/convert/", {"pipeline": pipeline.pk, **KEEP}, format="json"
    )

    second = client.post(
        f"/api/v1/leads/{lead.pk}/convert/", {"pipeline": pipeline.pk, **KEEP}, format="json"
    )

    assert second.status_code == 409
    assert second.json()["code"] == "already_converted"
    assert second.json()["deal"] == first.json()["id"]
    assert Deal.objects.count() == 1


def test_convert_with_duplicates_and_no_choice_is_a_409_with_candidates(owner, pipeline):
    existing = make_person(owner, name="Jane Doe", emails=["jane@example.com"])
    lead = make_lead(owner, person=make_person(owner, name="Jane Doe", emails=["jane@example.com"]))

    response = api_client(owner).post(
        f"/api/v1/leads/{lead.pk}/convert/", {"pipeline": pipeline.pk}, format="json"
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicates_found"
    candidate = body["duplicates"]["person"][0]
    assert candidate["id"] == existing.pk
    assert set(candidate) == {"id", "name", "score", "reasons"}
    assert not Deal.objects.exists()


def test_convert_using_an_unseen_person_is_a_400_on_person(owner, outsider, pipeline):
    hidden = make_person(outsider, visible_to="owner")
    lead = make_lead(owner)

    response = api_client(owner).post(
        f"/api/v1/leads/{lead.pk}/convert/",
        {
            "pipeline": pipeline.pk,
            "person": {"action": "use", "id": hidden.pk},
        },
        format="json",
    )

    assert response.status_code == 400
    assert "person" in response.json()


def test_convert_use_without_an_id_is_a_400(owner, pipeline):
    lead = make_lead(owner)

    response = api_client(owner).post(
        f"/api/v1/leads/{lead.pk}/convert/",
        {
            "pipeline": pipeline.pk,
            "person": {"action": "use"},
        },
        format="json",
    )

    assert response.status_code == 400
    assert "person" in response.json()


def test_converted_leads_are_listed_with_their_deal(owner, pipeline):
    lead = make_lead(owner)
    deal = lead_convert(
        lead=lead, actor=owner, pipeline=pipeline, person_choice=ContactChoice("keep")
    )

    results = api_client(owner).get("/api/v1/leads/?converted=true").json()["results"]

    assert [(x["id"], x["deal"]) for x in results] == [(lead.pk, deal.pk)]


def test_teammate_cannot_delete_the_owners_lead(owner, teammate):
    lead = make_lead(owner)

    response = api_client(teammate).delete(f"/api/v1/leads/{lead.pk}/")

    assert response.status_code == 403
    assert Lead.objects.filter(pk=lead.pk).exists()


def test_patch_changes_the_title(owner):
    lead = make_lead(owner)

    response = api_client(owner).patch(f"/api/v1/leads/{lead.pk}/", {"title": "New"}, format="json")

    assert response.json()["title"] == "New"


def test_create_lead_ignores_owner(owner, teammate):
    person = make_person(owner)

    response = api_client(owner).post(
        "/api/v1/leads/",
        {"title": "Relaunch", "person": person.pk, "owner": teammate.pk},
        format="json",
    )

    assert response.status_code == 201
    assert Lead.objects.get().owner == owner


def test_patch_ignores_owner(owner, teammate):
    lead = make_lead(owner)

    response = api_client(owner).patch(
        f"/api/v1/leads/{lead.pk}/", {"title": "New", "owner": teammate.pk}, format="json"
    )

    assert response.status_code == 200
    lead.refresh_from_db()
    assert (lead.title, lead.owner) == ("New", owner)


def test_owner_reassigns_a_lead_to_a_teammate(owner, teammate):
    lead = make_lead(owner)

    response = api_client(owner).post(
        f"/api/v1/leads/{lead.pk}/reassign/", {"owner": teammate.pk}, format="json"
    )

    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.owner == teammate


def test_teammate_cannot_reassign_the_owners_lead(owner, teammate):
    lead = make_lead(owner)

    response = api_client(teammate).post(
        f"/api/v1/leads/{lead.pk}/reassign/", {"owner": teammate.pk}, format="json"
    )

    assert response.status_code == 400
    assert "owner" in response.json()
    lead.refresh_from_db()
    assert lead.owner == owner


def test_manager_reassigns_a_lead_within_their_team(owner, teammate, manager):
    lead = make_lead(owner)

    response = api_client(manager).post(
        f"/api/v1/leads/{lead.pk}/reassign/", {"owner": teammate.pk}, format="json"
    )

    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.owner == teammate


def test_outsider_reassigning_an_unseen_lead_gets_404(owner, outsider):
    lead = make_lead(owner)

    response = api_client(outsider).post(
        f"/api/v1/leads/{lead.pk}/reassign/", {"owner": outsider.pk}, format="json"
    )

    assert response.status_code == 404


def test_reassign_to_an_unknown_user_is_a_400_on_owner(owner):
    lead = make_lead(owner)

    response = api_client(owner).post(
        f"/api/v1/leads/{lead.pk}/reassign/", {"owner": 999999}, format="json"
    )

    assert response.status_code == 400
    assert "owner" in response.json()


def test_convert_gives_the_deal_to_the_owner_asked_for(owner, teammate, pipeline):
    lead = make_lead(owner)

    response = api_client(owner).post(
        f"/api/v1/leads/{lead.pk}/convert/",
        {"pipeline": pipeline.pk, "owner": teammate.pk, **KEEP},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["owner"] == teammate.pk


def test_lead_timeline_lists_its_notes(owner):
    lead = make_lead(owner)
    lead_add_note(actor=owner, lead=lead, content="Wants a call in May.")

    results = api_client(owner).get(f"/api/v1/leads/{lead.pk}/timeline/").json()["results"]

    assert [(e["kind"], e["summary"]) for e in results] == [("note", "Wants a call in May.")]
