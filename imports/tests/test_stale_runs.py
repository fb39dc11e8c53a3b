"""Busy imports no worker finishes: the page and the API say so, and offer to run them again
or cancel them, without ever writing an import twice or half.

The tests that need a run stuck in the middle of its transaction hold a lock on the e-mail
table (SHARE: reads go on, inserts wait), so the run stops right after writing the persons,
where a worker that dies would leave it.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from contacts.models import Person, PersonEmail
from crm.errors import DomainError
from imports.applying import import_run_queued
from imports.models import Import, ImportRow, ImportStatus
from imports.services import (
    import_apply,
    import_cancel,
    import_create,
    import_rerun,
    import_revert,
)
from imports.tests.helpers import csv_bytes, handed_over_to_no_worker

ROWS = [["Name", "Email"]] + [[f"Person {i}", f"p{i}@example.com"] for i in range(5)]
WAIT_S = 60


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.CRM_IMPORT_BACKGROUND_ROWS = 3
    settings.CRM_IMPORT_STALE_SECONDS = 300


def _deferred(admin) -> Import:
    # Handed to the worker once the test's transaction commits, which it never does: as if
    # no worker ever took it.
    return import_create(
        actor=admin, file_name="people.csv", content=csv_bytes(ROWS), kind="persons", defer=True
    )


def _silent_for(imp: Import, minutes: int) -> Import:
    """Move the last sign of the job's worker (or of its hand-over) back in time."""
    then = timezone.now() - timedelta(minutes=minutes)
    Import.objects.filter(pk=imp.pk).update(
        queued_at=then, heartbeat_at=None if imp.heartbeat_at is None else then
    )
    return Import.objects.get(pk=imp.pk)


def _applying(admin) -> Import:
    imp = import_create(
        actor=admin, file_name="people.csv", content=csv_bytes(ROWS), kind="persons"
    )
    # Handed over once the test's transaction commits: never.
    return import_apply(actor=admin, import_run=imp, defer=True)


def _applying_committed(admin) -> Import:
    """`_applying` for tests that commit, where the eager "worker" would take it at once."""
    imp = import_create(
        actor=admin, file_name="people.csv", content=csv_bytes(ROWS), kind="persons"
    )
    return handed_over_to_no_worker(imp, ImportStatus.APPLYING)


# --- what the admin sees ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_job_no_worker_took_says_it_is_waiting_and_offers_nothing_yet(client, admin_user):
    imp = _deferred(admin_user)
    client.force_login(admin_user)

    page = client.get(reverse("imports:detail", args=[imp.pk])).content.decode()

    assert "Waiting for a worker for 0\xa0minutes." in page
    assert "Run again" not in page and ">Cancel<" not in page


@pytest.mark.django_db
def test_a_job_waiting_past_the_stale_period_offers_run_again_and_cancel(client, admin_user):
    imp = _silent_for(_deferred(admin_user), minutes=7)
    client.force_login(admin_user)

    page = client.get(reverse("imports:detail", args=[imp.pk])).content.decode()

    assert "No worker has taken this job" in page
    assert "Waiting for a worker for 7\xa0minutes." in page
    assert "Run again" in page and ">Cancel<" in page


@pytest.mark.django_db
def test_a_worker_that_went_silent_is_told_apart_from_none_taking_the_job(client, admin_user):
    imp = _applying(admin_user)
    Import.objects.filter(pk=imp.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=6))
    client.force_login(admin_user)

    page = client.get(reverse("imports:detail", args=[imp.pk])).content.decode()

    assert "The worker has stopped reporting" in page
    assert "Last sign of the worker 6\xa0minutes ago." in page


@pytest.mark.django_db
def test_the_stale_period_is_a_setting(client, admin_user, settings):
    settings.CRM_IMPORT_STALE_SECONDS = 60
    imp = _silent_for(_deferred(admin_user), minutes=2)

    assert imp.is_stale


