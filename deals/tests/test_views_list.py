"""The deals list: filters, sorting, paging, visibility, and a query count that stays flat."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.models import Visibility
from deals.services import deal_mark_won
from deals.tests.factories import PipelineFactory
from deals.tests.web import make_deal, make_person
from deals.views import PER_PAGE

pytestmark = pytest.mark.django_db

LIST = reverse("deals:list")


def titles(response) -> list[str]:
    return [deal.title for deal in response.context["page"].items]


def test_list_shows_open_deals_by_default(client, owner, pipeline):
    make_deal(owner, pipeline, title="Open one")
    won = make_deal(owner, pipeline, title="Won one")
    deal_mark_won(actor=owner, deal=won)
    client.force_login(owner)

    response = client.get(LIST)

    assert response.status_code == 200
    assert titles(response) == ["Open one"]


def test_status_filter_shows_won_deals(client, owner, pipeline):
    make_deal(owner, pipeline, title="Open one")
    deal_mark_won(actor=owner, deal=make_deal(owner, pipeline, title="Won one"))
    client.force_login(owner)

    assert titles(client.get(LIST, {"status": "won"})) == ["Won one"]


def test_pipeline_and_stage_filters(client, owner, pipeline):
    other = PipelineFactory(name="Partners")
    make_deal(owner, pipeline, title="Sales deal")
    make_deal(owner, other, title="Partner deal")
    client.force_login(owner)

    assert titles(client.get(LIST, {"pipeline": other.pk})) == ["Partner deal"]
    assert titles(client.get(LIST, {"stage": pipeline.first_stage().pk})) == ["Sales deal"]


def test_owner_filter_mine_leaves_out_teammates_deals(client, owner, teammate, pipeline):
    make_deal(owner, pipeline, title="Mine")
    make_deal(teammate, pipeline, title="Teammate's")
    client.force_login(owner)

    assert titles(client.get(LIST, {"owner": "mine"})) == ["Mine"]
    assert sorted(titles(client.get(LIST, {"owner": "team"}))) == ["Mine", "Teammate's"]


def test_list_leaves_out_deals_the_user_may_not_see(client, owner, outsider, pipeline):
    make_deal(outsider, pipeline, title="Private to the other team")
    make_deal(outsider, pipeline, title="Company wide", visible_to=Visibility.COMPANY)
    client.force_login(owner)

    assert titles(client.get(LIST)) == ["Company wide"]


def test_sorting_by_value(client, owner, pipeline):
    make_deal(owner, pipeline, title="Small", value=10)
    make_deal(owner, pipeline, title="Large", value=1000)
    client.force_login(owner)

    assert titles(client.get(LIST, {"sort": "-value"})) == ["Large", "Small"]
    assert titles(client.get(LIST, {"sort": "value"})) == ["Small", "Large"]


def test_unknown_sort_and_bad_page_fall_back_to_defaults(client, owner, pipeline):
    make_deal(owner, pipeline, title="Only")
    client.force_login(owner)

    response = client.get(LIST, {"sort": "password", "page": "x"})

    assert response.status_code == 200
    assert titles(response) == ["Only"]


def test_paging_shows_a_next_page_link(client, owner, pipeline):
    person = make_person(owner)
    for i in range(PER_PAGE + 1):
        make_deal(owner, pipeline, title=f"Deal {i:03}", person=person)
    client.force_login(owner)

    first = client.get(LIST, {"sort": "title"})
    second = client.get(LIST, {"sort": "title", "page": 2})

    assert first.context["page"].has_next and "page=2" in first.content.decode()
    assert titles(second) == [f"Deal {PER_PAGE:03}"]


def test_list_query_count_does_not_grow_with_rows(
    client, owner, pipeline, django_assert_max_num_queries
):
    make_deal(owner, pipeline, title="First")
    client.force_login(owner)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for i in range(20):
        make_deal(owner, pipeline, title=f"More {i}")

    with django_assert_max_num_queries(len(few)):
        response = client.get(LIST)

    assert len(titles(response)) == 21
