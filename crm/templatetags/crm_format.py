"""Money in the reader's language, and the safe subset of formatting notes may carry.

``{% load crm_format %}{{ deal.value|money:deal.currency }}`` gives ``1.234,56 €`` in German
and ``€1,234.56`` in English; ``{{ note.body|rich_note }}`` keeps bold, italics, lists,
paragraphs and links and escapes everything else. ``{{ org.website|safe_url }}`` is a link
target only for http(s) addresses (empty otherwise: show the text, not a link), and
``{% form_token %}`` is the one-time token of a creating form (crm.web.once).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext
from functools import lru_cache
from urllib.parse import urlsplit

from babel.core import Locale, UnknownLocaleError
from babel.numbers import (
    format_currency,
    format_decimal,
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
)
from django import template
from django.conf import settings
from django.utils.html import format_html, linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, to_locale

from crm.rich_text import looks_like_html, note_html_clean
from crm.selectors import default_currency
from crm.web import once

register = template.Library()

LINK_SCHEMES = {"http", "https"}


def _locale() -> str:
    return to_locale(get_language() or settings.LANGUAGE_CODE)


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def money(value, currency: str = "") -> str:
    """An amount in a currency, formatted for the active language; empty for no amount."""
    amount = _decimal(value)
    if amount is None:
        return ""
    code = (currency or default_currency()).upper()
    layout = _money_layout(_locale(), code)
    if layout is not None:
        return layout.format(amount)
    try:
        return format_currency(amount, code, locale=_locale())
    except (UnknownLocaleError, ValueError):
        return f"{amount:.2f} {code}"


@dataclass(frozen=True)
class _MoneyLayout:
    """How a language writes amounts of one currency, read once from Babel's data: pages show
    a hundred amounts and more, and Babel reads its pattern anew for each (a third of a
    board's or a person page's formatting time). Writes what format_currency writes, but for
    apostrophes as group separators (Swiss German), which Babel's quoting step drops."""

    prefixes: tuple[str, str]  # (positive, negative), the currency sign in place
    suffixes: tuple[str, str]
    digits: int
    separators: dict[int, str]  # str.translate table: "," and "." in the reader's symbols

    def format(self, amount: Decimal) -> str:
        negative = int(amount.is_signed())
        with localcontext() as context:
            context.rounding = ROUND_HALF_EVEN
            number = f"{abs(amount):,.{self.digits}f}".translate(self.separators)
        return f"{self.prefixes[negative]}{number}{self.suffixes[negative]}"


@lru_cache(maxsize=256)
def _money_layout(locale_name: str, code: str) -> _MoneyLayout | None:
    """The layout, or None where Babel must write the amount itself (grouping other than by
    thousands, quoted text, significant digits, an unknown language)."""
    try:
        locale = Locale.parse(locale_name)
        pattern = locale.currency_formats["standard"]
        if (
            pattern.grouping != (3, 3)
            or pattern.int_prec[0] != 1
            or pattern.exp_prec
            or any(mark in pattern.pattern for mark in ("'", "@", "¤¤"))
        ):
            return None
        symbol = get_currency_symbol(code, locale)
        separators = str.maketrans({",": get_group_symbol(locale), ".": get_decimal_symbol(locale)})
        return _MoneyLayout(
            prefixes=tuple(p.replace("¤", symbol) for p in pattern.prefix),
            suffixes=tuple(s.replace("¤", symbol) for s in pattern.suffix),
            digits=get_currency_precision(code),
            separators=separators,
        )
    except (UnknownLocaleError, ValueError, KeyError):
        return None


@register.filter
def number(value, digits: int = 0) -> str:
    """A plain number in the active language (``1.234`` in German, ``1,234`` in English)."""
    amount = _decimal(value)
    if amount is None:
        return ""
    pattern = "#,##0" + ("." + "0" * int(digits) if int(digits) else "")
    try:
        return format_decimal(amount, format=pattern, locale=_locale())
    except (UnknownLocaleError, ValueError):
        return str(amount)


@register.filter(is_safe=True)
def rich_note(value) -> SafeString:
    """A note's text as safe HTML: a small formatting subset, line breaks kept, rest escaped."""
    text = str(value or "")
    if looks_like_html(text):
        text = note_html_clean(text)  # notes are cleaned when written; older ones are here
    if not looks_like_html(text):
        # Plain text: escape it and keep the writer's line breaks as paragraphs.
        return mark_safe(linebreaks(text, autoescape=True))  # noqa: S308 - escaped first
    return mark_safe(text)  # noqa: S308 - nh3 removed every tag and attribute not allowed


@register.filter
def safe_url(value) -> str:
    """A user-given web address as a link target, or "" when it must not become a link.

    Only http and https pass; a bare domain ("acme.example/about") gets https://. Anything
    else ("javascript:…", "data:…", "//evil.example") gives "", so the template shows text.
    """
    text = str(value or "").strip()
    if not text or any(c.isspace() or ord(c) < 32 for c in text):
        return ""
    if "://" not in text and not text.startswith("/"):
        if ":" in text.split("/", 1)[0] and not _is_host_port(text.split("/", 1)[0]):
            return ""  # a scheme that is not http(s), e.g. javascript:alert(1)
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.hostname:
        return ""
    return text


def _is_host_port(text: str) -> bool:
    host, _sep, port = text.rpartition(":")
    return bool(host) and port.isdigit()


@register.simple_tag
def form_token() -> SafeString:
    """The hidden one-time token field of a creating form (see crm.web.once)."""
    return format_html('<input type="hidden" name="{}" value="{}">', once.FIELD, once.new_token())
