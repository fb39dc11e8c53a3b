"""Writes of custom field definitions and their options: admins only, checked, in a transaction."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from crm.custom_fields.query import carriers, field_index_create, field_index_drop, value_q
from crm.custom_fields.registry import entity_model
from crm.errors import DomainError, NotPermitted
from crm.models import CustomField, CustomFieldOption, FieldEntity, FieldType, User
from crm.types import UNSET, Unset


def _check_admin(actor: User) -> None:
    if not actor.is_crm_admin:
        raise NotPermitted(_("Only an admin may change the fields."))


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("A name is required."), field="name")
    if len(name) > 100:
        raise DomainError(_("At most 100 characters."), field="name")
    return name


def _check_name_free(*, entity: str, name: str, exclude: int | None = None) -> None:
    taken = CustomField.objects.filter(entity=entity, name__iexact=name).exclude(pk=exclude)
    if taken.exists():
        raise DomainError(_("A field of this name exists already."), field="name")


def _free_key(entity: str, name: str, key: str | None) -> str:
    if key:
        key = key.strip().lower()
        if slugify(key).replace("-", "_") != key or not key[0].isalpha() or len(key) > 40:
            raise DomainError(
                _("Use lower-case letters, digits and _ and begin with a letter."), field="key"
            )
        if CustomField.objects.filter(entity=entity, key=key).exists():
            raise DomainError(_("A field with this key exists already."), field="key")
        return key
    base = (slugify(name).replace("-", "_") or "field")[:34]
    if not base[0].isalpha():
        base = f"f_{base}"[:34]
    candidate, n = base, 1
    while CustomField.objects.filter(entity=entity, key=candidate).exists():
        n += 1
        candidate = f"{base}_{n}"
    return candidate


def _clean_labels(labels: Sequence[str]) -> list[str]:
    cleaned = []
    for label in labels:
        label = (label or "").strip()
        if not label:
            continue
        if len(label) > 100:
            raise DomainError(_("An option has at most 100 characters."), field="options")
        if label.lower() in (seen.lower() for seen in cleaned):
            message = _("Option “%(label)s” is listed twice.") % {"label": label}
            raise DomainError(message, field="options")
        cleaned.append(label)
    return cleaned


@transaction.atomic
def custom_field_create(
    *,
    actor: User,
    entity: str,
    name: str,
    type: str,
    required: bool = False,
    key: str | None = None,
    options: Sequence[str] = (),
    position: int | None = None,
) -> CustomField:
    _check_admin(actor)
    if entity not in FieldEntity.values:
        raise DomainError(_("Choose deal, lead, person or organization."), field="entity")
    if type not in FieldType.values:
        raise DomainError(_("Unknown type."), field="type")
    name = _clean_name(name)
    _check_name_free(entity=entity, name=name)
    labels = _clean_labels(options)
    if type in (FieldType.OPTION, FieldType.OPTIONS) and not labels:
        raise DomainError(_("An option field needs at least one option."), field="options")
    if position is None:
        last = CustomField.objects.filter(entity=entity).aggregate(m=Max("position"))["m"]
        position = 0 if last is None else last + 1
    field = CustomField.objects.create(
        entity=entity,
        key=_free_key(entity, name, key),
        name=name,
        type=type,
        required=required,
        position=position,
    )
    if field.has_options:
        CustomFieldOption.objects.bulk_create(
            CustomFieldOption(field=field, label=label, position=i)
            for i, label in enumerate(labels)
        )
    field_index_create(field)
    return field


@transaction.atomic
def custom_field_update(
    *,
    actor: User,
    field: CustomField,
    name: str | Unset = UNSET,
    required: bool | Unset = UNSET,
    position: int | Unset = UNSET,
    archived: bool | Unset = UNSET,
    options: Sequence[dict] | Unset = UNSET,
) -> CustomField:
    """Change a field; its key and type never change (the stored values depend on them).

    `options` is the whole list in its new order: `{"id": 3, "label": "New name"}` renames an
    option (values keep pointing at it), `{"label": "..."}` adds one; an option left out is
    removed only if no record uses it.
    """
    _check_admin(actor)
    field = CustomField.objects.select_for_update().get(pk=field.pk)
    if name is not UNSET:
        name = _clean_name(name)
        _check_name_free(entity=field.entity, name=name, exclude=field.pk)
        field.name = name
    if required is not UNSET:
        field.required = bool(required)
    if position is not UNSET:
        field.position = max(0, int(position))
    if archived is not UNSET:
        field.archived = bool(archived)
    field.save()
    if options is not UNSET:
        _options_replace(field, options)
    return field


def _options_replace(field: CustomField, options: Sequence[dict]) -> None:
    if not field.has_options:
        raise DomainError(_("Only option fields have options."), field="options")
    labels = _clean_labels([str(item.get("label") or "") for item in options])
    if len(labels) != len(options) or not labels:
        raise DomainError(_("Every option needs a label."), field="options")
    current = {option.pk: option for option in field.options.all()}
    kept: list[CustomFieldOption] = []
    for position, item in enumerate(options):
        option_id = item.get("id")
        if option_id is None:
            kept.append(CustomFieldOption(field=field, label=labels[position], position=position))
            continue
        option = current.get(int(option_id))
        if option is None:
            raise DomainError(_("Unknown option %(id)s.") % {"id": option_id}, field="options")
        option.label, option.position = labels[position], position
        kept.append(option)
    dropped = set(current) - {option.pk for option in kept if option.pk}
    for option_id in dropped:
        if _option_in_use(field, option_id):
            raise DomainError(
                _("Option “%(label)s” is in use; rename it instead, or clear it first.")
                % {"label": current[option_id].label},
                field="options",
            )
    CustomFieldOption.objects.filter(pk__in=dropped).delete()
    # Labels are unique per field: park the renamed ones first so a swap of two names works.
    for option in kept:
        if option.pk:
            CustomFieldOption.objects.filter(pk=option.pk).update(label=f"~{option.pk}~")
    try:
        with transaction.atomic():
            for option in kept:
                option.save()
    except IntegrityError:
        raise DomainError(_("Two options have the same label."), field="options") from None


def _option_in_use(field: CustomField, option_id: int) -> bool:
    models = [entity_model(entity) for entity in carriers(field)]
    return any(m._default_manager.filter(value_q(m, field, option_id)).exists() for m in models)


@transaction.atomic
def custom_field_delete(*, actor: User, field: CustomField) -> None:
    """Delete a field and its values on every record (archive it to keep them)."""
    _check_admin(actor)
    field = CustomField.objects.select_for_update().get(pk=field.pk)
    for entity in carriers(field):
        model = entity_model(entity)
        holders = model._default_manager.filter(custom_fields__has_key=field.key)
        if connection.vendor == "postgresql":
            # The table name is the model's own; the key is a parameter.
            with connection.cursor() as cursor:
                cursor.execute(
                    f'UPDATE "{model._meta.db_table}" SET custom_fields = custom_fields - %s '  # noqa: S608
                    "WHERE custom_fields ? %s",
                    [field.key, field.key],
                )
            continue
        for record in holders.only("pk", "custom_fields"):
            record.custom_fields.pop(field.key, None)
            model._default_manager.filter(pk=record.pk).update(custom_fields=record.custom_fields)
    field_index_drop(field)
    field.delete()
