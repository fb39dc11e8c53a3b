"""A job goes to the worker only once the transaction that handed it over commits: the
services defer the dispatch with `transaction.on_commit`, so no caller has to, and a worker
never finds an import its request has not committed (or has rolled back).

The tests' Celery is eager: a task that is sent runs at once, in this process, so "sent" is
seen as the task starting (Celery's `task_prerun` signal) and as its writes.
"""

from contextlib import suppress

import pytest
from celery.signals import task_prerun
from django.db import transaction

from contacts.models import Person
from imports.models import Import, ImportRow, ImportStatus
from imports.services import import_apply, import_create
from imports.tests.helpers import csv_bytes

ROWS = [["Name", "Email"]] + [[f"Person {i}", f"p{i}@example.com"] for i in range(5)]


class _Rollback(Exception):
    pass


@pytest.fixture(autouse=True)
def small_background_threshold(settings):
    settings.CRM_IMPORT_BACKGROUND_ROWS = 3


@pytest.fixture
def started_tasks():
    """The import ids of the tasks that start while the test runs."""
    started: list[int] = []

    def record(sender=None, args=(), **_kwargs):
        started.extend(args)

    task_prerun.connect(record, weak=False)
    try:
        yield started
    finally:
        task_prerun.disconnect(record)


def _previewed(admin) -> Import:
    # Previewed in the call (no `defer`): nothing is handed to the worker yet.
    return import_create(
        actor=admin, file_name="people.csv", content=csv_bytes(ROWS), kind="persons"
    )


@pytest.mark.django_db
def test_a_large_apply_reaches_the_worker_only_when_its_transaction_commits(
    admin_user, started_tasks, django_capture_on_commit_callbacks
):
    imp = _previewed(admin_user)

    with django_capture_on_commit_callbacks() as on_commit:
        imp = import_apply(actor=admin_user, import_run=imp, defer=True)
        # Handed over, not committed: no task has started, nothing is written.
        assert imp.status == ImportStatus.APPLYING
        assert started_tasks == []
        assert Person.objects.count() == 0

    assert len(on_commit) == 1
    on_commit[0]()  # what the commit runs

    assert started_tasks == [imp.pk]
    assert Import.objects.get(pk=imp.pk).status == ImportStatus.APPLIED
    assert Person.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_hand_over_rolled_back_with_its_transaction_sends_nothing(admin_user, started_tasks):
    imp = _previewed(admin_user)

    with suppress(_Rollback), transaction.atomic():
        import_apply(actor=admin_user, import_run=imp, defer=True)
        raise _Rollback

    assert started_tasks == []
    imp = Import.objects.get(pk=imp.pk)
    assert (imp.status, imp.attempt) == (ImportStatus.PREVIEWED, 0)
    assert (Person.objects.count(), ImportRow.objects.count()) == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_a_hand_over_that_commits_is_sent_once(admin_user, started_tasks):
    imp = _previewed(admin_user)

    with transaction.atomic():
        import_apply(actor=admin_user, import_run=imp, defer=True)
        assert started_tasks == []

    assert started_tasks == [imp.pk]
    assert Import.objects.get(pk=imp.pk).status == ImportStatus.APPLIED
    assert Person.objects.count() == 5


@pytest.mark.django_db
def test_a_small_apply_runs_in_the_call_without_the_worker(admin_user, started_tasks):
    imp = import_create(
        actor=admin_user, file_name="people.csv", content=csv_bytes(ROWS[:3]), kind="persons"
    )

    imp = import_apply(actor=admin_user, import_run=imp, defer=True)

    assert (imp.status, started_tasks) == (ImportStatus.APPLIED, [])
    assert Person.objects.count() == 2
