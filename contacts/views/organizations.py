"""The organization pages: the list, add and edit, one organization."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from activities.selectors import organization_timeline
from contacts import services
from contacts.filters import organization_filter
from contacts.forms import OrganizationForm
from contacts.models import Organization
from contacts.selectors import (
    organization_get,
    person_list,
)
from contacts.views.common import (
    RELATED_LIMIT,
    filtered_page,
    form_error,
    new_record_initial,
)
from crm.errors import DomainError
from crm.visibility import can_manage
from crm.web.custom_fields import without_custom
from crm.web.once import one_time_form
from crm.web.paging import timeline_limit
from deals.selectors import deal_list_brief
from leads.selectors import lead_list_brief


def organization_list_view(request: HttpRequest) -> HttpResponse:
    form, page = filtered_page(request, organization_filter)
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
        data, custom = without_custom(form)
        if org is None:
            return services.organization_create(actor=request.user, custom_fields=custom, **data)
        return services.organization_update(
            actor=request.user, organization=org, custom_fields=custom, **data
        )
    except DomainError as error:
        form_error(form, error)
        return None


def _to_organizations(request: HttpRequest) -> str:
    return reverse("contacts:organization_list")


@require_http_methods(["GET", "POST"])
@one_time_form(_to_organizations)
def organization_add(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(
        request.POST or None, user=request.user, initial=new_record_initial(request.user)
    )
    if request.method == "POST" and form.is_valid():
        org = _save_organization(request, form, None)
        if org is not None:
            messages.success(request, _("Organization added."))
            return redirect("contacts:organization_detail", pk=org.pk)
    return render(
        request, "contacts/organization_form.html", {"nav": "organizations", "form": form}
    )


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


def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return organization_page(request, organization_get(user=request.user, pk=pk))


def organization_page(
    request: HttpRequest, org: Organization, *, extra: dict | None = None, status: int = 200
) -> HttpResponse:
    """The organization page; `extra` holds the composer's forms sent back with their errors."""
    return render(
        request,
        "contacts/organization_detail.html",
        {
            **(extra or {}),
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
        status=status,
    )
