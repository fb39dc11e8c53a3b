"""Large XLSX files: the upload request checks them and reads their heading row only; the
worker reads the rows, and what it finds wrong fails the import with a clear message."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Person
from crm.errors import DomainError
from imports.models import Import, ImportStatus
from imports.parsing import BadFile, read_head, read_table
from imports.previewing import import_preview_queued
from imports.services import import_apply, import_configure, import_create
from imports.tests.helpers import excel_style_xlsx, xlsx_bytes

HEADINGS = ["Full name", "E-mail", "Organization"]


def _people(n: int) -> list[list[str]]:
    return [HEADINGS] + [[f"Person {i}", f"p{i}@example.com", "Acme"] for i in range(n)]


def _broken_below_the_headings(content: bytes) -> bytes:
    """The workbook with its sheet cut off in the middle of the last row."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: data.rindex(b"<row ")] + b'<row r="9"><c r="A9" t="s"><v>1'
            archive.writestr(item, data)
    return out.getvalue()


@pytest.fixture
def thresholds(settings):
    settings.CRM_IMPORT_BACKGROUND_ROWS = 100
    settings.CRM_IMPORT_BACKGROUND_BYTES = 10 * 1024 * 1024


def _upload(admin, content: bytes, name: str = "people.xlsx") -> Import:
    return import_create(actor=admin, file_name=name, content=content, kind="persons", defer=True)


# --- reading the head ---------------------------------------------------------------------


def test_the_head_of_an_excel_workbook_is_its_active_sheets_headings_and_declared_rows():
    content = excel_style_xlsx([[["Other"], ["x"]], _people(3)], active=1)

    head = read_head(name="people.xlsx", content=content)

    assert (head.headers, head.rows, head.table) == (HEADINGS, 3, None)
    assert read_table(name="people.xlsx", content=content).headers == head.headers


def test_the_head_of_an_openpyxl_workbook_matches_what_reading_it_whole_finds():
    content = xlsx_bytes([["Name", None, "Value"], ["Ann", "x", 12.5]])

    head = read_head(name="people.xlsx", content=content)

    assert (head.headers, head.rows) == (["Name", "", "Value"], 1)
    assert read_table(name="people.xlsx", content=content).headers == head.headers


def test_headings_written_as_numbers_are_read_as_reading_the_workbook_whole_reads_them():
    content = xlsx_bytes([["Name", 2024], ["Ann", 1]])

    assert read_head(name="p.xlsx", content=content).headers == ["Name", "2024"]


def test_the_head_does_not_read_the_rows_below_the_headings():
    content = _broken_below_the_headings(excel_style_xlsx([_people(300)]))

    assert read_head(name="people.xlsx", content=content).headers == HEADINGS
    with pytest.raises(BadFile, match="cannot be read"):
        read_table(name="people.xlsx", content=content)


def test_a_workbook_without_a_heading_row_is_refused_by_its_head():
    content = excel_style_xlsx([[["", ""], ["Ann", "x"]]])

    with pytest.raises(BadFile, match="first row must name the columns"):
        read_head(name="people.xlsx", content=content)


def test_duplicate_headings_are_refused_by_the_head():
    content = excel_style_xlsx([[["Name", "Email", "name"], ["Ann", "a@b.c", "x"]]])

    with pytest.raises(BadFile, match="appears twice"):
        read_head(name="people.xlsx", content=content)


def test_a_workbook_declaring_more_rows_than_allowed_is_refused_by_its_head(settings):
    settings.CRM_IMPORT_MAX_ROWS = 50

    with pytest.raises(BadFile, match="more than 50 rows"):
        read_head(name="people.xlsx", content=excel_style_xlsx([_people(60)]))


def test_a_zip_bomb_is_refused_by_the_head_before_any_parsing():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<a>" + " " * 50_000_000 + "</a>")

    with pytest.raises(BadFile, match="unreasonable size"):
        read_head(name="bomb.xlsx", content=out.getvalue())


def test_an_xml_bomb_is_refused_by_the_head():
    entities = "".join(f'<!ENTITY e{i} "&e{i - 1};&e{i - 1};">' for i in range(1, 20))
    bomb = f'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY e0 "lol">{entities}]><l>&e19;</l>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", bomb)
        archive.writestr("xl/workbook.xml", bomb)

    with pytest.raises(BadFile, match="cannot be read"):
        read_head(name="bomb.xlsx", content=out.getvalue())


def test_a_csv_head_is_the_whole_table():
    head = read_head(name="people.csv", content=b"Name\nAnn\nBob\n")

    assert (head.headers, head.rows, head.table.rows) == (["Name"], 2, [["Ann"], ["Bob"]])


