"""Reads of the pipeline board: columns with their totals, the cards, and what changed.

Everything starts from `deals.selectors.deal_list` (or, for totals, `deal_tally`, scoped by the
same rule), so visibility holds on cards, totals and the changes feed alike. The number of
queries never depends on the number of deals: one aggregate for all the totals (of the tally,
or an index-only scan of the deals), one query for the first cards of every
column (a UNION of LIMITed index scans; one per column on databases without that), one for
the labels of all cards shown. Cards are read as plain values into `Card`s, ready to render.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from crm.models import Label, Team, User
from crm.visibility import reach
from deals.models import Deal, DealStatus, Pipeline, Stage
from deals.selectors import deal_list, deal_tally

# Cards per column on load and per "load more": a screenful, the rest comes as one scrolls.
PAGE_SIZE = 10
ZERO, HUNDRED, CENT = Decimal(0), Decimal(100), Decimal("0.01")
OWNER_ME, OWNER_ALL = "me", "all"


class NextActivity:
    OVERDUE, TODAY, PLANNED, NONE = "overdue", "today", "planned", "none"


@dataclass(frozen=True)
class BoardFilters:
    """What the board shows; `owner` is "me", "all", "user:<id>" or "team:<id>"."""

    owner: str = OWNER_ALL
    label_id: int | None = None
    close_from: dt.date | None = None
    close_to: dt.date | None = None

    def as_query(self) -> dict[str, str]:
        query = {"owner": self.owner}
        if self.label_id:
            query["label"] = str(self.label_id)
        if self.close_from:
            query["close_from"] = self.close_from.isoformat()
        if self.close_to:
            query["close_to"] = self.close_to.isoformat()
        return query


@dataclass(frozen=True)
class OwnerOption:
    value: str
    label: str


@dataclass
class Money:
    currency: str
    total: Decimal
    weighted: Decimal


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


# -- filters ---------------------------------------------------------------------------------


def owner_options(*, user: User) -> tuple[list[OwnerOption], list[OwnerOption]]:
    """The users and teams the owner filter offers: only those whose deals the user may reach.

    Admins reach everyone; a manager their own and their managed teams; a rep their own team.
    """
    if user.is_crm_admin:
        users = User.objects.filter(is_active=True)
        teams = Team.objects.all()
    else:
        r = reach(user)
        ids = {user.pk} | set(r.team_member_ids) | set(r.managed_member_ids)
        users = User.objects.filter(is_active=True, pk__in=ids)
        teams = Team.objects.filter(Q(pk=user.team_id) | Q(managers=user)).distinct()
    user_options = [
        OwnerOption(f"user:{u.pk}", str(u))
        for u in users.order_by("first_name", "last_name", "username")
    ]
    team_options = [OwnerOption(f"team:{t.pk}", t.name) for t in teams.order_by("name")]
    return user_options, team_options


def label_options() -> QuerySet[Label]:
    return Label.objects.order_by("name")


def _parse_date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def parse_filters(
    query, *, user_options: list[OwnerOption], team_options: list[OwnerOption]
) -> BoardFilters:
    """Filters from a query string; anything not offered to this user falls back to "all"."""
    allowed = {OWNER_ME, OWNER_ALL} | {o.value for o in user_options + team_options}
    owner = query.get("owner") or OWNER_ALL
    try:
        label_id = int(query.get("label") or 0) or None
    except ValueError:
        label_id = None
    return BoardFilters(
        owner=owner if owner in allowed else OWNER_ALL,
        label_id=label_id,
        close_from=_parse_date(query.get("close_from")),
        close_to=_parse_date(query.get("close_to")),
    )


def board_deals(*, user: User, pipeline: Pipeline, filters: BoardFilters) -> QuerySet[Deal]:
    """The open deals of a pipeline the user may see, narrowed by the board's filters."""
    qs = deal_list(user=user).filter(pipeline=pipeline, status=DealStatus.OPEN)
    return _apply_filters(qs, user=user, filters=filters)


