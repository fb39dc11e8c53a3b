"""Large files: preview, apply and revert are left to the worker; the request returns at once.

The tests run the tasks eagerly (in-process, as the embedded mode does), once the
transaction that handed them over commits: a test's own transaction never does, so a job
handed over in a test stays waiting unless the test runs the hand-over's callbacks
(`django_capture_on_commit_callbacks(execute=True)`). test_worker.py runs them on a real
worker.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Person
from crm.errors import DomainError
from imports.models import Import, ImportStatus
from imports.previewing import import_preview_queued
from imports.reverting import import_revert_queued
from imports.services import import_apply, import_configure, import_create, import_revert
from imports.tests.helpers import csv_bytes

pytestmark = pytest.mark.django_db
ROWS = [["Name", "Email"]] + [[f"Person {i}", f"p{i}@example.com"] for i in range(5)]


@pytest.fixture(autouse=True)
def small_background_threshold(settings):
    settings.CRM_IMPORT_BACKGROUND_ROWS = 3


def _deferred(admin):
    return import_create(
        actor=admin, file_name="people.csv", content=csv_bytes(ROWS), kind="persons", defer=True
    )


def test_a_large_upload_is_only_marked_for_the_worker_to_preview(admin_user):
    imp = _deferred(admin_user)

    assert imp.status == ImportStatus.PREVIEWING
    assert (imp.row_count, imp.counts) == (5, {})


def test_a_small_upload_is_previewed_at_once_even_when_it_may_be_deferred(admin_user):
    imp = import_create(
        actor=admin_user,
        file_name="people.csv",
        content=csv_bytes(ROWS[:3]),
        kind="persons",
        defer=True,
    )

    assert imp.status == ImportStatus.PREVIEWED


def test_the_worker_half_of_a_deferred_preview_stores_the_preview(admin_user):
    imp = _deferred(admin_user)

    imp = import_preview_queued(import_id=imp.pk)

    assert imp.status == ImportStatus.PREVIEWED
    assert imp.counts["created"] == 5
    assert Person.objects.count() == 0


def test_an_import_being_previewed_cannot_be_applied(admin_user):
    imp = _deferred(admin_user)

    with pytest.raises(DomainError):
        import_apply(actor=admin_user, import_run=imp, defer=True)


def test_an_import_being_previewed_cannot_be_changed(admin_user):
    imp = _deferred(admin_user)

    with pytest.raises(DomainError):
        import_configure(actor=admin_user, import_run=imp, options={"duplicates": "skip"})


def test_a_changed_mapping_of_a_large_file_is_previewed_by_the_worker(admin_user):
    imp = import_preview_queued(import_id=_deferred(admin_user).pk)

    imp = import_configure(
        actor=admin_user, import_run=imp, mapping={"Name": "name", "Email": ""}, defer=True
    )

    assert imp.status == ImportStatus.PREVIEWING
    assert Import.objects.get(pk=imp.pk).mapping == {"Name": "name", "Email": ""}


def test_a_revert_marked_for_the_worker_is_done_by_its_half(admin_user):
    imp = import_apply(
        actor=admin_user, import_run=import_preview_queued(import_id=_deferred(admin_user).pk)
    )

    imp = import_revert(actor=admin_user, import_run=imp, defer=True)
    assert imp.status == ImportStatus.REVERTING
    imp = import_revert_queued(import_id=imp.pk)

    assert imp.status == ImportStatus.REVERTED
    assert Person.objects.count() == 0


def test_a_revert_cannot_be_queued_twice(admin_user):
    imp = import_apply(
        actor=admin_user, import_run=import_preview_queued(import_id=_deferred(admin_user).pk)
    )
    import_revert(actor=admin_user, import_run=imp, defer=True)

    with pytest.raises(DomainError):
        import_revert(actor=admin_user, import_run=imp, defer=True)


def test_the_progress_of_an_import_being_previewed_says_it_is_busy(client, admin_user):
    imp = _deferred(admin_user)
    client.force_login(admin_user)

    data = client.get(reverse("imports:progress", args=[imp.pk])).json()

    assert (data["status"], data["busy"]) == ("previewing", True)


def test_the_page_of_an_import_being_previewed_shows_a_progress_bar(client, admin_user):
    imp = _deferred(admin_user)
    client.force_login(admin_user)

    page = client.get(reverse("imports:detail", args=[imp.pk])).content.decode()

    assert 'id="import-progress-box" hidden' not in page
    assert "Preview in progress" in page
    assert "Apply import" not in page


def test_uploading_a_large_file_leads_to_its_page_and_the_worker_previews_it(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("imports:new"),
            {
                "file": SimpleUploadedFile("people.csv", csv_bytes(ROWS)),
                "kind": "persons",
                "date_format": "iso",
                "decimal_separator": ".",
                "duplicates": "merge",
                "on_error": "all_or_nothing",
            },
        )

    imp = Import.objects.get()
    assert response.url == reverse("imports:detail", args=[imp.pk])
    # Committed, and the tasks run eagerly here: the "worker" has previewed it by now.
    assert (imp.status, imp.counts["created"]) == (ImportStatus.PREVIEWED, 5)


def test_reverting_a_large_import_through_the_page_runs_on_the_worker(
    client, admin_user, django_capture_on_commit_callbacks
):
    imp = import_apply(
        actor=admin_user, import_run=import_preview_queued(import_id=_deferred(admin_user).pk)
    )
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True) as handed_over:
        client.post(reverse("imports:revert", args=[imp.pk]))

    assert len(handed_over) == 1

    assert Import.objects.get(pk=imp.pk).status == ImportStatus.REVERTED
    assert Person.objects.count() == 0
