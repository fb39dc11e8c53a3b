"""The API of the catalog and of deals' and leads' products."""

from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission

from crm.tests.api import api_client, make_deal, make_lead
from deals.models import Deal
from leads.models import Lead
from products.models import DealProduct
from products.tests.factories import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(owner, pipeline):
    return make_deal(owner, pipeline, visible_to="owner")


def test_products_list_their_prices_per_currency(owner):
    make_product("Widget", code="W-1", prices={"EUR": "10.00", "USD": "12.50"}, tax_percent="19")
    make_product("Old thing", is_active=False)

    response = api_client(owner).get("/api/v1/products/?search=widg")

    assert response.status_code == 200
    [product] = response.json()["results"]
    assert {k: product[k] for k in ("name", "code", "tax_percent", "active")} == {
        "name": "Widget",
        "code": "W-1",
        "tax_percent": "19.00",
        "active": True,
    }
    assert product["prices"] == [
        {"currency": "EUR", "price": "10.00"},
        {"currency": "USD", "price": "12.50"},
    ]


def test_only_admins_and_allowed_users_write_the_catalog(owner, admin_user):
    body = {"name": "Setup", "prices": [{"currency": "EUR", "price": "99"}]}

    assert api_client(owner).post("/api/v1/products/", body, format="json").status_code == 403
    owner.user_permissions.add(Permission.objects.get(codename="manage_products"))
    owner = type(owner).objects.get(pk=owner.pk)  # fresh permission cache
    created = api_client(owner).post("/api/v1/products/", body, format="json")
    assert created.status_code == 201
    archived = api_client(admin_user).patch(
        f"/api/v1/products/{created.json()['id']}/", {"active": False}, format="json"
    )
    assert archived.json()["active"] is False


def test_adding_products_to_a_deal_sets_its_value_and_version(owner, deal):
    widget = make_product(prices={"EUR": "100.00"}, tax_percent="20")
    client = api_client(owner)

    response = client.post(
        f"/api/v1/deals/{deal.pk}/products/",
        {"product": widget.pk, "quantity": "2", "discount_percent": "10", "version": deal.version},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert {k: body[k] for k in ("product", "quantity", "unit_price", "sum", "currency")} == {
        "product": widget.pk,
        "quantity": "2.000",
        "unit_price": "100.00",
        "sum": "216.00",  # 2 × 100 × 0.9 × 1.2
        "currency": "EUR",
    }
    assert body["record"]["value"] == "216.00"
    assert body["record"]["version"] == deal.version + 1
    listed = client.get(f"/api/v1/deals/{deal.pk}/products/").json()["results"]
    assert [line["id"] for line in listed] == [body["id"]]


def test_a_stale_version_answers_409_with_the_deal(owner, deal):
    widget = make_product()

    response = api_client(owner).post(
        f"/api/v1/deals/{deal.pk}/products/",
        {"product": widget.pk, "version": deal.version + 5},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["current"]["version"] == deal.version
    assert not DealProduct.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": "-1"}, "quantity"),
        ({"product": 999999}, "product"),
        ({"currency": "USD"}, "currency"),
        ({"discount_percent": "150"}, "discount_percent"),
    ],
)
def test_bad_input_is_a_400_on_its_field(owner, deal, body, field):
    widget = make_product()

    response = api_client(owner).post(
        f"/api/v1/deals/{deal.pk}/products/", {"product": widget.pk, **body}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()


def test_a_product_without_a_price_in_the_deals_currency_is_a_400_on_unit_price(owner, deal):
    dollars = make_product(prices={"USD": "5"})

    response = api_client(owner).post(
        f"/api/v1/deals/{deal.pk}/products/", {"product": dollars.pk}, format="json"
    )

    assert response.status_code == 400
    assert "unit_price" in response.json()


def test_lines_are_as_visible_as_their_deal(owner, outsider, deal, pipeline):
    item = api_client(owner).post(
        f"/api/v1/deals/{deal.pk}/products/", {"product": make_product().pk}, format="json"
    )
    item_id = item.json()["id"]
    client = api_client(outsider)

    assert client.get(f"/api/v1/deals/{deal.pk}/products/").status_code == 404
    assert client.get(f"/api/v1/deals/{deal.pk}/products/{item_id}/").status_code == 404
    assert client.delete(f"/api/v1/deals/{deal.pk}/products/{item_id}/").status_code == 404
    # A line reached through another (visible) deal is not found either.
    other = make_deal(outsider, pipeline)
    assert client.get(f"/api/v1/deals/{other.pk}/products/{item_id}/").status_code == 404
    assert DealProduct.objects.filter(pk=item_id).exists()


def test_changing_and_removing_a_line_through_the_api(owner, deal):
    client = api_client(owner)
    item = client.post(
        f"/api/v1/deals/{deal.pk}/products/", {"product": make_product().pk}, format="json"
    ).json()

    changed = client.patch(
        f"/api/v1/deals/{deal.pk}/products/{item['id']}/",
        {"quantity": "3", "comment": "three"},
        format="json",
    )
    assert changed.json()["sum"] == "300.00"
    removed = client.delete(f"/api/v1/deals/{deal.pk}/products/{item['id']}/")

    assert removed.status_code == 200
    assert removed.json()["value"] == "0.00"
    assert Deal.objects.get(pk=deal.pk).value == D("0")


def test_value_mode_by_hand_through_the_api(owner, deal):
    client = api_client(owner)
    client.post(f"/api/v1/deals/{deal.pk}/products/", {"product": make_product().pk})

    response = client.post(
        f"/api/v1/deals/{deal.pk}/products/value-mode/", {"from_items": False}, format="json"
    )

    assert response.json()["value_from_items"] is False
    patched = client.patch(
        f"/api/v1/deals/{deal.pk}/",
        {"value": "5", "version": response.json()["version"]},
        format="json",
    )
    assert patched.json()["value"] == "5.00"


def test_leads_have_products_too(owner, outsider):
    lead = make_lead(owner, visible_to="owner")
    widget = make_product(prices={"EUR": "40"})

    response = api_client(owner).post(
        f"/api/v1/leads/{lead.pk}/products/", {"product": widget.pk, "quantity": "2"}
    )

    assert response.status_code == 201
    assert Lead.objects.get(pk=lead.pk).value == D("80.00")
    assert api_client(outsider).get(f"/api/v1/leads/{lead.pk}/products/").status_code == 404