def _apply_filters(qs: QuerySet, *, user: User, filters: BoardFilters) -> QuerySet:
    """Narrow deals (or tally rows, for the owner filters) to the board's filters."""
    kind, _sep, raw_id = filters.owner.partition(":")
    if filters.owner == OWNER_ME:
        qs = qs.filter(owner=user)
    elif kind == "user" and raw_id.isdigit():
        qs = qs.filter(owner_id=int(raw_id))
    elif kind == "team" and raw_id.isdigit():
        qs = qs.filter(owner__team_id=int(raw_id))
    if filters.label_id:
        qs = qs.filter(labels__id=filters.label_id)
    if filters.close_from:
        qs = qs.filter(expected_close_date__gte=filters.close_from)
    if filters.close_to:
        qs = qs.filter(expected_close_date__lte=filters.close_to)
    return qs


# -- totals and cards ------------------------------------------------------------------------


def stage_totals(
    *,
    user: User,
    pipeline: Pipeline,
    filters: BoardFilters,
    stages: list[Stage] | None = None,
) -> dict[int, tuple[int, list[Money]]]:
    """Per stage: the number of deals and, per currency, total and weighted value (one query).

    On PostgreSQL the sums come from the deal tally (`DealTally`, kept by triggers), a few
    rows per owner whatever the number of deals. A label or close-date filter, which the tally
    cannot narrow, and other databases sum the deals, from the covering index
    `deal_board_totals_idx` (an index-only scan, no join). The weighted value is the sum times
    the stage's probability, exact in decimals as Σ(value × p) = p × Σ value.
    """
    if stages is None:
        stages = list(Stage.objects.filter(pipeline=pipeline))
    probability = {stage.pk: Decimal(stage.probability) for stage in stages}
    tally = deal_tally(user=user)
    if tally is not None and not (filters.label_id or filters.close_from or filters.close_to):
        # The owner filters narrow the tally as they narrow deals: a few hundred rows summed.
        rows = list(
            _apply_filters(
                tally.filter(pipeline=pipeline, status=DealStatus.OPEN), user=user, filters=filters
            )
            .order_by()
            .values_list("stage_id", "currency")
            .annotate(count=Sum("deal_count"), total=Sum("value_total"))
            .filter(count__gt=0)
            .order_by("stage_id", "currency")
        )
    else:
        rows = (
            board_deals(user=user, pipeline=pipeline, filters=filters)
            .order_by()
            .values_list("stage_id", "currency")
            .annotate(count=Count("*"), total=Sum("value"))
            .order_by("stage_id", "currency")
        )
        with _one_process(rows.db):
            rows = list(rows)
    totals: dict[int, tuple[int, list[Money]]] = {}
    for stage_id, currency, count, total in rows:
        total = Decimal(total or 0)
        weighted = total * probability.get(stage_id, ZERO) / HUNDRED
        before, amounts = totals.get(stage_id, (0, []))
        amounts.append(Money(currency, total, weighted.quantize(CENT)))
        totals[stage_id] = (before + count, amounts)
    return totals


@contextmanager
def _one_process(alias: str) -> Iterator[None]:
    """Run the totals without parallel workers (PostgreSQL): starting them costs more than
    they save on an index-only scan of ~100,000 entries, the more so on a busy server."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield


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


def board_cards(
    *, user: User, pipeline: Pipeline, filters: BoardFilters, ids: list[int]
) -> dict[int, Card]:
    """The cards of those deals that the board (with its filters) shows now, by deal id."""
    if not ids:
        return {}
    qs = board_deals(user=user, pipeline=pipeline, filters=filters).filter(pk__in=ids)
    stages = {stage.pk: stage for stage in Stage.objects.filter(pipeline=pipeline)}
    return {card.pk: card for card in _cards(list(_card_rows(qs)), stages=stages)}


# -- changes since the board was loaded -------------------------------------------------------

CHANGES_LIMIT = 200


def changed_deals(*, user: User, since: dt.datetime, limit: int = CHANGES_LIMIT) -> list[Deal]:
    """Deals the user may see that were written since `since` (any pipeline, any status):
    a deal moved out of the board must leave it as much as one moved in must appear."""
    qs = deal_list(user=user).select_related(None).filter(updated_at__gt=since)
    return list(qs.order_by("updated_at", "pk")[:limit])


def matching_ids(
    *, user: User, pipeline: Pipeline, filters: BoardFilters, ids: list[int]
) -> set[int]:
    """Which of these deals the board (with its filters) shows now."""
    if not ids:
        return set()
    qs = board_deals(user=user, pipeline=pipeline, filters=filters).filter(pk__in=ids)
    return set(qs.values_list("pk", flat=True))
