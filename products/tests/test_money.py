"""The money rule, without a database."""

from decimal import Decimal as D

from products.money import line_sum, totals_by_currency


def test_line_sum_applies_discount_then_tax_and_rounds_once_half_up():
    # 3 × 19.99 = 59.97; −10 % = 53.973; +19 % = 64.22787 → 64.23
    assert line_sum(
        quantity=D("3"), unit_price=D("19.99"), discount_percent=D("10"), tax_percent=D("19")
    ) == D("64.23")


def test_half_a_cent_rounds_up():
    # 1 × 0.05 × 0.5 = 0.025 → 0.03 (half up, not to even)
    assert line_sum(
        quantity=D("1"), unit_price=D("0.05"), discount_percent=D("50"), tax_percent=D("0")
    ) == D("0.03")


def test_rounding_is_once_per_line_not_per_step():
    # 0.25 × 50 % = 0.125, × 1.2 = 0.15 exactly; rounding after the discount first (0.13)
    # would give 0.156 → 0.16.
    assert line_sum(
        quantity=D("1"), unit_price=D("0.25"), discount_percent=D("50"), tax_percent=D("20")
    ) == D("0.15")


def test_large_quantities_and_prices_stay_exact():
    assert line_sum(
        quantity=D("999999.999"),
        unit_price=D("999999.99"),
        discount_percent=D("0"),
        tax_percent=D("0"),
    ) == D("999999989000.00")


def test_totals_never_add_two_currencies():
    totals = totals_by_currency([("EUR", D("1.10")), ("USD", D("2")), ("EUR", D("0.20"))])

    assert totals == {"EUR": D("1.30"), "USD": D("2")}
