"""The global search: the box in every page's header answers as the user types.

It sits above every app whose records it finds, and reads them only through their selectors
(and the people and organization searches of `contacts.filters`), so it finds only what the
user may see.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from contacts.models import Organization, Person, PersonEmail, PersonPhone
from contacts.normalize import (
    domain_key,
    organization_name_key,
    person_name_key,
    phone_key,
)
from contacts.selectors import organization_list, person_list
from crm.models import User
from deals.selectors import deal_list
from leads.selectors import lead_inbox

SEARCH_MIN_LENGTH = 2
SEARCH_LIMIT = 5
# Enough digits to be a phone number being typed, not a year or a house number.
PHONE_MIN_DIGITS = 5
_PHONE_CHARS = re.compile(r"^[\d\s()+./-]+$")


def _url(name: str, pk: int) -> str:
    # The detail pages of other parts may not be wired yet: a hit without a link beats a 500.
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _search_people(qs: QuerySet[Person], query: str) -> QuerySet[Person]:
    """By name (accents and case folded), e-mail address or phone number."""
    match = Q(name__icontains=query)
    key = person_name_key(query)
    if key:
        match |= Q(name_key__contains=key)
    if " " not in query and len(query) >= 3:
        emails = PersonEmail.objects.filter(key__startswith=query.lower())
        match |= Q(pk__in=emails.values("person_id"))
    digits = re.sub(r"\D", "", query)
    if _PHONE_CHARS.match(query) and len(digits) >= PHONE_MIN_DIGITS:
        # A national number ("030 1234567") is stored in E.164; a fragment matches its digits.
        phone_match = Q(key__contains=digits.lstrip("0") or digits)
        phone = phone_key(query, settings.CRM_DEFAULT_COUNTRY)
        if phone:
            phone_match |= Q(key=phone)
        phones = PersonPhone.objects.filter(phone_match)
        match |= Q(pk__in=phones.values("person_id"))
    return qs.filter(match)


def _search_organizations(qs: QuerySet[Organization], query: str) -> QuerySet[Organization]:
    """By name (accents, case and legal suffixes folded) or web domain."""
    match = Q(name__icontains=query)
    key = organization_name_key(query)
    if key:
        match |= Q(name_key__contains=key)
    domain = domain_key(query)
    if domain:
        match |= Q(domain__startswith=domain)
    return qs.filter(match)


def search_results(*, user: User, query: str) -> list[dict]:
    """Groups of hits the user may see, each group capped: a box that answers while typing."""
    if len(query) < SEARCH_MIN_LENGTH:
        return []
    people = _search_people(person_list(user=user), query).order_by("name", "id")
    organizations = _search_organizations(organization_list(user=user), query).order_by(
        "name", "id"
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
