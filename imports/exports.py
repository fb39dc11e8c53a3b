"""Exports of every list to CSV and XLSX: the list's current filter, only what the user sees.

URL: /imports/export/<kind>.<fmt>?<the list's query> with kind leads|deals|people|
organizations|activities and fmt csv|xlsx. Filters: owner=mine|team|all, status, pipeline,
label, archived=1, q. Records come from the selectors, so visibility is the selectors'.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import tablib
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV, XLSX

from activities.selectors import activity_list
from contacts.selectors import organization_list, person_list
from crm.models import User
from deals.selectors import deal_list
from leads.selectors import lead_inbox, lead_list

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {
    "csv": (CSV, "text/csv; charset=utf-8"),
    "xlsx": (XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def neutralize(value):
    """A cell a spreadsheet shows as written instead of running it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def _owner_filter(qs: QuerySet, user: User, owner: str, field: str = "owner") -> QuerySet:
    if owner == "mine":
        return qs.filter(**{field: user})
    if owner == "team":
        return (
            qs.filter(**{f"{field}__team": user.team})
            if user.team_id
            else qs.filter(**{field: user})
        )
    return qs


def _common(qs: QuerySet, params, user: User, *, search: tuple[str, ...]) -> QuerySet:
    qs = _owner_filter(qs, user, params.get("owner", "all"))
    if text := params.get("q", "").strip()[:200]:
        condition = Q()
        for field in search:
            condition |= Q(**{f"{field}__icontains": text})
        qs = qs.filter(condition)
    if (label := params.get("label", "").strip()) and label.isdigit():
        qs = qs.filter(labels__id=int(label))
    return qs


def _leads(user: User, params) -> tuple[list, list]:
    qs = (
        lead_list(user=user)
        if params.get("archived") in ("1", "true", "on")
        else lead_inbox(user=user)
    )
    if params.get("archived") in ("1", "true", "on"):
        qs = qs.filter(archived_at__isnull=False)
    qs = _common(qs, params, user, search=("title", "person__name", "organization__name"))
    if source := params.get("source"):
        qs = qs.filter(source=source)
    headers = [
        _("Title"),
        _("Value"),
        _("Currency"),
        _("Person"),
        _("Organization"),
        _("Owner"),
        _("Source"),
        _("Expected close date"),
        _("Created"),
    ]
    rows = (
        [
            lead.title,
            lead.value,
            lead.currency,
            lead.person and lead.person.name,
            lead.organization and lead.organization.name,
            str(lead.owner),
            lead.source,
            lead.expected_close_date,
            lead.created_at,
        ]
        for lead in qs.distinct().iterator(2000)
    )
    return headers, rows


def _deals(user: User, params) -> tuple[list, list]:
    qs = _common(
        deal_list(user=user), params, user, search=("title", "person__name", "organization__name")
    )
    if status := params.get("status"):
        qs = qs.filter(status=status)
    if (pipeline := params.get("pipeline", "")).isdigit():
        qs = qs.filter(pipeline_id=int(pipeline))
    if (stage := params.get("stage", "")).isdigit():
        qs = qs.filter(stage_id=int(stage))
    headers = [
        _("Title"),
        _("Value"),
        _("Currency"),
        _("Pipeline"),
        _("Stage"),
        _("Status"),
        _("Person"),
        _("Organization"),
        _("Owner"),
        _("Expected close date"),
        _("Won at"),
        _("Lost at"),
        _("Created"),
    ]
    rows = (
        [
            d.title,
            d.value,
            d.currency,
            d.pipeline.name,
            d.stage.name,
            d.get_status_display(),
            d.person and d.person.name,
            d.organization and d.organization.name,
            str(d.owner),
            d.expected_close_date,
            d.won_at,
            d.lost_at,
            d.created_at,
        ]
        for d in qs.distinct().iterator(2000)
    )
    return headers, rows


def _people(user: User, params) -> tuple[list, list]:
    qs = _owner_filter(person_list(user=user), user, params.get("owner", "all"))
    if text := params.get("q", "").strip()[:200]:
        qs = qs.filter(
            Q(name__icontains=text)
            | Q(emails__email__icontains=text)
            | Q(organization__name__icontains=text)
        ).distinct()
    headers = [
        _("Name"),
        _("E-mail"),
        _("Phone"),
        _("Organization"),
        _("Job title"),
        _("Owner"),
        _("Created"),
    ]
    rows = (
        [
            p.name,
            p.primary_email,
            p.primary_phone,
            p.organization and p.organization.name,
            p.job_title,
            str(p.owner),
            p.created_at,
        ]
        for p in qs.iterator(2000)
    )
    return headers, rows


def _organizations(user: User, params) -> tuple[list, list]:
    qs = _owner_filter(organization_list(user=user), user, params.get("owner", "all"))
    if text := params.get("q", "").strip()[:200]:
        qs = qs.filter(Q(name__icontains=text) | Q(website__icontains=text))
    headers = [_("Name"), _("Address"), _("Website"), _("Owner"), _("Created")]
    rows = ([o.name, o.address, o.website, str(o.owner), o.created_at] for o in qs.iterator(2000))
    return headers, rows


def _activities(user: User, params) -> tuple[list, list]:
    qs = activity_list(user=user)
    owner = params.get("owner", "all")
    qs = _owner_filter(qs, user, owner, field="assignee")
    if (status := params.get("status")) in ("done", "open"):
        qs = qs.filter(done=(status == "done"))
    if text := params.get("q", "").strip()[:200]:
        qs = qs.filter(subject__icontains=text)
    headers = [
        _("Subject"),
        _("Type"),
        _("Due"),
        _("Done"),
        _("Assignee"),
        _("Deal"),
        _("Person"),
        _("Organization"),
    ]
    rows = (
        [
            a.subject,
            a.get_type_display(),
            getattr(a, "due_date", None),
            a.done,
            str(a.assignee) if a.assignee_id else "",
            a.deal and a.deal.title,
            a.person and a.person.name,
            a.organization and a.organization.name,
        ]
        for a in qs.iterator(2000)
    )
    return headers, rows


EXPORTS: dict[str, Callable] = {
    "leads": _leads,
    "deals": _deals,
    "people": _people,
    "persons": _people,
    "organizations": _organizations,
    "activities": _activities,
}


def export_dataset(*, user: User, kind: str, params) -> tablib.Dataset:
    headers, rows = EXPORTS[kind](user, params)
    dataset = tablib.Dataset(headers=headers)
    for row in rows:
        dataset.append([_cell(value) for value in row])
    return dataset


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value) if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, date | datetime | bool | int | float):
        return neutralize(value)
    return neutralize(str(value))


def export_view(request, kind: str, fmt: str) -> HttpResponse:
    if kind not in EXPORTS or fmt not in FORMATS:
        raise Http404
    format_class, content_type = FORMATS[fmt]
    dataset = export_dataset(user=request.user, kind=kind, params=request.GET)
    data = format_class().export_data(dataset)
    if isinstance(data, str):
        data = "\ufeff" + data  # Excel reads UTF-8 CSV only with a BOM
    response = HttpResponse(data, content_type=content_type)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{kind}-{stamp}.{fmt}"'
    return response
