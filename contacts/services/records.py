"""Writes of persons and organizations: create, update, delete, and the cleaning of their
names, e-mail addresses and phone numbers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from contacts.models import Organization, Person, PersonEmail, PersonPhone
from contacts.normalize import (
    email_key,
    organization_index_fields,
    person_index_fields,
    phone_key,
)
from contacts.validation import check_email, check_phone, clean_name
from crm.custom_fields.values import clean_values as clean_custom_values
from crm.errors import DomainError
from crm.models import FieldEntity, User
from crm.services import (
    apply_owner_change,
    check_delete,
    check_edit,
    resolve_owner_and_visibility,
)
from crm.trash import move_to_trash
from crm.types import UNSET, Unset


def _clean_keyed(values: Iterable[str] | None, key_of, check) -> list[tuple[str, str]]:
    """(as written, key) pairs, first is primary; blanks dropped, repeats (same key) dropped."""
    pairs: list[tuple[str, str]] = []
    for raw in values or ():
        raw = (raw or "").strip()
        if not raw:
            continue
        key = key_of(raw)
        check(raw, key)
        pairs.append((raw, key))
    return _unique_by_key(pairs)


def _unique_by_key(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Repeats dropped: the same key, or, for a value kept without one, the same text."""
    seen: set[tuple[bool, str]] = set()
    unique = []
    for raw, key in pairs:
        marker = (True, key) if key else (False, " ".join(raw.split()).casefold())
        if marker not in seen:
            seen.add(marker)
            unique.append((raw, key))
    return unique


def _clean_emails(emails: Iterable[str] | None) -> list[tuple[str, str]]:
    return _clean_keyed(emails, email_key, check_email)


def _clean_phones(phones: Iterable[str] | None) -> list[tuple[str, str]]:
    """(as written, E.164 key) pairs (`contacts.validation.check_phone`: a number the key
    cannot read is kept as typed, with no key)."""
    return _clean_keyed(
        phones, lambda raw: phone_key(raw, settings.CRM_DEFAULT_COUNTRY), check_phone
    )


def _set_emails(person: Person, emails: list[tuple[str, str]]) -> None:
    person.emails.all().delete()
    PersonEmail.objects.bulk_create(
        PersonEmail(person=person, email=raw, key=key, position=i)
        for i, (raw, key) in enumerate(emails)
    )


def _set_phones(person: Person, phones: list[tuple[str, str]]) -> None:
    person.phones.all().delete()
    PersonPhone.objects.bulk_create(
        PersonPhone(person=person, number=raw, key=key, position=i)
        for i, (raw, key) in enumerate(phones)
    )


@transaction.atomic
def organization_create(
    *,
    actor: User,
    name: str,
    address: str = "",
    website: str = "",
    owner: User | None = None,
    visible_to: str | None = None,
    custom_fields: Mapping[str, Any] | None = None,
) -> Organization:
    owner, visible_to = resolve_owner_and_visibility(
        actor=actor, owner=owner, visible_to=visible_to
    )
    name = clean_name(name)
    website = (website or "").strip()
    org = Organization(
        name=name,
        address=(address or "").strip(),
        website=website,
        owner=owner,
        visible_to=visible_to,
        custom_fields=clean_custom_values(
            entity=FieldEntity.ORGANIZATION, data=custom_fields, actor=actor, creating=True
        ),
        **organization_index_fields(name, website),
    )
    org.save()
    return org


@transaction.atomic
def organization_update(
    *,
    actor: User,
    organization: Organization,
    name: str | Unset = UNSET,
    address: str | None | Unset = UNSET,
    website: str | None | Unset = UNSET,
    owner: User | None = None,
    visible_to: str | None = None,
    custom_fields: Mapping[str, Any] | None = None,
) -> Organization:
    check_edit(actor=actor, record=organization)
    if custom_fields:
        organization.custom_fields = clean_custom_values(
            entity=FieldEntity.ORGANIZATION,
            data=custom_fields,
            current=organization.custom_fields,
            actor=actor,
            creating=False,
        )
    if name is not UNSET:
        organization.name = clean_name(name)
    if address is not UNSET:
        organization.address = (address or "").strip()
    if website is not UNSET:
        organization.website = (website or "").strip()
    for key, value in organization_index_fields(organization.name, organization.website).items():
        setattr(organization, key, value)
    apply_owner_change(actor=actor, record=organization, owner=owner, visible_to=visible_to)
    organization.save()
    return organization


@transaction.atomic
def organization_delete(*, actor: User, organization: Organization) -> None:
    check_delete(actor=actor, record=organization)
    # Those in the trash do not count: restoring one waits for its organization to be back.
    if organization.deals.exists() or organization.leads.exists():
        raise DomainError(_("This organization still has deals or leads: merge it instead."))
    move_to_trash(record=organization, actor=actor)


@transaction.atomic
def person_create(
    *,
    actor: User,
    name: str,
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    organization: Organization | None = None,
    job_title: str = "",
    owner: User | None = None,
    visible_to: str | None = None,
    custom_fields: Mapping[str, Any] | None = None,
) -> Person:
    owner, visible_to = resolve_owner_and_visibility(
        actor=actor, owner=owner, visible_to=visible_to
    )
    name = clean_name(name)
    clean_emails, clean_phones = _clean_emails(emails), _clean_phones(phones)
    person = Person(
        name=name,
        organization=organization,
        job_title=(job_title or "").strip()[:255],
        owner=owner,
        visible_to=visible_to,
        custom_fields=clean_custom_values(
            entity=FieldEntity.PERSON, data=custom_fields, actor=actor, creating=True
        ),
        **person_index_fields(name),
    )
    person.save()
    _set_emails(person, clean_emails)
    _set_phones(person, clean_phones)
    return person


@transaction.atomic
def person_update(
    *,
    actor: User,
    person: Person,
    name: str | Unset = UNSET,
    emails: Iterable[str] | None | Unset = UNSET,
    phones: Iterable[str] | None | Unset = UNSET,
    organization: Organization | None | Unset = UNSET,
    job_title: str | None | Unset = UNSET,
    owner: User | None = None,
    visible_to: str | None = None,
    custom_fields: Mapping[str, Any] | None = None,
) -> Person:
    check_edit(actor=actor, record=person)
    if custom_fields:
        person.custom_fields = clean_custom_values(
            entity=FieldEntity.PERSON,
            data=custom_fields,
            current=person.custom_fields,
            actor=actor,
            creating=False,
        )
    if name is not UNSET:
        person.name = clean_name(name)
        for key, value in person_index_fields(person.name).items():
            setattr(person, key, value)
    if organization is not UNSET:
        person.organization = organization
    if job_title is not UNSET:
        person.job_title = (job_title or "").strip()[:255]
    apply_owner_change(actor=actor, record=person, owner=owner, visible_to=visible_to)
    person.save()
    if emails is not UNSET:
        _set_emails(person, _clean_emails(emails))
    if phones is not UNSET:
        _set_phones(person, _clean_phones(phones))
    return person


@transaction.atomic
def person_delete(*, actor: User, person: Person) -> None:
    check_delete(actor=actor, record=person)
    # Those in the trash do not count: restoring one waits for its person to be back.
    if person.deals.exists() or person.leads.exists():
        raise DomainError(_("This person still has deals or leads: merge them instead."))
    move_to_trash(record=person, actor=actor)
