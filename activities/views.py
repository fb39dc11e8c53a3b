"""The user's own activities: overdue, today and upcoming; and marking one done."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities import selectors
from activities.selectors import my_activities
from activities.services import activity_set_done
from crm.errors import DomainError
from leads.selectors import lead_list

SECTION_LIMIT = 200


def activity_list(request: HttpRequest) -> HttpResponse:
    groups = my_activities(user=request.user)
    # A lead's activity is about the lead: show its title (only leads the user may see).
    leads = Prefetch("leads", queryset=lead_list(user=request.user), to_attr="lead_list")
    sections = [
        ("overdue", _("Overdue"), groups["overdue"]),
        ("today", _("Today"), groups["today"]),
        ("upcoming", _("Upcoming"), groups["upcoming"]),
    ]
    return render(
        request,
        "activities/list.html",
        {
            "nav": "activities",
            "sections": [
                (key, title, list(qs.prefetch_related(leads)[:SECTION_LIMIT]))
                for key, title, qs in sections
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
