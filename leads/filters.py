"""The leads list's filter: the inbox, `GET /api/v1/leads/` and the leads export."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from crm.custom_fields.query import apply_custom_filters, custom_params
from crm.filters import OwnerScope, owner_scope_q, param_flag, param_id, param_scope, param_text
from crm.models import FieldEntity, User
from leads.models import Lead, LeadSource
from leads.selectors import lead_list


@dataclass(frozen=True)
class LeadFilters:
    archived: bool = False  # the archive instead of the inbox
    converted: bool = False  # the converted leads (the API's; with `archived`, both)
    q: str = ""  # in the title
    scope: str = OwnerScope.ALL
    label: int | None = None
    source: str = ""
    owner: int | None = None  # one user's leads (the API's `owner`)
    person: int | None = None
    organization: int | None = None
    custom: tuple[tuple[str, str], ...] = ()  # `cf_<key>` parameters (crm.custom_fields)

    @classmethod
    def from_query(cls, params: Mapping) -> LeadFilters:
        """As the inbox (and so its export) reads its query string."""
        source = params.get("source") or ""
        return cls(
            archived=param_flag(params, "archived"),
            q=param_text(params),
            scope=param_scope(params, "scope") if "scope" in params else param_scope(params),
            label=param_id(params, "label"),
            source=source if source in LeadSource.values else "",
            custom=custom_params(params),
        )


def lead_filter(*, user: User, filters: LeadFilters, qs: QuerySet | None = None) -> QuerySet[Lead]:
    """The leads the user may see that match `filters`: by default the inbox (neither archived
    nor converted)."""
    wanted = Q()
    if filters.archived:
        wanted |= Q(archived_at__isnull=False, converted_at__isnull=True)
    if filters.converted:
        wanted |= Q(converted_at__isnull=False)
    if not (filters.archived or filters.converted):
        wanted = Q(archived_at__isnull=True, converted_at__isnull=True)
    qs = (lead_list(user=user) if qs is None else qs).filter(wanted)
    if filters.q:
        qs = qs.filter(title__icontains=filters.q)
    if filters.label is not None:
        qs = qs.filter(labels=filters.label)
    if filters.source:
        qs = qs.filter(source=filters.source)
    for name in ("owner", "person", "organization"):
        if getattr(filters, name) is not None:
            qs = qs.filter(**{f"{name}_id": getattr(filters, name)})
    if filters.custom:
        qs = apply_custom_filters(qs, FieldEntity.LEAD, dict(filters.custom))
    return qs.filter(owner_scope_q(user, filters.scope))


# The export's columns: heading, value of a lead (imports/exports.py writes them).
EXPORT_COLUMNS = [
    (_("Title"), lambda lead: lead.title),
    (_("Value"), lambda lead: lead.value),
    (_("Currency"), lambda lead: lead.currency),
    (_("Person"), lambda lead: lead.person and lead.person.name),
    (_("Organization"), lambda lead: lead.organization and lead.organization.name),
    (_("Owner"), lambda lead: str(lead.owner)),
    (_("Source"), lambda lead: lead.source),
    (_("Expected close date"), lambda lead: lead.expected_close_date),
    (_("Created"), lambda lead: lead.created_at),
]
