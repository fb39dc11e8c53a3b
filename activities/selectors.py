"""Reads of notes, activities and e-mails, and the timeline of deals, persons and organizations.

A note, activity or e-mail is visible to whoever may see a record it is attached to. Leads add
their own link on top of this in `leads.selectors` (leads sit above this app).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Case, DateTimeField, F, Q, QuerySet, When
from django.utils import timezone

from activities.models import Activity, Email, Note
from contacts.models import MergeKind, MergeRecord, Organization, Person
from crm.models import User
from crm.visibility import visible_q
from deals.models import Deal, DealHistory, LostReason, Stage

# A page shows the newest entries; "the whole history" asks for all (up to a safety cap).
TIMELINE_PAGE = 50
TIMELINE_CAP = 5_000


def attached_visible_q(user: User) -> Q:
    """The notes, activities and e-mails the user may see.

    Each belongs to the most specific record it is attached to: its deal if it has one, else
    its person or organization (leads.selectors adds the lead, between the two). What was done
    on a private deal carries the deal's person too, but stays as private as the deal.
    """
    return Q(deal__isnull=False, deal__in=Deal.objects.filter(visible_q(user)).values("pk")) | Q(
        Q(person__isnull=False, person__in=Person.objects.filter(visible_q(user)).values("pk"))
        | Q(
            organization__isnull=False,
            organization__in=Organization.objects.filter(visible_q(user)).values("pk"),
        ),
        deal__isnull=True,
    )


def _without(qs: QuerySet, hidden: Mapping[type, Q] | None) -> QuerySet:
    """`qs` less what `hidden` names for its model (leads.selectors.on_hidden_leads)."""
    if hidden and qs.model in hidden:
        return qs.exclude(hidden[qs.model])
    return qs


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
    as a new one; the extra row tells whether older entries were left out. The sources are read
    without joins: PostgreSQL's planning time grows with every joined table (the history with
    its deal, stages, reason and actor planned in 10 ms and ran in 1), so the people, deals,
    stages and reasons of the entries kept are read afterwards, one query each.
    """
    per_source = (limit or TIMELINE_CAP) + 1
    # Each row read here: (kind, when, item, the item's field naming who did it); the extra
    # entries come whole.
    rows: list[tuple[str, datetime, Any, str] | TimelineEntry] = list(extra)
    rows += [("note", n.created_at, n, "author") for n in _newest(notes, "created_at", per_source)]
    rows += [
        ("activity", a.timeline_at, a, "created_by")
        for a in _newest(activities.annotate(timeline_at=_ACTIVITY_AT), "timeline_at", per_source)
    ]
    rows += [("email", e.sent_at, e, "logged_by") for e in _newest(emails, "sent_at", per_source)]
    if history is not None:
        rows += [
            ("history", h.created_at, h, "actor")
            for h in _newest(history, "created_at", per_source)
        ]
    if merges is not None:
        rows += [
            ("merge", m.created_at, m, "actor") for m in _newest(merges, "created_at", per_source)
        ]
    rows.sort(key=lambda row: row.at if isinstance(row, TimelineEntry) else row[1], reverse=True)
    keep = limit or TIMELINE_CAP
    kept = rows[:keep]
    _attach_related([row[2] for row in kept if not isinstance(row, TimelineEntry)])
    timeline = Timeline(
        row
        if isinstance(row, TimelineEntry)
        else TimelineEntry(row[0], row[1], getattr(row[2], row[3]), row[2])
        for row in kept
    )
    timeline.truncated = len(rows) > keep
    return timeline


def _newest(qs: QuerySet, field: str, count: int) -> QuerySet:
    return qs.select_related(None).order_by(f"-{field}", "-id")[:count]


# When an activity happened: when it was done, else when it was planned (what it shows as).
_ACTIVITY_AT = Case(
    When(done=True, done_at__isnull=False, then=F("done_at")),
    default=F("created_at"),
    output_field=DateTimeField(),
)

