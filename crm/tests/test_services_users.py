"""Users and teams services: the last admin, invitations, team members."""

import threading

import pytest
from django.db import connection

from crm.errors import DomainError, NotPermitted
from crm.models import Role, User
from crm.services import team_create, user_create, user_update

pytestmark = pytest.mark.django_db


def test_a_rep_may_not_create_users(owner):
    with pytest.raises(NotPermitted):
        user_create(actor=owner, username="x")


def test_the_only_admin_may_not_demote_themselves(admin_user):
    with pytest.raises(DomainError) as error:
        user_update(actor=admin_user, user=admin_user, role=Role.REP)

    assert error.value.field == "role"


def test_a_team_is_created_with_members_and_managers(admin_user, owner, manager):
    team = team_create(actor=admin_user, name="West", members=[owner], managers=[manager])

    owner.refresh_from_db()
    assert owner.team == team
    assert list(team.managers.all()) == [manager]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks")
@pytest.mark.django_db(transaction=True)
def test_two_admins_deactivating_each_other_at_once_leave_one_active():
    # given two admins
    ada = User.objects.create_user("ada", password="pass-word-123", role=Role.ADMIN)
    bob = User.objects.create_user("bob", password="pass-word-123", role=Role.ADMIN)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    # when each deactivates the other at the same moment
    def deactivate(actor, user):
        try:
            barrier.wait()
            user_update(actor=actor, user=user, is_active=False)
        except BaseException as error:  # a deadlock would surface here too
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=deactivate, args=(ada, bob)),
        threading.Thread(target=deactivate, args=(bob, ada)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then one succeeded, the other was refused as the last admin, and one admin is active
    assert len(errors) == 1 and isinstance(errors[0], DomainError)
    assert errors[0].code in {"last_admin", "not_permitted"}
    assert User.objects.filter(role=Role.ADMIN, is_active=True).count() == 1
