"""Normalized keys: pure functions, no database."""

from contacts.normalize import (
    domain_key,
    email_key,
    fold,
    given_name_variants,
    letter_key,
    organization_index_fields,
    organization_name_key,
    organization_name_tokens,
    person_index_fields,
    person_name_tokens,
    phone_key,
    phonetic_key,
)


def test_fold_drops_case_accents_and_punctuation():
    assert fold("  José  Müller-Lüdenscheidt ") == "jose muller ludenscheidt"


def test_fold_turns_sharp_s_into_ss():
    assert fold("Straße") == "strasse"


def test_organization_name_key_drops_legal_forms():
    assert organization_name_key("ACME GmbH & Co. KG") == organization_name_key("Acme Inc.")


def test_organization_name_key_keeps_a_name_made_only_of_legal_words():
    assert organization_name_key("Limited Company") == "limited company"


def test_email_key_takes_the_address_out_of_a_display_name_in_lower_case():
    assert email_key('"Ann Lee" <Ann.Lee@Example.COM >') == "ann.lee@example.com"


def test_email_key_is_empty_for_what_is_no_address():
    assert email_key("ann.lee at example") == ""


def test_phone_key_reads_a_national_number_in_the_default_country():
    assert phone_key("030 1234567", "DE") == phone_key("+49 30 1234567", "DE") == "+49301234567"


def test_phone_key_is_empty_for_what_is_no_number():
    assert phone_key("call me", "DE") == ""


def test_domain_key_of_a_website_and_of_an_email_address_agree():
    assert domain_key("https://www.Example.com/about") == domain_key("ann@example.com")


def test_given_name_variants_lead_from_a_nickname_to_the_name_and_back():
    assert "william" in given_name_variants("bill")
    assert "bill" in given_name_variants("william")


def test_given_name_variants_know_german_forms():
    assert "johann" in given_name_variants("hans")


def test_given_name_variants_of_an_unknown_name_are_the_name_itself():
    assert given_name_variants("xaver") == {"xaver"}


def test_phonetic_key_is_the_same_for_names_spelt_alike():
    assert phonetic_key("meyer") == phonetic_key("maier") == phonetic_key("mayr") == "M600"


def test_phonetic_key_ignores_a_transliterated_umlaut():
    assert phonetic_key("mueller") == phonetic_key("muller")


def test_phonetic_key_of_a_word_without_letters_is_empty():
    assert phonetic_key("42") == ""


def test_letter_key_is_the_same_for_swapped_and_doubled_letters():
    assert letter_key("wslion") == letter_key("wilson") == letter_key("willson")


def test_person_name_tokens_drop_titles():
    assert person_name_tokens("Dr. Anna Berg") == ["anna", "berg"]


def test_person_name_tokens_read_family_comma_given_as_given_then_family():
    assert person_name_tokens("Berg, Anna") == ["anna", "berg"]


def test_organization_name_tokens_drop_a_leading_article():
    assert organization_name_tokens("The Boring Company") == ["boring"]


def test_person_index_fields_key_the_first_and_last_words():
    fields = person_index_fields("Anna Maria Berg")

    assert fields == {
        "name_key": "anna maria berg",
        "given_key": "anna",
        "given_sound": "A500",
        "given_letters": "an",
        "family_key": "berg",
        "family_sound": "B620",
        "family_letters": "begr",
    }


def test_person_index_fields_of_a_one_word_name_have_no_family_keys():
    fields = person_index_fields("Berg")

    assert fields["given_key"] == "berg"
    assert fields["family_key"] == fields["family_sound"] == fields["family_letters"] == ""


def test_organization_index_fields_key_the_first_word_by_sound():
    fields = organization_index_fields("Müller Logistik GmbH", "https://mueller-logistik.de")

    assert fields == {
        "name_key": "muller logistik",
        "domain": "mueller-logistik.de",
        "name_sound": "M460",
    }
