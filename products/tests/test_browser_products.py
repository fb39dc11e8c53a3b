"""Products in a real browser: a rep prices a deal with two products; a manager reads the
report by product."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from deals.models import Deal
from deals.services import deal_mark_won
from deals.tests.web import make_deal
from products.tests.factories import make_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_adds_two_products_and_sees_the_value_change(
    page, login, live_server, owner, pipeline
):
    deal = make_deal(owner, pipeline, title="Fleet tracking", value=500)
    make_product("Tracker", prices={"EUR": "120.00"}, tax_percent="19")
    make_product("Installation", prices={"EUR": "80.00"})
    login(page, owner, live_server)
    page.goto(live_server.url + reverse("deals:detail", args=[deal.pk]))
    value = page.locator("[data-deal-value]")
    expect(value).to_contain_text("500.00")
    expect(value).to_contain_text("set by hand")

    products = page.get_by_role("region", name="Products")
    products.get_by_text("Add a product").click()
    products.get_by_label("Product", exact=True).select_option(label="Tracker")
    products.get_by_label("Quantity").fill("2")
    products.get_by_label("Discount (%)").fill("10")
    products.get_by_role("button", name="Add product").click()

    # 2 × 120 × 0.9 × 1.19 = 257.04
    expect(page.locator("[data-deal-value]")).to_contain_text("257.04")
    expect(page.locator("[data-deal-value]")).to_contain_text("sum of the products")

    products = page.get_by_role("region", name="Products")
    products.get_by_text("Add a product").click()
    products.get_by_label("Product", exact=True).select_option(label="Installation")
    products.get_by_role("button", name="Add product").click()

    expect(page.locator("[data-deal-value]")).to_contain_text("337.04")
    expect(page.get_by_role("region", name="Products").locator('[data-total="EUR"]')).to_have_text(
        re.compile(r"337\.04")
    )
    expect(page.get_by_text("Product added: Installation")).to_be_visible()
    assert Deal.objects.get(pk=deal.pk).value == Decimal("337.04")


def test_a_manager_sees_won_value_by_product(page, login, live_server, owner, manager, pipeline):
    from products.services import deal_item_add

    deal = make_deal(owner, pipeline, title="Fleet tracking")
    deal_item_add(actor=owner, deal=deal, product=make_product("Tracker"), quantity=3)
    deal_mark_won(actor=owner, deal=Deal.objects.get(pk=deal.pk))
    login(page, manager, live_server)

    page.goto(live_server.url + reverse("reports:index"))
    page.get_by_role("link", name="Won by product").first.click()

    expect(page.get_by_role("heading", name="Won by product")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Tracker"))
    expect(row).to_contain_text("EUR")
    expect(row).to_contain_text("300.00")
    expect(page.get_by_role("img", name="Won value per product")).to_be_visible()
