from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from activities.models import Activity, ActivityType, Email, Note
from activities.selectors import TimelineEntry
from contacts.models import Organization, Person
from contacts.selectors import organization_list, person_list
from crm.api.fields import VisiblePrimaryKeyField, active_users
from crm.filters import OwnerScope
from deals.models import Deal
from deals.selectors import deal_list

TIMELINE_KINDS = ["note", "activity", "email", "history", "item_change", "conversion", "merge"]


class TimelineEntrySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(TIMELINE_KINDS)
    at = serializers.DateTimeField()
    actor = serializers.SerializerMethodField()
    id = serializers.SerializerMethodField(help_text="The id of the note, activity, ... shown.")
    summary = serializers.SerializerMethodField()

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_actor(self, entry: TimelineEntry) -> int | None:
        return entry.actor.pk if entry.actor else None

    def get_id(self, entry: TimelineEntry) -> int:
        return entry.item.pk

    def get_summary(self, entry: TimelineEntry) -> str:
        item = entry.item
        if entry.kind == "note":
            return item.content[:500]
        if entry.kind == "activity":
            return f"{item.get_type_display()}: {item.subject}"
        if entry.kind == "email":
            return item.subject or item.sender
        if entry.kind == "history":
            if item.to_status and item.from_status:
                return f"{item.from_status} → {item.to_status}"
            before = item.from_stage.name if item.from_stage else ""
            return f"{before} → {item.to_stage.name}" if before else str(item.to_stage or "")
        if entry.kind == "item_change":
            return f"{item.get_kind_display()}: {item.product_name} {item.detail}".strip()
        if entry.kind == "conversion":
            return item.title
        return getattr(item, "merged_name", str(item))


class TimelineSerializer(serializers.Serializer):
    results = TimelineEntrySerializer(many=True)


class _LeadIdMixin(serializers.Serializer):
    lead = serializers.SerializerMethodField()

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_lead(self, obj) -> int | None:
        # The lead it was written on (prefetched: `leads`), if any.
        leads = list(obj.leads.all())
        return leads[0].pk if leads else None


class NoteSerializer(_LeadIdMixin, serializers.ModelSerializer):
    class Meta:
        model = Note
        fields = [
            "id",
            "content",
            "lead",
            "deal",
            "person",
            "organization",
            "author",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ActivitySerializer(_LeadIdMixin, serializers.ModelSerializer):
    class Meta:
        model = Activity
        fields = [
            "id",
            "type",
            "subject",
            "due_date",
            "due_time",
            "duration_minutes",
            "assignee",
            "created_by",
            "note",
            "done",
            "done_at",
            "done_by",
            "lead",
            "deal",
            "person",
            "organization",
            "created_at",
        ]
        read_only_fields = fields


class EmailSerializer(_LeadIdMixin, serializers.ModelSerializer):
    class Meta:
        model = Email
        fields = [
            "id",
            "sender",
            "recipients",
            "subject",
            "body",
            "sent_at",
            "logged_by",
            "lead",
            "deal",
            "person",
            "organization",
            "created_at",
        ]
        read_only_fields = fields


class AttachInputSerializer(serializers.Serializer):
    """What it is written on: a deal, person and/or organization (or a lead: the leads app's
    `leads/api/attach.py` adds that field, since leads sit above this app)."""

    deal = VisiblePrimaryKeyField(model=Deal, selector=deal_list, required=False)
    person = VisiblePrimaryKeyField(model=Person, selector=person_list, required=False)
    organization = VisiblePrimaryKeyField(
        model=Organization, selector=organization_list, required=False
    )

    def validate(self, attrs):
        targets = [name for name in ("deal", "person", "organization") if attrs.get(name)]
        if not attrs.get("lead") and not targets:
            raise serializers.ValidationError(
                {"non_field_errors": ["Attach it to a lead, deal, person or organization."]}
            )
        return attrs


class NoteCreateSerializer(AttachInputSerializer):
    content = serializers.CharField(max_length=100_000)


class NoteUpdateSerializer(serializers.Serializer):
    patch_is_partial = False
    content = serializers.CharField(max_length=100_000)


class ActivityFieldsSerializer(serializers.Serializer):
    type = serializers.ChoiceField(ActivityType.choices, required=False)
    subject = serializers.CharField(max_length=255)
    due_date = serializers.DateField()
    due_time = serializers.TimeField(required=False, allow_null=True)
    duration_minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=60 * 24 * 31
    )
    assignee = serializers.PrimaryKeyRelatedField(queryset=active_users(), required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=100_000)


class ActivityCreateSerializer(AttachInputSerializer, ActivityFieldsSerializer):
    pass


class ActivityUpdateSerializer(ActivityFieldsSerializer):
    done = serializers.BooleanField(required=False)


class EmailCreateSerializer(AttachInputSerializer):
    sender = serializers.CharField(max_length=254)
    recipients = serializers.CharField(max_length=10_000)
    subject = serializers.CharField(max_length=255, required=False, allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True, max_length=1_000_000)
    sent_at = serializers.DateTimeField(required=False, allow_null=True)


class AttachedFilterSerializer(serializers.Serializer):
    lead = serializers.IntegerField(required=False, min_value=1)
    deal = serializers.IntegerField(required=False, min_value=1)
    person = serializers.IntegerField(required=False, min_value=1)
    organization = serializers.IntegerField(required=False, min_value=1)


class ActivityFilterSerializer(AttachedFilterSerializer):
    done = serializers.BooleanField(required=False, allow_null=True, default=None)
    assignee = serializers.IntegerField(required=False, min_value=1)
    scope = serializers.ChoiceField(
        OwnerScope.choices, required=False, help_text="By assignee: mine, team or all."
    )
    search = serializers.CharField(
        required=False, allow_blank=True, max_length=255, help_text="In the subject."
    )
    type = serializers.ChoiceField(ActivityType.choices, required=False)
    due_after = serializers.DateField(
        required=False, help_text="Due on or after this day (the day included)."
    )
    due_before = serializers.DateField(
        required=False, help_text="Due on or before this day (the day included)."
    )
