from decimal import Decimal

from products.models import Product, ProductPrice


def make_product(name="Widget", code="", prices=None, tax_percent="0", unit="", **fields):
    """A product with its prices ({"EUR": "100.00"} unless given)."""
    product = Product.objects.create(
        name=name, code=code, tax_percent=Decimal(tax_percent), unit=unit, **fields
    )
    for currency, price in (prices if prices is not None else {"EUR": "100.00"}).items():
        ProductPrice.objects.create(product=product, currency=currency, price=Decimal(price))
    return product
