"""Serializer fields that turn ids into records the caller may see, and nothing else."""

from collections.abc import Callable

from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm.custom_fields.values import live_field_keys
from crm.models import User


class VisiblePrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """The id of a record the caller may see; any other id is a 400 field error, as if absent.

    `selector(user=...)` is the app's scoped list, so the visibility rules stay in one place.
    """

    def __init__(self, *, model: type[Model], selector: Callable[..., QuerySet], **kwargs):
        self.selector = selector
        # The model gives the schema the id's type; lookups use the scoped queryset.
        kwargs["queryset"] = model._default_manager.none()
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        return self.selector(user=self.context["request"].user)


def active_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True)


class OwnerField(serializers.PrimaryKeyRelatedField):
    """Whom to give the record to; the services decide whether the caller may (400 if not)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(queryset=active_users(), **kwargs)


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": True,
        "description": "Values of the custom fields, by key (`GET /api/v1/fields/`): option "
        "types by option id (a list for multiple options), user/person/organization by id, "
        'money as {"amount", "currency"}, dates as YYYY-MM-DD, yes/no as a boolean. On a '
        "PATCH only the keys sent change; null clears one.",
    }
)
class CustomFieldsField(serializers.Field):
    """A record's `custom_fields`: read, the values of the fields not archived; written, a
    mapping the record's service checks by type (a bad value is a 400 naming the field)."""

    def __init__(self, *, entity: str | None = None, **kwargs):
        self.entity = entity
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError("Send an object of values by field key.")
        return data

    def to_representation(self, value):
        keys = live_keys(self.root, self.entity)
        return {key: item for key, item in (value or {}).items() if key in keys}


def live_keys(root: serializers.BaseSerializer, entity: str) -> frozenset[str]:
    """The keys of `entity`'s fields not archived, read once per response (cached on `root`)."""
    cache = root.__dict__.setdefault("_custom_field_keys", {})
    if entity not in cache:
        # The keys alone, in one query (fields_for would also read every field's options).
        cache[entity] = frozenset(live_field_keys(entity))
    return cache[entity]
