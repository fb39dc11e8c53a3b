"""The people and organization lists' filters, and finding a person or an organization by what
a user types: one way, used by the lists, `GET /api/v1/persons/` and `organizations/`, the
exports and the global search."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from contacts.models import Organization, Person, PersonEmail, PersonPhone
from contacts.normalize import domain_key, organization_name_key, person_name_key, phone_key
from contacts.selectors import organization_list, person_list
from crm.custom_fields.query import apply_custom_filters, custom_params
from crm.filters import OwnerScope, owner_scope_q, param_scope, param_text
from crm.models import FieldEntity, User

# Enough digits to be a phone number being typed, not a year or a house number.
PHONE_MIN_DIGITS = 5
_PHONE_CHARS = re.compile(r"^[\d\s()+./-]+$")


def person_search_q(query: str) -> Q:
    """People by name (accents and case folded), e-mail address (or its start) or phone."""
    match = Q(name__icontains=query)
    key = person_name_key(query)
    if key:
        match |= Q(name_key__contains=key)
    if " " not in query and len(query) >= 3:
        # Any part of an address: "jane" finds max@janeway.example too.
        emails = PersonEmail.objects.filter(email__icontains=query)
        match |= Q(pk__in=emails.values("person_id"))
    digits = re.sub(r"\D", "", query)
    if _PHONE_CHARS.match(query) and len(digits) >= PHONE_MIN_DIGITS:
        # A national number ("030 1234567") is stored in E.164; a fragment matches its digits.
        phone_match = Q(key__contains=digits.lstrip("0") or digits)
        phone = phone_key(query, settings.CRM_DEFAULT_COUNTRY)
        if phone:
            phone_match |= Q(key=phone)
        match |= Q(pk__in=PersonPhone.objects.filter(phone_match).values("person_id"))
    return match


def organization_search_q(query: str) -> Q:
    """Organizations by name (accents, case and legal suffixes folded) or web domain."""
    match = Q(name__icontains=query)
    key = organization_name_key(query)
    if key:
        match |= Q(name_key__contains=key)
    domain = domain_key(query)
    if domain:
        match |= Q(domain__startswith=domain)
    return match


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
        qs = qs.filter(person_search_q(filters.q))
    if filters.organization is not None:
        qs = qs.filter(organization_id=filters.organization)
    return _common(qs, user, filters, FieldEntity.PERSON)


def organization_filter(
    *, user: User, filters: ContactFilters, qs: QuerySet | None = None
) -> QuerySet[Organization]:
    qs = organization_list(user=user) if qs is None else qs
    if filters.q:
        qs = qs.filter(organization_search_q(filters.q))
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
