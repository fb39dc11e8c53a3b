"""How well the person duplicate check finds duplicates: 1,000 labelled persons.

The data (contacts/tests/data/person-duplicates, from the splink_datasets project) are 1,000
fake persons in 251 clusters, with typos, missing and swapped names, nicknames and mangled
e-mail addresses; every pair of a cluster is the same person. The CRM keeps a name and
e-mail addresses, so date of birth and city are not used. Each person is checked against the
others, as if entered anew, and the figures are:

- precision and recall over the labelled pairs (clerical_match_score 1 or 0): a pair is
  predicted a match when `person_duplicates` returns one for the other, above the threshold;
- precision over every pair predicted (truth from the clusters), labelled or not;
- precision of the "certain" matches (the same normalized e-mail address);
- recall@5: of the persons with at least one true duplicate, the share with one among the
  first five candidates.

Targets: recall@5 >= 0.97 and certain precision >= 0.99.

Other persons the checking user may see would compete for the first places: `make bench`
runs this first, on a fresh database (a warning says when that is not so).
"""

from __future__ import annotations

import csv
import time
from collections import defaultdict
from pathlib import Path

from django.db import transaction

from contacts.duplicates import PERSON_THRESHOLD
from contacts.models import Person, PersonEmail
from contacts.normalize import email_key, person_index_fields
from contacts.selectors.duplicates import person_duplicates
from crm.models import Role, Team, User, Visibility
from crm.visibility import visible_q

DATA = Path(__file__).resolve().parent.parent / "contacts/tests/data/person-duplicates"
TARGET_RECALL_AT_5 = 0.97
TARGET_CERTAIN_PRECISION = 0.99
_USERNAME = "bench-duplicates-quality"


def run(verbose: bool = True) -> dict:
    records = _read_records()
    labels = _read_labels()
    user = _checking_user()
    others = Person.objects.filter(visible_q(user)).exclude(owner=user).count()
    if others and verbose:
        print(f"warning: {others:,} other persons are visible and compete with the labelled ones")
    id_of = _load(records, user)
    uid_of = {pk: uid for uid, pk in id_of.items()}

    started = time.perf_counter()
    found: dict[str, list[tuple[str, bool]]] = {}  # uid -> [(uid, certain)], best first
    for uid, record in records.items():
        matches = person_duplicates(
            user=user,
            name=record["name"],
            emails=[record["email"]] if record["email"] else [],
            exclude_ids=[id_of[uid]],
            limit=10,
        )
        found[uid] = [(uid_of[m.record.pk], m.certain) for m in matches if m.record.pk in uid_of]
    seconds = time.perf_counter() - started

    cluster = {uid: record["cluster"] for uid, record in records.items()}
    predicted = {frozenset((uid, other)) for uid, hits in found.items() for other, _c in hits}
    certain = {frozenset((uid, other)) for uid, hits in found.items() for other, c in hits if c}

    def same(pair: frozenset[str]) -> bool:
        a, b = tuple(pair)
        return cluster[a] == cluster[b]

    labelled_true = {pair for pair, match in labels.items() if match}
    labelled_false = {pair for pair, match in labels.items() if not match}
    tp = len(predicted & labelled_true)
    fp = len(predicted & labelled_false)
    members = defaultdict(set)
    for uid, c in cluster.items():
        members[c].add(uid)
    with_duplicates = [uid for uid in records if len(members[cluster[uid]]) > 1]
    hits_at_5 = [
        uid
        for uid in with_duplicates
        if any(cluster[other] == cluster[uid] for other, _c in found[uid][:5])
    ]
    result = {
        "persons": len(records),
        "threshold": PERSON_THRESHOLD,
        "labelled_pairs": len(labels),
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, len(labelled_true)),
        "precision_all_predicted_pairs": _ratio(sum(map(same, predicted)), len(predicted)),
        "certain_pairs": len(certain),
        "certain_precision": _ratio(sum(map(same, certain)), len(certain)),
        "recall_at_5": _ratio(len(hits_at_5), len(with_duplicates)),
        "persons_with_duplicates": len(with_duplicates),
        "missed_at_5": sorted(set(with_duplicates) - set(hits_at_5), key=int),
        "check_ms_mean": round(1000 * seconds / len(records), 2),
    }
    if verbose:
        for key, value in result.items():
            if key != "missed_at_5":
                print(f"{key:>30}: {value}")
        print(
            f"{'targets':>30}: recall@5 >= {TARGET_RECALL_AT_5}, "
            f"certain precision >= {TARGET_CERTAIN_PRECISION}"
        )
    return result


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 1.0


def _read_records() -> dict[str, dict[str, str]]:
    records = {}
    with open(DATA / "fake_1000.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            records[row["unique_id"]] = {
                "name": f"{row['first_name']} {row['surname']}".strip(),
                "email": row["email"],
                "cluster": row["cluster"],
            }
    return records


def _read_labels() -> dict[frozenset[str], bool]:
    with open(DATA / "fake_1000_labels.csv", newline="", encoding="utf-8") as f:
        return {
            frozenset((row["unique_id_l"], row["unique_id_r"])): float(row["clerical_match_score"])
            >= 0.5
            for row in csv.DictReader(f)
        }


def _checking_user() -> User:
    team, _ = Team.objects.get_or_create(name="Bench duplicates quality")
    user, _ = User.objects.get_or_create(
        username=_USERNAME, defaults={"role": Role.REP, "team": team}
    )
    return user


@transaction.atomic
def _load(records: dict[str, dict[str, str]], owner: User) -> dict[str, int]:
    """The persons, as the contact services would store them; unique_id -> pk."""
    Person.objects.filter(owner=owner).delete()  # a rerun on the same database
    persons = Person.objects.bulk_create(
        Person(
            name=record["name"],
            owner=owner,
            visible_to=Visibility.OWNER,
            **person_index_fields(record["name"]),
        )
        for uid, record in records.items()
    )
    id_of = {uid: person.pk for uid, person in zip(records, persons, strict=True)}
    PersonEmail.objects.bulk_create(
        PersonEmail(person_id=id_of[uid], email=record["email"], key=email_key(record["email"]))
        for uid, record in records.items()
        # The services refuse an address that is none ("jamesd75collins.biz").
        if email_key(record["email"])
    )
    return id_of
