"""Amounts typed as the CRM shows them, in the user's language."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from crm.web.fields import MoneyField, WebsiteField

CASES = {
    "de": {
        "1.234,56": Decimal("1234.56"),
        "1234,56": Decimal("1234.56"),
        "1.234.567": Decimal("1234567"),
        "12.000": Decimal("12000"),
        "1.5": Decimal(
            "1.5"
        ),  # a dot before no group of three: a decimal point, as Django reads it
        "  500 ": Decimal("500"),
        "": None,
    },
    "en": {
        "1,234.56": Decimal("1234.56"),
        "1234.56": Decimal("1234.56"),
        "12,000": Decimal("12000"),
    },
}
REFUSED = {"de": ["12.34,5", "1.2345", "abc", "-5"], "en": ["1,5", "12,34.5", "1,2345"]}


@pytest.mark.parametrize(
    "language, text, amount",
    [
        (language, text, amount)
        for language, cases in CASES.items()
        for text, amount in cases.items()
    ],
)
def test_money_field_reads_amounts_with_the_languages_separators(language, text, amount):
    with translation.override(language):
        assert MoneyField(required=False).clean(text) == amount


@pytest.mark.parametrize(
    "language, text", [(language, text) for language, texts in REFUSED.items() for text in texts]
)
def test_money_field_refuses_what_is_not_an_amount(language, text):
    with translation.override(language):
        field = MoneyField(required=False)
        with pytest.raises(ValidationError):
            field.clean(text)


@pytest.mark.parametrize("text", ["acme.example", "https://acme.example/about", "http://x.de", ""])
def test_website_field_takes_addresses_a_page_can_link(text):
    assert WebsiteField().clean(text) == text


@pytest.mark.parametrize("text", ["javascript:alert(1)", "mailto:a@b.c", "not a site", "//x.de"])
def test_website_field_refuses_what_would_only_show_as_text(text):
    with pytest.raises(ValidationError, match="Enter a web address"):
        WebsiteField().clean(text)
