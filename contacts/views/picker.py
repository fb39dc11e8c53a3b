"""The contact picker's suggestions: existing people or organizations like the one being typed.

The picker (templates/contacts/_contact_picker.html, static/js/app.js) sits in the lead, deal
and person forms; it asks here while the user types, and offers to create a new record when
nothing fits. What it shows goes through the duplicate check, so only what the user may see.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from contacts.models import Organization, Person
from contacts.selectors import (
    organization_duplicates,
    organization_list,
    person_duplicates,
    person_list,
)

SUGGEST_LIMIT = 8


@require_GET
def suggest(request: HttpRequest) -> JsonResponse:
    """Existing persons or organizations like the one being typed, best first, with reasons."""
    kind = request.GET.get("kind")
    name = request.GET.get("q", "").strip()[:255]
    if kind not in ("person", "organization") or len(name) < 2:
        return JsonResponse({"results": []})
    if kind == "person":
        emails = [e for e in [request.GET.get("person_email", "").strip()] if e]
        phones = [p for p in [request.GET.get("person_phone", "").strip()] if p]
        matches = person_duplicates(
            user=request.user, name=name, emails=emails, phones=phones, limit=SUGGEST_LIMIT
        )
        similar = person_list(user=request.user).filter(name__icontains=name)
    else:
        website = request.GET.get("organization_website", "").strip()
        matches = organization_duplicates(
            user=request.user, name=name, website=website, limit=SUGGEST_LIMIT
        )
        similar = organization_list(user=request.user).filter(name__icontains=name)
    results = [_suggestion(m.record, m.score, m.reasons) for m in matches]
    seen = {r["id"] for r in results}
    for record in similar.order_by("name", "id")[:SUGGEST_LIMIT]:
        if len(results) >= SUGGEST_LIMIT:
            break
        if record.pk not in seen:
            results.append(_suggestion(record, 0, []))
    return JsonResponse({"results": results})


def _suggestion(record: Person | Organization, score: int, reasons: list[str]) -> dict:
    if isinstance(record, Person):
        detail = ", ".join(str(x) for x in (record.organization, record.primary_email) if x)
    else:
        detail = record.website
    return {
        "id": record.pk,
        "name": record.name,
        "detail": detail,
        "score": score,
        "reasons": [str(r) for r in reasons],
    }
