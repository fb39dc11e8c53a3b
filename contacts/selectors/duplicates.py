"""Duplicate candidates for a person or an organization, scoped to what the user may see.

Candidate generation is indexed (normalized e-mail and phone keys, pg_trgm on the name key);
scoring is the pure `contacts.duplicates` module.

A person check costs the same few queries whatever the size of the table (plus the two of
`crm.visibility.reach`, once per user):

1. the persons with the same e-mail or phone key, or an address that may be a typo of one
   (`PersonEmail.key` and `PersonPhone.key` indexes), when the check has any;
2. for a name of two or more words, the sizes of the blocks of persons sharing one word, its
   sound or its first letters with it, counted up to `RARE_BLOCK` (one UNION ALL of
   index-only lookups): the small ones become candidate sets of their own;
3. the candidates themselves, at most `CANDIDATE_LIMIT`, best first: those of (1) and (2)
   and those whose name is alike, found by index only, several blocking keys merged: the
   folded full name (`name_key`, equal or, on PostgreSQL, pg_trgm `%` on its GIN index),
   and the word keys of `normalize.person_index_fields` in pairs, both orders: a word
   equal, a nickname or an initial, its sound (Soundex) or its letters, with the other word
   equal, alike or only its initial; the first letters of both words (a typo in each);
   a one-word name stored against any word. SQLite has no trigram index: there wider
   word-key lookups stand in;
4. and 5. their e-mails and phones (prefetched; the organization comes joined in 3).

On PostgreSQL, 2 to 4 run in a transaction that sets the trigram threshold and sets it back
(`_trigram_threshold`): two statements more. An organization check is one query (2).

Every query filters with `visible_q`, so a record the user may not see is never a candidate
and never crowds one out of the limit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import permutations

from django.conf import settings
from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection, transaction
from django.db.models import Case, Q, Value, When

from contacts.duplicates import (
    ORGANIZATION_THRESHOLD,
    PERSON_THRESHOLD,
    OrganizationFacts,
    PersonFacts,
    is_personal_mailbox,
    score_organization,
    score_person,
    word_similarity,
)
from contacts.models import Organization, Person, PersonEmail, PersonPhone
from contacts.normalize import (
    domain_key,
    email_key,
    given_name_variants,
    letter_key,
    organization_name_key,
    organization_name_tokens,
    person_name_key,
    person_name_tokens,
    phone_key,
    phonetic_key,
)
from contacts.selectors.duplicate_blocks import PREFIX, rare_word_arms, starts_with
from crm.models import User
from crm.visibility import visible_q

# Candidates scored per check, best first by the database's own ranking.
CANDIDATE_LIMIT = 50
# Persons found by e-mail or phone per check (more share an address only by mistake).
CONTACT_LIMIT = 50
# The trigram similarity (pg_trgm `%`) from which a name is a trigram candidate. The
# extension's default, 0.3, makes every "Thomas S..." a candidate of "Thomas Schmidt": tens
# of thousands of rows to rank in a large table. From 0.6 a misspelling of a longer name
# still is one ("thomas shmidt" 0.71); the word keys find the shorter ones. (The word
# similarities, `%>` and `%>>`, would make every "Catherine" one of "Catherine Wolf".)
TRIGRAM_THRESHOLD = 0.6
_MAX_TRIGRAM_THRESHOLD = 0.8
_TRIGRAM_SETTING = "pg_trgm.similarity_threshold"
# From this length a mailbox is also looked up by its start, for a typo near its end.
_MAILBOX_TYPO_FROM = 7
# From this word similarity a weak candidate shares a word with the query (a typo's, 0.8).
_SHARED_WORD = 0.8
# Words of a name looked up: a name of n words gives n*(n-1) word pairs.
_MAX_WORDS = 4


@dataclass(frozen=True)
class DuplicateMatch:
    record: Person | Organization
    score: int  # 0..100
    reasons: list[str] = field(default_factory=list)
    certain: bool = False  # same normalized e-mail / phone / domain
    # The order of candidates below the display threshold (`DuplicateScore.affinity`)
    affinity: float = 0.0


def person_duplicates(
    *,
    user,
    name: str = "",
    emails: list[str] | tuple[str, ...] = (),
    phones: list[str] | tuple[str, ...] = (),
    organization: Organization | str | None = None,
    exclude_ids: tuple[int, ...] | list[int] = (),
    limit: int = 10,
    min_score: int = PERSON_THRESHOLD,
) -> list[DuplicateMatch]:
    """The persons `user` may see that may be the one described, best first.

    `emails` and `phones` as written (normalized here); `organization` an Organization, its
    id or its name. `min_score` below the display threshold gives the check's ranking of
    weaker candidates too (the quality bench compares it with a full scan's).
    """
    query = PersonFacts(
        name=name or "",
        emails=frozenset(filter(None, (email_key(e) for e in emails))),
        phones=frozenset(
            filter(None, (phone_key(p, settings.CRM_DEFAULT_COUNTRY) for p in phones))
        ),
        **_organization_facts(organization),
    )
    words = person_name_tokens(query.name)[:_MAX_WORDS]
    contact_ids = _person_ids_by_contact(user, query) if query.emails or query.phones else []
    arms = [Q(pk__in=contact_ids)] if contact_ids else []
    if words:
        arms += _person_name_arms(words, person_name_key(query.name))
        arms += rare_word_arms(words) if len(words) > 1 else []
    if not arms:
        return []
    best_first = (
        Person.objects.filter(visible_q(user))
        .filter(_any(arms))
        .exclude(pk__in=exclude_ids)
        .annotate(rank=_person_rank(words, query.name, contact_ids))
        .order_by("-rank", "pk")
        .select_related("organization")
        .prefetch_related("emails", "phones")
    )
    with _trigram_threshold(_name_trigram_threshold(words)):
        candidates = list(best_first[:CANDIDATE_LIMIT])
    matches = []
    for person in candidates:
        verdict = score_person(query, _person_facts(person))
        if verdict.score >= min_score:
            matches.append(
                DuplicateMatch(
                    person, verdict.score, list(verdict.reasons), verdict.certain, verdict.affinity
                )
            )
    return _best(matches, limit, shown_from=PERSON_THRESHOLD, query_words=words)


def organization_duplicates(
    *,
    user,
    name: str = "",
    website: str = "",
    exclude_ids: tuple[int, ...] | list[int] = (),
    limit: int = 10,
) -> list[DuplicateMatch]:
    """The organizations `user` may see that may be the one described, best first."""
    query = OrganizationFacts(name=name or "", domain=domain_key(website))
    words = organization_name_tokens(query.name)
    key = organization_name_key(query.name)
    arms = [Q(domain=query.domain)] if query.domain else []
    rank = _flag(Q(domain=query.domain), 16) if query.domain else Value(0.0)
    if words:
        arms += [Q(name_key=key), Q(name_sound=phonetic_key(words[0]))]
        rank += _flag(Q(name_key=key), 8)
        if _is_postgresql():
            arms.append(Q(name_key__trigram_similar=key))
            rank += TrigramSimilarity("name_key", key)
        else:
            # A misspelling after the first three letters ("Siemsen" for "Siemens").
            arms.append(starts_with("name_key", words[0][:3]))
    if not arms:
        return []
    best_first = (
        Organization.objects.filter(visible_q(user))
        .filter(_any(arms))
        .exclude(pk__in=exclude_ids)
        .annotate(rank=rank)
        .order_by("-rank", "pk")
    )
    with _trigram_threshold():
        candidates = list(best_first[:CANDIDATE_LIMIT])
    matches = []
    for org in candidates:
        verdict = score_organization(query, OrganizationFacts(name=org.name, domain=org.domain))
        if verdict.score >= ORGANIZATION_THRESHOLD:
            matches.append(
                DuplicateMatch(org, verdict.score, list(verdict.reasons), verdict.certain)
            )
    return _best(matches, limit, shown_from=ORGANIZATION_THRESHOLD)


def _best(
    matches: list[DuplicateMatch], limit: int, shown_from: int, query_words: Sequence[str] = ()
) -> list[DuplicateMatch]:
    """Best first; among equal scores, the fuller record first, and one of each name first.

    A fuller record ("Florence Brown" before "Brown") is the one to keep, so the one to
    show. And when "Brown" ties with four "Lola Brown" and one "Florence Brown", showing
    both names beats showing four of one. Candidates below `shown_from` (asked for with a
    lower `min_score`) come after, by their affinity, taking turns by which words of the
    query they share: a weak candidate is a guess at which word is wrong ("Daniel Marcic"
    and "Matilda Hanna" for "Daniel Hanna"), and five guesses of one kind cover less.
    """
    shown = [m for m in matches if m.score >= shown_from]
    shown.sort(key=lambda m: (-m.score, -len(_name_words(m.record)), m.record.pk))
    seen: Counter[tuple[float, str]] = Counter()
    ranked = []
    for position, match in enumerate(shown):
        same_name = (match.score, " ".join(sorted(_name_words(match.record))))
        ranked.append((-match.score, seen[same_name], position, match))
        seen[same_name] += 1
    ranked.sort(key=lambda entry: entry[:3])
    best = [entry[3] for entry in ranked[:limit]]
    if len(best) == limit:
        return best
    weak = [m for m in matches if m.score < shown_from]
    weak.sort(key=lambda m: (-m.affinity, -len(_name_words(m.record)), m.record.pk))
    turns: Counter[frozenset[int]] = Counter()
    guesses = []
    for position, match in enumerate(weak):
        words = _name_words(match.record)
        shared = frozenset(
            i
            for i, word in enumerate(query_words)
            if any(word_similarity(word, other) >= _SHARED_WORD for other in words)
        )
        # One that shares no word is no guess at all: after every guess.
        guesses.append((not shared, turns[shared], position, match))
        turns[shared] += 1
    guesses.sort(key=lambda entry: entry[:3])
    return (best + [entry[3] for entry in guesses])[:limit]


def _name_words(record: Person | Organization) -> list[str]:
    if isinstance(record, Person):
        return person_name_tokens(record.name)
    return organization_name_tokens(record.name)


def _organization_facts(organization: Organization | int | str | None) -> dict:
    if isinstance(organization, Organization):
        return {"organization_id": organization.pk, "organization_name": organization.name}
    if isinstance(organization, int):
        return {"organization_id": organization}
    return {"organization_name": organization or ""}


def _person_facts(person: Person) -> PersonFacts:
    org = person.organization
    return PersonFacts(
        name=person.name,
        emails=frozenset(e.key for e in person.emails.all()),
        phones=frozenset(p.key for p in person.phones.all()),
        organization_id=person.organization_id,
        organization_name=org.name if org else "",
    )


def _person_ids_by_contact(user: User, query: PersonFacts) -> list[int]:
    """Persons with one of the e-mail or phone keys, or an address that may be a typo of one.

    Best first: the same address or number, then the same mailbox at another (or a typo'd)
    domain, then a mailbox that starts the same ("gdavidron@" for "gdavidson@").
    """
    found = []
    if query.emails:
        near = [Q(key__in=query.emails)]
        rank = _flag(Q(key__in=query.emails), 2)
        for address in query.emails:
            mailbox, _at, domain = address.partition("@")
            # A short mailbox ("j.c@") only at a domain with the same first letter, or every
            # "j.c@" of the database would be a candidate.
            near.append(
                _email_prefix_q(
                    f"{mailbox}@" if is_personal_mailbox(mailbox) else f"{mailbox}@{domain[:1]}"
                )
            )
            if len(mailbox) >= _MAILBOX_TYPO_FROM:
                # Up to its last three letters: long enough to be selective.
                near.append(_email_prefix_q(mailbox[: max(5, len(mailbox) - 3)]))
            rank += _flag(_email_prefix_q(f"{mailbox}@"), 1)
        found.append(
            PersonEmail.objects.filter(visible_q(user, prefix="person__"))
            .filter(_any(near))
            .annotate(rank=rank)
            .values_list("person_id", "rank")
            .order_by()  # no Meta.ordering inside a UNION
        )
    if query.phones:
        found.append(
            PersonPhone.objects.filter(visible_q(user, prefix="person__"))
            .filter(key__in=query.phones)
            .annotate(rank=Value(2.0))
            .values_list("person_id", "rank")
            .order_by()
        )
    union = found[0].union(*found[1:]) if len(found) > 1 else found[0]
    return [person_id for person_id, _rank in union.order_by("-rank")[:CONTACT_LIMIT]]


def _email_prefix_q(prefix: str) -> Q:
    """E-mail keys starting with `prefix`, by index on either database."""
    if _is_postgresql():
        # Django gives an indexed CharField a varchar_pattern_ops index: LIKE 'x@%' uses it.
        return Q(key__startswith=prefix)
    # SQLite compares bytes, so the prefix is a range of the plain index.
    return starts_with("key", prefix)


def _person_name_arms(words: list[str], name_key: str) -> list[Q]:
    """Persons with an alike name, as index lookups only (each arm has its index).

    Two or more words: for each ordered pair (a given name, a family name) of the query's
    words, trying both orders ("Smith John"), persons whose family name is that word or
    sounds like it or has its letters, and whose given name is the same, a nickname or its
    initial; or the other way round. Persons stored with a one-word name match on any word.
    One word: persons whose given or family name is like it.
    """
    wide = not _is_postgresql()
    arms = [Q(name_key=name_key)] + (
        _one_word_arms(words[0], wide=wide) if len(words) == 1 else _words_arms(words, wide=wide)
    )
    if not wide:
        # Last: PostgreSQL rechecks every arm on each row found, in this order, and this
        # one costs most.
        arms.append(Q(name_key__trigram_similar=name_key))
    return arms


def _words_arms(words: list[str], *, wide: bool) -> list[Q]:
    arms = [Q(family_key="", given_key__in=_all_variants(words))]
    for word in words:
        if len(word) > 1:
            arms.append(Q(family_key="", given_sound=phonetic_key(word)))
            arms.append(Q(family_key="", given_letters=letter_key(word)))
    for given, family in permutations(words, 2):
        names = given_name_variants(given)
        given_initial = starts_with("given_key", given[0])
        family_initial = starts_with("family_key", family[0])
        if len(family) > 1:
            # A nickname or an initial for the given name ("Bill", "B."), or a misspelt one.
            arms.append(Q(family_sound=phonetic_key(family), given_key__in=_and_initials(names)))
            arms.append(Q(family_key=family) & given_initial)
            arms.append(Q(family_letters=letter_key(family)) & given_initial)
            if wide:
                arms.append(Q(family_sound=phonetic_key(family)) & given_initial)
            # Both words misspelt ("Andsew Matthas", "Fergua Crofuch"): the first letters of
            # both (on PostgreSQL, the trigram arm finds the rest).
            if len(given) >= PREFIX and len(family) >= PREFIX:
                arms.append(
                    starts_with("given_key", given[:PREFIX])
                    & starts_with("family_key", family[:PREFIX])
                )
        # A misspelt family name (and given name, when its letters stay).
        arms.append(Q(given_key__in=names, family_sound=phonetic_key(family)))
        if len(given) > 1:
            arms.append(Q(given_letters=letter_key(given)) & family_initial)
        if wide:
            arms.append(Q(given_key__in=names) & family_initial)
    return arms


def _one_word_arms(word: str, *, wide: bool) -> list[Q]:
    arms = [Q(given_key__in=given_name_variants(word)), Q(family_key=word)]
    if len(word) > 1:
        sound, letters = phonetic_key(word), letter_key(word)
        arms += [Q(given_sound=sound), Q(given_letters=letters)]
        arms += [Q(family_sound=sound), Q(family_letters=letters)]
    # A typo after the first letters ("Nicholon" for "Nicholson") that changes sound and
    # letters. Three letters ("sch") are too common a start for a large table.
    start = word[: 3 if wide else 4]
    if len(word) > len(start):
        arms += [starts_with("given_key", start), starts_with("family_key", start)]
    return arms


def _person_rank(words: list[str], name: str, contact_ids: list[int]):
    """The database's own ordering of the candidates, so the limit keeps the likely ones."""
    rank = _flag(Q(pk__in=contact_ids), 16) if contact_ids else Value(0.0)
    if not words:
        return rank
    key = person_name_key(name)
    rank += _flag(Q(name_key=key), 8)
    rank += _flag(Q(given_key__in=_all_variants(words)), 2) + _flag(Q(family_key__in=words), 2)
    sounds = {phonetic_key(w) for w in words if len(w) > 1}
    rank += _flag(Q(given_sound__in=sounds), 1) + _flag(Q(family_sound__in=sounds), 1)
    if _is_postgresql():
        # Plain similarity: a tenth of the cost of the strict word one, for every candidate.
        rank += TrigramSimilarity("name_key", key) * Value(4.0)
    return rank


@contextmanager
def _trigram_threshold(threshold: float = TRIGRAM_THRESHOLD) -> Iterator[None]:
    """Run the block's queries with `threshold` as pg_trgm's similarity threshold.

    The setting is local to the transaction (one is opened if need be) and set back to what
    it was when the block ends, so a caller's own transaction sees no change.
    """
    if not _is_postgresql():
        yield
        return
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting(%s, true), set_config(%s, %s, true)",
            [_TRIGRAM_SETTING, _TRIGRAM_SETTING, f"{threshold:.3f}"],
        )
        previous = cursor.fetchone()[0]
        yield
        cursor.execute("SELECT set_config(%s, %s, true)", [_TRIGRAM_SETTING, previous or "0.3"])


def _name_trigram_threshold(words: list[str]) -> float:
    """TRIGRAM_THRESHOLD, or above the share of the query's trigrams its longest word holds.

    The GIN index cannot tell "Christopher Jackson" from any other "Christopher": 12 of the
    20 trigrams match, and 12/20 bounds their similarity from above. Only a threshold above
    that bound keeps the index from handing every Christopher over to be rechecked; one typo
    in either word still scores above it (0.77 for "christopher jakson").
    """
    if len(words) < 2:
        return TRIGRAM_THRESHOLD
    by_word = [_trigrams(word) for word in words]
    share = max(map(len, by_word)) / len(set().union(*by_word))
    return min(max(TRIGRAM_THRESHOLD, share + 0.05), _MAX_TRIGRAM_THRESHOLD)


def _trigrams(word: str) -> set[str]:
    # As pg_trgm makes them: the word padded with two spaces before and one after.
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _and_initials(names: frozenset[str]) -> set[str]:
    return set(names) | {name[0] for name in names}


def _all_variants(words: list[str]) -> set[str]:
    return set().union(*(given_name_variants(w) for w in words))


def _any(arms: list[Q]) -> Q:
    # One flat OR: combining with | one by one would copy the growing tree each time.
    return Q(*arms, _connector=Q.OR)


def _flag(condition: Q, weight: int) -> Case:
    return Case(When(condition, then=Value(float(weight))), default=Value(0.0))


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"
