from decimal import Decimal

import pytest

from contacts.models import Organization, Person
from contacts.services import person_create, person_update
from deals.models import Deal, DealStatus
from imports.models import ImportStatus, RowAction
from imports.services import import_apply, import_create, import_revert
from imports.tests.helpers import csv_bytes
from leads.models import Lead

pytestmark = pytest.mark.django_db


def _import(admin, rows, kind="persons", **options):
    return import_create(
        actor=admin, file_name="file.csv", content=csv_bytes(rows), kind=kind, options=options
    )


def test_preview_counts_rows_and_writes_nothing(admin_user):
    imp = _import(
        admin_user,
        [["Name", "Email"], ["Ann Lee", "ann@example.com"], ["Bob Ray", "bob@example.com"]],
    )

    assert imp.status == ImportStatus.PREVIEWED
    assert imp.counts["created"] == 2
    assert Person.objects.count() == 0


def test_apply_creates_persons_with_normalized_keys_and_owner(admin_user, owner):
    imp = _import(
        admin_user,
        [["Name", "Email", "Phone"], ["Ann Lee", "Ann@Example.com", "030 1234567"]],
        owner=owner.pk,
        visible_to="company",
    )

    imp = import_apply(actor=admin_user, import_run=imp)

    assert imp.status == ImportStatus.APPLIED
    person = Person.objects.get()
    assert (person.name_key, person.owner, person.visible_to) == ("ann lee", owner, "company")
    assert person.emails.get().key == "ann@example.com"
    assert person.phones.get().key == "+49301234567"


def test_one_bad_row_writes_nothing_by_default(admin_user):
    imp = _import(
        admin_user,
        [["Name", "Email"], ["Ann Lee", "ann@example.com"], ["Bob Ray", "not-an-address"]],
    )

    imp = import_apply(actor=admin_user, import_run=imp)

    assert imp.status == ImportStatus.FAILED
    assert Person.objects.count() == 0
    assert imp.preview["errors"] == [
        {"row": 3, "column": "Email", "message": "“not-an-address” is not an e-mail address."}
    ]


def test_skip_bad_rows_imports_the_rest(admin_user):
    imp = _import(
        admin_user,
        [["Name", "Email"], ["Ann Lee", "ann@example.com"], ["Bob Ray", "not-an-address"]],
        on_error="skip_bad_rows",
    )

    imp = import_apply(actor=admin_user, import_run=imp)

    assert imp.status == ImportStatus.APPLIED
    assert list(Person.objects.values_list("name", flat=True)) == ["Ann Lee"]
    assert imp.rows.get(number=3).action == RowAction.FAILED


@pytest.mark.parametrize(
    ("choice", "persons", "action"),
    [
        ("merge", 1, RowAction.UPDATED),
        ("skip", 1, RowAction.SKIPPED),
        ("create", 2, RowAction.CREATED),
    ],
)
def test_duplicate_choice_decides_what_a_matching_row_does(admin_user, choice, persons, action):
    person_create(actor=admin_user, name="Ann Lee", emails=["ann@example.com"])
    imp = _import(
        admin_user,
        [["Name", "Email", "Job title"], ["Ann L.", "ANN@example.com", "CTO"]],
        duplicates=choice,
    )

    imp = import_apply(actor=admin_user, import_run=imp)

    assert Person.objects.count() == persons
    assert imp.rows.get().action == action
    assert imp.preview["duplicates"][0]["reason"] == "same e-mail"


def test_revert_removes_created_and_restores_updated_records(admin_user):
    existing = person_create(
        actor=admin_user, name="Ann Lee", emails=["ann@example.com"], job_title="Dev"
    )
    imp = _import(
        admin_user,
        [
            ["Name", "Email", "Job title"],
            ["Ann Lee", "ann@example.com", "CTO"],
            ["Bob Ray", "bob@example.com", ""],
        ],
    )
    imp = import_apply(actor=admin_user, import_run=imp)

    imp = import_revert(actor=admin_user, import_run=imp)

    existing.refresh_from_db()
    assert imp.status == ImportStatus.REVERTED
    assert list(Person.objects.values_list("name", "job_title")) == [("Ann Lee", "Dev")]


def test_revert_leaves_a_record_edited_after_the_import_and_lists_it(admin_user):
    existing = person_create(
        actor=admin_user, name="Ann Lee", emails=["ann@example.com"], job_title="Dev"
    )
    imp = _import(
        admin_user, [["Name", "Email", "Job title"], ["Ann Lee", "ann@example.com", "CTO"]]
    )
    imp = import_apply(actor=admin_user, import_run=imp)
    Person.objects.filter(pk=existing.pk).update(job_title="CEO")

    imp = import_revert(actor=admin_user, import_run=imp)

    assert Person.objects.get().job_title == "CEO"
    assert imp.revert_report["kept"][0]["name"] == "Ann Lee"


def test_deals_map_by_other_crms_headings_and_link_contacts(admin_user, pipeline, owner):
    stage = pipeline.stages.order_by("order")[1]
    imp = _import(
        admin_user,
        [
            [
                "Deal - Title",
                "Deal - Value",
                "Deal - Stage",
                "Person - Name",
                "Person - Email",
                "Organization - Name",
                "Deal - Owner",
            ],
            ["Big deal", "1200.50", stage.name, "Ann Lee", "ann@example.com", "Acme", "owner"],
            ["Won deal", "10", "Won", "Ann Lee", "ann@example.com", "Acme GmbH", ""],
        ],
        kind="deals",
    )

    imp = import_apply(actor=admin_user, import_run=imp)

    assert imp.status == ImportStatus.APPLIED, imp.error
    big, won = Deal.objects.order_by("title")
    assert (big.value, big.stage, big.owner, big.source) == (
        Decimal("1200.50"),
        stage,
        owner,
        "import",
    )
    assert won.status == DealStatus.WON and won.won_at is not None
    assert Person.objects.count() == 1 and Organization.objects.count() == 1


def test_leads_import_with_source_import_and_comma_decimals(admin_user):
    content = csv_bytes(
        [["Title", "Value", "Organization"], ["Lead", "1.234,5", "Acme"]], delimiter=";"
    )
    imp = import_create(
        actor=admin_user,
        file_name="leads.csv",
        content=content,
        kind="leads",
        options={"decimal_separator": ","},
    )

    import_apply(actor=admin_user, import_run=imp)

    lead = Lead.objects.get()
    assert (lead.value, lead.source, lead.organization.name) == (
        Decimal("1234.50"),
        "import",
        "Acme",
    )


def test_revert_keeps_a_created_record_edited_after_the_import(admin_user):
    imp = _import(admin_user, [["Name"], ["Ann Lee"], ["Bob Ray"]])
    imp = import_apply(actor=admin_user, import_run=imp)
    person_update(actor=admin_user, person=Person.objects.get(name="Bob Ray"), job_title="CTO")

    imp = import_revert(actor=admin_user, import_run=imp)

    assert list(Person.objects.values_list("name", flat=True)) == ["Bob Ray"]
    assert imp.revert_report["kept"][0]["reason"] == "changed since the import"


def test_rows_without_person_or_organization_fail_unless_a_placeholder_is_chosen(
    admin_user, pipeline
):
    rows = [["Title", "Organization"], ["With org", "Acme"], ["Orphan", ""]]

    refused = _import(admin_user, rows, kind="deals")
    placed = _import(admin_user, rows, kind="deals", placeholder_organization="(none)")

    assert refused.preview["errors"][0]["row"] == 3
    assert placed.counts["failed"] == 0
