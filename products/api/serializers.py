"""The catalog and a record's products in the API. Input serializers only check shapes; the
services decide (a refusal is a 400 on its field)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from products.models import Product
from products.selectors import product_all


def _decimal(max_digits: int, places: int, **kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=max_digits, decimal_places=places, coerce_to_string=True, **kwargs
    )


class ProductPriceSerializer(serializers.Serializer):
    currency = serializers.RegexField(r"^[A-Za-z]{3}\Z", help_text="ISO 4217, e.g. EUR.")
    price = _decimal(14, 2, min_value=0)


class ProductSerializer(serializers.ModelSerializer):
    prices = ProductPriceSerializer(many=True, read_only=True)
    active = serializers.BooleanField(source="is_active", read_only=True)
    tax_percent = _decimal(5, 2, read_only=True)

    class Meta:
        model = Product
        fields = ["id", "name", "code", "unit", "description", "prices", "tax_percent", "active"]
        read_only_fields = fields


class ProductInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    code = serializers.CharField(max_length=64, required=False, allow_blank=True)
    unit = serializers.CharField(max_length=30, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    tax_percent = _decimal(5, 2, required=False, min_value=0, max_value=100)
    prices = ProductPriceSerializer(many=True, required=False)
    active = serializers.BooleanField(required=False)


class ProductUpdateSerializer(ProductInputSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class ProductFilterSerializer(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, max_length=100)
    archived = serializers.BooleanField(
        required=False, default=False, help_text="The archived products instead of the active."
    )


class LineItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    product = serializers.IntegerField(source="product_id", read_only=True)
    quantity = _decimal(12, 3, read_only=True)
    unit_price = _decimal(14, 2, read_only=True)
    currency = serializers.CharField(read_only=True, help_text="The record's currency.")
    discount_percent = _decimal(5, 2, read_only=True)
    tax_percent = _decimal(5, 2, read_only=True)
    comment = serializers.CharField(read_only=True)
    sum = _decimal(
        14,
        2,
        read_only=True,
        help_text="round(quantity × unit_price × (1 − discount/100) × (1 + tax/100), 2), "
        "half up; tax included.",
    )


class VisibleProductField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return product_all(user=self.context["request"].user)


class LineItemInputSerializer(serializers.Serializer):
    product = VisibleProductField(queryset=Product.objects.none())
    quantity = _decimal(12, 3, required=False, help_text="More than 0; 1 if not given.")
    unit_price = _decimal(
        14,
        2,
        required=False,
        allow_null=True,
        help_text="In the record's currency; empty: the catalog's price in that currency.",
    )
    discount_percent = _decimal(5, 2, required=False, allow_null=True)
    tax_percent = _decimal(
        5, 2, required=False, allow_null=True, help_text="Empty: the product's tax."
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=255)
    currency = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=3,
        help_text="If given, must be the record's currency (prices are in it).",
    )


class LineItemUpdateSerializer(LineItemInputSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class DealVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The deal's version you saw; if given, an older one answers 409.",
    )


class DealLineItemInputSerializer(DealVersionSerializer, LineItemInputSerializer):
    pass


class DealLineItemUpdateSerializer(DealVersionSerializer, LineItemUpdateSerializer):
    pass


class RecordValueSerializer(serializers.Serializer):
    """The record's value after the change: its new version (deals), value and how it is set."""

    id = serializers.IntegerField()
    value = _decimal(14, 2)
    currency = serializers.CharField()
    value_from_items = serializers.BooleanField(
        help_text="True: the value is the sum of the products in the record's currency; "
        "False: set by hand."
    )
    version = serializers.SerializerMethodField()

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_version(self, record) -> int | None:
        return getattr(record, "version", None)


class LineItemWrittenSerializer(LineItemSerializer):
    record = serializers.SerializerMethodField()

    @extend_schema_field(RecordValueSerializer)
    def get_record(self, item) -> dict:
        return RecordValueSerializer(self.context["record"]).data


class ValueModeSerializer(DealVersionSerializer):
    from_items = serializers.BooleanField(
        help_text="True: the value becomes the sum of the products; False: set by hand."
    )
