"""Back to lead: an open deal returns to the leads inbox, to be qualified and converted again.

The reverse of `leads/conversion.py`. A deal converted from a lead reopens that lead row (its
`deal` link cleared, so the unique `Lead.deal` column takes the next conversion); a deal
added directly becomes a new lead. Either way the lead takes the deal's current title, value,
contacts, labels, owner and visibility. The deal's notes, activities and e-mails move back
through the lead's link tables (and stay on its person and organization); its stage history
is written on the lead as a note, and the deal row is deleted, as Pipedrive does: a deal kept
in the database would count on the board, in the tallies and in every report unless each of
them learned to skip it, while the lead now carries all that was written on it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from activities.models import Activity, Email, Note
from activities.services import note_create_unchecked, refresh_next_activity
from crm.errors import DomainError, StaleVersion
from crm.models import User
from crm.services import check_edit
from deals.models import Deal, DealHistory, DealStatus, HistoryKind
from deals.selectors import deal_history
from leads.errors import AlreadyBackToLead
from leads.models import Lead, LeadSource

# A deal moved back and forth for years: the note keeps its newest changes, within a note's size.
HISTORY_LINES = 500


@transaction.atomic
def deal_to_lead(*, actor: User, deal: Deal, version: int | None = None) -> Lead:
    """Send an open deal back to the leads inbox; returns the lead (reopened or new).

    Whoever may edit the deal may do it (as whoever may edit a lead may convert it): nothing
    is lost, the lead keeps the deal's owner and visibility and everything written on it.
    """
    check_edit(actor=actor, record=deal)
    # Lock the deal, then its lead: two clicks on "Back to leads" must give one lead. The
    # second waits here for the first, then finds the deal gone.
    locked = Deal.objects.select_for_update(of=("self",)).filter(pk=deal.pk).first()
    if locked is None:
        raise AlreadyBackToLead
    if version is not None and int(version) != locked.version:
        raise StaleVersion(
            _("Someone else changed this deal since you loaded it. Here is its current state."),
            current=locked,
        )
    if locked.status != DealStatus.OPEN:
        raise DomainError(
            _("Only an open deal can go back to the leads inbox. Reopen it first."),
            field="status",
            code="deal_closed",
        )
    lead = Lead.objects.select_for_update().filter(deal=locked).first()
    history = _history_text(locked)
    fields = {
        "title": locked.title,
        "person": locked.person,
        "organization": locked.organization,
        "value": locked.value,
        "currency": locked.currency,
        "expected_close_date": locked.expected_close_date,
        "owner": locked.owner,
        "visible_to": locked.visible_to,
    }
    if lead is None:
        source = locked.source if locked.source in LeadSource.values else LeadSource.MANUAL
        lead = Lead.objects.create(source=source, **fields)
    else:
        for name, value in fields.items():
            setattr(lead, name, value)
        lead.deal, lead.converted_at, lead.converted_by, lead.archived_at = None, None, None, None
        lead.save()
    lead.labels.set(locked.labels.all())

    # What was written on the deal goes to the lead; it stays on the person and organization.
    lead.notes.add(*Note.objects.filter(deal=locked))
    lead.activities.add(*Activity.objects.filter(deal=locked))
    lead.emails.add(*Email.objects.filter(deal=locked))
    for model in (Note, Activity, Email):
        model.objects.filter(deal=locked).update(deal=None)
    lead.notes.add(
        note_create_unchecked(
            actor=actor,
            content=history,
            person=lead.person,
            organization=lead.organization,
        )
    )
    locked.delete()

    first = lead.activities.order_by("id").first()
    if first is not None:
        refresh_next_activity(first)
    else:
        Lead.objects.filter(pk=lead.pk).update(next_activity_at=None)
    lead.refresh_from_db()
    return lead


def _history_text(deal: Deal) -> str:
    """The deal's stage and status history, oldest first, for the note the lead keeps."""
    lines = [
        _("Back to the leads inbox from the deal “%(title)s” (pipeline %(pipeline)s).")
        % {"title": deal.title, "pipeline": deal.pipeline.name},
        _("What happened to the deal:"),
    ]
    rows = list(deal_history(deal=deal).order_by("-created_at", "-id")[: HISTORY_LINES + 1])
    if len(rows) > HISTORY_LINES:
        rows = rows[:HISTORY_LINES]
        lines.append("- " + _("… and earlier changes"))
    for row in reversed(rows):
        lines.append(f"- {_when(row.created_at)}: {_what(row)}")
    sent_back = _("sent back to the leads inbox from %(stage)s") % {"stage": deal.stage.name}
    lines.append(f"- {_when(timezone.now())}: {sent_back}")
    return "\n".join(lines)


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT")


def _what(row: DealHistory) -> str:
    to_stage = row.to_stage.name if row.to_stage else ""
    if row.kind == HistoryKind.CREATED:
        return _("created in %(stage)s") % {"stage": to_stage}
    if row.kind == HistoryKind.CONVERTED:
        return _("converted from a lead into %(stage)s") % {"stage": to_stage}
    if row.kind == HistoryKind.STAGE:
        return _("moved from %(from)s to %(to)s") % {
            "from": row.from_stage.name if row.from_stage else "—",
            "to": to_stage,
        }
    return _("%(from)s → %(to)s") % {
        "from": DealStatus(row.from_status).label if row.from_status else "—",
        "to": DealStatus(row.to_status).label if row.to_status else "—",
    }
