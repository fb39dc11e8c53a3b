"""Users and teams: everyone reads them, only admins create and change them."""

import pytest

from crm.models import Role, Team, User
from crm.tests.api import api_client

pytestmark = pytest.mark.django_db

NEW_USER = {
    "username": "newbie",
    "password": "a-Long-pass-phrase-42",
    "email": "n@example.com",
    "first_name": "New",
    "last_name": "Bie",
    "role": "manager",
}


def test_a_rep_reads_users_and_teams(owner, teammate):
    client = api_client(owner)

    users = client.get("/api/v1/users/").json()
    teams = client.get("/api/v1/teams/").json()

    assert {u["username"] for u in users["results"]} == {"owner", "teammate"}
    assert [t["name"] for t in teams["results"]] == ["North"]


def test_user_list_never_shows_passwords(owner):
    user = api_client(owner).get(f"/api/v1/users/{owner.pk}/").json()

    assert "password" not in user


def test_admin_creates_a_manager_of_a_team(admin_user, team):
    response = api_client(admin_user).post(
        "/api/v1/users/",
        {**NEW_USER, "team": team.pk, "managed_teams": [team.pk]},
        format="json",
    )

    assert response.status_code == 201
    user = User.objects.get(username="newbie")
    assert user.check_password(NEW_USER["password"])
    assert (user.role, list(user.managed_teams.all())) == (Role.MANAGER, [team])


def test_a_rep_may_not_create_users(owner):
    response = api_client(owner).post("/api/v1/users/", NEW_USER, format="json")

    assert response.status_code == 403
    assert not User.objects.filter(username="newbie").exists()


def test_a_manager_may_not_make_themselves_admin(manager):
    response = api_client(manager).patch(
        f"/api/v1/users/{manager.pk}/", {"role": "admin"}, format="json"
    )

    assert response.status_code == 403
    manager.refresh_from_db()
    assert manager.role == Role.MANAGER


def test_a_weak_password_is_a_400_on_password(admin_user):
    response = api_client(admin_user).post(
        "/api/v1/users/", {**NEW_USER, "password": "123"}, format="json"
    )

    assert response.status_code == 400
    assert "password" in response.json()


def test_only_managers_manage_teams(admin_user, team):
    response = api_client(admin_user).post(
        "/api/v1/users/", {**NEW_USER, "role": "rep", "managed_teams": [team.pk]}, format="json"
    )

    assert response.status_code == 400
    assert "managed_teams" in response.json()


def test_admin_deactivates_a_user(admin_user, owner):
    response = api_client(admin_user).patch(
        f"/api/v1/users/{owner.pk}/", {"is_active": False}, format="json"
    )

    assert response.json()["is_active"] is False


def test_a_django_superuser_is_an_admin_of_the_api(db):
    root = User.objects.create_superuser("root", "root@example.com", "pass-word-123")

    response = api_client(root).post("/api/v1/teams/", {"name": "West"}, format="json")

    assert response.status_code == 201


def test_admin_renames_a_team(admin_user, team):
    response = api_client(admin_user).patch(
        f"/api/v1/teams/{team.pk}/", {"name": "Nord"}, format="json"
    )

    assert response.json()["name"] == "Nord"


def test_a_rep_may_not_create_teams(owner):
    response = api_client(owner).post("/api/v1/teams/", {"name": "West"}, format="json")

    assert response.status_code == 403
    assert not Team.objects.filter(name="West").exists()


def test_duplicate_team_name_is_a_400_on_name(admin_user, team):
    response = api_client(admin_user).post("/api/v1/teams/", {"name": "north"}, format="json")

    assert response.status_code == 400
    assert "name" in response.json()
