"""Forms of the catalog pages and of a record's products: they parse; the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.web.fields import MoneyField
from products.models import Product


def plain(value: Decimal) -> Decimal:
    """2.000 → 2, 2.500 → 2.5 (never 1E+2): a number as a person types it."""
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(label=_("Code"), max_length=64, required=False)
    unit = forms.CharField(
        label=_("Unit"), max_length=30, required=False, help_text=_("e.g. piece, hour, licence")
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    tax_percent = forms.DecimalField(
        label=_("Tax (%)"), min_value=0, max_value=100, decimal_places=2, initial=0
    )

    @staticmethod
    def initial_from(product: Product) -> dict:
        return {
            "name": product.name,
            "code": product.code,
            "unit": product.unit,
            "description": product.description,
            "tax_percent": product.tax_percent,
        }


class PriceForm(forms.Form):
    currency = forms.CharField(
        label=_("Currency"), max_length=3, required=False, widget=forms.TextInput(attrs={"size": 4})
    )
    price = MoneyField(label=_("Price"), required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("currency")) != (data.get("price") is not None):
            raise forms.ValidationError(_("Give both a currency and a price, or neither."))
        return data


PriceFormSet = forms.formset_factory(PriceForm, extra=2, max_num=20)


def prices_from(formset) -> list[tuple[str, object]]:
    return [
        (form.cleaned_data["currency"], form.cleaned_data["price"])
        for form in formset.forms
        if form.cleaned_data.get("currency")
    ]


class ItemForm(forms.Form):
    """A product on a deal or lead. An empty unit price or tax: the catalog's."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.filter(is_active=True),
        empty_label=_("Choose…"),
    )
    quantity = forms.DecimalField(
        label=_("Quantity"), decimal_places=3, max_digits=12, initial=1, localize=True
    )
    unit_price = MoneyField(
        label=_("Unit price"), required=False, help_text=_("Empty: the catalog's price.")
    )
    discount_percent = forms.DecimalField(
        label=_("Discount (%)"), required=False, decimal_places=2, max_digits=5, localize=True
    )
    tax_percent = forms.DecimalField(
        label=_("Tax (%)"),
        required=False,
        decimal_places=2,
        max_digits=5,
        localize=True,
        help_text=_("Empty: the product's."),
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=255)

    def __init__(self, *args, editing=None, **kwargs):
        kwargs.setdefault("auto_id", "item-%s")  # unique on a record page of several forms
        super().__init__(*args, **kwargs)
        if editing is not None:
            # A line keeps its product even once it is archived.
            self.fields["product"].queryset = Product.objects.filter(
                is_active=True
            ) | Product.objects.filter(pk=editing.product_id)

    @staticmethod
    def initial_from(item, version: int | None) -> dict:
        return {
            "version": version,
            "product": item.product_id,
            "quantity": plain(item.quantity),
            "unit_price": item.unit_price,
            "discount_percent": plain(item.discount_percent),
            "tax_percent": plain(item.tax_percent),
            "comment": item.comment,
        }
