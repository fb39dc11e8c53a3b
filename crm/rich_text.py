"""The small formatting subset a note may carry, and the one place that enforces it.

A note is either plain text (shown escaped, its line breaks kept) or HTML reduced to bold,
italics, lists, paragraphs and links. `note_html_clean` is applied when a note is written, so
the database and the API only ever hold that subset; `rich_note` (crm_format) applies the same
policy again when a page shows one, for notes written before.
"""

import html
import re

import nh3
from django.utils.html import linebreaks

NOTE_TAGS = {"b", "i", "strong", "em", "ul", "ol", "li", "p", "br", "a"}
NOTE_ATTRIBUTES = {"a": {"href"}}
NOTE_URL_SCHEMES = {"http", "https", "mailto", "tel"}

# What a browser would read as the start of a tag or a comment: "<b", "</p", "<!--".
# "a < b" or "<3" stay plain text.
_MARKUP = re.compile(r"<(?:[a-zA-Z!?]|/[a-zA-Z])")
# An address in angle brackets, "Anna <anna@example.com>" or "<https://example.com>": text a
# writer means to keep, that HTML would read as an unknown tag and drop.
_BRACKETED_ADDRESS = re.compile(r"<([^\s<>\"']*(?:@|://)[^\s<>\"']*)>")


def looks_like_html(text: str) -> bool:
    return bool(_MARKUP.search(text))


def _clean(text: str) -> str:
    return nh3.clean(
        text,
        tags=NOTE_TAGS,
        attributes=NOTE_ATTRIBUTES,
        url_schemes=NOTE_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def note_html_clean(text: str) -> str:
    """The note as it is stored: plain text as written; HTML reduced to the subset.

    HTML from which nothing allowed is left ('Hi <img onerror=...>') becomes plain text again,
    so it shows as written rather than with its entities; if that text would read as markup
    once more ('Anna <anna@example.com>', '&lt;script&gt;' typed as such), it is stored as
    the paragraphs the page would show for it, escaped.
    """
    if not looks_like_html(text):
        return text
    cleaned = _clean(_BRACKETED_ADDRESS.sub(r"&lt;\1&gt;", text)).strip()
    if looks_like_html(cleaned):
        return cleaned
    plain = html.unescape(cleaned)
    return plain if not looks_like_html(plain) else linebreaks(plain, autoescape=True)
