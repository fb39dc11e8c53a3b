"""Imports, as the pages and the API run them: upload and preview, apply, revert, and a busy
import no worker finishes run again or cancelled. These are the entry points; each stage has
a module of its own:

- imports/planning/: what every row of a file will do (the preview shows it, the apply writes it);
- imports/previewing.py, imports/applying.py (imports/writing.py), imports/reverting.py: the
  work of each stage, run here and now for a small file or by the worker for a large one
  (imports/tasks.py, under the import's claim: imports/jobs.py).

Where the work runs is decided in one place (`_on_worker`), and a job is handed to the
worker by the service itself once its transaction commits (`_hand_over`), never by a caller.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from crm.errors import DomainError, NotPermitted
from crm.models import User, Visibility
from crm.visibility import can_assign_to
from deals.models import Pipeline
from imports.applying import import_run_queued
from imports.cleaning import DATE_FORMATS
from imports.mapping import auto_mapping, clean_mapping
from imports.models import (
    BUSY_STATUSES,
    DuplicateChoice,
    Import,
    ImportKind,
    ImportStatus,
    OnError,
)
from imports.parsing import read_head, read_table
from imports.previewing import preview_table
from imports.reverting import import_revert_queued
from imports.tasks import TASKS

# What handing an import to the worker changes.
BUSY_FIELDS = ["status", "progress", "error", "attempt", "queued_at", "heartbeat_at"]


def can_import(user: User) -> bool:
    """Admins, and the users an admin allowed (permission imports.run_import)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_crm_admin or user.has_perm("imports.run_import"))
    )


def _check_importer(actor: User) -> None:
    if not can_import(actor):
        raise NotPermitted(_("Only admins and the users they allow may import."))


def clean_options(options: dict | None, *, actor: User) -> dict:
    options = dict(options or {})
    result = {
        "date_format": options.get("date_format") or "iso",
        "decimal_separator": options.get("decimal_separator") or ".",
        "duplicates": options.get("duplicates") or DuplicateChoice.MERGE,
        "on_error": options.get("on_error") or OnError.ALL_OR_NOTHING,
        "visible_to": options.get("visible_to") or "",
        "placeholder_organization": (options.get("placeholder_organization") or "").strip(),
    }
    if result["date_format"] not in DATE_FORMATS:
        raise DomainError(_("Choose a date format."), field="date_format")
    if result["decimal_separator"] not in (".", ","):
        raise DomainError(_("The decimal separator is “.” or “,”."), field="decimal_separator")
    if result["duplicates"] not in DuplicateChoice.values:
        raise DomainError(_("Choose merge, skip or create."), field="duplicates")
    if result["on_error"] not in OnError.values:
        raise DomainError(_("Choose all or nothing, or skip bad rows."), field="on_error")
    if result["visible_to"] and result["visible_to"] not in Visibility.values:
        raise DomainError(_("Choose owner, team or company."), field="visible_to")
    if len(result["placeholder_organization"]) > 255:
        raise DomainError(_("At most 255 characters."), field="placeholder_organization")
    owner = options.get("owner")
    if owner not in (None, ""):
        user = User.objects.filter(pk=_int(owner, "owner"), is_active=True).first()
        if user is None or not can_assign_to(actor, user):
            raise DomainError(_("Choose an active user you may give records to."), field="owner")
        result["owner"] = user.pk
    pipeline = options.get("pipeline")
    if pipeline not in (None, ""):
        if not Pipeline.objects.filter(pk=_int(pipeline, "pipeline"), is_active=True).exists():
            raise DomainError(_("Choose an active pipeline."), field="pipeline")
        result["pipeline"] = int(pipeline)
    return result


