"""The trash page and its Restore button (POST, CSRF), for the five users."""

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.tests.api import make_deal
from deals.models import Deal
from deals.services import deal_delete
from trash.services import trash_restore

pytestmark = pytest.mark.django_db

MATRIX = [
    ("owner", True),
    ("teammate", True),
    ("outsider", False),
    ("manager", True),
    ("admin_user", True),
]


@pytest.fixture
def trashed_deal(owner, pipeline):
    deal = make_deal(owner, pipeline, title="Fleet tracking")
    deal_delete(actor=owner, deal=deal)
    return deal


@pytest.mark.parametrize(("viewer", "sees"), MATRIX)
def test_the_trash_page_lists_the_deal_to_whom_may_see_it(
    client, request, trashed_deal, viewer, sees
):
    client.force_login(request.getfixturevalue(viewer))

    response = client.get(reverse("trash:list"))

    assert response.status_code == 200
    assert ("Fleet tracking" in response.text) == sees


@pytest.mark.parametrize(("viewer", "sees"), MATRIX)
def test_restore_button_brings_the_deal_back_for_whom_may_see_it(
    client, request, trashed_deal, viewer, sees
):
    client.force_login(request.getfixturevalue(viewer))

    response = client.post(reverse("trash:restore", args=[f"deal-{trashed_deal.pk}"]))

    assert response.status_code == (302 if sees else 404)
    assert Deal.objects.filter(pk=trashed_deal.pk).exists() == sees


def test_a_deleted_deals_page_answers_404(client, owner, trashed_deal):
    client.force_login(owner)

    assert client.get(reverse("deals:detail", args=[trashed_deal.pk])).status_code == 404


def test_restore_refuses_a_get(client, owner, trashed_deal):
    client.force_login(owner)

    response = client.get(reverse("trash:restore", args=[f"deal-{trashed_deal.pk}"]))

    assert response.status_code == 405
    assert not Deal.objects.filter(pk=trashed_deal.pk).exists()


def test_an_open_board_is_told_a_deal_left_for_the_trash_and_came_back(
    client, owner, teammate, pipeline
):
    deal = make_deal(owner, pipeline, title="Fleet tracking")
    client.force_login(owner)
    changes = reverse("board:changes", args=[pipeline.pk])

    def on_board_since(since):
        body = client.get(changes, {"since": since.isoformat()}).json()
        return [(c["id"], c["on_board"]) for c in body["changes"] if c["id"] == deal.pk]

    since = timezone.now()
    deal_delete(actor=owner, deal=deal)
    assert on_board_since(since) == [(deal.pk, False)]

    since = timezone.now()
    trash_restore(actor=teammate, item_id=f"deal-{deal.pk}")
    assert on_board_since(since) == [(deal.pk, True)]
