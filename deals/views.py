"""The deal pages: the deals list and one deal with its stage bar, status and timeline.

Every write carries the deal's `version`; a stale one (someone changed the deal meanwhile) is
refused by the services and shown as a message next to the current data, never overwritten.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from activities.selectors import deal_timeline
from contacts.selectors import organization_list, person_list
from crm.errors import DomainError, StaleVersion
from crm.models import FieldEntity
from crm.visibility import can_manage
from crm.web.custom_fields import (
    add_custom_error,
    add_custom_filters,
    attach_texts,
    chosen_columns,
)
from crm.web.once import one_time_form
from crm.web.paging import timeline_limit, window_page
from deals import services
from deals.filters import DealFilters, deal_filter
from deals.forms import DealFilterForm, DealForm, LostForm
from deals.models import Deal, DealStatus
from deals.selectors import deal_get, lost_reason_list, pipeline_list, stage_list
from products.selectors import deal_items_panel, product_names_by_deal

PER_PAGE = 50


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


def _stale_message() -> str:
    return _("Someone else changed this deal since you loaded it. Here is its current state.")


def _stale(request: HttpRequest, deal: Deal, error: StaleVersion) -> HttpResponse:
    messages.error(request, _stale_message())
    if _wants_json(request):
        return JsonResponse({"error": error.code, "message": _stale_message()}, status=409)
    return redirect("deals:detail", pk=deal.pk)


def _refused(request: HttpRequest, deal: Deal, error: DomainError) -> HttpResponse:
    messages.error(request, error.message)
    if _wants_json(request):
        return JsonResponse({"error": error.code, "message": error.message}, status=400)
    return redirect("deals:detail", pk=deal.pk)


def deal_list_view(request: HttpRequest) -> HttpResponse:
    form = DealFilterForm(request.GET or None)
    custom = add_custom_filters(form, FieldEntity.DEAL)
    filters = form.cleaned_data if form.is_valid() else {}
    # The same filter as the API's and the export's (deals/filters.py).
    deals = deal_filter(
        user=request.user, filters=DealFilters.from_query(request.GET)
    ).prefetch_related("labels")
    order = form.order_by() if form.is_valid() else ["-created_at", "-id"]
    page = window_page(deals.order_by(*order), filters.get("page") or 1, PER_PAGE)
    names = product_names_by_deal(deal.pk for deal in page.items)
    for deal in page.items:
        deal.product_names = names.get(deal.pk, [])
    columns = chosen_columns(form, custom)
    attach_texts(page.items, entity=FieldEntity.DEAL, columns=columns, user=request.user)
    sort = filters.get("sort") or "-created"
    return render(
        request,
        "deals/list.html",
        {
            "nav": "deals",
            "form": form,
            "page": page,
            "sort": sort,
            "query": request.GET.copy(),
            "custom_columns": columns,
        },
    )


def deal_page(
    request: HttpRequest, deal: Deal, *, extra: dict | None = None, status: int = 200
) -> HttpResponse:
    """The deal page; `extra` holds forms sent back with their errors (the composer's too)."""
    context = _detail_context(request, deal, lost_form=(extra or {}).get("lost_form"))
    context.update(extra or {})
    return render(request, "deals/detail.html", context, status=status)


def _detail_context(request: HttpRequest, deal: Deal, lost_form: LostForm | None = None) -> dict:
    person = deal.person
    if person is not None:
        # Two small queries: the person card shows every address and number.
        person.email_list = list(person.emails.all())
        person.phone_list = list(person.phones.all())
    return {
        "nav": "deals",
        "deal": deal,
        "stages": list(stage_list(pipeline=deal.pipeline)),
        "labels": list(deal.labels.all()),
        "timeline_actions": True,
        "timeline": deal_timeline(deal=deal, limit=timeline_limit(request)),
        "items_panel": deal_items_panel(deal=deal),
        "lost_form": lost_form or LostForm(initial={"version": deal.version}),
        "lost_reasons": lost_reason_list(),
        "can_manage": can_manage(request.user, deal),
        "is_open": deal.status == DealStatus.OPEN,
    }


def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return deal_page(request, deal_get(user=request.user, pk=pk))


def _form_error(form: DealForm, error: DomainError) -> None:
    if add_custom_error(form, error):
        return
    field = error.field if error.field in form.fields else None
    if field is not None and form.fields[field].widget.is_hidden:
        # A picked person or organization that is gone or hidden: say so where the user looks,
        # and drop the pick so that they can choose again (as the lead form does).
        form.data = form.data.copy()
        form.data[form.add_prefix(field)] = ""
        field = f"{field}_name" if f"{field}_name" in form.fields else None
    form.add_error(field, error.message)


def _form_context(form: DealForm, deal: Deal | None, **extra) -> dict:
    return {
        "nav": "deals",
        "form": form,
        "deal": deal,
        "person_new_fields": [form["person_email"], form["person_phone"]],
        "org_new_fields": [form["organization_website"]],
        **extra,
    }


def _next_url(request: HttpRequest) -> str:
    """Where the page that opened the form wants the user back (the board), if it is ours."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _add_initial(request: HttpRequest) -> dict:
    """What the page that links here chose: a board column's pipeline and stage, a person's
    or organization's page its record (only one the user may see)."""
    initial: dict = {}
    stage = stage_list().filter(pk=_int(request.GET.get("stage")), pipeline__is_active=True).first()
    pipeline = pipeline_list().filter(pk=_int(request.GET.get("pipeline"))).first()
    if stage is not None and pipeline in (None, stage.pipeline):
        initial.update(pipeline=stage.pipeline_id, stage=stage.pk)
    elif pipeline is not None:
        first = pipeline.first_stage()
        initial.update(pipeline=pipeline.pk, stage=first.pk if first else None)
    else:
        first_pipeline = pipeline_list().first()
        if first_pipeline is not None:
            first = first_pipeline.first_stage()
            initial.update(pipeline=first_pipeline.pk, stage=first.pk if first else None)
    person = person_list(user=request.user).filter(pk=_int(request.GET.get("person"))).first()
    org = organization_list(user=request.user).filter(pk=_int(request.GET.get("organization")))
    org = org.first()
    if person is not None:
        initial.update(person=person.pk, person_name=person.name)
        if org is None and person.organization_id:
            org = organization_list(user=request.user).filter(pk=person.organization_id).first()
    if org is not None:
        initial.update(organization=org.pk, organization_name=org.name)
    return initial


def _int(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _to_list(request: HttpRequest) -> str:
    return reverse("deals:list")


@require_http_methods(["GET", "POST"])
@one_time_form(_to_list)
def deal_add(request: HttpRequest) -> HttpResponse:
    """Add a deal: from the deals list, a board column (its stage) or a person's or
    organization's page (that record)."""
    if request.method == "POST":
        form = DealForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                deal = services.deal_save(
                    actor=request.user,
                    deal=None,
                    person=form.person_ref(),
                    organization=form.organization_ref(),
                    **form.deal_fields(),
                )
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Deal “%(title)s” added.") % {"title": deal.title})
                return redirect(_next_url(request) or reverse("deals:detail", args=[deal.pk]))
    else:
        form = DealForm(user=request.user, initial=_add_initial(request))
    status = 400 if form.is_bound else 200
    return render(
        request,
        "deals/form.html",
        _form_context(form, None, next=_next_url(request)),
        status=status,
    )


@require_http_methods(["GET", "POST"])
def deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_get(user=request.user, pk=pk)
    conflict = None
    if request.method == "POST":
        form = DealForm(
            request.POST, user=request.user, deal=deal, initial=DealForm.initial_from(deal)
        )
        if form.is_valid():
            try:
                services.deal_save(
                    actor=request.user,
                    deal=deal,
                    person=form.person_ref(),
                    organization=form.organization_ref(),
                    **form.deal_fields(),
                )
            except StaleVersion:
                # Show the deal as it is now, and what the user tried to save beside it.
                conflict = {"message": _stale_message(), "yours": form.cleaned_data}
                deal = deal_get(user=request.user, pk=pk)
                form = DealForm(user=request.user, deal=deal, initial=DealForm.initial_from(deal))
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Deal saved."))
                return redirect("deals:detail", pk=deal.pk)
    else:
        form = DealForm(user=request.user, deal=deal, initial=DealForm.initial_from(deal))
    status = 409 if conflict else (400 if form.is_bound else 200)
    return render(
        request, "deals/form.html", _form_context(form, deal, conflict=conflict), status=status
    )


@require_POST
def deal_move(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_get(user=request.user, pk=pk)
    stage = next(
        (s for s in stage_list(pipeline=deal.pipeline) if str(s.pk) == request.POST.get("stage")),
        None,
    )
    if stage is None:
        return _refused(request, deal, DomainError(_("Choose a stage of this pipeline.")))
    try:
        deal = services.deal_move(
            actor=request.user, deal=deal, stage=stage, version=_version(request)
        )
    except StaleVersion as error:
        return _stale(request, deal, error)
    except DomainError as error:
        return _refused(request, deal, error)
    if _wants_json(request):
        return JsonResponse({"stage": deal.stage_id, "version": deal.version})
    messages.success(request, _("Moved to %(stage)s.") % {"stage": stage.name})
    return redirect("deals:detail", pk=deal.pk)


def _status_change(request: HttpRequest, pk: int, change, done_message: str) -> HttpResponse:
    deal = deal_get(user=request.user, pk=pk)
    try:
        change(actor=request.user, deal=deal, version=_version(request))
    except StaleVersion as error:
        return _stale(request, deal, error)
    except DomainError as error:
        return _refused(request, deal, error)
    messages.success(request, done_message)
    return redirect("deals:detail", pk=deal.pk)


@require_POST
def deal_won(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_change(request, pk, services.deal_mark_won, _("Deal marked as won."))


@require_POST
def deal_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_change(request, pk, services.deal_reopen, _("Deal reopened."))


@require_http_methods(["GET", "POST"])
def deal_lost(request: HttpRequest, pk: int) -> HttpResponse:
    """The Lost dialog posts here; without JavaScript, GET shows the same form as a page."""
    deal = deal_get(user=request.user, pk=pk)
    if request.method == "POST":
        form = LostForm(request.POST)
        if form.is_valid():
            try:
                services.deal_mark_lost(
                    actor=request.user,
                    deal=deal,
                    lost_reason=form.cleaned_data["lost_reason"],
                    lost_reason_text=form.cleaned_data["lost_reason_text"],
                    version=form.cleaned_data["version"],
                )
            except StaleVersion as error:
                return _stale(request, deal, error)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Deal marked as lost."))
                return redirect("deals:detail", pk=deal.pk)
        return render(
            request, "deals/lost.html", {"nav": "deals", "deal": deal, "form": form}, status=400
        )
    form = LostForm(initial={"version": deal.version})
    return render(request, "deals/lost.html", {"nav": "deals", "deal": deal, "form": form})


@require_POST
def deal_delete(request: HttpRequest, pk: int) -> HttpResponse:
    deal = deal_get(user=request.user, pk=pk)
    try:
        services.deal_delete(actor=request.user, deal=deal)
    except DomainError as error:
        return _refused(request, deal, error)
    messages.success(request, _("Deal “%(title)s” deleted.") % {"title": deal.title})
    return redirect("deals:list")
