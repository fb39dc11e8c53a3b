"""Custom field values: checked by type on every write path, shown only as far as the reader sees.

A record keeps its values in its `custom_fields` jsonb column, `{key: value}`, stored so that
PostgreSQL can filter them through indexes: text types as strings, numbers and money amounts as
decimal strings (exact; cast to numeric by the filters and their expression indexes), dates as
ISO strings (their text order is their date order), option types as option ids, references as
record ids, yes/no as booleans.

Persons and organizations are above `crm`, so the apps that own them register how to check that
a reader may see one (`registry.register_reference`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _

from crm.custom_fields.registry import reference
from crm.errors import DomainError
from crm.models import CompanySettings, CustomField, FieldEntity, FieldType, User

MAX_TEXT = 255
MAX_LONG_TEXT = 10_000
MAX_AMOUNT = Decimal("1e15")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class CustomFieldError(DomainError):
    """A bad value for one field: a 400 on `custom_fields` naming the field."""

    def __init__(self, field: CustomField, message: str):
        super().__init__(f"{field.name}: {message}", field="custom_fields", code="invalid")
        self.custom_field = field


def fields_for(entity: str, *, archived: bool = False) -> list[CustomField]:
    """The fields a record of `entity` carries, in order: a lead has the deal fields too."""
    entities = [FieldEntity.DEAL, FieldEntity.LEAD] if entity == FieldEntity.LEAD else [entity]
    qs = CustomField.objects.filter(entity__in=entities).prefetch_related("options")
    if not archived:
        qs = qs.filter(archived=False)
    # The deal fields first on a lead: they are the ones the conversion carries.
    return sorted(qs, key=lambda f: (f.entity != FieldEntity.DEAL, f.position, f.pk))


def live_field_keys(entity: str) -> set[str]:
    """The keys of the fields not archived that a record of `entity` carries (as `fields_for`),
    in one small query: what an API response needs to leave out the archived fields' values."""
    entities = [FieldEntity.DEAL, FieldEntity.LEAD] if entity == FieldEntity.LEAD else [entity]
    qs = CustomField.objects.filter(entity__in=entities, archived=False)
    return set(qs.values_list("key", flat=True))


