"""How likely a candidate is the same person or organization: pure scoring, no ORM.

A score runs from 0 to 100. The same normalized e-mail address or phone number (for an
organization, the same website domain) is a certain match and scores 100. Anything else is a
set of hints (alike names, a nearly identical e-mail address, the same organization), each
with a weight, combined as independent hints (1 - the product of their complements): two
hints weigh more than either alone, and hints alone never reach 100.

`contacts.selectors.duplicates` finds the candidates in the database and calls these.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import permutations

from django.utils.translation import gettext as _
from rapidfuzz.distance import OSA, Indel

from contacts.normalize import (
    given_name_variants,
    letter_key,
    organization_name_tokens,
    person_name_tokens,
)

# Scores from which a candidate is shown as a possible duplicate. Tuned on the labelled
# persons of bench/duplicates_quality.py: a one-word name one typo off a word of the other
# name ("Jnes" / "Mia Jones", 0.65 * 0.8) is shown, "Thomas Müller" / "Thomas Meier" (50)
# is not. Lower finds more misspelt duplicates, higher shows fewer namesakes.
PERSON_THRESHOLD = 52
ORGANIZATION_THRESHOLD = 70

# Weights of the hints.
_NAME_WEIGHT = 0.9  # alike full names, times their similarity
_ONE_WORD_NAME_WEIGHT = 0.65  # a one-word name ("Brown") alike a word of the other name
_SAME_ONE_WORD = 0.03  # more when the other name is one word too
_EMAIL_WEIGHT = 0.8  # an e-mail address one or two typos away from the candidate's
_EMAIL_USER_WEIGHT = 0.6  # the same personal mailbox (before the "@") at another domain
_EMAIL_ALIKE_WEIGHT = 0.3  # mailbox and domain both somewhat alike ("evlynnm@pagm.coe")
# Indel similarities of two mailboxes or two domains: a typo's, and somewhat alike.
_NEAR = 0.85
_SOMEWHAT = 0.75
_TYPO_DOMAIN = 0.7  # behind the same mailbox, a domain this alike is a typo ("whige.wort")
_ORGANIZATION_WEIGHT = 0.25  # works for the same organization
# When two full names disagree on a word ("John Smith" / "Anna Smith"), the other hints
# count this much: colleagues share organizations and e-mail patterns (j.smith@, a.smith@).
_CONFLICT_DISCOUNT = 0.1

# Word similarities.
_INITIAL = 0.9  # "J" for "John"
_NICKNAME = 0.95  # "Bill" for "William"
_TRANSLITERATED = 0.97  # "Mueller" for "Müller" (which folds to "muller")
_SAME_LETTERS = 0.8  # "Jsneo" for "Jones": letters swapped or doubled
_TYPO = 0.8  # from here on two words are likely one with a typo ("Alen"/"Allen" 0.89)
_UNLIKE = 0.5  # below this two words are different words, not a typo of each other
_JOINED = 0.9  # "Anne Marie"/"Annemarie": the words differ, the letters hardly
# What a word only one of the names has costs: a first or last word (a missing given or
# family name) much more than a middle one.
_MISSING_OUTER_WORD = 0.3
_MISSING_MIDDLE_WORD = 0.1
_MISSING_ORGANIZATION_WORD = 0.15
_SWAPPED_ORDER = 0.02  # "Smith John": as good as the same, but ranked after it
_MAX_WORDS = 4  # words compared of a name: 4! alignments at most

# German umlauts typed without them: "ae", "oe", "ue" for "ä", "ö", "ü" (folded to a, o, u).
_UMLAUT_SPELLING = re.compile(r"([aou])e")

# Mailboxes of a role, not a person: the same "info@" at two domains says nothing.
ROLE_MAILBOXES = frozenset(
    """
    admin billing buchhaltung contact hello hallo help hr info jobs kontakt mail marketing
    office post press presse rechnung sales service support team vertrieb webmaster
    """.split()  # noqa: SIM905 (a word list reads best as words)
)


@dataclass(frozen=True)
class PersonFacts:
    """What the duplicate check compares of a person; e-mails and phones as normalized keys."""

    name: str = ""
    emails: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()
    organization_id: int | None = None
    organization_name: str = ""


@dataclass(frozen=True)
class OrganizationFacts:
    """What the duplicate check compares of an organization; `domain` as `domain_key`."""

    name: str = ""
    domain: str = ""


@dataclass(frozen=True)
class DuplicateScore:
    score: int  # 0..100
    reasons: tuple[str, ...] = ()
    certain: bool = False
    # How the candidates below the display threshold are ordered (never shown): the score
    # with the words weighed by their letters, so that "Jad Gildrea" comes before "Emma
    # Green" as a weak candidate for "Emma Gildea". Above it, candidates go by `score`.
    affinity: float = 0.0


@dataclass(frozen=True)
class _Alignment:
    similarity: float  # of the whole names: words one of them lacks lower it
    matched: float  # of the words paired with each other only
    conflict: bool  # two words set against each other are different words
    # `similarity` with each pair of words weighing as many letters as its longer word
    weighted: float = 0.0


def word_similarity(a: str, b: str, *, given_names: bool = True) -> float:
    """0..1 for two folded words: typos, initials, nicknames (with `given_names`)."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    if len(a) == 1 or len(b) == 1:
        return _INITIAL if a[0] == b[0] else 0.0
    if given_names and b in given_name_variants(a):
        return _NICKNAME
    if _UMLAUT_SPELLING.sub(r"\1", a) == _UMLAUT_SPELLING.sub(r"\1", b):
        return _TRANSLITERATED
    similarity = max(Indel.normalized_similarity(a, b), OSA.normalized_similarity(a, b))
    if letter_key(a) == letter_key(b) and abs(len(a) - len(b)) <= 2:
        similarity = max(similarity, _SAME_LETTERS)
    if similarity >= _TYPO:
        return similarity
    # Below a typo's similarity, falling fast to 0 at _UNLIKE: different names ("Allen",
    # "Alfie": 0.6) count little.
    return max(0.0, similarity - _UNLIKE) / (_TYPO - _UNLIKE) * _TYPO


