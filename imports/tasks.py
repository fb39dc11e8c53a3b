"""Background work of imports: previewing, applying and reverting a large file on the worker.

The services hand an import over (imports/services.py: `_hand_over`, once the transaction
that marked it busy commits); each task runs the worker's half of that stage. A task that
runs twice, or late, finds the import in another status, or held by the worker already at
it, and does nothing (imports/jobs.py).
"""

from celery import shared_task

from imports.applying import import_run_queued
from imports.models import ImportStatus
from imports.previewing import import_preview_queued
from imports.reverting import import_revert_queued


@shared_task(name="imports.tasks.preview_import")
def preview_import(import_id: int) -> str:
    """Preview an import marked as previewing; returns its status."""
    return import_preview_queued(import_id=import_id).status


@shared_task(name="imports.tasks.apply_import")
def apply_import(import_id: int) -> str:
    """Apply an import marked as applying; returns its status."""
    return import_run_queued(import_id=import_id).status


@shared_task(name="imports.tasks.revert_import")
def revert_import(import_id: int) -> str:
    """Revert an import marked as reverting; returns its status."""
    return import_revert_queued(import_id=import_id).status


# The task of each busy status.
TASKS = {
    ImportStatus.PREVIEWING: preview_import,
    ImportStatus.APPLYING: apply_import,
    ImportStatus.REVERTING: revert_import,
}
