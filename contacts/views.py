"""People and organization pages: lists, one record with its deals, leads and timeline, merge.

Every read goes through the contacts selectors, so a record the user may not see answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from activities.selectors import organization_timeline, person_timeline
from contacts import services
from contacts.forms import ContactFilterForm, OrganizationForm, PersonForm
from contacts.models import Organization, Person
from contacts.normalize import email_key, fold, organization_name_key
from contacts.selectors import (
    organization_duplicates,
    organization_get,
    organization_list,
    person_duplicates,
    person_get,
    person_list,
)
from crm.errors import DomainError
from crm.models import CompanySettings, User
from crm.visibility import can_manage
from crm.web.once import one_time_form
from crm.web.paging import WindowPage, timeline_limit, window_page
from crm.web.scopes import my_team_owner_ids
from deals.selectors import deal_list_brief
from leads.selectors import lead_list_brief

PER_PAGE = 50
RELATED_LIMIT = 50
SEARCH_LIMIT = 20
DUPLICATE_LIMIT = 5


def _filtered(request: HttpRequest, qs: QuerySet, search) -> tuple[ContactFilterForm, WindowPage]:
    form = ContactFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("q"):
        qs = search(qs, data["q"])
    if data.get("owner") == "mine":
        qs = qs.filter(owner=request.user)
    elif data.get("owner") == "team":
        qs = qs.filter(owner_id__in=my_team_owner_ids(request.user))
    order = form.order_by() if form.is_valid() else ["name_key", "id"]
    return form, window_page(qs.order_by(*order), data.get("page") or 1, PER_PAGE)


def _search_persons(qs: QuerySet[Person], q: str) -> QuerySet[Person]:
    if "@" in q and email_key(q):
        return qs.filter(emails__key=email_key(q))
    return qs.filter(name_key__contains=fold(q))


def _search_organizations(qs: QuerySet[Organization], q: str) -> QuerySet[Organization]:
    return qs.filter(name_key__contains=organization_name_key(q) or fold(q))


def _new_record_initial(user: User) -> dict:
    return {"owner": user.pk, "visible_to": CompanySettings.load().default_visibility}


def _form_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- People -------------------------------------------------------------------------------


@login_required
def person_list_view(request: HttpRequest) -> HttpResponse:
    form, page = _filtered(request, person_list(user=request.user), _search_persons)
    return render(
        request,
        "contacts/person_list.html",
        {
            "nav": "people",
            "form": form,
            "page": page,
            "query": request.GET.copy(),
        },
    )


def _save_person(request: HttpRequest, form: PersonForm, person: Person | None) -> Person | None:
    data = form.cleaned_data
    try:
        return services.person_save(
            actor=request.user,
            person=person,
            organization=services.ContactRef(
                id=data.get("organization_id"),
                name=data.get("organization") or "",
                create=bool(data.get("organization_new")),
            ),
            name=data["name"],
            emails=data["emails"],
            phones=data["phones"],
            job_title=data["job_title"],
            owner=data["owner"],
            visible_to=data["visible_to"],
        )
    except DomainError as error:
        _form_error(form, error)
        return None


def _person_candidates(user: User, data: dict) -> list:
    """The duplicate check's candidates for a person about to be added, with reasons."""
    return person_duplicates(
        user=user,
        name=data["name"],
        emails=data["emails"],
        phones=data["phones"],
        organization=data.get("organization_id") or data.get("organization") or None,
        limit=DUPLICATE_LIMIT,
    )


def _to_people(request: HttpRequest) -> str:
    return reverse("contacts:person_list")


def _to_organizations(request: HttpRequest) -> str:
    return reverse("contacts:organization_list")


