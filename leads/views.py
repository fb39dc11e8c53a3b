"""The leads pages: inbox, add/edit, the lead page and its conversion dialog.

Thin: parse input with a form, call a selector or service, render. Domain errors become form
errors or messages; a lead the user may not see is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from contacts.models import Organization, Person
from contacts.selectors import (
    organization_duplicates,
    organization_list,
    person_duplicates,
    person_list,
)
from contacts.services import ContactRef
from crm.errors import DomainError
from crm.models import Label, User
from crm.web.once import one_time_form
from crm.web.paging import page_number, timeline_limit
from crm.web.scopes import my_team_owner_ids
from deals.forms import ActivityForm
from leads.forms import (
    CONTACT_CHOICE_KEEP,
    BulkForm,
    ConvertForm,
    LeadForm,
    NoteForm,
)
from leads.models import Lead, LeadSource
from leads.selectors import lead_deal, lead_get, lead_list, lead_open_activities, lead_timeline
from leads.services import (
    AlreadyConverted,
    ContactChoice,
    DuplicateContacts,
    lead_add_activity,
    lead_add_note,
    lead_archive,
    lead_bulk_add_label,
    lead_bulk_archive,
    lead_bulk_set_owner,
    lead_convert,
    lead_duplicates,
    lead_restore,
    lead_save,
)

PAGE_SIZE = 50
# Counting every visible lead of a large inbox is the slow part of a page: count up to here.
COUNT_CAP = 1000
SUGGEST_LIMIT = 8
# The lead page holds several forms: prefixes keep their field ids unique.
NOTE_PREFIX = "note"
ACTIVITY_PREFIX = "activity"

SORTS = {
    "created": ("created_at", "id"),
    "title": ("title", "id"),
    "value": ("value", "id"),
    "next_activity": ("next_activity_at", "id"),
}
SCOPES = ("all", "mine", "team")


@dataclass
class InboxQuery:
    scope: str
    label: int | None
    source: str
    archived: bool
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
        label = params.get("label", "")
        return cls(
            scope=params.get("scope") if params.get("scope") in SCOPES else "all",
            label=int(label) if label.isdigit() else None,
            source=params.get("source") if params.get("source") in LeadSource.values else "",
            archived=params.get("archived") == "1",
            sort=key,
            descending=descending,
            page=page_number(params.get("page")),
        )

    def params(self, **changes: Any) -> str:
        """The query string of this view with some changes (sort links, pages)."""
        values = {
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
    qs = lead_list(user=user).filter(converted_at__isnull=True)
    qs = qs.filter(archived_at__isnull=not q.archived)
    if q.scope == "mine":
        qs = qs.filter(owner=user)
    elif q.scope == "team":
        qs = qs.filter(owner_id__in=my_team_owner_ids(user))
    if q.label:
        qs = qs.filter(labels=q.label)
    if q.source:
        qs = qs.filter(source=q.source)
    order = [f"-{f}" if q.descending else f for f in SORTS[q.sort]]
    return qs.order_by(*order)


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


# --- Add and edit ----------------------------------------------------------------------------


def _lead_save(request: HttpRequest, form: LeadForm, lead: Lead | None) -> Lead | None:
    """Save through the service; a refusal becomes a form error (None)."""
    data = form.cleaned_data
    try:
        return lead_save(
            actor=request.user,
            lead=lead,
            person=ContactRef(
                id=data.get("person"),
                name=data.get("person_name") or "",
                create=bool(data.get("person_new")),
                emails=[data["person_email"]] if data.get("person_email") else [],
                phones=[data["person_phone"]] if data.get("person_phone") else [],
            ),
            organization=ContactRef(
                id=data.get("organization"),
                name=data.get("organization_name") or "",
                create=bool(data.get("organization_new")),
                website=data.get("organization_website") or "",
            ),
            title=data["title"],
            value=data.get("value") or 0,
            currency=data["currency"],
            labels=data["labels"],
            source=data["source"],
            expected_close_date=data.get("expected_close_date"),
            owner=data["owner"],
            visible_to=data["visible_to"],
        )
    except DomainError as error:
        _form_error(form, error)
        return None


def _form_error(form, error: DomainError) -> None:
    field = error.field if error.field in form.fields else None
    if field is not None and form.fields[field].widget.is_hidden:
        # A picked person or organization that is gone (merged, deleted, hidden since): say
        # so at the field the user sees, and drop the pick so that they can choose again.
        if f"{field}_name" in form.fields:
            form.data = form.data.copy()
            form.data[form.add_prefix(field)] = ""
            field = f"{field}_name"
        else:
            field = None
    form.add_error(field, error.message)


def _form_context(form: LeadForm, lead: Lead | None) -> dict:
    return {
        "nav": "leads",
        "form": form,
        "lead": lead,
        "person_new_fields": [form["person_email"], form["person_phone"]],
        "org_new_fields": [form["organization_website"]],
    }


def _to_inbox(request: HttpRequest) -> str:
    return reverse("leads:inbox")


def _to_lead(request: HttpRequest, pk: int) -> str:
    return reverse("leads:detail", args=[pk])


@one_time_form(_to_inbox)
def add(request: HttpRequest) -> HttpResponse:
    form = LeadForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        lead = _lead_save(request, form, None)
        if lead is not None:
            messages.success(request, _("Lead added."))
            return redirect("leads:detail", pk=lead.pk)
    return render(request, "leads/form.html", _form_context(form, None))


def edit(request: HttpRequest, pk: int) -> HttpResponse:
    lead = lead_get(user=request.user, pk=pk)
    if lead.is_converted:
        messages.info(request, _("This lead was converted; edit its deal instead."))
        return redirect("leads:detail", pk=lead.pk)
    initial = {
        "title": lead.title,
        "person": lead.person_id,
        "person_name": lead.person.name if lead.person else "",
        "organization": lead.organization_id,
        "organization_name": lead.organization.name if lead.organization else "",
        "value": lead.value,
        "currency": lead.currency,
        "labels": list(lead.labels.all()),
        "source": lead.source,
        "expected_close_date": lead.expected_close_date,
        "owner": lead.owner_id,
        "visible_to": lead.visible_to,
    }
    form = LeadForm(request.POST or None, user=request.user, initial=initial)
    saved = request.method == "POST" and form.is_valid() and _lead_save(request, form, lead)
    if saved:
        messages.success(request, _("Lead saved."))
        return redirect("leads:detail", pk=lead.pk)
    return render(request, "leads/form.html", _form_context(form, lead))


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


# --- The lead page ---------------------------------------------------------------------------


def _detail_context(request: HttpRequest, lead: Lead, **extra: Any) -> dict:
    return {
        "nav": "leads",
        "lead": lead,
        "labels": list(lead.labels.all()),
        "timeline": lead_timeline(lead=lead, user=request.user, limit=timeline_limit(request)),
        "open_activities": list(lead_open_activities(lead=lead, user=request.user)),
        "deal_visible": lead_deal(lead=lead, user=request.user) is not None,
        "note_form": extra.pop("note_form", None) or NoteForm(prefix=NOTE_PREFIX),
        "activity_form": extra.pop("activity_form", None)
        or ActivityForm(user=request.user, initial={"type": "call"}, prefix=ACTIVITY_PREFIX),
        "convert_form": extra.pop("convert_form", None) or _convert_form(request, lead),
        **extra,
    }


def _convert_form(request: HttpRequest, lead: Lead, data=None) -> ConvertForm:
    form = ConvertForm(
        data,
        user=request.user,
        initial={
            "title": lead.title,
            "value": lead.value,
            "currency": lead.currency,
            "owner": lead.owner_id,
            "visible_to": lead.visible_to,
        },
    )
    pipeline = form.fields["pipeline"].queryset.first()
    if pipeline is not None:
        form.initial["pipeline"] = pipeline.pk
        first = pipeline.first_stage()
        form.initial["stage"] = first.pk if first else None
    return form


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = lead_get(user=request.user, pk=pk)
    return render(request, "leads/detail.html", _detail_context(request, lead))


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
        return render(request, "leads/detail.html", _detail_context(request, lead, **extra))

    form = _convert_form(request, lead, data=request.POST)
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
            _form_error(form, error)
        else:
            messages.success(request, _("Lead converted into a deal."))
            return redirect("deals:detail", pk=deal.pk)
    # Keep showing the choices the user already saw.
    chose = request.POST.get("person_choice") or request.POST.get("organization_choice")
    if chose and "duplicates" not in extra and lead.in_inbox:
        found = lead_duplicates(actor=request.user, lead=lead)
        if found is not None:
            extra["duplicates"] = _duplicate_groups(lead, found)
    lead.refresh_from_db()
    return render(request, "leads/detail.html", _detail_context(request, lead, **extra), status=200)


@require_POST
def archive(request: HttpRequest, pk: int) -> HttpResponse:
    lead = lead_get(user=request.user, pk=pk)
    try:
        lead_archive(actor=request.user, lead=lead)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Lead archived."))
    return redirect("leads:detail", pk=lead.pk)


@require_POST
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    lead = lead_get(user=request.user, pk=pk)
    try:
        lead_restore(actor=request.user, lead=lead)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Lead restored to the inbox."))
    return redirect("leads:detail", pk=lead.pk)


@require_POST
@one_time_form(_to_lead)
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    lead = lead_get(user=request.user, pk=pk)
    form = NoteForm(request.POST, prefix=NOTE_PREFIX)
    if form.is_valid():
        try:
            lead_add_note(actor=request.user, lead=lead, content=form.cleaned_data["content"])
        except DomainError as error:
            form.add_error("content", error.message)
        else:
            messages.success(request, _("Note added."))
            return redirect("leads:detail", pk=lead.pk)
    return render(
        request, "leads/detail.html", _detail_context(request, lead, note_form=form), status=400
    )


@require_POST
@one_time_form(_to_lead)
def activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    lead = lead_get(user=request.user, pk=pk)
    form = ActivityForm(request.POST, user=request.user, prefix=ACTIVITY_PREFIX)
    if form.is_valid():
        try:
            lead_add_activity(actor=request.user, lead=lead, **form.cleaned_data)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Activity scheduled."))
            return redirect("leads:detail", pk=lead.pk)
    return render(
        request,
        "leads/detail.html",
        _detail_context(request, lead, activity_form=form),
        status=400,
    )
