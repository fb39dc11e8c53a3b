"""Moving deals through stages and pipelines, winning, losing, reopening: with history."""

import pytest

from contacts.services import person_create
from crm.errors import DomainError, NotPermitted, StaleVersion
from deals.models import DealHistory, DealStatus, HistoryKind
from deals.services import (
    deal_create,
    deal_mark_lost,
    deal_mark_won,
    deal_move,
    deal_reopen,
    deal_update,
)
from deals.tests.factories import LostReasonFactory, PipelineFactory


@pytest.fixture
def deal(owner, pipeline):
    person = person_create(actor=owner, name="Ann Lee")
    return deal_create(actor=owner, title="Licence", pipeline=pipeline, person=person, value="5000")


def test_a_new_deal_starts_in_the_first_stage_with_a_created_entry(deal, pipeline):
    assert deal.stage == pipeline.first_stage()
    assert deal.status == DealStatus.OPEN and deal.version == 1
    assert DealHistory.objects.get(deal=deal).kind == HistoryKind.CREATED


def test_a_deal_needs_a_person_or_an_organization(owner, pipeline):
    with pytest.raises(DomainError) as refused:
        deal_create(actor=owner, title="Nobody", pipeline=pipeline)
    assert refused.value.field == "person"


def test_moving_records_from_to_and_who(owner, deal, pipeline):
    target = pipeline.stages.order_by("order")[2]

    moved = deal_move(actor=owner, deal=deal, stage=target, version=deal.version)

    assert moved.stage == target and moved.version == 2
    row = DealHistory.objects.filter(kind=HistoryKind.STAGE).get()
    assert (row.from_stage, row.to_stage, row.actor) == (pipeline.first_stage(), target, owner)


def test_moving_backwards_is_recorded_too(owner, deal, pipeline):
    stages = list(pipeline.stages.order_by("order"))
    deal = deal_move(actor=owner, deal=deal, stage=stages[2], version=deal.version)

    deal = deal_move(actor=owner, deal=deal, stage=stages[1], version=deal.version)

    rows = DealHistory.objects.filter(kind=HistoryKind.STAGE).order_by("id")
    assert [(r.from_stage, r.to_stage) for r in rows] == [
        (stages[0], stages[2]),
        (stages[2], stages[1]),
    ]


def test_moving_to_another_pipeline_lands_in_its_first_stage(owner, deal):
    other = PipelineFactory(name="Renewals", stages=["Due", "Offer"])

    moved = deal_move(actor=owner, deal=deal, pipeline=other, version=deal.version)

    assert (moved.pipeline, moved.stage.name) == (other, "Due")


def test_a_stage_of_another_pipeline_is_refused(owner, deal):
    other = PipelineFactory(name="Renewals", stages=["Due"])

    with pytest.raises(DomainError):
        deal_update(
            actor=owner,
            deal=deal,
            version=deal.version,
            pipeline=deal.pipeline,
            stage=other.stages.get(),
        )


def test_a_stale_version_is_refused_and_nothing_is_overwritten(owner, teammate, deal, pipeline):
    seen_version = deal.version
    deal_update(actor=teammate, deal=deal, version=seen_version, title="Renamed by Tom")

    with pytest.raises(StaleVersion) as refused:
        deal_move(actor=owner, deal=deal, stage=pipeline.stages.last(), version=seen_version)

    assert refused.value.current.title == "Renamed by Tom"
    deal.refresh_from_db()
    assert deal.stage == pipeline.first_stage() and deal.title == "Renamed by Tom"


def test_won_lost_and_reopen_keep_times_and_history(owner, deal):
    reason = LostReasonFactory()
    deal = deal_mark_won(actor=owner, deal=deal)
    assert deal.status == DealStatus.WON and deal.won_at is not None

    deal = deal_reopen(actor=owner, deal=deal)
    assert deal.status == DealStatus.OPEN and deal.won_at is None

    deal = deal_mark_lost(actor=owner, deal=deal, lost_reason=reason, lost_reason_text="Budget")
    assert deal.status == DealStatus.LOST and deal.lost_reason == reason

    statuses = list(
        DealHistory.objects.filter(kind=HistoryKind.STATUS)
        .order_by("id")
        .values_list("from_status", "to_status")
    )
    assert statuses == [("open", "won"), ("won", "open"), ("open", "lost")]


def test_lost_needs_a_reason(owner, deal):
    with pytest.raises(DomainError) as refused:
        deal_mark_lost(actor=owner, deal=deal, lost_reason=None, lost_reason_text="  ")
    assert refused.value.field == "lost_reason"


def test_a_free_text_reason_is_enough(owner, deal):
    deal = deal_mark_lost(actor=owner, deal=deal, lost_reason=None, lost_reason_text="Moved")
    assert deal.lost_reason_text == "Moved"


def test_an_outsider_cannot_move_a_team_deal(outsider, deal, pipeline):
    with pytest.raises(NotPermitted):
        deal_move(actor=outsider, deal=deal, stage=pipeline.stages.last(), version=deal.version)


def test_a_teammate_cannot_reassign_but_the_manager_can(owner, teammate, manager, deal):
    with pytest.raises(NotPermitted):
        deal_update(actor=teammate, deal=deal, version=None, owner=teammate)

    deal = deal_update(actor=manager, deal=deal, version=None, owner=teammate)

    assert deal.owner == teammate


@pytest.mark.parametrize("value", ["-1", "abc", "1e20", "NaN"])
def test_bad_values_are_refused_with_the_field(owner, deal, value):
    with pytest.raises(DomainError) as refused:
        deal_update(actor=owner, deal=deal, version=None, value=value)
    assert refused.value.field == "value"


def test_a_closed_deal_must_be_reopened_before_it_moves(owner, deal, pipeline):
    deal = deal_mark_won(actor=owner, deal=deal)

    with pytest.raises(DomainError) as refused:
        deal_move(actor=owner, deal=deal, stage=pipeline.stages.last(), version=deal.version)

    assert refused.value.code == "deal_closed"
    deal.refresh_from_db()
    assert deal.stage == pipeline.first_stage()
