"""The reports' numbers, aggregated in the database and scoped by visibility.

Every report starts from the records the user may see (`crm.visibility.visible_q`) and is
narrowed by the same `ReportFilters` (pipeline, period, owner, team). Each report is one or a
few grouped queries; the number of queries never depends on the number of deals.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from crm.models import User
from crm.visibility import visible_q
from deals.models import (
    Deal,
    DealHistory,
    DealStageStay,
    DealStatus,
    HistoryKind,
    Pipeline,
    Stage,
)
from leads.models import Lead, LeadSource

ZERO = Decimal("0")
CENT = Decimal("0.01")
# History rows that put a deal into a stage (a reopen, a status row to open, does too).
ENTERING_KINDS = (HistoryKind.CREATED, HistoryKind.CONVERTED, HistoryKind.STAGE)
# The days a report's period may span. Beyond them the period's arithmetic overflows (the day
# after 9999-12-31) or leaves the range time zones are defined for; a sales team has no use
# for them anyway. The views refuse dates outside; the filters clamp to it all the same.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2200, 12, 31)
# A deal progress axis longer than this (months) shows only the months that have deals.
MAX_AXIS_MONTHS = 120


@dataclass(frozen=True)
class ReportFilters:
    pipeline: Pipeline | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    owner_id: int | None = None
    team_id: int | None = None

    @property
    def start(self) -> dt.datetime | None:
        if self.date_from is None:
            return None
        first = min(max(self.date_from, FIRST_DAY), LAST_DAY)
        return timezone.make_aware(dt.datetime.combine(first, dt.time.min))

    @property
    def end(self) -> dt.datetime | None:
        """Exclusive: the first moment after the last day of the period."""
        if self.date_to is None:
            return None
        last = min(max(self.date_to, FIRST_DAY), LAST_DAY)
        return timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))

    def period_q(self, field_name: str) -> Q:
        q = Q()
        if self.start:
            q &= Q(**{f"{field_name}__gte": self.start})
        if self.end:
            q &= Q(**{f"{field_name}__lt": self.end})
        return q


def _owner_q(filters: ReportFilters, prefix: str = "") -> Q:
    q = Q()
    if filters.owner_id:
        q &= Q(**{f"{prefix}owner_id": filters.owner_id})
    if filters.team_id:
        q &= Q(**{f"{prefix}owner__team_id": filters.team_id})
    return q


def _deals(user: User, filters: ReportFilters) -> QuerySet[Deal]:
    qs = Deal.objects.filter(visible_q(user)).filter(_owner_q(filters)).order_by()
    if filters.pipeline:
        qs = qs.filter(pipeline=filters.pipeline)
    return qs


def _owner_name(row: dict, prefix: str = "owner__") -> str:
    full = f"{row[prefix + 'first_name']} {row[prefix + 'last_name']}".strip()
    return full or row[prefix + "username"]


# -- deal progress ---------------------------------------------------------------------------


@dataclass
class ProgressRow:
    month: dt.date
    currency: str
    won_count: int = 0
    won_value: Decimal = ZERO
    lost_count: int = 0
    lost_value: Decimal = ZERO


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def deal_progress(*, user: User, filters: ReportFilters) -> list[ProgressRow]:
    """Deals won and lost per month (when they were closed), count and value per currency."""
    won = Q(status=DealStatus.WON) & filters.period_q("won_at")
    lost = Q(status=DealStatus.LOST) & filters.period_q("lost_at")
    rows = (
        _deals(user, filters)
        .filter(won | lost)
        .annotate(month=TruncMonth(Coalesce("won_at", "lost_at")))
        .values("month", "currency")
        .annotate(
            won_count=Count("pk", filter=Q(status=DealStatus.WON)),
            won_value=Sum("value", filter=Q(status=DealStatus.WON)),
            lost_count=Count("pk", filter=Q(status=DealStatus.LOST)),
            lost_value=Sum("value", filter=Q(status=DealStatus.LOST)),
        )
        .order_by("month", "currency")
    )
    found = {}
    for row in rows:
        month = row["month"]
        month = timezone.localtime(month) if isinstance(month, dt.datetime) else month
        month = dt.date(month.year, month.month, 1)
        found[(month, row["currency"])] = ProgressRow(
            month=month,
            currency=row["currency"],
            won_count=row["won_count"],
            won_value=row["won_value"] or ZERO,
            lost_count=row["lost_count"],
            lost_value=row["lost_value"] or ZERO,
        )
    # Months without closed deals still belong on the chart's axis.
    currencies = sorted({currency for _month, currency in found}) or [_default_currency()]
    with_deals = sorted({month for month, _currency in found})
    if filters.date_from and filters.date_to:
        first = max(filters.date_from, FIRST_DAY)
        last = min(filters.date_to, LAST_DAY)
        if (last.year - first.year) * 12 + last.month - first.month >= MAX_AXIS_MONTHS:
            # Decades of empty months would bury the bars: span the months with deals only.
            first, last = (with_deals[0], with_deals[-1]) if with_deals else (last, first)
        months = _months(first, last)
    else:
        months = with_deals
    return [
        found.get((month, currency)) or ProgressRow(month=month, currency=currency)
        for month in months
        for currency in currencies
    ]


def _default_currency() -> str:
    return settings.CRM_DEFAULT_CURRENCY


# -- pipeline value --------------------------------------------------------------------------


@dataclass
class StageValueRow:
    stage: Stage
    currency: str
    count: int = 0
    total: Decimal = ZERO
    weighted: Decimal = ZERO


def _stages(filters: ReportFilters) -> list[Stage]:
    qs = Stage.objects.select_related("pipeline").filter(pipeline__is_active=True)
    if filters.pipeline:
        qs = qs.filter(pipeline=filters.pipeline)
    return list(qs.order_by("pipeline__order", "pipeline_id", "order", "pk"))


def pipeline_value(*, user: User, filters: ReportFilters) -> list[StageValueRow]:
    """Open deals now, per stage: count, total value and value × stage probability.

    The period does not apply: this is the pipeline as it stands. The database sums the
    values per stage and currency (no join: the weighted value is the sum times the stage's
    probability, exact in decimals as Σ(value × p) = p × Σ value).
    """
    stages = _stages(filters)
    rows = (
        _deals(user, filters)
        .filter(status=DealStatus.OPEN)
        .values("stage_id", "currency")
        .annotate(count=Count("pk"), total=Sum("value"))
        .order_by("stage_id", "currency")
    )
    by_stage: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_stage[row["stage_id"]].append(row)
    currencies = sorted({row["currency"] for rows_ in by_stage.values() for row in rows_})
    out = []
    for stage in stages:
        found = {row["currency"]: row for row in by_stage.get(stage.pk, [])}
        for currency in currencies or [_default_currency()]:
            row = found.get(currency)
            total = (row["total"] or ZERO) if row else ZERO
            out.append(
                StageValueRow(
                    stage=stage,
                    currency=currency,
                    count=row["count"] if row else 0,
                    total=total,
                    weighted=(Decimal(total) * stage.probability / 100).quantize(CENT),
                )
            )
    return out


# -- stage conversion ------------------------------------------------------------------------


@dataclass
class StageConversionRow:
    stage: Stage
    entered: int = 0
    moved_forward: int = 0
    won: int = 0
    average_time: dt.timedelta | None = None
    stays: int = 0

    @property
    def forward_rate(self) -> float | None:
        return self.moved_forward / self.entered if self.entered else None

    @property
    def win_rate(self) -> float | None:
        return self.won / self.entered if self.entered else None


def conversion_pipeline(filters: ReportFilters) -> Pipeline | None:
    """Stage conversion reads one pipeline: the chosen one, else the first active one."""
    return filters.pipeline or Pipeline.objects.filter(is_active=True).first()


def stage_conversion(*, user: User, filters: ReportFilters) -> list[StageConversionRow]:
    """Per stage of the pipeline, from the deals' history, for stays that began in the period.

    A stay begins when a deal enters the stage (created or converted in it, moved into it, or
    reopened in it) and ends with the deal's next history row:

    - entered: deals with a stay in the stage;
    - moved forward: deals with a stay that ended by moving to a later stage of the same
      pipeline (moving back, or away to another pipeline, is not moving forward);
    - won: deals with a stay in the stage that are won now (won, reopened and lost: lost);
    - average time: the mean length of the stays that ended; stays still going are left out.
    """
    pipeline = conversion_pipeline(filters)
    if pipeline is None:
        return []
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("order", "pk"))
    found = _stage_stays(user=user, filters=filters, stages=stages)
    rows = []
    for stage in stages:
        entered, forward, won, seconds, stays = found.get(stage.pk, (0, 0, 0, None, 0))
        rows.append(
            StageConversionRow(
                stage=stage,
                entered=entered,
                moved_forward=forward,
                won=won,
                stays=stays,
                average_time=dt.timedelta(seconds=float(seconds)) if stays else None,
            )
        )
    return rows


def _seconds_sql(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


def _stage_stays(
    *, user: User, filters: ReportFilters, stages: list[Stage]
) -> dict[int, tuple[int, int, int, float | None, int]]:
    """Per stage: (entered, moved forward, won, average seconds of ended stays, ended stays)."""
    if not stages:
        return {}
    if connection.vendor == "postgresql":
        return _stays_from_table(user=user, filters=filters, stages=stages)
    return _stays_from_history(user=user, filters=filters, stages=stages)


def _scoped_deals_sql(user: User, filters: ReportFilters) -> tuple[str, list]:
    """SQL of (id, status) of the deals in scope: the ORM's, so visibility and the owner/team
    filters are the same as everywhere else. Raises EmptyResultSet when none can be."""
    deals = (
        Deal.objects.filter(visible_q(user))
        .filter(_owner_q(filters))
        .order_by()
        .values("pk", "status")
    )
    sql, params = deals.query.sql_with_params()
    return sql, list(params)


def _per_stage_sql(stages: list[Stage]) -> str:
    return ", ".join(
        f"COUNT(*) FILTER (WHERE stage_id = {int(stage.pk)}), "
        f"SUM(forward) FILTER (WHERE stage_id = {int(stage.pk)}), "
        f"SUM(won) FILTER (WHERE stage_id = {int(stage.pk)}), "
        f"SUM(seconds) FILTER (WHERE stage_id = {int(stage.pk)}), "
        f"SUM(stays) FILTER (WHERE stage_id = {int(stage.pk)})"
        for stage in stages
    )


def _stays_out(found, stages: list[Stage]) -> dict[int, tuple[int, int, int, float | None, int]]:
    out = {}
    for i, stage in enumerate(stages):
        entered, forward, won, seconds, stays = found[5 * i : 5 * i + 5] or (0,) * 5
        if entered:
            out[stage.pk] = (
                int(entered),
                int(forward or 0),
                int(won or 0),
                float(seconds) / int(stays) if stays else None,
                int(stays or 0),
            )
    return out


def _stays_from_table(
    *, user: User, filters: ReportFilters, stages: list[Stage]
) -> dict[int, tuple[int, int, int, float | None, int]]:
    """From `DealStageStay` (PostgreSQL, kept by triggers): one pass over the pipeline's stays
    that began in the period, joined with the deals in scope, counted per stage. No collapse
    per deal is needed: a stay counts a deal as entering (or moving forward) only if it is the
    deal's first such stay in the period, i.e. the previous one began before the period."""
    try:
        deal_sql, params = _scoped_deals_sql(user, filters)
    except EmptyResultSet:
        return {}
    stage_ids = ", ".join(str(int(stage.pk)) for stage in stages)
    start = [filters.start] if filters.start else []
    # A stay is the deal's first in the period when its previous one began before it.
    first = "(s.previous_entered_at IS NULL{})".format(
        " OR s.previous_entered_at < %s" if start else ""
    )
    first_forward = "(s.previous_forward_at IS NULL{})".format(
        " OR s.previous_forward_at < %s" if start else ""
    )
    params += [*start, *start, DealStatus.WON, *start]
    period = ""
    if filters.start:
        period += " AND s.entered_at >= %s"
        params.append(filters.start)
    if filters.end:
        period += " AND s.entered_at < %s"
        params.append(filters.end)
    sql = f"""
        WITH scoped (id, status) AS ({deal_sql})
        SELECT s.stage_id,
               COUNT(*) FILTER (WHERE {first}),
               COUNT(*) FILTER (WHERE s.moved_forward AND {first_forward}),
               COUNT(*) FILTER (WHERE d.status = %s AND {first}),
               EXTRACT(EPOCH FROM SUM(s.left_at - s.entered_at)),
               COUNT(s.left_at)
        FROM {DealStageStay._meta.db_table} s JOIN scoped d ON d.id = s.deal_id
        WHERE s.stage_id IN ({stage_ids}) {period}
        GROUP BY s.stage_id
    """  # noqa: S608 - only table names, ints and ORM-compiled SQL are formatted in
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {row[0]: row[1:] for row in cursor.fetchall()}
    return _stays_out(
        [value for stage in stages for value in found.get(stage.pk, (0,) * 5)], stages
    )