@pytest.mark.django_db
def test_the_api_and_the_progress_poll_show_the_same_state(client, admin_user):
    fresh = _deferred(admin_user)
    stale = _silent_for(_deferred(admin_user), minutes=7)
    client.force_login(admin_user)

    api_fresh = client.get(f"/api/v1/imports/{fresh.pk}/").json()
    api_stale = client.get(f"/api/v1/imports/{stale.pk}/").json()
    poll = client.get(reverse("imports:progress", args=[stale.pk])).json()

    assert (api_fresh["waiting"], api_fresh["stale"]) == (True, False)
    assert (api_stale["waiting"], api_stale["stale"]) == (True, True)
    assert api_stale["queued_at"] and api_stale["heartbeat_at"] is None
    assert (poll["waiting"], poll["stale"]) == (True, True)


# --- run again and cancel -----------------------------------------------------------------


@pytest.mark.django_db
def test_run_again_on_the_page_previews_a_job_no_worker_took(
    client, admin_user, django_capture_on_commit_callbacks
):
    imp = _silent_for(_deferred(admin_user), minutes=7)
    client.force_login(admin_user)

    # The tasks run eagerly in tests: the "worker" takes the new hand-over once committed.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:rerun", args=[imp.pk]))

    imp = Import.objects.get(pk=imp.pk)
    assert (imp.status, imp.counts["created"]) == (ImportStatus.PREVIEWED, 5)


# Committing for real: the API answers after the hand-over's commit, as in production.
@pytest.mark.django_db(transaction=True)
def test_run_again_through_the_api_applies_a_stale_apply(client, admin_user):
    imp = _silent_for(_applying_committed(admin_user), minutes=7)
    client.force_login(admin_user)

    response = client.post(f"/api/v1/imports/{imp.pk}/rerun/")

    assert (response.status_code, response.json()["status"]) == (200, "applied")
    assert Person.objects.count() == 5


@pytest.mark.django_db
def test_run_again_is_refused_while_the_worker_is_within_the_stale_period(admin_user):
    imp = _deferred(admin_user)

    with pytest.raises(DomainError, match="still at this import"):
        import_rerun(actor=admin_user, import_run=imp)


@pytest.mark.django_db
def test_a_second_run_again_finds_the_job_freshly_handed_out_and_is_refused(admin_user):
    imp = _silent_for(_deferred(admin_user), minutes=7)
    import_rerun(actor=admin_user, import_run=imp)

    with pytest.raises(DomainError):
        import_rerun(actor=admin_user, import_run=imp)


@pytest.mark.django_db
def test_run_again_through_the_api_answers_400_for_a_fresh_job(client, admin_user):
    imp = _deferred(admin_user)
    client.force_login(admin_user)

    assert client.post(f"/api/v1/imports/{imp.pk}/rerun/").status_code == 400


@pytest.mark.django_db
def test_cancelling_a_stale_preview_leaves_the_upload_to_be_previewed_again(client, admin_user):
    imp = _silent_for(_deferred(admin_user), minutes=7)
    client.force_login(admin_user)

    client.post(reverse("imports:cancel", args=[imp.pk]))

    imp = Import.objects.get(pk=imp.pk)
    page = client.get(reverse("imports:detail", args=[imp.pk])).content.decode()
    assert imp.status == ImportStatus.UPLOADED
    assert "Update preview" in page and "Apply import" not in page


@pytest.mark.django_db
def test_cancelling_a_stale_apply_returns_to_the_preview_with_nothing_written(client, admin_user):
    imp = _silent_for(_applying(admin_user), minutes=7)
    client.force_login(admin_user)

    response = client.post(f"/api/v1/imports/{imp.pk}/cancel/")

    assert response.json()["status"] == ImportStatus.PREVIEWED
    assert "nothing was written" in response.json()["error"]
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_cancelling_a_stale_revert_leaves_the_import_applied(admin_user):
    imp = import_apply(actor=admin_user, import_run=_deferred_previewed(admin_user))
    imp = _silent_for(import_revert(actor=admin_user, import_run=imp, defer=True), minutes=7)

    imp = import_cancel(actor=admin_user, import_run=imp)

    assert imp.status == ImportStatus.APPLIED
    assert Person.objects.count() == 5


