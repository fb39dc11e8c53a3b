"""What every report shares: its filters, the deals in scope, and a few helpers.

Every report starts from the records the user may see (`crm.visibility.visible_q`), narrowed by
the same `ReportFilters` (pipeline, period, owner, team).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Aggregate, Q, QuerySet
from django.utils import timezone

from crm.custom_fields.query import apply_custom_filters
from crm.models import CustomField, FieldEntity, User
from crm.selectors import default_currency
from crm.visibility import visible_q
from deals.models import Deal, Pipeline

ZERO = Decimal("0")
# The days a report's period may span. Beyond them the period's arithmetic overflows (the day
# after 9999-12-31) or leaves the range time zones are defined for; a sales team has no use
# for them anyway. The views refuse dates outside; the filters clamp to it all the same.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2200, 12, 31)


@dataclass(frozen=True)
class ReportFilters:
    pipeline: Pipeline | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    owner_id: int | None = None
    team_id: int | None = None
    # `cf_<key>` filters of single-option and user deal fields (crm.custom_fields), and the
    # field the "by field" report groups by.
    custom: tuple[tuple[str, str], ...] = ()
    group_field: CustomField | None = None

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
    if filters.custom:
        qs = apply_custom_filters(qs, FieldEntity.DEAL, dict(filters.custom))
    return qs


def _owner_name(row: dict, prefix: str = "owner__") -> str:
    full = f"{row[prefix + 'first_name']} {row[prefix + 'last_name']}".strip()
    return full or row[prefix + "username"]


def _default_currency() -> str:
    return default_currency()


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5): the median, computed by the database."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False
