"""The people and organization lists' filters, and finding a person or an organization by what
a user types: one way, used by the lists, `GET /api/v1/persons/` and `organizations/`, the
exports and the global search."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import Case, Expression, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from contacts.models import Organization, Person, PersonEmail, PersonPhone
from contacts.normalize import (
    domain_key,
    email_key,
    match_fold,
    organization_name_key,
    person_name_key,
    phone_key,
)
from contacts.selectors import organization_list, person_list
from crm.custom_fields.query import apply_custom_filters, custom_params
from crm.filters import OwnerScope, owner_scope_q, param_scope, param_text
from crm.models import FieldEntity, User

# Enough digits to be a phone number being typed, not a year or a house number.
PHONE_MIN_DIGITS = 5
_PHONE_CHARS = re.compile(r"^[\d\s()+./-]+$")
# Shortest part of an e-mail address or a domain searched for (trigrams need three letters).
_PART_MIN_LENGTH = 3


def person_search_q(query: str) -> Q:
    """People by name, e-mail address (or any part of one) or phone number (or its digits).

    The name is compared as `person_name_key` stores it: case, accents and transliterations
    folded on both sides ("Juergen" and "weissmüller" find "Jürgen Weißmüller"). Each arm has
    its index on PostgreSQL (pg_trgm GIN indexes on the folded name, the e-mail address and
    the phone key; migration 0007), so a search does not read the whole table: the arms are
    one UNION of person ids (an OR of a column and a subquery would be a sequential scan).
    """
    found = []
    key = person_name_key(query)
    if key:
        found.append(Person.objects.filter(name_key__contains=key).values("pk"))
    emails = _email_q(query)
    if emails is not None:
        found.append(PersonEmail.objects.filter(emails).values("person_id"))
    phones = _phone_q(query)
    if phones is not None:
        found.append(PersonPhone.objects.filter(phones).values("person_id"))
    if not found:
        return Q(pk__in=[])
    ids = [part.order_by() for part in found]  # no Meta.ordering inside a UNION
    return Q(pk__in=ids[0].union(*ids[1:]) if len(ids) > 1 else ids[0])


def _email_q(query: str) -> Q | None:
    text = query.strip()
    if " " in text or len(text) < _PART_MIN_LENGTH:
        return None
    # Any part of an address as written ("jane" finds max@janeway.example), or the address
    # another spelling of which is stored ("annaberg@gmail.com" for "Anna.Berg+x@gmail.com").
    match = Q(email__icontains=text)
    key = email_key(text)
    if key:
        match |= Q(key=key)
    return match


def _phone_q(query: str) -> Q | None:
    digits = re.sub(r"\D", "", query)
    if not _PHONE_CHARS.match(query) or len(digits) < PHONE_MIN_DIGITS:
        return None
    # A national number ("030 1234567") is stored in E.164; a fragment matches its digits;
    # a number stored as typed (no key: `phone_key` could not read it) matches as written.
    match = Q(key__contains=digits.lstrip("0") or digits) | Q(key="", number__contains=query)
    phone = phone_key(query, settings.CRM_DEFAULT_COUNTRY)
    if phone:
        match |= Q(key=phone)
    return match


def organization_search_q(query: str) -> Q:
    """Organizations by name (accents, case, transliterations and legal forms folded) or by
    any part of their web domain; indexed as `person_search_q` is."""
    match = Q(pk__in=[])
    for key in {organization_name_key(query), match_fold(query)} - {""}:
        match |= Q(name_key__contains=key)
    text = query.strip().lower()
    if " " not in text and len(text) >= _PART_MIN_LENGTH:
        match |= Q(domain__contains=domain_key(text) or text)
    return match


def person_search_rank(query: str) -> Expression:
    """How well a person found by `person_search_q` answers `query`: higher first.

    The same folded name, then a name starting so, then one with the same word, then a word
    starting so, then the rest; on PostgreSQL ties go by trigram similarity of the names.
    """
    return _name_rank(person_name_key(query))


def organization_search_rank(query: str) -> Expression:
    """As `person_search_rank`, for organizations (legal forms folded away)."""
    return _name_rank(organization_name_key(query))


def _name_rank(key: str) -> Expression:
    if not key:
        return Value(0.0)
    rank = Case(
        When(name_key=key, then=Value(3.0)),
        When(name_key__startswith=key, then=Value(2.0)),
        When(Q(name_key__endswith=f" {key}") | Q(name_key__contains=f" {key} "), then=Value(1.5)),
        When(name_key__contains=f" {key}", then=Value(1.0)),
        default=Value(0.0),
    )
    if connection.vendor == "postgresql":
        # Below half a tier (0..0.4): it orders within a tier only.
        rank = rank + TrigramSimilarity("name_key", key) * Value(0.4)
    return rank


@dataclass(frozen=True)
class ContactFilters:
    q: str = ""
    scope: str = OwnerScope.ALL
    owner: int | None = None  # one user's records (the API's `owner`)
    organization: int | None = None  # people of one organization (the API's)
    custom: tuple[tuple[str, str], ...] = ()  # `cf_<key>` parameters (crm.custom_fields)

    @classmethod
    def from_query(cls, params: Mapping) -> ContactFilters:
        """As the people and organization pages (and so their exports) read their query."""
        return cls(q=param_text(params), scope=param_scope(params), custom=custom_params(params))


def _common(qs: QuerySet, user: User, filters: ContactFilters, entity: str) -> QuerySet:
    if filters.custom:
        qs = apply_custom_filters(qs, entity, dict(filters.custom))
    if filters.owner is not None:
        qs = qs.filter(owner_id=filters.owner)
    return qs.filter(owner_scope_q(user, filters.scope))


def person_filter(
    *, user: User, filters: ContactFilters, qs: QuerySet | None = None
) -> QuerySet[Person]:
    qs = person_list(user=user) if qs is None else qs
    if filters.q:
        # `search_rank`: the list page orders by it unless the user picked an order.
        qs = qs.filter(person_search_q(filters.q)).annotate(
            search_rank=person_search_rank(filters.q)
        )
    if filters.organization is not None:
        qs = qs.filter(organization_id=filters.organization)
    return _common(qs, user, filters, FieldEntity.PERSON)


def organization_filter(
    *, user: User, filters: ContactFilters, qs: QuerySet | None = None
) -> QuerySet[Organization]:
    qs = organization_list(user=user) if qs is None else qs
    if filters.q:
        qs = qs.filter(organization_search_q(filters.q)).annotate(
            search_rank=organization_search_rank(filters.q)
        )
    return _common(qs, user, filters, FieldEntity.ORGANIZATION)


# The exports' columns: heading, value of a record (imports/exports.py writes them).
PERSON_EXPORT_COLUMNS = [
    (_("Name"), lambda p: p.name),
    (_("E-mail"), lambda p: p.primary_email),
    (_("Phone"), lambda p: p.primary_phone),
    (_("Organization"), lambda p: p.organization and p.organization.name),
    (_("Job title"), lambda p: p.job_title),
    (_("Owner"), lambda p: str(p.owner)),
    (_("Created"), lambda p: p.created_at),
]
ORGANIZATION_EXPORT_COLUMNS = [
    (_("Name"), lambda o: o.name),
    (_("Address"), lambda o: o.address),
    (_("Website"), lambda o: o.website),
    (_("Owner"), lambda o: str(o.owner)),
    (_("Created"), lambda o: o.created_at),
]