def _stays_from_history(
    *, user: User, filters: ReportFilters, stages: list[Stage]
) -> dict[int, tuple[int, int, int, float | None, int]]:
    """Other databases (the embedded SQLite), which keep no stays: one pass over the
    history, each row paired with the deal's next one (LEAD), as the PostgreSQL trigger of
    `DealStageStay` does, then collapsed per deal and stage and counted per stage. The ORM
    cannot aggregate over a window function, hence SQL here."""
    try:
        deal_sql, params = _scoped_deals_sql(user, filters)
    except EmptyResultSet:
        return {}
    # The pipeline's stages and their order (ints from the database); NULL: another pipeline.
    order_of = "CASE h.to_stage_id {} END".format(
        " ".join(f"WHEN {int(stage.pk)} THEN {int(stage.order)}" for stage in stages)
    )
    # The order of the stage the next row moves to (NULL: not a move within the pipeline).
    params.append(HistoryKind.STAGE)
    # Rows before the period cannot begin a stay in it, and LEAD only looks forward.
    since = ""
    if filters.start:
        since = "AND h.created_at >= %s"
        params.append(filters.start)
    until = "AND r.created_at < %s" if filters.end else ""
    sql = f"""
        WITH scoped (id, status) AS ({deal_sql}),
        flow AS (
            SELECT h.deal_id, h.to_stage_id, h.kind, h.to_status, h.created_at,
                   d.status AS deal_status, {order_of} AS stage_order,
                   LEAD(h.created_at) OVER w AS left_at,
                   LEAD(CASE WHEN h.kind = %s THEN {order_of} END) OVER w AS next_order
            FROM {DealHistory._meta.db_table} h JOIN scoped d ON d.id = h.deal_id
            WHERE 1 = 1 {since}
            WINDOW w AS (PARTITION BY h.deal_id ORDER BY h.created_at, h.id)
        ),
        per_deal AS (
            SELECT r.deal_id, r.to_stage_id AS stage_id,
                   MAX(CASE WHEN r.next_order > r.stage_order THEN 1 ELSE 0 END) AS forward,
                   MAX(CASE WHEN r.deal_status = %s THEN 1 ELSE 0 END) AS won,
                   SUM(CASE WHEN r.left_at IS NOT NULL
                            THEN {_seconds_sql("r.left_at", "r.created_at")} END) AS seconds,
                   COUNT(r.left_at) AS stays
            FROM flow r
            WHERE r.stage_order IS NOT NULL
              AND (r.kind IN (%s, %s, %s) OR (r.kind = %s AND r.to_status = %s))
              {until}
            GROUP BY r.deal_id, r.to_stage_id
        )
        SELECT {_per_stage_sql(stages)} FROM per_deal
    """  # noqa: S608 - only table names, ints and ORM-compiled SQL are formatted in
    params += [DealStatus.WON, *ENTERING_KINDS, HistoryKind.STATUS]
    params.append(DealStatus.OPEN)
    if filters.end:
        params.append(filters.end)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone() or ()
    return _stays_out(found, stages)