# --- the upload and the worker ------------------------------------------------------------


@pytest.mark.django_db
def test_a_large_workbook_is_stored_with_its_headings_and_left_to_the_worker(
    admin_user, thresholds
):
    imp = _upload(admin_user, excel_style_xlsx([_people(300)]))

    assert imp.status == ImportStatus.PREVIEWING
    assert (imp.preview["headers"], imp.row_count, imp.counts) == (HEADINGS, 300, {})
    assert imp.mapping == {
        "Full name": "name",
        "E-mail": "email",
        "Organization": "organization_name",
    }

    imp = import_preview_queued(import_id=imp.pk)

    assert (imp.status, imp.counts["created"]) == (ImportStatus.PREVIEWED, 300)


@pytest.mark.django_db
def test_a_small_workbook_is_still_previewed_in_the_request(admin_user, thresholds):
    imp = _upload(admin_user, excel_style_xlsx([_people(20)]))

    assert (imp.status, imp.counts["created"]) == (ImportStatus.PREVIEWED, 20)


@pytest.mark.django_db
def test_a_workbook_that_does_not_declare_its_rows_is_left_to_the_worker_by_its_size(
    admin_user, thresholds, settings
):
    content = excel_style_xlsx([_people(20)], dimension=False)
    settings.CRM_IMPORT_BACKGROUND_BYTES = len(content) - 1

    imp = _upload(admin_user, content)
    assert (imp.status, imp.row_count) == (ImportStatus.PREVIEWING, 0)
    imp = import_preview_queued(import_id=imp.pk)

    assert (imp.status, imp.row_count) == (ImportStatus.PREVIEWED, 20)


@pytest.mark.django_db
def test_a_workbook_the_worker_cannot_read_fails_with_the_reason_and_writes_nothing(
    admin_user, thresholds
):
    imp = _upload(admin_user, _broken_below_the_headings(excel_style_xlsx([_people(300)])))
    assert imp.status == ImportStatus.PREVIEWING

    imp = import_preview_queued(import_id=imp.pk)

    assert (imp.status, imp.error) == (ImportStatus.FAILED, "This XLSX workbook cannot be read.")
    assert Person.objects.count() == 0
    with pytest.raises(DomainError, match="cannot be read"):
        import_apply(actor=admin_user, import_run=imp, defer=True)
    with pytest.raises(DomainError, match="cannot be read"):
        import_configure(actor=admin_user, import_run=imp, options={"duplicates": "skip"})


@pytest.mark.django_db
def test_too_many_rows_found_by_the_worker_fail_the_import_with_that_message(
    admin_user, thresholds, settings
):
    settings.CRM_IMPORT_MAX_ROWS = 150
    content = excel_style_xlsx([_people(200)], dimension=False)
    settings.CRM_IMPORT_BACKGROUND_BYTES = len(content) - 1

    imp = import_preview_queued(import_id=_upload(admin_user, content).pk)

    assert imp.status == ImportStatus.FAILED
    assert imp.error == "The file has more than 150 rows; split it into smaller files."


@pytest.mark.django_db
def test_uploading_a_large_broken_workbook_on_the_page_shows_the_reason(
    client, admin_user, thresholds, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    content = _broken_below_the_headings(excel_style_xlsx([_people(300)]))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("imports:new"),
            {
                "file": SimpleUploadedFile("people.xlsx", content),
                "kind": "persons",
                "date_format": "iso",
                "decimal_separator": ".",
                "duplicates": "merge",
                "on_error": "all_or_nothing",
            },
        )
    response = client.get(response.url)

    # Committed, and the tasks run eagerly here: the "worker" has tried to read it by now.
    page = response.content.decode()
    assert response.status_code == 200
    assert "This XLSX workbook cannot be read." in page
    assert "Apply import" not in page and "Update preview" not in page
    assert Import.objects.get().status == ImportStatus.FAILED


# Committing for real: the API's answer comes after the hand-over's commit, as in production.
@pytest.mark.django_db(transaction=True)
def test_uploading_a_large_broken_workbook_through_the_api_reports_the_failure(
    client, admin_user, thresholds
):
    client.force_login(admin_user)
    content = _broken_below_the_headings(excel_style_xlsx([_people(300)]))

    response = client.post(
        "/api/v1/imports/",
        {"file": SimpleUploadedFile("people.xlsx", content), "kind": "persons"},
    )

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["error"]) == (
        "failed",
        "This XLSX workbook cannot be read.",
    )
    assert client.post(f"/api/v1/imports/{response.json()['id']}/apply/").status_code == 400
