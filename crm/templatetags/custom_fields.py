"""`{% custom_field_facts record "deal" %}`: a record's custom field values as <dt>/<dd> pairs."""

from django import template
from django.utils.html import format_html_join

from crm.custom_fields.values import visible_values

register = template.Library()


@register.simple_tag(takes_context=True)
def custom_field_facts(context, record, entity: str):
    rows = visible_values(entity=entity, records=[record], user=context["request"].user)
    pairs = [(field.name, text or "—") for field, text in rows.get(record.pk, [])]
    if not pairs:
        return ""
    return format_html_join("", "<dt>{}</dt><dd>{}</dd>", pairs)


@register.filter
def custom_cell(record, field):
    """The text of one field of a record in a list (the list gave `record.custom_texts`)."""
    return getattr(record, "custom_texts", {}).get(field.key, "")


@register.filter
def custom_inputs(form):
    """The bound inputs of a form's custom fields, in order (crm/web/custom_fields.py)."""
    return [form[name] for name in form.fields if name.startswith("cf_")]