# -- lead conversion -------------------------------------------------------------------------


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5): the median, computed by the database."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


@dataclass
class LeadConversionRow:
    key: str
    label: str
    created: int = 0
    converted: int = 0
    archived: int = 0
    median_time: dt.timedelta | None = None

    @property
    def conversion_rate(self) -> float | None:
        return self.converted / self.created if self.created else None


@dataclass
class LeadConversion:
    by_source: list[LeadConversionRow] = field(default_factory=list)
    by_owner: list[LeadConversionRow] = field(default_factory=list)


def lead_conversion(*, user: User, filters: ReportFilters) -> LeadConversion:
    """Leads created in the period, per source and per owner: how many were converted or
    archived, the conversion rate, and the median time from lead to deal.

    A lead has no pipeline until it is converted, so the pipeline filter does not apply.
    """
    leads = (
        Lead.objects.filter(visible_q(user))
        .filter(_owner_q(filters))
        .filter(filters.period_q("created_at"))
        .order_by()
    )
    source_names = dict(LeadSource.choices)
    by_source = [
        LeadConversionRow(
            key=row["source"],
            label=str(source_names.get(row["source"], row["source"])),
            **_lead_counts(row),
        )
        for row in _lead_groups(leads, ["source"])
    ]
    by_owner = [
        LeadConversionRow(key=str(row["owner_id"]), label=_owner_name(row), **_lead_counts(row))
        for row in _lead_groups(
            leads, ["owner_id", "owner__first_name", "owner__last_name", "owner__username"]
        )
    ]
    by_owner.sort(key=lambda row: row.label.lower())
    return LeadConversion(by_source=by_source, by_owner=by_owner)


