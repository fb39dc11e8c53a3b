"""Custom fields on the pages: form fields for a record's values, and their errors.

A record form calls `add_custom_fields(form, entity, user=..., record=...)` in its `__init__`;
the view passes `custom_values(form)` to the record's service, which checks the values (the
same rules as the API and the import) and whose `CustomFieldError` lands on the field's input
through `add_custom_error`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from crm.custom_fields.registry import reference
from crm.custom_fields.values import CustomFieldError, fields_for, visible_values
from crm.errors import DomainError
from crm.models import CompanySettings, CustomField, FieldType, User

PREFIX = "cf_"
# A person or organization field offers this many records to pick from (the user's, by name).
REFERENCE_CHOICES = 500


class MoneyWidget(forms.MultiWidget):
    def __init__(self):
        super().__init__(
            [
                forms.NumberInput(attrs={"step": "0.01", "aria-label": _("Amount")}),
                forms.TextInput(attrs={"size": 3, "maxlength": 3, "aria-label": _("Currency")}),
            ]
        )

    def decompress(self, value):
        if isinstance(value, dict):
            return [value.get("amount"), value.get("currency")]
        return [None, None]


class MoneyFormField(forms.MultiValueField):
    widget = MoneyWidget

    def __init__(self, **kwargs):
        super().__init__(
            fields=[forms.DecimalField(required=False), forms.CharField(required=False)],
            require_all_fields=False,
            **kwargs,
        )

    def compress(self, data_list):
        amount, currency = (list(data_list) + [None, None])[:2]
        if amount in (None, ""):
            return None
        return {"amount": str(amount), "currency": currency or ""}


def form_field(field: CustomField, *, user: User) -> forms.Field:
    """The form field for one custom field. Values are checked again by the service."""
    common: dict[str, Any] = {"label": field.name, "required": field.required}
    kind = field.type
    if kind == FieldType.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind == FieldType.NUMBER:
        return forms.DecimalField(**common)
    if kind == FieldType.MONEY:
        return MoneyFormField(
            help_text=_("Amount and currency (default %(c)s).")
            % {"c": CompanySettings.load().default_currency},
            **common,
        )
    if kind == FieldType.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == FieldType.BOOLEAN:
        return forms.NullBooleanField(
            widget=forms.Select(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))]),
            label=field.name,
            required=False,
        )
    if kind == FieldType.OPTION:
        choices = [("", "—")] + [(str(o.pk), o.label) for o in field.options.all()]
        return forms.TypedChoiceField(choices=choices, coerce=int, empty_value=None, **common)
    if kind == FieldType.OPTIONS:
        return forms.TypedMultipleChoiceField(
            choices=[(str(o.pk), o.label) for o in field.options.all()],
            coerce=int,
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    if kind == FieldType.USER:
        users = User.objects.filter(is_active=True)
        return forms.TypedChoiceField(
            choices=[("", "—")] + [(str(u.pk), str(u)) for u in users],
            coerce=int,
            empty_value=None,
            **common,
        )
    if kind in (FieldType.PERSON, FieldType.ORGANIZATION):
        options = reference(kind).choices(user, REFERENCE_CHOICES)
        return forms.TypedChoiceField(
            choices=[("", "—")] + [(str(pk), label) for pk, label in options],
            coerce=int,
            empty_value=None,
            **common,
        )
    if kind == FieldType.EMAIL:
        return forms.EmailField(max_length=255, **common)
    return forms.CharField(max_length=255, **common)


def _initial(field: CustomField, value: Any) -> Any:
    if value is None:
        return None
    if field.type == FieldType.NUMBER:
        return Decimal(value)
    if field.type in (FieldType.OPTION, FieldType.USER, FieldType.PERSON, FieldType.ORGANIZATION):
        return str(value)
    if field.type == FieldType.OPTIONS:
        return [str(v) for v in value]
    return value


def add_custom_fields(
    form: forms.Form, entity: str, *, user: User, values: dict | None = None
) -> None:
    """Add an input per custom field of `entity` to `form`, filled from `values` if given."""
    fields = fields_for(entity)
    form.custom_fields_defined = fields
    for field in fields:
        name = PREFIX + field.key
        form.fields[name] = form_field(field, user=user)
        if values is not None and not form.is_bound:
            form.initial[name] = _initial(field, values.get(field.key))
    # A reference the user may not see keeps its value but shows no name: the select then
    # shows "—" and posting the form would clear it, so such a field is left out of the form.
    if values:
        for field in fields:
            if field.type in (FieldType.PERSON, FieldType.ORGANIZATION) and field.key in values:
                visible = reference(field.type).labels(user, [values[field.key]])
                if values[field.key] not in visible:
                    del form.fields[PREFIX + field.key]


def custom_values(form: forms.Form) -> dict[str, Any]:
    """The custom field values of a valid form, for the record's service (None clears one)."""
    values = {}
    for field in getattr(form, "custom_fields_defined", []):
        name = PREFIX + field.key
        if name not in form.fields:
            continue
        value = form.cleaned_data.get(name)
        if isinstance(value, Decimal):
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        values[field.key] = value if value not in ("", []) else None
    return values


