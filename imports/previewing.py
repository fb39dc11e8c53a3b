"""Previewing an import: plan its file and store what the plan would do (counts, every
failing row, the duplicates found), writing no record. The plan itself is kept for the apply
(imports/planning/kept.py).

A small file is previewed in the request (`import_create`, `import_configure`:
imports/services.py); a large one by the worker, which runs `import_preview_queued`.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection, transaction
from django.utils.translation import gettext as _

from crm.models import User
from imports.bulk import paused_gc
from imports.cleaning import guess_date_format
from imports.jobs import Claim, Progress, run_claimed
from imports.mapping import auto_mapping, missing_required
from imports.models import Import, ImportStatus, RowAction
from imports.parsing import BadFile, read_table
from imports.planning import Planner, RowPlan
from imports.planning.kept import keep_plan

PREVIEW_LIMIT = 500
# What a preview or an apply changes on the import; never the file (megabytes) again.
STATE_FIELDS = ["status", "row_count", "counts", "preview", "progress", "error"]


def import_preview_queued(*, import_id: int) -> Import:
    """The worker's half of a deferred preview: plan the file and store the preview."""

    def work(import_run: Import, claim: Claim, progress: Progress) -> None:
        try:
            table = read_table(name=import_run.file_name, content=bytes(import_run.content))
        except BadFile as exc:
            # Found only now that the rows are read (the upload read only the headings): the
            # import fails with the reason, and may not be applied or changed.
            claim.finish(
                status=ImportStatus.FAILED,
                error=exc.message,
                progress=0,
                counts={},
                preview={**import_run.preview, "bad_file": True},
            )
            return
        if table.headers != import_run.preview.get("headers", table.headers):
            # The heading row read whole differs from the one the upload streamed (cells
            # openpyxl formats): keep the columns both have, map the others afresh.
            automatic = auto_mapping(import_run.kind, table.headers)
            import_run.mapping = {
                header: import_run.mapping.get(header, automatic.get(header, ""))
                for header in table.headers
                if header
            }
            claim.finish(mapping=import_run.mapping)
        progress(5)
        preview_table(
            import_run, actor=import_run.created_by, table=table, progress=progress, claim=claim
        )

    return run_claimed(
        import_id,
        ImportStatus.PREVIEWING,
        work,
        failed_status=ImportStatus.FAILED,
        unexpected=_("The preview failed unexpectedly; change the mapping to try again."),
    )


def summarize(plans: list[RowPlan]) -> tuple[dict, dict]:
    counts = {action: 0 for action in RowAction.values}
    errors, duplicates = [], []
    for plan in plans:
        counts[plan.action] += 1
        if plan.errors and len(errors) < PREVIEW_LIMIT:
            errors.extend(plan.errors)
        if plan.duplicate and len(duplicates) < PREVIEW_LIMIT:
            duplicates.append(plan.duplicate)
    duplicate_count = sum(1 for plan in plans if plan.duplicate)
    return counts, {
        "counts": counts,
        "errors": errors[:PREVIEW_LIMIT],
        "duplicates": duplicates,
        "duplicate_count": duplicate_count,
    }


def preview_table(
    import_run: Import, *, actor: User, table, progress=None, claim: Claim | None = None
) -> Import:
    with paused_gc():
        return _preview_table(import_run, actor=actor, table=table, progress=progress, claim=claim)


def _preview_table(
    import_run: Import, *, actor: User, table, progress=None, claim: Claim | None = None
) -> Import:
    missing = missing_required(import_run.kind, import_run.mapping)
    planner = Planner(
        kind=import_run.kind,
        actor=actor,
        options=import_run.options,
        headers=table.headers,
        mapping=import_run.mapping,
    )
    total = max(len(table.rows), 1)
    plans = planner.plan(
        table.rows, progress=(lambda i: progress(10 + 85 * i / total)) if progress else None
    )
    counts, preview = summarize(plans)
    preview["headers"] = table.headers
    preview["sample"] = [[_jsonable(c) for c in row] for row in table.rows[:5]]
    preview["missing"] = [str(f.label) for f in missing]
    # Without pg_trgm (SQLite) only equal names are found; the page says so.
    preview["similar_names"] = connection.vendor == "postgresql"
    date_columns = [
        planner.columns[k] for k in ("expected_close_date", "close_date") if k in planner.columns
    ]
    guesses = {
        guess_date_format(row[i] for row in table.rows[:2000] if i < len(row)) for i in date_columns
    } - {None}
    preview["date_format_guess"] = guesses.pop() if len(guesses) == 1 else ""
    import_run.preview = preview
    import_run.counts = counts
    import_run.row_count = len(table.rows)
    import_run.status = ImportStatus.PREVIEWED
    import_run.progress = 0
    import_run.error = ""
    with transaction.atomic():
        # The plan is kept for the apply (imports/planning/kept.py), with the preview it gave.
        keep_plan(import_run, planner, plans)
        if claim is not None:
            # The worker's preview: stored only if the import still waits for this run.
            claim.finish(**{f: getattr(import_run, f) for f in STATE_FIELDS})
        else:
            import_run.save(update_fields=STATE_FIELDS + ["mapping", "options"])
    return import_run


def _jsonable(value):
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
