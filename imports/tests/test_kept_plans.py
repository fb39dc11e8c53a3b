"""The apply writes the preview's plan when nothing it depends on changed, and plans the file
again when anything did: it never writes a plan the database no longer supports."""

import pytest
from django.contrib.auth.models import Permission

from contacts.models import Person
from contacts.services import person_create, person_delete, person_update
from crm.models import Visibility
from deals.models import Deal
from imports.models import ImportStatus, RowAction, SavedPlan
from imports.previewing import import_preview_queued
from imports.services import import_apply, import_create
from imports.tests.helpers import csv_bytes

pytestmark = pytest.mark.django_db
ANN = [["Name", "Email", "Job title"], ["Ann Lee", "ann@example.com", "CTO"]]


def _import(actor, rows, kind="persons", **options):
    return import_create(
        actor=actor, file_name="file.csv", content=csv_bytes(rows), kind=kind, options=options
    )


def test_an_apply_right_after_its_preview_writes_the_previews_plan(admin_user):
    imp = _import(admin_user, ANN)
    assert SavedPlan.objects.filter(import_run=imp).exists()

    imp = import_apply(actor=admin_user, import_run=imp)

    assert (imp.status, imp.preview["plan_reused"]) == (ImportStatus.APPLIED, True)
    person = Person.objects.get()
    assert (person.name, person.job_title, person.emails.get().key) == (
        "Ann Lee",
        "CTO",
        "ann@example.com",
    )
    assert not SavedPlan.objects.exists()


def test_the_workers_preview_keeps_its_plan_for_the_apply(admin_user, settings):
    settings.CRM_IMPORT_BACKGROUND_ROWS = 1
    rows = ANN + [["Bob Ray", "bob@example.com", ""]]
    imp = import_create(
        actor=admin_user, file_name="f.csv", content=csv_bytes(rows), kind="persons", defer=True
    )

    imp = import_apply(actor=admin_user, import_run=import_preview_queued(import_id=imp.pk))

    assert (imp.preview["plan_reused"], Person.objects.count()) == (True, 2)


def test_a_person_added_since_the_preview_with_the_same_email_is_merged_not_duplicated(
    admin_user,
):
    imp = _import(admin_user, ANN)
    existing = person_create(actor=admin_user, name="Ann Lee", emails=["ann@example.com"])

    imp = import_apply(actor=admin_user, import_run=imp)

    assert imp.preview["plan_reused"] is False
    assert list(Person.objects.values_list("pk", flat=True)) == [existing.pk]
    assert (imp.counts[RowAction.UPDATED], Person.objects.get().job_title) == (1, "CTO")


def test_a_matched_person_deleted_since_the_preview_is_created_rather_than_lost(admin_user):
    existing = person_create(actor=admin_user, name="Ann Lee", emails=["ann@example.com"])
    imp = _import(admin_user, ANN)
    assert imp.counts[RowAction.UPDATED] == 1
    person_delete(actor=admin_user, person=existing)

    imp = import_apply(actor=admin_user, import_run=imp)

    assert imp.preview["plan_reused"] is False
    assert (imp.counts[RowAction.CREATED], Person.objects.count()) == (1, 1)


def test_a_person_hidden_from_the_importer_since_the_preview_is_left_alone(owner, teammate):
    owner.user_permissions.add(Permission.objects.get(codename="run_import"))
    owner = type(owner).objects.get(pk=owner.pk)  # a fresh permission cache
    theirs = person_create(
        actor=teammate, name="Ann Lee", emails=["ann@example.com"], visible_to=Visibility.TEAM
    )
    imp = _import(owner, ANN)
    assert imp.counts[RowAction.UPDATED] == 1
    person_update(actor=teammate, person=theirs, visible_to=Visibility.OWNER)

    imp = import_apply(actor=owner, import_run=imp)

    assert imp.preview["plan_reused"] is False
    theirs.refresh_from_db()
    assert theirs.job_title == ""
    assert Person.objects.count() == 2


def test_a_stage_renamed_since_the_preview_is_not_written(admin_user, pipeline):
    stage = pipeline.stages.order_by("order")[1]
    rows = [["Deal - Title", "Organization - Name", "Stage"], ["Big", "Acme", stage.name]]
    imp = _import(admin_user, rows, kind="deals", pipeline=pipeline.pk)
    stage.name = "Renamed"
    stage.save()

    imp = import_apply(actor=admin_user, import_run=imp)

    assert imp.preview["plan_reused"] is False
    assert (imp.status, Deal.objects.count()) == (ImportStatus.FAILED, 0)


def test_a_plan_altered_in_the_database_is_not_used(admin_user):
    imp = _import(admin_user, ANN)
    saved = SavedPlan.objects.get(import_run=imp)
    saved.data = bytes(saved.data)[:-1] + bytes([bytes(saved.data)[-1] ^ 1])
    saved.save()

    imp = import_apply(actor=admin_user, import_run=imp)

    assert (imp.preview["plan_reused"], Person.objects.count()) == (False, 1)


def test_a_plan_made_under_another_default_country_is_not_used(admin_user, settings):
    rows = [["Name", "Phone"], ["Ann Lee", "030 1234567"]]
    settings.CRM_DEFAULT_COUNTRY = "DE"
    imp = _import(admin_user, rows)
    settings.CRM_DEFAULT_COUNTRY = "AT"

    imp = import_apply(actor=admin_user, import_run=imp)

    assert imp.preview["plan_reused"] is False
    assert Person.objects.get().phones.get().key == "+43301234567"
