"""The rules of a contact's fields, as plain functions.

The contact services clean what they write with them (contacts/services/records.py), and the
import's planner checks every row of a file with them (imports/planning/planner.py), so a
value is refused with the same message wherever it comes from. Each returns the clean value,
or returns nothing, or raises `DomainError` naming the field.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from crm.errors import DomainError

# The columns: Person.name and Organization.name; PersonEmail.email; PersonPhone.number.
NAME_MAX_LENGTH = 255
EMAIL_MAX_LENGTH = 254
PHONE_MAX_LENGTH = 64


def clean_name(name: str | None, *, field: str = "name") -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("A name is required."), field=field)
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(_("At most 255 characters."), field=field)
    return name


def check_email(raw: str, key: str, *, field: str = "emails") -> None:
    """An address as written and its key (`contacts.normalize.email_key`, which the caller
    computes: the import computes each once per file): no key, no address."""
    if not key or len(raw) > EMAIL_MAX_LENGTH:
        raise DomainError(_("“%(value)s” is not an e-mail address.") % {"value": raw}, field=field)


def check_phone(raw: str, key: str, *, field: str = "phones") -> None:
    """A number as written and its key (`contacts.normalize.phone_key`). One the key cannot
    read is kept as typed with no key (so it matches no other): an unusual national format, a
    number too short or a typo must not stop a person from being saved; the person page and
    the API mark it. Text without a single digit is no number at all and refused."""
    if len(raw) > PHONE_MAX_LENGTH or not any(ch.isdigit() for ch in raw):
        raise DomainError(_("“%(value)s” is not a phone number.") % {"value": raw}, field=field)
