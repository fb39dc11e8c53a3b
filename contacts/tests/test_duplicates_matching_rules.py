"""The duplicate check's matching rules against the database, written from the standards:
RFC 5233 sub-addresses, Gmail's dots, DIN 5007-2 and Nordic transliterations, legal forms,
E.164 numbers written in national formats; and names whose parts are misspelt, missing or
split otherwise, found among persons who are not them."""

import pytest

from contacts.duplicates import PERSON_THRESHOLD
from contacts.selectors.duplicates import organization_duplicates, person_duplicates
from contacts.tests.factories import OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def noise(owner):
    """Persons no check below should find first."""
    for name in ["Peter Parker", "Mary Jane Watson", "Harry Osborn", "Gwen Stacy", "Adam Crook"]:
        PersonFactory(name=name, owner=owner)


def first(matches):
    return matches[0].record if matches else None


def test_a_sub_address_on_a_company_domain_is_the_same_mailbox(owner, teammate, noise):
    # Given a person with a plain company address (RFC 5233: user+detail is user's mailbox)
    anna = PersonFactory(name="Anna Berg", owner=owner, emails=["anna.berg@nordwind.example"])

    # When a new person comes with a tagged address at that domain
    matches = person_duplicates(
        user=teammate, name="A. Berg", emails=["Anna.Berg+crm@nordwind.example"]
    )

    # Then it is a certain match
    assert first(matches) == anna
    assert matches[0].certain


def test_dots_in_a_gmail_mailbox_are_the_same_mailbox(owner, teammate, noise):
    anna = PersonFactory(name="Anna Berg", owner=owner, emails=["annaberg@gmail.com"])

    matches = person_duplicates(user=teammate, name="", emails=["anna.berg@googlemail.com"])

    assert first(matches) == anna
    assert matches[0].certain


def test_dots_elsewhere_are_not_the_same_mailbox(owner, teammate, noise):
    PersonFactory(name="Anna Berg", owner=owner, emails=["annaberg@nordwind.example"])

    matches = person_duplicates(user=teammate, name="", emails=["anna.berg@nordwind.example"])

    assert not any(m.certain for m in matches)


@pytest.mark.parametrize(
    ("stored", "checked"),
    [
        ("Jürgen Weißmüller", "Juergen Weissmueller"),  # DIN 5007-2 on the checked side
        ("Juergen Weissmueller", "Jürgen Weißmüller"),  # and on the stored side
        ("Søren Ågård", "Soeren Aagaard"),  # Danish and Norwegian
    ],
)
def test_a_transliterated_name_is_the_same_name(owner, teammate, noise, stored, checked):
    person = PersonFactory(name=stored, owner=owner)

    matches = person_duplicates(user=teammate, name=checked)

    assert first(matches) == person
    assert "same name" in matches[0].reasons


@pytest.mark.parametrize(
    ("stored", "checked"),
    [
        ("Andrew Matthews", "Andsew Matthas"),  # a typo in each part
        ("Fergus Crouch", "Fergua Crofuch"),
        ("Jordan Blake", "Jord An Blake"),  # the name split otherwise
        ("Annemarie Schulz", "Anne Marie Schulz"),
        ("Waller", "Jamilla Waller"),  # a part missing
        ("Roles Liam", "Liam Roles"),  # given and family name swapped
    ],
)
def test_a_name_misspelt_split_or_incomplete_is_found(owner, teammate, noise, stored, checked):
    person = PersonFactory(name=stored, owner=owner)

    matches = person_duplicates(user=teammate, name=checked)

    assert first(matches) == person
    assert matches[0].score >= PERSON_THRESHOLD


def test_a_namesake_sharing_only_a_rare_family_name_is_a_weak_candidate(owner, teammate, noise):
    # Given a person who shares only a rare family name with the one checked
    luke = PersonFactory(name="Luke Purdon", owner=owner)

    # Then the check does not show them, but ranks them first below its threshold
    assert person_duplicates(user=teammate, name="Mia Purdon") == []
    assert first(person_duplicates(user=teammate, name="Mia Purdon", min_score=0)) == luke


def test_a_namesake_by_a_different_given_name_is_no_match(owner, teammate, noise):
    PersonFactory(name="Thomas Meier", owner=owner)

    assert person_duplicates(user=teammate, name="Anna Meier") == []


def test_a_number_written_nationally_is_the_same_number(owner, teammate, noise):
    # E.164 +49 30 1234567, written as DIN 5008 and with the "00" international prefix
    anna = PersonFactory(name="Anna Berg", owner=owner, phones=["(030) 123 45 67"])

    matches = person_duplicates(user=teammate, name="", phones=["0049 30 1234567"])

    assert first(matches) == anna
    assert matches[0].certain


def test_an_unreadable_number_matches_nobody(owner, teammate):
    # Given two persons whose numbers phonenumbers cannot read, kept as typed with no key
    from contacts.services import person_create

    person_create(actor=owner, name="Anna Berg", phones=["12"])

    assert person_duplicates(user=teammate, name="Zoe Quist", phones=["12"]) == []


@pytest.mark.parametrize(
    ("stored", "checked"),
    [
        ("Nordwind GmbH", "NORDWIND AG"),
        ("Nordwind S.p.A.", "Nordwind SpA"),
        ("Nordwind B.V.", "Nordwind Ltd."),
        ("Nordwind AB (publ)", "Nordwind Oy"),
        ("Société Nordique SAS", "Societe Nordique S.A.S."),
        ("Müller Bäckerei GmbH", "Mueller Baeckerei"),
    ],
)
def test_an_organization_under_another_legal_form_or_spelling_is_found(
    owner, teammate, stored, checked
):
    OrganizationFactory(name="Südwind Energie", owner=owner)
    organization = OrganizationFactory(name=stored, owner=owner)

    matches = organization_duplicates(user=teammate, name=checked)

    assert first(matches) == organization
    assert "same name" in matches[0].reasons
