"""Blocks of the duplicate check: small sets of persons sharing one word with a query.

Part of `contacts.selectors.duplicates` (the candidate search), apart for its size.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q

from contacts.models import Person
from contacts.normalize import phonetic_key

# A block of persons sharing one word (or its sound, or its start) with the query is a
# candidate set of its own up to this size (`rare_word_arms`).
RARE_BLOCK = 100
# Letters of a word that the prefix arms take (a typo after them is found).
PREFIX = 3


def rare_word_arms(words: list[str]) -> list[Q]:
    """Persons sharing one word of the name (its sound, its start) with the query, where few do.

    A block of the persons whose given or family name is one of the query's words, sounds
    like it or starts with its first letters is a candidate set of its own when it is small:
    "Luke Purdon" for "Mia Purdon" (the other word replaced or wrong beyond a typo), "Liam
    Roles" for "Roles Brooklyn", "Archer Pocaro" for "Bridget Pocarl". A block of a common
    name ("Smith": thousands) would crowd the limit and cost time, and there the other arms,
    which need both words alike, do better. How common a word is is a property of the data,
    not of who asks: the sizes are probed over the whole table (the arms themselves are
    scoped), in one query of index-only lookups, at most RARE_BLOCK + 1 entries each.
    """
    # (column, "=" or "^" (starts with) or "^1" (starts with, a one-word name), value)
    blocks: list[tuple[str, str, str]] = []
    for word in words:
        if len(word) < 2:
            continue
        sound = phonetic_key(word)
        blocks += [("family_key", "=", word), ("given_key", "=", word)]
        blocks += [("family_sound", "=", sound), ("given_sound", "=", sound)]
        if len(word) > PREFIX:
            blocks.append(("family_key", "^", word[:PREFIX]))
            blocks.append(("given_key", "^1", word[:PREFIX]))  # a one-word name ("Waller")
    blocks = list(dict.fromkeys(blocks))
    if not blocks:
        return []
    sizes = block_sizes(blocks)
    arms = {
        "=": lambda column, value: Q(**{column: value}),
        "^": starts_with,
        "^1": lambda column, value: Q(family_key="") & starts_with(column, value),
    }
    return [
        arms[op](column, value)
        for (column, op, value), size in zip(blocks, sizes, strict=True)
        if size <= RARE_BLOCK
    ]


def block_sizes(blocks: list[tuple[str, str, str]]) -> list[int]:
    """How many persons each block holds, counted up to RARE_BLOCK + 1."""
    parts, params = [], []
    for i, (column, op, value) in enumerate(blocks):
        if op.startswith("^"):
            # The word keys hold a-z and 0-9 only: a range is their prefix (`starts_with`).
            condition = f"{column} >= %s AND {column} < %s"
            params += [value, value[:-1] + chr(ord(value[-1]) + 1)]
            if op == "^1":
                condition += " AND family_key = ''"
        else:
            condition = f"{column} = %s"
            params.append(value)
        # Our own column names and numbers only; the values are parameters.
        parts.append(
            f"SELECT * FROM (SELECT {i} AS block FROM {Person._meta.db_table} "  # noqa: S608
            f"WHERE {condition} LIMIT {RARE_BLOCK + 1}) AS b{i}"
        )
    union = " UNION ALL ".join(parts)
    sql = f"SELECT block, COUNT(*) FROM ({union}) AS blocks GROUP BY block"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = dict(cursor.fetchall())
    return [found.get(i, 0) for i in range(len(blocks))]


def starts_with(field_name: str, prefix: str) -> Q:
    """`field_name` starts with `prefix`, as a range an ordinary index answers.

    The word keys hold only a-z and 0-9, which sort the same in every collation; SQLite
    compares e-mail keys byte by byte.
    """
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field_name}__gte": prefix, f"{field_name}__lt": upper})
