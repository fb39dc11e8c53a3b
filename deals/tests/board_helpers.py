"""Builders for the board and report tests: deals made through the services, as users do."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from contacts.models import Organization
from contacts.services import organization_create
from crm.models import User
from deals.models import Deal, DealHistory, Pipeline, Stage
from deals.services import deal_create


def organization_for(user: User, name: str = "Acme") -> Organization:
    return organization_create(actor=user, name=name, visible_to="company")


def make_deal(
    user: User,
    pipeline: Pipeline,
    *,
    stage: Stage | None = None,
    value="100",
    currency: str = "EUR",
    title: str = "Deal",
    visible_to: str | None = None,
    organization: Organization | None = None,
    **fields,
) -> Deal:
    return deal_create(
        actor=user,
        title=title,
        pipeline=pipeline,
        stage=stage,
        value=Decimal(value),
        currency=currency,
        organization=organization or organization_for(user),
        visible_to=visible_to,
        **fields,
    )


def stages_of(pipeline: Pipeline) -> list[Stage]:
    return list(pipeline.stages.order_by("order", "pk"))


def days_ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def set_history_times(deal: Deal, *times: dt.datetime) -> None:
    """Give the deal's history rows, oldest first, these times (for known durations)."""
    rows = list(DealHistory.objects.filter(deal=deal).order_by("created_at", "pk"))
    assert len(rows) == len(times), (len(rows), len(times))
    for row, at in zip(rows, times, strict=True):
        DealHistory.objects.filter(pk=row.pk).update(created_at=at)
