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

# Legal forms dropped from organization names before matching ("ACME GmbH" == "Acme").
LEGAL_SUFFIXES = frozenset(
    """
    gmbh mbh ag kg ohg gbr ug eg ev se co kgaa inc incorporated corp corporation company
    ltd limited llc llp lp plc pty pte sa sas sarl srl spa bv nv oy ab as aps oyj kk
    """.split()  # noqa: SIM905 (a word list reads best as words)
)


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
    return _NON_ALNUM.sub(" ", text).strip()


def person_name_key(name: str | None) -> str:
    return fold(name)


def organization_name_key(name: str | None) -> str:
    words = fold(name).split()
    kept = [w for w in words if w not in LEGAL_SUFFIXES]
    # "GmbH & Co. KG" leaves "co"; a name made only of legal words keeps them.
    return " ".join(kept or words)


def email_key(email: str | None) -> str:
    """`"Ann Lee" <Ann.Lee@Example.COM >` -> `ann.lee@example.com`; '' when not an address."""
    if not email:
        return ""
    _display, address = parseaddr(email.strip())
    address = "".join(address.split()).lower()
    if address.count("@") != 1:
        return ""
    local, domain = address.split("@")
    return f"{local}@{domain}" if local and "." in domain else ""


def phone_key(phone: str | None, default_country: str) -> str:
    """E.164, a number without a country code read in `default_country`; '' when not a number."""
    if not phone or not phone.strip():
        return ""
    try:
        parsed = phonenumbers.parse(phone, default_country)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


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
    _group = frozenset(_line.split())
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
    words = fold(name).split()
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
