"""The deal tally (PostgreSQL triggers) stays equal to counting the deals themselves, for
every user, after every kind of write: services, bulk inserts, queryset updates and deletes."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Sum

from contacts.services import organization_create
from crm.models import Visibility
from deals.models import Deal, DealStatus, Stage
from deals.selectors import deal_list, deal_tally
from deals.services import (
    deal_create,
    deal_delete,
    deal_mark_lost,
    deal_mark_won,
    deal_move,
    deal_reopen,
    deal_update,
)
from deals.tests.factories import LostReasonFactory, PipelineFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the tally is kept by PostgreSQL triggers; other databases count the deals",
    ),
]

KEY = ("pipeline_id", "stage_id", "status", "owner_id", "visible_to", "currency")


def tallied(user) -> dict[tuple, tuple[int, Decimal]]:
    rows = (
        deal_tally(user=user)
        .values_list(*KEY)
        .annotate(count=Sum("deal_count"), total=Sum("value_total"))
        .filter(count__gt=0)
    )
    return {tuple(row[:-2]): (row[-2], row[-1]) for row in rows}


def counted(user) -> dict[tuple, tuple[int, Decimal]]:
    rows = (
        deal_list(user=user)
        .select_related(None)
        .order_by()
        .values_list(*KEY)
        .annotate(count=Count("*"), total=Sum("value"))
    )
    return {tuple(row[:-2]): (row[-2], row[-1]) for row in rows}


@pytest.fixture
def users(owner, teammate, outsider, manager, admin_user):
    return [owner, teammate, outsider, manager, admin_user]


def assert_tally_matches(users):
    for user in users:
        assert tallied(user) == counted(user), user.username


def test_tally_follows_every_kind_of_write_for_every_user(users, owner, teammate, outsider):
    # Given deals of three owners, in two pipelines and two currencies
    sales = PipelineFactory(name="Sales")
    renewals = PipelineFactory(name="Renewals", stages=["Due", "Renewed"])
    org = organization_create(actor=owner, name="Nordwind", visible_to=Visibility.COMPANY)
    deals = [
        deal_create(
            actor=actor,
            title=f"Deal {i}",
            pipeline=sales,
            organization=org,
            value=Decimal(1000 + i),
            currency="USD" if i % 3 == 0 else "EUR",
            visible_to=[Visibility.OWNER, Visibility.TEAM, Visibility.COMPANY][i % 3],
        )
        for i, actor in enumerate([owner, teammate, outsider] * 4)
    ]
    assert_tally_matches(users)
    stages = list(Stage.objects.filter(pipeline=sales).order_by("order"))

    # When they move forward and back, are won, lost, reopened, change pipeline, value,
    # currency, owner and visibility, and some are deleted
    deal_move(actor=owner, deal=deals[0], stage=stages[2], version=None)
    deal_move(actor=owner, deal=deals[0], stage=stages[1], version=None)
    deal_mark_won(actor=teammate, deal=deals[1])
    deal_mark_lost(actor=outsider, deal=deals[2], lost_reason=LostReasonFactory())
    deal_reopen(actor=outsider, deal=deals[2])
    deal_move(actor=owner, deal=deals[3], pipeline=renewals, version=None)
    deal_update(actor=teammate, deal=deals[4], version=None, value=Decimal("99.50"))
    deal_update(actor=owner, deal=deals[6], version=None, currency="GBP", title="Renamed")
    deal_update(actor=owner, deal=deals[9], version=None, owner=teammate)
    deal_update(actor=owner, deal=deals[9], version=None, visible_to=Visibility.OWNER)
    deal_delete(actor=outsider, deal=deals[5])
    assert_tally_matches(users)

    # And bulk writes that bypass the services: a bulk insert, a queryset update, a delete
    Deal.objects.bulk_create(
        Deal(
            title=f"Bulk {i}",
            pipeline=sales,
            stage=stages[i % len(stages)],
            organization=org,
            owner=[owner, outsider][i % 2],
            visible_to=Visibility.TEAM,
            value=Decimal(10 * i),
        )
        for i in range(50)
    )
    Deal.objects.filter(title__startswith="Bulk", owner=owner).update(stage=stages[0])
    Deal.objects.filter(title__startswith="Bulk 1").update(
        status=DealStatus.WON, won_at=org.created_at
    )
    Deal.objects.filter(title__startswith="Bulk 2").delete()
    Deal.objects.filter(title="Renamed").update(title="Renamed again")  # no tally column
    # Then the tally equals counting the deals, for each of the five users
    assert_tally_matches(users)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_writes_of_one_owner_keep_the_tally_exact_and_never_deadlock(
    owner, teammate, outsider, manager, admin_user
):
    # Given twenty deals of one owner, half in the first stage and half in the last
    pipeline = PipelineFactory(name="Busy")
    first, *_middle, last = Stage.objects.filter(pipeline=pipeline).order_by("order")
    org = organization_create(actor=owner, name="Busy Org", visible_to=Visibility.COMPANY)
    deals = [
        deal_create(
            actor=owner,
            title=f"Busy {i}",
            pipeline=pipeline,
            stage=first if i % 2 else last,
            organization=org,
            value=Decimal(100 + i),
        )
        for i in range(20)
    ]
    barrier = threading.Barrier(len(deals))
    errors: list[BaseException] = []

    # When twenty users' requests move them the opposite way (or win them) at the same moment,
    # each touching the same tally rows in opposite directions
    def move(deal):
        try:
            barrier.wait()
            if deal.pk % 3 == 0:
                deal_mark_won(actor=owner, deal=deal)
            else:
                target = last if deal.stage_id == first.pk else first
                deal_move(actor=owner, deal=deal, stage=target, version=deal.version)
        except BaseException as error:  # a deadlock would surface here
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(deal,)) for deal in deals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then every write succeeded and the tally still equals counting the deals
    assert errors == []
    assert_tally_matches([owner, teammate, outsider, manager, admin_user])
