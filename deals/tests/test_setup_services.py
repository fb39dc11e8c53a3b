"""Admins' writes of pipelines, stages and lost reasons (deals/setup_services.py), and the
derived tables (deal tally, stage stays) staying exact after each of them."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from crm.errors import DomainError, NotPermitted, StaleVersion
from deals import setup_services as setup
from deals.models import Deal, DealHistory, DealStatus, HistoryKind, Pipeline, Stage
from deals.services import deal_mark_lost, deal_mark_won, deal_move
from deals.setup_services import StageGone
from deals.tests.board_helpers import make_deal
from deals.tests.derived import assert_derived_tables_exact
from deals.tests.factories import LostReasonFactory, PipelineFactory

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the derived tables are kept by PostgreSQL triggers"
)


def names(pipeline):
    return list(pipeline.stages.order_by("order").values_list("name", flat=True))


def test_admin_creates_a_pipeline_with_three_stages_in_order(admin_user):
    pipeline = setup.pipeline_create(
        actor=admin_user, name="Partners", stages=["Intro", "Pilot", "Contract"]
    )

    assert names(pipeline) == ["Intro", "Pilot", "Contract"]
    assert list(pipeline.stages.order_by("order").values_list("order", flat=True)) == [0, 1, 2]


@pytest.mark.parametrize("role_user", ["owner", "manager"])
def test_reps_and_managers_may_not_create_pipelines_or_stages(role_user, request, pipeline):
    user = request.getfixturevalue(role_user)

    with pytest.raises(NotPermitted):
        setup.pipeline_create(actor=user, name="Mine")
    with pytest.raises(NotPermitted):
        setup.stage_create(actor=user, pipeline=pipeline, name="Extra")
    assert not Pipeline.objects.filter(name="Mine").exists()


def test_pipeline_names_are_unique_whatever_the_case(admin_user, pipeline):
    with pytest.raises(DomainError) as error:
        setup.pipeline_create(actor=admin_user, name="  sales ")

    assert error.value.field == "name"


def test_stage_names_are_unique_within_their_pipeline_only(admin_user, pipeline):
    other = PipelineFactory(name="Other", stages=["Intro"])

    with pytest.raises(DomainError) as error:
        setup.stage_create(actor=admin_user, pipeline=pipeline, name="proposal")
    stage = setup.stage_create(actor=admin_user, pipeline=other, name="Proposal")

    assert error.value.field == "name"
    assert stage.pipeline == other


@pytest.mark.parametrize("probability", [-1, 101, "many"])
def test_probability_must_be_from_0_to_100(admin_user, pipeline, probability):
    with pytest.raises(DomainError) as error:
        setup.stage_create(actor=admin_user, pipeline=pipeline, name="New", probability=probability)

    assert error.value.field == "probability"


def test_a_stage_added_at_a_position_shifts_the_others(admin_user, pipeline):
    setup.stage_create(actor=admin_user, pipeline=pipeline, name="Demo", order=1, probability=30)

    assert names(pipeline) == ["Qualified", "Demo", "Contact made", "Proposal", "Negotiation"]


def test_a_stage_with_deals_cannot_change_pipeline(admin_user, owner, pipeline):
    stage = pipeline.stages.order_by("order")[1]
    make_deal(owner, pipeline, stage=stage)

    with pytest.raises(DomainError) as error:
        setup.stage_update(actor=admin_user, stage=stage, pipeline=PipelineFactory(name="Other"))

    assert error.value.field == "pipeline"
    assert Stage.objects.get(pk=stage.pk).pipeline_id == pipeline.pk


def test_an_empty_stage_moves_to_another_pipeline_last(admin_user, pipeline):
    other = PipelineFactory(name="Other", stages=["One"])
    stage = pipeline.stages.get(name="Proposal")

    setup.stage_update(actor=admin_user, stage=stage, pipeline=other)

    assert names(other) == ["One", "Proposal"]
    assert names(pipeline) == ["Qualified", "Contact made", "Negotiation"]


@postgres_only
def test_reorder_keeps_the_tally_and_the_stays_exact(admin_user, owner, pipeline):
    # given deals that moved forward through the stages
    first, second, third, fourth = pipeline.stages.order_by("order")
    deals = [make_deal(owner, pipeline, stage=first, title=f"D{i}") for i in range(3)]
    deal_move(actor=owner, deal=deals[0], stage=second, version=None)
    deal_move(actor=owner, deal=deals[1], stage=third, version=None)
    deal_mark_won(actor=owner, deal=deals[2])
    # when the stages are reordered (what was forward is now backward)
    ids = [first.pk, second.pk, third.pk, fourth.pk]
    setup.stage_reorder(
        actor=admin_user,
        pipeline=pipeline,
        order=[fourth.pk, third.pk, second.pk, first.pk],
        seen=ids,
    )
    # then
    assert names(pipeline) == ["Negotiation", "Proposal", "Contact made", "Qualified"]
    assert_derived_tables_exact()


def test_a_stale_reorder_is_refused_and_changes_nothing(admin_user, pipeline):
    ids = list(pipeline.stages.order_by("order").values_list("id", flat=True))
    # someone else moved a stage after the page was loaded
    setup.stage_update(actor=admin_user, stage=Stage.objects.get(pk=ids[3]), order=0)
    after = names(pipeline)

    with pytest.raises(StaleVersion):
        setup.stage_reorder(actor=admin_user, pipeline=pipeline, order=ids[::-1], seen=ids)

    assert names(pipeline) == after


def test_a_reorder_must_list_every_stage_once(admin_user, pipeline):
    ids = list(pipeline.stages.order_by("order").values_list("id", flat=True))

    with pytest.raises(DomainError) as error:
        setup.stage_reorder(actor=admin_user, pipeline=pipeline, order=ids[:2] * 2, seen=ids)

    assert error.value.field == "order"


@postgres_only
def test_deleting_a_stage_moves_every_deal_and_its_history_and_keeps_the_tables_exact(
    admin_user, owner, pipeline
):
    # given open, won and lost deals in the stage, and a deal that passed through it
    first, second, third, _fourth = pipeline.stages.order_by("order")
    open_deal = make_deal(owner, pipeline, stage=second, title="Open", value="10")
    won = make_deal(owner, pipeline, stage=second, title="Won", value="20")
    deal_mark_won(actor=owner, deal=won)
    lost = make_deal(owner, pipeline, stage=second, title="Lost", value="30")
    deal_mark_lost(actor=owner, deal=lost, lost_reason=LostReasonFactory())
    passed = make_deal(owner, pipeline, stage=first, title="Passed")
    deal_move(actor=owner, deal=passed, stage=second, version=None)
    deal_move(actor=owner, deal=passed, stage=third, version=None)
    version = Deal.objects.get(pk=open_deal.pk).version

    # when the stage is deleted, its deals going to the third stage
    moved = setup.stage_delete(actor=admin_user, stage=second, move_to=third)

    # then nothing is stageless, statuses are kept, and the history names the third stage
    assert moved == 3
    assert not Stage.objects.filter(pk=second.pk).exists()
    assert set(Deal.objects.values_list("title", "stage_id", "status")) == {
        ("Open", third.pk, DealStatus.OPEN),
        ("Won", third.pk, DealStatus.WON),
        ("Lost", third.pk, DealStatus.LOST),
        ("Passed", third.pk, DealStatus.OPEN),
    }
    assert Deal.objects.get(pk=open_deal.pk).version == version + 1
    assert not DealHistory.objects.filter(kind=HistoryKind.STAGE, from_stage=third, to_stage=third)
    assert names(pipeline) == ["Qualified", "Proposal", "Negotiation"]
    assert_derived_tables_exact()


def test_deleting_a_stage_with_deals_needs_a_stage_of_the_same_pipeline(
    admin_user, owner, pipeline
):
    stage = pipeline.stages.order_by("order")[0]
    make_deal(owner, pipeline, stage=stage)
    elsewhere = PipelineFactory(name="Other").stages.first()

    with pytest.raises(DomainError) as missing:
        setup.stage_delete(actor=admin_user, stage=stage)
    with pytest.raises(DomainError) as foreign:
        setup.stage_delete(actor=admin_user, stage=stage, move_to=elsewhere)

    assert (missing.value.field, foreign.value.field) == ("move_to", "move_to")
    assert Deal.objects.get().stage_id == stage.pk


def test_an_unused_stage_is_deleted_without_a_target(admin_user, pipeline):
    setup.stage_delete(actor=admin_user, stage=pipeline.stages.get(name="Proposal"))

    assert names(pipeline) == ["Qualified", "Contact made", "Negotiation"]


def test_the_last_stage_of_a_pipeline_stays(admin_user):
    pipeline = PipelineFactory(name="Tiny", stages=["Only"])

    with pytest.raises(DomainError):
        setup.stage_delete(actor=admin_user, stage=pipeline.stages.get())


def test_archiving_keeps_the_deals_and_at_least_one_active_pipeline(admin_user, owner, pipeline):
    make_deal(owner, pipeline)
    other = PipelineFactory(name="Other")

    setup.pipeline_update(actor=admin_user, pipeline=other, is_active=False)
    with pytest.raises(DomainError):
        setup.pipeline_update(actor=admin_user, pipeline=pipeline, is_active=False)

    assert Deal.objects.filter(pipeline=pipeline).count() == 1
    assert list(Pipeline.objects.filter(is_active=True)) == [pipeline]


def test_a_pipeline_with_deals_is_archived_not_deleted(admin_user, owner, pipeline):
    make_deal(owner, pipeline)
    PipelineFactory(name="Other")

    with pytest.raises(DomainError):
        setup.pipeline_delete(actor=admin_user, pipeline=pipeline)

    assert Pipeline.objects.filter(pk=pipeline.pk).exists()


def test_a_lost_reason_in_use_is_retired_not_deleted(admin_user, owner, pipeline):
    reason = setup.lost_reason_create(actor=admin_user, name="No budget")
    deal_mark_lost(actor=owner, deal=make_deal(owner, pipeline), lost_reason=reason)

    with pytest.raises(DomainError):
        setup.lost_reason_delete(actor=admin_user, lost_reason=reason)
    setup.lost_reason_update(actor=admin_user, lost_reason=reason, is_active=False)

    reason.refresh_from_db()
    assert reason.is_active is False
    with pytest.raises(DomainError):
        setup.lost_reason_create(actor=admin_user, name="no BUDGET")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_deal_moved_onto_a_stage_being_deleted_gets_a_clear_error_and_nothing_is_lost(
    admin_user, owner
):
    # given a deal in the first stage, and the second stage being deleted (its row locked)
    pipeline = PipelineFactory(name="Race")
    first, second, third, _fourth = pipeline.stages.order_by("order")
    deal = make_deal(owner, pipeline, stage=first, title="Racer")
    in_second = make_deal(owner, pipeline, stage=second, title="Already there")
    deleting = threading.Event()
    outcome: dict[str, object] = {}

    def delete_stage():
        try:
            with transaction.atomic():
                setup.stage_delete(actor=admin_user, stage=second, move_to=third)
                deleting.set()
                time.sleep(0.5)  # the mover arrives while the delete is not committed
        finally:
            connection.close()

    def move_deal():
        deleting.wait(5)
        try:
            deal_move(actor=owner, deal=deal, stage=second, version=None)
        except DomainError as error:
            outcome["error"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=delete_stage), threading.Thread(target=move_deal)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then the mover is told the stage is gone, and every deal sits in a stage that exists
    assert isinstance(outcome.get("error"), StageGone)
    assert Deal.objects.get(pk=deal.pk).stage_id == first.pk
    assert Deal.objects.get(pk=in_second.pk).stage_id == third.pk
    assert_derived_tables_exact()
    assert Decimal(0) <= Deal.objects.get(pk=deal.pk).value


@postgres_only
def test_adding_and_moving_stages_among_deals_keeps_the_tables_exact(admin_user, owner, pipeline):
    # given deals that moved forward
    first, second, *_ = pipeline.stages.order_by("order")
    deal = make_deal(owner, pipeline, stage=first)
    deal_move(actor=owner, deal=deal, stage=second, version=None)
    # when a stage is added in front and the second stage is moved last
    setup.stage_create(actor=admin_user, pipeline=pipeline, name="Inbound", order=0)
    setup.stage_update(actor=admin_user, stage=second, order=99, probability=90)
    # then
    assert names(pipeline) == ["Inbound", "Qualified", "Proposal", "Negotiation", "Contact made"]
    assert_derived_tables_exact()
