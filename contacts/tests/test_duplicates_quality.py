"""The duplicate check's quality on 1,000 labelled persons (bench/duplicates_quality.py).

One measurement (a few seconds: every person checked against the others) for the tests.
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
        result = run(verbose=False)
        transaction.set_rollback(True)
    return result


def test_a_true_duplicate_is_among_the_first_five_candidates(measured):
    assert measured["recall_at_5"] >= TARGET_RECALL_AT_5


def test_certain_matches_are_true_duplicates(measured):
    assert measured["certain_pairs"] > 0
    assert measured["certain_precision"] >= TARGET_CERTAIN_PRECISION


def test_labelled_non_duplicates_are_rarely_predicted(measured):
    assert measured["precision"] >= 0.99