@login_required
@require_http_methods(["GET", "POST"])
@one_time_form(_to_people)
def person_add(request: HttpRequest) -> HttpResponse:
    form = PersonForm(
        request.POST or None, user=request.user, initial=_new_record_initial(request.user)
    )
    candidates = []
    if request.method == "POST" and form.is_valid():
        # Likely duplicates are shown first; "Create anyway" is the explicit way past them.
        if not request.POST.get("create_anyway"):
            candidates = _person_candidates(request.user, form.cleaned_data)
        if not candidates:
            person = _save_person(request, form, None)
            if person is not None:
                messages.success(request, _("Person added."))
                return redirect("contacts:person_detail", pk=person.pk)
    return render(
        request,
        "contacts/person_form.html",
        {"nav": "people", "form": form, "candidates": candidates},
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_get(user=request.user, pk=pk)
    form = PersonForm(
        request.POST or None, user=request.user, initial=PersonForm.initial_from(person)
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_person(request, form, person) is not None
    ):
        messages.success(request, _("Person saved."))
        return redirect("contacts:person_detail", pk=person.pk)
    return render(
        request, "contacts/person_form.html", {"nav": "people", "form": form, "person": person}
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_get(user=request.user, pk=pk)
    return render(
        request,
        "contacts/person_detail.html",
        {
            "nav": "people",
            "person": person,
            "deals": deal_list_brief(user=request.user).filter(person=person)[:RELATED_LIMIT],
            "leads": lead_list_brief(user=request.user).filter(person=person)[:RELATED_LIMIT],
            "timeline_actions": True,
            "timeline": person_timeline(
                person=person, user=request.user, limit=timeline_limit(request)
            ),
            "can_manage": can_manage(request.user, person),
        },
    )


# --- Organizations ------------------------------------------------------------------------


@login_required
def organization_list_view(request: HttpRequest) -> HttpResponse:
    form, page = _filtered(request, organization_list(user=request.user), _search_organizations)
    return render(
        request,
        "contacts/organization_list.html",
        {
            "nav": "organizations",
            "form": form,
            "page": page,
            "query": request.GET.copy(),
        },
    )


def _save_organization(
    request: HttpRequest, form: OrganizationForm, org: Organization | None
) -> Organization | None:
    try:
        if org is None:
            return services.organization_create(actor=request.user, **form.cleaned_data)
        return services.organization_update(
            actor=request.user, organization=org, **form.cleaned_data
        )
    except DomainError as error:
        _form_error(form, error)
        return None


@login_required
@require_http_methods(["GET", "POST"])
@one_time_form(_to_organizations)
def organization_add(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(
        request.POST or None, user=request.user, initial=_new_record_initial(request.user)
    )
    if request.method == "POST" and form.is_valid():
        org = _save_organization(request, form, None)
        if org is not None:
            messages.success(request, _("Organization added."))
            return redirect("contacts:organization_detail", pk=org.pk)
    return render(
        request, "contacts/organization_form.html", {"nav": "organizations", "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = organization_get(user=request.user, pk=pk)
    form = OrganizationForm(
        request.POST or None, user=request.user, initial=OrganizationForm.initial_from(org)
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_organization(request, form, org) is not None
    ):
        messages.success(request, _("Organization saved."))
        return redirect("contacts:organization_detail", pk=org.pk)
    return render(
        request,
        "contacts/organization_form.html",
        {"nav": "organizations", "form": form, "organization": org},
    )


@login_required
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = organization_get(user=request.user, pk=pk)
    return render(
        request,
        "contacts/organization_detail.html",
        {
            "nav": "organizations",
            "organization": org,
            "persons": person_list(user=request.user).filter(organization=org)[:RELATED_LIMIT],
            "deals": deal_list_brief(user=request.user).filter(organization=org)[:RELATED_LIMIT],
            "leads": lead_list_brief(user=request.user).filter(organization=org)[:RELATED_LIMIT],
            "timeline_actions": True,
            "timeline": organization_timeline(
                organization=org, user=request.user, limit=timeline_limit(request)
            ),
            "can_manage": can_manage(request.user, org),
        },
    )


# --- Merging ------------------------------------------------------------------------------


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
            messages.success(
                request, _("“%(other)s” was merged into this record.") % {"other": other}
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


@login_required
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
        search=_search_persons,
        merge=services.person_merge,
        fields=_person_fields(),
        template_kind="person",
        detail_url="contacts:person_detail",
        nav="people",
    )


@login_required
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
        search=_search_organizations,
        merge=services.organization_merge,
        fields=_organization_fields(),
        template_kind="organization",
        detail_url="contacts:organization_detail",
        nav="organizations",
    )
