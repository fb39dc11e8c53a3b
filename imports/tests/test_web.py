import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from contacts.models import Person
from contacts.services import person_create
from imports.models import Import, ImportStatus
from imports.tests.helpers import csv_bytes

pytestmark = pytest.mark.django_db
PEOPLE = csv_bytes([["Person - Name", "Person - Email"], ["Ann Lee", "ann@example.com"]])


def test_reps_do_not_find_the_import_pages(client, owner):
    client.force_login(owner)

    assert client.get(reverse("imports:list")).status_code == 404
    assert client.get(reverse("imports:new")).status_code == 404


def test_a_user_allowed_by_an_admin_may_import(client, owner):
    from django.contrib.auth.models import Permission

    owner.user_permissions.add(Permission.objects.get(codename="run_import"))
    client.force_login(owner)

    assert client.get(reverse("imports:new")).status_code == 200


def test_upload_maps_other_crms_headings_and_shows_the_preview(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("imports:new"),
        {
            "file": SimpleUploadedFile("people.csv", PEOPLE),
            "kind": "persons",
            "date_format": "iso",
            "decimal_separator": ".",
            "duplicates": "merge",
            "on_error": "all_or_nothing",
        },
    )

    imp = Import.objects.get()
    assert response.status_code == 302
    assert imp.mapping == {"Person - Name": "name", "Person - Email": "email"}
    page = client.get(reverse("imports:detail", args=[imp.pk])).content.decode()
    assert "Apply import" in page


def test_a_bad_file_gets_a_message_not_an_error_page(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("imports:new"),
        {
            "file": SimpleUploadedFile("people.txt", b"x"),
            "kind": "persons",
            "date_format": "iso",
            "decimal_separator": ".",
            "duplicates": "merge",
            "on_error": "all_or_nothing",
        },
    )

    assert response.status_code == 200
    assert "Upload a CSV, XLS or XLSX file." in response.content.decode()
    assert not Import.objects.exists()


def test_api_creates_applies_and_reverts_an_import(client, admin_user):
    client.force_login(admin_user)

    created = client.post(
        "/api/v1/imports/", {"file": SimpleUploadedFile("people.csv", PEOPLE), "kind": "persons"}
    )
    pk = created.json()["id"]
    applied = client.post(f"/api/v1/imports/{pk}/apply/")
    assert (applied.json()["status"], Person.objects.count()) == ("applied", 1)
    reverted = client.post(f"/api/v1/imports/{pk}/revert/")

    assert created.status_code == 201 and created.json()["preview"]["counts"]["created"] == 1
    assert (reverted.json()["status"], Person.objects.count()) == ("reverted", 0)


def test_api_refuses_a_bad_file_with_400(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        "/api/v1/imports/", {"file": SimpleUploadedFile("people.csv", b""), "kind": "persons"}
    )

    assert response.status_code == 400


def test_export_contains_only_what_the_user_sees(client, owner, outsider):
    person_create(actor=owner, name="Mine", visible_to="owner")
    person_create(actor=outsider, name="Hidden", visible_to="owner")
    client.force_login(owner)

    body = client.get(reverse("imports:export", args=["people", "csv"])).content.decode()

    assert "Mine" in body and "Hidden" not in body


def test_export_neutralizes_formulas_in_xlsx(client, owner):
    person_create(actor=owner, name='=HYPERLINK("http://evil")', job_title="+1")
    client.force_login(owner)

    response = client.get(reverse("imports:export", args=["people", "xlsx"]))

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == '\'=HYPERLINK("http://evil")'
    assert sheet["E2"].value == "'+1"


def test_export_follows_the_owner_filter(client, owner, teammate):
    person_create(actor=owner, name="Mine", visible_to="team")
    person_create(actor=teammate, name="Theirs", visible_to="team")
    client.force_login(owner)

    body = client.get(reverse("imports:export", args=["people", "csv"]) + "?owner=mine")

    assert "Mine" in body.content.decode() and "Theirs" not in body.content.decode()


def test_progress_endpoint_reports_status(client, admin_user):
    client.force_login(admin_user)
    client.post(
        "/api/v1/imports/", {"file": SimpleUploadedFile("p.csv", PEOPLE), "kind": "persons"}
    )
    imp = Import.objects.get()

    data = client.get(reverse("imports:progress", args=[imp.pk])).json()

    assert data["status"] == ImportStatus.PREVIEWED
