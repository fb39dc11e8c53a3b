"""The activities calendar's days: a week or a month of them, Monday first, and their entries.

Plain date arithmetic and the shaping of entries, no database: the view reads the activities of
the range with one query (`activities.selectors.calendar_activities`) and hands them here.
Activities are due on a day and, optionally, at a time, both in the project's TIME_ZONE (the
fields are naive), so "today" is `timezone.localdate()` and no conversion is needed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from activities.models import Activity

WEEK = timedelta(days=7)


class CalendarSpan(models.TextChoices):
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")


@dataclass(frozen=True)
class CalendarRange:
    """The days a calendar shows: whole weeks from a Monday (`start`) to a Sunday (`end`)."""

    span: str
    anchor: date  # the day asked for: its week, or its month
    start: date
    end: date
    previous: date  # an anchor of the week or month before
    next: date

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    @property
    def weeks(self) -> list[list[date]]:
        days = self.days
        return [days[i : i + 7] for i in range(0, len(days), 7)]

    def in_span(self, day: date) -> bool:
        """A month's grid starts and ends with days of the months around it: those are not."""
        if self.span == CalendarSpan.MONTH:
            return (day.year, day.month) == (self.anchor.year, self.anchor.month)
        return True


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _first_of_month(day: date, months: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def calendar_range(span: str, anchor: date) -> CalendarRange:
    if span == CalendarSpan.MONTH:
        first = _first_of_month(anchor)
        last = _first_of_month(anchor, 1) - timedelta(days=1)
        return CalendarRange(
            span=CalendarSpan.MONTH,
            anchor=first,
            start=_monday(first),
            end=_monday(last) + timedelta(days=6),
            previous=_first_of_month(anchor, -1),
            next=_first_of_month(anchor, 1),
        )
    start = _monday(anchor)
    return CalendarRange(
        span=CalendarSpan.WEEK,
        anchor=start,
        start=start,
        end=start + timedelta(days=6),
        previous=start - WEEK,
        next=start + WEEK,
    )


@dataclass(frozen=True)
class CalendarEntry:
    activity: Activity
    overdue: bool
    about: str  # the record it belongs to: a deal's title, a lead's, a person's or an org's name
    url: str | None  # that record's page, where the user may open it


@dataclass
class CalendarDay:
    day: date
    in_span: bool
    is_today: bool
    entries: list[CalendarEntry] = field(default_factory=list)


def calendar_entry(activity: Activity, *, today: date) -> CalendarEntry:
    """An activity as the calendar shows it, read from the annotations of `calendar_activities`:
    it belongs to its deal first, else to the lead it was written on, else to its person or
    organization; the link is left out where the user may not open that record (an activity
    assigned to them on a deal they do not see)."""
    overdue = not activity.done and activity.due_date < today
    if activity.deal_id is not None:
        about, url = activity.deal.title, reverse("deals:detail", args=[activity.deal_id])
        visible = activity.deal_visible
    elif activity.lead_pk is not None:  # only leads the user may see are annotated
        about, url = activity.lead_title, reverse("leads:detail", args=[activity.lead_pk])
        visible = True
    elif activity.person_id is not None:
        about = activity.person.name
        url = reverse("contacts:person_detail", args=[activity.person_id])
        visible = activity.person_visible
    elif activity.organization_id is not None:
        about = activity.organization.name
        url = reverse("contacts:organization_detail", args=[activity.organization_id])
        visible = activity.organization_visible
    else:
        about, url, visible = "", None, False
    return CalendarEntry(
        activity=activity, overdue=overdue, about=about, url=url if visible else None
    )


def calendar_days(
    calendar: CalendarRange, activities: Iterable[Activity], *, today: date
) -> list[CalendarDay]:
    """Every day of the range, each with its entries in the order given (by time)."""
    by_day: dict[date, list[CalendarEntry]] = defaultdict(list)
    for activity in activities:
        by_day[activity.due_date].append(calendar_entry(activity, today=today))
    return [
        CalendarDay(
            day=day, in_span=calendar.in_span(day), is_today=day == today, entries=by_day[day]
        )
        for day in calendar.days
    ]
