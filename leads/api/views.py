"""Leads: the inbox, archive and restore, and the conversion to a deal."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from activities.api.serializers import TimelineSerializer
from contacts.api.serializers import DuplicateSerializer
from crm.api.base import (
    OWNED_CREATE_DESCRIPTION,
    OWNED_UPDATE_DESCRIPTION,
    ReassignMixin,
    RecordViewSet,
)
from crm.api.exceptions import conflict
from crm.filters import OwnerScope
from crm.models import FieldEntity
from deals.api.serializers import DealSerializer
from leads import services
from leads.api.serializers import (
    DuplicatesFoundSerializer,
    LeadConvertSerializer,
    LeadFilterSerializer,
    LeadInputSerializer,
    LeadSerializer,
)
from leads.conversion import ContactChoice, lead_convert
from leads.errors import AlreadyConverted, DuplicateContacts
from leads.filters import LeadFilters, lead_filter
from leads.selectors import lead_list, lead_timeline


@extend_schema_view(
    list=extend_schema(
        parameters=[LeadFilterSerializer],
        description="The inbox (open leads), or with `archived`/`converted` those leads.",
    )
)
class LeadViewSet(ReassignMixin, RecordViewSet):
    serializer_class = LeadSerializer
    filter_serializer_class = LeadFilterSerializer
    custom_fields_entity = FieldEntity.LEAD

    def get_queryset(self):
        return lead_list(user=self.actor).select_related(None).prefetch_related("labels")

    def apply_filters(self, queryset, filters):
        lead_filters = LeadFilters(
            archived=filters["archived"],
            converted=filters["converted"],
            q=(filters.get("search") or "").strip(),
            scope=filters.get("scope") or OwnerScope.ALL,
            source=filters.get("source") or "",
            **{n: filters.get(n) for n in ("label", "owner", "person", "organization")},
            custom=filters.get("custom", ()),
        )
        return lead_filter(user=self.actor, filters=lead_filters, qs=queryset)

    @extend_schema(
        request=LeadInputSerializer,
        responses={201: LeadSerializer},
        description=OWNED_CREATE_DESCRIPTION,
    )
    def create(self, request):
        lead = services.lead_create(actor=self.actor, **self.parse(LeadInputSerializer))
        return self.render(self.fresh(lead), status_code=status.HTTP_201_CREATED)

    @extend_schema(
        request=LeadInputSerializer,
        responses={200: LeadSerializer},
        description=OWNED_UPDATE_DESCRIPTION,
    )
    def partial_update(self, request, pk=None):
        lead = self.get_object()
        data = self.parse(LeadInputSerializer, partial=True)
        return self.render(self.fresh(services.lead_update(actor=self.actor, lead=lead, **data)))

    def reassign_record(self, record, **data):
        return services.lead_update(actor=self.actor, lead=record, **data)

    def destroy(self, request, pk=None):
        services.lead_delete(actor=self.actor, lead=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: LeadSerializer})
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        lead = services.lead_archive(actor=self.actor, lead=self.get_object())
        return self.render(self.fresh(lead))

    @extend_schema(request=None, responses={200: LeadSerializer})
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        lead = services.lead_restore(actor=self.actor, lead=self.get_object())
        return self.render(self.fresh(lead))

    @extend_schema(
        request=LeadConvertSerializer,
        responses={
            201: DealSerializer,
            409: OpenApiResponse(
                DuplicatesFoundSerializer,
                description="`duplicates_found` (choose `keep` or `use` for the person and/or "
                "organization, and send again) or `already_converted` (with the deal's id).",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        """Turn the lead into a deal; its notes, activities and e-mails move to the deal."""
        lead = self.get_object()
        data = self.parse(LeadConvertSerializer)
        choices = {
            f"{name}_choice": ContactChoice(**data.pop(name))
            for name in ("person", "organization")
            if name in data
        }
        try:
            deal = lead_convert(lead=lead, actor=self.actor, **data, **choices)
        except DuplicateContacts as exc:
            duplicates = {
                "person": DuplicateSerializer(exc.person, many=True).data,
                "organization": DuplicateSerializer(exc.organization, many=True).data,
            }
            return conflict(exc.code, exc.message, duplicates=duplicates)
        except AlreadyConverted as exc:
            return conflict(exc.code, exc.message, deal=exc.deal.pk if exc.deal else None)
        return Response(DealSerializer(deal).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: TimelineSerializer})
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request, pk=None):
        entries = lead_timeline(lead=self.get_object(), user=self.actor, limit=None)
        return Response(TimelineSerializer({"results": entries}).data)
