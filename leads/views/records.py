"""Adding and editing a lead, the lead page, archive and restore, notes and activities."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.forms import ActivityForm, NoteForm
from contacts.services import ContactRef
from crm.errors import DomainError
from crm.web.custom_fields import add_custom_error, custom_values
from crm.web.once import one_time_form
from crm.web.paging import timeline_limit
from leads.forms import (
    ConvertForm,
    LeadForm,
)
from leads.models import Lead
from leads.selectors import (
    lead_deal,
    lead_get,
    lead_items_panel,
    lead_open_activities,
    lead_timeline,
)
from leads.services import (
    lead_add_activity,
    lead_add_note,
    lead_archive,
    lead_restore,
    lead_save,
)

# The lead page holds several forms: prefixes keep their field ids unique.
NOTE_PREFIX = "note"
ACTIVITY_PREFIX = "activity"


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
            custom_fields=custom_values(form),
        )
    except DomainError as error:
        form_error(form, error)
        return None


def form_error(form, error: DomainError) -> None:
    if add_custom_error(form, error):
        return
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
        "custom": lead.custom_fields,
    }
    form = LeadForm(request.POST or None, user=request.user, initial=initial)
    saved = request.method == "POST" and form.is_valid() and _lead_save(request, form, lead)
    if saved:
        messages.success(request, _("Lead saved."))
        return redirect("leads:detail", pk=lead.pk)
    return render(request, "leads/form.html", _form_context(form, lead))


def lead_page_context(request: HttpRequest, lead: Lead, **extra: Any) -> dict:
    return {
        "nav": "leads",
        "lead": lead,
        "labels": list(lead.labels.all()),
        "timeline": lead_timeline(lead=lead, user=request.user, limit=timeline_limit(request)),
        # A converted lead's products moved to its deal.
        "items_panel": None if lead.is_converted else lead_items_panel(lead=lead),
        "open_activities": list(lead_open_activities(lead=lead, user=request.user)),
        "deal_visible": lead_deal(lead=lead, user=request.user) is not None,
        "note_form": extra.pop("note_form", None) or NoteForm(prefix=NOTE_PREFIX),
        "activity_form": extra.pop("activity_form", None)
        or ActivityForm(user=request.user, initial={"type": "call"}, prefix=ACTIVITY_PREFIX),
        "convert_form": extra.pop("convert_form", None) or convert_form(request, lead),
        **extra,
    }


def convert_form(request: HttpRequest, lead: Lead, data=None) -> ConvertForm:
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
    return render(request, "leads/detail.html", lead_page_context(request, lead))


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
        request, "leads/detail.html", lead_page_context(request, lead, note_form=form), status=400
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
            form_error(form, error)
        else:
            messages.success(request, _("Activity scheduled."))
            return redirect("leads:detail", pk=lead.pk)
    return render(
        request,
        "leads/detail.html",
        lead_page_context(request, lead, activity_form=form),
        status=400,
    )
