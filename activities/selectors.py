"""Reads of notes, activities and e-mails, and the timeline of deals, persons and organizations.

Whom an item shows to: each belongs to the most specific record it was written on, and is as
private as that record. That is its deal if it has one, else the lead it was written on, else
its person or organization. A note on a private deal (or lead) carries the deal's person too,
so that the person's page can show it to those who see the deal, but it stays as private as
the deal. An activity also shows to whom it is assigned.

Leads link their items from above (`Lead.notes`, ...); the reverse accessor `leads` reaches
those links without this app importing leads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from activities.models import Activity, Email, Note
from contacts.models import MergeKind, MergeRecord, Organization, Person
from crm.models import User
from crm.visibility import assignable_users, visible_q
from crm.web.paging import TIMELINE_PAGE
from deals.models import Deal, DealHistory, LostReason, Stage
from products.models import DealProductChange

# A page shows the newest TIMELINE_PAGE entries; "the whole history" asks for all, up to this.
TIMELINE_CAP = 5_000

Item = Note | Activity | Email


def _lead_links(model: type[Item]) -> QuerySet:
    """The rows linking the outer query's item of `model` to the leads it was written on."""
    field = model._meta.model_name  # the item's column in the link table: note, activity, email
    return model.leads.through.objects.filter(**{field: OuterRef("pk")})


def item_visible_q(user: User, model: type[Item]) -> Q:
    """The notes, activities or e-mails (`model`) the user may see (see the module's doc)."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_crm_admin:
        return Q()
    # Each test looks one record up by its key (an IN over every visible deal or person would
    # read them all for each page of items).
    on_contact = Q(_visible(Person, "person_id", user)) | Q(
        _visible(Organization, "organization_id", user)
    )
    q = (
        Q(_visible(Deal, "deal_id", user), deal__isnull=False)
        | Q(Exists(_lead_links(model).filter(visible_q(user, prefix="lead__"))), deal__isnull=True)
        | Q(~Exists(_lead_links(model)), on_contact, deal__isnull=True)
    )
    if model is Activity:
        q |= Q(assignee=user)
    return q


def _visible(model: type, column: str, user: User) -> Exists:
    """Whether the record the outer query's `column` points at is one the user may see."""
    return Exists(model.objects.filter(visible_q(user), pk=OuterRef(column)))


def on_hidden_lead_q(user: User, model: type[Item]) -> Q:
    """Items written on a lead the user may not see (and on no deal): for exclude()."""
    visible = visible_q(user, prefix="lead__")
    if not visible:  # an admin: every lead
        return Q(pk__in=[])
    return Q(Exists(_lead_links(model).exclude(visible)), deal__isnull=True)


def on_visible_deal_q(user: User) -> Q:
    """Items on no deal or on a deal the user may see (one look-up by key for each item)."""
    if user.is_crm_admin:
        return Q()
    return Q(deal__isnull=True) | Q(_visible(Deal, "deal_id", user))


def note_list(*, user: User) -> QuerySet[Note]:
    return Note.objects.filter(item_visible_q(user, Note)).select_related("author")


def activity_list(*, user: User) -> QuerySet[Activity]:
    return Activity.objects.filter(item_visible_q(user, Activity)).select_related(
        "assignee", "deal", "person", "organization"
    )


def email_list(*, user: User) -> QuerySet[Email]:
    return Email.objects.filter(item_visible_q(user, Email)).select_related("logged_by")


def visible_leads_prefetch(user: User, *, to_attr: str = "lead_list") -> Prefetch:
    """The leads an item was written on, only those the user may see (`to_attr`: a list).

    Reached through the reverse accessor `leads`, so that this app does not import leads."""
    lead_model = Activity._meta.get_field("leads").related_model
    return Prefetch("leads", queryset=lead_model.objects.filter(visible_q(user)), to_attr=to_attr)


