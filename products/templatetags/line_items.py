"""`{% load line_items %}{% line_items panel %}`: a record's products on its page (the deal's,
the lead's), with the form to add one; and `|plain_number` (2.000 → 2, in the language's
decimal mark)."""

from django import template
from django.utils.formats import number_format

from products.forms import ItemForm, plain
from products.selectors import ItemsPanel

register = template.Library()


@register.filter
def plain_number(value) -> str:
    if value is None or value == "":
        return ""
    return number_format(plain(value), use_l10n=True)


@register.inclusion_tag("products/_items.html", takes_context=True)
def line_items(context, panel: ItemsPanel) -> dict:
    record = panel.record
    version = getattr(record, "version", None)
    form = context.get("item_form") or ItemForm(initial={"version": version, "quantity": 1})
    return {
        "panel": panel,
        "url_prefix": "products:deal_" if panel.kind == "deal" else "leads:lead_",
        "item_form": form,
        "version": version,
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }
