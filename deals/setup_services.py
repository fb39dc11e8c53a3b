"""Admins' writes of pipelines, stages and lost reasons (the Settings pages and the API).

Every write of a pipeline's stages locks the pipeline row first (a delete then the deals it
rewrites, then the stages): creates, renames, reorders and deletes of one pipeline run one
after the other. The derived
tables follow by themselves: the deal tally (deals' triggers) and the stage stays (history's
triggers; a change of stages' order recomputes their pipeline's stays), so a reorder writes
every order in one statement, and a delete moves the deals and their history in bulk.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import DomainError, StaleVersion
from crm.models import User
from crm.services import check_admin
from crm.types import UNSET
from deals.models import Deal, DealHistory, HistoryKind, LostReason, Pipeline, Stage


class StageGone(DomainError):
    """The stage chosen was deleted meanwhile (by an admin in Settings)."""

    code = "stage_deleted"


def stage_lock_for_deals(stage: Stage) -> Stage:
    """Hold the stage a deal is about to enter until the transaction ends (FOR KEY SHARE:
    movers do not wait for each other, only for a delete of the stage). A stage deleted
    meanwhile is a clear error, not an integrity failure at commit."""
    if connection.vendor == "postgresql":
        found = list(
            Stage.objects.raw("SELECT * FROM deals_stage WHERE id = %s FOR KEY SHARE", [stage.pk])
        )
    else:
        found = list(Stage.objects.filter(pk=stage.pk))
    if not found:
        raise StageGone(
            _("This stage was just deleted. Reload the page and choose another."), field="stage"
        )
    return found[0]


def _lock_pipeline(pipeline: Pipeline) -> Pipeline:
    # FOR NO KEY UPDATE: the Settings writes of one pipeline wait for each other, while a deal
    # created in the pipeline meanwhile (its foreign key's FOR KEY SHARE) does not wait.
    return Pipeline.objects.select_for_update(no_key=True).get(pk=pipeline.pk)


def _clean_name(name: str | None, max_length: int = 100) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("A name is required."), field="name")
    if len(name) > max_length:
        raise DomainError(_("At most %(count)d characters.") % {"count": max_length}, field="name")
    return name


def _clean_probability(value) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise DomainError(_("Enter a whole number from 0 to 100."), field="probability") from None
    if not 0 <= value <= 100:
        raise DomainError(_("Enter a whole number from 0 to 100."), field="probability")
    return value


def _clean_rotting_days(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise DomainError(_("Enter a number of days, or nothing."), field="rotting_days") from None
    if not 1 <= value <= 3650:
        raise DomainError(_("Enter 1 to 3650 days, or nothing."), field="rotting_days")
    return value


# --- Pipelines ---------------------------------------------------------------------------------


def _check_pipeline_name(name: str, exclude: Pipeline | None = None) -> str:
    name = _clean_name(name)
    taken = Pipeline.objects.filter(name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise DomainError(_("There is a pipeline of this name."), field="name")
    return name


@transaction.atomic
def pipeline_create(
    *, actor: User, name: str, stages: Sequence[str] = (), order: int | None = None
) -> Pipeline:
    """A new pipeline, last in the menu unless `order` says otherwise, with `stages` (names)."""
    check_admin(actor)
    name = _check_pipeline_name(name)
    if order is None:
        order = (Pipeline.objects.aggregate(m=Max("order"))["m"] or 0) + 1
    pipeline = Pipeline.objects.create(name=name, order=order)
    for stage_name in stages:
        stage_create(actor=actor, pipeline=pipeline, name=stage_name)
    return pipeline


@transaction.atomic
def pipeline_update(
    *, actor: User, pipeline: Pipeline, name=UNSET, is_active=UNSET, order=UNSET
) -> Pipeline:
    """Rename, archive (is_active False: off the board and the forms; its deals stay) or
    restore a pipeline, or change its place in the menu."""
    check_admin(actor)
    pipeline = _lock_pipeline(pipeline)
    if name is not UNSET:
        pipeline.name = _check_pipeline_name(name, exclude=pipeline)
    if is_active is not UNSET:
        if (
            not is_active
            and not Pipeline.objects.filter(is_active=True).exclude(pk=pipeline.pk).exists()
        ):
            raise DomainError(_("Keep at least one active pipeline."), field="is_active")
        pipeline.is_active = bool(is_active)
    if order is not UNSET:
        if order is None or int(order) < 0:
            raise DomainError(_("Enter a position of 0 or more."), field="order")
        pipeline.order = int(order)
    pipeline.save()
    return pipeline


@transaction.atomic
def pipeline_delete(*, actor: User, pipeline: Pipeline) -> None:
    """Delete a pipeline that never had deals (its stages go with it); else archive it."""
    check_admin(actor)
    pipeline = _lock_pipeline(pipeline)
    if (
        Deal.objects.filter(pipeline=pipeline).exists()
        or DealHistory.objects.filter(
            Q(from_stage__pipeline=pipeline) | Q(to_stage__pipeline=pipeline)
        ).exists()
    ):
        raise DomainError(
            _("This pipeline has deals: archive it instead."), code="pipeline_has_deals"
        )
    if not Pipeline.objects.filter(is_active=True).exclude(pk=pipeline.pk).exists():
        raise DomainError(_("Keep at least one active pipeline."))
    pipeline.delete()


# --- Stages ------------------------------------------------------------------------------------


def _check_stage_name(pipeline: Pipeline, name: str, exclude: Stage | None = None) -> str:
    name = _clean_name(name)
    taken = Stage.objects.filter(pipeline=pipeline, name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise DomainError(_("This pipeline has a stage of this name."), field="name")
    return name


def _renumber(stages: list[Stage]) -> None:
    """Give `stages` the orders 0, 1, 2 ... in one UPDATE (one run of the stays trigger)."""
    changed = []
    for position, stage in enumerate(stages):
        if stage.order != position:
            stage.order = position
            changed.append(stage)
    if changed:
        Stage.objects.bulk_update(changed, ["order"], batch_size=len(changed))


def _stages_of(pipeline: Pipeline) -> list[Stage]:
    return list(Stage.objects.filter(pipeline=pipeline).order_by("order", "id"))


def _place(stages: list[Stage], stage: Stage, order) -> list[Stage]:
    """`stages` with `stage` moved to position `order` (clamped; None: last)."""
    others = [s for s in stages if s.pk != stage.pk]
    if order is None:
        position = len(others)
    else:
        try:
            position = max(0, min(int(order), len(others)))
        except (TypeError, ValueError):
            raise DomainError(_("Enter a position of 0 or more."), field="order") from None
    return [*others[:position], stage, *others[position:]]


@transaction.atomic
def stage_create(
    *,
    actor: User,
    pipeline: Pipeline,
    name: str,
    order: int | None = None,
    probability=0,
    rotting_days=None,
) -> Stage:
    """A new stage at position `order` (0 is first; default: last)."""
    check_admin(actor)
    pipeline = _lock_pipeline(pipeline)
    stages = _stages_of(pipeline)
    stage = Stage.objects.create(
        pipeline=pipeline,
        name=_check_stage_name(pipeline, name),
        order=len(stages),
        probability=_clean_probability(probability),
        rotting_days=_clean_rotting_days(rotting_days),
    )
    _renumber(_place(stages + [stage], stage, order))
    return stage


@transaction.atomic
def stage_update(
    *,
    actor: User,
    stage: Stage,
    name=UNSET,
    pipeline=UNSET,
    order=UNSET,
    probability=UNSET,
    rotting_days=UNSET,
) -> Stage:
    check_admin(actor)
    pipeline_now = _lock_pipeline(stage.pipeline)
    stage = Stage.objects.select_for_update().get(pk=stage.pk)
    if pipeline is not UNSET and pipeline.pk != stage.pipeline_id:
        # The stays and the reports pair a stage with its pipeline's deals: a stage with deals
        # (open or closed) stays where it is; an empty one may move.
        if (
            Deal.objects.filter(stage=stage).exists()
            or DealHistory.objects.filter(Q(from_stage=stage) | Q(to_stage=stage)).exists()
        ):
            raise DomainError(
                _("This stage has deals: it cannot move to another pipeline."), field="pipeline"
            )
        target = _lock_pipeline(pipeline)
        stage.pipeline = target
        stage.name = _check_stage_name(target, stage.name if name is UNSET else name, stage)
        stage.order = len(_stages_of(target))
        stage.save()
        _renumber(_stages_of(pipeline_now))
        pipeline_now = target
    if name is not UNSET:
        stage.name = _check_stage_name(pipeline_now, name, exclude=stage)
    if probability is not UNSET:
        stage.probability = _clean_probability(probability)
    if rotting_days is not UNSET:
        stage.rotting_days = _clean_rotting_days(rotting_days)
    stage.save(update_fields=["name", "probability", "rotting_days"])
    if order is not UNSET:
        stages = _stages_of(pipeline_now)
        _renumber(_place(stages, next(s for s in stages if s.pk == stage.pk), order))
        stage.refresh_from_db()
    return stage


@transaction.atomic
def stage_reorder(
    *, actor: User, pipeline: Pipeline, order: Sequence[int], seen: Sequence[int]
) -> list[Stage]:
    """Put the pipeline's stages in `order` (their ids). `seen` is the order the client
    showed (ids): if it is no longer the pipeline's, someone changed the stages meanwhile and
    nothing is written (StaleVersion: 409)."""
    check_admin(actor)
    pipeline = _lock_pipeline(pipeline)
    stages = _stages_of(pipeline)
    current = [s.pk for s in stages]
    if [int(pk) for pk in seen] != current:
        raise StaleVersion(
            _("Someone changed this pipeline's stages since you loaded them. Reload and try again.")
        )
    order = [int(pk) for pk in order]
    if sorted(order) != sorted(current) or len(set(order)) != len(order):
        raise DomainError(_("List every stage of the pipeline once."), field="order")
    by_id = {s.pk: s for s in stages}
    ordered = [by_id[pk] for pk in order]
    _renumber(ordered)
    return ordered


@transaction.atomic
def stage_delete(*, actor: User, stage: Stage, move_to: Stage | None = None) -> int:
    """Delete a stage; its deals (open and closed) move to `move_to`, a stage of the same
    pipeline, first. Returns how many deals moved.

    The stage's history becomes `move_to`'s (a deleted stage can be in no report): rows that
    put a deal in it now put it in `move_to`, and moves between the two, which would now be
    moves from a stage to itself, are dropped. The history's triggers recompute the stays of
    every deal touched; the deals' triggers move their tally.

    Locks, in this order: the pipeline; the deals in the stage or with history in it (the
    stays recomputed for them check their deal rows at commit, so a deal being moved at the
    same time finishes first, or waits for this delete); the stage FOR UPDATE, so a deal being
    moved into it either committed before (and is moved here) or waits and then finds the
    stage gone (`stage_lock_for_deals`); `move_to` FOR KEY SHARE, so it cannot be deleted
    under the deals moving there.
    """
    check_admin(actor)
    pipeline = _lock_pipeline(stage.pipeline)
    touched = DealHistory.objects.filter(Q(from_stage=stage) | Q(to_stage=stage)).values("deal_id")
    # Those in the trash too (all_objects): they hold the stage, and come back on it.
    locked = (
        Deal.all_objects.select_for_update()
        .filter(Q(stage_id=stage.pk) | Q(pk__in=touched))
        .order_by("id")
        .values_list("id", flat=True)
    )
    has_deals = bool(list(locked))
    try:
        stage = Stage.objects.select_for_update().get(pk=stage.pk)
    except Stage.DoesNotExist:
        raise StageGone(_("This stage was deleted already.")) from None
    if Stage.objects.filter(pipeline=pipeline).count() <= 1:
        raise DomainError(_("A pipeline keeps at least one stage."), code="last_stage")
    moved = 0
    if has_deals or Deal.all_objects.filter(stage_id=stage.pk).exists():
        if move_to is None:
            raise DomainError(
                _("Choose the stage its deals move to."), field="move_to", code="move_to_required"
            )
        if move_to.pk == stage.pk or move_to.pipeline_id != pipeline.pk:
            raise DomainError(_("Choose another stage of the same pipeline."), field="move_to")
        move_to = stage_lock_for_deals(move_to)
        # Every deal's version changes: a form or board opened before answers "changed
        # meanwhile" instead of writing the deleted stage back.
        moved = Deal.all_objects.filter(stage_id=stage.pk).update(
            stage_id=move_to.pk, version=F("version") + 1, updated_at=timezone.now()
        )
        DealHistory.objects.filter(to_stage=stage).update(to_stage=move_to)
        DealHistory.objects.filter(from_stage=stage).update(from_stage=move_to)
        DealHistory.objects.filter(
            kind=HistoryKind.STAGE, from_stage=move_to, to_stage=move_to
        ).delete()
    # The others keep their order (a gap is no matter): renumbering them would recompute the
    # stays of the whole pipeline for nothing.
    stage.delete()
    return moved


# --- Lost reasons ------------------------------------------------------------------------------


def _check_reason_name(name: str, exclude: LostReason | None = None) -> str:
    name = _clean_name(name, max_length=120)
    taken = LostReason.objects.filter(name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise DomainError(_("There is a lost reason of this name."), field="name")
    return name


@transaction.atomic
def lost_reason_create(*, actor: User, name: str) -> LostReason:
    check_admin(actor)
    return LostReason.objects.create(name=_check_reason_name(name))


@transaction.atomic
def lost_reason_update(
    *, actor: User, lost_reason: LostReason, name=UNSET, is_active=UNSET
) -> LostReason:
    """Rename a reason, or retire it (is_active False: no longer offered; lost deals keep it)."""
    check_admin(actor)
    reason = LostReason.objects.select_for_update().get(pk=lost_reason.pk)
    if name is not UNSET:
        reason.name = _check_reason_name(name, exclude=reason)
    if is_active is not UNSET:
        reason.is_active = bool(is_active)
    reason.save()
    return reason


@transaction.atomic
def lost_reason_delete(*, actor: User, lost_reason: LostReason) -> None:
    check_admin(actor)
    reason = LostReason.objects.select_for_update().get(pk=lost_reason.pk)
    if (
        Deal.objects.filter(lost_reason=reason).exists()
        or DealHistory.objects.filter(lost_reason=reason).exists()
    ):
        raise DomainError(
            _("Deals were lost for this reason: retire it instead."), code="lost_reason_used"
        )
    reason.delete()
