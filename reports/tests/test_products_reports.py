"""The reports by product: won value and count over a period, and the open pipeline."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.tests.api import make_deal
from deals.models import Deal
from deals.services import deal_mark_won
from products.services import deal_item_add
from products.tests.factories import make_product
from reports import selectors
from reports.selectors import ReportFilters

pytestmark = pytest.mark.django_db


def _period(days: int = 30) -> ReportFilters:
    today = timezone.localdate()
    return ReportFilters(date_from=today - dt.timedelta(days=days), date_to=today)


@pytest.fixture
def catalog():
    return (
        make_product("Widget", prices={"EUR": "10", "USD": "12"}),
        make_product("Setup", prices={"EUR": "100"}),
    )


def _won(owner, pipeline, lines, currency="EUR", visible_to="team"):
    deal = make_deal(owner, pipeline, currency=currency, visible_to=visible_to)
    for product, quantity in lines:
        deal_item_add(actor=owner, deal=deal, product=product, quantity=quantity)
    return deal_mark_won(actor=owner, deal=Deal.objects.get(pk=deal.pk))


def test_won_value_and_count_per_product_and_currency(owner, manager, pipeline, catalog):
    widget, setup = catalog
    _won(owner, pipeline, [(widget, 2), (setup, 1)])
    _won(owner, pipeline, [(widget, 3)])
    _won(owner, pipeline, [(widget, 1)], currency="USD")
    old = _won(owner, pipeline, [(setup, 5)])
    Deal.objects.filter(pk=old.pk).update(won_at=timezone.now() - dt.timedelta(days=90))

    rows = selectors.products_won(user=manager, filters=_period())

    found = {(r.product, r.currency): (r.deals, r.value) for r in rows}
    assert found == {
        ("Widget", "EUR"): (2, D("50.00")),
        ("Setup", "EUR"): (1, D("100.00")),
        ("Widget", "USD"): (1, D("12.00")),
    }


def test_the_reports_count_only_deals_the_user_may_see(owner, outsider, pipeline, catalog):
    _won(owner, pipeline, [(catalog[0], 2)], visible_to="owner")

    assert selectors.products_won(user=outsider, filters=_period()) == []
    assert selectors.products_pipeline(user=outsider, filters=_period()) == []


def test_pipeline_by_product_weighs_by_the_stage_probability(owner, pipeline, catalog):
    deal = make_deal(owner, pipeline)  # first stage: 20 %
    deal_item_add(actor=owner, deal=deal, product=catalog[1], quantity=3)

    [row] = selectors.products_pipeline(user=owner, filters=_period())

    assert (row.product, row.deals, row.value, row.weighted) == ("Setup", 1, D("300"), D("60"))


def test_a_manager_sees_the_by_product_report_with_its_chart(
    client, owner, manager, pipeline, catalog
):
    _won(owner, pipeline, [(catalog[0], 2)])
    client.force_login(manager)

    response = client.get(reverse("reports:detail", args=["products-won"]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Widget (EUR)" in html and 'class="chart"' in html
