"""The user's own activities (overdue, today, upcoming) and their calendar, marking one done,
and the composer's posts: a note, an activity or an e-mail added on a deal, a person or an
organization page.

The record pages sit below this app, so their views are imported here (not the other way
round): a composer form sent back with its errors is shown on the record's own page."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities import selectors
from activities.calendar import CalendarSpan, calendar_days, calendar_range
from activities.composer import composer_form
from activities.filters import ACTIVITY_STATUSES, ActivityFilters, activity_filter, param_date
from activities.models import ActivityType
from activities.selectors import calendar_activities, calendar_assignees, due_groups
from activities.services import activity_create, activity_set_done, email_log, note_create
from contacts.selectors import organization_get, person_get
from contacts.views.organizations import organization_page
from contacts.views.people import person_page
from crm.errors import DomainError
from crm.filters import OwnerScope, param_id
from crm.web.once import one_time_form
from deals.selectors import deal_get
from deals.views import deal_page

SECTION_LIMIT = 200
# A month of a busy rep is a few hundred; past this the page says some are left out.
CALENDAR_LIMIT = 1_000


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


def activity_calendar(request: HttpRequest) -> HttpResponse:
    """A week or a month of the activities assigned to a user: the viewer's own, or, for a
    manager or an admin, those of a user they pick (`?user=`), as far as the viewer may see
    them. `?view=week|month&date=YYYY-MM-DD`; weeks start on Monday."""
    viewer = request.user
    span = request.GET.get("view")
    span = span if span in CalendarSpan.values else CalendarSpan.WEEK
    today = timezone.localdate()
    calendar = calendar_range(span, param_date(request.GET, "date") or today)
    assignees = calendar_assignees(user=viewer)
    shown = viewer
    picked = param_id(request.GET, "user")
    if picked is not None and picked != viewer.pk:
        shown = assignees.filter(pk=picked).first()
        if shown is None:  # a user whose calendar the viewer may not open
            raise Http404
    in_range = activity_filter(
        user=viewer,
        filters=ActivityFilters(
            assignee=shown.pk, due_after=calendar.start, due_before=calendar.end
        ),
    )
    activities = list(calendar_activities(user=viewer, activities=in_range)[: CALENDAR_LIMIT + 1])

    days = calendar_days(calendar, activities[:CALENDAR_LIMIT], today=today)
    showing_today = calendar.start <= today <= calendar.end
    # Week <-> month keeps today in view where it was, else the day asked for.
    switch_to = (today if showing_today else calendar.anchor).isoformat()

    def link(**changes) -> str:
        params = {"view": calendar.span, "date": calendar.anchor.isoformat()}
        if shown != viewer:
            params["user"] = shown.pk
        return "?" + urlencode({**params, **changes})

    return render(
        request,
        "activities/calendar.html",
        {
            "nav": "activities",
            "calendar": calendar,
            "week": calendar.span == CalendarSpan.WEEK,
            "days": days,
            "planned": any(day.entries for day in days),
            "truncated": len(activities) > CALENDAR_LIMIT,
            "shown": shown,
            "assignees": assignees if viewer.is_crm_admin or viewer.is_manager else None,
            "links": {
                "previous": link(date=calendar.previous.isoformat()),
                "next": link(date=calendar.next.isoformat()),
                "today": link(date=today.isoformat()),
                "week": link(view=CalendarSpan.WEEK, date=switch_to),
                "month": link(view=CalendarSpan.MONTH, date=switch_to),
            },
            "showing_today": showing_today,
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
