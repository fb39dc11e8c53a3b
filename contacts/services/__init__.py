"""Writes of persons and organizations, merges included.

`records`: create, update and delete; `resolve`: the contact a form names, picked or new;
`merge`: folding one record into another.
"""

from contacts.services.merge import (
    ORGANIZATION_MERGE_FIELDS,
    PERSON_MERGE_FIELDS,
    organization_merge,
    organization_merge_unchecked,
    person_merge,
    person_merge_unchecked,
)
from contacts.services.records import (
    organization_create,
    organization_delete,
    organization_update,
    person_create,
    person_delete,
    person_update,
)
from contacts.services.resolve import (
    ContactRef,
    organization_resolve,
    person_resolve,
    person_save,
)

__all__ = [
    "ORGANIZATION_MERGE_FIELDS",
    "PERSON_MERGE_FIELDS",
    "ContactRef",
    "organization_create",
    "organization_delete",
    "organization_merge",
    "organization_merge_unchecked",
    "organization_resolve",
    "organization_update",
    "person_create",
    "person_delete",
    "person_merge",
    "person_merge_unchecked",
    "person_resolve",
    "person_save",
    "person_update",
]
