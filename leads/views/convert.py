"""The Convert to deal dialog: duplicates to choose from first, then the deal."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from contacts.models import MergeKind, Organization, Person
from contacts.selectors import merge_kept
from crm.errors import DomainError
from leads.conversion import ContactChoice, lead_convert, lead_duplicates
from leads.errors import AlreadyConverted, DuplicateContacts
from leads.forms import (
    CONTACT_CHOICE_KEEP,
)
from leads.models import Lead
from leads.selectors import lead_deal, lead_get
from leads.views.records import convert_form, form_error, lead_page_context


def _contact_card(record: Person | Organization | None) -> dict | None:
    if record is None:
        return None
    if isinstance(record, Person):
        return {
            "id": record.pk,
            "name": record.name,
            "emails": [e.email for e in record.emails.all()],
            "phones": [p.number for p in record.phones.all()],
            "organization": record.organization.name if record.organization else "",
            "kind": "person",
        }
    return {
        "id": record.pk,
        "kind": "organization",
        "name": record.name,
        "website": record.website,
        "address": record.address,
    }


def _duplicate_groups(lead: Lead, found: DuplicateContacts) -> list[dict]:
    groups = []
    for kind, own, matches in (
        ("person", lead.person, found.person),
        ("organization", lead.organization, found.organization),
    ):
        if own is None or not matches:
            continue
        groups.append(
            {
                "kind": kind,
                "field": f"{kind}_choice",
                "title": _("Person") if kind == "person" else _("Organization"),
                "own": _contact_card(own),
                "candidates": [
                    {
                        **_contact_card(m.record),
                        "score": m.score,
                        "reasons": [str(r) for r in m.reasons],
                        "certain": m.certain,
                    }
                    for m in matches
                ],
            }
        )
    return groups


def _missing_choice_message(groups: list[dict], data: dict) -> str:
    """Why the dialog came back: a group of possible duplicates has no choice yet."""
    missing = [str(g["title"]) for g in groups if not data.get(g["field"])]
    if not missing:
        return _("Choose “Keep new” or an existing record for each possible duplicate.")
    return _("Choose “Keep new” or one of the existing records for: %(kinds)s.") % {
        "kinds": ", ".join(missing)
    }


def _choice(value: str) -> ContactChoice | None:
    if not value:
        return None
    if value == CONTACT_CHOICE_KEEP:
        return ContactChoice("keep")
    return ContactChoice("use", int(value))


def convert(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the lead page with the Convert dialog open (duplicates checked first).
    POST: convert, then open the deal; any refusal is shown inside the dialog."""
    lead = lead_get(user=request.user, pk=pk)
    if request.method != "POST":
        extra: dict[str, Any] = {"convert_open": True}
        if lead.is_converted:
            extra["convert_error"] = _("This lead was already converted into a deal.")
            extra["converted_deal"] = lead_deal(lead=lead, user=request.user)
        elif lead.is_archived:
            # Said before the user fills the form in, not after Save.
            extra["convert_error"] = _("Restore this lead from the archive before converting it.")
        elif lead.in_inbox:
            found = lead_duplicates(actor=request.user, lead=lead)
            if found is not None:
                extra["duplicates"] = _duplicate_groups(lead, found)
        return render(request, "leads/detail.html", lead_page_context(request, lead, **extra))

    own_contacts = (
        (MergeKind.PERSON, lead.person_id),
        (MergeKind.ORGANIZATION, lead.organization_id),
    )
    form = convert_form(request, lead, data=request.POST)
    extra = {"convert_open": True, "convert_form": form}
    if form.is_valid():
        data = form.cleaned_data
        try:
            deal = lead_convert(
                lead=lead,
                actor=request.user,
                pipeline=data["pipeline"],
                stage=data["stage"],
                title=data["title"],
                value=data.get("value"),
                currency=data["currency"],
                owner=data["owner"],
                visible_to=data["visible_to"],
                person_choice=_choice(data.get("person_choice", "")),
                organization_choice=_choice(data.get("organization_choice", "")),
            )
        except AlreadyConverted:
            extra["convert_error"] = _("This lead was already converted into a deal.")
            lead.refresh_from_db()  # converted meanwhile: its deal is the one to name
            extra["converted_deal"] = lead_deal(lead=lead, user=request.user)
        except DuplicateContacts as found:
            extra["duplicates"] = _duplicate_groups(lead, found)
            extra["duplicates_error"] = _missing_choice_message(extra["duplicates"], data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Lead converted into a deal."))
            # The lead's own person or organization, merged into the chosen existing one: say
            # what the existing one took from it.
            for kind, own_id in own_contacts:
                kept = own_id and merge_kept(user=request.user, kind=kind, merged_id=own_id)
                if kept:
                    messages.info(request, kept.message())
            return redirect("deals:detail", pk=deal.pk)
    # Keep showing the choices the user already saw.
    chose = request.POST.get("person_choice") or request.POST.get("organization_choice")
    if chose and "duplicates" not in extra and lead.in_inbox:
        found = lead_duplicates(actor=request.user, lead=lead)
        if found is not None:
            extra["duplicates"] = _duplicate_groups(lead, found)
    lead.refresh_from_db()
    return render(
        request, "leads/detail.html", lead_page_context(request, lead, **extra), status=200
    )
