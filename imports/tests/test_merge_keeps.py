"""An import's "merge into the existing record" loses nothing of the file's row: blanks of the
existing record are filled, e-mails and phones are added once, the primary stays."""

import pytest

from contacts.models import Organization, Person
from contacts.services import organization_create, person_create
from imports.services import import_apply, import_create
from imports.tests.helpers import csv_bytes

pytestmark = pytest.mark.django_db


def _apply(admin, rows, kind):
    imp = import_create(
        actor=admin,
        file_name="file.csv",
        content=csv_bytes(rows),
        kind=kind,
        options={"duplicates": "merge"},
    )
    return import_apply(actor=admin, import_run=imp)


def test_a_merged_organization_row_fills_the_existing_organizations_blank_website(admin_user):
    existing = organization_create(actor=admin_user, name="Nordwind Logistik")

    _apply(
        admin_user,
        [["Name", "Website", "Address"], ["Nordwind Logistik", "nordwind.de", "Hamburg"]],
        "organizations",
    )

    existing.refresh_from_db()
    assert Organization.objects.count() == 1
    assert (existing.website, existing.domain, existing.address) == (
        "nordwind.de",
        "nordwind.de",
        "Hamburg",
    )


def test_a_merged_person_row_adds_its_emails_and_phones_once_and_keeps_the_primary(admin_user):
    existing = person_create(
        actor=admin_user, name="Anna Weber", emails=["anna@nordwind.de"], phones=["+49 40 111"]
    )

    _apply(
        admin_user,
        [
            ["Name", "Email", "Phone", "Job title"],
            ["Anna Weber", "ANNA@nordwind.de", "+49 40 222", "Head of fleet"],
        ],
        "persons",
    )

    existing.refresh_from_db()
    assert Person.objects.count() == 1
    assert list(existing.emails.values_list("key", flat=True)) == ["anna@nordwind.de"]
    assert list(existing.phones.values_list("key", flat=True)) == ["+4940111", "+4940222"]
    assert existing.job_title == "Head of fleet"
