"""Reads of leads (the inbox first), scoped to what the user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from activities.models import Activity, Email, Note
from activities.selectors import (
    TIMELINE_PAGE,
    Timeline,
    TimelineEntry,
    activity_list,
    email_list,
    note_list,
    timeline_entries,
)
from crm.models import User
from crm.visibility import visible_q
from leads.models import Lead


def lead_list(*, user: User) -> QuerySet[Lead]:
    """Every lead the user may see, converted and archived included."""
    return Lead.objects.filter(visible_q(user)).select_related(
        "owner", "person", "organization", "deal"
    )


def lead_list_brief(*, user: User) -> QuerySet[Lead]:
    """The leads the user may see, with what a list of a person's or organization's leads
    shows (title, value, converted or archived), and no joins."""
    return Lead.objects.filter(visible_q(user)).only(
        "title", "value", "currency", "converted_at", "archived_at"
    )


def lead_inbox(*, user: User) -> QuerySet[Lead]:
    """The open leads: neither converted nor archived (served by a partial index)."""
    return lead_list(user=user).filter(archived_at__isnull=True, converted_at__isnull=True)


def lead_get(*, user: User, pk) -> Lead:
    """The lead, or 404 whether it does not exist or the user may not see it."""
    try:
        return lead_list(user=user).get(pk=pk)
    except (Lead.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _lead_visible_q(user: User) -> Q:
    return Q(leads__in=Lead.objects.filter(visible_q(user)).values("pk"))


def visible_notes(*, user: User) -> QuerySet[Note]:
    """Notes on any record the user may see, leads included."""
    return note_list(user=user, extra_visible=_lead_visible_q(user)).distinct()


def visible_activities(*, user: User) -> QuerySet[Activity]:
    return activity_list(user=user, extra_visible=_lead_visible_q(user)).distinct()


def visible_emails(*, user: User) -> QuerySet[Email]:
    return email_list(user=user, extra_visible=_lead_visible_q(user)).distinct()


def lead_timeline(*, lead: Lead, limit: int | None = TIMELINE_PAGE) -> Timeline:
    extra = []
    if lead.converted_at is not None:
        extra.append(TimelineEntry("conversion", lead.converted_at, lead.converted_by, lead))
    return timeline_entries(
        notes=lead.notes.all(),
        activities=lead.activities.all(),
        emails=lead.emails.all(),
        extra=extra,
        limit=limit,
    )
