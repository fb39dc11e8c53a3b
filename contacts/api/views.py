"""Persons and organizations: CRUD, the duplicate check, merges and timelines."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from activities.api.serializers import TimelineSerializer
from activities.selectors import organization_timeline, person_timeline
from contacts import services
from contacts.api.serializers import (
    DuplicateListSerializer,
    OrganizationDuplicateQuerySerializer,
    OrganizationFilterSerializer,
    OrganizationInputSerializer,
    OrganizationMergeSerializer,
    OrganizationSerializer,
    PersonDuplicateQuerySerializer,
    PersonFilterSerializer,
    PersonInputSerializer,
    PersonMergeSerializer,
    PersonSerializer,
)
from contacts.filters import ContactFilters, organization_filter, person_filter
from contacts.selectors import (
    organization_duplicates,
    organization_list,
    person_duplicates,
    person_list,
)
from crm.api.base import (
    OWNED_CREATE_DESCRIPTION,
    OWNED_UPDATE_DESCRIPTION,
    ReassignMixin,
    RecordViewSet,
)
from crm.filters import OwnerScope
from crm.models import FieldEntity


def _duplicates_response(matches) -> Response:
    return Response(DuplicateListSerializer({"results": matches}).data)


def _contact_filters(params: dict) -> ContactFilters:
    return ContactFilters(
        q=(params.get("search") or "").strip(),
        scope=params.get("scope") or OwnerScope.ALL,
        owner=params.get("owner"),
        organization=params.get("organization"),
        custom=params.get("custom", ()),
    )


@extend_schema_view(list=extend_schema(parameters=[OrganizationFilterSerializer]))
class OrganizationViewSet(ReassignMixin, RecordViewSet):
    serializer_class = OrganizationSerializer
    filter_serializer_class = OrganizationFilterSerializer
    custom_fields_entity = FieldEntity.ORGANIZATION

    def get_queryset(self):
        return organization_list(user=self.actor)

    def apply_filters(self, queryset, filters):
        return organization_filter(user=self.actor, filters=_contact_filters(filters), qs=queryset)

    @extend_schema(
        request=OrganizationInputSerializer,
        responses={201: OrganizationSerializer},
        description=OWNED_CREATE_DESCRIPTION,
    )
    def create(self, request):
        data = self.parse(OrganizationInputSerializer)
        organization = services.organization_create(actor=self.actor, **data)
        return self.render(organization, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        request=OrganizationInputSerializer,
        responses={200: OrganizationSerializer},
        description=OWNED_UPDATE_DESCRIPTION,
    )
    def partial_update(self, request, pk=None):
        organization = self.get_object()
        data = self.parse(OrganizationInputSerializer, partial=True)
        organization = services.organization_update(
            actor=self.actor, organization=organization, **data
        )
        return self.render(organization)

    def reassign_record(self, record, **data):
        return services.organization_update(actor=self.actor, organization=record, **data)

    def destroy(self, request, pk=None):
        services.organization_delete(actor=self.actor, organization=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[OrganizationDuplicateQuerySerializer],
        responses={200: DuplicateListSerializer},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def duplicates(self, request):
        """Likely duplicates of an organization about to be created, best first."""
        query = self.parse(OrganizationDuplicateQuerySerializer, data=request.query_params)
        return _duplicates_response(organization_duplicates(user=self.actor, **query))

    @extend_schema(request=OrganizationMergeSerializer, responses={200: OrganizationSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge `other` into this organization; its persons, deals, leads and notes move here."""
        survivor = self.get_object()
        other = self.parse(OrganizationMergeSerializer)["other"]
        survivor = services.organization_merge(actor=self.actor, survivor=survivor, other=other)
        return self.render(survivor)

    @extend_schema(responses={200: TimelineSerializer})
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request, pk=None):
        entries = organization_timeline(organization=self.get_object(), user=self.actor, limit=None)
        return Response(TimelineSerializer({"results": entries}).data)


@extend_schema_view(list=extend_schema(parameters=[PersonFilterSerializer]))
class PersonViewSet(ReassignMixin, RecordViewSet):
    serializer_class = PersonSerializer
    filter_serializer_class = PersonFilterSerializer
    custom_fields_entity = FieldEntity.PERSON

    def get_queryset(self):
        return person_list(user=self.actor)

    def apply_filters(self, queryset, filters):
        return person_filter(user=self.actor, filters=_contact_filters(filters), qs=queryset)

    @extend_schema(
        request=PersonInputSerializer,
        responses={201: PersonSerializer},
        description=OWNED_CREATE_DESCRIPTION,
    )
    def create(self, request):
        data = self.parse(PersonInputSerializer)
        person = services.person_create(actor=self.actor, **data)
        return self.render(self.fresh(person), status_code=status.HTTP_201_CREATED)

    @extend_schema(
        request=PersonInputSerializer,
        responses={200: PersonSerializer},
        description=OWNED_UPDATE_DESCRIPTION,
    )
    def partial_update(self, request, pk=None):
        person = self.get_object()
        data = self.parse(PersonInputSerializer, partial=True)
        person = services.person_update(actor=self.actor, person=person, **data)
        return self.render(self.fresh(person))

    def reassign_record(self, record, **data):
        return services.person_update(actor=self.actor, person=record, **data)

    def destroy(self, request, pk=None):
        services.person_delete(actor=self.actor, person=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[PersonDuplicateQuerySerializer], responses={200: DuplicateListSerializer}
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def duplicates(self, request):
        """Likely duplicates of a person about to be created, best first."""
        query = self.parse(PersonDuplicateQuerySerializer, data=request.query_params)
        organization = (query.get("organization") or "").strip()
        if organization.isdigit():
            # An id: only an organization the caller may see counts.
            organization = organization_list(user=self.actor).filter(pk=organization).first()
        matches = person_duplicates(
            user=self.actor,
            name=query.get("name", ""),
            emails=[query["email"]] if query.get("email") else [],
            phones=[query["phone"]] if query.get("phone") else [],
            organization=organization or None,
        )
        return _duplicates_response(matches)

    @extend_schema(request=PersonMergeSerializer, responses={200: PersonSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge `other` into this person; nothing of `other` is lost."""
        survivor = self.get_object()
        other = self.parse(PersonMergeSerializer)["other"]
        survivor = services.person_merge(actor=self.actor, survivor=survivor, other=other)
        return self.render(self.fresh(survivor))

    @extend_schema(responses={200: TimelineSerializer})
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request, pk=None):
        entries = person_timeline(person=self.get_object(), user=self.actor, limit=None)
        return Response(TimelineSerializer({"results": entries}).data)
