"""Merging two people or two organizations: pick the other, compare, choose values, confirm."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from contacts import services
from contacts.selectors import (
    merge_kept,
    organization_duplicates,
    organization_get,
    organization_list,
    person_duplicates,
    person_get,
    person_list,
)
from contacts.views.common import (
    SEARCH_LIMIT,
    search_organizations,
    search_persons,
)
from crm.errors import DomainError


@dataclass
class MergeRow:
    field: str
    label: str
    survivor: Any
    other: Any
    keep: str  # the preselected side


def _display(record, field: str) -> str:
    if field == "visible_to":
        return str(record.get_visible_to_display())
    value = getattr(record, field)
    return "" if value is None else str(value)


def _merge_rows(survivor, other, fields: list[tuple[str, str]]) -> list[MergeRow]:
    rows = []
    for field, label in fields:
        mine, theirs = _display(survivor, field), _display(other, field)
        rows.append(
            MergeRow(field, label, mine, theirs, "other" if not mine and theirs else "survivor")
        )
    return rows


def _person_fields() -> list[tuple[str, str]]:
    return [
        ("name", _("Name")),
        ("organization", _("Organization")),
        ("job_title", _("Job title")),
        ("owner", _("Owner")),
        ("visible_to", _("Visible to")),
    ]


def _organization_fields() -> list[tuple[str, str]]:
    return [
        ("name", _("Name")),
        ("website", _("Website")),
        ("address", _("Address")),
        ("owner", _("Owner")),
        ("visible_to", _("Visible to")),
    ]


def _merge(
    request: HttpRequest,
    *,
    record,
    get,
    candidates,
    search_qs,
    search,
    merge,
    fields,
    template_kind: str,
    detail_url: str,
    nav: str,
) -> HttpResponse:
    """The merge flow of both kinds: pick the other record, compare, choose values, confirm."""
    other_id = request.POST.get("other") or request.GET.get("other")
    if not other_id:
        q = (request.GET.get("q") or "").strip()
        found = search(search_qs.exclude(pk=record.pk), q)[:SEARCH_LIMIT] if q else []
        return render(
            request,
            "contacts/merge_pick.html",
            {
                "nav": nav,
                "record": record,
                "kind": template_kind,
                "q": q,
                "found": found,
                "suggestions": candidates(),
                "detail_url": detail_url,
            },
        )
    other = get(user=request.user, pk=other_id)
    if other.pk == record.pk:
        messages.error(request, _("A record cannot be merged into itself."))
        return redirect(request.path)
    if request.method == "POST":
        keep = {
            field: request.POST.get(f"keep_{field}")
            for field, _label in fields
            if request.POST.get(f"keep_{field}") in ("survivor", "other")
        }
        try:
            merge(actor=request.user, survivor=record, other=other, keep=keep)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            # Say what the survivor took from the merged record: the values chosen, the blanks
            # filled and the e-mails and phones added, so the user sees nothing was lost.
            kept = merge_kept(user=request.user, kind=template_kind, merged_id=other.pk)
            messages.success(
                request,
                kept.message()
                if kept
                else _("“%(other)s” was merged into this record.") % {"other": other},
            )
            return redirect(detail_url, pk=record.pk)
    return render(
        request,
        "contacts/merge_compare.html",
        {
            "nav": nav,
            "record": record,
            "other": other,
            "kind": template_kind,
            "rows": _merge_rows(record, other, fields),
            "detail_url": detail_url,
        },
    )


@require_http_methods(["GET", "POST"])
def person_merge(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_get(user=request.user, pk=pk)

    def candidates():
        return person_duplicates(
            user=request.user,
            name=person.name,
            emails=[e.email for e in person.emails.all()],
            phones=[p.number for p in person.phones.all()],
            organization=person.organization,
            exclude_ids=[person.pk],
        )

    return _merge(
        request,
        record=person,
        get=person_get,
        candidates=candidates,
        search_qs=person_list(user=request.user),
        search=search_persons,
        merge=services.person_merge,
        fields=_person_fields(),
        template_kind="person",
        detail_url="contacts:person_detail",
        nav="people",
    )


@require_http_methods(["GET", "POST"])
def organization_merge(request: HttpRequest, pk: int) -> HttpResponse:
    org = organization_get(user=request.user, pk=pk)

    def candidates():
        return organization_duplicates(
            user=request.user, name=org.name, website=org.website, exclude_ids=[org.pk]
        )

    return _merge(
        request,
        record=org,
        get=organization_get,
        candidates=candidates,
        search_qs=organization_list(user=request.user),
        search=search_organizations,
        merge=services.organization_merge,
        fields=_organization_fields(),
        template_kind="organization",
        detail_url="contacts:organization_detail",
        nav="organizations",
    )
