"""Users (invitations, password links, the last admin, hand-over), teams and labels through
the API: admins write, everyone else reads or gets a 403."""

import pytest
from django.core import mail

from crm.models import Label, Role, Team, User
from crm.tests.api import api_client, make_deal, make_lead, make_organization

pytestmark = pytest.mark.django_db


def test_a_user_created_without_a_password_is_invited_by_email(
    admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(admin_user).post(
            "/api/v1/users/", {"username": "nina", "email": "nina@example.com"}, format="json"
        )

    assert response.status_code == 201
    user = User.objects.get(username="nina")
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nina@example.com"]
    assert "/accounts/set-password/" in mail.outbox[0].body


def test_admin_sends_a_password_link(admin_user, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(admin_user).post(f"/api/v1/users/{owner.pk}/password-link/")

    assert response.status_code == 204
    assert mail.outbox[0].to == [owner.email]


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(admin_user, db):
    other = User.objects.create_user("eve", password="pass-word-123", role=Role.ADMIN)
    client = api_client(other)

    demoted = client.patch(f"/api/v1/users/{admin_user.pk}/", {"role": "rep"}, format="json")
    last = client.patch(f"/api/v1/users/{other.pk}/", {"is_active": False}, format="json")

    assert demoted.status_code == 200
    assert last.status_code == 400
    assert "is_active" in last.json()
    other.refresh_from_db()
    assert other.is_active


def test_admin_edits_name_email_role_and_team(admin_user, owner, other_team):
    response = api_client(admin_user).patch(
        f"/api/v1/users/{owner.pk}/",
        {"first_name": "Liv", "email": "liv@example.com", "role": "manager", "team": other_team.pk},
        format="json",
    )

    assert response.status_code == 200
    owner.refresh_from_db()
    assert (owner.first_name, owner.email, owner.role, owner.team) == (
        "Liv",
        "liv@example.com",
        Role.MANAGER,
        other_team,
    )


def test_admin_hands_a_deactivated_users_records_to_someone_else(
    admin_user, owner, teammate, pipeline
):
    deal = make_deal(owner, pipeline)
    lead = make_lead(owner)
    organization = make_organization(owner)
    client = api_client(admin_user)
    client.patch(f"/api/v1/users/{owner.pk}/", {"is_active": False}, format="json")

    response = client.post(
        f"/api/v1/users/{owner.pk}/hand-over/", {"to": teammate.pk}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["deals"] == 1 and response.json()["leads"] == 1
    for record in (deal, lead, organization):
        record.refresh_from_db()
        assert record.owner == teammate


def test_admin_sets_a_teams_members_and_managers(admin_user, owner, teammate, manager, team):
    response = api_client(admin_user).patch(
        f"/api/v1/teams/{team.pk}/",
        {"members": [owner.pk], "managers": [manager.pk]},
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["members"], response.json()["managers"]) == ([owner.pk], [manager.pk])
    teammate.refresh_from_db()
    assert teammate.team is None


def test_only_managers_manage_a_team(admin_user, owner, team):
    response = api_client(admin_user).patch(
        f"/api/v1/teams/{team.pk}/", {"managers": [owner.pk]}, format="json"
    )

    assert response.status_code == 400
    assert "managers" in response.json()


def test_admin_creates_renames_and_deletes_a_label(admin_user):
    client = api_client(admin_user)

    created = client.post(
        "/api/v1/lead-labels/", {"name": "Hot", "color": "#DC2626"}, format="json"
    )
    pk = created.json()["id"]
    renamed = client.patch(f"/api/v1/lead-labels/{pk}/", {"name": "Very hot"}, format="json")
    duplicate = client.post("/api/v1/lead-labels/", {"name": "very HOT"}, format="json")
    deleted = client.delete(f"/api/v1/lead-labels/{pk}/")

    assert created.status_code == 201 and created.json()["color"] == "#dc2626"
    assert renamed.json()["name"] == "Very hot"
    assert duplicate.status_code == 400 and "name" in duplicate.json()
    assert deleted.status_code == 204 and not Label.objects.exists()


@pytest.mark.parametrize("who", ["owner", "manager"])
def test_reps_and_managers_may_not_write_users_teams_or_labels(who, request, teammate, team):
    client = api_client(request.getfixturevalue(who))
    label = Label.objects.create(name="Warm")

    writes = [
        client.post("/api/v1/users/", {"username": "x"}, format="json"),
        client.patch(f"/api/v1/users/{teammate.pk}/", {"first_name": "X"}, format="json"),
        client.post(f"/api/v1/users/{teammate.pk}/password-link/"),
        client.post(f"/api/v1/users/{teammate.pk}/hand-over/", {"to": teammate.pk}, format="json"),
        client.post("/api/v1/teams/", {"name": "X"}, format="json"),
        client.patch(f"/api/v1/teams/{team.pk}/", {"name": "X"}, format="json"),
        client.post("/api/v1/lead-labels/", {"name": "X"}, format="json"),
        client.patch(f"/api/v1/lead-labels/{label.pk}/", {"name": "X"}, format="json"),
        client.delete(f"/api/v1/lead-labels/{label.pk}/"),
    ]

    assert [r.status_code for r in writes] == [403] * len(writes)
    assert client.get("/api/v1/lead-labels/").status_code == 200
    assert not Team.objects.filter(name="X").exists() and mail.outbox == []
