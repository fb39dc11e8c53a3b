"""Writes of persons and organizations, merges included."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.conf import settings
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from contacts.models import (
    MergeKind,
    MergeRecord,
    Organization,
    Person,
    PersonEmail,
    PersonPhone,
)
from contacts.normalize import (
    email_key,
    organization_index_fields,
    person_index_fields,
    phone_key,
)
from contacts.selectors import organization_list, person_list
from crm.errors import DomainError
from crm.models import User
from crm.services import (
    apply_owner_change,
    check_delete,
    check_edit,
    resolve_owner_and_visibility,
)

_UNSET = object()


def _clean_name(name: str | None, *, field: str = "name") -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("A name is required."), field=field)
    if len(name) > 255:
        raise DomainError(_("At most 255 characters."), field=field)
    return name


def _clean_keyed(
    values: Iterable[str] | None, key_of, max_length: int, message: str, field: str
) -> list[tuple[str, str]]:
    """(as written, key) pairs, first is primary; blanks dropped, repeats (same key) dropped."""
    pairs: list[tuple[str, str]] = []
    for raw in values or ():
        raw = (raw or "").strip()
        if not raw:
            continue
        key = key_of(raw)
        if not key or len(raw) > max_length:
            raise DomainError(message % {"value": raw}, field=field)
        pairs.append((raw, key))
    return _unique_by_key(pairs)


def _clean_emails(emails: Iterable[str] | None) -> list[tuple[str, str]]:
    return _clean_keyed(
        emails, email_key, 254, _("“%(value)s” is not an e-mail address."), "emails"
    )


def _clean_phones(phones: Iterable[str] | None) -> list[tuple[str, str]]:
    return _clean_keyed(
        phones,
        lambda raw: phone_key(raw, settings.CRM_DEFAULT_COUNTRY),
        64,
        _("“%(value)s” is not a phone number."),
        "phones",
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
) -> Organization:
    owner, visible_to = resolve_owner_and_visibility(
        actor=actor, owner=owner, visible_to=visible_to
    )
    name = _clean_name(name)
    website = (website or "").strip()
    org = Organization(
        name=name,
        address=(address or "").strip(),
        website=website,
        owner=owner,
        visible_to=visible_to,
        **organization_index_fields(name, website),
    )
    org.save()
    return org


@transaction.atomic
def organization_update(
    *,
    actor: User,
    organization: Organization,
    name=_UNSET,
    address=_UNSET,
    website=_UNSET,
    owner: User | None = None,
    visible_to: str | None = None,
) -> Organization:
    check_edit(actor=actor, record=organization)
    if name is not _UNSET:
        organization.name = _clean_name(name)
    if address is not _UNSET:
        organization.address = (address or "").strip()
    if website is not _UNSET:
        organization.website = (website or "").strip()
    for key, value in organization_index_fields(organization.name, organization.website).items():
        setattr(organization, key, value)
    apply_owner_change(actor=actor, record=organization, owner=owner, visible_to=visible_to)
    organization.save()
    return organization


@transaction.atomic
def organization_delete(*, actor: User, organization: Organization) -> None:
    check_delete(actor=actor, record=organization)
    if organization.deals.exists() or organization.leads.exists():
        raise DomainError(_("This organization still has deals or leads: merge it instead."))
    organization.delete()


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
) -> Person:
    owner, visible_to = resolve_owner_and_visibility(
        actor=actor, owner=owner, visible_to=visible_to
    )
    name = _clean_name(name)
    clean_emails, clean_phones = _clean_emails(emails), _clean_phones(phones)
    person = Person(
        name=name,
        organization=organization,
        job_title=(job_title or "").strip()[:255],
        owner=owner,
        visible_to=visible_to,
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
    name=_UNSET,
    emails=_UNSET,
    phones=_UNSET,
    organization=_UNSET,
    job_title=_UNSET,
    owner: User | None = None,
    visible_to: str | None = None,
) -> Person:
    check_edit(actor=actor, record=person)
    if name is not _UNSET:
        person.name = _clean_name(name)
        for key, value in person_index_fields(person.name).items():
            setattr(person, key, value)
    if organization is not _UNSET:
        person.organization = organization
    if job_title is not _UNSET:
        person.job_title = (job_title or "").strip()[:255]
    apply_owner_change(actor=actor, record=person, owner=owner, visible_to=visible_to)
    person.save()
    if emails is not _UNSET:
        _set_emails(person, _clean_emails(emails))
    if phones is not _UNSET:
        _set_phones(person, _clean_phones(phones))
    return person


@transaction.atomic
def person_delete(*, actor: User, person: Person) -> None:
    check_delete(actor=actor, record=person)
    if person.deals.exists() or person.leads.exists():
        raise DomainError(_("This person still has deals or leads: merge them instead."))
    person.delete()


# --- Contacts as forms give them: picked from suggestions, or new on the user's word --------


@dataclass(frozen=True)
class ContactRef:
    """A person or organization chosen in a form: the id of a suggestion, or a typed name.

    A typed name creates a record only when the user said so (`create`): "Alpenblick" is far
    more likely the "Alpenblick Hotels AG" the suggestions offered than a new company.
    """

    id: int | None = None
    name: str = ""
    create: bool = False
    emails: list[str] = dataclass_field(default_factory=list)
    phones: list[str] = dataclass_field(default_factory=list)
    website: str = ""


def organization_resolve(
    *,
    actor: User,
    ref: ContactRef,
    owner: User | None = None,
    visible_to: str | None = None,
    field_name: str = "organization",
) -> Organization | None:
    """The organization a form means; call inside the caller's transaction."""
    if ref.id is not None:
        found = organization_list(user=actor).filter(pk=ref.id).first()
        if found is None:
            raise DomainError(_("There is no such organization."), field=field_name)
        return found
    name = (ref.name or "").strip()
    if not name:
        return None
    same_name = organization_list(user=actor).filter(name__iexact=name).order_by("id").first()
    if same_name is not None and not ref.create:
        return same_name
    if not ref.create:
        raise DomainError(
            _("Pick an organization from the suggestions, or choose “Create new organization”."),
            field=field_name,
        )
    return organization_create(
        actor=actor, name=name, website=ref.website, owner=owner, visible_to=visible_to
    )


