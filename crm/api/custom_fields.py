"""`/api/v1/fields/`: the custom fields of deals, leads, persons and organizations.

Everyone reads them (a client needs them to show and send values); admins create, change and
delete them. Deleting removes the field's values from every record: archive to keep them.
"""

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.response import Response

from crm.api.base import RecordViewSet
from crm.custom_fields import services
from crm.models import CustomField, FieldEntity, FieldType


class OptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, min_value=1, help_text="Absent: a new option. Present: rename/reorder."
    )
    label = serializers.CharField(max_length=100)


class CustomFieldSerializer(serializers.ModelSerializer):
    options = serializers.SerializerMethodField()

    class Meta:
        model = CustomField
        fields = [
            "id",
            "entity",
            "key",
            "name",
            "type",
            "required",
            "position",
            "options",
            "archived",
        ]
        read_only_fields = fields

    @extend_schema_field(OptionSerializer(many=True))
    def get_options(self, field: CustomField) -> list[dict]:
        return [{"id": option.pk, "label": option.label} for option in field.options.all()]


class CustomFieldCreateSerializer(serializers.Serializer):
    entity = serializers.ChoiceField(FieldEntity.choices)
    name = serializers.CharField(max_length=100)
    type = serializers.ChoiceField(FieldType.choices)
    key = serializers.CharField(
        max_length=40, required=False, help_text="Default: made from the name. Never changes."
    )
    required = serializers.BooleanField(required=False, default=False)
    position = serializers.IntegerField(required=False, min_value=0)
    options = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        default=list,
        help_text="The option labels, in order (option types).",
    )


class CustomFieldUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    required = serializers.BooleanField(required=False)
    position = serializers.IntegerField(required=False, min_value=0)
    archived = serializers.BooleanField(required=False, help_text="Hides the field everywhere.")
    options = OptionSerializer(
        many=True,
        required=False,
        help_text="The whole list in its new order; an option left out is removed if unused.",
    )


class CustomFieldFilterSerializer(serializers.Serializer):
    entity = serializers.ChoiceField(FieldEntity.choices, required=False)
    archived = serializers.BooleanField(required=False, allow_null=True, default=None)


@extend_schema_view(list=extend_schema(parameters=[CustomFieldFilterSerializer]))
class CustomFieldViewSet(RecordViewSet):
    serializer_class = CustomFieldSerializer
    filter_serializer_class = CustomFieldFilterSerializer

    def get_queryset(self):
        return CustomField.objects.prefetch_related("options").order_by("entity", "position", "id")

    def apply_filters(self, queryset, filters):
        if filters.get("entity"):
            queryset = queryset.filter(entity=filters["entity"])
        if filters.get("archived") is not None:
            queryset = queryset.filter(archived=filters["archived"])
        return queryset

    @extend_schema(request=CustomFieldCreateSerializer, responses={201: CustomFieldSerializer})
    def create(self, request):
        data = self.parse(CustomFieldCreateSerializer)
        field = services.custom_field_create(actor=self.actor, **data)
        return self.render(self.fresh(field), status_code=status.HTTP_201_CREATED)

    @extend_schema(request=CustomFieldUpdateSerializer, responses={200: CustomFieldSerializer})
    def partial_update(self, request, pk=None):
        field = self.get_object()
        data = self.parse(CustomFieldUpdateSerializer, partial=True)
        field = services.custom_field_update(actor=self.actor, field=field, **data)
        return self.render(self.fresh(field))

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        services.custom_field_delete(actor=self.actor, field=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
