"""The activities page (the user's own open ones unless filtered otherwise, by when they are
due), marking one done, and the composer's posts: a note, an activity or an e-mail added on a
deal, a person or an organization page.

The record pages sit below this app, so their views are imported here (not the other way
round): a composer form sent back with its errors is shown on the record's own page."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities import selectors
from activities.composer import composer_form
from activities.filters import ACTIVITY_STATUSES, ActivityFilters, activity_filter
from activities.models import ActivityType
from activities.selectors import due_groups
from activities.services import activity_create, activity_set_done, email_log, note_create
from contacts.selectors import organization_get, person_get
from contacts.views.organizations import organization_page
from contacts.views.people import person_page
from crm.errors import DomainError
from crm.filters import OwnerScope
from crm.web.once import one_time_form
from deals.selectors import deal_get
from deals.views import deal_page

SECTION_LIMIT = 200


def activity_list(request: HttpRequest) -> HttpResponse:
    """The activities page: the user's own open ones by default, by when they are due; the
    filter is the API's and the export's (activities/filters.py)."""
    filters = ActivityFilters.from_query(request.GET)
    groups = due_groups(
        user=request.user, activities=activity_filter(user=request.user, filters=filters)
    )
    titles = {
        "overdue": _("Overdue"),
        "today": _("Today"),
        "upcoming": _("Upcoming"),
        "done": _("Done"),
    }
    shown = {None: list(titles), False: ["overdue", "today", "upcoming"], True: ["done"]}
    status = {done: name for name, done in ACTIVITY_STATUSES.items()}[filters.done]
    return render(
        request,
        "activities/list.html",
        {
            "nav": "activities",
            "filters": filters,
            "status": status,
            "scopes": OwnerScope.choices,
            "statuses": [("open", _("Open")), ("done", _("Done")), ("any", _("Any"))],
            "types": ActivityType.choices,
            "sections": [
                (key, titles[key], list(groups[key][:SECTION_LIMIT])) for key in shown[filters.done]
            ],
        },
    )


@require_POST
def done(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_list(user=request.user).filter(pk=pk).first()
    if activity is None:
        raise Http404
    try:
        activity_set_done(actor=request.user, activity=activity, done=True)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Marked done: %(subject)s") % {"subject": activity.subject})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "activities:list"
    return redirect(target)


# What the composer attaches to: how to read the record (a 404 if the user may not see it),
# and its page, which shows a form sent back with its errors.
RECORDS = {
    "deal": (deal_get, deal_page, "deals:detail"),
    "person": (person_get, person_page, "contacts:person_detail"),
    "organization": (organization_get, organization_page, "contacts:organization_detail"),
}


def _record(request: HttpRequest, kind: str, pk: int):
    if kind not in RECORDS:
        raise Http404
    get, _page, _url = RECORDS[kind]
    return get(user=request.user, pk=pk)


def _back_to_record(request: HttpRequest, kind: str, pk: int) -> str:
    if kind not in RECORDS:
        raise Http404
    return reverse(RECORDS[kind][2], args=[pk])


def _attach(request: HttpRequest, kind: str, pk: int, form_name: str, create) -> HttpResponse:
    record = _record(request, kind, pk)
    form = composer_form(form_name, user=request.user, record=record, data=request.POST)
    if form.is_valid():
        try:
            create(actor=request.user, **{kind: record}, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return redirect(_back_to_record(request, kind, pk) + "#timeline")
    _get, page, _url = RECORDS[kind]
    return page(request, record, extra={form_name: form, "open_form": form_name}, status=400)


@require_POST
@one_time_form(_back_to_record)
def note_add(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    return _attach(request, kind, pk, "note_form", note_create)


@require_POST
@one_time_form(_back_to_record)
def activity_add(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    return _attach(request, kind, pk, "activity_form", activity_create)


@require_POST
@one_time_form(_back_to_record)
def email_log_add(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    return _attach(request, kind, pk, "email_form", email_log)
