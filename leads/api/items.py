"""`/api/v1/leads/{id}/products/`: a lead's product lines, as a deal's (products/api/views.py).

As visible as the lead (404 otherwise). Leads carry no version: the lead row is locked for
each change, so concurrent changes all count.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from leads import line_items
from leads.selectors import lead_get, lead_item_get, lead_items
from products.api.serializers import (
    LineItemInputSerializer,
    LineItemUpdateSerializer,
    LineItemWrittenSerializer,
    RecordValueSerializer,
    ValueModeSerializer,
)
from products.api.views import LineItemViewSetBase


@extend_schema_view(
    list=extend_schema(description="The lead's products, oldest first."),
    retrieve=extend_schema(description="One product line of the lead."),
)
class LeadProductViewSet(LineItemViewSetBase):
    def record(self):
        if not hasattr(self, "_lead"):
            self._lead = lead_get(user=self.actor, pk=self.kwargs["lead_pk"])
        return self._lead

    def get_queryset(self):
        return lead_items(lead=self.record())

    def get_object(self):
        return lead_item_get(user=self.actor, lead_pk=self.kwargs["lead_pk"], pk=self.kwargs["pk"])

    @extend_schema(
        request=LineItemInputSerializer,
        responses={201: LineItemWrittenSerializer},
        description="Add a product. The unit price defaults to the catalog's price in the "
        "lead's currency (400 on `unit_price` if it has none), the tax to the product's.",
    )
    def create(self, request, lead_pk=None):
        data = self.parse(LineItemInputSerializer)
        item = line_items.lead_item_add(actor=self.actor, lead=self.record(), **data)
        return self.written(item, item.lead, status.HTTP_201_CREATED)

    @extend_schema(request=LineItemUpdateSerializer, responses={200: LineItemWrittenSerializer})
    def partial_update(self, request, lead_pk=None, pk=None):
        item = self.get_object()
        data = self.parse(LineItemUpdateSerializer)
        item = line_items.lead_item_update(actor=self.actor, item=item, **data)
        return self.written(item, item.lead)

    @extend_schema(responses={200: RecordValueSerializer})
    def destroy(self, request, lead_pk=None, pk=None):
        lead = line_items.lead_item_remove(actor=self.actor, item=self.get_object())
        return Response(RecordValueSerializer(lead).data)

    @extend_schema(request=ValueModeSerializer, responses={200: RecordValueSerializer})
    @action(detail=False, methods=["post"], url_path="value-mode")
    def value_mode(self, request, lead_pk=None):
        data = self.parse(ValueModeSerializer)
        data.pop("version", None)
        lead = line_items.lead_value_mode_set(actor=self.actor, lead=self.record(), **data)
        return Response(RecordValueSerializer(lead).data)
