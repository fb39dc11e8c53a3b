"""A lead's products: the views the deal page uses (products/views/items.py), on a lead."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from leads import line_items
from leads.selectors import lead_get, lead_item_get
from leads.views.records import lead_page_context
from products.views.items import ItemPages, item_add, item_edit, item_remove, value_mode


def _lead_page(request: HttpRequest, lead, extra: dict, status: int) -> HttpResponse:
    return render(
        request, "leads/detail.html", lead_page_context(request, lead, **extra), status=status
    )


LEAD_PAGES = ItemPages(
    get_record=lambda user, pk: lead_get(user=user, pk=pk),
    get_item=lambda user, lead_pk, pk: lead_item_get(user=user, lead_pk=lead_pk, pk=pk),
    add=lambda actor, lead, _version, **f: line_items.lead_item_add(actor=actor, lead=lead, **f),
    update=lambda actor, item, _version, **f: line_items.lead_item_update(
        actor=actor, item=item, **f
    ),
    remove=lambda actor, item, _version: line_items.lead_item_remove(actor=actor, item=item),
    value_mode=lambda actor, lead, from_items, _version: line_items.lead_value_mode_set(
        actor=actor, lead=lead, from_items=from_items
    ),
    record_page=_lead_page,
    detail_url="leads:detail",
)


@require_POST
def lead_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    return item_add(request, pk, pages=LEAD_PAGES)


@require_http_methods(["GET", "POST"])
def lead_item_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    return item_edit(request, pk, item_pk, pages=LEAD_PAGES)


@require_POST
def lead_item_remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    return item_remove(request, pk, item_pk, pages=LEAD_PAGES)


@require_POST
def lead_value_mode(request: HttpRequest, pk: int) -> HttpResponse:
    return value_mode(request, pk, pages=LEAD_PAGES)
