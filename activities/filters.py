"""The activities list's filter: the activities page, `GET /api/v1/activities/` and the
activities export."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, ActivityType
from activities.selectors import activity_list
from crm.filters import OwnerScope, owner_scope_q, param_scope, param_text
from crm.models import User

ACTIVITY_STATUS_OPEN = "open"
# The page's `status`: what `done` it filters on (None: any).
ACTIVITY_STATUSES = {ACTIVITY_STATUS_OPEN: False, "done": True, "any": None}


def param_date(params: Mapping, name: str) -> date | None:
    """An ISO date (2026-12-04) from the query string; anything else counts as not given."""
    try:
        return date.fromisoformat(str(params.get(name) or "").strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class ActivityFilters:
    q: str = ""  # in the subject
    done: bool | None = None
    scope: str = OwnerScope.ALL  # whose: by assignee
    assignee: int | None = None
    deal: int | None = None
    person: int | None = None
    organization: int | None = None
    lead: int | None = None
    type: str = ""  # one of ActivityType, or "" for any
    # Due on or after, on or before (both days included): a calendar's range.
    due_after: date | None = None
    due_before: date | None = None

    @classmethod
    def from_query(cls, params: Mapping) -> ActivityFilters:
        """As the activities page (and so its export) reads its query string: the user's own
        open activities unless another owner (`owner`: team, all) or status (`status`: done,
        any) is asked for."""
        status = params.get("status") or ACTIVITY_STATUS_OPEN
        kind = params.get("type") or ""
        return cls(
            q=param_text(params),
            done=ACTIVITY_STATUSES.get(status, False),
            scope=param_scope(params) if params.get("owner") else OwnerScope.MINE,
            type=kind if kind in ActivityType.values else "",
            due_after=param_date(params, "due_after"),
            due_before=param_date(params, "due_before"),
        )


def activity_filter(
    *, user: User, filters: ActivityFilters, qs: QuerySet | None = None
) -> QuerySet[Activity]:
    qs = activity_list(user=user) if qs is None else qs
    if filters.q:
        qs = qs.filter(subject__icontains=filters.q)
    if filters.done is not None:
        qs = qs.filter(done=filters.done)
    if filters.type:
        qs = qs.filter(type=filters.type) if filters.type in ActivityType.values else qs.none()
    if filters.due_after is not None:
        qs = qs.filter(due_date__gte=filters.due_after)
    if filters.due_before is not None:
        qs = qs.filter(due_date__lte=filters.due_before)
    if filters.lead is not None:
        qs = qs.filter(leads=filters.lead)  # the leads' link table, by its reverse accessor
    for name in ("assignee", "deal", "person", "organization"):
        if getattr(filters, name) is not None:
            qs = qs.filter(**{f"{name}_id": getattr(filters, name)})
    return qs.filter(owner_scope_q(user, filters.scope, field="assignee"))


# The export's columns: heading, value of an activity (imports/exports.py writes them).
EXPORT_COLUMNS = [
    (_("Subject"), lambda a: a.subject),
    (_("Type"), lambda a: a.get_type_display()),
    (_("Due"), lambda a: a.due_date),
    (_("Done"), lambda a: a.done),
    (_("Assignee"), lambda a: str(a.assignee) if a.assignee_id else ""),
    (_("Deal"), lambda a: a.deal and a.deal.title),
    (_("Person"), lambda a: a.person and a.person.name),
    (_("Organization"), lambda a: a.organization and a.organization.name),
]