def _lead_counts(row: dict) -> dict:
    return {
        "created": row["created"],
        "converted": row["converted"],
        "archived": row["archived"],
        "median_time": row.get("median_time"),
    }


def _lead_groups(leads: QuerySet[Lead], keys: list[str]) -> list[dict]:
    to_deal = ExpressionWrapper(F("converted_at") - F("created_at"), output_field=DurationField())
    annotations = {
        "created": Count("pk"),
        "converted": Count("pk", filter=Q(converted_at__isnull=False)),
        "archived": Count("pk", filter=Q(archived_at__isnull=False)),
    }
    postgres = connection.vendor == "postgresql"
    if postgres:
        annotations["median_time"] = Median(to_deal, output_field=DurationField())
    rows = list(leads.values(*keys).annotate(**annotations).order_by(*keys))
    if not postgres:
        # SQLite has no percentile: fetch the durations of converted leads (one column each).
        durations: dict[tuple, list[float]] = defaultdict(list)
        converted = leads.filter(converted_at__isnull=False).values_list(
            keys[0], "created_at", "converted_at"
        )
        for key, created_at, converted_at in converted:
            durations[key].append((converted_at - created_at).total_seconds())
        for row in rows:
            values = durations.get(row[keys[0]])
            row["median_time"] = dt.timedelta(seconds=statistics.median(values)) if values else None
    return rows


