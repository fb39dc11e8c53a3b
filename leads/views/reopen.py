"""Back to lead: the deal page's button (a dialog; this page without JavaScript) and its post."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crm.errors import DomainError, StaleVersion
from crm.web.once import one_time_form
from deals.selectors import deal_get
from leads.errors import AlreadyBackToLead
from leads.reopen import deal_to_lead


def _to_inbox(request: HttpRequest, pk: int) -> str:
    return reverse("leads:inbox")


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


@require_http_methods(["GET", "POST"])
@one_time_form(_to_inbox)
def from_deal(request: HttpRequest, pk: int) -> HttpResponse:
    # A deal the user may not see (or that is gone) is a 404, as everywhere.
    deal = deal_get(user=request.user, pk=pk)
    if request.method == "GET":
        return render(request, "leads/from_deal.html", {"nav": "deals", "deal": deal})
    try:
        lead = deal_to_lead(actor=request.user, deal=deal, version=_version(request))
    except AlreadyBackToLead as error:
        messages.info(request, error.message)
        return redirect("leads:inbox")
    except StaleVersion as error:
        messages.error(request, error.message)
        return redirect("deals:detail", pk=deal.pk)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("deals:detail", pk=deal.pk)
    messages.success(request, _("“%(title)s” is back in the leads inbox.") % {"title": lead.title})
    return redirect("leads:detail", pk=lead.pk)
