"""`GET /api/v1/trash/` and `POST /api/v1/trash/{id}/restore/`."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from crm.api.base import ApiDefaults
from trash.api.serializers import TrashItemSerializer, TrashRestoredSerializer
from trash.selectors import trash_items, trash_rows
from trash.services import trash_restore

ID_PARAMETER = OpenApiParameter(
    "id",
    str,
    OpenApiParameter.PATH,
    pattern=r"^[a-z]+-[0-9]+$",
    description="The trash id of the record: its kind and its id, e.g. `deal-12`.",
)


class TrashViewSet(ApiDefaults, viewsets.GenericViewSet):
    # (Comments, not a docstring: a docstring would show as every operation's description.)
    # The records the caller may see of those deleted and not yet purged, newest first.
    serializer_class = TrashItemSerializer
    lookup_value_regex = r"[a-z]+-[0-9]+"

    def get_queryset(self):
        return trash_rows(user=self.request.user)

    @extend_schema(
        description="Deleted records the caller may see, newest first, until `trash_purge` "
        "deletes them for good (CRM_TRASH_DAYS after the delete)."
    )
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(trash_items(page), many=True).data)

    @extend_schema(
        request=None,
        responses={200: TrashRestoredSerializer},
        parameters=[ID_PARAMETER],
        description="Put the record back as it was, with what was deleted with it (a deal's "
        "notes, activities and history). A 400 while a record it hangs off (a note's deal) is "
        "in the trash itself: restore that first.",
    )
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        kind, record = trash_restore(actor=request.user, item_id=pk)
        return Response(TrashRestoredSerializer({"kind": kind, "record_id": record.pk}).data)