def due_groups(
    *, user: User, activities: QuerySet[Activity], today: date | None = None
) -> dict[str, QuerySet[Activity]]:
    """`activities` (already visible to the user) by when they are due: the open ones overdue,
    today and upcoming, and the done ones. A lead's activity carries the lead (`lead_list`)
    where the user may see it, since it is about the lead."""
    today = today or timezone.localdate()
    rows = activities.select_related("deal", "person", "organization").prefetch_related(
        visible_leads_prefetch(user)
    )
    return {
        "overdue": rows.filter(done=False, due_date__lt=today),
        "today": rows.filter(done=False, due_date=today),
        "upcoming": rows.filter(done=False, due_date__gt=today),
        "done": rows.filter(done=True),
    }


def my_activities(*, user: User, today: date | None = None) -> dict[str, QuerySet[Activity]]:
    """The user's open activities: overdue, today and upcoming."""
    mine = activity_list(user=user).filter(assignee=user, done=False)
    groups = due_groups(user=user, activities=mine, today=today)
    return {key: groups[key] for key in ("overdue", "today", "upcoming")}


def calendar_assignees(*, user: User) -> QuerySet[User]:
    """Whose calendar the user may open: a manager their teams' members', an admin anyone's
    (the users they may assign activities to), a rep their own."""
    if user.is_crm_admin or user.is_manager:
        return assignable_users(user)
    return User.objects.filter(pk=user.pk, is_active=True)


