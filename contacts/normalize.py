"""Normalized keys for matching contacts. Pure functions: no ORM, no settings lookups."""

from __future__ import annotations

import re
import unicodedata
from email.utils import parseaddr
from urllib.parse import urlsplit

import phonenumbers

_NON_ALNUM = re.compile(r"[^0-9a-z]+")

# Length of the stored word keys (`Person.given_key`, `Person.family_key`).
WORD_KEY_LENGTH = 64

# Legal forms dropped from organization names before matching ("ACME GmbH" == "Acme"), as
# folded words: dotted abbreviations ("S.p.A.", "B.V.", "A/S") fold to single letters, which
# `_legal_words` joins back ("spa", "bv", "as"). From the national company registers' forms:
# German, Austrian and Swiss; French, Belgian and Luxembourgish; Italian; Spanish and
# Portuguese (and Latin American); Dutch; Nordic; Polish, Czech, Slovak, Hungarian, Baltic;
# British, Irish, American, Canadian, Australian, Indian, Singaporean; Japanese; Russian;
# Turkish; Greek.
LEGAL_SUFFIXES = frozenset(
    """
    gmbh mbh ag kg ohg gbr ug eg ev ek kgaa se co haftungsbeschrankt gesmbh
    sa sas sasu sarl eurl sca scs snc sci scop scrl sprl sc
    spa srl srls sapa sncs ss
    sl slu sll lda ltda sad cv de rl
    bv nv vof cv bvba
    ab oy oyj as asa aps ans hf ehf ks publ
    sp zoo sro spol ks zrt nyrt kft bt uab ou
    inc incorporated corp corporation company companies ltd limited llc llp lp lllp pllc
    plc pc cic pty pte pvt private dac uc
    kk gk yk
    ooo oao zao pao ao
    sti
    ae epe ike
    """.split()  # noqa: SIM905 (a word list reads best as words)
)
# Legal forms written before the name ("PT Bank Mandiri", "OOO Gazprom").
LEGAL_PREFIXES = frozenset("pt cv ooo oao zao pao ao".split())  # noqa: SIM905


def fold(text: str | None) -> str:
    """Case, accents, ß/ss and punctuation folded away; words separated by one space."""
    if not text:
        return ""
    if text.isascii():
        # The same result, three times faster: imports fold 100,000 names at a time.
        return _NON_ALNUM.sub(" ", text.lower()).strip()
    text = text.casefold()  # also turns ß into ss
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("ø", "o").replace("æ", "ae").replace("œ", "oe").replace("ł", "l")
    text = text.replace("đ", "d").replace("þ", "th").replace("ı", "i")
    return _NON_ALNUM.sub(" ", text).strip()


# The spellings of a letter without its diacritic (DIN 5007-2 for German: ä ae, ö oe, ü ue;
# Danish and Norwegian: ø oe, å aa, æ ae), after `fold` has already dropped the diacritics
# (ä -> a, å -> a, ø -> o): the second letter goes too, so "Mueller", "Müller" and "Muller"
# agree, as do "Aase", "Åse" and "Ase". Used on both sides of every comparison.
_TRANSLITERATION = re.compile(r"(?<=[aou])e|(?<=a)a+")


def match_fold(text: str | None) -> str:
    """`fold`, and the transliterations of umlauts and Nordic letters folded the same way."""
    return _TRANSLITERATION.sub("", fold(text))


def person_name_key(name: str | None) -> str:
    return match_fold(name)


def _legal_words(words: list[str]) -> list[str]:
    """Runs of single letters joined when they spell a legal form ("s p a" -> "spa")."""
    out: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1:
            run.append(word)
            continue
        if run:
            joined = "".join(run)
            out += [joined] if joined in LEGAL_SUFFIXES or joined in LEGAL_PREFIXES else run
            run = []
        if word:
            out.append(word)
    return out


def organization_name_key(name: str | None) -> str:
    """The folded name without its legal form(s) at the end (or the start, for some).

    "ACME GmbH & Co. KG", "Acme S.p.A." and "ACME, Inc." all give "acme"; a name made only
    of legal words keeps them ("Limited Company").
    """
    words = _legal_words(fold(name).split())
    end = len(words)
    while end > 0 and words[end - 1] in LEGAL_SUFFIXES:
        end -= 1
    start = 0
    while start < end - 1 and words[start] in LEGAL_PREFIXES:
        start += 1
    return _TRANSLITERATION.sub("", " ".join(words[start:end] or words))


def email_key(email: str | None) -> str:
    """`"Ann Lee" <Ann.Lee@Example.COM >` -> `ann.lee@example.com`; '' when not an address."""
    if not email:
        return ""
    _display, address = parseaddr(email.strip())
    address = "".join(address.split()).lower()
    if address.count("@") != 1:
        return ""
    local, domain = address.split("@")
    if not local or "." not in domain:
        return ""
    return f"{mailbox_key(local, domain)}@{domain_idna(domain)}"


