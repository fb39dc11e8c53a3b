"""The whole board: every column with its totals and its first cards."""

from __future__ import annotations

from dataclasses import dataclass, field

from crm.models import User
from deals.board.selectors.cards import PAGE_SIZE, Card, _cards, _cursor, _first_pages
from deals.board.selectors.filters import BoardFilters, board_deals
from deals.board.selectors.totals import Money, stage_totals
from deals.models import Pipeline, Stage


@dataclass
class Column:
    stage: Stage
    count: int = 0
    amounts: list[Money] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)
    next_cursor: str | None = None


@dataclass
class Board:
    pipeline: Pipeline
    columns: list[Column]


def board_get(
    *,
    user: User,
    pipeline: Pipeline,
    filters: BoardFilters,
    stages: list[Stage] | None = None,
    limit: int = PAGE_SIZE,
) -> Board:
    """The whole board: the totals (one query), the first cards of every column (one query)
    and their labels (one query); plus the stages unless given."""
    if stages is None:
        stages = list(Stage.objects.filter(pipeline=pipeline).order_by("order", "pk"))
    totals = stage_totals(user=user, pipeline=pipeline, filters=filters, stages=stages)
    counted = [stage for stage in stages if stage.pk in totals]
    first_rows = _first_pages(
        board_deals(user=user, pipeline=pipeline, filters=filters), stages=counted, limit=limit
    )
    cards = iter(
        _cards(
            [row for stage in counted for row in first_rows.get(stage.pk, [])[:limit]],
            stages={stage.pk: stage for stage in stages},
        )
    )
    columns = []
    for stage in stages:
        count, amounts = totals.get(stage.pk, (0, []))
        rows = first_rows.get(stage.pk, [])
        column = Column(stage=stage, count=count, amounts=amounts)
        column.cards = [next(cards) for _row in rows[:limit]]
        if len(rows) > limit and column.cards:
            column.next_cursor = _cursor(column.cards[-1])
        columns.append(column)
    return Board(pipeline=pipeline, columns=columns)
