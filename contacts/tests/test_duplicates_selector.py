"""The duplicate check against the database: candidates by index, scored, visibility-scoped."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.selectors.duplicates import (
    CANDIDATE_LIMIT,
    organization_duplicates,
    person_duplicates,
)
from contacts.tests.factories import OrganizationFactory, PersonFactory
from crm.models import Visibility

pytestmark = pytest.mark.django_db


@pytest.fixture
def noise(owner):
    """Persons no check below should find."""
    for name in ["Peter Parker", "Mary Jane Watson", "Harry Osborn", "Gwen Stacy"]:
        PersonFactory(name=name, owner=owner)


def test_same_email_written_otherwise_is_a_certain_match(owner, teammate, noise):
    # Given a person with an address
    anna = PersonFactory(name="Anna Berg", owner=owner, emails=["anna.berg@example.com"])

    # When someone checks a new person with that address, in another case and form
    matches = person_duplicates(
        user=teammate, name="A. Lindqvist", emails=['"Anna" <Anna.Berg@EXAMPLE.com>']
    )

    # Then
    assert [m.record for m in matches] == [anna]
    assert matches[0].certain
    assert matches[0].score == 100
    assert "same email" in matches[0].reasons


def test_same_phone_written_otherwise_is_a_certain_match(owner, teammate, noise):
    anna = PersonFactory(name="Anna Berg", owner=owner, phones=["+49 30 1234567"])

    matches = person_duplicates(user=teammate, name="Someone Else", phones=["030 / 123 45 67"])

    assert [m.record for m in matches] == [anna]
    assert matches[0].certain
    assert "same phone" in matches[0].reasons


@pytest.mark.parametrize(
    ("stored", "checked"),
    [
        ("Katharina Schneider", "Katharina Schnieder"),  # a typo
        ("Katharina Schneider", "Katarina Schneider"),  # a typo in the given name
        ("William Turner", "Bill Turner"),  # a nickname
        ("Johann Weber", "Hans Weber"),  # a German short form
        ("Robert Miller", "R. Miller"),  # an initial
        ("Robert Miller", "Miller Robert"),  # family name first
        ("Robert Miller", "Miller, Robert"),
        ("José Müller", "Jose Mueller"),  # accents, a transliterated umlaut
        ("Dr. Anna Berg", "anna berg"),  # a title, case
        ("Anna Maria Berg", "Anna Berg"),  # a middle name
    ],
)
def test_alike_names_are_found(owner, teammate, noise, stored, checked):
    # Given a stored person
    person = PersonFactory(name=stored, owner=owner)

    # When a person with an alike name is checked
    matches = person_duplicates(user=teammate, name=checked)

    # Then the stored one comes first, as a likely but not certain match
    assert matches[0].record == person
    assert not matches[0].certain


def test_a_one_word_name_finds_full_names_with_that_word(owner, teammate, noise):
    person = PersonFactory(name="Florence Wilkinson", owner=owner)

    assert person in [m.record for m in person_duplicates(user=teammate, name="Wilkinson")]


def test_unrelated_names_are_not_found(owner, teammate, noise):
    PersonFactory(name="Anna Berg", owner=owner)

    assert person_duplicates(user=teammate, name="Thomas Schmidt") == []


def test_another_given_name_with_the_same_family_name_is_not_found(owner, teammate):
    PersonFactory(name="John Smith", owner=owner)

    assert person_duplicates(user=teammate, name="Anna Smith") == []


def test_the_best_match_comes_first(owner, teammate):
    PersonFactory(name="Anna Berg", owner=owner)
    same_email = PersonFactory(name="Anna Berg", owner=owner, emails=["anna@berg.de"])
    PersonFactory(name="Anne Berg", owner=owner)

    matches = person_duplicates(user=teammate, name="Anna Berg", emails=["anna@berg.de"])

    assert matches[0].record == same_email
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


def test_excluded_ids_are_not_candidates(owner, teammate):
    anna = PersonFactory(name="Anna Berg", owner=owner, emails=["anna@berg.de"])

    assert person_duplicates(user=teammate, name="Anna Berg", exclude_ids=[anna.pk]) == []


def test_at_most_limit_matches_are_returned(owner, teammate):
    for _ in range(5):
        PersonFactory(name="Anna Berg", owner=owner)

    assert len(person_duplicates(user=teammate, name="Anna Berg", limit=3)) == 3


def test_nothing_to_match_on_finds_nothing(owner, teammate):
    PersonFactory(name="Anna Berg", owner=owner)

    assert person_duplicates(user=teammate, name="  ", emails=["no address"]) == []


@pytest.mark.parametrize("given_as", ["instance", "id", "name"])
def test_the_same_organization_is_a_reason(owner, teammate, given_as):
    # Given a person of an organization
    acme = OrganizationFactory(name="ACME GmbH", owner=owner)
    PersonFactory(name="Anna Berg", owner=owner, organization=acme)
    organization = {"instance": acme, "id": acme.pk, "name": "Acme Inc."}[given_as]

    # When a namesake is checked with the organization as an instance, an id or a name
    matches = person_duplicates(user=teammate, name="Anna Berg", organization=organization)

    # Then
    assert "same organization" in matches[0].reasons


def test_a_person_the_user_may_not_see_is_never_found(owner, outsider):
    # Given a person only its owner's team may see, with an address
    PersonFactory(
        name="Anna Berg", owner=owner, visible_to=Visibility.TEAM, emails=["anna@berg.de"]
    )

    # When someone of another team checks the same name and address
    matches = person_duplicates(user=outsider, name="Anna Berg", emails=["anna@berg.de"])

    # Then nothing is found
    assert matches == []


def test_a_person_the_team_may_see_is_found_by_a_teammate(owner, teammate):
    anna = PersonFactory(name="Anna Berg", owner=owner, visible_to=Visibility.TEAM)

    assert [m.record for m in person_duplicates(user=teammate, name="Anna Berg")] == [anna]


def test_persons_the_user_may_not_see_do_not_crowd_out_one_they_may(owner, outsider):
    # Given more hidden namesakes than the check takes candidates, and one visible
    for _ in range(CANDIDATE_LIMIT + 5):
        PersonFactory(name="Anna Berg", owner=owner, visible_to=Visibility.OWNER)
    visible = PersonFactory(name="Anna Berg", owner=owner, visible_to=Visibility.COMPANY)

    # When an outsider checks the name
    matches = person_duplicates(user=outsider, name="Anna Berg")

    # Then the visible one is found, and only it
    assert [m.record for m in matches] == [visible]


def test_the_number_of_queries_does_not_grow_with_the_candidates(owner, teammate):
    # Given a check with one candidate, counted
    PersonFactory(name="Anna Berg", owner=owner, emails=["a1@berg.de"], phones=["+49 30 555100"])
    person_duplicates(user=teammate, name="Anna Berg", emails=["a@berg.de"])  # warms reach()
    with CaptureQueriesContext(connection) as one:
        person_duplicates(user=teammate, name="Anna Berg", emails=["a@berg.de"])

    # When there are twenty
    for i in range(19):
        PersonFactory(
            name="Anna Berg",
            owner=owner,
            emails=[f"a{i + 2}@berg.de"],
            phones=[f"+49 30 5552{i:02d}"],
        )
    with CaptureQueriesContext(connection) as twenty:
        matches = person_duplicates(user=teammate, name="Anna Berg", emails=["a@berg.de"])

    # Then the check costs the same queries
    assert len(matches) == 10
    assert len(twenty.captured_queries) == len(one.captured_queries)


def test_organization_with_another_legal_form_is_found(owner, teammate):
    acme = OrganizationFactory(name="ACME GmbH", owner=owner)
    OrganizationFactory(name="Globex", owner=owner)

    matches = organization_duplicates(user=teammate, name="Acme Inc.")

    assert [m.record for m in matches] == [acme]
    assert matches[0].reasons == ["same name"]


def test_organization_with_the_same_domain_is_a_certain_match(owner, teammate):
    acme = OrganizationFactory(name="Acme", website="https://www.acme.com/", owner=owner)

    matches = organization_duplicates(user=teammate, name="Totally Other", website="acme.com")

    assert [m.record for m in matches] == [acme]
    assert matches[0].certain
    assert "same website" in matches[0].reasons


def test_misspelt_organization_is_found(owner, teammate):
    müller = OrganizationFactory(name="Müller Logistik GmbH", owner=owner)

    matches = organization_duplicates(user=teammate, name="Mueller Logistik")

    assert [m.record for m in matches] == [müller]


def test_organization_the_user_may_not_see_is_never_found(owner, outsider):
    OrganizationFactory(name="Acme", website="acme.com", owner=owner, visible_to=Visibility.OWNER)

    assert organization_duplicates(user=outsider, name="Acme", website="acme.com") == []


def test_organization_check_excludes_the_given_ids(owner, teammate):
    acme = OrganizationFactory(name="Acme", owner=owner)

    assert organization_duplicates(user=teammate, name="Acme", exclude_ids=[acme.pk]) == []


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
def test_the_check_leaves_the_trigram_threshold_of_its_callers_transaction_alone(owner, teammate):
    # Given a caller's transaction with its own trigram threshold
    PersonFactory(name="Anna Berg", owner=owner)
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', '0.45', true)")

        # When a check runs in it
        person_duplicates(user=teammate, name="Anna Bergg")

        # Then the threshold is the caller's again
        cursor.execute("SELECT current_setting('pg_trgm.similarity_threshold')")
        assert cursor.fetchone()[0] == "0.45"
