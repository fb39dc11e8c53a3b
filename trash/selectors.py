"""Reads of the trash: what the user may see of the records deleted and not yet purged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import CharField, Model, QuerySet, TextField, Value
from django.db.models.functions import Cast
from django.http import Http404
from django.utils.html import strip_tags
from django.utils.text import Truncator

from crm.models import User
from trash.kinds import KINDS, TrashKind


@dataclass(frozen=True)
class TrashItem:
    kind: str
    record_id: int
    title: str
    deleted_at: datetime
    deleted_by: User | None

    @property
    def id(self) -> str:
        """The item's id in the trash: its kind and its record's id, e.g. `deal-12`."""
        return f"{self.kind}-{self.record_id}"

    @property
    def kind_label(self) -> str:
        return TrashKind(self.kind).label

    @property
    def purge_after(self) -> datetime:
        return self.deleted_at + timedelta(days=settings.CRM_TRASH_DAYS)


def trashed(*, user: User, kind: str) -> QuerySet:
    """The records of `kind` in the trash that `user` may see."""
    spec = KINDS[kind]
    return spec.model.all_objects.filter(spec.visible(user), deleted_at__isnull=False)


def trash_rows(*, user: User) -> QuerySet:
    """Every kind in one query (a UNION), newest first: rows of (kind, record id, title,
    deleted at, deleted by id), for a paginator. Turn a page into items with `trash_items`."""
    parts = [
        trashed(user=user, kind=kind)
        .order_by()
        .annotate(
            trash_kind=Value(str(kind), CharField()), trash_title=Cast(spec.title, TextField())
        )
        .values_list("trash_kind", "pk", "trash_title", "deleted_at", "deleted_by_id")
        for kind, spec in KINDS.items()
    ]
    return parts[0].union(*parts[1:], all=True).order_by("-deleted_at", "trash_kind", "-pk")


def trash_items(rows) -> list[TrashItem]:
    users = User.objects.in_bulk({row[4] for row in rows if row[4] is not None})
    return [
        TrashItem(
            kind=kind,
            record_id=pk,
            title=Truncator(strip_tags(title or "")).chars(120),
            deleted_at=deleted_at,
            deleted_by=users.get(by),
        )
        for kind, pk, title, deleted_at, by in rows
    ]


def trash_get(*, user: User, item_id: str) -> tuple[str, Model]:
    """The kind and record of a trash id (`deal-12`), or 404: unknown, not in the trash, or
    not one the user may see."""
    kind, _sep, pk = str(item_id).partition("-")
    if kind not in KINDS or not pk.isdigit():
        raise Http404
    record = trashed(user=user, kind=kind).filter(pk=int(pk)).first()
    if record is None:
        raise Http404
    return kind, record
