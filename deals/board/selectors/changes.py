"""What changed since the board was loaded: the deals written since, and which of them the
board shows now."""

from __future__ import annotations

import datetime as dt

from crm.models import User
from crm.visibility import visible_q
from deals.board.selectors.filters import BoardFilters, board_deals
from deals.models import Deal, Pipeline

CHANGES_LIMIT = 200


def changed_deals(*, user: User, since: dt.datetime, limit: int = CHANGES_LIMIT) -> list[Deal]:
    """Deals the user may see that were written since `since` (any pipeline, any status):
    a deal moved out of the board must leave it as much as one moved in must appear. Those
    moved to the trash too: the board shows none of them, so their cards leave it."""
    qs = Deal.all_objects.filter(visible_q(user), updated_at__gt=since)
    return list(qs.order_by("updated_at", "pk")[:limit])


def matching_ids(
    *, user: User, pipeline: Pipeline, filters: BoardFilters, ids: list[int]
) -> set[int]:
    """Which of these deals the board (with its filters) shows now."""
    if not ids:
        return set()
    qs = board_deals(user=user, pipeline=pipeline, filters=filters).filter(pk__in=ids)
    return set(qs.values_list("pk", flat=True))
