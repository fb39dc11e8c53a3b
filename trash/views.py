"""The trash page: what the user may see of the deleted records, each with a Restore button."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm.errors import DomainError
from crm.web.paging import window_page
from trash.selectors import trash_items, trash_rows
from trash.services import trash_restore

TRASH_PAGE = 50


@require_GET
def trash_list(request: HttpRequest) -> HttpResponse:
    page = window_page(trash_rows(user=request.user), request.GET.get("page"), TRASH_PAGE)
    page.items = trash_items(page.items)
    context = {"page": page, "query": request.GET, "trash_days": settings.CRM_TRASH_DAYS}
    return render(request, "trash/list.html", context)


@require_POST
def trash_restore_view(request: HttpRequest, item_id: str) -> HttpResponse:
    try:
        _kind, record = trash_restore(actor=request.user, item_id=item_id)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%(title)s” restored.") % {"title": record})
    return redirect("trash:list")
