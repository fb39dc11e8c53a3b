"""Reads of leads (the inbox first), scoped to what the user may see."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
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
    return Q(deal__isnull=True, leads__in=Lead.objects.filter(visible_q(user)).values("pk"))


# How each kind of item reaches its leads: the link table and the item's field in it.
_LEAD_LINKS = {
    Note: (Lead.notes.through, "note"),
    Activity: (Lead.activities.through, "activity"),
    Email: (Lead.emails.through, "email"),
}


def on_hidden_leads(*, user: User) -> dict[type, Q]:
    """For notes, activities and e-mails: the filter of those written on a lead the user may
    not see (and on no deal), to exclude() them.

    Between a deal and a person, an item written on a lead belongs to the lead: it carries the
    lead's person and organization, but stays as private as the lead.
    """
    visible = visible_q(user, prefix="lead__")
    if not visible:  # an admin: every lead
        return {}
    return {
        model: Q(
            Exists(link.objects.filter(**{field: OuterRef("pk")}).exclude(visible)),
            deal__isnull=True,
        )
        for model, (link, field) in _LEAD_LINKS.items()
    }


def visible_notes(*, user: User) -> QuerySet[Note]:
    """Notes on any record the user may see, leads included."""
    qs = note_list(user=user, extra_visible=_lead_visible_q(user))
    return _without_hidden_leads(qs, user).distinct()


def visible_activities(*, user: User) -> QuerySet[Activity]:
    qs = activity_list(user=user, extra_visible=_lead_visible_q(user))
    return _without_hidden_leads(qs, user).distinct()


def visible_emails(*, user: User) -> QuerySet[Email]:
    qs = email_list(user=user, extra_visible=_lead_visible_q(user))
    return _without_hidden_leads(qs, user).distinct()


def _without_hidden_leads(qs: QuerySet, user: User) -> QuerySet:
    hidden = on_hidden_leads(user=user)
    return qs.exclude(hidden[qs.model]) if hidden else qs


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
