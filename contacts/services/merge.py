"""Merges of persons and of organizations: nothing of the merged record is lost, and each
merge is recorded.

The survivor keeps the values the user chose, takes every value it lacks from the merged record
(a blank is never kept over a value), and, for a person, gains the e-mail addresses and phone
numbers it did not have. `MergeRecord.kept_values` says what came from the merged record: per
field "survivor" or "other", and for "emails" and "phones" the values added
(`contacts.selectors.merge_kept` tells the user). `person_merge` and `organization_merge` check
that the actor may edit the survivor and delete the other; the `..._unchecked` twins are for a
service that decided that itself (the lead conversion); nothing at the edge calls them.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from contacts.models import MergeKind, MergeRecord, Organization, Person, PersonEmail, PersonPhone
from contacts.normalize import organization_index_fields, person_index_fields
from contacts.services.records import _set_emails, _set_phones, _unique_by_key
from crm.errors import DomainError
from crm.models import User
from crm.services import apply_owner_change, check_delete, check_edit

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
    """Copy the values the user chose to keep from `other`, and fill every blank of `survivor`
    from `other` whatever was chosen. A blank is not a value: it never replaces one, either
    way, so a merge loses no data."""
    kept: dict[str, str] = {}
    for field in fields:
        choice = (keep or {}).get(field)
        if choice not in (None, "survivor", "other"):
            raise DomainError(
                _("Keep “survivor” or “other” for %(field)s.") % {"field": field}, field="keep"
            )
        take_other = bool(getattr(other, field)) and (
            choice == "other" or not getattr(survivor, field)
        )
        if take_other:
            setattr(survivor, field, getattr(other, field))
        kept[field] = "other" if take_other else "survivor"
    return kept


def _added(survivor_pairs: list[tuple[str, str]], merged: list[tuple[str, str]]) -> list[str]:
    """The values of `merged` (as written) the survivor did not have, by key."""
    keys = {key for _raw, key in survivor_pairs}
    return [raw for raw, key in merged if key not in keys]


@transaction.atomic
def person_merge(
    *,
    actor: User,
    survivor: Person,
    other: Person,
    keep: Mapping[str, str] | None = None,
) -> Person:
    """Merge `other` into `survivor` if the actor may edit the one and delete the other.

    `keep` maps field names to "survivor" or "other"; blanks of the survivor are always filled
    from `other`. E-mails and phone numbers of both are kept, each once; the survivor's primary
    ones stay primary.
    """
    _check_merge(actor, survivor, other)
    return person_merge_unchecked(actor=actor, survivor=survivor, other=other, keep=keep)


@transaction.atomic
def person_merge_unchecked(
    *,
    actor: User,
    survivor: Person,
    other: Person,
    keep: Mapping[str, str] | None = None,
) -> Person:
    """`person_merge` without the permission check, for a service that decided itself that
    the actor may fold `other` away (the lead conversion: the lead's own, unused person).
    Nothing at the edge calls it."""
    if survivor.pk == other.pk:
        raise DomainError(_("A record cannot be merged into itself."), field="other")
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
    kept: dict = _keep(survivor, other, keep, PERSON_MERGE_FIELDS)
    for key, value in person_index_fields(survivor.name).items():
        setattr(survivor, key, value)

    own_emails = [(e.email, e.key) for e in survivor.emails.order_by("position")]
    own_phones = [(n.number, n.key) for n in survivor.phones.order_by("position")]
    other_emails = [(e.email, e.key) for e in other.emails.order_by("position")]
    other_phones = [(n.number, n.key) for n in other.phones.order_by("position")]
    # The multi-valued fields keep both sides; what `other` added is recorded by value.
    kept["emails"] = _added(own_emails, other_emails)
    kept["phones"] = _added(own_phones, other_phones)
    # The survivor's primary address and number stay primary, whichever name is kept.
    emails, phones = own_emails + other_emails, own_phones + other_phones

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
) -> Organization:
    """Merge `other` into `survivor` if the actor may edit the one and delete the other: its
    persons, deals, leads and notes move over, and blanks of the survivor are filled from it."""
    _check_merge(actor, survivor, other)
    return organization_merge_unchecked(actor=actor, survivor=survivor, other=other, keep=keep)


@transaction.atomic
def organization_merge_unchecked(
    *,
    actor: User,
    survivor: Organization,
    other: Organization,
    keep: Mapping[str, str] | None = None,
) -> Organization:
    """`organization_merge` without the permission check (see `person_merge_unchecked`)."""
    if survivor.pk == other.pk:
        raise DomainError(_("A record cannot be merged into itself."), field="other")
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