def _deferred_previewed(admin) -> Import:
    return import_create(
        actor=admin, file_name="people.csv", content=csv_bytes(ROWS), kind="persons"
    )


@pytest.mark.django_db
def test_a_cancelled_job_is_not_taken_by_a_worker_that_turns_up_late(admin_user):
    imp = import_cancel(actor=admin_user, import_run=_silent_for(_applying(admin_user), 7))

    imp = import_run_queued(import_id=imp.pk)

    assert imp.status == ImportStatus.PREVIEWED
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_cancel_is_refused_while_the_worker_is_within_the_stale_period(admin_user):
    imp = _applying(admin_user)

    with pytest.raises(DomainError):
        import_cancel(actor=admin_user, import_run=imp)


# --- runs that overlap, for real ----------------------------------------------------------


class _EmailsLocked:
    """Holds SHARE on the e-mail table from a connection of its own: runs stop at their
    first e-mail insert, inside their write transaction, until released."""

    def __enter__(self):
        self.conn = connections.create_connection("default")
        self.conn.set_autocommit(False)
        with self.conn.cursor() as cursor:
            cursor.execute("LOCK TABLE contacts_personemail IN SHARE MODE")
        return self

    def release(self) -> None:
        if self.conn is not None:
            self.conn.rollback()
            self.conn.close()
            self.conn = None

    def __exit__(self, *exc):
        self.release()


def _in_thread(target, **kwargs) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = target(**kwargs)
        except Exception as exc:  # noqa: BLE001 - reported to the test
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _wait_for(condition) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _inside_write_transaction(imp: Import) -> bool:
    # Progress 50 is stored from the run's second connection once it has written the
    # organizations, in its transaction; the e-mails come right after the persons.
    return Import.objects.get(pk=imp.pk).progress >= 50


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs a second connection seeing the first's commits (PostgreSQL)")


@pytest.mark.django_db(transaction=True)
def test_a_run_cancelled_in_the_middle_rolls_back_everything_it_wrote(admin_user, postgresql):
    imp = _applying_committed(admin_user)
    with _EmailsLocked() as lock:
        thread, outcome = _in_thread(import_run_queued, import_id=imp.pk)
        _wait_for(lambda: _inside_write_transaction(imp))
        import_cancel(actor=admin_user, import_run=_silent_for(Import.objects.get(pk=imp.pk), 7))
        lock.release()
        thread.join(WAIT_S)

    assert "error" not in outcome
    assert Import.objects.get(pk=imp.pk).status == ImportStatus.PREVIEWED
    assert (Person.objects.count(), ImportRow.objects.count()) == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_a_second_run_of_an_apply_in_progress_leaves_it_to_the_first(admin_user, postgresql):
    imp = _applying_committed(admin_user)
    with _EmailsLocked() as lock:
        first, first_outcome = _in_thread(import_run_queued, import_id=imp.pk)
        _wait_for(lambda: _inside_write_transaction(imp))
        # A second delivery of the task (or "Run again" while the first worker lives).
        second, second_outcome = _in_thread(import_run_queued, import_id=imp.pk)
        second.join(WAIT_S)
        assert second_outcome["result"].status == ImportStatus.APPLYING
        lock.release()
        first.join(WAIT_S)

    assert first_outcome["result"].status == ImportStatus.APPLIED
    assert (Person.objects.count(), PersonEmail.objects.count()) == (5, 5)
    assert ImportRow.objects.filter(import_run=imp).count() == 5


@pytest.mark.django_db(transaction=True)
def test_two_runs_started_together_apply_once(admin_user, postgresql):
    imp = _applying_committed(admin_user)
    barrier = threading.Barrier(2)

    def run():
        barrier.wait()
        return import_run_queued(import_id=imp.pk)

    threads = [_in_thread(run) for _ in range(2)]
    for thread, _outcome in threads:
        thread.join(WAIT_S)

    assert [o.get("error") for _t, o in threads] == [None, None]
    assert Import.objects.get(pk=imp.pk).status == ImportStatus.APPLIED
    assert (Person.objects.count(), ImportRow.objects.count()) == (5, 5)
