"""The deals list's filter: the deals page, `GET /api/v1/deals/` and the deals export."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from crm.custom_fields.query import apply_custom_filters, custom_params
from crm.filters import OwnerScope, owner_scope_q, param_id, param_scope, param_text
from crm.models import FieldEntity, User
from deals.models import Deal, DealStatus
from deals.selectors import deal_list

ANY_STATUS = "any"


@dataclass(frozen=True)
class DealFilters:
    q: str = ""  # in the title
    status: str = ""  # one of DealStatus, or "" for any
    pipeline: int | None = None
    stage: int | None = None
    scope: str = OwnerScope.ALL
    owner: int | None = None  # one user's deals (the API's `owner`)
    person: int | None = None
    organization: int | None = None
    custom: tuple[tuple[str, str], ...] = ()  # `cf_<key>` parameters (crm.custom_fields)

    @classmethod
    def from_query(cls, params: Mapping) -> DealFilters:
        """As the deals page (and so its export) reads its query string: open deals unless
        another status or "any" is asked for."""
        status = params.get("status") or DealStatus.OPEN
        if status not in (*DealStatus.values, ANY_STATUS):
            status = DealStatus.OPEN
        return cls(
            q=param_text(params),
            status="" if status == ANY_STATUS else status,
            pipeline=param_id(params, "pipeline"),
            stage=param_id(params, "stage"),
            scope=param_scope(params),
            custom=custom_params(params),
        )


def deal_filter(*, user: User, filters: DealFilters, qs: QuerySet[Deal] | None = None):
    """The deals the user may see that match `filters` (`qs`: a narrower visible queryset)."""
    qs = deal_list(user=user) if qs is None else qs
    if filters.status:
        qs = qs.filter(status=filters.status) if filters.status in DealStatus.values else qs.none()
    if filters.q:
        qs = qs.filter(title__icontains=filters.q)
    for name in ("pipeline", "stage", "owner", "person", "organization"):
        if getattr(filters, name) is not None:
            qs = qs.filter(**{f"{name}_id": getattr(filters, name)})
    if filters.custom:
        qs = apply_custom_filters(qs, FieldEntity.DEAL, dict(filters.custom))
    return qs.filter(owner_scope_q(user, filters.scope))


# The export's columns: heading, value of a deal (imports/exports.py writes them).
EXPORT_COLUMNS = [
    (_("Title"), lambda d: d.title),
    (_("Value"), lambda d: d.value),
    (_("Currency"), lambda d: d.currency),
    (_("Pipeline"), lambda d: d.pipeline.name),
    (_("Stage"), lambda d: d.stage.name),
    (_("Status"), lambda d: d.get_status_display()),
    (_("Person"), lambda d: d.person and d.person.name),
    (_("Organization"), lambda d: d.organization and d.organization.name),
    (_("Owner"), lambda d: str(d.owner)),
    (_("Expected close date"), lambda d: d.expected_close_date),
    (_("Won at"), lambda d: d.won_at),
    (_("Lost at"), lambda d: d.lost_at),
    (_("Created"), lambda d: d.created_at),
]
