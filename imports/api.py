"""API of imports: POST a file to create an import with its preview, apply it, revert it."""

import json

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from crm.errors import DomainError
from imports.models import DuplicateChoice, Import, ImportKind, OnError
from imports.parsing import max_bytes
from imports.services import (
    can_import,
    import_apply,
    import_cancel,
    import_create,
    import_rerun,
    import_revert,
)


class CanImport(BasePermission):
    def has_permission(self, request, view) -> bool:
        if not can_import(request.user):
            raise NotFound
        return True


class ImportSerializer(serializers.ModelSerializer):
    created_by = serializers.StringRelatedField()
    waiting = serializers.BooleanField(
        source="is_waiting",
        read_only=True,
        help_text="Busy, and no worker has taken it yet (since `queued_at`).",
    )
    stale = serializers.BooleanField(
        source="is_stale",
        read_only=True,
        help_text="Busy with no sign of a worker for a while: it may be run again "
        "(POST rerun/) or cancelled (POST cancel/).",
    )

    class Meta:
        model = Import
        fields = [
            "id",
            "kind",
            "file_name",
            "status",
            "mapping",
            "options",
            "row_count",
            "counts",
            "preview",
            "progress",
            "waiting",
            "stale",
            "queued_at",
            "heartbeat_at",
            "error",
            "revert_report",
            "created_by",
            "created_at",
            "applied_at",
            "reverted_at",
        ]
        read_only_fields = fields


class ImportCreateSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    mapping = serializers.JSONField(
        required=False,
        help_text="{column heading: field or ''}; "
        "default: the automatic mapping from the headings.",
    )
    duplicates = serializers.ChoiceField(choices=DuplicateChoice.choices, required=False)
    on_error = serializers.ChoiceField(choices=OnError.choices, required=False)
    date_format = serializers.ChoiceField(choices=["iso", "dmy", "mdy"], required=False)
    decimal_separator = serializers.ChoiceField(choices=[".", ","], required=False)
    owner = serializers.IntegerField(required=False, help_text="Owner where the file has none.")
    visible_to = serializers.ChoiceField(choices=["owner", "team", "company"], required=False)
    pipeline = serializers.IntegerField(required=False)
    placeholder_organization = serializers.CharField(required=False, allow_blank=True)

    def validate_mapping(self, value):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise ValidationError("Send the mapping as a JSON object.") from None
        if not isinstance(value, dict):
            raise ValidationError("Send the mapping as a JSON object.")
        return value


def _domain_error(exc: DomainError) -> ValidationError:
    return ValidationError({exc.field or "non_field_errors": [exc.message]}, code=exc.code)


class ImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ImportSerializer
    permission_classes = [CanImport]
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return Import.objects.select_related("created_by").defer("content")

    @extend_schema(request=ImportCreateSerializer, responses={201: ImportSerializer})
    def create(self, request):
        """Upload a file; a large one is previewed on the worker (status `previewing`:
        poll GET for progress until it is `previewed`)."""
        data = ImportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        upload = values.pop("file")
        if upload.size > max_bytes():
            raise ValidationError({"file": ["The file is too large."]})
        try:
            imp = import_create(
                actor=request.user,
                file_name=upload.name,
                content=upload.read(),
                kind=values.pop("kind"),
                mapping=values.pop("mapping", None),
                options=values,
                defer=True,
            )
        except DomainError as exc:
            raise _domain_error(exc) from None
        # An eager Celery (embedded mode) may have previewed it since it was handed over.
        imp.refresh_from_db()
        return Response(ImportSerializer(imp).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={
            200: ImportSerializer,
            202: ImportSerializer,
            400: OpenApiResponse(description="Refused"),
        },
    )
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        """Apply the import; a large file runs on the worker (202, poll GET for progress)."""
        try:
            imp = import_apply(actor=request.user, import_run=self.get_object(), defer=True)
        except DomainError as exc:
            raise _domain_error(exc) from None
        return self._answer(imp)

    def _answer(self, imp: Import) -> Response:
        """200 with a finished import; 202 while the worker is at it."""
        if not imp.is_busy:
            return Response(ImportSerializer(imp).data)
        # Handed to the worker: an eager Celery (embedded mode) has done it by now.
        imp.refresh_from_db()
        code = status.HTTP_202_ACCEPTED if imp.is_busy else status.HTTP_200_OK
        return Response(ImportSerializer(imp).data, status=code)

    @extend_schema(
        request=None,
        responses={
            200: ImportSerializer,
            202: ImportSerializer,
            400: OpenApiResponse(description="Refused"),
        },
    )
    @action(detail=True, methods=["post"])
    def revert(self, request, pk=None):
        """Revert the import; a large one runs on the worker (202, poll GET for progress)."""
        try:
            imp = import_revert(actor=request.user, import_run=self.get_object(), defer=True)
        except DomainError as exc:
            raise _domain_error(exc) from None
        return self._answer(imp)

    @extend_schema(
        request=None,
        responses={
            200: ImportSerializer,
            202: ImportSerializer,
            400: OpenApiResponse(description="Not stale, or not busy"),
        },
    )
    @action(detail=True, methods=["post"])
    def rerun(self, request, pk=None):
        """Hand a stale import (`stale`: no sign of a worker for a while) to the worker again.
        Safe: nothing of an unfinished run was written, and a run still alive keeps it."""
        try:
            imp = import_rerun(actor=request.user, import_run=self.get_object())
        except DomainError as exc:
            raise _domain_error(exc) from None
        return self._answer(imp)

    @extend_schema(
        request=None,
        responses={
            200: ImportSerializer,
            400: OpenApiResponse(description="Not stale, or not busy"),
        },
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Give up a stale import: back to where it was (uploaded, previewed or applied),
        nothing written."""
        try:
            imp = import_cancel(actor=request.user, import_run=self.get_object())
        except DomainError as exc:
            raise _domain_error(exc) from None
        return Response(ImportSerializer(imp).data)
