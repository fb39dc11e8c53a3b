"""`/api/v1/deals/`: the deals app's views, and `POST {id}/to-lead/` (back to the leads inbox).

Leads sit above deals, so the lead's part of the deals resource lives here and the API router
serves this view set for `deals/` (as leads/api/attach.py does for notes and activities).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from crm.api.exceptions import conflict
from deals.api import views as deal_views
from deals.api.serializers import DealSerializer, VersionSerializer
from leads.api.serializers import LeadSerializer
from leads.errors import AlreadyBackToLead
from leads.reopen import deal_to_lead


class BackToLeadConflictSerializer(serializers.Serializer):
    code = serializers.ChoiceField(["stale_version", "already_back_to_lead"])
    detail = serializers.CharField()
    current = DealSerializer(
        required=False, help_text="With `stale_version`: the deal as it is now."
    )


class DealViewSet(deal_views.DealViewSet):
    @extend_schema(
        request=VersionSerializer,
        responses={
            200: LeadSerializer,
            409: OpenApiResponse(
                BackToLeadConflictSerializer,
                description="`stale_version` (the deal changed since `version`: the current "
                "deal is sent) or `already_back_to_lead` (a request just before this one sent "
                "it back).",
            ),
        },
        description="Send an open deal back to the leads inbox. The deal's lead (if it was "
        "converted from one) is reopened, else a new lead is made; the deal's notes, "
        "activities and e-mails move to it, its stage history is kept on it as a note, and "
        "the deal is deleted. A won or lost deal answers 400 (`status`): reopen it first.",
    )
    @action(detail=True, methods=["post"], url_path="to-lead")
    def to_lead(self, request, pk=None):
        deal = self.get_object()
        data = self.parse(VersionSerializer)
        try:
            lead = deal_to_lead(actor=self.actor, deal=deal, **data)
        except AlreadyBackToLead as exc:
            return conflict(exc.code, exc.message)
        return Response(LeadSerializer(lead).data, status=status.HTTP_200_OK)
