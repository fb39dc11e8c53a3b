from rest_framework import serializers

from trash.kinds import TrashKind


class TrashItemSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The kind and the record's id, e.g. `deal-12`.")
    kind = serializers.ChoiceField(choices=TrashKind.choices)
    record_id = serializers.IntegerField()
    title = serializers.CharField()
    deleted_at = serializers.DateTimeField()
    deleted_by = serializers.IntegerField(source="deleted_by.pk", allow_null=True, default=None)
    purge_after = serializers.DateTimeField(
        help_text="When `trash_purge` deletes it for good (CRM_TRASH_DAYS after the delete)."
    )


class TrashRestoredSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TrashKind.choices)
    record_id = serializers.IntegerField()