# Mail hosts where dots in the mailbox are not part of the address (Gmail's rule).
_DOTLESS_MAILBOX_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def mailbox_key(local: str, domain: str) -> str:
    """The mailbox an address reaches: without its sub-address, and Gmail's dots dropped.

    RFC 5233 sub-addressing ("user+detail@"): the detail selects a folder of the user's
    mailbox, on any host that supports it, so it says nothing about who the person is. A
    mailbox that is only a detail ("+tag@") is kept as written.
    """
    user = local.split("+", 1)[0] or local
    if domain in _DOTLESS_MAILBOX_DOMAINS:
        user = user.replace(".", "") or user
    return user


def domain_idna(domain: str) -> str:
    """An internationalized domain in its ASCII form ("bücher.de" -> "xn--bcher-kva.de")."""
    domain = _DOTLESS_MAILBOX_DOMAINS.get(domain, domain)
    if domain.isascii():
        return domain
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def phone_key(phone: str | None, default_country: str) -> str:
    """E.164, a number without a country code read in `default_country`; '' when not a number."""
    if not phone or not phone.strip():
        return ""
    text = phone.strip()
    if text.startswith("00"):
        # "00" is the international prefix ITU-T recommends (E.164 annex) and most of the
        # world dials; read it as "+" whatever the default country's own prefix is.
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, default_country)
    except phonenumbers.NumberParseException:
        return ""
    # A number too short to be dialled from abroad ("12") is no E.164 number: only the
    # full national significant number with its country code is (a local-only one is not).
    if phonenumbers.is_possible_number_with_reason(parsed) != _POSSIBLE:
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


_POSSIBLE = phonenumbers.ValidationResult.IS_POSSIBLE


def domain_key(website: str | None) -> str:
    """`https://www.Example.com/about` -> `example.com`; an e-mail's domain works too."""
    if not website:
        return ""
    value = website.strip().lower()
    if "@" in value and "/" not in value:
        value = value.rsplit("@", 1)[1]
    if "://" not in value:
        value = "http://" + value
    try:
        host = urlsplit(value).hostname or ""
    except ValueError:
        return ""
    host = host.removeprefix("www.")
    return host if "." in host else ""


# Given names that mean the same person: nicknames and the English/German forms of one name.
# One group per line; a name may sit in several groups ("chris", "ted"). Written for this CRM.
_GIVEN_NAME_GROUPS = """
    abigail abby abbie
    albert al bert berti bertie
    alexander alex alec alexis sandy xander sascha sasha
    alexandra alex alexa lexi lexie sandra sandy sascha sasha
    alfred alf alfie fred freddie
    andrew andy drew andreas andre andi
    anna ann anne annie anja anni
    anthony tony anton toni
    archibald archie
    arthur art artie
    augustus august gus gustl
    barbara barb babs barbel
    benedikt benedict ben
    benjamin ben benny benji
    bernhard bernard bernd bernie
    caroline carolyn carol carrie karoline lina
    catherine katherine kathryn katharina katrin kathrin kate katie kathy cathy kat kati kathi kathe
    charles charlie chuck chas karl carl
    charlotte lotte lottie charly
    christian chris christ
    christine christina chris chrissy tina kristina kristin
    christopher chris kit topher
    cynthia cindy
    daniel dan danny dani
    david dave davey davy
    deborah debbie deb debra
    donald don donnie
    dorothy dorothea dot dottie dora
    douglas doug
    edward ed eddie eddy ted teddy ned
    edmund ed eddie ned
    eleanor elenore leonore nora ella ellie nell nellie
    elias eli
    elizabeth elisabeth liz lizzie lizzy liza eliza beth betty bess lisa lisbeth elise elsa ilse
    eugene gene
    ferdinand ferdi
    florian flo
    franziska franzi fanny
    frederick frederic friedrich fred freddie freddy fritz
    gabriele gabriella gabrielle gabi gaby
    gerald gerry jerry
    gregory greg gregor
    gunther guenther gunter
    harold harry hal
    helen helena helene ellen lena
    henry harry hank heinrich heinz hinrich henrik
    isabella isabel isabelle bella izzy
    jacob jake jakob
    jacqueline jackie
    james jim jimmy jamie
    jennifer jen jenny jenni
    jessica jess jessie
    johanna hanna hannah
    john jon johnny jack johann johannes hans hannes jan
    jonathan jon jonny
    joseph joe joey josef sepp
    josephine jo josie
    joshua josh
    kenneth ken kenny
    konstantin constantin
    lawrence laurence larry lorenz
    leonard leonhard leo len lenny
    lukas lucas luke
    manfred manni
    margaret margarete margarethe maggie meg peggy greta grete gretchen margit
    maria mary marie mia
    matilda mathilda tilly tilda
    matthew matthias mathias matthaus matt
    maximilian max maxi
    michael mike mikey mick micky michi
    nathaniel nathan nate nat
    nicholas nick nicky nico niklas nikolaus klaus claus
    oliver olly ollie
    olivia liv livvy
    pamela pam
    patricia pat patty trish tricia
    patrick pat paddy
    peter pete
    philipp philip phil pip
    raphael rafael rafa
    raymond ray
    rebecca becky becca
    reginald reggie reg
    richard rick ricky rich richie dick
    robert rob robbie bob bobby bert
    ronald ron ronnie
    rudolf rudolph rudi rudy
    samantha sam sammy
    samuel sam sammy
    sebastian basti seb
    stephen steven steve stefan stephan
    susan susanne suzanne sue susie susi
    teresa theresa terry tess tessa resi
    theodore theo ted teddy
    thomas tom tommy thom
    timothy tim timmy
    tobias toby tobi
    ulrich uli ulli
    ulrike ulla rike
    veronika veronica vroni
    victoria viktoria vicky vicki tori
    walter walther walt
    william wilhelm bill billy will willy willi liam
    zachary zach zack
"""
_GIVEN_NAME_VARIANTS: dict[str, frozenset[str]] = {}
for _line in _GIVEN_NAME_GROUPS.strip().splitlines():
    # Keyed as the names are compared: "michael" and "samuel" as `match_fold` gives them.
    _group = frozenset(match_fold(_line).split())
    for _name in _group:
        _GIVEN_NAME_VARIANTS[_name] = _GIVEN_NAME_VARIANTS.get(_name, frozenset()) | _group

