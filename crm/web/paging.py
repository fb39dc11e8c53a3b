"""Paging without COUNT(*), shared by the list pages.

Counting 100,000 visible rows costs more than the page itself, so a page fetches one row more
than it shows to know whether there is a next one. The page number comes from the URL: anything
that is not a sensible number is page 1, and huge numbers stop at MAX_PAGE (an OFFSET beyond a
64-bit integer is a database error, not an empty page).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

MAX_PAGE = 100_000
# A record page shows the newest timeline entries; "the whole history" asks for all.
TIMELINE_PAGE = 50


def page_number(raw: object) -> int:
    """The page asked for, between 1 and MAX_PAGE; 1 for anything that is not a number."""
    text = str(raw or "").strip()
    if not text.isdigit():
        return 1
    # Compare digit counts first: int() of a thousand-digit string is wasted work.
    if len(text) > len(str(MAX_PAGE)):
        return MAX_PAGE
    return max(1, min(int(text), MAX_PAGE))


@dataclass
class WindowPage:
    items: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def window_page(qs: QuerySet, number: object, per_page: int) -> WindowPage:
    number = page_number(number)
    start = (number - 1) * per_page
    rows = list(qs[start : start + per_page + 1])
    return WindowPage(items=rows[:per_page], number=number, has_next=len(rows) > per_page)


def timeline_limit(request) -> int | None:
    """A record page shows the newest timeline entries unless the user asked for all."""
    return None if request.GET.get("timeline") == "all" else TIMELINE_PAGE
