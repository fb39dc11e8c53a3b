"""Products on deals: the value from the lines, by hand, the history, bad input, the lock."""

import threading
from decimal import Decimal as D

import pytest
from django.db import connection

from crm.errors import DomainError, NotPermitted, StaleVersion
from crm.tests.api import make_deal
from deals.models import Deal
from deals.services import deal_update
from products import services
from products.models import DealProduct, DealProductChange, ItemChangeKind
from products.tests.factories import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(owner, pipeline):
    return make_deal(owner, pipeline, value="500")


def test_value_is_the_sum_of_the_lines_with_discount_and_tax(owner, deal):
    widget = make_product("Widget", prices={"EUR": "19.99"}, tax_percent="19")
    service = make_product("Setup", prices={"EUR": "250.00"})

    services.deal_item_add(
        actor=owner, deal=deal, product=widget, quantity="3", discount_percent="10"
    )
    services.deal_item_add(actor=owner, deal=deal, product=service, quantity="1.5")

    deal.refresh_from_db()
    # 3 × 19.99 × 0.9 × 1.19 = 64.22787 → 64.23; 1.5 × 250 = 375.00
    assert deal.value == D("439.23")
    assert deal.value_from_items is True
    lines = list(DealProduct.objects.filter(deal=deal).order_by("id"))
    assert [line.sum for line in lines] == [D("64.23"), D("375.00")]
    assert lines[0].tax_percent == D("19")  # the product's tax by default
    assert lines[0].unit_price == D("19.99")  # the catalog price in the deal's currency


def test_editing_and_removing_lines_updates_the_value_and_the_history(owner, deal):
    widget = make_product("Widget", prices={"EUR": "10"})
    item = services.deal_item_add(actor=owner, deal=deal, product=widget, quantity=2)

    services.deal_item_update(actor=owner, item=item, quantity="5", unit_price="8")
    deal.refresh_from_db()
    assert deal.value == D("40.00")

    services.deal_item_remove(actor=owner, item=item)
    deal.refresh_from_db()
    # No products left: nothing to add up, the value is typed again (and is 0).
    assert (deal.value, deal.value_from_items) == (D("0"), False)
    kinds = list(
        DealProductChange.objects.filter(deal=deal).order_by("id").values_list("kind", flat=True)
    )
    assert kinds == [ItemChangeKind.ADDED, ItemChangeKind.CHANGED, ItemChangeKind.REMOVED]
    changed = DealProductChange.objects.get(deal=deal, kind=ItemChangeKind.CHANGED)
    assert changed.actor == owner and "5 × EUR 8.00" in changed.detail


def test_value_set_by_hand_stays_when_lines_change(owner, deal):
    widget = make_product(prices={"EUR": "100"})
    services.deal_item_add(actor=owner, deal=deal, product=widget)
    deal.refresh_from_db()

    deal = services.deal_value_mode_set(actor=owner, deal=deal, from_items=False)
    deal = deal_update(actor=owner, deal=deal, version=deal.version, value="999")
    services.deal_item_add(actor=owner, deal=deal, product=widget, quantity=3)

    deal.refresh_from_db()
    assert (deal.value, deal.value_from_items) == (D("999.00"), False)
    deal = services.deal_value_mode_set(actor=owner, deal=deal, from_items=True)
    assert deal.value == D("400.00")


def test_a_typed_value_is_refused_while_it_comes_from_the_products(owner, deal):
    services.deal_item_add(actor=owner, deal=deal, product=make_product())
    deal.refresh_from_db()

    with pytest.raises(DomainError) as error:
        deal_update(actor=owner, deal=deal, version=deal.version, value="1")

    assert error.value.field == "value"


def test_a_stale_version_is_refused(owner, deal):
    with pytest.raises(StaleVersion):
        services.deal_item_add(
            actor=owner, deal=deal, product=make_product(), version=deal.version + 1
        )
    assert not DealProduct.objects.exists()


def test_every_value_change_bumps_the_version(owner, deal):
    before = deal.version
    item = services.deal_item_add(actor=owner, deal=deal, product=make_product())

    assert item.deal.version == before + 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"quantity": "-1"}, "quantity"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "abc"}, "quantity"),
        ({"discount_percent": "101"}, "discount_percent"),
        ({"tax_percent": "-5"}, "tax_percent"),
        ({"unit_price": "-0.01"}, "unit_price"),
        ({"unit_price": "1.001"}, "unit_price"),
        ({"currency": "USD"}, "currency"),
    ],
)
def test_bad_input_names_its_field(owner, deal, fields, field):
    with pytest.raises(DomainError) as error:
        services.deal_item_add(actor=owner, deal=deal, product=make_product(), **fields)

    assert error.value.field == field
    assert not DealProduct.objects.exists()


def test_a_product_without_a_price_in_the_deals_currency_needs_a_unit_price(owner, deal):
    dollars_only = make_product(prices={"USD": "10"})

    with pytest.raises(DomainError) as error:
        services.deal_item_add(actor=owner, deal=deal, product=dollars_only)
    assert error.value.field == "unit_price"

    item = services.deal_item_add(actor=owner, deal=deal, product=dollars_only, unit_price="9")
    assert (item.unit_price, item.currency) == (D("9.00"), "EUR")


def test_an_archived_product_cannot_be_added(owner, deal):
    with pytest.raises(DomainError) as error:
        services.deal_item_add(actor=owner, deal=deal, product=make_product(is_active=False))

    assert error.value.field == "product"


def test_someone_who_may_not_see_the_deal_may_not_add_products(outsider, deal):
    with pytest.raises(NotPermitted):
        services.deal_item_add(actor=outsider, deal=deal, product=make_product())


@pytest.mark.django_db(transaction=True)
def test_concurrent_additions_to_one_deal_both_count(owner, pipeline):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and concurrent connections")
    deal = make_deal(owner, pipeline)
    widget = make_product(prices={"EUR": "10"})
    barrier = threading.Barrier(4)
    errors = []

    def add(quantity):
        try:
            barrier.wait()
            services.deal_item_add(actor=owner, deal=deal, product=widget, quantity=quantity)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(q,)) for q in (1, 2, 3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    deal = Deal.objects.get(pk=deal.pk)
    assert deal.value == D("100.00")  # 10 × (1 + 2 + 3 + 4): no sum lost
    assert DealProduct.objects.filter(deal=deal).count() == 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_two_lines_of_one_deal_lose_no_update(owner, pipeline):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and concurrent connections")
    deal = make_deal(owner, pipeline)
    widget = make_product(prices={"EUR": "10"})
    first = services.deal_item_add(actor=owner, deal=deal, product=widget)
    second = services.deal_item_add(actor=owner, deal=deal, product=widget)
    barrier = threading.Barrier(2)
    errors = []

    def edit(item, quantity):
        try:
            barrier.wait()
            services.deal_item_update(actor=owner, item=item, quantity=quantity)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=edit, args=(first, 5)),
        threading.Thread(target=edit, args=(second, 7)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    # Each edit recomputed the sum under the deal's lock: both count.
    assert Deal.objects.get(pk=deal.pk).value == D("120.00")
