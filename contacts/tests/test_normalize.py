"""Normalized keys: pure functions, no database."""

from contacts.normalize import (
    domain_key,
    email_key,
    fold,
    given_name_variants,
    letter_key,
    match_fold,
    organization_index_fields,
    organization_name_key,
    organization_name_tokens,
    person_index_fields,
    person_name_key,
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


# Transliteration (DIN 5007-2 for German; Danish and Norwegian spellings without ø and å)


def test_person_name_key_treats_a_german_umlaut_and_its_two_letter_spelling_alike():
    assert person_name_key("Jürgen Weißmüller") == person_name_key("Juergen Weissmueller")
    assert person_name_key("Jürgen Weißmüller") == person_name_key("Jurgen Weissmuller")


def test_person_name_key_treats_nordic_letters_and_their_spellings_alike():
    assert person_name_key("Søren Ågård") == person_name_key("Soeren Aagaard")


def test_organization_name_key_treats_transliterations_alike_on_both_sides():
    assert organization_name_key("Müller Bäckerei GmbH") == organization_name_key(
        "Mueller Baeckerei GmbH"
    )


def test_match_fold_leaves_plain_words_alone():
    assert match_fold("Anna Berg") == "anna berg"


# Legal forms (as the national registers write them, with and without dots)


def test_organization_name_key_drops_legal_forms_of_many_countries():
    forms = [
        "GmbH", "AG", "GmbH & Co. KG", "UG (haftungsbeschränkt)", "e.K.", "S.A.", "SA", "SAS",
        "S.A.R.L.", "S.p.A.", "SpA", "S.r.l.", "S.L.", "Lda.", "Ltda.", "BV", "B.V.", "N.V.",
        "AB", "AB (publ)", "Oy", "Oyj", "AS", "A/S", "ASA", "ApS", "Sp. z o.o.", "s.r.o.",
        "Kft.", "Ltd", "Ltd.", "Limited", "PLC", "LLC", "L.L.C.", "LLP", "Inc.", "Corp.",
        "Pty Ltd", "Pte. Ltd.", "Pvt. Ltd.", "K.K.", "S.A. de C.V.",
    ]  # fmt: skip

    for form in forms:
        assert organization_name_key(f"Nordwind {form}") == "nordwind", form


def test_organization_name_key_drops_a_legal_form_written_before_the_name():
    assert organization_name_key("PT Nordwind") == organization_name_key("OOO Nordwind")


def test_organization_name_key_keeps_legal_looking_words_inside_the_name():
    assert organization_name_key("AB InBev SA") == "ab inbev"


def test_organization_name_key_folds_accents():
    assert organization_name_key("Société Générale S.A.") == "societe generale"


# E-mail addresses: RFC 5233 sub-addressing, Gmail's dots, RFC 5890 domains


def test_email_key_drops_a_sub_address_on_any_domain():
    # RFC 5233: "user+detail" is the mailbox "user", whichever host serves it.
    assert email_key("anna.berg+newsletter@nordwind.example") == "anna.berg@nordwind.example"


def test_email_key_keeps_a_mailbox_that_is_only_a_detail():
    assert email_key("+orders@nordwind.example") == "+orders@nordwind.example"


def test_email_key_drops_dots_of_a_gmail_mailbox():
    assert email_key("Anna.Berg@gmail.com") == email_key("annaberg@gmail.com")


def test_email_key_treats_googlemail_as_gmail():
    assert email_key("anna.berg+x@googlemail.com") == "annaberg@gmail.com"


def test_email_key_keeps_dots_at_other_hosts():
    assert email_key("anna.berg@nordwind.example") != email_key("annaberg@nordwind.example")


def test_email_key_writes_an_internationalized_domain_in_its_ascii_form():
    assert email_key("anna@bücher.example") == "anna@xn--bcher-kva.example"


# Phone numbers: E.164 (+, country code, national significant number, 15 digits at most)


def test_phone_key_reads_german_national_formats():
    # DIN 5008 and the usual variants of one Berlin number.
    written = ["030 1234567", "(030) 1234567", "030/1234567", "030-123 45 67",
               "+49 30 1234567", "+49 (0)30 1234567", "0049 30 1234567"]  # fmt: skip

    assert {phone_key(number, "DE") for number in written} == {"+49301234567"}


def test_phone_key_reads_north_american_formats():
    # 555-0100 to 555-0199 are reserved for fiction in the North American plan.
    written = ["(212) 555-0123", "212-555-0123", "212.555.0123", "1 212 555 0123",
               "+1 212 555 0123"]  # fmt: skip

    assert {phone_key(number, "US") for number in written} == {"+12125550123"}


def test_phone_key_reads_british_and_french_formats():
    # 020 7946 0xxx is Ofcom's range for drama.
    assert phone_key("020 7946 0123", "GB") == phone_key("+44 20 7946 0123", "DE")
    assert phone_key("01 23 45 67 89", "FR") == "+33123456789"


def test_phone_key_reads_the_00_international_prefix_in_any_country():
    assert phone_key("0049 30 1234567", "US") == "+49301234567"


def test_phone_key_drops_an_extension():
    assert phone_key("+49 30 1234567 ext. 12", "DE") == "+49301234567"


def test_phone_key_is_empty_for_a_number_too_short_to_dial_from_abroad():
    assert phone_key("12", "DE") == ""


def test_phone_key_is_at_most_fifteen_digits():
    assert phone_key("+49 30 1234567890123456", "DE") == ""
