"""Money in the reader's language and the safe subset of note formatting."""

from decimal import Decimal

import pytest
from babel.core import UnknownLocaleError
from babel.numbers import format_currency
from django.utils import translation
from django.utils.translation import to_locale

from crm.templatetags.crm_format import money, rich_note


def test_money_is_german_formatted_in_german():
    with translation.override("de"):
        assert money("1234.56", "EUR") == "1.234,56\xa0€"


def test_money_is_english_formatted_in_english():
    with translation.override("en"):
        assert money("1234.56", "USD") == "$1,234.56"


def test_money_of_nothing_is_empty():
    assert money(None, "EUR") == ""


def test_rich_note_keeps_bold_and_links_and_drops_scripts_and_handlers():
    html = rich_note('<b>Hi</b><script>x()</script><a href="https://a.example" onclick="x">a</a>')

    assert "<b>Hi</b>" in html and "<script" not in html and "onclick" not in html
    assert 'href="https://a.example"' in html


def test_rich_note_drops_javascript_links():
    assert "javascript:" not in rich_note('<a href="javascript:alert(1)">x</a>')


def test_plain_note_is_escaped_and_keeps_its_line_breaks():
    assert rich_note("a < b\nc") == "<p>a &lt; b<br>c</p>"


def test_ids_past_a_thousand_render_without_grouping_in_every_language(settings):
    from django.template import Context, Template
    from django.utils import translation

    template = Template('<a href="/deals/{{ pk }}/" data-v="{{ pk }}">')
    for language in ("en", "de"):
        with translation.override(language):
            html = template.render(Context({"pk": 1769}))
        assert html == '<a href="/deals/1769/" data-v="1769">'


AMOUNTS = ["0", "-0", "0.004", "0.005", "0.015", "0.025", "-0.005", "1", "-1.5", "999.995"]
AMOUNTS += ["1234.56", "-1234.567", "1000000", "123456789012.345", "0.1", "7"]


@pytest.mark.parametrize("language", ["en", "de", "es", "fr", "ja", "hi", "ar", "xx"])
@pytest.mark.parametrize("currency", ["EUR", "USD", "CHF", "JPY", "BHD", "INR", "XYZ"])
def test_money_writes_what_babel_writes(language, currency):
    with translation.override(language):
        locale = to_locale(translation.get_language())
        for amount in AMOUNTS:
            try:
                expected = format_currency(Decimal(amount), currency, locale=locale)
            except (UnknownLocaleError, ValueError):
                expected = f"{Decimal(amount):.2f} {currency}"

            assert money(amount, currency) == expected, (language, currency, amount)


def test_money_groups_swiss_amounts_with_apostrophes():
    # Babel's format_currency drops them: it reads "1'000'000" as quoted pattern text.
    with translation.override("de-ch"):
        assert money("1000000", "CHF") == "CHF\xa01'000'000.00"
