"""A report in a real browser: its numbers match the database and its chart renders."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from deals.services import deal_mark_lost, deal_mark_won
from deals.tests.board_helpers import make_deal, stages_of
from deals.tests.factories import LostReasonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pipeline_value_report_shows_the_database_numbers_and_a_bar_per_value(
    page, live_server, login, owner, pipeline
):
    # given: probabilities 20 and 40 %
    first, second, *_ = stages_of(pipeline)
    make_deal(owner, pipeline, stage=first, value="1000")
    make_deal(owner, pipeline, stage=first, value="500")
    make_deal(owner, pipeline, stage=second, value="2000")
    login(page, owner, live_server)
    # when
    page.goto(live_server.url + reverse("reports:detail", args=["pipeline-value"]))
    page.get_by_label("Pipeline").select_option(label=pipeline.name)
    page.get_by_role("button", name="Apply filters").click()
    # then
    table = page.get_by_role("table", name="Pipeline value")
    expect(table.get_by_role("row", name="Qualified EUR 2 1,500.00 300.00")).to_be_visible()
    expect(table.get_by_role("row", name="Contact made EUR 1 2,000.00 800.00")).to_be_visible()
    chart = page.get_by_role("img", name="Open value per stage")
    expect(chart).to_be_visible()
    expect(chart.locator("rect.bar")).to_have_count(2 * len(stages_of(pipeline)))


def test_lost_reasons_report_matches_the_database(page, live_server, login, owner, pipeline):
    # given
    reason = LostReasonFactory(name="No budget")
    for value in ("100", "250"):
        deal_mark_lost(
            actor=owner, deal=make_deal(owner, pipeline, value=value), lost_reason=reason
        )
    deal_mark_won(actor=owner, deal=make_deal(owner, pipeline, value="999"))
    login(page, owner, live_server)
    # when
    page.goto(live_server.url + reverse("reports:detail", args=["lost-reasons"]))
    # then
    table = page.get_by_role("table", name="Lost reasons")
    expect(table.get_by_role("row", name="No budget EUR 2 350.00")).to_be_visible()
    expect(page.get_by_role("img", name="Deals lost per reason").locator("rect.bar")).to_have_count(
        1
    )
