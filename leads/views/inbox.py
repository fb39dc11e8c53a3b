"""The leads inbox: the list with its filters, sorting and pages, and the bulk actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from crm.errors import DomainError
from crm.models import Label, User
from crm.web.paging import page_number
from leads.filters import LeadFilters, lead_filter
from leads.forms import (
    BulkForm,
)
from leads.models import Lead, LeadSource
from leads.selectors import lead_list
from leads.services import (
    lead_bulk_add_label,
    lead_bulk_archive,
    lead_bulk_set_owner,
)

PAGE_SIZE = 50
# Counting every visible lead of a large inbox is the slow part of a page: count up to here.
COUNT_CAP = 1000

SORTS = {
    "created": ("created_at", "id"),
    "title": ("title", "id"),
    "value": ("value", "id"),
    "next_activity": ("next_activity_at", "id"),
}


@dataclass
class InboxQuery:
    filters: LeadFilters
    sort: str
    descending: bool
    page: int

    @classmethod
    def parse(cls, params) -> InboxQuery:
        sort = params.get("sort", "-created")
        descending = sort.startswith("-")
        key = sort.lstrip("-")
        if key not in SORTS:
            key, descending = "created", True
        return cls(
            # Read as the export reads the same query string (leads/filters.py), so that the
            # export of this page holds what it shows.
            filters=LeadFilters.from_query(params),
            sort=key,
            descending=descending,
            page=page_number(params.get("page")),
        )

    @property
    def scope(self) -> str:
        return self.filters.scope

    @property
    def label(self) -> int | None:
        return self.filters.label

    @property
    def source(self) -> str:
        return self.filters.source

    @property
    def archived(self) -> bool:
        return self.filters.archived

    @property
    def search(self) -> str:
        return self.filters.q

    def params(self, **changes: Any) -> str:
        """The query string of this view with some changes (sort links, pages)."""
        values = {
            "q": self.search,
            "scope": self.scope,
            "label": self.label or "",
            "source": self.source,
            "archived": "1" if self.archived else "",
            "sort": ("-" if self.descending else "") + self.sort,
            "page": self.page,
        }
        values.update(changes)
        if values["page"] == 1:
            del values["page"]
        if values["scope"] == "all":
            del values["scope"]
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})

    @property
    def filter_params(self) -> str:
        """The query string without the page: a base for page links."""
        return self.params(page=1)


def _inbox_queryset(user: User, q: InboxQuery) -> QuerySet[Lead]:
    # The same filter as the API's and the export's (leads/filters.py).
    order = [f"-{f}" if q.descending else f for f in SORTS[q.sort]]
    return lead_filter(user=user, filters=q.filters).order_by(*order)


def inbox(request: HttpRequest) -> HttpResponse:
    q = InboxQuery.parse(request.GET)
    qs = _inbox_queryset(request.user, q)
    offset = (q.page - 1) * PAGE_SIZE
    # One row more than a page tells whether there is a next page without counting them all.
    rows = list(
        qs.prefetch_related(Prefetch("labels", queryset=Label.objects.order_by("name")))[
            offset : offset + PAGE_SIZE + 1
        ]
    )
    has_next = len(rows) > PAGE_SIZE
    leads = rows[:PAGE_SIZE]
    capped = qs.order_by()[: COUNT_CAP + 1].count() if q.page == 1 or leads else 0
    bulk_form = BulkForm(user=request.user)
    context = {
        "nav": "leads",
        "leads": leads,
        "q": q,
        "has_next": has_next,
        "has_previous": q.page > 1,
        "first": offset + 1 if leads else 0,
        "last": offset + len(leads),
        "total": min(capped, COUNT_CAP),
        "total_capped": capped > COUNT_CAP,
        "labels": Label.objects.all(),
        "sources": LeadSource.choices,
        "owners": bulk_form.fields["owner"].queryset,
        "sort_links": {
            # A first click sorts ascending; a click on the current ascending column reverses.
            key: q.params(sort=f"-{key}" if (q.sort == key and not q.descending) else key, page=1)
            for key in SORTS
        },
        "bulk_actions": BulkForm.ACTIONS,
    }
    return render(request, "leads/inbox.html", context)


@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    back = reverse("leads:inbox") + "?" + request.POST.get("query", "")[:500]
    form = BulkForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    leads = list(lead_list(user=request.user).filter(pk__in=form.cleaned_data["ids"]))
    action = form.cleaned_data["action"]
    try:
        if action == "archive":
            count = lead_bulk_archive(actor=request.user, leads=leads)
            messages.success(
                request,
                ngettext("%(count)d lead archived.", "%(count)d leads archived.", count)
                % {"count": count},
            )
        elif action == "owner":
            count = lead_bulk_set_owner(
                actor=request.user, leads=leads, owner=form.cleaned_data["owner"]
            )
            messages.success(
                request,
                ngettext("%(count)d lead reassigned.", "%(count)d leads reassigned.", count)
                % {"count": count},
            )
        else:
            count = lead_bulk_add_label(
                actor=request.user, leads=leads, label=form.cleaned_data["label"]
            )
            messages.success(
                request,
                ngettext("%(count)d lead labelled.", "%(count)d leads labelled.", count)
                % {"count": count},
            )
    except DomainError as error:
        messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": error.message})
    return redirect(back)
