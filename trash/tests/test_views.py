"""The trash page and its Restore button (POST, CSRF), for the five users."""

import pytest
from django.urls import reverse

from crm.tests.api import make_deal
from deals.models import Deal
from deals.services import deal_delete

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
