"""What every API view shares: auth, throttles, paging, errors, schema, thin write helpers."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from crm.api.exceptions import api_exception_handler
from crm.api.pagination import CrmPagination
from crm.api.schema import CrmAutoSchema
from crm.api.serializers import ReassignSerializer
from crm.api.throttles import AnonThrottle, UserThrottle
from crm.custom_fields.query import custom_params, parse_filters


class ApiDefaults:
    # Token first: an anonymous caller then gets 401 with `WWW-Authenticate: Token`.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    throttle_classes = [AnonThrottle, UserThrottle]
    pagination_class = CrmPagination
    schema = CrmAutoSchema()

    def get_exception_handler(self):
        return api_exception_handler

    def check_permissions(self, request):
        # Count a request before refusing it: anonymous callers are throttled too.
        self.check_throttles(request)
        super().check_permissions(request)

    def check_throttles(self, request):
        if not getattr(request, "_crm_throttle_checked", False):
            request._crm_throttle_checked = True
            super().check_throttles(request)


class AdminWrites(permissions.IsAuthenticated):
    """Everyone signed in reads; only admins write (the services check it again)."""

    message = "Only an admin may change the settings."

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        return request.method in permissions.SAFE_METHODS or (
            request.user.is_active and request.user.is_crm_admin
        )


class RecordViewSet(
    ApiDefaults, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    # Reads go through the app's selectors; writes parse input with a serializer that only
    # validates shapes (it never saves) and call the app's services. `serializer_class`
    # renders; `filter_serializer_class` reads the query string of lists.
    # (Comments, not a docstring: a docstring would show as every operation's description.)

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filter_serializer_class: type[serializers.Serializer] | None = None
    # The kind of record whose custom fields the list filters by (`?cf_<key>=`), if any.
    custom_fields_entity: str | None = None

    def parse(self, serializer_class, *, data=None, partial: bool = False) -> dict[str, Any]:
        serializer = serializer_class(
            data=self.request.data if data is None else data,
            partial=partial,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # Filters narrow lists only: a record is reached by its id whatever the query says.
        if self.filter_serializer_class is None or self.action != "list":
            return queryset
        params = self.request.query_params
        filters = self.parse(self.filter_serializer_class, data=params)
        if self.custom_fields_entity:
            # Checked here, so a bad `cf_` parameter is a 400 naming it (pages leave it out).
            parse_filters(self.custom_fields_entity, params, strict=True)
            filters["custom"] = custom_params(params)
        return self.apply_filters(queryset, filters)

    def apply_filters(self, queryset: QuerySet, filters: dict[str, Any]) -> QuerySet:
        return queryset

    def fresh(self, instance):
        """The record as the list shows it; as it is if the caller just gave it out of sight."""
        return self.get_queryset().filter(pk=instance.pk).first() or instance

    def render(self, instance, *, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(instance).data, status=status_code)

    @property
    def actor(self):
        request: Request = self.request
        return request.user


OWNED_CREATE_DESCRIPTION = (
    "The new record belongs to the caller: `owner` is read-only, and ignored if sent "
    "(`POST {id}/reassign/` gives a record to someone else)."
)
OWNED_UPDATE_DESCRIPTION = (
    "`owner` is read-only, and ignored if sent: reassign with "
    "`POST {id}/reassign/`. Changing `visible_to` needs the right to manage the record (the "
    "owner, their manager or an admin); otherwise a 400 on `visible_to`."
)
REASSIGN_DESCRIPTION = (
    "Give the record to `owner` and, with `visible_to`, change who sees it. The explicit way to "
    "reassign: `owner` in a create or PATCH body is read-only and ignored. Only the owner, their "
    "manager or an admin may reassign; a refusal is a 400 on `owner` (or `visible_to`), as is an "
    "unknown user or one the caller may not give records to."
)


class ReassignMixin:
    # `POST {id}/reassign/`: the one way to change a record's owner through the API. The app's
    # update service decides who may (`crm.visibility.can_manage`, `can_assign_to`).
    # (Comments, not a docstring: a docstring would show as every operation's description.)

    reassign_serializer_class: type[serializers.Serializer] = ReassignSerializer

    def reassign_record(self, record: Model, **data: Any) -> Model:
        raise NotImplementedError

    @extend_schema(request=ReassignSerializer, description=REASSIGN_DESCRIPTION)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        record = self.get_object()
        data = self.parse(self.reassign_serializer_class)
        return self.render(self.fresh(self.reassign_record(record, **data)))
