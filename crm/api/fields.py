"""Serializer fields that turn ids into records the caller may see, and nothing else."""

from collections.abc import Callable

from django.db.models import Model, QuerySet
from rest_framework import serializers

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
