from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts.api.serializers import OwnedInputSerializer
from contacts.models import Organization, Person
from contacts.selectors import organization_list, person_list
from crm.api.fields import CustomFieldsField, VisiblePrimaryKeyField, live_keys
from crm.api.serializers import ReassignSerializer
from crm.filters import OwnerScope
from crm.models import FieldEntity, Label
from deals.models import Deal, DealStatus, LostReason, Pipeline, Stage
from deals.selectors import lost_reason_list, pipeline_list, stage_list


class StageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stage
        fields = ["id", "name", "pipeline", "order", "probability", "rotting_days"]
        read_only_fields = fields


class PipelineSerializer(serializers.ModelSerializer):
    stages = StageSerializer(many=True, read_only=True)

    class Meta:
        model = Pipeline
        fields = ["id", "name", "order", "is_active", "stages"]
        read_only_fields = fields


class LostReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = LostReason
        fields = ["id", "name", "is_active"]
        read_only_fields = fields


class DealSerializer(serializers.ModelSerializer):
    lead = serializers.SerializerMethodField(help_text="The lead it was converted from.")
    custom_fields = CustomFieldsField(entity=FieldEntity.DEAL, read_only=True)

    class Meta:
        model = Deal
        fields = [
            "id",
            "title",
            "value",
            "currency",
            "person",
            "organization",
            "pipeline",
            "stage",
            "status",
            "lost_reason",
            "lost_reason_text",
            "won_at",
            "lost_at",
            "expected_close_date",
            "labels",
            "owner",
            "visible_to",
            "lead",
            "version",
            "stage_entered_at",
            "next_activity_at",
            "custom_fields",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_lead(self, deal: Deal) -> int | None:
        lead = getattr(deal, "lead", None)
        return lead.pk if lead else None

    def to_representation(self, deal: Deal) -> dict:
        """The declared fields, built directly: the list endpoint renders 50 deals a page, and
        ModelSerializer's generic walk over 23 fields (and building those fields for every
        request) cost more than the page's queries (bench). Values go through formatting
        fields of the same types, so the output is unchanged (a test compares it with
        ModelSerializer's own)."""
        labels = getattr(deal, "label_ids", None)
        return {
            "id": deal.pk,
            "title": deal.title,
            "value": _fmt(_VALUE, deal.value),
            "currency": deal.currency,
            "person": deal.person_id,
            "organization": deal.organization_id,
            "pipeline": deal.pipeline_id,
            "stage": deal.stage_id,
            "status": deal.status,
            "lost_reason": deal.lost_reason_id,
            "lost_reason_text": deal.lost_reason_text,
            "won_at": _fmt(_MOMENT, deal.won_at),
            "lost_at": _fmt(_MOMENT, deal.lost_at),
            "expected_close_date": _fmt(_DAY, deal.expected_close_date),
            "labels": labels if labels is not None else [label.pk for label in deal.labels.all()],
            "owner": deal.owner_id,
            "visible_to": deal.visible_to,
            "lead": self.get_lead(deal),
            "version": deal.version,
            "stage_entered_at": _fmt(_MOMENT, deal.stage_entered_at),
            "next_activity_at": _fmt(_MOMENT, deal.next_activity_at),
            "custom_fields": _custom_values(self.root, deal),
            "created_at": _fmt(_MOMENT, deal.created_at),
            "updated_at": _fmt(_MOMENT, deal.updated_at),
        }


# Formatting of DealSerializer's values, as the ModelSerializer fields of these columns do it.
_VALUE = serializers.DecimalField(max_digits=14, decimal_places=2)
_MOMENT = serializers.DateTimeField()
_DAY = serializers.DateField()


def _custom_values(root: serializers.BaseSerializer, deal: Deal) -> dict:
    keys = live_keys(root, FieldEntity.DEAL)
    return {key: value for key, value in deal.custom_fields.items() if key in keys}


def _fmt(field: serializers.Field, value):
    return None if value is None else field.to_representation(value)


def _money(**kwargs):
    return serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, coerce_to_string=True, **kwargs
    )


