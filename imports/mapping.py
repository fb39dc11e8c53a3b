"""The fields each kind of import fills, and the automatic mapping of column headings to them.

Headings match our field names, their labels, and the export headings of other CRMs
(Pipedrive's "Deal - Title", "Person - Email", ...) and of the Maven sales data set. Pure: no ORM.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from contacts.normalize import fold

IGNORE = ""


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False


_OWNER = Field(
    "owner",
    _("Owner"),
    (
        "owner name",
        "assigned to",
        "assignee",
        "sales agent",
        "sales rep",
        "account owner",
        "deal owner",
        "lead owner",
        "contact owner",
        "deal - owner",
        "lead - owner",
        "person - owner",
        "organization - owner",
        "owner email",
    ),
)
_VISIBLE = Field(
    "visible_to",
    _("Visible to"),
    (
        "visibility",
        "visible to",
        "deal - visible to",
        "person - visible to",
        "organization - visible to",
        "lead - visible to",
    ),
)
_PERSON_NAME = Field(
    "person_name",
    _("Person name"),
    (
        "person",
        "contact",
        "contact name",
        "contact person",
        "person - name",
        "full name",
        "deal - contact person",
        "lead - contact person",
    ),
)
_PERSON_EMAIL = Field(
    "person_email",
    _("Person e-mail"),
    (
        "email",
        "e-mail",
        "email address",
        "person - email",
        "contact email",
        "work email",
        "person - email - work",
    ),
)
_PERSON_PHONE = Field(
    "person_phone",
    _("Person phone"),
    (
        "phone",
        "telephone",
        "mobile",
        "phone number",
        "person - phone",
        "contact phone",
        "person - phone - work",
    ),
)
_ORGANIZATION_NAME = Field(
    "organization_name",
    _("Organization name"),
    (
        "organization",
        "organisation",
        "company",
        "company name",
        "account",
        "account name",
        "organization - name",
        "deal - organization",
        "lead - organization",
        "person - organization",
    ),
)
_VALUE = Field(
    "value",
    _("Value"),
    ("amount", "deal value", "deal - value", "lead - value", "close value", "revenue"),
)
_CURRENCY = Field("currency", _("Currency"), ("deal - currency", "lead - currency"))
_EXPECTED = Field(
    "expected_close_date",
    _("Expected close date"),
    (
        "expected close",
        "deal - expected close date",
        "lead - expected close date",
    ),
)

FIELDS: dict[str, tuple[Field, ...]] = {
    "organizations": (
        Field(
            "name",
            _("Name"),
            (
                "organization",
                "organisation",
                "organization name",
                "company",
                "company name",
                "account",
                "account name",
                "organization - name",
            ),
            required=True,
        ),
        Field(
            "address",
            _("Address"),
            ("organization - address", "office location", "location", "street address"),
        ),
        Field(
            "website", _("Website"), ("web", "url", "domain", "homepage", "organization - website")
        ),
        _OWNER,
        _VISIBLE,
    ),
    "persons": (
        Field(
            "name",
            _("Name"),
            ("person", "full name", "contact", "contact name", "person - name"),
            required=True,
        ),
        Field("email", _("E-mail"), _PERSON_EMAIL.aliases),
        Field("phone", _("Phone"), _PERSON_PHONE.aliases),
        Field("organization_name", _("Organization"), _ORGANIZATION_NAME.aliases),
        Field("job_title", _("Job title"), ("position", "title", "person - job title", "role")),
        _OWNER,
        _VISIBLE,
    ),
    "leads": (
        Field(
            "title",
            _("Title"),
            ("lead title", "lead - title", "lead name", "name", "subject"),
            required=True,
        ),
        _VALUE,
        _CURRENCY,
        _EXPECTED,
        _PERSON_NAME,
        _PERSON_EMAIL,
        _PERSON_PHONE,
        _ORGANIZATION_NAME,
        _OWNER,
        _VISIBLE,
    ),
    "deals": (
        Field(
            "title",
            _("Title"),
            (
                "deal title",
                "deal - title",
                "deal name",
                "name",
                "opportunity",
                "opportunity id",
                "opportunity name",
            ),
            required=True,
        ),
        _VALUE,
        _CURRENCY,
        Field(
            "stage", _("Stage (or Won / Lost)"), ("deal stage", "deal - stage", "pipeline stage")
        ),
        Field("status", _("Status (open, won, lost)"), ("deal - status", "deal status")),
        _EXPECTED,
        Field(
            "close_date",
            _("Won / lost date"),
            (
                "close date",
                "closed on",
                "won time",
                "lost time",
                "deal - won time",
                "deal - lost time",
                "deal - close date",
                "deal closed on",
            ),
        ),
        _PERSON_NAME,
        _PERSON_EMAIL,
        _PERSON_PHONE,
        _ORGANIZATION_NAME,
        _OWNER,
        _VISIBLE,
    ),
}


def fields_of(kind: str) -> tuple[Field, ...]:
    return FIELDS[kind]


def field_keys(kind: str) -> set[str]:
    return {f.key for f in FIELDS[kind]}


def _names(field: Field) -> list[str]:
    return [fold(field.key), fold(str(field.label)), *(fold(alias) for alias in field.aliases)]


def auto_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    """{heading: field key or "" (ignored)}; each field is given to one column at most.

    A heading that names the field exactly wins over one that is only an alias ("Name" goes
    to the name, not "Contact name" that comes first).
    """
    mapping = {header: IGNORE for header in headers if header}
    taken: set[str] = set()
    for round_ in ("exact", "alias"):
        for header in headers:
            if not header or mapping.get(header):
                continue
            folded = fold(header)
            for field in FIELDS[kind]:
                if field.key in taken:
                    continue
                names = (
                    [fold(field.key), fold(str(field.label))]
                    if round_ == "exact"
                    else _names(field)
                )
                if folded in names:
                    mapping[header] = field.key
                    taken.add(field.key)
                    break
    return mapping


def clean_mapping(kind: str, headers: list[str], mapping: dict | None) -> dict[str, str]:
    """A mapping given by a person or a client, checked; headings it leaves out are ignored."""
    keys = field_keys(kind)
    result = {header: IGNORE for header in headers if header}
    for header, key in (mapping or {}).items():
        if header in result and key in keys:
            result[header] = key
    return result


def missing_required(kind: str, mapping: dict[str, str]) -> list[Field]:
    used = set(mapping.values())
    return [f for f in FIELDS[kind] if f.required and f.key not in used]
