"""What `crm` needs to know of the apps above it, registered by them (`AppConfig.ready`).

The records that carry custom fields (deals, leads, persons, organizations) and the records a
field may point at (persons, organizations) live in apps above `crm`; they register here, so the
custom fields stay in `crm` without an upward import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models

from crm.models import User


@dataclass(frozen=True)
class Reference:
    """Records of one kind a field may point at, as a reader may see them."""

    # ids -> {id: label} of those the user may see.
    labels: Callable[[User, Iterable[int]], dict[int, str]]
    # (id, label) of up to `limit` records the user may see, for a form's select.
    choices: Callable[[User, int], list[tuple[int, str]]] = lambda user, limit: []


_REFERENCES: dict[str, Reference] = {}
_MODELS: dict[str, type[models.Model]] = {}


def register_reference(kind: str, reference: Reference) -> None:
    _REFERENCES[kind] = reference


def register_entity(entity: str, model: type[models.Model]) -> None:
    """`model` carries the custom fields of `entity` in its `custom_fields` column."""
    _MODELS[entity] = model


def reference(kind: str) -> Reference | None:
    return _REFERENCES.get(kind)


def entity_model(entity: str) -> type[models.Model]:
    return _MODELS[entity]


def _user_labels(user: User, ids: Iterable[int]) -> dict[int, str]:
    return {u.pk: str(u) for u in User.objects.filter(pk__in=list(ids))}


def _user_choices(user: User, limit: int) -> list[tuple[int, str]]:
    return [(u.pk, str(u)) for u in User.objects.filter(is_active=True)[:limit]]


register_reference("user", Reference(labels=_user_labels, choices=_user_choices))