class DealFieldsSerializer(OwnedInputSerializer):
    title = serializers.CharField(max_length=255)
    value = _money(required=False)
    currency = serializers.RegexField(r"^[A-Za-z]{3}\Z", required=False)
    person = VisiblePrimaryKeyField(
        model=Person, selector=person_list, required=False, allow_null=True
    )
    organization = VisiblePrimaryKeyField(
        model=Organization, selector=organization_list, required=False, allow_null=True
    )
    pipeline = serializers.PrimaryKeyRelatedField(queryset=pipeline_list())
    stage = serializers.PrimaryKeyRelatedField(queryset=stage_list(), required=False)
    expected_close_date = serializers.DateField(required=False, allow_null=True)
    labels = serializers.PrimaryKeyRelatedField(
        queryset=Label.objects.all(), many=True, required=False
    )


class DealCreateSerializer(DealFieldsSerializer):
    pass


class DealUpdateSerializer(DealFieldsSerializer):
    """Any of the deal's fields, and always the version the client saw (optimistic lock)."""

    patch_is_partial = False
    version = serializers.IntegerField(
        min_value=1, help_text="The version the client saw; an older one answers 409."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, required=False, help_text="If given, an older version answers 409."
    )


class DealReassignSerializer(ReassignSerializer, VersionSerializer):
    pass


class DealLostSerializer(VersionSerializer):
    lost_reason = serializers.PrimaryKeyRelatedField(queryset=lost_reason_list())
    lost_reason_text = serializers.CharField(required=False, allow_blank=True, max_length=255)


class DealFilterSerializer(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, max_length=255)
    pipeline = serializers.IntegerField(required=False, min_value=1)
    stage = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(DealStatus.choices, required=False)
    owner = serializers.IntegerField(required=False, min_value=1)
    scope = serializers.ChoiceField(
        OwnerScope.choices, required=False, help_text="mine, team (as the list page) or all."
    )
    person = serializers.IntegerField(required=False, min_value=1)
    organization = serializers.IntegerField(required=False, min_value=1)


class StageFilterSerializer(serializers.Serializer):
    pipeline = serializers.IntegerField(required=False, min_value=1)


class StaleDealSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    current = DealSerializer()


class PipelineInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    order = serializers.IntegerField(
        min_value=0, max_value=1_000_000, required=False, help_text="Place in the menu."
    )
    is_active = serializers.BooleanField(
        required=False, help_text="False archives the pipeline: off the board and the forms."
    )


class PipelineCreateSerializer(PipelineInputSerializer):
    stages = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        default=list,
        max_length=50,
        help_text="Names of its first stages, in order.",
    )

    def validate(self, attrs):
        attrs.pop("is_active", None)
        return attrs


class StageInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    pipeline = serializers.PrimaryKeyRelatedField(
        queryset=Pipeline.objects.all(),
        help_text="A stage with deals cannot change pipeline.",
    )
    order = serializers.IntegerField(
        min_value=0,
        max_value=1_000_000,
        required=False,
        allow_null=True,
        help_text="Position in the pipeline, 0 first; other stages shift. Default: last.",
    )
    probability = serializers.IntegerField(min_value=0, max_value=100, required=False)
    rotting_days = serializers.IntegerField(
        min_value=1,
        max_value=3650,
        required=False,
        allow_null=True,
        help_text="A deal with no progress for longer is rotting; null: never.",
    )


class StageDeleteSerializer(serializers.Serializer):
    move_to = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The stage of the same pipeline its deals (and their history) move to; "
        "required when the stage has deals.",
    )


class StageReorderSerializer(serializers.Serializer):
    order = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        max_length=200,
        help_text="Every stage id of the pipeline, in the new order.",
    )
    seen = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        max_length=200,
        help_text="The stage ids in the order the client saw them: if that is no longer the "
        "pipeline's order, nothing changes and the answer is 409.",
    )


class LostReasonInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    is_active = serializers.BooleanField(
        required=False, help_text="False retires the reason: no longer offered."
    )
