"""The admins' settings meet the trash: a deleted stage takes the trashed deals on it along,
and a user's records handed over include those in the trash."""

import pytest
from django.db import connection

from crm.tests.api import make_deal
from deals import setup_services as setup
from deals.models import Deal
from deals.services import deal_delete
from deals.tests.test_tally import assert_tally_matches
from setup.services import user_hand_over
from trash.services import trash_restore

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the deal tally and stage stays are kept by PostgreSQL triggers (SQLite counts deals)",
)
def test_deleting_a_stage_moves_the_trashed_deals_on_it_too(
    owner, teammate, manager, admin_user, pipeline
):
    _first, second, third, _fourth = pipeline.stages.order_by("order")
    deal = make_deal(owner, pipeline, stage=second)
    deal_delete(actor=owner, deal=deal)

    setup.stage_delete(actor=admin_user, stage=second, move_to=third)

    assert Deal.all_objects.get(pk=deal.pk).stage_id == third.pk
    trash_restore(actor=owner, item_id=f"deal-{deal.pk}")
    assert Deal.objects.get(pk=deal.pk).stage_id == third.pk
    assert_tally_matches([owner, teammate, manager, admin_user])


def test_handing_a_users_records_over_includes_those_in_the_trash(
    owner, teammate, admin_user, pipeline
):
    deal = make_deal(owner, pipeline)
    deal_delete(actor=owner, deal=deal)

    user_hand_over(actor=admin_user, user=owner, to=teammate)

    trash_restore(actor=teammate, item_id=f"deal-{deal.pk}")
    assert Deal.objects.get(pk=deal.pk).owner_id == teammate.pk