def person_resolve(
    *,
    actor: User,
    ref: ContactRef,
    organization: Organization | None = None,
    owner: User | None = None,
    visible_to: str | None = None,
    field_name: str = "person",
) -> Person | None:
    """The person a form means: a visible suggestion, or a new one the user asked for."""
    if ref.id is not None:
        found = person_list(user=actor).filter(pk=ref.id).first()
        if found is None:
            raise DomainError(_("There is no such person."), field=field_name)
        return found
    name = (ref.name or "").strip()
    if not name:
        return None
    if not ref.create:
        raise DomainError(
            _("Pick a person from the suggestions, or choose “Create new person”."),
            field=field_name,
        )
    return person_create(
        actor=actor,
        name=name,
        emails=ref.emails,
        phones=ref.phones,
        organization=organization,
        owner=owner,
        visible_to=visible_to,
    )


@transaction.atomic
def person_save(
    *, actor: User, person: Person | None, organization: ContactRef, **fields
) -> Person:
    """Create or update a person and the organization it names, together: a refused person
    leaves no new organization behind."""
    org = organization_resolve(actor=actor, ref=organization)
    if person is None:
        return person_create(actor=actor, organization=org, **fields)
    return person_update(actor=actor, person=person, organization=org, **fields)


# --- Merging ------------------------------------------------------------------------------

PERSON_MERGE_FIELDS = ("name", "organization", "job_title", "owner", "visible_to")
ORGANIZATION_MERGE_FIELDS = ("name", "address", "website", "owner", "visible_to")


def _lock_pair(model: type[models.Model], a: int, b: int) -> dict[int, models.Model]:
    # Lock both rows in id order: two merges of the same pair in opposite directions must not
    # deadlock, and neither record may change under the merge.
    rows = model.objects.select_for_update().filter(pk__in=[a, b]).order_by("pk")
    return {row.pk: row for row in rows}


def _move_references(model: type[models.Model], source: models.Model, target: models.Model):
    """Point every foreign key at `source` to `target`: deals, leads, notes, activities, ...

    Read from the model's relations rather than listed by hand, so a new kind of record that
    links to persons (in any app) is carried over by merges without this module knowing it.
    """
    # include_hidden: notes and activities point here with related_name="+", which
    # `related_objects` leaves out; missing them would cascade them away with `source`.
    relations = [
        f
        for f in model._meta.get_fields(include_hidden=True)
        if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one)
    ]
    for relation in relations:
        if not relation.field.concrete:
            continue
        if relation.related_model in (PersonEmail, PersonPhone):
            continue  # merged by value below
        relation.related_model._base_manager.filter(**{relation.field.name: source}).update(
            **{relation.field.name: target}
        )


def _check_merge(actor: User, survivor: models.Model, other: models.Model) -> None:
    if survivor.pk == other.pk:
        raise DomainError(_("A record cannot be merged into itself."), field="other")
    check_edit(actor=actor, record=survivor)
    # The merged record disappears: that is a delete of it.
    check_delete(actor=actor, record=other)


