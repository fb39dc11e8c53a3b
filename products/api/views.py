"""`/api/v1/products/` (the catalog) and `/api/v1/deals/{id}/products/` (a deal's lines).

A deal's lines are as visible as the deal: 404 for a deal the caller may not see, or a line of
another deal. Writes that change the deal's value bump its version; a `version` sent that is
older than the deal's answers 409 with the deal as it is.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from crm.api.base import RecordViewSet
from crm.api.exceptions import conflict
from crm.errors import StaleVersion
from deals.api.serializers import DealSerializer, StaleDealSerializer
from deals.selectors import deal_get
from products import services
from products.api.serializers import (
    DealLineItemInputSerializer,
    DealLineItemUpdateSerializer,
    LineItemSerializer,
    LineItemWrittenSerializer,
    ProductFilterSerializer,
    ProductInputSerializer,
    ProductSerializer,
    ProductUpdateSerializer,
    RecordValueSerializer,
    ValueModeSerializer,
)
from products.filters import ProductFilters, product_filter
from products.selectors import deal_item_get, deal_items, product_all

STALE = {409: StaleDealSerializer}
VERSION_HELP = "The deal's version you saw; if given, an older one answers 409."


def _product_fields(data: dict) -> dict:
    fields = dict(data)
    if "prices" in fields:
        fields["prices"] = [(p["currency"], p["price"]) for p in fields["prices"]]
    if "active" in fields:
        fields["is_active"] = fields.pop("active")
    return fields


@extend_schema_view(list=extend_schema(parameters=[ProductFilterSerializer]))
class ProductViewSet(RecordViewSet):
    # The catalog: everyone reads it; admins and the users they allow write it (else 403).
    # Archive with PATCH {"active": false}; products are never deleted (deals keep them).
    serializer_class = ProductSerializer
    filter_serializer_class = ProductFilterSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return product_all(user=self.actor).order_by("name", "id")

    def apply_filters(self, queryset, filters):
        return product_filter(
            user=self.actor,
            filters=ProductFilters(
                q=(filters.get("search") or "").strip(), archived=filters.get("archived", False)
            ),
        )

    def _check_manager(self) -> None:
        if not services.can_manage_products(self.actor):
            raise PermissionDenied("Only admins and the users they allow may manage products.")

    @extend_schema(request=ProductInputSerializer, responses={201: ProductSerializer})
    def create(self, request):
        self._check_manager()
        fields = _product_fields(self.parse(ProductInputSerializer))
        active = fields.pop("is_active", True)
        product = services.product_create(actor=self.actor, **fields)
        if not active:
            product = services.product_archive(actor=self.actor, product=product)
        return self.render(self.fresh(product), status_code=status.HTTP_201_CREATED)

    @extend_schema(request=ProductUpdateSerializer, responses={200: ProductSerializer})
    def partial_update(self, request, pk=None):
        product = self.get_object()
        self._check_manager()
        fields = _product_fields(self.parse(ProductUpdateSerializer))
        product = services.product_update(actor=self.actor, product=product, **fields)
        return self.render(self.fresh(product))


class LineItemViewSetBase(RecordViewSet):
    # A record's lines: list, add, read, change, remove; the record comes from the URL.
    serializer_class = LineItemSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = r"\d+"

    def record(self):
        raise NotImplementedError

    def written(self, item, record, status_code=status.HTTP_200_OK) -> Response:
        data = LineItemWrittenSerializer(item, context={"record": record}).data
        return Response(data, status=status_code)


@extend_schema_view(
    list=extend_schema(description="The deal's products, oldest first."),
    retrieve=extend_schema(description="One product line of the deal."),
)
class DealProductViewSet(LineItemViewSetBase):
    def record(self):
        if not hasattr(self, "_deal"):
            self._deal = deal_get(user=self.actor, pk=self.kwargs["deal_pk"])
        return self._deal

    def get_queryset(self):
        return deal_items(deal=self.record())

    def get_object(self):
        return deal_item_get(user=self.actor, deal_pk=self.kwargs["deal_pk"], pk=self.kwargs["pk"])

    def handle_exception(self, exc):
        if isinstance(exc, StaleVersion) and exc.current is not None:
            return conflict(exc.code, exc.message, current=DealSerializer(exc.current).data)
        return super().handle_exception(exc)

    @extend_schema(
        request=DealLineItemInputSerializer,
        responses={201: LineItemWrittenSerializer, **STALE},
        description="Add a product. The unit price defaults to the catalog's price in the "
        "deal's currency (400 on `unit_price` if it has none), the tax to the product's. The "
        "first product makes the deal's value the sum of its products.",
    )
    def create(self, request, deal_pk=None):
        deal = self.record()
        data = self.parse(DealLineItemInputSerializer)
        item = services.deal_item_add(actor=self.actor, deal=deal, **data)
        return self.written(item, item.deal, status.HTTP_201_CREATED)

    @extend_schema(
        request=DealLineItemUpdateSerializer,
        responses={200: LineItemWrittenSerializer, **STALE},
    )
    def partial_update(self, request, deal_pk=None, pk=None):
        item = self.get_object()
        data = self.parse(DealLineItemUpdateSerializer)
        item = services.deal_item_update(actor=self.actor, item=item, **data)
        return self.written(item, item.deal)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "version", int, OpenApiParameter.QUERY, required=False, description=VERSION_HELP
            )
        ],
        responses={200: RecordValueSerializer, **STALE},
        description="Remove the line; answers the deal's value and version after it. "
        "`?version=` (optional) is the deal's version you saw.",
    )
    def destroy(self, request, deal_pk=None, pk=None):
        item = self.get_object()
        raw = request.query_params.get("version")
        version = int(raw) if raw and raw.isdigit() else None
        deal = services.deal_item_remove(actor=self.actor, item=item, version=version)
        return Response(RecordValueSerializer(deal).data)

    @extend_schema(request=ValueModeSerializer, responses={200: RecordValueSerializer, **STALE})
    @action(detail=False, methods=["post"], url_path="value-mode")
    def value_mode(self, request, deal_pk=None):
        data = self.parse(ValueModeSerializer)
        deal = services.deal_value_mode_set(actor=self.actor, deal=self.record(), **data)
        return Response(RecordValueSerializer(deal).data)
