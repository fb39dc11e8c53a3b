"""Stage conversion: per stage of a pipeline, how many deals entered it, moved on and were won,
and how long they stayed, read from the deals' stays in their stages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection

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
from reports.selectors.common import ReportFilters, _owner_q

# History rows that put a deal into a stage (a reopen, a status row to open, does too).
ENTERING_KINDS = (HistoryKind.CREATED, HistoryKind.CONVERTED, HistoryKind.STAGE)


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
