"""Reads of notes, activities and e-mails, and the timeline of deals, persons and organizations.

A note, activity or e-mail is visible to whoever may see a record it is attached to. Leads add
their own link on top of this in `leads.selectors` (leads sit above this app).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from activities.models import Activity, Email, Note
from contacts.models import MergeKind, MergeRecord, Organization, Person
from crm.models import User
from crm.visibility import visible_q
from deals.models import Deal, DealHistory

# A page shows the newest entries; "the whole history" asks for all (up to a safety cap).
TIMELINE_PAGE = 50
TIMELINE_CAP = 5_000


def attached_visible_q(user: User) -> Q:
    return (
        Q(deal__isnull=False, deal__in=Deal.objects.filter(visible_q(user)).values("pk"))
        | Q(person__isnull=False, person__in=Person.objects.filter(visible_q(user)).values("pk"))
        | Q(
            organization__isnull=False,
            organization__in=Organization.objects.filter(visible_q(user)).values("pk"),
        )
    )


def note_list(*, user: User, extra_visible: Q | None = None) -> QuerySet[Note]:
    q = (
        attached_visible_q(user)
        if extra_visible is None
        else attached_visible_q(user) | extra_visible
    )
    return Note.objects.filter(q).select_related("author")


def activity_list(*, user: User, extra_visible: Q | None = None) -> QuerySet[Activity]:
    q = (
        attached_visible_q(user)
        if extra_visible is None
        else attached_visible_q(user) | extra_visible
    )
    return Activity.objects.filter(q).select_related("assignee", "deal", "person", "organization")


def email_list(*, user: User, extra_visible: Q | None = None) -> QuerySet[Email]:
    q = (
        attached_visible_q(user)
        if extra_visible is None
        else attached_visible_q(user) | extra_visible
    )
    return Email.objects.filter(q).select_related("logged_by")


def my_activities(*, user: User, today: date | None = None) -> dict[str, QuerySet[Activity]]:
    """The user's open activities: overdue, today and upcoming."""
    today = today or timezone.localdate()
    mine = Activity.objects.filter(assignee=user, done=False).select_related(
        "deal", "person", "organization"
    )
    return {
        "overdue": mine.filter(due_date__lt=today),
        "today": mine.filter(due_date=today),
        "upcoming": mine.filter(due_date__gt=today),
    }


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened: kind is note, activity, email, history, conversion or merge."""

    kind: str
    at: datetime
    actor: User | None
    item: Any

    @property
    def template(self) -> str:
        return f"activities/timeline/{self.kind}.html"


def _at(value: datetime | date, when: time | None = None) -> datetime:
    if isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, when or time.min))


class Timeline(list):
    """Entries newest first; `truncated` says older ones exist beyond the limit."""

    truncated = False


def timeline_entries(
    *,
    notes: QuerySet[Note],
    activities: QuerySet[Activity],
    emails: QuerySet[Email],
    history: QuerySet[DealHistory] | None = None,
    merges: QuerySet[MergeRecord] | None = None,
    extra: list[TimelineEntry] = (),
    limit: int | None = TIMELINE_PAGE,
) -> Timeline:
    """Merge the sources newest first, keeping the newest `limit` entries (None: all).

    Each source reads at most limit + 1 rows, so a record with years of history costs the same
    as a new one; the extra row tells whether older entries were left out.
    """
    per_source = (limit or TIMELINE_CAP) + 1
    entries: list[TimelineEntry] = list(extra)
    for note in notes.select_related("author", "deal")[:per_source]:
        entries.append(TimelineEntry("note", note.created_at, note.author, note))
    for act in activities.select_related("assignee", "created_by", "deal")[:per_source]:
        at = act.done_at if act.done and act.done_at else act.created_at
        entries.append(TimelineEntry("activity", at, act.created_by, act))
    for email in emails.select_related("logged_by", "deal")[:per_source]:
        entries.append(TimelineEntry("email", email.sent_at, email.logged_by, email))
    if history is not None:
        history = history.select_related("deal", "actor", "from_stage", "to_stage", "lost_reason")
        for row in history[:per_source]:
            entries.append(TimelineEntry("history", row.created_at, row.actor, row))
    if merges is not None:
        for merge in merges.select_related("actor")[:per_source]:
            entries.append(TimelineEntry("merge", merge.created_at, merge.actor, merge))
    entries.sort(key=lambda e: e.at, reverse=True)
    keep = limit or TIMELINE_CAP
    timeline = Timeline(entries[:keep])
    timeline.truncated = len(entries) > keep
    return timeline


def deal_timeline(
    *, deal: Deal, extra: list[TimelineEntry] = (), limit: int | None = TIMELINE_PAGE
) -> Timeline:
    return timeline_entries(
        limit=limit,
        notes=Note.objects.filter(deal=deal),
        activities=Activity.objects.filter(deal=deal),
        emails=Email.objects.filter(deal=deal),
        history=DealHistory.objects.filter(deal=deal),
        extra=extra,
    )


def person_timeline(*, person: Person, user: User, limit: int | None = TIMELINE_PAGE) -> Timeline:
    """The person's own entries and those of their deals (only deals the user may see)."""
    deals = Deal.objects.filter(visible_q(user), person=person).values("pk")
    on_person = Q(person=person) | Q(deal__in=deals)
    return timeline_entries(
        limit=limit,
        notes=Note.objects.filter(on_person),
        activities=Activity.objects.filter(on_person),
        emails=Email.objects.filter(on_person),
        history=DealHistory.objects.filter(deal__in=deals),
        merges=MergeRecord.objects.filter(kind=MergeKind.PERSON, survivor_id=person.pk),
    )


def organization_timeline(
    *, organization: Organization, user: User, limit: int | None = TIMELINE_PAGE
) -> Timeline:
    deals = Deal.objects.filter(visible_q(user), organization=organization).values("pk")
    on_org = Q(organization=organization) | Q(deal__in=deals)
    return timeline_entries(
        limit=limit,
        notes=Note.objects.filter(on_org),
        activities=Activity.objects.filter(on_org),
        emails=Email.objects.filter(on_org),
        history=DealHistory.objects.filter(deal__in=deals),
        merges=MergeRecord.objects.filter(kind=MergeKind.ORGANIZATION, survivor_id=organization.pk),
    )
