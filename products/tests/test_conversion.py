"""A lead's products: its value from them, and the conversion carrying them to the deal."""

from decimal import Decimal as D

import pytest

from crm.errors import DomainError
from crm.tests.api import make_lead
from leads.conversion import ContactChoice, lead_convert
from leads.line_items import lead_item_add, lead_value_mode_set
from leads.models import LeadProduct
from leads.services import lead_update
from products.models import DealProduct
from products.tests.factories import make_product

pytestmark = pytest.mark.django_db
KEEP = ContactChoice("keep")


@pytest.fixture
def lead(owner):
    return make_lead(owner, value="0")


def test_a_leads_value_is_the_sum_of_its_products(owner, lead):
    lead_item_add(actor=owner, lead=lead, product=make_product(prices={"EUR": "50"}), quantity=3)

    lead.refresh_from_db()
    assert (lead.value, lead.value_from_items) == (D("150.00"), True)
    with pytest.raises(DomainError) as error:
        lead_update(actor=owner, lead=lead, value="1")
    assert error.value.field == "value"


def test_conversion_carries_the_products_and_their_value(owner, pipeline, lead):
    widget = make_product("Widget", prices={"EUR": "19.99"}, tax_percent="19")
    lead_item_add(actor=owner, lead=lead, product=widget, quantity=3, discount_percent="10")
    lead_item_add(actor=owner, lead=lead, product=make_product("Setup"), comment="on site")

    deal = lead_convert(
        lead=lead, actor=owner, pipeline=pipeline, person_choice=KEEP, organization_choice=KEEP
    )

    lines = list(DealProduct.objects.filter(deal=deal).order_by("id"))
    assert [(line.product.name, line.sum, line.comment) for line in lines] == [
        ("Widget", D("64.23"), ""),
        ("Setup", D("100.00"), "on site"),
    ]
    deal.refresh_from_db()
    assert (deal.value, deal.value_from_items) == (D("164.23"), True)
    assert not LeadProduct.objects.filter(lead=lead).exists()


def test_a_value_typed_at_conversion_is_kept_by_hand(owner, pipeline, lead):
    lead_item_add(actor=owner, lead=lead, product=make_product())

    deal = lead_convert(
        lead=lead,
        actor=owner,
        pipeline=pipeline,
        value="5000",
        person_choice=KEEP,
        organization_choice=KEEP,
    )

    deal.refresh_from_db()
    assert (deal.value, deal.value_from_items) == (D("5000.00"), False)
    assert DealProduct.objects.filter(deal=deal).count() == 1


def test_a_lead_valued_by_hand_gives_a_deal_valued_by_hand(owner, pipeline, lead):
    lead_item_add(actor=owner, lead=lead, product=make_product())
    lead_value_mode_set(actor=owner, lead=lead, from_items=False)
    lead_update(actor=owner, lead=lead, value="777")

    deal = lead_convert(
        lead=lead, actor=owner, pipeline=pipeline, person_choice=KEEP, organization_choice=KEEP
    )

    deal.refresh_from_db()
    assert (deal.value, deal.value_from_items) == (D("777.00"), False)
