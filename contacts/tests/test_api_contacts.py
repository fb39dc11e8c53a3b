"""The persons and organizations API: visibility, writes, mass assignment, merge, timeline."""

import pytest

from contacts.models import Organization, Person
from crm.tests.api import api_client, make_organization, make_person

pytestmark = pytest.mark.django_db

MATRIX = [
    ("owner", 200),
    ("teammate", 200),
    ("outsider", 404),
    ("manager", 200),
    ("admin_user", 200),
]
OWNER_ONLY_MATRIX = [
    ("owner", 200),
    ("teammate", 404),
    ("outsider", 404),
    ("manager", 200),
    ("admin_user", 200),
]


@pytest.mark.parametrize(("viewer", "expected"), MATRIX)
def test_team_visible_person_is_seen_by_whom_the_rules_say(request, owner, viewer, expected):
    person = make_person(owner, visible_to="team")
    user = request.getfixturevalue(viewer)

    response = api_client(user).get(f"/api/v1/persons/{person.pk}/")

    assert response.status_code == expected


@pytest.mark.parametrize(("viewer", "expected"), OWNER_ONLY_MATRIX)
def test_private_organization_is_seen_by_whom_the_rules_say(request, owner, viewer, expected):
    organization = make_organization(owner, visible_to="owner")
    user = request.getfixturevalue(viewer)

    response = api_client(user).get(f"/api/v1/organizations/{organization.pk}/")

    assert response.status_code == expected


@pytest.mark.parametrize(("viewer", "expected"), MATRIX)
def test_person_list_holds_only_visible_persons(request, owner, viewer, expected):
    person = make_person(owner, visible_to="team")
    user = request.getfixturevalue(viewer)

    ids = [p["id"] for p in api_client(user).get("/api/v1/persons/").json()["results"]]

    assert (person.pk in ids) == (expected == 200)


