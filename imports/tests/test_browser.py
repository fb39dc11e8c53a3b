"""Upload → mapping → preview → apply → history → revert, in a real browser."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from contacts.models import Person
from imports.models import Import, ImportStatus
from imports.tests.helpers import csv_bytes, handed_over_to_no_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_uploads_previews_applies_and_reverts(page, login, live_server, admin_user, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(
        csv_bytes(
            [["Person - Name", "Contact e-mail", "Notes"], ["Ann Lee", "ann@example.com", "x"]]
        )
    )
    login(page, admin_user, live_server)

    page.goto(live_server.url + reverse("imports:new"))
    page.get_by_label("File (CSV, XLS or XLSX)").set_input_files(str(path))
    page.get_by_label("The rows are").select_option("persons")
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_label("Notes").select_option("job_title")
    page.get_by_role("button", name="Update preview").click()
    page.get_by_role("button", name="Apply import").click()

    expect(page.locator("#import-status")).to_have_text("Applied")
    assert Person.objects.get().job_title == "x"
    page.goto(live_server.url + reverse("imports:list"))
    page.get_by_role("link", name="people.csv").click()
    page.get_by_role("button", name="Revert import").click()
    expect(page.locator("#import-status")).to_have_text("Reverted")
    assert not Person.objects.exists()


def test_progress_bar_follows_a_background_import(page, login, live_server, admin_user):
    from imports.services import import_create

    imp = import_create(
        actor=admin_user, file_name="p.csv", kind="persons", content=csv_bytes([["Name"], ["Ann"]])
    )
    Import.objects.filter(pk=imp.pk).update(status=ImportStatus.APPLYING, progress=40)
    login(page, admin_user, live_server)

    page.goto(live_server.url + reverse("imports:detail", args=[imp.pk]))
    expect(page.get_by_label("Progress")).to_have_attribute("value", "40")
    Import.objects.filter(pk=imp.pk).update(progress=70)
    page.wait_for_function("() => document.getElementById('import-progress').value === 70")
    Import.objects.filter(pk=imp.pk).update(status=ImportStatus.APPLIED, progress=100)

    page.wait_for_function(
        "() => document.getElementById('import-status').textContent.trim() === 'Applied'"
    )


def test_a_job_no_worker_takes_turns_stale_and_is_run_again(
    page, login, live_server, admin_user, settings
):
    from imports.services import import_create

    settings.CRM_IMPORT_BACKGROUND_ROWS = 1
    settings.CRM_IMPORT_STALE_SECONDS = 2
    imp = import_create(
        actor=admin_user,
        file_name="p.csv",
        kind="persons",
        content=csv_bytes([["Name"], ["Ann"], ["Bob"]]),
    )
    # Its preview handed to the worker, and no worker will take it.
    imp = handed_over_to_no_worker(imp, ImportStatus.PREVIEWING, counts={})
    login(page, admin_user, live_server)

    page.goto(live_server.url + reverse("imports:detail", args=[imp.pk]))
    expect(page.locator("#import-worker-state")).to_contain_text("Waiting for a worker")
    # The page polls; once the job is stale (after 2 s here) it shows the way out.
    page.get_by_role("button", name="Run again").click()

    # The tasks run in-process here: running it again previews it at once.
    page.wait_for_function(
        "() => document.getElementById('import-status').textContent.trim() === 'Previewed'"
    )
    expect(page.get_by_role("button", name="Apply import")).to_be_visible()
    assert Import.objects.get(pk=imp.pk).counts["created"] == 2
