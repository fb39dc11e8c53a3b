"""Duplicate scoring: pure functions, no database."""

from contacts.duplicates import (
    ORGANIZATION_THRESHOLD,
    PERSON_THRESHOLD,
    OrganizationFacts,
    PersonFacts,
    email_hint,
    person_name_similarity,
    score_organization,
    score_person,
)


def person(name: str = "", emails=(), phones=(), **kwargs) -> PersonFacts:
    return PersonFacts(name=name, emails=frozenset(emails), phones=frozenset(phones), **kwargs)


def test_same_email_is_a_certain_match_whatever_the_names():
    # Given two persons with one address in common
    query = person("A. Berg", emails=["anna.berg@example.com"])
    candidate = person("Berg-Lindqvist, Anna", emails=["a@b.de", "anna.berg@example.com"])

    # When scored
    verdict = score_person(query, candidate)

    # Then
    assert verdict.certain
    assert verdict.score == 100
    assert "same email" in verdict.reasons


def test_same_phone_is_a_certain_match():
    verdict = score_person(
        person("Anna Berg", phones=["+49301234567"]),
        person("Berg", phones=["+49301234567"]),
    )

    assert verdict.certain
    assert verdict.reasons[0] == "same phone"


def test_same_name_alone_is_a_likely_match_but_not_a_certain_one():
    verdict = score_person(person("Anna Berg"), person("Anna Berg"))

    assert PERSON_THRESHOLD <= verdict.score < 100
    assert not verdict.certain
    assert verdict.reasons == ("same name",)


def test_a_typo_in_the_name_is_a_likely_match_with_its_similarity_as_reason():
    verdict = score_person(person("Jonh Smith"), person("John Smith"))

    assert verdict.score >= PERSON_THRESHOLD
    assert verdict.reasons == ("name 90% similar",)


def test_a_nickname_matches_the_given_name():
    assert score_person(person("Bill Smith"), person("William Smith")).score >= 85


def test_a_german_short_form_matches_the_given_name():
    assert score_person(person("Hans Weber"), person("Johann Weber")).score >= 85


def test_an_initial_matches_the_given_name():
    assert score_person(person("J. Smith"), person("John Smith")).score >= 85


def test_swapped_order_matches_almost_as_well_as_the_same_order():
    swapped = score_person(person("Smith John"), person("John Smith")).score
    same = score_person(person("John Smith"), person("John Smith")).score

    assert same - 3 <= swapped < same


def test_family_comma_given_is_the_same_name():
    assert score_person(person("Smith, John"), person("John Smith")).reasons == ("same name",)


def test_accents_and_case_do_not_matter():
    assert score_person(person("JOSÉ GARCÍA"), person("Jose Garcia")).reasons == ("same name",)


def test_an_umlaut_written_out_matches_the_umlaut():
    assert person_name_similarity("Jürgen Müller", "Juergen Mueller") >= 0.95


def test_a_hyphenated_name_matches_it_written_as_one_word():
    assert person_name_similarity("Anne-Marie Berg", "Annemarie Berg") >= 0.95


def test_a_middle_name_one_side_lacks_costs_little():
    assert person_name_similarity("Anna Marie Berg", "Anna Berg") >= 0.85


def test_same_family_name_with_another_given_name_is_no_match():
    assert score_person(person("John Smith"), person("Anna Smith")).score < PERSON_THRESHOLD


def test_same_given_name_with_another_family_name_is_no_match():
    assert score_person(person("Thomas Müller"), person("Thomas Meier")).score < PERSON_THRESHOLD


def test_colleagues_with_alike_addresses_are_no_match():
    # Given two colleagues: another given name, the company's address pattern
    query = person("John Smith", emails=["j.smith@acme.com"], organization_id=1)
    candidate = person("Anna Smith", emails=["a.smith@acme.com"], organization_id=1)

    # Then the alike addresses and the organization do not outweigh the other given name
    assert score_person(query, candidate).score < PERSON_THRESHOLD


def test_a_one_word_name_matches_a_full_name_with_that_word_less_than_a_full_name():
    one_word = score_person(person("Berg"), person("Anna Berg")).score
    full = score_person(person("Anna Berg"), person("Anna Berg")).score

    assert PERSON_THRESHOLD <= one_word < full


def test_a_misspelt_address_alone_is_a_likely_match():
    # Given no name, and an address one typo away from the candidate's
    verdict = score_person(
        person(emails=["anna.berg@example.com"]),
        person("Anna Berg", emails=["anna.berg@exmaple.com"]),
    )

    assert verdict.score >= PERSON_THRESHOLD
    assert verdict.reasons == ("similar email",)


def test_the_same_personal_mailbox_at_another_domain_is_a_hint():
    assert email_hint("anna.berg@acme.com", "anna.berg@gmail.com") > 0


def test_the_same_role_mailbox_at_another_domain_is_no_hint():
    assert email_hint("info@acme.com", "info@other.org") == 0


def test_the_same_organization_adds_to_the_score():
    alone = score_person(person("Anna Berg"), person("Anna Berg"))
    colleagues = score_person(
        person("Anna Berg", organization_id=7), person("Anna Berg", organization_id=7)
    )

    assert colleagues.score > alone.score
    assert "same organization" in colleagues.reasons


def test_an_organization_given_by_name_matches_despite_its_legal_form():
    verdict = score_person(
        person("Anna Berg", organization_name="ACME GmbH"),
        person("Anna Berg", organization_name="Acme Inc."),
    )

    assert "same organization" in verdict.reasons


def test_no_name_and_nothing_in_common_scores_nothing():
    assert score_person(person(emails=["a@x.de"]), person("Anna Berg")).score == 0


def test_organizations_with_the_same_domain_are_a_certain_match():
    verdict = score_organization(
        OrganizationFacts(name="Acme", domain="acme.com"),
        OrganizationFacts(name="ACME Corporation", domain="acme.com"),
    )

    assert verdict.certain
    assert verdict.score == 100
    assert verdict.reasons[0] == "same website"


def test_organization_names_match_despite_legal_forms():
    verdict = score_organization(OrganizationFacts("ACME GmbH"), OrganizationFacts("Acme Inc."))

    assert verdict.reasons == ("same name",)
    assert ORGANIZATION_THRESHOLD <= verdict.score < 100


def test_a_misspelt_organization_name_matches():
    verdict = score_organization(
        OrganizationFacts("Acme Industries"), OrganizationFacts("Acme Industires")
    )

    assert verdict.score >= ORGANIZATION_THRESHOLD


def test_organizations_sharing_only_a_first_word_are_no_match():
    verdict = score_organization(
        OrganizationFacts("Deutsche Bank"), OrganizationFacts("Deutsche Post")
    )

    assert verdict.score < ORGANIZATION_THRESHOLD
