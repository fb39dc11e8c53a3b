"""The worker's hold on a busy import: one run at a time, a heartbeat, and writes that only
land while the import is still the run that started.

A busy import (previewing, applying, reverting) is handed to the worker with a new `attempt`.
The worker's run takes it only if it is still in that status and attempt, and every write of
the run (progress, outcome) is conditional on both: an admin who cancelled the import, or
handed it out again, never sees a late run write over it. The outcome of an apply or revert
is written inside its transaction, so a run that lost the import rolls all its work back.

On PostgreSQL a run also holds an advisory lock on the import for as long as it works: a
second delivery of the task, or a "Run again" while the first worker is in fact alive, finds
it held and leaves the import alone. The lock belongs to the run's connection, so a worker
that dies releases it with its connection.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.utils import timezone

from crm.errors import DomainError
from imports.models import Import

logger = logging.getLogger(__name__)

# Advisory lock keys of imports: this namespace in the high bits, the import's id below.
_LOCK_NAMESPACE = 0x494D50 << 32  # "IMP"
# A run that reports no new percentage still refreshes its heartbeat this often.
HEARTBEAT_SECONDS = 10


class Superseded(Exception):  # noqa: N818 - a signal, not an error
    """The import was cancelled or handed out again while this run worked on it."""


@contextmanager
def worker_lock(import_id: int) -> Iterator[bool]:
    """Yields whether this process may run the import now (always, without PostgreSQL)."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = _LOCK_NAMESPACE | (import_id & 0xFFFFFFFF)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
            except DatabaseError:  # the connection is gone, and the lock with it
                logger.warning("Could not release the worker lock of import %s", import_id)


class Claim:
    """One run of a busy import: the status and attempt it started with."""

    def __init__(self, import_run: Import):
        self.import_id = import_run.pk
        self.status = import_run.status
        self.attempt = import_run.attempt

    def _still_ours(self):
        return Import.objects.filter(pk=self.import_id, status=self.status, attempt=self.attempt)

    def take(self) -> bool:
        """The first sign of life; False when the import is no longer this run's."""
        return self._still_ours().update(heartbeat_at=timezone.now()) == 1

    def finish(self, **values) -> None:
        """Write the run's outcome, or raise `Superseded` (inside the run's transaction, that
        rolls its writes back)."""
        if self._still_ours().update(**values) != 1:
            raise Superseded


class Progress:
    """Stores the progress and heartbeat where the page can poll them, even from inside the
    write transaction.

    On PostgreSQL a second connection (autocommit) writes them, so others see them before the
    import commits; on SQLite (one writer at a time) only the steps outside it are stored.
    """

    def __init__(self, claim: Claim):
        self.claim = claim
        self.last = -1
        self.last_beat = time.monotonic()
        self.side = None

    def __call__(self, percent: float) -> None:
        percent = max(0, min(99, int(percent)))
        if percent == self.last and time.monotonic() - self.last_beat < HEARTBEAT_SECONDS:
            return
        self.last, self.last_beat = percent, time.monotonic()
        claim, now = self.claim, timezone.now()
        if connection.vendor == "postgresql":
            if self.side is None:
                self.side = connections.create_connection(DEFAULT_DB_ALIAS)
            with self.side.cursor() as cursor:
                cursor.execute(
                    "UPDATE imports_import SET progress = %s, heartbeat_at = %s "
                    "WHERE id = %s AND status = %s AND attempt = %s",
                    [percent, now, claim.import_id, claim.status, claim.attempt],
                )
        elif not connection.in_atomic_block:
            claim._still_ours().update(progress=percent, heartbeat_at=now)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def run_claimed(
    import_id: int,
    expected: str,
    work: Callable[[Import, Claim, Progress], None],
    *,
    failed_status: str,
    unexpected: str,
) -> Import:
    """Run the worker's half of a deferred step, if the import still waits for it.

    `work` writes its outcome with `claim.finish`. A refusal (`DomainError`) is recorded as
    `failed_status` with its message, a crash with the generic `unexpected` (and the log).
    """
    with worker_lock(import_id) as held:
        import_run = Import.objects.select_related("created_by").get(pk=import_id)
        if not held or import_run.status != expected:
            # Another worker is at it, or it was done, cancelled or taken over meanwhile.
            return import_run
        claim = Claim(import_run)
        if not claim.take():
            return Import.objects.get(pk=import_id)
        progress = Progress(claim)
        try:
            work(import_run, claim, progress)
        except Superseded:
            logger.info("Import %s was cancelled or taken over while %s", import_id, expected)
        except DomainError as exc:
            _record_failure(claim, status=failed_status, error=exc.message)
        except Exception:
            logger.exception("Import %s failed while %s", import_id, expected)
            if _record_failure(claim, status=failed_status, error=unexpected):
                raise
        finally:
            progress.close()
    # The file (up to many megabytes) is loaded again only if the caller reads it.
    return Import.objects.select_related("created_by").defer("content").get(pk=import_id)


def _record_failure(claim: Claim, **values) -> bool:
    try:
        claim.finish(progress=0, heartbeat_at=None, **values)
    except Superseded:
        return False
    return True
