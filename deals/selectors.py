"""Reads of deals, pipelines and their history, scoped to what the user may see."""

from django.db import connections
from django.db.models import QuerySet
from django.http import Http404

from crm.models import User
from crm.visibility import visible_q
from deals.models import Deal, DealHistory, DealTally, LostReason, Pipeline, Stage


def deal_list(*, user: User) -> QuerySet[Deal]:
    return Deal.objects.filter(visible_q(user)).select_related(
        "owner", "person", "organization", "pipeline", "stage", "lost_reason"
    )


def deal_list_brief(*, user: User) -> QuerySet[Deal]:
    """The deals the user may see, with what a list of a person's or organization's deals shows
    (title, status, value, stage). One join: deal_list's six take PostgreSQL longer to plan
    than to run on such a short list."""
    return (
        Deal.objects.filter(visible_q(user))
        .select_related("stage")
        .only("title", "status", "value", "currency", "stage__name")
    )


def deal_tally(*, user: User) -> QuerySet[DealTally] | None:
    """The tally rows of the deals `user` may see (sum `deal_count` and `value_total` over
    them), or None where the database keeps no tally: then count the deals themselves.

    Exact, not an estimate: the triggers update the tally in the same transaction as the deals.
    Only the columns of its key can narrow it (pipeline, stage, status, owner, visibility,
    currency); a filter on anything else must count deals.
    """
    qs = DealTally.objects.all()
    if connections[qs.db].vendor != "postgresql":
        return None
    return qs.filter(visible_q(user))


def deal_get(*, user: User, pk) -> Deal:
    """The deal, or 404 whether it does not exist or the user may not see it."""
    try:
        return deal_list(user=user).get(pk=pk)
    except (Deal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def deal_history(*, deal: Deal) -> QuerySet[DealHistory]:
    return deal.history.select_related("from_stage", "to_stage", "actor", "lost_reason")


def pipeline_list() -> QuerySet[Pipeline]:
    return Pipeline.objects.filter(is_active=True).prefetch_related("stages")


def stage_list(*, pipeline: Pipeline | None = None) -> QuerySet[Stage]:
    qs = Stage.objects.select_related("pipeline").order_by("pipeline__order", "order", "id")
    return qs.filter(pipeline=pipeline) if pipeline else qs


def lost_reason_list() -> QuerySet[LostReason]:
    return LostReason.objects.filter(is_active=True)
