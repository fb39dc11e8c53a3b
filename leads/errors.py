"""The leads' domain errors, shown at the edge as form errors, messages or 4xx answers."""

from __future__ import annotations

from django.utils.translation import gettext as _

from contacts.selectors import DuplicateMatch
from crm.errors import DomainError
from deals.models import Deal


class AlreadyConverted(DomainError):
    code = "already_converted"

    def __init__(self, deal: Deal | None):
        super().__init__(_("This lead was already converted into a deal."))
        self.deal = deal


class AlreadyBackToLead(DomainError):
    """The deal is gone: an earlier request (a double click) sent it back to the inbox."""

    code = "already_back_to_lead"

    def __init__(self):
        super().__init__(_("This deal was already sent back to the leads inbox."))


class DuplicateContacts(DomainError):
    """The lead's person or organization looks like existing ones: the user must choose."""

    code = "duplicates_found"

    def __init__(self, *, person: list[DuplicateMatch], organization: list[DuplicateMatch]):
        super().__init__(
            _("Possible duplicates found: choose to use an existing record or keep the new one.")
        )
        self.person = person
        self.organization = organization
