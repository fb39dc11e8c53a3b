"""Moving a record to the trash: what every app's delete service does (the trash app lists,
restores and purges). Only the record's own row is marked: what hangs off it (a deal's notes,
history and products, a person's e-mails) keeps its rows and links untouched and is hidden
because its record is, so a restore gives everything back as it was."""

from django.utils import timezone

from crm.models import Trashable, User


def move_to_trash(*, record: Trashable, actor: User) -> None:
    # An update, not save(): `updated_at` and the deal's `version` stay as they were, and the
    # deal tally's trigger sees the deal leave.
    now = timezone.now()
    type(record).all_objects.filter(pk=record.pk).update(deleted_at=now, deleted_by=actor)
    record.deleted_at, record.deleted_by = now, actor
