"""The catalog pages and the products on the deal page."""

from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from crm.tests.api import make_deal
from products.models import DealProduct, Product, ProductPrice
from products.services import deal_item_add
from products.tests.factories import make_product

pytestmark = pytest.mark.django_db


def test_reps_read_the_catalog_but_do_not_find_its_edit_pages(client, owner):
    product = make_product("Widget", code="W-1")
    client.force_login(owner)

    listed = client.get(reverse("products:list") + "?q=w-1")
    assert listed.status_code == 200 and "Widget" in listed.content.decode()
    assert client.get(reverse("products:add")).status_code == 404
    assert client.post(reverse("products:archive", args=[product.pk])).status_code == 404


def test_an_allowed_user_creates_a_product_with_prices(client, owner):
    owner.user_permissions.add(Permission.objects.get(codename="manage_products"))
    client.force_login(owner)

    response = client.post(
        reverse("products:add"),
        {
            "name": "Licence",
            "code": "LIC",
            "unit": "seat",
            "tax_percent": "19",
            "prices-TOTAL_FORMS": "2",
            "prices-INITIAL_FORMS": "0",
            "prices-0-currency": "eur",
            "prices-0-price": "120.50",
            "prices-1-currency": "USD",
            "prices-1-price": "130",
        },
    )

    assert response.status_code == 302
    product = Product.objects.get(code="LIC")
    assert dict(ProductPrice.objects.filter(product=product).values_list("currency", "price")) == {
        "EUR": D("120.50"),
        "USD": D("130.00"),
    }


def test_an_admin_archives_and_restores_a_product(client, admin_user):
    product = make_product()
    client.force_login(admin_user)

    client.post(reverse("products:archive", args=[product.pk]))
    product.refresh_from_db()
    assert product.is_active is False
    assert "Widget" in client.get(reverse("products:list") + "?archived=1").content.decode()
    client.post(reverse("products:restore", args=[product.pk]))
    product.refresh_from_db()
    assert product.is_active is True


def test_the_deal_page_adds_a_product_and_shows_the_value_from_products(client, owner, pipeline):
    deal = make_deal(owner, pipeline)
    widget = make_product(prices={"EUR": "40"})
    client.force_login(owner)

    response = client.post(
        reverse("products:deal_item_add", args=[deal.pk]),
        {"product": widget.pk, "quantity": "2", "version": deal.version},
    )

    assert response.status_code == 302
    page = client.get(reverse("deals:detail", args=[deal.pk])).content.decode()
    assert "Value: the sum of the products" in page
    assert "80.00" in page
    assert "Product added: Widget" in page  # the timeline


def test_bad_input_on_the_deal_page_shows_the_error_on_its_field(client, owner, pipeline):
    deal = make_deal(owner, pipeline)
    client.force_login(owner)

    response = client.post(
        reverse("products:deal_item_add", args=[deal.pk]),
        {"product": make_product().pk, "quantity": "-2"},
    )

    assert response.status_code == 400
    assert "The quantity must be more than 0." in response.content.decode()
    assert not DealProduct.objects.exists()


def test_item_pages_of_a_deal_one_may_not_see_are_404(client, owner, outsider, pipeline):
    deal = make_deal(owner, pipeline, visible_to="owner")
    item = deal_item_add(actor=owner, deal=deal, product=make_product())
    client.force_login(outsider)

    assert (
        client.get(reverse("products:deal_item_edit", args=[deal.pk, item.pk])).status_code == 404
    )
    remove = reverse("products:deal_item_remove", args=[deal.pk, item.pk])
    assert client.post(remove).status_code == 404
    add = reverse("products:deal_item_add", args=[deal.pk])
    assert client.post(add, {"product": item.product_id}).status_code == 404
    assert DealProduct.objects.filter(pk=item.pk).exists()


def test_the_deals_list_and_the_board_show_product_names(client, owner, pipeline):
    deal = make_deal(owner, pipeline)
    deal_item_add(actor=owner, deal=deal, product=make_product("Gizmo"))
    client.force_login(owner)

    assert "Gizmo" in client.get(reverse("deals:list")).content.decode()
    board = client.get(reverse("board:pipeline", args=[pipeline.pk])).content.decode()
    assert 'class="board-card-products muted">Gizmo<' in board
