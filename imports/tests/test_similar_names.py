"""Duplicates in the preview by similar names (pg_trgm on PostgreSQL, equal names on SQLite)."""

import pytest
from django.db import connection

from contacts.models import Person
from contacts.services import organization_create, person_create
from crm.models import Visibility
from imports.models import RowAction
from imports.services import import_apply, import_create
from imports.tests.helpers import csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("similar names are looked up with pg_trgm, which SQLite lacks")


def _import(actor, rows, kind="persons", **options):
    return import_create(
        actor=actor, file_name="file.csv", content=csv_bytes(rows), kind=kind, options=options
    )


def test_a_row_without_email_finds_a_person_with_a_similar_name(admin_user, postgresql):
    existing = person_create(actor=admin_user, name="Christopher Jackson")

    imp = _import(admin_user, [["Name"], ["Christopher Jakson"]])

    [duplicate] = imp.preview["duplicates"]
    assert (duplicate["id"], duplicate["name"]) == (existing.pk, "Christopher Jackson")
    assert "similar" in duplicate["reason"]


def test_a_similar_name_merges_when_the_admin_chose_merge(admin_user, postgresql):
    existing = person_create(actor=admin_user, name="Christopher Jackson")
    imp = _import(admin_user, [["Name", "Job title"], ["Christopher Jakson", "CTO"]])

    import_apply(actor=admin_user, import_run=imp)

    assert Person.objects.get().pk == existing.pk
    assert Person.objects.get().job_title == "CTO"


def test_a_similar_name_is_skipped_when_the_admin_chose_skip(admin_user, postgresql):
    person_create(actor=admin_user, name="Christopher Jackson")

    imp = _import(admin_user, [["Name"], ["Christopher Jakson"]], duplicates="skip")

    assert imp.counts[RowAction.SKIPPED] == 1


def test_a_similar_name_is_created_anyway_when_the_admin_chose_create(admin_user, postgresql):
    person_create(actor=admin_user, name="Christopher Jackson")
    imp = _import(admin_user, [["Name"], ["Christopher Jakson"]], duplicates="create")

    import_apply(actor=admin_user, import_run=imp)

    assert Person.objects.count() == 2


def test_a_row_whose_email_matches_nobody_is_not_merged_into_a_namesake(admin_user, postgresql):
    person_create(actor=admin_user, name="Christopher Jackson", emails=["cj@old.example"])

    imp = _import(admin_user, [["Name", "Email"], ["Christopher Jakson", "chris@new.example"]])

    assert imp.preview["duplicates"] == []
    assert imp.counts[RowAction.CREATED] == 1


def test_a_different_name_is_not_a_duplicate(admin_user, postgresql):
    person_create(actor=admin_user, name="Thomas Müller")

    imp = _import(admin_user, [["Name"], ["Thomas Meier"]])

    assert imp.preview["duplicates"] == []


def test_similar_names_are_only_those_the_importer_may_see(owner, outsider, postgresql):
    from django.contrib.auth.models import Permission

    person_create(actor=outsider, name="Christopher Jackson", visible_to=Visibility.OWNER)
    owner.user_permissions.add(Permission.objects.get(codename="run_import"))
    owner = type(owner).objects.get(pk=owner.pk)  # a fresh permission cache

    imp = _import(owner, [["Name"], ["Christopher Jakson"]])

    assert imp.preview["duplicates"] == []


def test_an_organization_row_finds_an_organization_with_a_similar_name(admin_user, postgresql):
    existing = organization_create(actor=admin_user, name="Globex Engineering")

    imp = _import(admin_user, [["Name"], ["Globex Enginering"]], kind="organizations")

    [duplicate] = imp.preview["duplicates"]
    assert (duplicate["record_type"], duplicate["id"]) == ("organization", existing.pk)
    assert imp.counts[RowAction.UPDATED] == 1


def test_without_similarity_search_equal_names_still_match_and_the_page_says_so(admin_user):
    existing = person_create(actor=admin_user, name="Christopher Jackson")

    imp = _import(admin_user, [["Name"], ["christopher  JACKSON"]])

    assert imp.preview["duplicates"][0]["id"] == existing.pk
    assert imp.preview["similar_names"] == (connection.vendor == "postgresql")


# --- rows with an e-mail or phone that matches nobody: similar names at the same organization


def _colleague(actor, **kwargs):
    acme = organization_create(actor=actor, name="Acme")
    return acme, person_create(
        actor=actor,
        name="Christopher Jackson",
        emails=["cj@acme.example"],
        organization=acme,
        **kwargs,
    )


ROW_AT_ACME = [
    ["Name", "Email", "Organization"],
    ["Christopher Jakson", "chris@new.example", "Acme"],
]


