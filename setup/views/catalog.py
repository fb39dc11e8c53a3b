"""Labels, lost reasons and the company's defaults."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm import services
from crm.errors import DomainError
from crm.models import Label
from crm.selectors import company_settings
from deals import setup_services
from deals.models import LostReason
from setup.forms import CompanyForm, LabelForm, LostReasonForm, form_error
from setup.views.common import admin_only, render_setup


@admin_only
def label_index(request: HttpRequest) -> HttpResponse:
    form = LabelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            label = services.label_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The label %(name)s was added.") % {"name": label})
            return redirect("setup:labels")
    context = {"labels": Label.objects.all(), "form": form}
    return render_setup(request, "setup/labels.html", "labels", context)


@admin_only
def label_edit(request: HttpRequest, pk: int) -> HttpResponse:
    label = get_object_or_404(Label, pk=pk)
    form = LabelForm(request.POST or None, initial={"name": label.name, "color": label.color})
    if request.method == "POST" and form.is_valid():
        try:
            services.label_update(actor=request.user, label=label, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The label was saved."))
            return redirect("setup:labels")
    context = {"label": label, "form": form}
    return render_setup(request, "setup/label_form.html", "labels", context)


@admin_only
@require_POST
def label_delete(request: HttpRequest, pk: int) -> HttpResponse:
    label = get_object_or_404(Label, pk=pk)
    services.label_delete(actor=request.user, label=label)
    messages.success(request, _("The label %(name)s was deleted.") % {"name": label.name})
    return redirect("setup:labels")


@admin_only
def lost_reason_index(request: HttpRequest) -> HttpResponse:
    form = LostReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reason = setup_services.lost_reason_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The lost reason %(name)s was added.") % {"name": reason})
            return redirect("setup:lost_reasons")
    context = {"reasons": LostReason.objects.order_by("-is_active", "name"), "form": form}
    return render_setup(request, "setup/lost_reasons.html", "lost_reasons", context)


@admin_only
def lost_reason_edit(request: HttpRequest, pk: int) -> HttpResponse:
    reason = get_object_or_404(LostReason, pk=pk)
    form = LostReasonForm(request.POST or None, initial={"name": reason.name})
    if request.method == "POST" and form.is_valid():
        try:
            setup_services.lost_reason_update(
                actor=request.user, lost_reason=reason, **form.cleaned_data
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The lost reason was saved."))
            return redirect("setup:lost_reasons")
    context = {"reason": reason, "form": form}
    return render_setup(request, "setup/lost_reason_form.html", "lost_reasons", context)


@admin_only
@require_POST
def lost_reason_active(request: HttpRequest, pk: int) -> HttpResponse:
    reason = get_object_or_404(LostReason, pk=pk)
    active = request.POST.get("is_active") == "1"
    setup_services.lost_reason_update(actor=request.user, lost_reason=reason, is_active=active)
    text = _("%(name)s is offered again.") if active else _("%(name)s is no longer offered.")
    messages.success(request, text % {"name": reason.name})
    return redirect("setup:lost_reasons")


@admin_only
def company(request: HttpRequest) -> HttpResponse:
    row = company_settings()
    initial = {
        "default_currency": row.default_currency,
        "default_visibility": row.default_visibility,
    }
    form = CompanyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.company_settings_update(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The company defaults were saved."))
            return redirect("setup:company")
    context = {"form": form, "country": settings.CRM_DEFAULT_COUNTRY}
    return render_setup(request, "setup/company.html", "company", context)
