from datetime import date
from decimal import Decimal

import pytest

from imports.cleaning import CellError, guess_date_format, parse_date, parse_decimal


@pytest.mark.parametrize(
    ("raw", "fmt", "expected"),
    [
        ("2024-03-04", "dmy", date(2024, 3, 4)),
        ("04.03.2024", "dmy", date(2024, 3, 4)),
        ("03/04/2024", "mdy", date(2024, 3, 4)),
        ("04/03/24", "dmy", date(2024, 3, 4)),
    ],
)
def test_dates_are_read_in_the_chosen_format(raw, fmt, expected):
    assert parse_date(raw, fmt) == expected


def test_a_local_date_with_iso_chosen_is_an_error_naming_the_format():
    with pytest.raises(CellError, match="YYYY-MM-DD"):
        parse_date("04.03.2024", "iso")


def test_date_format_is_guessed_from_a_day_above_twelve():
    assert guess_date_format(["01/02/2024", "25/02/2024"]) == "dmy"


@pytest.mark.parametrize(
    ("raw", "sep", "expected"),
    [
        ("1,234.50", ".", Decimal("1234.50")),
        ("1.234,50", ",", Decimal("1234.50")),
        ("€ 12,5", ",", Decimal("12.5")),
        (7, ".", Decimal("7")),
    ],
)
def test_numbers_are_read_with_either_decimal_separator(raw, sep, expected):
    assert parse_decimal(raw, sep) == expected