def _keep(survivor, other, keep: Mapping[str, str] | None, fields: tuple[str, ...]) -> dict:
    """Copy the values the user chose to keep from `other`; blanks are filled from `other`."""
    kept: dict[str, str] = {}
    for field in fields:
        choice = (keep or {}).get(field)
        if choice not in (None, "survivor", "other"):
            raise DomainError(
                _("Keep “survivor” or “other” for %(field)s.") % {"field": field}, field="keep"
            )
        take_other = choice == "other" or (
            choice is None and not getattr(survivor, field) and getattr(other, field)
        )
        if take_other:
            setattr(survivor, field, getattr(other, field))
        kept[field] = "other" if take_other else "survivor"
    return kept


@transaction.atomic
def person_merge(
    *,
    actor: User,
    survivor: Person,
    other: Person,
    keep: Mapping[str, str] | None = None,
    authorized: bool = False,
) -> Person:
    """Merge `other` into `survivor`: nothing of `other` is lost, and the merge is recorded.

    `keep` maps field names to "survivor" or "other"; unchosen blanks are filled from `other`.
    E-mails and phone numbers of both are kept (the survivor's primary stays primary unless the
    name comes from `other`). `authorized`: the caller (the lead conversion) already decided
    that the actor may fold this record away.
    """
    if authorized:
        if survivor.pk == other.pk:
            raise DomainError(_("A record cannot be merged into itself."), field="other")
    else:
        _check_merge(actor, survivor, other)
    locked = _lock_pair(Person, survivor.pk, other.pk)
    if len(locked) != 2:
        raise DomainError(_("The other person no longer exists."), field="other")
    survivor, other = locked[survivor.pk], locked[other.pk]
    snapshot = model_to_dict(other)
    snapshot["emails"] = list(other.emails.values_list("email", flat=True))
    snapshot["phones"] = list(other.phones.values_list("number", flat=True))
    if (keep or {}).get("owner") == "other" or (keep or {}).get("visible_to") == "other":
        apply_owner_change(
            actor=actor, record=survivor, owner=other.owner, visible_to=other.visible_to
        )
    kept = _keep(survivor, other, keep, PERSON_MERGE_FIELDS)
    for key, value in person_index_fields(survivor.name).items():
        setattr(survivor, key, value)

    # The primary address and number follow the name the user kept.
    first, second = (other, survivor) if kept["name"] == "other" else (survivor, other)
    emails = [(e.email, e.key) for p in (first, second) for e in p.emails.order_by("position")]
    phones = [(n.number, n.key) for p in (first, second) for n in p.phones.order_by("position")]

    _move_references(Person, other, survivor)
    survivor.save()
    _set_emails(survivor, _unique_by_key(emails))
    _set_phones(survivor, _unique_by_key(phones))
    MergeRecord.objects.create(
        kind=MergeKind.PERSON,
        survivor_id=survivor.pk,
        merged_id=other.pk,
        merged_name=other.name,
        merged_data=_jsonable(snapshot),
        kept_values=kept,
        actor=actor,
    )
    other.delete()
    return survivor


@transaction.atomic
def organization_merge(
    *,
    actor: User,
    survivor: Organization,
    other: Organization,
    keep: Mapping[str, str] | None = None,
    authorized: bool = False,
) -> Organization:
    """Merge `other` into `survivor`: its persons, deals, leads and notes move over."""
    if authorized:
        if survivor.pk == other.pk:
            raise DomainError(_("A record cannot be merged into itself."), field="other")
    else:
        _check_merge(actor, survivor, other)
    locked = _lock_pair(Organization, survivor.pk, other.pk)
    if len(locked) != 2:
        raise DomainError(_("The other organization no longer exists."), field="other")
    survivor, other = locked[survivor.pk], locked[other.pk]
    snapshot = model_to_dict(other)
    if (keep or {}).get("owner") == "other" or (keep or {}).get("visible_to") == "other":
        apply_owner_change(
            actor=actor, record=survivor, owner=other.owner, visible_to=other.visible_to
        )
    kept = _keep(survivor, other, keep, ORGANIZATION_MERGE_FIELDS)
    for key, value in organization_index_fields(survivor.name, survivor.website).items():
        setattr(survivor, key, value)
    _move_references(Organization, other, survivor)
    survivor.save()
    MergeRecord.objects.create(
        kind=MergeKind.ORGANIZATION,
        survivor_id=survivor.pk,
        merged_id=other.pk,
        merged_name=other.name,
        merged_data=_jsonable(snapshot),
        kept_values=kept,
        actor=actor,
    )
    other.delete()
    return survivor


def _jsonable(data: dict) -> dict:
    return {
        key: (value.pk if isinstance(value, models.Model) else value)
        for key, value in data.items()
        if isinstance(value, str | int | float | bool | list | type(None) | models.Model)
    }


def _unique_by_key(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: set[str] = set()
    return [(raw, key) for raw, key in pairs if not (key in seen or seen.add(key))]
