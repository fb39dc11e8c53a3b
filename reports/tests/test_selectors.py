"""The reports' numbers on data built for the test, history made through the services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from crm.models import Visibility
from deals.models import Deal
from deals.services import deal_mark_lost, deal_mark_won, deal_move, deal_reopen
from deals.tests.board_helpers import (
    days_ago,
    make_deal,
    organization_for,
    set_history_times,
    stages_of,
)
from deals.tests.factories import LostReasonFactory, PipelineFactory
from leads.conversion import ContactChoice, lead_convert
from leads.models import Lead, LeadSource
from leads.services import lead_archive, lead_create
from reports import selectors
from reports.selectors import ReportFilters
from reports.selectors.stages import _stays_from_history, _stays_from_table

pytestmark = pytest.mark.django_db


def _period() -> ReportFilters:
    today = timezone.localdate()
    return ReportFilters(date_from=today - dt.timedelta(days=365), date_to=today)


@pytest.fixture
def history(owner, pipeline):
    """Four deals whose stage history covers forward, skipping, backward, pipeline change,
    and a win that was reopened and lost. t0 is 30 days ago; durations are in days."""
    a, b, c, _d = stages_of(pipeline)
    other = PipelineFactory(name="Renewals")
    t0 = days_ago(30)
    at = lambda days: t0 + dt.timedelta(days=days)  # noqa: E731

    d1 = make_deal(owner, pipeline, stage=a, value="100", title="d1")
    d1 = deal_move(actor=owner, deal=d1, stage=b, version=d1.version)
    d1 = deal_move(actor=owner, deal=d1, stage=c, version=d1.version)
    deal_mark_won(actor=owner, deal=d1)
    set_history_times(d1, at(0), at(2), at(5), at(6))

    d2 = make_deal(owner, pipeline, stage=a, value="200", title="d2")
    d2 = deal_move(actor=owner, deal=d2, stage=c, version=d2.version)
    d2 = deal_move(actor=owner, deal=d2, stage=a, version=d2.version)
    deal_mark_lost(actor=owner, deal=d2, lost_reason=LostReasonFactory(name="Too expensive"))
    set_history_times(d2, at(0), at(1), at(4), at(8))

    d3 = make_deal(owner, pipeline, stage=b, value="300", title="d3")
    deal_move(actor=owner, deal=d3, pipeline=other, version=d3.version)
    set_history_times(d3, at(0), at(3))

    d4 = make_deal(owner, pipeline, stage=a, value="400", title="d4")
    d4 = deal_mark_won(actor=owner, deal=d4)
    d4 = deal_reopen(actor=owner, deal=d4)
    deal_mark_lost(actor=owner, deal=d4, lost_reason=None, lost_reason_text="Went silent")
    set_history_times(d4, at(0), at(1), at(2), at(4))
    return {"stages": (a, b, c), "deals": (d1, d2, d3, d4)}


def _rows_by_stage(rows):
    return {row.stage.name: row for row in rows}


def test_stage_conversion_counts_entries_forward_moves_and_wins(owner, history):
    # when
    rows = _rows_by_stage(selectors.stage_conversion(user=owner, filters=_period()))
    # then: (entered, moved forward, won now)
    assert [(rows[n].entered, rows[n].moved_forward, rows[n].won) for n in rows] == [
        (3, 2, 1),
        (2, 1, 1),
        (2, 0, 1),
        (0, 0, 0),
    ]
    assert rows["Qualified"].forward_rate == pytest.approx(2 / 3)
    assert rows["Contact made"].win_rate == pytest.approx(0.5)


def test_stage_conversion_averages_completed_stays_including_reopened_ones(owner, history):
    # when
    rows = _rows_by_stage(selectors.stage_conversion(user=owner, filters=_period()))
    # then: A stays 2, 1, 4, 1, 2 days; B 3, 3; C 1, 3; D none
    assert rows["Qualified"].stays == 5
    assert rows["Qualified"].average_time.total_seconds() == pytest.approx(2 * 86400, rel=1e-4)
    assert rows["Contact made"].average_time.total_seconds() == pytest.approx(3 * 86400, rel=1e-4)
    assert rows["Proposal"].average_time.total_seconds() == pytest.approx(2 * 86400, rel=1e-4)
    assert rows["Negotiation"].average_time is None


def test_stage_conversion_of_the_other_pipeline_sees_the_deal_that_changed_pipeline(owner, history):
    # given
    other = Deal.objects.get(title="d3").pipeline
    # when
    rows = selectors.stage_conversion(user=owner, filters=ReportFilters(pipeline=other))
    # then
    assert [row.entered for row in rows] == [1, 0, 0, 0]


def test_stage_conversion_leaves_out_history_of_deals_the_user_may_not_see(outsider, history):
    # when
    rows = selectors.stage_conversion(user=outsider, filters=_period())
    # then: the owner's deals are team-visible in another team
    assert sum(row.entered for row in rows) == 0
    assert all(row.average_time is None for row in rows)


def test_deal_progress_counts_won_and_lost_per_month_with_values(owner, history):
    # when
    rows = [
        r
        for r in selectors.deal_progress(user=owner, filters=_period())
        if r.won_count or r.lost_count
    ]
    # then: d1 won; d2 lost; d4 won, reopened and lost (counts as lost)
    assert [(r.won_count, r.won_value, r.lost_count, r.lost_value) for r in rows] == [
        (1, Decimal("100"), 2, Decimal("600"))
    ]
    assert rows[0].month == timezone.localdate().replace(day=1)


def test_deal_progress_lists_every_month_of_the_period(owner, history):
    # when
    rows = selectors.deal_progress(user=owner, filters=_period())
    # then
    assert len(rows) in (12, 13)  # twelve months back, plus the current month's days


def test_deal_progress_over_decades_spans_only_the_months_with_closed_deals(owner, history):
    # given
    filters = ReportFilters(date_from=dt.date(1900, 1, 1), date_to=dt.date(2200, 12, 31))
    # when
    rows = selectors.deal_progress(user=owner, filters=filters)
    # then: every closing happened this month (or the last one, early in a month)
    assert 1 <= len(rows) <= 2
    assert sum(r.won_count + r.lost_count for r in rows) == 3


def test_report_periods_beyond_the_supported_range_are_clamped_to_it():
    # given
    filters = ReportFilters(date_from=dt.date(1, 1, 1), date_to=dt.date(9999, 12, 31))
    # then
    assert timezone.localtime(filters.start).date() == selectors.FIRST_DAY
    assert timezone.localtime(filters.end).date() == selectors.LAST_DAY + dt.timedelta(days=1)


def test_pipeline_value_totals_and_weighs_open_deals_per_stage(owner, pipeline):
    # given: probabilities 20, 40, 60, 80 %
    a, b, *_ = stages_of(pipeline)
    make_deal(owner, pipeline, stage=a, value="100")
    make_deal(owner, pipeline, stage=a, value="50")
    make_deal(owner, pipeline, stage=b, value="200")
    deal_mark_won(actor=owner, deal=make_deal(owner, pipeline, stage=b, value="999"))
    # when
    rows = selectors.pipeline_value(user=owner, filters=ReportFilters(pipeline=pipeline))
    # then
    assert [(r.stage.name, r.count, r.total, r.weighted) for r in rows] == [
        ("Qualified", 2, Decimal("150"), Decimal("30.00")),
        ("Contact made", 1, Decimal("200"), Decimal("80.00")),
        ("Proposal", 0, Decimal("0"), Decimal("0")),
        ("Negotiation", 0, Decimal("0"), Decimal("0")),
    ]


def test_pipeline_value_filters_by_owner_and_team(owner, teammate, outsider, pipeline, team):
    # given
    make_deal(owner, pipeline, value="100", visible_to=Visibility.COMPANY)
    make_deal(teammate, pipeline, value="10", visible_to=Visibility.COMPANY)
    make_deal(outsider, pipeline, value="1", visible_to=Visibility.COMPANY)
    # when
    by_owner = selectors.pipeline_value(
        user=owner, filters=ReportFilters(pipeline=pipeline, owner_id=teammate.pk)
    )
    by_team = selectors.pipeline_value(
        user=owner, filters=ReportFilters(pipeline=pipeline, team_id=team.pk)
    )
    # then
    assert by_owner[0].total == Decimal("10")
    assert by_team[0].total == Decimal("110")


def test_owner_report_gives_win_rate_deal_size_and_time_to_win(owner, pipeline):
    # given: two won (created 10 and 20 days ago), one lost
    for value, age in (("100", 10), ("300", 20)):
        deal = make_deal(owner, pipeline, value=value)
        Deal.objects.filter(pk=deal.pk).update(created_at=days_ago(age))
        deal_mark_won(actor=owner, deal=deal)
    deal_mark_lost(
        actor=owner, deal=make_deal(owner, pipeline), lost_reason=None, lost_reason_text="No"
    )
    # when
    [row] = selectors.owner_performance(user=owner, filters=_period())
    # then
    assert (row.won_count, row.won_value, row.lost_count) == (2, Decimal("400"), 1)
    assert row.win_rate == pytest.approx(2 / 3)
    assert row.average_deal_size == Decimal("200.00")
    assert row.average_time_to_win.total_seconds() == pytest.approx(15 * 86400, rel=1e-3)


def test_owner_report_leaves_out_deals_the_user_may_not_see(owner, outsider, pipeline):
    # given
    deal_mark_won(actor=outsider, deal=make_deal(outsider, pipeline, visible_to="owner"))
    # when
    rows = selectors.owner_performance(user=owner, filters=_period())
    # then
    assert rows == []


def test_lost_reasons_count_and_sum_per_reason(owner, history):
    # when
    rows = selectors.lost_reasons(user=owner, filters=_period())
    # then: a reason given only as details is grouped under "no reason chosen"
    assert sorted((r.reason, r.count, r.value) for r in rows) == [
        ("", 1, Decimal("400")),
        ("Too expensive", 1, Decimal("200")),
    ]


def _lead(owner, source, title="Lead"):
    return lead_create(
        actor=owner, title=title, organization=organization_for(owner, title), source=source
    )


def test_lead_conversion_per_source_with_rate_and_median_time_to_deal(owner, pipeline):
    # given: three web-form leads converted after 1, 3 and 10 days, one archived, one open
    now = timezone.now()
    for days in (1, 3, 10):
        lead = _lead(owner, LeadSource.WEB_FORM, title=f"Web {days}")
        lead_convert(
            lead=lead, actor=owner, pipeline=pipeline, organization_choice=ContactChoice("keep")
        )
        Lead.objects.filter(pk=lead.pk).update(
            created_at=now - dt.timedelta(days=days + 1), converted_at=now - dt.timedelta(days=1)
        )
    lead_archive(actor=owner, lead=_lead(owner, LeadSource.WEB_FORM, title="Web archived"))
    _lead(owner, LeadSource.WEB_FORM, title="Web open")
    _lead(owner, LeadSource.REFERRAL, title="Referral")
    # when
    report = selectors.lead_conversion(user=owner, filters=_period())
    # then
    rows = {row.key: row for row in report.by_source}
    web = rows[LeadSource.WEB_FORM]
    assert (web.created, web.converted, web.archived) == (5, 3, 1)
    assert web.conversion_rate == pytest.approx(0.6)
    assert web.median_time == dt.timedelta(days=3)
    assert (rows[LeadSource.REFERRAL].converted, rows[LeadSource.REFERRAL].median_time) == (0, None)
    assert [(row.label, row.created) for row in report.by_owner] == [(str(owner), 6)]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the stays table is kept by PostgreSQL triggers; other databases pair history rows",
)
@pytest.mark.parametrize(
    "period",
    [(None, None), (-29, None), (None, -27), (-29, -27)],
    ids=["all", "since", "until", "between"],
)
@pytest.mark.parametrize("viewer", ["owner", "teammate", "outsider", "manager", "admin_user"])
def test_stays_kept_by_the_trigger_give_what_pairing_the_history_rows_gives(
    request, history, pipeline, period, viewer
):
    # Given the history above, with its times rewritten after the fact (an UPDATE the
    # trigger must follow), and a stage reordered since (forward is judged by the order now)
    user = request.getfixturevalue(viewer)
    a, b, c = history["stages"]
    c.order, a.order = a.order, c.order
    c.save()
    a.save()
    start, end = (None if days is None else timezone.localdate(days_ago(-days)) for days in period)
    filters = ReportFilters(pipeline=pipeline, date_from=start, date_to=end)
    stages = list(pipeline.stages.order_by("order", "pk"))

    # When the report reads the stays table, and pairs the history rows itself
    from_table = _stays_from_table(user=user, filters=filters, stages=stages)
    from_history = _stays_from_history(user=user, filters=filters, stages=stages)

    # Then both give the same numbers
    assert from_table == from_history
    # (something to compare for all but the outsider, who sees none of these deals)
    assert bool(from_table) == (viewer != "outsider")
