"""Form fields the apps share."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from crm.templatetags.crm_format import safe_url

# What separates thousands where a language writes spaces: plain, no-break and narrow no-break.
SPACES = (" ", "\xa0", "\u202f")


class MoneyField(forms.DecimalField):
    """An amount as people write it in their language, the way the CRM shows it back to them:
    "1.234,56" in German, "1,234.56" in English, and without the thousands separators too.

    Django takes a German "1.234,56" for a bad number unless USE_THOUSAND_SEPARATOR is on, which
    would also group every number the templates print (ids in URLs among them). So the
    separators come off here, and only where they sit between groups of three digits: a German
    "1.5" stays one and a half, as Django reads it.
    """

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("localize", True)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value) -> Decimal | None:
        if isinstance(value, str):
            value = without_thousands(value.strip())
        return super().to_python(value)


def without_thousands(text: str) -> str:
    """`text` less its thousands separators in the active language, where they group digits."""
    group, decimal = get_format("THOUSAND_SEPARATOR"), get_format("DECIMAL_SEPARATOR")
    separators = SPACES if group in SPACES else (group,)
    whole, point, fraction = text.partition(decimal)
    sign = "-" if whole.startswith("-") else ""
    digits = whole.removeprefix("-")
    for separator in separators:
        digits = digits.replace(separator, "\0")
    groups = digits.split("\0")
    if len(groups) < 2 or not (1 <= len(groups[0]) <= 3 and groups[0].isdigit()):
        return text
    if not all(len(g) == 3 and g.isdigit() for g in groups[1:]):
        return text
    return f"{sign}{''.join(groups)}{point}{fraction}"


class WebsiteField(forms.CharField):
    """A web address: http(s) or a bare domain ("acme.example"), as pages can link it.

    Anything else ("javascript:…", "mailto:…", text with spaces) would only ever show as text,
    so it is refused at entry, with a message saying what is expected.
    """

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def validate(self, value: str) -> None:
        super().validate(value)
        if value and not safe_url(value):
            raise ValidationError(
                _("Enter a web address, such as acme.example or https://acme.example."),
                code="invalid",
            )


class UserChoiceField(forms.ModelChoiceField):
    """A user by the name people know them by."""

    def label_from_instance(self, obj) -> str:
        return str(obj)
