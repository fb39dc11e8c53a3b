"""The board's reads: totals per stage and currency, cards, filters, visibility, paging."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.models import Visibility
from crm.tests.factories import LabelFactory, UserFactory
from deals.board import selectors as board
from deals.board.selectors import BoardFilters, NextActivity
from deals.models import Deal
from deals.services import deal_mark_lost, deal_mark_won, deal_move
from deals.tests.board_helpers import make_deal, stages_of
from deals.tests.factories import LostReasonFactory, PipelineFactory

pytestmark = pytest.mark.django_db


def _column(data, stage):
    return next(c for c in data.columns if c.stage.pk == stage.pk)


def _amounts(column):
    return {m.currency: (m.total, m.weighted) for m in column.amounts}


def test_column_totals_sum_values_and_weigh_them_by_the_stage_probability(owner, pipeline):
    # given: stage 1 has probability 20 %, stage 2 has 40 %
    first, second, *_ = stages_of(pipeline)
    make_deal(owner, pipeline, stage=first, value="100")
    make_deal(owner, pipeline, stage=first, value="50.50")
    make_deal(owner, pipeline, stage=first, value="30", currency="USD")
    make_deal(owner, pipeline, stage=second, value="200")
    # when
    data = board.board_get(user=owner, pipeline=pipeline, filters=BoardFilters())
    # then
    assert _column(data, first).count == 3
    assert _amounts(_column(data, first)) == {
        "EUR": (Decimal("150.50"), Decimal("30.10")),
        "USD": (Decimal("30"), Decimal("6.00")),
    }
    assert _column(data, second).count == 1
    assert _amounts(_column(data, second)) == {"EUR": (Decimal("200"), Decimal("80.00"))}


def test_won_lost_and_other_pipelines_deals_stay_off_the_board(owner, pipeline):
    # given
    first = stages_of(pipeline)[0]
    kept = make_deal(owner, pipeline, stage=first, value="10")
    won = make_deal(owner, pipeline, stage=first, value="1000")
    deal_mark_won(actor=owner, deal=won)
    lost = make_deal(owner, pipeline, stage=first, value="1000")
    deal_mark_lost(actor=owner, deal=lost, lost_reason=LostReasonFactory())
    make_deal(owner, PipelineFactory(), value="1000")
    # when
    column = _column(board.board_get(user=owner, pipeline=pipeline, filters=BoardFilters()), first)
    # then
    assert [card.pk for card in column.cards] == [kept.pk]
    assert column.count == 1
    assert _amounts(column) == {"EUR": (Decimal("10"), Decimal("2.00"))}


def test_a_moved_deal_counts_in_its_new_stage_only(owner, pipeline):
    # given
    first, second, third, _fourth = stages_of(pipeline)
    deal = make_deal(owner, pipeline, stage=third, value="100")
    deal = deal_move(actor=owner, deal=deal, stage=first, version=deal.version)  # backwards
    deal_move(actor=owner, deal=deal, stage=second, version=deal.version)
    # when
    data = board.board_get(user=owner, pipeline=pipeline, filters=BoardFilters())
    # then
    assert [c.count for c in data.columns] == [0, 1, 0, 0]


def test_cards_and_totals_leave_out_deals_the_user_may_not_see(owner, outsider, pipeline):
    # given
    first = stages_of(pipeline)[0]
    mine = make_deal(owner, pipeline, stage=first, value="10")
    make_deal(outsider, pipeline, stage=first, value="999", visible_to=Visibility.OWNER)
    make_deal(outsider, pipeline, stage=first, value="999", visible_to=Visibility.TEAM)
    # when
    column = _column(board.board_get(user=owner, pipeline=pipeline, filters=BoardFilters()), first)
    # then
    assert [card.pk for card in column.cards] == [mine.pk]
    assert column.count == 1
    assert _amounts(column) == {"EUR": (Decimal("10"), Decimal("2.00"))}


def test_a_manager_sees_the_deals_of_the_teams_they_manage(owner, manager, pipeline):
    # given
    deal = make_deal(owner, pipeline, visible_to=Visibility.OWNER)
    # when
    data = board.board_get(user=manager, pipeline=pipeline, filters=BoardFilters())
    # then
    assert [card.pk for column in data.columns for card in column.cards] == [deal.pk]


def test_owner_filter_me_shows_only_my_deals(owner, teammate, pipeline):
    # given
    mine = make_deal(owner, pipeline)
    make_deal(teammate, pipeline)
    # when
    data = board.board_get(user=owner, pipeline=pipeline, filters=BoardFilters(owner="me"))
    # then
    assert [card.pk for column in data.columns for card in column.cards] == [mine.pk]
    assert sum(column.count for column in data.columns) == 1


def test_owner_filter_by_team_shows_the_team_members_deals(manager, owner, pipeline, team):
    # given
    teams_deal = make_deal(owner, pipeline)
    make_deal(manager, pipeline)
    # when
    data = board.board_get(
        user=manager, pipeline=pipeline, filters=BoardFilters(owner=f"team:{team.pk}")
    )
    # then
    assert [card.pk for column in data.columns for card in column.cards] == [teams_deal.pk]


def test_label_and_expected_close_filters_narrow_the_cards(owner, pipeline):
    # given
    hot = LabelFactory(name="Hot")
    today = timezone.localdate()
    match = make_deal(owner, pipeline, labels=[hot], expected_close_date=today)
    make_deal(owner, pipeline, labels=[hot], expected_close_date=today + dt.timedelta(days=60))
    make_deal(owner, pipeline, expected_close_date=today)
    filters = BoardFilters(label_id=hot.pk, close_from=today, close_to=today + dt.timedelta(7))
    # when
    data = board.board_get(user=owner, pipeline=pipeline, filters=filters)
    # then
    assert [card.pk for column in data.columns for card in column.cards] == [match.pk]
    assert sum(column.count for column in data.columns) == 1


def test_owner_options_of_a_rep_are_their_team_only(owner, teammate, outsider, team):
    # when
    users, teams = board.owner_options(user=owner)
    # then
    assert {o.value for o in users} == {f"user:{owner.pk}", f"user:{teammate.pk}"}
    assert [o.value for o in teams] == [f"team:{team.pk}"]


def test_an_owner_filter_not_offered_falls_back_to_everyone(owner, outsider):
    # given
    users, teams = board.owner_options(user=owner)
    # when
    filters = board.parse_filters(
        {"owner": f"user:{outsider.pk}"}, user_options=users, team_options=teams
    )
    # then
    assert filters.owner == "all"


def test_load_more_pages_through_a_column_without_gaps_or_repeats(owner, pipeline):
    # given: five deals entered the stage at the same moment (ties broken by id)
    first = stages_of(pipeline)[0]
    deals = [make_deal(owner, pipeline, stage=first) for _ in range(5)]
    Deal.objects.update(stage_entered_at=timezone.now())
    seen, cursor = [], None
    # when
    for _page in range(3):
        cards, cursor = board.stage_cards(
            user=owner, stage=first, filters=BoardFilters(), after=cursor, limit=2
        )
        seen += [card.pk for card in cards]
    # then
    assert seen == sorted((d.pk for d in deals), reverse=True)
    assert cursor is None


def test_cards_tell_the_next_activity_state_and_rotting(owner, pipeline):
    # given: the stage rots after 14 days
    first = stages_of(pipeline)[0]
    now = timezone.now()
    overdue = make_deal(owner, pipeline, stage=first, title="overdue")
    planned = make_deal(owner, pipeline, stage=first, title="planned")
    idle = make_deal(owner, pipeline, stage=first, title="idle")
    Deal.objects.filter(pk=overdue.pk).update(next_activity_at=now - dt.timedelta(days=2))
    Deal.objects.filter(pk=planned.pk).update(next_activity_at=now + dt.timedelta(days=3))
    Deal.objects.filter(pk=idle.pk).update(stage_entered_at=now - dt.timedelta(days=15))
    # when
    data = board.board_get(user=owner, pipeline=pipeline, filters=BoardFilters())
    # then
    cards = {card.title: card for card in _column(data, first).cards}
    assert cards["overdue"].activity_state == NextActivity.OVERDUE
    assert cards["planned"].activity_state == NextActivity.PLANNED
    assert cards["idle"].activity_state == NextActivity.NONE
    assert [t for t, c in sorted(cards.items()) if c.is_rotting] == ["idle"]


def test_next_activity_today_is_today():
    # given
    today = timezone.localdate()
    # when
    state = board.next_activity_state(timezone.now(), today=today)
    # then
    assert state == NextActivity.TODAY


def test_changed_deals_include_deals_that_left_the_board(owner, pipeline):
    # given
    before = timezone.now()
    deal = make_deal(owner, pipeline)
    deal_mark_won(actor=owner, deal=deal)
    # when
    changed = board.changed_deals(user=owner, since=before)
    shown = board.matching_ids(
        user=owner, pipeline=pipeline, filters=BoardFilters(), ids=[d.pk for d in changed]
    )
    # then
    assert [d.pk for d in changed] == [deal.pk]
    assert shown == set()


def test_changed_deals_leave_out_deals_the_user_may_not_see(owner, outsider, pipeline):
    # given
    before = timezone.now()
    make_deal(outsider, pipeline, visible_to=Visibility.OWNER)
    # when
    changed = board.changed_deals(user=owner, since=before)
    # then
    assert changed == []


def test_an_inactive_user_sees_an_empty_board(pipeline, owner):
    # given
    make_deal(owner, pipeline)
    gone = UserFactory(is_active=False)
    # when
    data = board.board_get(user=gone, pipeline=pipeline, filters=BoardFilters())
    # then
    assert sum(column.count for column in data.columns) == 0