def add_custom_error(form: forms.Form, error: DomainError) -> bool:
    """Put a custom field's error on its input; False if it is not about one."""
    if isinstance(error, CustomFieldError) and PREFIX + error.custom_field.key in form.fields:
        form.add_error(PREFIX + error.custom_field.key, error.message.split(": ", 1)[-1])
        return True
    if error.field == "custom_fields":
        form.add_error(None, error.message)
        return True
    return False


# Lists: a filter input per custom field, and the fields the user shows as columns.


class QuickSelect(forms.Select):
    """A select written out in Python: the same HTML as Django's, which renders a template per
    option; a list's filters have one per custom field (the custom fields benchmark, bench/)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        if self.allow_multiple_selected:
            final["multiple"] = True
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, " selected" if str(key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


class QuickSelectMultiple(QuickSelect, forms.SelectMultiple):
    pass


class QuickTextInput(forms.TextInput):
    """A text input written out in Python, as Django's template writes it."""

    def render(self, name, value, attrs=None, renderer=None):
        final = {"type": self.input_type, "name": name}
        value = self.format_value(value)
        if value is not None:
            final["value"] = value
        return format_html("<input{}>", flatatt({**final, **self.build_attrs(self.attrs, attrs)}))


FILTERABLE_BY_CHOICE = (FieldType.OPTION, FieldType.OPTIONS, FieldType.USER, FieldType.BOOLEAN)


def add_custom_filters(form: forms.Form, entity: str) -> list[CustomField]:
    """Add a `cf_<key>` filter per field (a select for choices, else "contains"/"equals"), and
    `columns`, the custom fields to show; the list's filter module reads the same `cf_` names."""
    fields = fields_for(entity)
    for field in fields:
        name = PREFIX + field.key
        if field.type in (FieldType.OPTION, FieldType.OPTIONS):
            choices = [("", _("Any"))] + [(str(o.pk), o.label) for o in field.options.all()]
            form.fields[name] = _choice_filter(field, choices)
        elif field.type == FieldType.USER:
            users = User.objects.filter(is_active=True)
            choices = [("", _("Any"))] + [(str(u.pk), str(u)) for u in users]
            form.fields[name] = _choice_filter(field, choices)
        elif field.type == FieldType.BOOLEAN:
            choices = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]
            form.fields[name] = _choice_filter(field, choices)
        elif field.type not in (FieldType.PERSON, FieldType.ORGANIZATION):
            form.fields[name] = forms.CharField(
                label=field.name, required=False, max_length=100, widget=QuickTextInput
            )
    if fields:
        form.fields["columns"] = forms.MultipleChoiceField(
            label=_("Columns"),
            required=False,
            choices=[(field.key, field.name) for field in fields],
            widget=QuickSelectMultiple,
            help_text=_("Custom fields to show in the list."),
        )
    return fields


def _choice_filter(field: CustomField, choices: list[tuple[str, str]]) -> forms.ChoiceField:
    return forms.ChoiceField(label=field.name, required=False, choices=choices, widget=QuickSelect)


def chosen_columns(form: forms.Form, fields: list[CustomField]) -> list[CustomField]:
    keys = set(form.data.getlist("columns")) if hasattr(form.data, "getlist") else set()
    return [field for field in fields if field.key in keys]


def attach_texts(records, *, entity: str, columns: list[CustomField], user: User) -> None:
    """Give each record `custom_texts` {key: text} of the shown columns (one pass)."""
    if not columns:
        return
    wanted = {field.key for field in columns}
    # The columns are fields the view read already: no second read of the definitions.
    shown = visible_values(entity=entity, records=records, user=user, fields=columns)
    for record in records:
        record.custom_texts = {
            field.key: text for field, text in shown.get(record.pk, []) if field.key in wanted
        }


def without_custom(form: forms.Form) -> tuple[dict[str, Any], dict[str, Any]]:
    """A valid form's own fields, and its custom field values, apart."""
    data = {k: v for k, v in form.cleaned_data.items() if not k.startswith(PREFIX)}
    return data, custom_values(form)
