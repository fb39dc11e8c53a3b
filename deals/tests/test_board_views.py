"""The board's pages and endpoints: moves with optimistic concurrency, changes, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.models import Visibility
from crm.tests.factories import LabelFactory
from deals.board import selectors as board
from deals.models import DealHistory, DealStatus, HistoryKind
from deals.services import deal_update
from deals.tests.board_helpers import make_deal, stages_of
from deals.tests.factories import LostReasonFactory, PipelineFactory

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def _move(client, deal, **fields):
    data = {"version": deal.version, "board": deal.pipeline_id, **fields}
    return client.post(reverse("board:move", args=[deal.pk]), data, **JSON)


def test_board_index_redirects_to_the_first_pipeline(client, owner, pipeline):
    # given
    client.force_login(owner)
    # when
    response = client.get(reverse("board:index"))
    # then
    assert response.status_code == 302
    assert response.url == reverse("board:pipeline", args=[pipeline.pk])


def test_board_shows_cards_and_a_switcher_of_pipelines(client, owner, pipeline):
    # given
    other = PipelineFactory(name="Renewals")
    make_deal(owner, pipeline, title="Solar roof")
    client.force_login(owner)
    # when
    response = client.get(reverse("board:pipeline", args=[pipeline.pk]))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Solar roof" in html
    assert reverse("board:pipeline", args=[other.pk]) in html


def test_moving_a_card_moves_the_deal_and_records_history(client, owner, pipeline):
    # given
    first, second, *_ = stages_of(pipeline)
    deal = make_deal(owner, pipeline, stage=first)
    client.force_login(owner)
    # when
    response = _move(client, deal, action="stage", stage=second.pk)
    # then
    assert response.status_code == 200
    deal.refresh_from_db()
    assert deal.stage_id == second.pk
    assert response.json()["deal"] | {"html": ""} == {
        "id": deal.pk,
        "version": deal.version,
        "status": "open",
        "pipeline_id": pipeline.pk,
        "stage_id": second.pk,
        "on_board": True,
        "title": deal.title,
        "html": "",
    }
    assert DealHistory.objects.filter(
        deal=deal, kind=HistoryKind.STAGE, from_stage=first, to_stage=second
    ).exists()


def test_a_move_with_a_stale_version_is_refused_and_tells_where_the_deal_is(
    client, owner, teammate, pipeline
):
    # given: the teammate moved the deal after the owner loaded the board
    first, second, third, _ = stages_of(pipeline)
    deal = make_deal(owner, pipeline, stage=first)
    loaded_version = deal.version
    deal_update(actor=teammate, deal=deal, version=deal.version, stage=third)
    client.force_login(owner)
    # when
    response = client.post(
        reverse("board:move", args=[deal.pk]),
        {"version": loaded_version, "action": "stage", "stage": second.pk},
        **JSON,
    )
    # then
    assert response.status_code == 409
    body = response.json()
    assert body["deal"]["stage_id"] == third.pk
    assert body["deal"]["version"] == loaded_version + 1
    assert "changed by someone else" in body["message"]
    deal.refresh_from_db()
    assert deal.stage_id == third.pk


def test_dropping_on_won_wins_the_deal(client, owner, pipeline):
    # given
    deal = make_deal(owner, pipeline)
    client.force_login(owner)
    # when
    response = _move(client, deal, action="won")
    # then
    assert response.status_code == 200
    assert response.json()["deal"]["on_board"] is False
    deal.refresh_from_db()
    assert deal.status == DealStatus.WON


def test_dropping_on_lost_with_a_reason_loses_the_deal(client, owner, pipeline):
    # given
    reason = LostReasonFactory(name="No budget")
    deal = make_deal(owner, pipeline)
    client.force_login(owner)
    # when
    response = _move(client, deal, action="lost", lost_reason=reason.pk)
    # then
    assert response.status_code == 200
    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason) == (DealStatus.LOST, reason)


def test_losing_without_a_reason_is_refused(client, owner, pipeline):
    # given
    deal = make_deal(owner, pipeline)
    client.force_login(owner)
    # when
    response = _move(client, deal, action="lost")
    # then
    assert response.status_code == 400
    deal.refresh_from_db()
    assert deal.status == DealStatus.OPEN


def test_moving_to_another_pipeline_puts_the_deal_in_its_first_stage(client, owner, pipeline):
    # given
    other = PipelineFactory(name="Renewals")
    deal = make_deal(owner, pipeline)
    client.force_login(owner)
    # when
    response = _move(client, deal, action="pipeline", pipeline=other.pk)
    # then
    assert response.status_code == 200
    deal.refresh_from_db()
    assert (deal.pipeline, deal.stage) == (other, stages_of(other)[0])
    assert response.json()["deal"]["on_board"] is False


def test_moving_a_deal_the_user_may_not_see_answers_404(client, owner, outsider, pipeline):
    # given
    deal = make_deal(outsider, pipeline, visible_to=Visibility.OWNER)
    client.force_login(owner)
    # when
    response = _move(client, deal, action="won")
    # then
    assert response.status_code == 404


def test_a_plain_form_move_redirects_back_with_a_message(client, owner, pipeline):
    # given
    second = stages_of(pipeline)[1]
    deal = make_deal(owner, pipeline)
    client.force_login(owner)
    # when
    response = client.post(
        reverse("board:move", args=[deal.pk]),
        {
            "version": deal.version,
            "action": "stage",
            "stage": second.pk,
        },
        follow=True,
    )
    # then
    assert response.redirect_chain[-1][0] == reverse("board:pipeline", args=[pipeline.pk])
    assert "moved" in response.content.decode()


def test_changes_feed_reports_other_users_moves_with_new_totals(client, owner, teammate, pipeline):
    # given
    first, second, *_ = stages_of(pipeline)
    deal = make_deal(owner, pipeline, stage=first, visible_to=Visibility.TEAM)
    since = timezone.now()
    deal_update(actor=teammate, deal=deal, version=deal.version, stage=second)
    client.force_login(owner)
    # when
    response = client.get(
        reverse("board:changes", args=[pipeline.pk]), {"since": since.isoformat()}
    )
    # then
    body = response.json()
    assert [(c["id"], c["stage_id"], c["on_board"]) for c in body["changes"]] == [
        (deal.pk, second.pk, True)
    ]
    assert body["totals"][str(second.pk)]["count"] == 1


def test_load_more_returns_the_next_cards_and_cursor(client, owner, pipeline):
    # given: one more deal than a page
    first = stages_of(pipeline)[0]
    for _ in range(board.PAGE_SIZE + 1):
        make_deal(owner, pipeline, stage=first)
    client.force_login(owner)
    page = client.get(reverse("board:pipeline", args=[pipeline.pk]))
    cursor = page.context["board"].columns[0].next_cursor
    # when
    response = client.get(reverse("board:cards", args=[pipeline.pk, first.pk]), {"after": cursor})
    # then
    body = response.json()
    assert body["html"].count('<li class="board-card') == 1
    assert body["next"] is None


def _board_queries(client, pipeline) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("board:pipeline", args=[pipeline.pk]))
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_board_needs_the_same_queries_for_few_or_many_deals(client, owner, pipeline):
    # given: one labelled deal per stage
    label = LabelFactory(name="Hot")
    client.force_login(owner)
    for stage in stages_of(pipeline):
        make_deal(owner, pipeline, stage=stage, labels=[label])
    few = _board_queries(client, pipeline)
    # when: more than a page of them per stage
    for stage in stages_of(pipeline):
        for _ in range(board.PAGE_SIZE + 1):
            make_deal(owner, pipeline, stage=stage, labels=[label])
    # then
    assert _board_queries(client, pipeline) == few


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite reads the columns' first cards one by one"
)
def test_the_board_reads_all_columns_first_cards_in_one_query(client, owner, pipeline):
    # given
    for stage in stages_of(pipeline):
        make_deal(owner, pipeline, stage=stage, title=f"In {stage.name}")
    client.force_login(owner)
    # when
    with CaptureQueriesContext(connection) as context:
        client.get(reverse("board:pipeline", args=[pipeline.pk]))
    # then
    card_reads = [q for q in context.captured_queries if '"deals_deal"."title"' in q["sql"]]
    assert len(card_reads) == 1


@pytest.mark.parametrize(
    "query",
    [
        {"close_from": "0001-01-01", "close_to": "9999-12-31"},
        {"close_from": "9999-12-31", "close_to": "0001-01-01"},
        {"close_from": "2024-02-30", "close_to": "soon", "label": "x", "owner": "team:9e9"},
        {"owner": "user:99999999999999999999999", "label": "99999999999999999999999"},
        {"close_from": "\x00", "owner": "user:", "label": "-1"},
    ],
)
def test_the_board_with_odd_filters_still_renders(client, owner, pipeline, query):
    # given
    make_deal(owner, pipeline, title="Still here")
    client.force_login(owner)
    # when
    response = client.get(reverse("board:pipeline", args=[pipeline.pk]), query)
    # then
    assert response.status_code == 200


@pytest.mark.parametrize(
    "after", ["0001-01-01T00:00:00|1", "9999-12-31T23:59:59|1", "x|y", "|", "2024-01-01|-5"]
)
def test_loading_more_cards_with_an_odd_cursor_still_answers(client, owner, pipeline, after):
    # given
    stage = stages_of(pipeline)[0]
    make_deal(owner, pipeline, stage=stage)
    client.force_login(owner)
    url = reverse("board:cards", args=[pipeline.pk, stage.pk])
    # when
    response = client.get(url, {"after": after, "close_to": "9999-12-31"})
    # then
    assert response.status_code == 200


@pytest.mark.parametrize(
    "since", ["0001-01-01T00:00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59", "nope"]
)
def test_the_changes_feed_with_an_odd_since_still_answers(client, owner, pipeline, since):
    # given
    make_deal(owner, pipeline)
    client.force_login(owner)
    # when
    response = client.get(reverse("board:changes", args=[pipeline.pk]), {"since": since})
    # then
    assert response.status_code == 200


def test_cards_escape_what_users_typed_in_titles_names_and_labels(client, owner, pipeline):
    # given a deal whose title, organization and label carry markup
    label = LabelFactory(name='<img src=x onerror="alert(1)">', color="#123456")
    deal = make_deal(owner, pipeline, title='Deal "<script>alert(1)</script>')
    deal.labels.add(label)
    deal.organization.name = "<b>Bold & Co</b>"
    deal.organization.save()
    client.force_login(owner)
    # when the board and the load-more endpoint render its card
    page = client.get(reverse("board:pipeline", args=[pipeline.pk])).content.decode()
    # then the markup arrives as text, in the content and in the attributes
    assert "<script>alert(1)" not in page
    assert "Deal &quot;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'data-title="Deal &quot;&lt;script&gt;' in page
    assert "&lt;b&gt;Bold &amp; Co&lt;/b&gt;" in page
    assert '<img src=x onerror="alert(1)">' not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
