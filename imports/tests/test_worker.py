"""A large import on a real Celery worker, with Redis as the broker."""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from contacts.models import Person
from crm.celery import app
from imports.models import Import, ImportStatus
from imports.services import import_create, import_queue
from imports.tasks import apply_import, preview_import
from imports.tests.helpers import csv_bytes

TIMEOUT_S = 90


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture
def worker_queue():
    """A worker of our own on a queue of our own: other test runs' workers do not steal it."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker is another process: it cannot share the SQLite test database")
    if not _redis_up():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    queue = f"test-imports-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm.test_settings",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
    }
    celery = Path(sys.executable).with_name("celery")
    worker = subprocess.Popen(
        [
            str(celery),
            "-A",
            "crm",
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
        stderr=subprocess.PIPE,
    )
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield queue
    finally:
        app.conf.task_always_eager = eager
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()


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
    assert imp.status == ImportStatus.PREVIEWING

    preview_import.apply_async(args=[imp.pk], queue=worker_queue)

    imp = _wait_while(imp, ImportStatus.PREVIEWING)
    assert (imp.status, imp.counts["created"]) == (ImportStatus.PREVIEWED, 300), imp.error
    assert Person.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_import_applies_on_a_real_worker(admin_user, worker_queue):
    rows = [["Name", "Email"]] + [[f"Person {i}", f"p{i}@example.com"] for i in range(1500)]
    imp = import_create(
        actor=admin_user, file_name="people.csv", content=csv_bytes(rows), kind="persons"
    )
    import_queue(actor=admin_user, import_run=imp)

    apply_import.apply_async(args=[imp.pk], queue=worker_queue)

    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        imp = Import.objects.get(pk=imp.pk)
        if imp.status != ImportStatus.APPLYING:
            break
        time.sleep(0.5)
    assert (imp.status, imp.progress) == (ImportStatus.APPLIED, 100), imp.error
    assert Person.objects.count() == 1500