def test_a_row_with_a_new_email_finds_a_similar_name_at_its_organization(admin_user):
    _acme, existing = _colleague(admin_user)

    imp = _import(admin_user, ROW_AT_ACME)

    [duplicate] = imp.preview["duplicates"]
    assert (duplicate["id"], duplicate["name"]) == (existing.pk, "Christopher Jackson")
    assert "similar" in duplicate["reason"] and "same organization" in duplicate["reason"]


@pytest.mark.parametrize(
    "name", ["Chris Jackson", "C. Jackson", "Jackson, Christopher", "Christopher Jacksno"]
)
def test_a_colleague_is_found_by_a_nickname_an_initial_another_order_or_a_typo(admin_user, name):
    _acme, existing = _colleague(admin_user)

    rows = [ROW_AT_ACME[0], [name, "chris@new.example", "Acme"]]
    imp = import_create(
        actor=admin_user,
        file_name="file.csv",
        content=csv_bytes(rows, delimiter=";"),  # the name may hold a comma
        kind="persons",
    )

    assert [d["id"] for d in imp.preview["duplicates"]] == [existing.pk]


def test_a_colleague_with_a_similar_name_is_merged_when_the_admin_chose_merge(admin_user):
    _acme, existing = _colleague(admin_user)
    imp = _import(admin_user, ROW_AT_ACME)

    import_apply(actor=admin_user, import_run=imp)

    assert list(Person.objects.values_list("pk", flat=True)) == [existing.pk]
    assert sorted(existing.emails.values_list("key", flat=True)) == [
        "chris@new.example",
        "cj@acme.example",
    ]


def test_a_colleague_with_a_similar_name_is_skipped_when_the_admin_chose_skip(admin_user):
    _colleague(admin_user)

    imp = _import(admin_user, ROW_AT_ACME, duplicates="skip")

    assert (imp.counts[RowAction.SKIPPED], imp.counts[RowAction.CREATED]) == (1, 0)


def test_a_colleague_with_a_similar_name_is_created_anyway_when_the_admin_chose_create(
    admin_user,
):
    _colleague(admin_user)
    imp = _import(admin_user, ROW_AT_ACME, duplicates="create")

    import_apply(actor=admin_user, import_run=imp)

    assert Person.objects.count() == 2


def test_a_similar_name_at_another_organization_with_a_new_email_is_not_a_duplicate(
    admin_user,
):
    _colleague(admin_user)
    organization_create(actor=admin_user, name="Globex")

    imp = _import(
        admin_user,
        [["Name", "Email", "Organization"], ["Christopher Jakson", "chris@new.example", "Globex"]],
    )

    assert imp.preview["duplicates"] == []


def test_a_colleague_with_a_different_name_is_not_a_duplicate(admin_user):
    _colleague(admin_user)

    imp = _import(
        admin_user,
        [["Name", "Email", "Organization"], ["Christine Jackson", "chris@new.example", "Acme"]],
    )

    assert imp.preview["duplicates"] == []


def test_an_equal_email_stays_the_certain_match_over_a_similar_colleague(admin_user):
    _acme, colleague = _colleague(admin_user)
    other = person_create(actor=admin_user, name="Chris Jakson", emails=["chris@new.example"])

    imp = _import(admin_user, ROW_AT_ACME)

    [duplicate] = imp.preview["duplicates"]
    assert (duplicate["id"], duplicate["reason"]) == (other.pk, "same e-mail")
    assert colleague.pk != other.pk


def test_a_similar_colleague_is_found_only_among_persons_the_importer_may_see(owner, outsider):
    from django.contrib.auth.models import Permission

    acme = organization_create(actor=owner, name="Acme", visible_to=Visibility.COMPANY)
    person_create(
        actor=outsider, name="Christopher Jackson", organization=acme, visible_to=Visibility.OWNER
    )
    owner.user_permissions.add(Permission.objects.get(codename="run_import"))
    owner = type(owner).objects.get(pk=owner.pk)  # a fresh permission cache

    imp = _import(owner, ROW_AT_ACME)

    assert imp.preview["duplicates"] == []


def test_a_deal_rows_person_with_a_new_email_is_linked_to_a_similar_colleague(admin_user, pipeline):
    from deals.models import Deal

    _acme, existing = _colleague(admin_user)
    imp = _import(
        admin_user,
        [
            ["Deal - Title", "Person - Name", "Person - Email", "Organization - Name"],
            ["Big deal", "Christopher Jakson", "chris@new.example", "Acme"],
        ],
        kind="deals",
    )

    imp = import_apply(actor=admin_user, import_run=imp)

    assert imp.status == "applied", imp.error
    assert Deal.objects.get().person_id == existing.pk
    assert Person.objects.count() == 1