# Related records an entry shows, by model field: users, deals (their title), stages, reasons.
_USER_FIELDS = ("author", "assignee", "created_by", "logged_by", "actor")
_STAGE_FIELDS = ("from_stage", "to_stage")


def _attach_related(items: list[Any]) -> None:
    """Read the users, deals, stages and lost reasons of `items` (one query each) and set them
    on the items, as select_related would have."""
    wanted: dict[str, set[int]] = {"user": set(), "deal": set(), "stage": set(), "reason": set()}
    for item in items:
        for field in _USER_FIELDS:
            if getattr(item, f"{field}_id", None) is not None:
                wanted["user"].add(getattr(item, f"{field}_id"))
        if getattr(item, "deal_id", None) is not None:
            wanted["deal"].add(item.deal_id)
        for field in _STAGE_FIELDS:
            if getattr(item, f"{field}_id", None) is not None:
                wanted["stage"].add(getattr(item, f"{field}_id"))
        if getattr(item, "lost_reason_id", None) is not None:
            wanted["reason"].add(item.lost_reason_id)
    found = {
        "user": User.objects.in_bulk(wanted["user"]) if wanted["user"] else {},
        "deal": Deal.objects.only("title").in_bulk(wanted["deal"]) if wanted["deal"] else {},
        "stage": Stage.objects.select_related("pipeline").in_bulk(wanted["stage"])
        if wanted["stage"]
        else {},
        "reason": LostReason.objects.in_bulk(wanted["reason"]) if wanted["reason"] else {},
    }
    fields = [(f, "user") for f in _USER_FIELDS] + [(f, "stage") for f in _STAGE_FIELDS]
    fields += [("deal", "deal"), ("lost_reason", "reason")]
    for item in items:
        for field, kind in fields:
            pk = getattr(item, f"{field}_id", None)
            if pk is not None and pk in found[kind]:
                setattr(item, field, found[kind][pk])


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


def person_timeline(
    *,
    person: Person,
    user: User,
    limit: int | None = TIMELINE_PAGE,
    hidden: Mapping[type, Q] | None = None,
) -> Timeline:
    """The person's own entries and those of their deals the user may see.

    What was done on a deal carries its person too; on a deal the user may not see, it stays
    hidden here as well. `hidden` leaves out more: what was written on leads the user may not
    see (leads.selectors.on_hidden_leads; leads sit above this app).
    """
    deals = Deal.objects.filter(visible_q(user), person=person).values("pk")
    on_person = Q(person=person, deal__isnull=True) | Q(deal__in=deals)
    return timeline_entries(
        limit=limit,
        notes=_without(Note.objects.filter(on_person), hidden),
        activities=_without(Activity.objects.filter(on_person), hidden),
        emails=_without(Email.objects.filter(on_person), hidden),
        history=DealHistory.objects.filter(deal__in=deals),
        merges=MergeRecord.objects.filter(kind=MergeKind.PERSON, survivor_id=person.pk),
    )


def organization_timeline(
    *,
    organization: Organization,
    user: User,
    limit: int | None = TIMELINE_PAGE,
    hidden: Mapping[type, Q] | None = None,
) -> Timeline:
    """The organization's own entries and those of its deals the user may see (as a person's)."""
    deals = Deal.objects.filter(visible_q(user), organization=organization).values("pk")
    on_org = Q(organization=organization, deal__isnull=True) | Q(deal__in=deals)
    return timeline_entries(
        limit=limit,
        notes=_without(Note.objects.filter(on_org), hidden),
        activities=_without(Activity.objects.filter(on_org), hidden),
        emails=_without(Email.objects.filter(on_org), hidden),
        history=DealHistory.objects.filter(deal__in=deals),
        merges=MergeRecord.objects.filter(kind=MergeKind.ORGANIZATION, survivor_id=organization.pk),
    )