# -- per owner -------------------------------------------------------------------------------


@dataclass
class OwnerRow:
    owner_id: int
    owner: str
    currency: str
    won_count: int = 0
    won_value: Decimal = ZERO
    lost_count: int = 0
    average_time_to_win: dt.timedelta | None = None

    @property
    def win_rate(self) -> float | None:
        closed = self.won_count + self.lost_count
        return self.won_count / closed if closed else None

    @property
    def average_deal_size(self) -> Decimal | None:
        if not self.won_count:
            return None
        return (self.won_value / self.won_count).quantize(Decimal("0.01"))


def owner_performance(*, user: User, filters: ReportFilters) -> list[OwnerRow]:
    """Per owner, deals closed in the period: won count and value, win rate (won of won and
    lost), average won deal size and average time from creating a deal to winning it."""
    is_won = Q(status=DealStatus.WON)
    time_to_win = ExpressionWrapper(F("won_at") - F("created_at"), output_field=DurationField())
    rows = (
        _deals(user, filters)
        .filter(
            (is_won & filters.period_q("won_at"))
            | (Q(status=DealStatus.LOST) & filters.period_q("lost_at"))
        )
        .values("owner_id", "owner__first_name", "owner__last_name", "owner__username", "currency")
        .annotate(
            won_count=Count("pk", filter=is_won),
            won_value=Sum("value", filter=is_won),
            lost_count=Count("pk", filter=Q(status=DealStatus.LOST)),
            average_time_to_win=Avg(time_to_win, filter=is_won),
        )
        .order_by("owner_id", "currency")
    )
    out = [
        OwnerRow(
            owner_id=row["owner_id"],
            owner=_owner_name(row),
            currency=row["currency"],
            won_count=row["won_count"],
            won_value=row["won_value"] or ZERO,
            lost_count=row["lost_count"],
            average_time_to_win=row["average_time_to_win"],
        )
        for row in rows
    ]
    out.sort(key=lambda row: (row.owner.lower(), row.currency))
    return out


# -- lost reasons ----------------------------------------------------------------------------


@dataclass
class LostReasonRow:
    reason_id: int | None
    reason: str
    currency: str
    count: int
    value: Decimal


def lost_reasons(*, user: User, filters: ReportFilters) -> list[LostReasonRow]:
    """Deals lost in the period per reason (none chosen: only details given), count and value."""
    rows = (
        _deals(user, filters)
        .filter(filters.period_q("lost_at"), status=DealStatus.LOST)
        .values("lost_reason_id", "lost_reason__name", "currency")
        .annotate(count=Count("pk"), value=Sum("value"))
        .order_by("-count", "lost_reason__name", "currency")
    )
    return [
        LostReasonRow(
            reason_id=row["lost_reason_id"],
            reason=row["lost_reason__name"] or "",
            currency=row["currency"],
            count=row["count"],
            value=row["value"] or ZERO,
        )
        for row in rows
    ]