def _align(
    short: Sequence[str],
    long: Sequence[str],
    similar: Callable[[str, str], float],
    missing_outer: float,
    missing_middle: float,
) -> _Alignment:
    """The best one-to-one pairing of the words of `short` with words of `long`."""
    grid = [[similar(a, b) for b in long] for a in short]
    best: tuple[float, bool, tuple[int, ...]] | None = None
    for chosen in permutations(range(len(long)), len(short)):
        total = sum(grid[i][j] for i, j in enumerate(chosen))
        in_order = list(chosen) == sorted(chosen)
        if best is None or (total, in_order) > best[:2]:
            best = (total, in_order, chosen)
    assert best is not None
    total, in_order, chosen = best
    matched = similarity = total / len(short)
    # Each pair weighing as many letters as its longer word: agreeing on "Gildea" says more
    # than agreeing on "Emma", and an initial says least.
    weights = [max(len(short[i]), len(long[j])) for i, j in enumerate(chosen)]
    weighted = sum(grid[i][j] * w for (i, j), w in zip(enumerate(chosen), weights, strict=True))
    weighted /= sum(weights)
    for j in set(range(len(long))) - set(chosen):
        cost = missing_outer if j in (0, len(long) - 1) else missing_middle
        similarity -= cost
        weighted -= cost
    if not in_order:
        similarity -= _SWAPPED_ORDER
        weighted -= _SWAPPED_ORDER
    conflict = any(
        grid[i][j] < _UNLIKE and len(short[i]) > 1 and len(long[j]) > 1
        for i, j in enumerate(chosen)
    )
    return _Alignment(max(similarity, 0.0), matched, conflict, max(weighted, 0.0))


def _name_alignment(
    a: Sequence[str],
    b: Sequence[str],
    similar: Callable[[str, str], float],
    missing_outer: float,
    missing_middle: float,
) -> _Alignment:
    a, b = a[:_MAX_WORDS], b[:_MAX_WORDS]
    if not a or not b:
        return _Alignment(0.0, 0.0, conflict=False)
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    aligned = _align(short, long, similar, missing_outer, missing_middle)
    # "Anne Marie" / "Annemarie": the words differ, the letters do not.
    joined = Indel.normalized_similarity("".join(a), "".join(b))
    if joined >= _JOINED and joined > aligned.similarity:
        return _Alignment(joined, joined, conflict=False, weighted=joined)
    return aligned


@lru_cache(maxsize=4096)
def _person_words(name: str) -> tuple[str, ...]:
    # One check compares its query with up to fifty candidates: fold the query once.
    return tuple(person_name_tokens(name))


def person_name_similarity(a: str, b: str) -> float:
    """0..1: alike despite typos, nicknames, initials, word order, accents, titles."""
    return _person_name_alignment(a, b).similarity


def _person_name_alignment(a: str, b: str) -> _Alignment:
    return _name_alignment(
        _person_words(a),
        _person_words(b),
        word_similarity,
        _MISSING_OUTER_WORD,
        _MISSING_MIDDLE_WORD,
    )


