"""Merges of persons and of organizations: nothing of the merged record is lost, and each
merge is recorded."""

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
