"""A large import on a real Celery worker, with Redis as the broker: the services hand the
jobs over themselves (on commit), to workers of the test's own queue."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from config.celery_app import app
from contacts.models import Person, PersonEmail
from imports.models import Import, ImportRow, ImportStatus
from imports.services import import_apply, import_create, import_rerun
from imports.tests.helpers import csv_bytes

TIMEOUT_S = 90


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def _start_worker(queue: str) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
    }
    celery = Path(sys.executable).with_name("celery")
    return subprocess.Popen(
        [
            str(celery),
            "-A",
            "config.celery_app",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "-l",
            "warning",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


@pytest.fixture
def workers():
    """Workers of our own on a queue of our own, where the services send their tasks: other
    test runs' workers do not steal them. Yields (queue, start), `start()` starting one more
    worker on the queue."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker is another process: it cannot share the SQLite test database")
    if not _redis_up():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    queue = f"test-imports-{uuid.uuid4().hex[:8]}"
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        started.append(_start_worker(queue))
        return started[-1]

    eager, default_queue = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    try:
        yield queue, start
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = eager, default_queue
        for worker in started:
            _stop(worker)


@pytest.fixture
def worker_queue(workers):
    """One worker of our own on a queue of our own."""
    queue, start = workers
    start()
    return queue


def _wait_while(imp: Import, status: str) -> Import:
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        imp = Import.objects.get(pk=imp.pk)
        if imp.status != status:
            break
        time.sleep(0.5)
    return imp


@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_previewed_on_a_real_worker(admin_user, worker_queue, settings):
    settings.CRM_IMPORT_BACKGROUND_ROWS = 100
    rows = [["Name", "Email"]] + [[f"Person {i}", f"p{i}@example.com"] for i in range(300)]
    imp = import_create(
        actor=admin_user,
        file_name="people.csv",
        content=csv_bytes(rows),
        kind="persons",
        defer=True,
    )
    # Handed over: the upload's transaction (autocommit here) has committed.
    assert imp.status == ImportStatus.PREVIEWING

    imp = _wait_while(imp, ImportStatus.PREVIEWING)
    assert (imp.status, imp.counts["created"]) == (ImportStatus.PREVIEWED, 300), imp.error
    assert Person.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_import_applies_on_a_real_worker(admin_user, worker_queue):
    rows = [["Name", "Email"]] + [[f"Person {i}", f"p{i}@example.com"] for i in range(1500)]
    imp = import_create(
        actor=admin_user, file_name="people.csv", content=csv_bytes(rows), kind="persons"
    )

    imp = import_apply(actor=admin_user, import_run=imp, defer=True)
    assert imp.status == ImportStatus.APPLYING

    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        imp = Import.objects.get(pk=imp.pk)
        if imp.status != ImportStatus.APPLYING:
            break
        time.sleep(0.5)
    assert (imp.status, imp.progress) == (ImportStatus.APPLIED, 100), imp.error
    assert Person.objects.count() == 1500


def _wait_until(condition) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def _other_backends(*ours: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> ALL(%s)",
            [[*ours]],
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_an_apply_whose_worker_died_midway_wrote_nothing_and_runs_again_once(admin_user, workers):
    queue, start = workers
    rows = [["Name", "Email"]] + [[f"Person {i}", f"p{i}@example.com"] for i in range(1500)]
    imp = import_create(
        actor=admin_user, file_name="people.csv", content=csv_bytes(rows), kind="persons"
    )
    # SHARE on the e-mail table: the worker's apply stops at its first e-mail insert, inside
    # its transaction, after writing the persons; there it dies.
    locker = connections.create_connection("default")
    locker.set_autocommit(False)
    with locker.cursor() as cursor:
        cursor.execute("LOCK TABLE contacts_personemail IN SHARE MODE")
        cursor.execute("SELECT pg_backend_pid()")
        locker_pid = cursor.fetchone()[0]
    first = start()
    try:
        import_apply(actor=admin_user, import_run=imp, defer=True)
        _wait_until(lambda: Import.objects.get(pk=imp.pk).progress >= 50)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=15)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            our_pid = cursor.fetchone()[0]
        # The dead worker's database sessions end (PostgreSQL notices at its next read; this
        # says so at once): its transaction is rolled back, its worker lock released.
        with connection.cursor() as cursor:
            for pid in _other_backends(our_pid, locker_pid):
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        _wait_until(lambda: not _other_backends(our_pid, locker_pid))
    finally:
        locker.rollback()
        locker.close()

    imp = Import.objects.get(pk=imp.pk)
    assert imp.status == ImportStatus.APPLYING
    assert (Person.objects.count(), ImportRow.objects.count()) == (0, 0)

    # No sign of the worker for long: the admin runs it again, on a new worker.
    Import.objects.filter(pk=imp.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    import_rerun(actor=admin_user, import_run=imp)  # sent to the queue, where none listens
    start()

    imp = _wait_while(imp, ImportStatus.APPLYING)
    assert (imp.status, imp.counts["created"]) == (ImportStatus.APPLIED, 1500), imp.error
    assert (Person.objects.count(), PersonEmail.objects.count()) == (1500, 1500)
    assert ImportRow.objects.filter(import_run=imp).count() == 1500
