"""Notes, activities and e-mails written on a lead, through `/api/v1/notes/`, `activities/` and
`emails/`: the activities app's views with a `lead` field, served by the API router instead.

Leads sit above activities, so the lead's part lives here: the lead's services decide who may
write on it, and link the item to the lead.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from activities.api.serializers import (
    ActivityCreateSerializer,
    ActivitySerializer,
    EmailCreateSerializer,
    EmailSerializer,
    NoteCreateSerializer,
    NoteSerializer,
)
from activities.api.views import ActivityViewSet, EmailViewSet, NoteViewSet
from activities.models import Activity, Email, Note
from crm.api.fields import VisiblePrimaryKeyField
from leads import services
from leads.models import Lead
from leads.selectors import lead_list


class OnLeadMixin(serializers.Serializer):
    """Exactly what it is written on: a lead, or a deal, person and/or organization."""

    lead = VisiblePrimaryKeyField(model=Lead, selector=lead_list, required=False)

    def validate(self, attrs):
        targets = [name for name in ("deal", "person", "organization") if attrs.get(name)]
        if attrs.get("lead") and targets:
            raise serializers.ValidationError(
                {"lead": ["Give a lead, or a deal, person or organization, not both."]}
            )
        return super().validate(attrs)


class LeadNoteCreateSerializer(OnLeadMixin, NoteCreateSerializer):
    pass


class LeadActivityCreateSerializer(OnLeadMixin, ActivityCreateSerializer):
    pass


class LeadEmailCreateSerializer(OnLeadMixin, EmailCreateSerializer):
    pass


class LeadNoteViewSet(NoteViewSet):
    create_serializer_class = LeadNoteCreateSerializer

    def create_note(self, data: dict) -> Note:
        lead = data.pop("lead", None)
        if lead is None:
            return super().create_note(data)
        return services.lead_add_note(actor=self.actor, lead=lead, content=data["content"])

    @extend_schema(request=LeadNoteCreateSerializer, responses={201: NoteSerializer})
    def create(self, request):
        return super().create(request)


class LeadActivityViewSet(ActivityViewSet):
    create_serializer_class = LeadActivityCreateSerializer

    def create_activity(self, data: dict) -> Activity:
        lead = data.pop("lead", None)
        if lead is None:
            return super().create_activity(data)
        return services.lead_add_activity(actor=self.actor, lead=lead, **data)

    @extend_schema(request=LeadActivityCreateSerializer, responses={201: ActivitySerializer})
    def create(self, request):
        return super().create(request)


class LeadEmailViewSet(EmailViewSet):
    create_serializer_class = LeadEmailCreateSerializer

    def create_email(self, data: dict) -> Email:
        lead = data.pop("lead", None)
        if lead is None:
            return super().create_email(data)
        return services.lead_log_email(actor=self.actor, lead=lead, **data)

    @extend_schema(request=LeadEmailCreateSerializer, responses={201: EmailSerializer})
    def create(self, request):
        return super().create(request)
