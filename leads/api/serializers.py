from rest_framework import serializers

from contacts.api.serializers import DuplicateSerializer, OwnedInputSerializer
from contacts.models import Organization, Person
from contacts.selectors import organization_list, person_list
from crm.api.fields import CustomFieldsField, OwnerField, VisiblePrimaryKeyField
from crm.filters import OwnerScope
from crm.models import FieldEntity, Label, Visibility
from deals.selectors import pipeline_list, stage_list
from leads.models import Lead, LeadSource


class LeadSerializer(serializers.ModelSerializer):
    archived = serializers.BooleanField(source="is_archived", read_only=True)
    custom_fields = CustomFieldsField(entity=FieldEntity.LEAD, read_only=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "title",
            "person",
            "organization",
            "value",
            "currency",
            "labels",
            "source",
            "owner",
            "visible_to",
            "expected_close_date",
            "archived",
            "archived_at",
            "deal",
            "converted_at",
            "next_activity_at",
            "custom_fields",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def _money(**kwargs):
    return serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, **kwargs)


class LeadInputSerializer(OwnedInputSerializer):
    title = serializers.CharField(max_length=255)
    person = VisiblePrimaryKeyField(
        model=Person, selector=person_list, required=False, allow_null=True
    )
    organization = VisiblePrimaryKeyField(
        model=Organization, selector=organization_list, required=False, allow_null=True
    )
    value = _money(required=False)
    currency = serializers.RegexField(r"^[A-Za-z]{3}\Z", required=False)
    labels = serializers.PrimaryKeyRelatedField(
        queryset=Label.objects.all(), many=True, required=False
    )
    source = serializers.ChoiceField(LeadSource.choices, required=False)
    expected_close_date = serializers.DateField(required=False, allow_null=True)


class LeadFilterSerializer(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, max_length=255)
    archived = serializers.BooleanField(
        required=False, default=False, help_text="true: the archived leads."
    )
    converted = serializers.BooleanField(
        required=False, default=False, help_text="true: the converted leads."
    )
    owner = serializers.IntegerField(required=False, min_value=1)
    scope = serializers.ChoiceField(
        OwnerScope.choices, required=False, help_text="mine, team (as the inbox) or all."
    )
    person = serializers.IntegerField(required=False, min_value=1)
    organization = serializers.IntegerField(required=False, min_value=1)
    label = serializers.IntegerField(required=False, min_value=1)
    source = serializers.ChoiceField(LeadSource.choices, required=False, help_text="As the inbox.")


class ContactChoiceSerializer(serializers.Serializer):
    action = serializers.ChoiceField(["keep", "use"])
    id = serializers.IntegerField(
        required=False, min_value=1, help_text="With `use`: the existing record to use."
    )

    def validate(self, attrs):
        if attrs["action"] == "use" and not attrs.get("id"):
            raise serializers.ValidationError({"id": ["Give the id of the record to use."]})
        return attrs


class LeadConvertSerializer(serializers.Serializer):
    pipeline = serializers.PrimaryKeyRelatedField(queryset=pipeline_list())
    stage = serializers.PrimaryKeyRelatedField(queryset=stage_list(), required=False)
    title = serializers.CharField(max_length=255, required=False)
    value = _money(required=False)
    currency = serializers.RegexField(r"^[A-Za-z]{3}\Z", required=False)
    owner = OwnerField(
        help_text="The deal's owner. Default: the lead's owner if the caller may give records "
        "to them, else the caller."
    )
    visible_to = serializers.ChoiceField(Visibility.choices, required=False)
    person = ContactChoiceSerializer(
        required=False, help_text="Keep the lead's person, or use an existing one instead."
    )
    organization = ContactChoiceSerializer(
        required=False, help_text="Keep the lead's organization, or use an existing one."
    )
    custom_fields = CustomFieldsField(
        help_text="The deal's values of the deal fields: by default the lead's; keys sent here "
        "replace them."
    )


class DuplicatesFoundSerializer(serializers.Serializer):
    class Candidates(serializers.Serializer):
        person = DuplicateSerializer(many=True)
        organization = DuplicateSerializer(many=True)

    code = serializers.ChoiceField(["duplicates_found", "already_converted"])
    detail = serializers.CharField()
    duplicates = Candidates(required=False, help_text="With `duplicates_found`.")
    deal = serializers.IntegerField(
        required=False, allow_null=True, help_text="With `already_converted`: the deal."
    )
