"""What can go to the trash, and how each kind is titled and scoped."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Left
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Note
from activities.selectors import item_visible_q
from contacts.models import Organization, Person
from crm.models import User
from crm.visibility import visible_q
from deals.models import Deal
from leads.models import Lead


class TrashKind(models.TextChoices):
    DEAL = "deal", _("Deal")
    LEAD = "lead", _("Lead")
    PERSON = "person", _("Person")
    ORGANIZATION = "organization", _("Organization")
    NOTE = "note", _("Note")
    ACTIVITY = "activity", _("Activity")


@dataclass(frozen=True)
class Kind:
    model: type[models.Model]
    title: models.Expression
    is_item: bool = False  # a note or activity: as private as the record it hangs off

    def visible(self, user: User) -> Q:
        return item_visible_q(user, self.model) if self.is_item else visible_q(user)


KINDS: dict[str, Kind] = {
    TrashKind.DEAL: Kind(Deal, F("title")),
    TrashKind.LEAD: Kind(Lead, F("title")),
    TrashKind.PERSON: Kind(Person, F("name")),
    TrashKind.ORGANIZATION: Kind(Organization, F("name")),
    # The note's start, its markup stripped when shown.
    TrashKind.NOTE: Kind(Note, Left("content", 300), is_item=True),
    TrashKind.ACTIVITY: Kind(Activity, F("subject"), is_item=True),
}

# What must be back before a record can be: the records it hangs off, by field.
PARENTS: dict[str, tuple[str, ...]] = {
    TrashKind.DEAL: ("person", "organization"),
    TrashKind.LEAD: ("person", "organization"),
    TrashKind.PERSON: (),  # its organization is a link it keeps, not a record it hangs off
    TrashKind.ORGANIZATION: (),
    TrashKind.NOTE: ("deal", "person", "organization"),
    TrashKind.ACTIVITY: ("deal", "person", "organization"),
}
