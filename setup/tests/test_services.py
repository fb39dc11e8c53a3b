"""Handing a user's records over (setup/services.py)."""

import pytest
from django.db import connection

from activities.models import Activity
from crm.errors import DomainError, NotPermitted
from crm.services import user_update
from crm.tests.api import make_activity, make_deal, make_lead, make_organization, make_person
from deals.models import Deal
from deals.tests.derived import assert_derived_tables_exact
from setup.services import user_hand_over

pytestmark = pytest.mark.django_db


def test_every_record_and_open_activity_of_a_deactivated_user_goes_to_the_new_owner(
    admin_user, owner, teammate, pipeline
):
    # given a rep with records, an open and a done activity, then deactivated
    deal = make_deal(owner, pipeline)
    make_lead(owner)
    make_person(owner, name="Extra Person")
    make_organization(owner)
    open_activity = make_activity(owner, deal)
    done = make_activity(owner, deal)
    Activity.objects.filter(pk=done.pk).update(done=True)
    user_update(actor=admin_user, user=owner, is_active=False)
    version = Deal.objects.get(pk=deal.pk).version
    # when
    handed = user_hand_over(actor=admin_user, user=owner, to=teammate)
    # then (make_deal and make_lead make a person each)
    assert (handed.deals, handed.leads, handed.persons, handed.organizations) == (1, 1, 3, 1)
    assert handed.activities == 1
    assert Activity.objects.get(pk=open_activity.pk).assignee == teammate
    assert Activity.objects.get(pk=done.pk).assignee == owner
    assert Deal.objects.get(pk=deal.pk).version == version + 1
    if connection.vendor == "postgresql":
        assert_derived_tables_exact()


def test_records_go_to_an_active_user_only_and_by_an_admin_only(admin_user, owner, teammate):
    user_update(actor=admin_user, user=teammate, is_active=False)

    with pytest.raises(DomainError):
        user_hand_over(actor=admin_user, user=owner, to=teammate)
    with pytest.raises(NotPermitted):
        user_hand_over(actor=owner, user=teammate, to=owner)
