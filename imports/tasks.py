"""Background work of imports: previewing, applying and reverting a large file on the worker.

Each task runs the worker's half of a service that marked the import first (`import_create`
or `import_configure` with `defer`, `import_queue`, `import_revert_queue`, `import_rerun`), so
a task that runs twice, or late, finds the import in another status, or held by the worker
already at it, and does nothing (imports/jobs.py).
"""

from celery import shared_task

from imports.models import Import, ImportStatus
from imports.services import import_preview_queued, import_revert_queued, import_run_queued


@shared_task(name="imports.tasks.preview_import")
def preview_import(import_id: int) -> str:
    """Preview an import marked as previewing; returns its status."""
    return import_preview_queued(import_id=import_id).status


@shared_task(name="imports.tasks.apply_import")
def apply_import(import_id: int) -> str:
    """Apply an import already marked as applying (`import_queue`); returns its status."""
    return import_run_queued(import_id=import_id).status


@shared_task(name="imports.tasks.revert_import")
def revert_import(import_id: int) -> str:
    """Revert an import marked as reverting (`import_revert_queue`); returns its status."""
    return import_revert_queued(import_id=import_id).status


_TASKS = {
    ImportStatus.PREVIEWING: preview_import,
    ImportStatus.APPLYING: apply_import,
    ImportStatus.REVERTING: revert_import,
}


def dispatch(import_run: Import) -> None:
    """Hand the worker an import a service marked as busy (and committed: the services mark
    in a transaction of their own). In the embedded mode the task runs at once, in-process."""
    task = _TASKS.get(import_run.status)
    if task is not None:
        task.delay(import_run.pk)
