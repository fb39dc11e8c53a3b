"""The calendar's ranges: whole weeks from Monday to Sunday, and a month's grid of them."""

from datetime import date

from activities.calendar import CalendarSpan, calendar_range


def test_a_week_runs_from_monday_to_sunday_whatever_day_is_asked():
    week = calendar_range(CalendarSpan.WEEK, date(2026, 12, 4))  # a Friday

    assert (week.start, week.end) == (date(2026, 11, 30), date(2026, 12, 6))
    assert (week.previous, week.next) == (date(2026, 11, 23), date(2026, 12, 7))
    assert len(week.days) == 7 and week.days[0].weekday() == 0


def test_a_month_is_the_whole_weeks_around_it():
    month = calendar_range(CalendarSpan.MONTH, date(2026, 12, 17))

    assert (month.start, month.end) == (date(2026, 11, 30), date(2027, 1, 3))
    assert [len(week) for week in month.weeks] == [7] * 5
    assert month.in_span(date(2026, 12, 1)) and not month.in_span(date(2026, 11, 30))


def test_months_step_over_the_turn_of_the_year():
    january = calendar_range(CalendarSpan.MONTH, date(2027, 1, 31))

    assert (january.previous, january.next) == (date(2026, 12, 1), date(2027, 2, 1))


def test_a_february_starting_on_monday_fills_exactly_four_weeks():
    february = calendar_range(CalendarSpan.MONTH, date(2027, 2, 10))

    assert (february.start, february.end) == (date(2027, 2, 1), date(2027, 2, 28))
