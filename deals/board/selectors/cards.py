"""The board's cards: what a card shows of a deal, read as plain values, a column's pages of
them (keyset on the time the deal entered its stage), and the first page of every column."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections
from django.db.models import Q, QuerySet
from django.utils import timezone

from crm.models import User
from deals.board.selectors.filters import BoardFilters, board_deals
from deals.models import Deal, DealStatus, Pipeline, Stage

# Cards per column on load and per "load more": a screenful, the rest comes as one scrolls.
PAGE_SIZE = 10


class NextActivity:
    OVERDUE, TODAY, PLANNED, NONE = "overdue", "today", "planned", "none"


@dataclass(frozen=True)
class CardLabel:
    name: str
    color: str


@dataclass
class Card:
    """What a card on the board shows of a deal, ready to render."""

    pk: int
    version: int
    stage_id: int
    title: str
    contact: str
    value: Decimal
    currency: str
    owner: str
    stage_entered_at: dt.datetime
    activity_state: str
    is_rotting: bool
    labels: list[CardLabel] = field(default_factory=list)
    # The names of its products, set by the board's views (products sit above deals).
    products: list[str] = field(default_factory=list)


def _cursor(card: Card) -> str:
    return f"{card.stage_entered_at.isoformat()}|{card.pk}"


def _parse_cursor(cursor: str | None) -> tuple[dt.datetime, int] | None:
    at, _sep, pk = (cursor or "").partition("|")
    try:
        parsed = dt.datetime.fromisoformat(at)
        parsed = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
        # Only cursors this module wrote are meaningful; the edges of the calendar (year 1,
        # 9999) overflow once converted to UTC for the database.
        parsed.astimezone(dt.UTC)
        return parsed, int(pk)
    except (ValueError, OverflowError):
        return None


# What a card shows, read as plain values: building model instances (with their owner,
# person and organization) for every card cost more than the queries themselves.
CARD_FIELDS = (
    "pk",
    "version",
    "status",
    "stage_id",
    "title",
    "value",
    "currency",
    "stage_entered_at",
    "next_activity_at",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
    "person__name",
    "organization__name",
)


def _card_rows(qs: QuerySet[Deal]) -> QuerySet:
    # Newest arrivals in a stage first; (stage_entered_at, id) is the keyset of "load more",
    # and the order of the partial index deal_board_cards_idx.
    return qs.order_by("-stage_entered_at", "-pk").values_list(*CARD_FIELDS)


def _cards(rows, *, stages: dict[int, Stage]) -> list[Card]:
    """Cards from rows of CARD_FIELDS, with their labels (one query for all of them)."""
    if not rows:
        return []
    now = timezone.now()
    today = timezone.localdate(now)
    cards = []
    for (
        pk,
        version,
        status,
        stage_id,
        title,
        value,
        currency,
        entered_at,
        activity_at,
        first_name,
        last_name,
        username,
        person,
        organization,
    ) in rows:
        stage = stages.get(stage_id)
        cards.append(
            Card(
                pk=pk,
                version=version,
                stage_id=stage_id,
                title=title,
                contact=" · ".join(name for name in (organization, person) if name),
                value=value,
                currency=currency,
                owner=f"{first_name} {last_name}".strip() or username,
                stage_entered_at=entered_at,
                activity_state=next_activity_state(activity_at, today=today),
                is_rotting=stage is not None
                and status == DealStatus.OPEN
                and is_rotting_since(entered_at, stage, now=now),
            )
        )
    by_deal: dict[int, list[CardLabel]] = defaultdict(list)
    labels = (
        Deal.labels.through.objects.filter(deal_id__in=[card.pk for card in cards])
        .order_by("label__name", "label_id")
        .values_list("deal_id", "label__name", "label__color")
    )
    for deal_id, name, color in labels:
        by_deal[deal_id].append(CardLabel(name, color))
    for card in cards:
        card.labels = by_deal.get(card.pk, [])
    return cards


def stage_cards(
    *,
    user: User,
    stage: Stage,
    filters: BoardFilters,
    after: str | None = None,
    limit: int = PAGE_SIZE,
) -> tuple[list[Card], str | None]:
    """One page of a column's cards and the cursor of the next page (None: no more)."""
    qs = board_deals(user=user, pipeline=stage.pipeline, filters=filters).filter(stage=stage)
    keyset = _parse_cursor(after)
    if keyset:
        at, pk = keyset
        qs = qs.filter(Q(stage_entered_at__lt=at) | Q(stage_entered_at=at, pk__lt=pk))
    rows = list(_card_rows(qs)[: limit + 1])
    cards = _cards(rows[:limit], stages={stage.pk: stage})
    return cards, (_cursor(cards[-1]) if len(rows) > limit and cards else None)


def _first_pages(qs: QuerySet[Deal], *, stages: list[Stage], limit: int) -> dict[int, list[tuple]]:
    """The first `limit` + 1 rows of every column, in one query where the database allows
    LIMIT inside a UNION (PostgreSQL): the ids from a UNION ALL of one LIMITed scan of
    deal_board_cards_idx per stage, the card fields joined once around it (joining inside
    every branch made planning cost more than running). Elsewhere one query per stage."""
    if not stages:
        return {}
    if len(stages) > 1 and connections[qs.db].features.supports_slicing_ordering_in_compound:
        ids = [
            qs.filter(stage_id=stage.pk)
            .order_by("-stage_entered_at", "-pk")
            .values("pk")[: limit + 1]
            for stage in stages
        ]
        rows = list(_card_rows(Deal.objects.filter(pk__in=ids[0].union(*ids[1:], all=True))))
    else:
        rows = [
            row for stage in stages for row in _card_rows(qs.filter(stage_id=stage.pk))[: limit + 1]
        ]
    by_stage: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        by_stage[row[STAGE_AT]].append(row)
    for stage_rows in by_stage.values():
        # A UNION keeps no order: put each column back in keyset order.
        stage_rows.sort(key=lambda row: (row[ENTERED_AT], row[0]), reverse=True)
    return by_stage


STAGE_AT, ENTERED_AT = CARD_FIELDS.index("stage_id"), CARD_FIELDS.index("stage_entered_at")


def next_activity_state(at: dt.datetime | None, *, today: dt.date) -> str:
    if at is None:
        return NextActivity.NONE
    day = timezone.localdate(at)
    if day < today:
        return NextActivity.OVERDUE
    return NextActivity.TODAY if day == today else NextActivity.PLANNED


def is_rotting_since(entered_at: dt.datetime, stage: Stage, *, now: dt.datetime) -> bool:
    """No progress for longer than the stage's rotting period (open deals only)."""
    if stage.rotting_days is None:
        return False
    return entered_at < now - dt.timedelta(days=stage.rotting_days)


def is_rotting(deal: Deal, stage: Stage, *, now: dt.datetime) -> bool:
    if deal.status != DealStatus.OPEN:
        return False
    return is_rotting_since(deal.stage_entered_at, stage, now=now)


def board_cards(
    *, user: User, pipeline: Pipeline, filters: BoardFilters, ids: list[int]
) -> dict[int, Card]:
    """The cards of those deals that the board (with its filters) shows now, by deal id."""
    if not ids:
        return {}
    qs = board_deals(user=user, pipeline=pipeline, filters=filters).filter(pk__in=ids)
    stages = {stage.pk: stage for stage in Stage.objects.filter(pipeline=pipeline)}
    return {card.pk: card for card in _cards(list(_card_rows(qs)), stages=stages)}
