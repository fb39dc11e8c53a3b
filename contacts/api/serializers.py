from rest_framework import serializers

from contacts.models import Organization, Person
from contacts.selectors import organization_list, person_list
from crm.api.fields import CustomFieldsField, VisiblePrimaryKeyField
from crm.filters import OwnerScope
from crm.models import FieldEntity, Visibility
from crm.web.fields import WebsiteField


class OrganizationSerializer(serializers.ModelSerializer):
    custom_fields = CustomFieldsField(entity=FieldEntity.ORGANIZATION, read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "address",
            "website",
            "owner",
            "visible_to",
            "custom_fields",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer):
    emails = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="email", help_text="The first is the primary one."
    )
    phones = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="number", help_text="The first is the primary one."
    )
    unread_phones = serializers.SerializerMethodField(
        help_text="Those of `phones` that could not be read as a phone number: kept as typed, "
        "and not used to find duplicates."
    )
    custom_fields = CustomFieldsField(entity=FieldEntity.PERSON, read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "emails",
            "phones",
            "unread_phones",
            "organization",
            "job_title",
            "owner",
            "visible_to",
            "custom_fields",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_unread_phones(self, person: Person) -> list[str]:
        return [phone.number for phone in person.phones.all() if not phone.key]


class OwnedInputSerializer(serializers.Serializer):
    # No `owner`: like every read-only field, one sent in a create or PATCH body is ignored
    # (a new record is the caller's). Reassigning is `POST {id}/reassign/`.
    visible_to = serializers.ChoiceField(
        Visibility.choices,
        required=False,
        help_text="Default: the company's setting. Changing it needs the right to manage the "
        "record.",
    )
    custom_fields = CustomFieldsField()


class OrganizationInputSerializer(OwnedInputSerializer):
    name = serializers.CharField(max_length=255)
    address = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    website = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=255,
        validators=[WebsiteField().validate],
        help_text="http(s) or a bare domain such as acme.example.",
    )


class PersonInputSerializer(OwnedInputSerializer):
    name = serializers.CharField(max_length=255)
    emails = serializers.ListField(
        child=serializers.CharField(max_length=254),
        required=False,
        max_length=50,
        help_text="The first is the primary one.",
    )
    phones = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        max_length=50,
        help_text="The first is the primary one.",
    )
    organization = VisiblePrimaryKeyField(
        model=Organization, selector=organization_list, required=False, allow_null=True
    )
    job_title = serializers.CharField(required=False, allow_blank=True, max_length=255)


class PersonMergeSerializer(serializers.Serializer):
    other = VisiblePrimaryKeyField(
        model=Person,
        selector=person_list,
        help_text="The person merged into this one (and then gone).",
    )


class OrganizationMergeSerializer(serializers.Serializer):
    other = VisiblePrimaryKeyField(
        model=Organization,
        selector=organization_list,
        help_text="The organization merged into this one (and then gone).",
    )


class DuplicateSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="record.pk")
    name = serializers.CharField(source="record.name")
    score = serializers.IntegerField(min_value=0, max_value=100)
    reasons = serializers.ListField(child=serializers.CharField())


class DuplicateListSerializer(serializers.Serializer):
    results = DuplicateSerializer(many=True)


class PersonDuplicateQuerySerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=255)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=64)
    organization = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=255,
        help_text="An organization's id, or a name.",
    )


class OrganizationDuplicateQuerySerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=255)
    website = serializers.CharField(required=False, allow_blank=True, max_length=255)


class OrganizationFilterSerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=255,
        help_text="Name (accents and case folded), e-mail, phone or web domain, as the page.",
    )
    owner = serializers.IntegerField(required=False, min_value=1)
    scope = serializers.ChoiceField(
        OwnerScope.choices, required=False, help_text="mine, team (as the list page) or all."
    )


class PersonFilterSerializer(OrganizationFilterSerializer):
    organization = serializers.IntegerField(required=False, min_value=1)
