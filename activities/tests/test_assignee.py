"""An activity goes only to someone the actor may assign to (`crm.visibility.can_assign_to`):
their own team, the teams a manager manages, anyone for an admin. The API, the composer form
and the service refuse the others on the field `assignee`, and write nothing."""

from datetime import date

import pytest
from django.urls import reverse

from activities.models import Activity
from activities.services import activity_create, activity_update
from crm.errors import DomainError
from crm.models import Role
from crm.tests.api import api_client, make_deal
from crm.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def berlin(db):
    return TeamFactory(name="Berlin")


@pytest.fixture
def munich(db):
    return TeamFactory(name="Munich")


@pytest.fixture
def berlin_rep(berlin):
    return UserFactory(username="berlin_rep", team=berlin)


@pytest.fixture
def berlin_colleague(berlin):
    return UserFactory(username="berlin_colleague", team=berlin)


@pytest.fixture
def munich_rep(munich):
    return UserFactory(username="munich_rep", team=munich)


@pytest.fixture
def hamburg_rep(db):
    return UserFactory(username="hamburg_rep", team=TeamFactory(name="Hamburg"))


@pytest.fixture
def south_manager(berlin, munich):
    """Manages Berlin and Munich, sits in a team of their own."""
    user = UserFactory(
        username="south_manager", role=Role.MANAGER, team=TeamFactory(name="Management")
    )
    user.managed_teams.add(berlin, munich)
    return user


@pytest.fixture
def deal(berlin_rep, pipeline):
    # Visible to the whole company, so that whom it may go to is the only question.
    return make_deal(berlin_rep, pipeline, visible_to="company")


def create_payload(deal, assignee):
    return {
        "deal": deal.pk,
        "subject": "Call back",
        "due_date": "2030-05-01",
        "type": "call",
        "assignee": assignee.pk,
    }


# --- API ---------------------------------------------------------------------------------------


def test_a_berlin_rep_may_not_create_an_activity_for_a_munich_rep(berlin_rep, munich_rep, deal):
    response = api_client(berlin_rep).post(
        "/api/v1/activities/", create_payload(deal, munich_rep), format="json"
    )

    assert response.status_code == 400
    assert "assignee" in response.json()
    assert not Activity.objects.exists()


def test_a_berlin_rep_may_not_reassign_an_activity_to_a_munich_rep(berlin_rep, munich_rep, deal):
    activity = activity_create(
        actor=berlin_rep, deal=deal, subject="Call back", due_date=date(2030, 5, 1)
    )

    response = api_client(berlin_rep).patch(
        f"/api/v1/activities/{activity.pk}/",
        {"assignee": munich_rep.pk, "subject": "Renamed"},
        format="json",
    )

    activity.refresh_from_db()
    assert response.status_code == 400
    assert "assignee" in response.json()
    assert (activity.assignee, activity.subject) == (berlin_rep, "Call back")


def test_a_rep_may_assign_an_activity_to_a_colleague_of_their_team(
    berlin_rep, berlin_colleague, deal
):
    response = api_client(berlin_rep).post(
        "/api/v1/activities/", create_payload(deal, berlin_colleague), format="json"
    )

    assert response.status_code == 201
    assert Activity.objects.get().assignee == berlin_colleague


def test_a_manager_may_assign_within_every_team_they_manage(
    south_manager, berlin_rep, munich_rep, deal
):
    client = api_client(south_manager)

    created = client.post("/api/v1/activities/", create_payload(deal, berlin_rep), format="json")
    moved = client.patch(
        f"/api/v1/activities/{created.json()['id']}/", {"assignee": munich_rep.pk}, format="json"
    )

    assert (created.status_code, moved.status_code) == (201, 200)
    assert Activity.objects.get().assignee == munich_rep


def test_a_manager_may_not_assign_to_a_team_they_do_not_manage(south_manager, hamburg_rep, deal):
    response = api_client(south_manager).post(
        "/api/v1/activities/", create_payload(deal, hamburg_rep), format="json"
    )

    assert response.status_code == 400
    assert "assignee" in response.json()
    assert not Activity.objects.exists()


def test_an_admin_may_assign_to_anyone(admin_user, munich_rep, deal):
    response = api_client(admin_user).post(
        "/api/v1/activities/", create_payload(deal, munich_rep), format="json"
    )

    assert response.status_code == 201


# --- The composer form -------------------------------------------------------------------------


def activity_form(assignee):
    return {
        "activity-type": "call",
        "activity-subject": "Call back",
        "activity-due_date": "2030-05-01",
        "activity-assignee": assignee.pk,
    }


def test_the_form_shows_a_field_error_for_an_assignee_the_rep_may_not_assign_to(
    client, berlin_rep, munich_rep, deal
):
    client.force_login(berlin_rep)

    response = client.post(
        reverse("activities:activity_add", args=["deal", deal.pk]), activity_form(munich_rep)
    )

    assert response.status_code == 400
    assert "assignee" in response.context["activity_form"].errors
    field = response.content.decode().split('for="id_activity-assignee"')[1].split("</div>")[0]
    assert 'class="error" role="alert"' in field
    assert not Activity.objects.exists()


def test_the_form_of_a_manager_assigns_within_the_teams_they_manage(
    client, south_manager, munich_rep, deal
):
    client.force_login(south_manager)

    response = client.post(
        reverse("activities:activity_add", args=["deal", deal.pk]), activity_form(munich_rep)
    )

    assert response.status_code == 302
    assert Activity.objects.get().assignee == munich_rep


def test_the_form_offers_only_whom_the_user_may_assign_to(client, berlin_rep, munich_rep, deal):
    client.force_login(berlin_rep)

    form = client.get(reverse("deals:detail", args=[deal.pk])).context["activity_form"]

    offered = set(form.fields["assignee"].queryset)
    assert berlin_rep in offered and munich_rep not in offered


# --- The service, which every edge goes through -----------------------------------------------


def test_the_service_refuses_on_the_field_assignee(berlin_rep, munich_rep, deal):
    with pytest.raises(DomainError) as refused:
        activity_create(
            actor=berlin_rep,
            deal=deal,
            subject="Call",
            due_date=date(2030, 5, 1),
            assignee=munich_rep,
        )

    assert refused.value.field == "assignee"
    assert not Activity.objects.exists()


def test_the_update_service_refuses_a_new_assignee_out_of_reach(berlin_rep, munich_rep, deal):
    activity = activity_create(actor=berlin_rep, deal=deal, subject="Call", due_date="2030-05-01")

    with pytest.raises(DomainError) as refused:
        activity_update(actor=berlin_rep, activity=activity, assignee=munich_rep)

    activity.refresh_from_db()
    assert refused.value.field == "assignee" and activity.assignee == berlin_rep
