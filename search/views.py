"""The global search: the box in every page's header answers as the user types.

It sits above every app whose records it finds, and reads them only through their selectors
(and the people and organization searches of `contacts.filters`), so it finds only what the
user may see.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from contacts.filters import (
    organization_search_q,
    organization_search_rank,
    person_search_q,
    person_search_rank,
)
from contacts.selectors import organization_list, person_list
from crm.models import User
from deals.selectors import deal_list
from leads.selectors import lead_inbox

SEARCH_MIN_LENGTH = 2
SEARCH_LIMIT = 5


def _url(name: str, pk: int) -> str:
    # The detail pages of other parts may not be wired yet: a hit without a link beats a 500.
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def search_results(*, user: User, query: str) -> list[dict]:
    """Groups of hits the user may see, each group capped: a box that answers while typing."""
    if len(query) < SEARCH_MIN_LENGTH:
        return []
    # Best answer first (the same name, then names starting so, ...), as the lists' searches
    # find them: folded, transliterated, by any part of an e-mail address or a domain.
    people = (
        person_list(user=user)
        .filter(person_search_q(query))
        .annotate(rank=person_search_rank(query))
        .order_by("-rank", "name_key", "id")
    )
    organizations = (
        organization_list(user=user)
        .filter(organization_search_q(query))
        .annotate(rank=organization_search_rank(query))
        .order_by("-rank", "name_key", "id")
    )
    leads = lead_inbox(user=user).filter(title__icontains=query).order_by("-created_at", "-id")
    deals = deal_list(user=user).filter(title__icontains=query).order_by("-created_at", "-id")
    groups = [
        (_("People"), "contacts:person_detail", people, lambda p: p.organization or ""),
        (_("Organizations"), "contacts:organization_detail", organizations, lambda o: ""),
        (_("Leads"), "leads:detail", leads, lambda lead: lead.person or lead.organization or ""),
        (_("Deals"), "deals:detail", deals, lambda d: d.stage.name),
    ]
    results = []
    for label, url_name, qs, detail in groups:
        items = [
            {"name": str(obj), "detail": str(detail(obj)), "url": _url(url_name, obj.pk)}
            for obj in qs[:SEARCH_LIMIT]
        ]
        if items:
            results.append({"label": str(label), "items": items})
    return results


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """JSON for the search box (Accept: application/json), a results page otherwise."""
    query = request.GET.get("q", "").strip()[:100]
    results = search_results(user=request.user, query=query)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"query": query, "groups": results})
    template = "search/_results.html" if request.GET.get("partial") else "search/page.html"
    return render(request, template, {"query": query, "groups": results})
