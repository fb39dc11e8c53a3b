"""``{{ value|report_cell:kind }}``: a report cell in the reader's language, by its kind."""

from django import template
from django.utils.translation import gettext as _

from crm.templatetags.crm_format import number

register = template.Library()


@register.filter
def report_cell(value, kind: str) -> str:
    if value is None or value == "":
        return "–"
    if kind == "int":
        return number(value)
    if kind == "amount":
        return number(value, 2)
    if kind == "percent":
        return _("%(value)s %%") % {"value": number(value, 1)}
    if kind == "days":
        return _("%(value)s d") % {"value": number(value, 1)}
    return str(value)
