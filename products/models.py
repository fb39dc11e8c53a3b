"""The product catalog (one price per currency) and the products on deals (line items).

Line items keep their own unit price, discount, tax and sum: a catalog price changed later
does not change a deal already priced. `LineItem` and `LineItemChange` are abstract so that
leads (an app above this one) keep their items in a table of their own with the same fields.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from deals.models import Deal

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Product(models.Model):
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=64, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True, help_text=_("e.g. piece, hour"))
    description = models.TextField(_("description"), blank=True)
    tax_percent = models.DecimalField(
        _("tax (%)"), max_digits=5, decimal_places=2, default=Decimal("0"), validators=PERCENT
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        permissions = [("manage_products", _("May manage the product catalog"))]
        constraints = [
            # A code names one product; products without a code are many.
            models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="product_code"),
            models.CheckConstraint(
                condition=Q(tax_percent__gte=0, tax_percent__lte=100), name="product_tax_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name


class ProductPrice(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(_("currency"), max_length=3)
    price = models.DecimalField(
        _("price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["currency"]
        constraints = [
            models.UniqueConstraint(fields=["product", "currency"], name="product_price_currency"),
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.price}"


class LineItem(models.Model):
    """A product on a record: quantity, the unit price in the record's currency, discount,
    tax, and the line's sum (`products.money.line_sum`, rounded once, kept by the services)."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    discount_percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    tax_percent = models.DecimalField(
        _("tax (%)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    comment = models.CharField(_("comment"), max_length=255, blank=True)
    sum = models.DecimalField(_("sum"), max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="%(app_label)s_%(class)s_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="%(app_label)s_%(class)s_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lte=100)
                & Q(tax_percent__gte=0, tax_percent__lte=100),
                name="%(app_label)s_%(class)s_percent_range",
            ),
        ]


class DealProduct(LineItem):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="line_items")

    class Meta(LineItem.Meta):
        ordering = ["id"]
        indexes = [
            # The deal page, the board's and the list's product names: a deal's items by id.
            models.Index(fields=["deal", "id"], include=["product"], name="dealproduct_deal_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id} on {self.deal_id}"


class ItemChangeKind(models.TextChoices):
    ADDED = "added", _("Product added")
    CHANGED = "changed", _("Product changed")
    REMOVED = "removed", _("Product removed")
    VALUE_MODE = "value_mode", _("Value mode changed")


class LineItemChange(models.Model):
    """One change of a record's products, as its timeline shows it. Only ever added.

    Kept apart from DealHistory, whose rows mark the stays in stages that the reports count.
    """

    kind = models.CharField(max_length=20, choices=ItemChangeKind.choices)
    # What the line was (or became): the product's name then, and a summary of the line.
    product_name = models.CharField(max_length=200, blank=True)
    detail = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        abstract = True


class DealProductChange(LineItemChange):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="product_changes")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["deal", "created_at"], name="dealproductchange_deal_idx")]

    def __str__(self) -> str:
        return f"{self.deal_id} {self.kind} {self.product_name}"
