"""Applying an import: write its plan, all or nothing, or skipping the bad rows.

The worker's half (`import_run_queued`) runs under the import's claim (imports/jobs.py): one
run at a time, and its writes commit only while the import is still that run's. The plan is
the preview's when nothing it looked up has changed (imports/planning/kept.py), else the file
is planned again; imports/writing.py writes it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import DomainError
from imports.bulk import paused_gc
from imports.jobs import Claim, Progress, run_claimed
from imports.mapping import missing_required
from imports.models import Import, ImportStatus, OnError, RowAction
from imports.parsing import read_table
from imports.planning import Planner, RowPlan
from imports.planning.kept import forget_plan, kept_plan
from imports.previewing import summarize
from imports.writing import Writer


def import_run_queued(*, import_id: int) -> Import:
    """The worker's half of an apply: write the rows (all or nothing, or skipping bad rows)."""
    return run_claimed(
        import_id,
        ImportStatus.APPLYING,
        _apply,
        failed_status=ImportStatus.FAILED,
        unexpected=_("The import failed unexpectedly; nothing was written."),
    )


def _apply(import_run: Import, claim: Claim, progress: Progress) -> None:
    with paused_gc():
        _apply_paused(import_run, claim, progress)


def _apply_paused(import_run: Import, claim: Claim, progress: Progress) -> None:
    missing = missing_required(import_run.kind, import_run.mapping)
    if missing:
        raise DomainError(
            _("Map a column to %(fields)s first.")
            % {"fields": ", ".join(str(f.label) for f in missing)}
        )
    planner, plans, reused = _apply_plan(import_run, progress)
    counts, preview = summarize(plans)
    # Whether the apply wrote the preview's plan or planned the file again (planning/kept.py).
    preview["plan_reused"] = reused
    failed = counts[RowAction.FAILED]
    if failed and import_run.options.get("on_error") != OnError.SKIP_BAD_ROWS:
        claim.finish(
            preview={**import_run.preview, **preview},
            counts=counts,
            status=ImportStatus.FAILED,
            progress=0,
            error=_(
                "%(count)d rows have errors, so nothing was written. Fix them in the file, or "
                "choose to skip the bad rows."
            )
            % {"count": failed},
        )
        return
    with transaction.atomic():
        writer = Writer(
            import_run=import_run,
            planner=planner,
            plans=plans,
            actor=import_run.created_by,
            progress=progress,
        )
        writer.write()
        forget_plan(import_run)
        # Last, and in the transaction: if the import was cancelled or handed out again
        # meanwhile, this raises and everything written above is rolled back. A second run
        # of the same attempt waits here for the first to commit, then finds it applied.
        claim.finish(
            counts=counts,
            preview={**import_run.preview, **preview},
            status=ImportStatus.APPLIED,
            progress=100,
            error="",
            applied_at=timezone.now(),
        )


def _apply_plan(import_run: Import, progress: Progress) -> tuple[Planner, list[RowPlan], bool]:
    """The preview's plan if it still holds (imports/planning/kept.py), else the file
    planned again."""

    def planner(headers: list[str]) -> Planner:
        return Planner(
            kind=import_run.kind,
            actor=import_run.created_by,
            options=import_run.options,
            headers=headers,
            mapping=import_run.mapping,
        )

    if kept := kept_plan(import_run):
        progress(5)
        reusing = planner(import_run.preview.get("headers", []))
        if (plans := reusing.reuse(kept.plans, kept.wanted, kept.snapshot)) is not None:
            progress(40)
            return reusing, plans, True
    table = read_table(name=import_run.file_name, content=bytes(import_run.content))
    total = max(len(table.rows), 1)
    fresh = planner(table.headers)
    return fresh, fresh.plan(table.rows, progress=lambda i: progress(5 + 35 * i / total)), False
