"""Restoring what is in the trash, and purging what has been there too long.

Deleting is each app's own service (`deal_delete`, `note_delete`, ...), which marks only the
record's row (`crm/trash.py`); what hangs off it went out of sight with it and comes back
with it, so a restore is clearing that mark.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.services import refresh_next_activity
from crm.errors import DomainError
from crm.models import User
from trash.kinds import KINDS, PARENTS, TrashKind
from trash.selectors import trash_get


@transaction.atomic
def trash_restore(*, actor: User, item_id: str) -> tuple[str, Model]:
    """Put a record back as it was, with all that went with it. Whoever may see it in the
    trash may restore it (a 404 otherwise). Refused while a record it hangs off (a note's
    deal, a deal's person) is in the trash itself: restore that one first."""
    kind, record = trash_get(user=actor, item_id=item_id)
    # Lock it: two clicks on "Restore" restore once.
    model = KINDS[kind].model
    record = model.all_objects.select_for_update().get(pk=record.pk)
    if record.deleted_at is None:
        return kind, record
    for field in PARENTS[kind]:
        parent = getattr(record, field)
        if parent is not None and parent.deleted_at is not None:
            raise DomainError(
                _("Its %(kind)s “%(title)s” is in the trash: restore it first.")
                % {"kind": parent._meta.verbose_name, "title": parent}
            )
    if KINDS[kind].is_item:
        lead = record.leads(manager="all_objects").filter(deleted_at__isnull=False).first()
        if lead is not None:
            raise DomainError(
                _("Its lead “%(title)s” is in the trash: restore it first.") % {"title": lead}
            )
    # An update, not save(): the record comes back unchanged (the deal's `version`), and the
    # deal tally's trigger counts the deal again. A deal's `updated_at` moves on, so that the
    # open boards, which poll for changed deals, show it again.
    changes = {"deleted_at": None, "deleted_by": None}
    if kind == TrashKind.DEAL:
        changes["updated_at"] = timezone.now()
    model.all_objects.filter(pk=record.pk).update(**changes)
    record.deleted_at, record.deleted_by = None, None
    if kind == TrashKind.ACTIVITY:
        refresh_next_activity(record)
    return kind, record


# The order of the purge: what hangs off others first (a deal holds its person).
# A person or organization stays while a deal or lead in the trash still points at it (one
# deleted after it): that one's restore must find it; the next purge after that one's takes it.
PURGE_ORDER = (
    TrashKind.NOTE,
    TrashKind.ACTIVITY,
    TrashKind.LEAD,
    TrashKind.DEAL,
    TrashKind.PERSON,
    TrashKind.ORGANIZATION,
)


@transaction.atomic
def trash_purge(*, now: datetime | None = None, days: int | None = None) -> dict[str, int]:
    """Delete for good what has been in the trash longer than `days` (CRM_TRASH_DAYS), with
    what hangs off it (a deal's notes, history and products). The number purged per kind."""
    days = settings.CRM_TRASH_DAYS if days is None else days
    before = (now or timezone.now()) - timedelta(days=days)
    purged = {}
    for kind in PURGE_ORDER:
        model = KINDS[kind].model
        old = model.all_objects.filter(deleted_at__lt=before)
        if kind in (TrashKind.PERSON, TrashKind.ORGANIZATION):
            old = old.filter(deals__isnull=True, leads__isnull=True)
        purged[kind] = old.count()
        if purged[kind]:
            old.delete()
    return purged
