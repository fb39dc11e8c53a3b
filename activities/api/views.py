"""Notes, activities and logged e-mails on a deal, person or organization.

Those written on a lead go through the lead's services: `leads/api/attach.py` extends these
views with the `lead` field, and the API router serves its versions.
"""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response

from activities import services
from activities.api.serializers import (
    ActivityCreateSerializer,
    ActivityFilterSerializer,
    ActivitySerializer,
    ActivityUpdateSerializer,
    AttachedFilterSerializer,
    EmailCreateSerializer,
    EmailSerializer,
    NoteCreateSerializer,
    NoteSerializer,
    NoteUpdateSerializer,
)
from activities.filters import ActivityFilters, activity_filter
from activities.models import Activity, Email, Note
from activities.selectors import activity_list, email_list, note_list
from crm.api.base import RecordViewSet
from crm.filters import OwnerScope


def _attached_filters(queryset: QuerySet, filters: dict) -> QuerySet:
    """Notes and e-mails by what they are written on (activities: `activity_filter`)."""
    if "lead" in filters:
        queryset = queryset.filter(leads=filters.pop("lead"))
    for name in ("deal", "person", "organization"):
        if name in filters:
            queryset = queryset.filter(**{f"{name}_id": filters[name]})
    return queryset


@extend_schema_view(list=extend_schema(parameters=[AttachedFilterSerializer]))
class NoteViewSet(RecordViewSet):
    serializer_class = NoteSerializer
    filter_serializer_class = AttachedFilterSerializer
    create_serializer_class = NoteCreateSerializer

    def create_note(self, data: dict) -> Note:
        return services.note_create(actor=self.actor, **data)

    def get_queryset(self):
        return note_list(user=self.actor).prefetch_related("leads").order_by("-created_at", "-id")

    def apply_filters(self, queryset, filters):
        return _attached_filters(queryset, filters)

    @extend_schema(request=NoteCreateSerializer, responses={201: NoteSerializer})
    def create(self, request):
        note = self.create_note(self.parse(self.create_serializer_class))
        return self.render(self.fresh(note), status_code=status.HTTP_201_CREATED)

    @extend_schema(request=NoteUpdateSerializer, responses={200: NoteSerializer})
    def partial_update(self, request, pk=None):
        note = self.get_object()
        data = self.parse(NoteUpdateSerializer)
        services.note_update(actor=self.actor, note=note, **data)
        return self.render(self.get_object())

    def destroy(self, request, pk=None):
        services.note_delete(actor=self.actor, note=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(list=extend_schema(parameters=[ActivityFilterSerializer]))
class ActivityViewSet(RecordViewSet):
    serializer_class = ActivitySerializer
    filter_serializer_class = ActivityFilterSerializer
    create_serializer_class = ActivityCreateSerializer

    def create_activity(self, data: dict) -> Activity:
        return services.activity_create(actor=self.actor, **data)

    def get_queryset(self):
        return activity_list(user=self.actor).prefetch_related("leads")

    def apply_filters(self, queryset, filters):
        activity_filters = ActivityFilters(
            done=filters.get("done"),
            scope=filters.get("scope") or OwnerScope.ALL,
            q=(filters.get("search") or "").strip(),
            type=filters.get("type") or "",
            **{
                n: filters.get(n)
                for n in (
                    "assignee",
                    "deal",
                    "person",
                    "organization",
                    "lead",
                    "due_after",
                    "due_before",
                )
            },
        )
        return activity_filter(user=self.actor, filters=activity_filters, qs=queryset)

    @extend_schema(request=ActivityCreateSerializer, responses={201: ActivitySerializer})
    def create(self, request):
        activity = self.create_activity(self.parse(self.create_serializer_class))
        return self.render(self.fresh(activity), status_code=status.HTTP_201_CREATED)

    @extend_schema(request=ActivityUpdateSerializer, responses={200: ActivitySerializer})
    def partial_update(self, request, pk=None):
        activity = self.get_object()
        data = self.parse(ActivityUpdateSerializer, partial=True)
        done = data.pop("done", None)
        if data:
            activity = services.activity_update(actor=self.actor, activity=activity, **data)
        if done is not None and done != activity.done:
            services.activity_set_done(actor=self.actor, activity=activity, done=done)
        return self.render(self.get_object())

    def destroy(self, request, pk=None):
        services.activity_delete(actor=self.actor, activity=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(list=extend_schema(parameters=[AttachedFilterSerializer]))
class EmailViewSet(RecordViewSet):
    """Logged e-mails: the CRM records them; it does not send them."""

    serializer_class = EmailSerializer
    filter_serializer_class = AttachedFilterSerializer
    create_serializer_class = EmailCreateSerializer
    http_method_names = ["get", "post", "head", "options"]

    def create_email(self, data: dict) -> Email:
        return services.email_log(actor=self.actor, **data)

    def get_queryset(self):
        return email_list(user=self.actor).prefetch_related("leads")

    def apply_filters(self, queryset, filters):
        return _attached_filters(queryset, filters)

    @extend_schema(request=EmailCreateSerializer, responses={201: EmailSerializer})
    def create(self, request):
        email = self.create_email(self.parse(self.create_serializer_class))
        return self.render(self.fresh(email), status_code=status.HTTP_201_CREATED)
