"""Reports with odd filters: extreme or malformed dates give a clear error, never a 500."""

import pytest
from django.urls import reverse

from deals.services import deal_mark_lost, deal_mark_won
from deals.tests.board_helpers import make_deal
from reports.tables import REPORTS

pytestmark = pytest.mark.django_db

EXTREME = [
    {"from": "0001-01-01"},
    {"to": "9999-12-31"},
    {"from": "0001-01-01", "to": "9999-12-31"},
    {"from": "1899-12-31", "to": "2201-01-01"},
]
GARBAGE = [
    {"from": "yesterday", "to": "2024-02-30"},
    {"from": "2024-13-01", "pipeline": "x", "owner": "-1", "team": "1e9"},
    {"from": "\x00", "to": " ", "pipeline": "99999999999999999999999"},
]


@pytest.fixture
def closed_deals(owner, pipeline):
    won = make_deal(owner, pipeline, title="Won one")
    deal_mark_won(actor=owner, deal=won)
    lost = make_deal(owner, pipeline, title="Lost one")
    deal_mark_lost(actor=owner, deal=lost, lost_reason=None, lost_reason_text="late")


@pytest.mark.parametrize("query", EXTREME)
@pytest.mark.parametrize("slug", list(REPORTS))
def test_a_report_with_dates_out_of_range_says_so_instead_of_failing(
    client, owner, closed_deals, slug, query
):
    # given
    client.force_login(owner)
    # when
    response = client.get(reverse("reports:detail", args=[slug]), query)
    # then
    assert response.status_code == 200
    assert "between 1900-01-01 and 2200-12-31" in response.content.decode()


@pytest.mark.parametrize("query", GARBAGE)
@pytest.mark.parametrize("slug", list(REPORTS))
def test_a_report_with_malformed_filters_falls_back_to_the_defaults(
    client, owner, closed_deals, slug, query
):
    # given
    client.force_login(owner)
    # when
    response = client.get(reverse("reports:detail", args=[slug]), query)
    # then
    assert response.status_code == 200


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("query", EXTREME)
@pytest.mark.parametrize("slug", list(REPORTS))
def test_an_export_with_dates_out_of_range_is_refused_with_a_reason(
    client, owner, closed_deals, slug, query, fmt
):
    # given
    client.force_login(owner)
    # when
    response = client.get(reverse("reports:export", args=[slug, fmt]), query)
    # then
    assert response.status_code == 400
    assert "between 1900-01-01 and 2200-12-31" in response.content.decode()


def test_the_reports_index_with_dates_out_of_range_says_so(client, owner):
    # given
    client.force_login(owner)
    # when
    response = client.get(reverse("reports:index"), {"to": "9999-12-31"})
    # then
    assert response.status_code == 200
    assert "between 1900-01-01 and 2200-12-31" in response.content.decode()


def test_a_period_at_the_edges_of_the_range_counts_the_deals_in_it(client, owner, closed_deals):
    # given
    client.force_login(owner)
    # when
    response = client.get(
        reverse("reports:export", args=["lost-reasons", "csv"]),
        {"from": "1900-01-01", "to": "2200-12-31"},
    )
    # then
    assert response.status_code == 200
    assert ",EUR,1," in response.content.decode()
