"""`{% composer record %}`: the composer of a record page (activities/composer.py).

Forms the page's context already holds (a form sent back with its errors) are shown as they
are; the others are new ones. `open_form` in the context says which tab is open.
"""

from django import template

from activities.composer import FORM_CLASSES, composer_form, composer_urls, record_kind

register = template.Library()


@register.inclusion_tag("activities/_composer.html", takes_context=True)
def composer(context: template.Context, record) -> dict:
    user = context["request"].user
    urls = composer_urls(record)
    forms = {
        name: context.get(name) or composer_form(name, user=user, record=record)
        for name in FORM_CLASSES
    }
    return {
        "kind": record_kind(record),
        "open_form": context.get("open_form") or "note_form",
        "urls": urls,
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
        **forms,
    }