def test_creating_a_person_returns_201_with_emails_and_phones_in_order(owner):
    response = api_client(owner).post(
        "/api/v1/persons/",
        {
            "name": "Jane Doe",
            "emails": ["jane@example.com", "j@doe.org"],
            "phones": ["+49 30 1234567"],
            "job_title": "CTO",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["emails"] == ["jane@example.com", "j@doe.org"]
    assert body["phones"] == ["+49 30 1234567"]
    assert body["owner"] == owner.pk


def test_owner_defaults_to_the_caller(teammate):
    response = api_client(teammate).post("/api/v1/organizations/", {"name": "Acme"}, format="json")

    assert response.json()["owner"] == teammate.pk


def test_owner_in_a_create_body_is_ignored(owner, teammate):
    response = api_client(owner).post(
        "/api/v1/organizations/", {"name": "Acme", "owner": teammate.pk}, format="json"
    )

    assert response.status_code == 201
    assert Organization.objects.get().owner == owner


def test_owner_in_a_patch_body_is_ignored(owner, teammate):
    person = make_person(owner)

    response = api_client(owner).patch(
        f"/api/v1/persons/{person.pk}/", {"name": "Jane Roe", "owner": teammate.pk}, format="json"
    )

    assert response.status_code == 200
    person.refresh_from_db()
    assert (person.name, person.owner) == ("Jane Roe", owner)


def test_teammate_changing_who_sees_the_owners_person_is_a_400_on_visible_to(owner, teammate):
    person = make_person(owner, visible_to="team")

    response = api_client(teammate).patch(
        f"/api/v1/persons/{person.pk}/", {"visible_to": "owner"}, format="json"
    )

    assert response.status_code == 400
    assert "visible_to" in response.json()


def test_owner_reassigns_a_person_to_a_teammate(owner, teammate):
    person = make_person(owner)

    response = api_client(owner).post(
        f"/api/v1/persons/{person.pk}/reassign/", {"owner": teammate.pk}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["owner"] == teammate.pk
    person.refresh_from_db()
    assert person.owner == teammate


def test_reassign_also_sets_who_sees_the_record(owner, teammate):
    person = make_person(owner, visible_to="team")

    response = api_client(owner).post(
        f"/api/v1/persons/{person.pk}/reassign/",
        {"owner": teammate.pk, "visible_to": "owner"},
        format="json",
    )

    assert response.status_code == 200
    person.refresh_from_db()
    assert (person.owner, person.visible_to) == (teammate, "owner")


def test_teammate_cannot_reassign_the_owners_person(owner, teammate):
    person = make_person(owner)

    response = api_client(teammate).post(
        f"/api/v1/persons/{person.pk}/reassign/", {"owner": teammate.pk}, format="json"
    )

    assert response.status_code == 400
    assert "owner" in response.json()
    person.refresh_from_db()
    assert person.owner == owner


def test_manager_reassigns_a_person_within_their_team(owner, teammate, manager):
    person = make_person(owner)

    response = api_client(manager).post(
        f"/api/v1/persons/{person.pk}/reassign/", {"owner": teammate.pk}, format="json"
    )

    assert response.status_code == 200
    person.refresh_from_db()
    assert person.owner == teammate


def test_outsider_reassigning_an_unseen_person_gets_404(owner, outsider):
    person = make_person(owner)

    response = api_client(outsider).post(
        f"/api/v1/persons/{person.pk}/reassign/", {"owner": outsider.pk}, format="json"
    )

    assert response.status_code == 404
    person.refresh_from_db()
    assert person.owner == owner


def test_reassign_to_an_unknown_user_is_a_400_on_owner(owner):
    person = make_person(owner)

    response = api_client(owner).post(
        f"/api/v1/persons/{person.pk}/reassign/", {"owner": 999999}, format="json"
    )

    assert response.status_code == 400
    assert "owner" in response.json()


def test_reassign_to_a_user_of_another_team_is_a_400_on_owner(owner, outsider):
    person = make_person(owner)

    response = api_client(owner).post(
        f"/api/v1/persons/{person.pk}/reassign/", {"owner": outsider.pk}, format="json"
    )

    assert response.status_code == 400
    assert "owner" in response.json()
    person.refresh_from_db()
    assert person.owner == owner


def test_reassign_without_an_owner_is_a_400_on_owner(owner):
    person = make_person(owner)

    response = api_client(owner).post(
        f"/api/v1/persons/{person.pk}/reassign/", {"visible_to": "company"}, format="json"
    )

    assert response.status_code == 400
    assert "owner" in response.json()


def test_owner_reassigns_an_organization_to_a_teammate(owner, teammate):
    organization = make_organization(owner)

    response = api_client(owner).post(
        f"/api/v1/organizations/{organization.pk}/reassign/", {"owner": teammate.pk}, format="json"
    )

    assert response.status_code == 200
    organization.refresh_from_db()
    assert organization.owner == teammate


def test_teammate_cannot_reassign_the_owners_organization(owner, teammate):
    organization = make_organization(owner)

    response = api_client(teammate).post(
        f"/api/v1/organizations/{organization.pk}/reassign/", {"owner": teammate.pk}, format="json"
    )

    assert response.status_code == 400
    organization.refresh_from_db()
    assert organization.owner == owner


def test_created_at_and_id_in_the_body_are_ignored(owner):
    response = api_client(owner).post(
        "/api/v1/persons/",
        {
            "name": "Jane",
            "id": 999999,
            "created_at": "2001-01-01T00:00:00Z",
        },
        format="json",
    )

    assert response.json()["id"] != 999999
    assert not response.json()["created_at"].startswith("2001")


def test_a_reference_to_an_unseen_organization_is_a_400_field_error(owner, outsider):
    hidden = make_organization(outsider, visible_to="owner")

    response = api_client(owner).post(
        "/api/v1/persons/", {"name": "Jane", "organization": hidden.pk}, format="json"
    )

    assert response.status_code == 400
    assert "organization" in response.json()


def test_a_website_that_is_no_web_address_is_a_400_on_website(owner):
    response = api_client(owner).post(
        "/api/v1/organizations/",
        {"name": "Acme", "website": "javascript:alert(1)"},
        format="json",
    )

    assert response.status_code == 400
    assert "Enter a web address" in response.json()["website"][0]
    assert not Organization.objects.exists()


def test_bad_email_is_a_400_on_emails(owner):
    response = api_client(owner).post(
        "/api/v1/persons/", {"name": "Jane", "emails": ["not an address"]}, format="json"
    )

    assert response.status_code == 400
    assert "emails" in response.json()


def test_patch_changes_only_the_fields_given(owner):
    person = make_person(owner, job_title="CEO", emails=["a@example.com"])

    response = api_client(owner).patch(
        f"/api/v1/persons/{person.pk}/", {"name": "Jane Roe"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["job_title"] == "CEO"
    assert response.json()["emails"] == ["a@example.com"]


def test_outsider_cannot_patch_an_unseen_person(owner, outsider):
    person = make_person(owner)

    response = api_client(outsider).patch(
        f"/api/v1/persons/{person.pk}/", {"name": "Hacked"}, format="json"
    )

    assert response.status_code == 404
    person.refresh_from_db()
    assert person.name == "Jane Doe"


def test_teammate_may_not_delete_the_owners_organization(owner, teammate):
    organization = make_organization(owner)

    response = api_client(teammate).delete(f"/api/v1/organizations/{organization.pk}/")

    assert response.status_code == 403
    assert Organization.objects.filter(pk=organization.pk).exists()


def test_owner_deletes_their_person_with_204(owner):
    person = make_person(owner)

    response = api_client(owner).delete(f"/api/v1/persons/{person.pk}/")

    assert response.status_code == 204
    assert not Person.objects.exists()


def test_search_finds_persons_by_name_and_by_email(owner):
    make_person(owner, name="Jane Doe")
    make_person(owner, name="Max", emails=["max@janeway.example"])
    make_person(owner, name="Other")

    names = {
        p["name"] for p in api_client(owner).get("/api/v1/persons/?search=jane").json()["results"]
    }

    assert names == {"Jane Doe", "Max"}


def test_persons_filter_by_organization(owner):
    acme = make_organization(owner)
    make_person(owner, name="At Acme", organization=acme)
    make_person(owner, name="Elsewhere")

    results = api_client(owner).get(f"/api/v1/persons/?organization={acme.pk}").json()["results"]

    assert [p["name"] for p in results] == ["At Acme"]


def test_list_is_paginated_with_a_capped_page_size(owner):
    for i in range(3):
        make_organization(owner, name=f"Org {i}")

    body = api_client(owner).get("/api/v1/organizations/?page_size=2").json()
    capped = api_client(owner).get("/api/v1/organizations/?page_size=100000").json()

    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"] is not None and body["previous"] is None
    assert len(capped["results"]) == 3


def test_bad_filter_value_is_a_400(owner):
    response = api_client(owner).get("/api/v1/persons/?organization=abc")

    assert response.status_code == 400
    assert "organization" in response.json()


def test_merge_folds_the_other_person_into_this_one(owner):
    survivor = make_person(owner, name="Jane Doe", emails=["jane@example.com"])
    other = make_person(owner, name="J. Doe", emails=["jd@example.com"])

    response = api_client(owner).post(
        f"/api/v1/persons/{survivor.pk}/merge/", {"other": other.pk}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["emails"] == ["jane@example.com", "jd@example.com"]
    assert not Person.objects.filter(pk=other.pk).exists()


def test_merge_with_an_unseen_organization_is_a_400_on_other(owner, outsider):
    survivor = make_organization(owner)
    hidden = make_organization(outsider, visible_to="owner")

    response = api_client(owner).post(
        f"/api/v1/organizations/{survivor.pk}/merge/", {"other": hidden.pk}, format="json"
    )

    assert response.status_code == 400
    assert "other" in response.json()
    assert Organization.objects.filter(pk=hidden.pk).exists()


def test_merge_of_organizations_moves_their_persons(owner):
    survivor, other = make_organization(owner, name="Acme"), make_organization(owner, name="ACME")
    person = make_person(owner, organization=other)

    response = api_client(owner).post(
        f"/api/v1/organizations/{survivor.pk}/merge/", {"other": other.pk}, format="json"
    )

    assert response.status_code == 200
    person.refresh_from_db()
    assert person.organization == survivor


def test_person_timeline_lists_what_happened(owner):
    from activities.services import note_create

    person = make_person(owner)
    note_create(actor=owner, content="Met at the fair.", person=person)

    response = api_client(owner).get(f"/api/v1/persons/{person.pk}/timeline/")

    assert response.status_code == 200
    entry = response.json()["results"][0]
    assert (entry["kind"], entry["summary"], entry["actor"]) == (
        "note",
        "Met at the fair.",
        owner.pk,
    )


def test_timeline_of_an_unseen_organization_is_404(owner, outsider):
    organization = make_organization(owner, visible_to="owner")

    response = api_client(outsider).get(f"/api/v1/organizations/{organization.pk}/timeline/")

    assert response.status_code == 404


def test_a_number_that_cannot_be_read_is_kept_as_typed_and_marked(owner):
    # "12" is no E.164 number (too short to be dialled from abroad): kept, not refused
    response = api_client(owner).post(
        "/api/v1/persons/",
        {"name": "Jane Doe", "phones": ["+49 30 1234567", "12"]},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["phones"] == ["+49 30 1234567", "12"]
    assert body["unread_phones"] == ["12"]