def organization_name_similarity(a: str, b: str) -> float:
    """0..1: alike despite typos, accents, legal forms ("ACME GmbH" = "Acme Inc.")."""
    return _name_alignment(
        organization_name_tokens(a),
        organization_name_tokens(b),
        lambda x, y: word_similarity(x, y, given_names=False),
        _MISSING_ORGANIZATION_WORD,
        _MISSING_ORGANIZATION_WORD,
    ).similarity


def email_hint(a: str, b: str) -> float:
    """The weight of two different e-mail keys as a hint of one person, 0 when none.

    Typos in the mailbox or the domain weigh most, then the same personal mailbox at another
    domain ("anna.berg@" at work and at home), then addresses only somewhat alike.
    """
    user_a, _at, domain_a = a.partition("@")
    user_b, _at, domain_b = b.partition("@")
    users = Indel.normalized_similarity(user_a, user_b)
    domains = Indel.normalized_similarity(domain_a, domain_b)
    if (users >= _NEAR and domains >= _NEAR) or (users == 1.0 and domains >= _TYPO_DOMAIN):
        return _EMAIL_WEIGHT
    if users == 1.0 and is_personal_mailbox(user_a):
        return _EMAIL_USER_WEIGHT
    if users >= _SOMEWHAT and domains >= _SOMEWHAT:
        return _EMAIL_ALIKE_WEIGHT
    return 0.0


def is_personal_mailbox(user: str) -> bool:
    """Is the part before the "@" specific enough to be one person's ("j.c" and "info" not)?"""
    return len(user) >= 4 and user not in ROLE_MAILBOXES


def _combine(weights: Iterable[float]) -> float:
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - weight
    return 1.0 - remaining


def _name_reason(similarity: float) -> str:
    if similarity >= 0.995:
        return _("same name")
    return _("name %(percent)d%% similar") % {"percent": round(similarity * 100)}


def score_person(query: PersonFacts, candidate: PersonFacts) -> DuplicateScore:
    """How likely `candidate` is the person `query` describes."""
    reasons: list[str] = []
    certain = False
    if query.emails & candidate.emails:
        reasons.append(_("same email"))
        certain = True
    if query.phones & candidate.phones:
        reasons.append(_("same phone"))
        certain = True

    name = _person_name_alignment(query.name, candidate.name)
    if name.similarity >= _UNLIKE:
        reasons.append(_name_reason(name.similarity))
    full_names = min(len(_person_words(query.name)), len(_person_words(candidate.name))) > 1
    conflict = full_names and name.conflict
    if full_names:
        hints = [_NAME_WEIGHT * name.similarity]
    else:
        # One word ("Brown") says less than a full name, but no less when the other name
        # has a second word: "Brown" is as likely "Florence Brown" as another "Brown".
        hints = [_ONE_WORD_NAME_WEIGHT * name.matched]
        if len(_person_words(query.name)) == len(_person_words(candidate.name)):
            # "Campbell" is likelier the other "Campbell" than "Bailey Campbell".
            hints[0] += _SAME_ONE_WORD * name.similarity
    other_hints: list[float] = []
    if not certain:
        email = max((email_hint(a, b) for a in query.emails for b in candidate.emails), default=0.0)
        if email:
            reasons.append(_("similar email"))
            other_hints.append(email)
    if _same_organization(query, candidate):
        reasons.append(_("same organization"))
        other_hints.append(_ORGANIZATION_WEIGHT)
    if conflict:
        other_hints = [weight * _CONFLICT_DISCOUNT for weight in other_hints]

    if certain:
        return DuplicateScore(100, tuple(reasons), certain=True, affinity=100.0)
    score = min(round(100 * _combine(hints + other_hints)), 99)
    if full_names:
        hints = [_NAME_WEIGHT * name.weighted]
    affinity = min(100 * _combine(hints + other_hints), 99.0)
    return DuplicateScore(score, tuple(reasons), affinity=affinity)


def _same_organization(query: PersonFacts, candidate: PersonFacts) -> bool:
    if query.organization_id is not None and query.organization_id == candidate.organization_id:
        return True
    return bool(
        query.organization_name
        and candidate.organization_name
        and organization_name_similarity(query.organization_name, candidate.organization_name)
        >= 0.9
    )


def score_organization(query: OrganizationFacts, candidate: OrganizationFacts) -> DuplicateScore:
    """How likely `candidate` is the organization `query` describes."""
    reasons: list[str] = []
    certain = bool(query.domain) and query.domain == candidate.domain
    if certain:
        reasons.append(_("same website"))
    similarity = organization_name_similarity(query.name, candidate.name)
    if similarity >= _UNLIKE:
        reasons.append(_name_reason(similarity))
    if certain:
        return DuplicateScore(100, tuple(reasons), certain=True)
    return DuplicateScore(min(round(100 * _NAME_WEIGHT * similarity), 99), tuple(reasons))
