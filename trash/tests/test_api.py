"""`GET /api/v1/trash/` and `POST /api/v1/trash/{id}/restore/`, for the five users."""

import pytest

from crm.tests.api import api_client, make_deal
from deals.services import deal_delete

pytestmark = pytest.mark.django_db

MATRIX = [
    ("owner", 200),
    ("teammate", 200),
    ("outsider", 404),
    ("manager", 200),
    ("admin_user", 200),
]


@pytest.mark.parametrize(("viewer", "expected"), MATRIX)
def test_a_deleted_deal_answers_404_to_everyone(request, owner, pipeline, viewer, expected):
    deal = make_deal(owner, pipeline)
    api_client(owner).delete(f"/api/v1/deals/{deal.pk}/")

    response = api_client(request.getfixturevalue(viewer)).get(f"/api/v1/deals/{deal.pk}/")

    assert response.status_code == 404


@pytest.mark.parametrize(("viewer", "expected"), MATRIX)
def test_the_trash_lists_the_deleted_deal_to_whom_may_see_it(
    request, owner, pipeline, viewer, expected
):
    deal = make_deal(owner, pipeline)
    deal_delete(actor=owner, deal=deal)

    body = api_client(request.getfixturevalue(viewer)).get("/api/v1/trash/").json()

    ids = [item["id"] for item in body["results"]]
    assert (f"deal-{deal.pk}" in ids) == (expected == 200)
    if expected == 200:
        item = next(item for item in body["results"] if item["id"] == f"deal-{deal.pk}")
        assert item["kind"] == "deal" and item["title"] == "Big deal"
        assert item["deleted_by"] == owner.pk


@pytest.mark.parametrize(("viewer", "expected"), MATRIX)
def test_restore_answers_as_the_rules_say(request, owner, pipeline, viewer, expected):
    deal = make_deal(owner, pipeline)
    deal_delete(actor=owner, deal=deal)

    response = api_client(request.getfixturevalue(viewer)).post(
        f"/api/v1/trash/deal-{deal.pk}/restore/"
    )

    assert response.status_code == expected
    back = api_client(owner).get(f"/api/v1/deals/{deal.pk}/")
    assert back.status_code == (200 if expected == 200 else 404)
    if expected == 200:
        assert response.json() == {"kind": "deal", "record_id": deal.pk}


def test_restore_of_something_not_in_the_trash_is_a_404(owner, pipeline):
    deal = make_deal(owner, pipeline)

    assert api_client(owner).post(f"/api/v1/trash/deal-{deal.pk}/restore/").status_code == 404
    assert api_client(owner).post("/api/v1/trash/bogus-1/restore/").status_code == 404
