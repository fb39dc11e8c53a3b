"""The board's filters: owner (me, everyone, a user, a team), label and close date, and the
open deals of a pipeline they leave."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from crm.models import Label, Team, User
from crm.visibility import reach
from deals.models import Deal, DealStatus, Pipeline
from deals.selectors import deal_list

OWNER_ME, OWNER_ALL = "me", "all"


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
