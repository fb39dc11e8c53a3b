"""Writes of notes, activities and logged e-mails.

Whatever is attached to a deal also carries the deal's person and organization, so it shows on
their pages too. `note_create`, `activity_create` and `email_log` check that the actor may see
the records they attach to. The `..._unchecked` twins are for a service that checked access
through a record above this app itself (a lead's services: the lead decides who may write on
it); nothing at the edge calls them.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, ActivityType, Email, Note
from contacts.models import Organization, Person
from crm.errors import DomainError, NotPermitted
from crm.models import User
from crm.rich_text import note_html_clean
from crm.visibility import can_assign_to, can_edit, can_view
from deals.models import Deal

MAX_NOTE_LENGTH = 100_000


def _check_assignee(actor: User, assignee: User | None) -> None:
    # An activity shows to its assignee: giving one to someone outside the actor's reach
    # would show them the deal's title and ids.
    if assignee is not None and not can_assign_to(actor, assignee):
        raise DomainError(_("You may not assign activities to this user."), field="assignee")


def _check_targets(actor: User, *records: Deal | Person | Organization | None) -> None:
    for record in records:
        if record is not None and not can_view(actor, record):
            raise NotPermitted(_("You may not see this record."))


def _targets(deal: Deal | None, person: Person | None, organization: Organization | None) -> dict:
    if deal is not None:
        person = person or deal.person
        organization = organization or deal.organization
    if deal is None and person is None and organization is None:
        raise DomainError(_("Attach it to a deal, lead, person or organization."), field="deal")
    return {"deal": deal, "person": person, "organization": organization}


def _note_content(content: str) -> str:
    """The note as stored: plain text, or HTML cleaned to the subset the pages show
    (crm.rich_text), so that the API never hands out a <script> or an onerror either."""
    content = (content or "").strip()
    if len(content) > MAX_NOTE_LENGTH:
        raise DomainError(_("This note is too long."), field="content")
    content = note_html_clean(content)
    if not content:
        raise DomainError(_("A note cannot be empty."), field="content")
    return content


def note_create(
    *,
    actor: User,
    content: str,
    deal: Deal | None = None,
    person: Person | None = None,
    organization: Organization | None = None,
) -> Note:
    _check_targets(actor, deal, person, organization)
    return note_create_unchecked(
        actor=actor, content=content, deal=deal, person=person, organization=organization
    )


@transaction.atomic
def note_create_unchecked(
    *,
    actor: User,
    content: str,
    deal: Deal | None = None,
    person: Person | None = None,
    organization: Organization | None = None,
) -> Note:
    content = _note_content(content)
    return Note.objects.create(
        content=content,
        author=actor,
        **_targets(deal, person, organization),
    )


def _check_note_author(actor: User, note: Note) -> None:
    if note.author_id != actor.pk and not actor.is_crm_admin:
        raise NotPermitted(_("Only its author or an admin may change a note."))


@transaction.atomic
def note_update(*, actor: User, note: Note, content: str) -> Note:
    _check_note_author(actor, note)
    note.content = _note_content(content)
    note.save(update_fields=["content", "updated_at"])
    return note


@transaction.atomic
def note_delete(*, actor: User, note: Note) -> None:
    _check_note_author(actor, note)
    note.delete()


def _next_due(activities) -> datetime | None:
    nxt = activities.filter(done=False).aggregate(d=Min("due_date"))["d"]
    return timezone.make_aware(datetime.combine(nxt, time.min)) if nxt else None


def deal_refresh_next_activity(deal: Deal | None) -> None:
    """Keep Deal.next_activity_at (read by lists and the board) equal to its next open one."""
    if deal is None:
        return
    # updated_at too: the board polls for changed deals by it.
    Deal.objects.filter(pk=deal.pk).update(
        next_activity_at=_next_due(Activity.objects.filter(deal=deal)), updated_at=timezone.now()
    )


def refresh_next_activity(activity: Activity) -> None:
    """Refresh the next-activity date of every record the activity is on.

    Leads link their activities from above (`Lead.activities`); the reverse accessor reaches
    them without this app importing leads.
    """
    deal_refresh_next_activity(activity.deal)
    for lead in activity.leads.all():
        type(lead).objects.filter(pk=lead.pk).update(
            next_activity_at=_next_due(lead.activities.all())
        )


def activity_create(
    *,
    actor: User,
    deal: Deal | None = None,
    person: Person | None = None,
    organization: Organization | None = None,
    **fields,
) -> Activity:
    """Schedule an activity (fields as `activity_create_unchecked`) on records the actor sees."""
    _check_targets(actor, deal, person, organization)
    return activity_create_unchecked(
        actor=actor, deal=deal, person=person, organization=organization, **fields
    )


@transaction.atomic
def activity_create_unchecked(
    *,
    actor: User,
    subject: str,
    due_date: date,
    type: str = ActivityType.CALL,
    due_time: time | None = None,
    duration_minutes: int | None = None,
    assignee: User | None = None,
    note: str = "",
    deal: Deal | None = None,
    person: Person | None = None,
    organization: Organization | None = None,
) -> Activity:
    subject = (subject or "").strip()
    if not subject:
        raise DomainError(_("A subject is required."), field="subject")
    if type not in ActivityType.values:
        raise DomainError(_("Unknown activity type."), field="type")
    if due_date is None:
        raise DomainError(_("A due date is required."), field="due_date")
    if duration_minutes is not None and not 0 <= int(duration_minutes) <= 60 * 24 * 31:
        raise DomainError(_("Enter a duration in minutes."), field="duration_minutes")
    _check_assignee(actor, assignee)
    activity = Activity.objects.create(
        subject=subject[:255],
        type=type,
        due_date=due_date,
        due_time=due_time,
        duration_minutes=duration_minutes,
        assignee=assignee or actor,
        created_by=actor,
        note=(note or "").strip(),
        **_targets(deal, person, organization),
    )
    deal_refresh_next_activity(activity.deal)
    return activity


def _check_activity(actor: User, activity: Activity) -> None:
    if activity.assignee_id == actor.pk or activity.created_by_id == actor.pk:
        return
    for record in (activity.deal, activity.person, activity.organization):
        if record is not None and can_edit(actor, record):
            return
    raise NotPermitted(_("You may not change this activity."))


@transaction.atomic
def activity_set_done(*, actor: User, activity: Activity, done: bool = True) -> Activity:
    _check_activity(actor, activity)
    activity.done = done
    activity.done_at = timezone.now() if done else None
    activity.done_by = actor if done else None
    activity.save(update_fields=["done", "done_at", "done_by"])
    refresh_next_activity(activity)
    return activity


@transaction.atomic
def activity_update(*, actor: User, activity: Activity, **fields) -> Activity:
    _check_activity(actor, activity)
    allowed = {"subject", "type", "due_date", "due_time", "duration_minutes", "note", "assignee"}
    for name, value in fields.items():
        if name not in allowed:
            raise DomainError(_("%(field)s cannot be changed here.") % {"field": name}, field=name)
        if name == "assignee" and value != activity.assignee:
            _check_assignee(actor, value)
        setattr(activity, name, value)
    if not (activity.subject or "").strip():
        raise DomainError(_("A subject is required."), field="subject")
    if activity.type not in ActivityType.values:
        raise DomainError(_("Unknown activity type."), field="type")
    activity.save()
    refresh_next_activity(activity)
    return activity


@transaction.atomic
def activity_delete(*, actor: User, activity: Activity) -> None:
    _check_activity(actor, activity)
    deal, leads = activity.deal, list(activity.leads.all())
    activity.delete()
    deal_refresh_next_activity(deal)
    for lead in leads:
        type(lead).objects.filter(pk=lead.pk).update(
            next_activity_at=_next_due(lead.activities.all())
        )


def email_log(
    *,
    actor: User,
    deal: Deal | None = None,
    person: Person | None = None,
    organization: Organization | None = None,
    **fields,
) -> Email:
    """Log an e-mail (fields as `email_log_unchecked`) on records the actor sees."""
    _check_targets(actor, deal, person, organization)
    return email_log_unchecked(
        actor=actor, deal=deal, person=person, organization=organization, **fields
    )


@transaction.atomic
def email_log_unchecked(
    *,
    actor: User,
    sender: str,
    recipients: str,
    subject: str = "",
    body: str = "",
    sent_at: datetime | None = None,
    deal: Deal | None = None,
    person: Person | None = None,
    organization: Organization | None = None,
) -> Email:
    sender, recipients = (sender or "").strip(), (recipients or "").strip()
    if not sender:
        raise DomainError(_("Who sent it?"), field="sender")
    if not recipients:
        raise DomainError(_("To whom was it sent?"), field="recipients")
    return Email.objects.create(
        sender=sender[:254],
        recipients=recipients,
        subject=(subject or "").strip()[:255],
        body=body or "",
        sent_at=sent_at or timezone.now(),
        logged_by=actor,
        **_targets(deal, person, organization),
    )