def calendar_activities(*, user: User, activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """A calendar's activities (already filtered to what the user may see: `activity_filter`),
    by day and time, with what each entry links to, in the same query: the visible lead it was
    written on (`lead_pk`, `lead_title`) and whether the user may open its deal, person and
    organization (`deal_visible`, ...), since an assignee sees an activity on a deal they may
    not see."""
    leads = _lead_links(Activity).filter(visible_q(user, prefix="lead__")).order_by("lead_id")
    if user.is_crm_admin:
        shown = {name: Value(True) for name in ("deal", "person", "organization")}
    else:
        shown = {
            "deal": _visible(Deal, "deal_id", user),
            "person": _visible(Person, "person_id", user),
            "organization": _visible(Organization, "organization_id", user),
        }
    return activities.annotate(
        lead_pk=Subquery(leads.values("lead_id")[:1]),
        lead_title=Subquery(leads.values("lead__title")[:1]),
        **{f"{name}_visible": value for name, value in shown.items()},
    ).order_by("due_date", F("due_time").asc(nulls_first=True), "id")


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened: kind is note, activity, email, history, item_change (a
    product added, changed or removed), conversion or merge."""

    kind: str
    at: datetime
    actor: User | None
    item: Any
    # The deal a conversion made, where the user may see it (else the entry names none).
    deal: Deal | None = None


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
    item_changes: QuerySet | None = None,
    extra: list[TimelineEntry] = (),
    limit: int | None = TIMELINE_PAGE,
    deal: Deal | None = None,
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
        # Shown when it was done, by whom marked it done; else when and by whom it was planned.
        ("activity", a.timeline_at, a, "done_by" if a.done and a.done_by_id else "created_by")
        for a in _newest(activities.annotate(timeline_at=_ACTIVITY_AT), "timeline_at", per_source)
    ]
    rows += [("email", e.sent_at, e, "logged_by") for e in _newest(emails, "sent_at", per_source)]
    if history is not None:
        rows += [
            ("history", h.created_at, h, "actor")
            for h in _newest(history, "created_at", per_source)
        ]
    if item_changes is not None:
        # Products added, changed, removed (DealProductChange, LeadProductChange).
        rows += [
            ("item_change", c.created_at, c, "actor")
            for c in _newest(item_changes, "created_at", per_source)
        ]
    if merges is not None:
        rows += [
            ("merge", m.created_at, m, "actor") for m in _newest(merges, "created_at", per_source)
        ]
    rows.sort(key=lambda row: row.at if isinstance(row, TimelineEntry) else row[1], reverse=True)
    keep = limit or TIMELINE_CAP
    kept = rows[:keep]
    _attach_related([row[2] for row in kept if not isinstance(row, TimelineEntry)], deal)
    timeline = Timeline(
        row
        if isinstance(row, TimelineEntry)
        else TimelineEntry(row[0], row[1], getattr(row[2], row[3]), row[2])
        for row in kept
    )
    timeline.truncated = len(rows) > keep
    return timeline


def _newest(qs: QuerySet, field: str, count: int) -> QuerySet:
    if qs.query.select_related:
        qs = qs.select_related(None)
    return qs.order_by(f"-{field}", "-id")[:count]


# When an activity happened: when it was done, else when it was planned (what it shows as).
_ACTIVITY_AT = Case(
    When(done=True, done_at__isnull=False, then=F("done_at")),
    default=F("created_at"),
    output_field=DateTimeField(),
)

# Related records an entry shows, by model field: users, deals (their title), stages, reasons.
_USER_FIELDS = ("author", "assignee", "created_by", "done_by", "logged_by", "actor")
_STAGE_FIELDS = ("from_stage", "to_stage")


def _attach_related(items: list[Any], deal: Deal | None) -> None:
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
    if deal is not None:  # the page's own deal, read already
        wanted["deal"].discard(deal.pk)
    found = {
        "user": User.objects.in_bulk(wanted["user"]) if wanted["user"] else {},
        "deal": Deal.objects.only("title").in_bulk(wanted["deal"]) if wanted["deal"] else {},
        "stage": Stage.objects.select_related("pipeline").in_bulk(wanted["stage"])
        if wanted["stage"]
        else {},
        "reason": LostReason.objects.in_bulk(wanted["reason"]) if wanted["reason"] else {},
    }
    if deal is not None:
        found["deal"][deal.pk] = deal
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
        item_changes=DealProductChange.objects.filter(deal=deal),
        extra=extra,
        deal=deal,
    )


def _contact_items(model: type[Item], user: User, on_contact: Q, deals: QuerySet) -> QuerySet:
    """A person's or organization's items: their own and their deals', as the user may see
    them (on a deal the user sees, or on none; not on a lead the user may not see)."""
    # One filter() call: each call copies the query, subqueries and all.
    return model.objects.filter(
        on_contact | Q(deal__in=deals), on_visible_deal_q(user), ~on_hidden_lead_q(user, model)
    )


def person_timeline(*, person: Person, user: User, limit: int | None = TIMELINE_PAGE) -> Timeline:
    """The person's own entries and those of their deals, as far as the user may see them."""
    deals = Deal.objects.filter(visible_q(user), person=person).values("pk")
    on_person = Q(person=person)
    return timeline_entries(
        limit=limit,
        notes=_contact_items(Note, user, on_person, deals),
        activities=_contact_items(Activity, user, on_person, deals),
        emails=_contact_items(Email, user, on_person, deals),
        history=DealHistory.objects.filter(deal__in=deals),
        merges=MergeRecord.objects.filter(kind=MergeKind.PERSON, survivor_id=person.pk),
    )


def organization_timeline(
    *, organization: Organization, user: User, limit: int | None = TIMELINE_PAGE
) -> Timeline:
    """The organization's own entries and those of its deals, as far as the user may see them."""
    deals = Deal.objects.filter(visible_q(user), organization=organization).values("pk")
    on_org = Q(organization=organization)
    return timeline_entries(
        limit=limit,
        notes=_contact_items(Note, user, on_org, deals),
        activities=_contact_items(Activity, user, on_org, deals),
        emails=_contact_items(Email, user, on_org, deals),
        history=DealHistory.objects.filter(deal__in=deals),
        merges=MergeRecord.objects.filter(kind=MergeKind.ORGANIZATION, survivor_id=organization.pk),
    )
