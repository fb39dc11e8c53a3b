"""The people pages: the list, add and edit (duplicates shown first), one person."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from activities.selectors import person_timeline
from contacts import services
from contacts.filters import person_filter
from contacts.forms import PersonForm
from contacts.models import Person
from contacts.selectors import (
    person_duplicates,
    person_get,
)
from contacts.views.common import (
    DUPLICATE_LIMIT,
    RELATED_LIMIT,
    filtered_page,
    form_error,
    new_record_initial,
)
from crm.errors import DomainError
from crm.models import User
from crm.visibility import can_manage
from crm.web.custom_fields import custom_values
from crm.web.once import one_time_form
from crm.web.paging import timeline_limit
from deals.selectors import deal_list_brief
from leads.selectors import lead_list_brief


def person_list_view(request: HttpRequest) -> HttpResponse:
    form, page = filtered_page(request, person_filter)
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
            custom_fields=custom_values(form),
        )
    except DomainError as error:
        form_error(form, error)
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


@require_http_methods(["GET", "POST"])
@one_time_form(_to_people)
def person_add(request: HttpRequest) -> HttpResponse:
    form = PersonForm(
        request.POST or None, user=request.user, initial=new_record_initial(request.user)
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


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return person_page(request, person_get(user=request.user, pk=pk))


def person_page(
    request: HttpRequest, person: Person, *, extra: dict | None = None, status: int = 200
) -> HttpResponse:
    """The person page; `extra` holds the composer's forms sent back with their errors."""
    return render(
        request,
        "contacts/person_detail.html",
        {
            **(extra or {}),
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
        status=status,
    )