def _int(value, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DomainError(_("Choose one of the options."), field=field) from None


# --- where the work runs --------------------------------------------------------------------


def runs_in_background(import_run: Import) -> bool:
    """Is the file large enough to preview, apply and revert on the worker? More rows than
    `CRM_IMPORT_BACKGROUND_ROWS` (counted, or as a workbook declares them), or more bytes
    than `CRM_IMPORT_BACKGROUND_BYTES` (a workbook that does not declare its rows)."""
    return (
        import_run.row_count > background_threshold() or import_run.file_size > background_bytes()
    )


def background_threshold() -> int:
    return getattr(settings, "CRM_IMPORT_BACKGROUND_ROWS", 1000)


def background_bytes() -> int:
    return getattr(settings, "CRM_IMPORT_BACKGROUND_BYTES", 256 * 1024)


def _on_worker(import_run: Import, *, defer: bool) -> bool:
    """The one place that decides where a preview, apply or revert runs: on the worker when
    the caller need not wait for the outcome (`defer`, as the pages and the API) and the file
    is large (`runs_in_background`); else here and now, in this process.

    "The worker" is Celery's: with CELERY_TASK_ALWAYS_EAGER (the tests, `make run`'s
    embedded mode) Celery runs the task in this process too, still only once the transaction
    that handed it over has committed (`_hand_over`).
    """
    return defer and runs_in_background(import_run)


def _hand_over(import_run: Import) -> None:
    """Send the busy import's task to the worker once the current transaction commits: a
    worker must not find the import not marked yet, and a mark rolled back sends nothing."""
    task = TASKS[import_run.status]
    transaction.on_commit(partial(task.delay, import_run.pk))


def _mark_busy(
    import_run: Import, status: str, *, on_worker: bool, fields: tuple[str, ...] = ()
) -> Import:
    """Make the import busy with a new attempt, which only a run that takes this attempt may
    write to (imports/jobs.py); `on_worker`, hand it to the worker (on commit)."""
    import_run.status, import_run.progress, import_run.error = status, 0, ""
    import_run.attempt += 1
    import_run.queued_at, import_run.heartbeat_at = timezone.now(), None
    import_run.save(update_fields=[*BUSY_FIELDS, *fields])
    if on_worker:
        _hand_over(import_run)
    return import_run


def _mark_previewing(import_run: Import, headers: list[str]) -> Import:
    """Leave the preview to the worker (which runs `import_preview_queued`)."""
    import_run.counts = {}
    import_run.preview = {"headers": headers}
    return _mark_busy(
        import_run,
        ImportStatus.PREVIEWING,
        on_worker=True,
        fields=("counts", "preview", "mapping", "options"),
    )


# --- upload and preview ---------------------------------------------------------------------


def import_create(
    *,
    actor: User,
    file_name: str,
    content: bytes,
    kind: str,
    mapping: dict | None = None,
    options: dict | None = None,
    defer: bool = False,
) -> Import:
    """Check the file (refusing bad ones, writing nothing), map it and preview it.

    With `defer`, a file too large to preview within a request (`_on_worker`) is marked as
    previewing and handed to the worker, which runs `import_preview_queued`. A large XLSX is
    then not even read here beyond its heading row (`read_head`): the worker reads its rows,
    and a fault found there fails the import with its message.
    """
    _check_importer(actor)
    if kind not in ImportKind.values:
        raise DomainError(_("Choose organizations, persons, leads or deals."), field="kind")
    head = read_head(name=file_name, content=content)
    options = clean_options(options, actor=actor)
    mapping = (
        clean_mapping(kind, head.headers, mapping) if mapping else auto_mapping(kind, head.headers)
    )
    import_run = Import(
        kind=kind,
        file_name=(file_name or "")[-255:],
        content=content,
        file_size=len(content),
        mapping=mapping,
        options=options,
        row_count=head.rows,
        created_by=actor,
    )
    deferred = _on_worker(import_run, defer=defer)
    # A small workbook is read whole here (its head only counted its rows).
    table = head.table or (None if deferred else read_table(name=file_name, content=content))
    if table is not None:
        import_run.row_count = len(table.rows)
        deferred = _on_worker(import_run, defer=defer)
    import_run.save()
    if deferred:
        return _mark_previewing(import_run, head.headers)
    return preview_table(import_run, actor=actor, table=table)


def import_configure(
    *,
    actor: User,
    import_run: Import,
    mapping: dict | None = None,
    options: dict | None = None,
    defer: bool = False,
) -> Import:
    """Change the mapping and choices of an import not applied yet, and preview it again
    (with `defer`, a large file's preview is left to the worker, as in `import_create`)."""
    _check_importer(actor)
    if import_run.preview.get("bad_file"):
        raise DomainError(_("This file cannot be read; upload a corrected one."), code="conflict")
    content = bytes(import_run.content)
    head = read_head(name=import_run.file_name, content=content)
    with transaction.atomic():
        # Locked: a change while the worker previews or applies it would be lost or mixed in.
        import_run = Import.objects.select_for_update().get(pk=import_run.pk)
        if import_run.status not in (
            ImportStatus.UPLOADED,
            ImportStatus.PREVIEWED,
            ImportStatus.FAILED,
        ):
            raise DomainError(_("This import can no longer be changed."), code="conflict")
        if mapping is not None:
            import_run.mapping = clean_mapping(import_run.kind, head.headers, mapping)
        if options is not None:
            import_run.options = clean_options({**import_run.options, **options}, actor=actor)
        if _on_worker(import_run, defer=defer):
            return _mark_previewing(import_run, head.headers)
    table = head.table or read_table(name=import_run.file_name, content=content)
    return preview_table(import_run, actor=actor, table=table)


def import_preview(*, actor: User, import_run: Import) -> Import:
    """Plan the file again and store the preview, here and now."""
    _check_importer(actor)
    table = read_table(name=import_run.file_name, content=bytes(import_run.content))
    return preview_table(import_run, actor=actor, table=table)


# --- apply and revert -----------------------------------------------------------------------


def import_apply(*, actor: User, import_run: Import, defer: bool = False) -> Import:
    """Apply the import: all or nothing, or skipping bad rows (its `on_error` choice).

    Marked as applying first, once (a second click finds it so and is refused). Then run
    here and now, and the import comes back applied or failed; or, with `defer` and a large
    file (`_on_worker`), handed to the worker, and it comes back busy.
    """
    _check_importer(actor)
    with transaction.atomic():
        locked = Import.objects.select_for_update().get(pk=import_run.pk)
        if locked.status not in (ImportStatus.PREVIEWED, ImportStatus.FAILED):
            raise DomainError(_("This import is already applying or applied."), code="conflict")
        if locked.preview.get("bad_file"):
            raise DomainError(_("This file cannot be read; upload a corrected one."))
        on_worker = _on_worker(locked, defer=defer)
        _mark_busy(locked, ImportStatus.APPLYING, on_worker=on_worker)
    # Run after the mark commits: the run claims the import afresh (imports/jobs.py).
    return locked if on_worker else import_run_queued(import_id=locked.pk)


def import_revert(*, actor: User, import_run: Import, defer: bool = False) -> Import:
    """Revert an applied import (imports/reverting.py), marked as reverting first, once; run
    here and now, or, with `defer` and a large file, handed to the worker (as `import_apply`).
    """
    _check_importer(actor)
    with transaction.atomic():
        locked = Import.objects.select_for_update().get(pk=import_run.pk)
        if locked.status != ImportStatus.APPLIED:
            raise DomainError(_("Only an applied import can be reverted."), code="conflict")
        on_worker = _on_worker(locked, defer=defer)
        _mark_busy(locked, ImportStatus.REVERTING, on_worker=on_worker)
    return locked if on_worker else import_revert_queued(import_id=locked.pk)


# --- runs nobody finished ------------------------------------------------------------------

# Where cancelling a busy import leaves it: where it was before, nothing having been written
# (an apply or revert writes all in one transaction, and a late run of a cancelled attempt
# cannot commit: imports/jobs.py).
_CANCELLED = {
    ImportStatus.PREVIEWING: (
        ImportStatus.UPLOADED,
        _lazy("The preview was cancelled. Update the preview to run it again."),
    ),
    ImportStatus.APPLYING: (
        ImportStatus.PREVIEWED,
        _lazy("The import was cancelled; nothing was written. Apply it again when ready."),
    ),
    ImportStatus.REVERTING: (
        ImportStatus.APPLIED,
        _lazy("The revert was cancelled; nothing was changed."),
    ),
}


def _lock_stale(import_run: Import) -> Import:
    locked = Import.objects.select_for_update().get(pk=import_run.pk)
    if locked.status not in BUSY_STATUSES:
        raise DomainError(_("This import is no longer waiting for a worker."), code="conflict")
    if not locked.is_stale:
        raise DomainError(
            _("The worker is still at this import; wait for it to finish."), code="conflict"
        )
    return locked


@transaction.atomic
def import_rerun(*, actor: User, import_run: Import) -> Import:
    """Hand a stale busy import to the worker again (once this transaction commits).

    Safe whatever became of the first run: a worker that died wrote nothing (one
    transaction), and one that is in fact alive still holds the import's worker lock, so the
    new delivery leaves the import to it. The attempt stays the same for that reason.
    """
    _check_importer(actor)
    # Locked: two clicks on "Run again" hand it out once; the second finds it fresh.
    locked = _lock_stale(import_run)
    locked.queued_at, locked.heartbeat_at = timezone.now(), None
    locked.save(update_fields=["queued_at", "heartbeat_at"])
    _hand_over(locked)
    return locked


@transaction.atomic
def import_cancel(*, actor: User, import_run: Import) -> Import:
    """Give up a stale busy import: back to where it was before, nothing written.

    A new attempt: if its worker turns up after all, its writes are refused and rolled back.
    """
    _check_importer(actor)
    locked = _lock_stale(import_run)
    status, message = _CANCELLED[locked.status]
    locked.status, locked.progress, locked.error = status, 0, str(message)
    locked.attempt += 1
    locked.queued_at = locked.heartbeat_at = None
    locked.save(update_fields=BUSY_FIELDS)
    return locked
