"""The products of a record page (a deal's here; a lead's in leads/views/items.py): add,
edit, remove, and choose whether the value is their sum or typed by hand.

Both kinds of record share these views through `ItemPages`, which says how to read the record
and its lines (visibility-scoped: 404 for what the user may not see) and which services write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crm.errors import DomainError, StaleVersion
from deals.selectors import deal_get
from deals.views import deal_page
from products import services
from products.forms import ItemForm
from products.selectors import deal_item_get


@dataclass(frozen=True)
class ItemPages:
    get_record: Callable  # (user, pk) -> record, 404 if not visible
    get_item: Callable  # (user, record_pk, pk) -> line, 404 if not visible
    add: Callable  # (actor, record, version, **fields) -> line
    update: Callable  # (actor, line, version, **fields) -> line
    remove: Callable  # (actor, line, version) -> record
    value_mode: Callable  # (actor, record, from_items, version) -> record
    record_page: Callable  # (request, record, extra, status) -> HttpResponse
    detail_url: str  # the URL name of the record page


def _fields(form: ItemForm) -> dict:
    data = dict(form.cleaned_data)
    data.pop("version", None)
    return data


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


def _back(pages: ItemPages, pk: int) -> HttpResponse:
    return redirect(reverse(pages.detail_url, args=[pk]) + "#products")


def _stale(request: HttpRequest) -> None:
    messages.error(
        request,
        _("Someone else changed this deal since you loaded it. Here is its current state."),
    )


def item_add(request: HttpRequest, pk: int, *, pages: ItemPages) -> HttpResponse:
    record = pages.get_record(request.user, pk)
    form = ItemForm(request.POST)
    if form.is_valid():
        try:
            pages.add(request.user, record, form.cleaned_data.get("version"), **_fields(form))
        except StaleVersion:
            _stale(request)
            return _back(pages, record.pk)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Product added."))
            return _back(pages, record.pk)
    return pages.record_page(request, record, {"item_form": form}, 400)


def item_edit(request: HttpRequest, pk: int, item_pk: int, *, pages: ItemPages) -> HttpResponse:
    item = pages.get_item(request.user, pk, item_pk)
    record = pages.get_record(request.user, pk)
    version = getattr(record, "version", None)
    status = 200
    if request.method == "POST":
        form = ItemForm(request.POST, editing=item)
        if form.is_valid():
            try:
                pages.update(request.user, item, form.cleaned_data.get("version"), **_fields(form))
            except StaleVersion:
                _stale(request)
                return _back(pages, record.pk)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("Product saved."))
                return _back(pages, record.pk)
        status = 400
    else:
        form = ItemForm(initial=ItemForm.initial_from(item, version), editing=item)
    return render(
        request,
        "products/item_form.html",
        {
            "nav": "deals" if version is not None else "leads",
            "record": record,
            "item": item,
            "form": form,
            "back_url": reverse(pages.detail_url, args=[record.pk]),
        },
        status=status,
    )


def item_remove(request: HttpRequest, pk: int, item_pk: int, *, pages: ItemPages) -> HttpResponse:
    item = pages.get_item(request.user, pk, item_pk)
    try:
        pages.remove(request.user, item, _version(request))
    except StaleVersion:
        _stale(request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Product removed."))
    return _back(pages, pk)


def value_mode(request: HttpRequest, pk: int, *, pages: ItemPages) -> HttpResponse:
    record = pages.get_record(request.user, pk)
    from_items = request.POST.get("from_items") == "1"
    try:
        pages.value_mode(request.user, record, from_items, _version(request))
    except StaleVersion:
        _stale(request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The value is now the sum of the products.")
            if from_items
            else _("The value is now set by hand."),
        )
    return _back(pages, pk)


DEAL_PAGES = ItemPages(
    get_record=lambda user, pk: deal_get(user=user, pk=pk),
    get_item=lambda user, deal_pk, pk: deal_item_get(user=user, deal_pk=deal_pk, pk=pk),
    add=lambda actor, deal, version, **f: services.deal_item_add(
        actor=actor, deal=deal, version=version, **f
    ),
    update=lambda actor, item, version, **f: services.deal_item_update(
        actor=actor, item=item, version=version, **f
    ),
    remove=lambda actor, item, version: services.deal_item_remove(
        actor=actor, item=item, version=version
    ),
    value_mode=lambda actor, deal, from_items, version: services.deal_value_mode_set(
        actor=actor, deal=deal, from_items=from_items, version=version
    ),
    record_page=lambda request, deal, extra, status: deal_page(
        request, deal, extra=extra, status=status
    ),
    detail_url="deals:detail",
)


@require_POST
def deal_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    return item_add(request, pk, pages=DEAL_PAGES)


@require_http_methods(["GET", "POST"])
def deal_item_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    return item_edit(request, pk, item_pk, pages=DEAL_PAGES)


@require_POST
def deal_item_remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    return item_remove(request, pk, item_pk, pages=DEAL_PAGES)


@require_POST
def deal_value_mode(request: HttpRequest, pk: int) -> HttpResponse:
    return value_mode(request, pk, pages=DEAL_PAGES)
