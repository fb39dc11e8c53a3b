"""What a plan is made of: one RowPlan per row, and the contacts the file creates (NewPerson,
NewOrganization), which rows share; plus what the rows look up in the database (Wanted).

Plain dataclasses: a kept plan (imports/planning/kept.py) stores them as tuples, so bump its
FORMAT when a field changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from contacts.models import Organization, Person
from contacts.normalize import organization_index_fields, person_index_fields
from imports.models import RowAction


@cache
def _attnames(model) -> frozenset[str]:
    return frozenset(f.attname for f in model._meta.concrete_fields)


def model_fields(model, values: dict) -> dict:
    """Only the keys `model` has: the index fields grow as the duplicate check does."""
    names = _attnames(model)
    return {k: v for k, v in values.items() if k in names}


@dataclass
class NewOrganization:
    name: str
    website: str = ""
    address: str = ""
    owner_id: int | None = None
    visible_to: str = ""
    row: int = 0
    instance: Organization | None = None
    pk: int | None = None  # set once written


@dataclass
class NewPerson:
    name: str
    emails: list[tuple[str, str]] = field(default_factory=list)
    phones: list[tuple[str, str]] = field(default_factory=list)
    organization: NewOrganization | int | None = None
    job_title: str = ""
    owner_id: int | None = None
    visible_to: str = ""
    row: int = 0
    pk: int | None = None  # set once written
    index: dict = field(default_factory=dict)  # person_index_fields of the name


@dataclass
class RowPlan:
    number: int
    action: str = RowAction.CREATED
    errors: list[dict] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)
    # The record the row creates (a New* or the values of a lead/deal) or updates (its id).
    new: object | None = None
    existing_id: int | None = None
    duplicate: dict | None = None
    person: NewPerson | int | None = None
    organization: NewOrganization | int | None = None

    def fail(self, column: str, message: str) -> None:
        self.action = RowAction.FAILED
        self.errors.append({"row": self.number, "column": column, "message": message})


@dataclass
class Wanted:
    """The keys of a file's rows that are looked up in the database: what the plan's matches
    depend on besides the file."""

    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    person_names: set[str] = field(default_factory=set)
    organization_names: set[str] = field(default_factory=set)
    # Names of rows without an e-mail or phone: a similar name is their only hint.
    uncontacted_names: set[str] = field(default_factory=set)
    # Rows with an e-mail or phone and an organization: their name, e-mail, phone and
    # organization keys, then their name's `BLOCK_FIELDS`.
    contacted: set[tuple[str, ...]] = field(default_factory=set)


def organization_row_fields(new: NewOrganization) -> dict:
    return model_fields(Organization, organization_index_fields(new.name, new.website))


def person_row_fields(new: NewPerson) -> dict:
    return model_fields(Person, new.index or person_index_fields(new.name))