# Forms of address and titles, which say nothing about who a person is.
_TITLES = frozenset("mr mrs ms miss dr prof herr frau fr hr dipl ing mag sir".split())  # noqa: SIM905

_SOUNDEX_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


def given_name_variants(token: str) -> frozenset[str]:
    """A folded given name and the names that may stand for it ("bill" -> william, will...)."""
    return _GIVEN_NAME_VARIANTS.get(token, frozenset()) | {token}


def phonetic_key(word: str) -> str:
    """Soundex of a folded word: "meyer", "maier" and "mayr" all give M600; '' for no letters.

    Tolerates the typos that keep the consonants (vowels, doubled letters) and transliterated
    umlauts ("mueller" = "muller"); the name scoring handles the rest.
    """
    letters = [ch for ch in word if "a" <= ch <= "z"]
    if not letters:
        return ""
    code = letters[0].upper()
    previous = _SOUNDEX_CODES.get(letters[0], "")
    for ch in letters[1:]:
        digit = _SOUNDEX_CODES.get(ch, "")
        if digit and digit != previous:
            code += digit
            if len(code) == 4:
                break
        if ch not in "hw":  # h and w do not separate two equal codes; vowels do
            previous = digit
    return code.ljust(4, "0")


def person_name_tokens(name: str | None) -> list[str]:
    """The folded words of a person's name, given name first, without titles.

    "Smith, John" is read as "John Smith"; other orders are left as written (the duplicate
    check tries both).
    """
    if name and "," in name:
        family, _comma, given = name.partition(",")
        name = f"{given} {family}"
    words = match_fold(name).split()
    return [w for w in words if w not in _TITLES] or words


# Articles a company name may start with ("The Boring Company", "Die Bahn").
_ARTICLES = frozenset({"the", "der", "die", "das"})


def organization_name_tokens(name: str | None) -> list[str]:
    """The words of an organization's name key, without a leading article."""
    words = organization_name_key(name).split()
    return words[1:] if len(words) > 1 and words[0] in _ARTICLES else words


def letter_key(word: str) -> str:
    """The distinct letters of a folded word, sorted: "wslion" and "wilson" give "ilnosw".

    Catches what phonetic keys miss: swapped and doubled letters ("Jsneo", "BryBant").
    """
    return "".join(sorted({ch for ch in word if "a" <= ch <= "z"}))


def person_index_fields(name: str | None) -> dict[str, str]:
    """The stored, indexed columns derived from a person's name (set by every write).

    Besides `name_key`, the duplicate check looks candidates up by keys of the first word
    (`given_*`) and, for a name of two or more words, of the last word (`family_*`, else ''):
    the word itself, its phonetic key and its letters. That finds a person whose name is
    misspelt, shortened to an initial or a nickname, or written family name first.
    """
    tokens = person_name_tokens(name)
    given = tokens[0][:WORD_KEY_LENGTH] if tokens else ""
    family = tokens[-1][:WORD_KEY_LENGTH] if len(tokens) > 1 else ""
    return {
        "name_key": person_name_key(name),
        "given_key": given,
        "given_sound": phonetic_key(given),
        "given_letters": letter_key(given),
        "family_key": family,
        "family_sound": phonetic_key(family),
        "family_letters": letter_key(family),
    }


def organization_index_fields(name: str | None, website: str | None) -> dict[str, str]:
    """The stored, indexed columns derived from an organization's name and website.

    `name_sound` is the phonetic key of the name's first word (legal forms dropped), the
    duplicate check's lookup for a misspelt name where there is no trigram index.
    """
    tokens = organization_name_tokens(name)
    return {
        "name_key": organization_name_key(name),
        "domain": domain_key(website),
        "name_sound": phonetic_key(tokens[0]) if tokens else "",
    }
