"""Lead conversion: leads created in the period, per source and per owner, and what became of
them."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet

from crm.models import User
from crm.visibility import visible_q
from leads.models import Lead, LeadSource
from reports.selectors.common import Median, ReportFilters, _owner_name, _owner_q


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
