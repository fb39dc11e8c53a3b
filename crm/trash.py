"""Moving a record to the trash: what every app's delete service does (the trash app lists,
restores and purges). Only the record's own row is marked: what hangs off it (a deal's notes,
history and products, a person's e-mails) keeps its rows and links untouched and is hidden
because its record is, so a restore gives everything back as it was."""

from django.utils import timezone

from crm.models import Trashable, User


def move_to_trash(*, record: Trashable, actor: User, touch: bool = False) -> None:
    """`touch`: set `updated_at` too (a deal: the open boards poll for changed deals by it)."""
    # An update, not save(): the record's fields (the deal's `version`) stay as they were,
    # and the deal tally's trigger sees the deal leave.
    now = timezone.now()
    changes = {"deleted_at": now, "deleted_by": actor} | ({"updated_at": now} if touch else {})
    type(record).all_objects.filter(pk=record.pk).update(**changes)
    record.deleted_at, record.deleted_by = now, actor