def _decimal(field: CustomField, raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise CustomFieldError(field, _("Enter a number."))
    try:
        value = Decimal(str(raw).strip().replace(" ", ""))
    except (InvalidOperation, ValueError):
        raise CustomFieldError(field, _("Enter a number.")) from None
    if not value.is_finite() or abs(value) >= MAX_AMOUNT:
        raise CustomFieldError(field, _("Enter a number below 10^15."))
    return value


def _text(field: CustomField, raw: Any, limit: int) -> str:
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise CustomFieldError(field, _("Enter text."))
    text = str(raw).strip()
    if len(text) > limit:
        raise CustomFieldError(field, _("At most %(n)d characters.") % {"n": limit})
    return text


def _id(field: CustomField, raw: Any) -> int:
    if isinstance(raw, bool):
        raise CustomFieldError(field, _("Enter an id."))
    try:
        return int(str(raw).strip())
    except ValueError:
        raise CustomFieldError(field, _("Enter an id.")) from None


def _option_ids(field: CustomField) -> set[int]:
    return {option.pk for option in field.options.all()}


def clean_value(field: CustomField, raw: Any, *, actor: User | None) -> Any:
    """The stored form of `raw` for `field`, or a CustomFieldError. Empty is None."""
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
        return None
    kind = field.type
    if kind == FieldType.TEXT or kind == FieldType.PHONE:
        # A phone is kept as typed: a custom phone field has no match key to compute.
        return _text(field, raw, MAX_TEXT)
    if kind == FieldType.LONG_TEXT:
        return _text(field, raw, MAX_LONG_TEXT)
    if kind == FieldType.EMAIL:
        text = _text(field, raw, MAX_TEXT)
        try:
            EmailValidator()(text)
        except ValidationError:
            raise CustomFieldError(field, _("Enter a valid e-mail address.")) from None
        return text
    if kind == FieldType.URL:
        text = _text(field, raw, MAX_TEXT)
        if "://" not in text:
            text = "https://" + text
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError:
            raise CustomFieldError(field, _("Enter a valid web address.")) from None
        return text
    if kind == FieldType.NUMBER:
        return str(_decimal(field, raw).normalize() + 0)
    if kind == FieldType.MONEY:
        if not isinstance(raw, Mapping) or "amount" not in raw:
            raise CustomFieldError(field, _('Send {"amount": ..., "currency": "EUR"}.'))
        if raw.get("amount") in (None, ""):
            return None
        amount = _decimal(field, raw["amount"]).quantize(Decimal("0.01"))
        currency = str(raw.get("currency") or "").strip().upper()
        if not currency:
            currency = CompanySettings.load().default_currency
        if not _CURRENCY.match(currency):
            raise CustomFieldError(field, _("Use a three-letter currency code such as EUR."))
        return {"amount": str(amount), "currency": currency}
    if kind == FieldType.DATE:
        if isinstance(raw, datetime.date):
            return raw.isoformat()
        try:
            return datetime.date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise CustomFieldError(field, _("Enter a date as YYYY-MM-DD.")) from None
    if kind == FieldType.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off"):
            return False
        raise CustomFieldError(field, _("Enter yes or no."))
    if kind == FieldType.OPTION:
        option = _id(field, raw)
        if option not in _option_ids(field):
            raise CustomFieldError(field, _("Unknown option %(id)s.") % {"id": option})
        return option
    if kind == FieldType.OPTIONS:
        items = raw if isinstance(raw, list | tuple) else [raw]
        chosen = sorted({_id(field, item) for item in items})
        unknown = set(chosen) - _option_ids(field)
        if unknown:
            raise CustomFieldError(
                field, _("Unknown option %(id)s.") % {"id": ", ".join(map(str, sorted(unknown)))}
            )
        return chosen or None
    if kind in (FieldType.USER, FieldType.PERSON, FieldType.ORGANIZATION):
        record_id = _id(field, raw)
        if kind == FieldType.USER:
            if not User.objects.filter(pk=record_id, is_active=True).exists():
                raise CustomFieldError(field, _("Unknown user %(id)s.") % {"id": record_id})
            return record_id
        # Whom the actor may not see is as good as absent (no 403 that tells it exists).
        if actor is None or record_id not in reference(kind).labels(actor, [record_id]):
            raise CustomFieldError(field, _("Unknown record %(id)s.") % {"id": record_id})
        return record_id
    raise CustomFieldError(field, _("This field cannot be set."))


def clean_values(
    *,
    entity: str,
    data: Mapping[str, Any] | None,
    current: Mapping[str, Any] | None = None,
    actor: User | None,
    creating: bool,
) -> dict[str, Any]:
    """The record's new `custom_fields`: `current` with `data`'s keys cleaned and applied.

    Keys of archived fields are kept as they are; an unknown key, or one of an archived field,
    is an error. Required fields must have a value when the record is created, and cannot be
    emptied later.
    """
    fields = {f.key: f for f in fields_for(entity, archived=True)}
    result = dict(current or {})
    for key, raw in (data or {}).items():
        field = fields.get(key)
        if field is None or field.archived:
            raise DomainError(
                _("Unknown custom field %(key)s.") % {"key": key}, field="custom_fields"
            )
        value = clean_value(field, raw, actor=actor)
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    asked = set(data or {})
    for field in fields.values():
        missing = field.required and not field.archived and field.key not in result
        if missing and (creating or field.key in asked):
            raise CustomFieldError(field, _("This field is required."))
    return result


def carried_to_deal(lead_values: Mapping[str, Any]) -> dict[str, Any]:
    """The values of a lead that become its deal's: those of the deal fields."""
    deal_keys = set(
        CustomField.objects.filter(entity=FieldEntity.DEAL).values_list("key", flat=True)
    )
    return {key: value for key, value in lead_values.items() if key in deal_keys}


def visible_values(
    *,
    entity: str,
    records: Iterable[Any],
    user: User,
    fields: list[CustomField] | None = None,
) -> dict[int, list[tuple[CustomField, str]]]:
    """Per record id, the (field, text) pairs to show to `user`, in the fields' order.

    `fields`: only these (a list's shown columns, already read); all of `entity`'s otherwise.
    A reference to a record the user may not see shows no name (as if empty).
    """
    records = list(records)
    fields = fields_for(entity) if fields is None else fields
    wanted: dict[str, set[int]] = {}
    for record in records:
        values = record.custom_fields or {}
        for field in fields:
            if reference(field.type) and field.key in values:
                wanted.setdefault(field.type, set()).add(values[field.key])
    labels = {kind: reference(kind).labels(user, ids) for kind, ids in wanted.items()}
    shown: dict[int, list[tuple[CustomField, str]]] = {}
    for record in records:
        values = record.custom_fields or {}
        rows = []
        for field in fields:
            if field.key in values:
                rows.append((field, display(field, values[field.key], labels)))
        shown[record.pk] = rows
    return shown


def display(field: CustomField, value: Any, labels: Mapping[str, Mapping[int, str]]) -> str:
    """One value as text for a page or an export cell."""
    kind = field.type
    if value is None:
        return ""
    if kind == FieldType.MONEY:
        return f"{value['amount']} {value['currency']}"
    if kind == FieldType.BOOLEAN:
        return _("Yes") if value else _("No")
    if kind in (FieldType.OPTION, FieldType.OPTIONS):
        names = _option_names(field)
        ids = value if isinstance(value, list) else [value]
        return ", ".join(names[i] for i in ids if i in names)
    if reference(kind):
        return labels.get(kind, {}).get(value, "")
    return str(value)


def _option_names(field: CustomField) -> dict[int, str]:
    """{option id: label}, built once per field instance (a list shows it in every row)."""
    names = field.__dict__.get("_option_names")
    if names is None:
        names = field.__dict__["_option_names"] = {o.pk: o.label for o in field.options.all()}
    return names
