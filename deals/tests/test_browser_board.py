"""The pipeline board in a real browser: drag and drop, Won/Lost, conflicts, keyboard, filters."""

import re
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from crm.tests.factories import LabelFactory
from deals.models import Deal, DealStatus
from deals.services import deal_move
from deals.tests.board_helpers import make_deal, stages_of
from deals.tests.factories import LostReasonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_board(page, live_server, login, user, pipeline, query=""):
    login(page, user, live_server)
    page.goto(live_server.url + reverse("board:pipeline", args=[pipeline.pk]) + query)


def _column(page, stage):
    return page.locator(f'.board-cards[data-drop-stage="{stage.pk}"]')


def _card(page, deal):
    return page.locator(f'.board-card[data-deal-id="{deal.pk}"]')


def _drag_to_zone(page, card, action):
    """Drop zones appear only once a drag has started: drag by hand, as a person does."""
    card.hover()
    page.mouse.down()
    box = card.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 30, steps=5)
    zone = page.locator(f'[data-drop-action="{action}"]')
    expect(zone).to_be_visible()
    zone.hover()
    page.mouse.up()


def test_dragging_a_card_to_another_stage_persists_after_a_reload(
    page, live_server, login, owner, pipeline
):
    # given
    first, second, *_ = stages_of(pipeline)
    deal = make_deal(owner, pipeline, stage=first, title="Solar roof")
    _open_board(page, live_server, login, owner, pipeline)
    # when
    _card(page, deal).drag_to(_column(page, second))
    expect(page.get_by_role("status")).to_contain_text("moved")
    page.reload()
    # then
    expect(_column(page, second).get_by_text("Solar roof")).to_be_visible()
    assert Deal.objects.get(pk=deal.pk).stage_id == second.pk


def test_dropping_a_card_on_won_wins_the_deal(page, live_server, login, owner, pipeline):
    # given
    deal = make_deal(owner, pipeline, title="Solar roof")
    _open_board(page, live_server, login, owner, pipeline)
    # when
    _drag_to_zone(page, _card(page, deal), "won")
    # then
    expect(_card(page, deal)).to_have_count(0)
    expect(page.get_by_role("status")).to_contain_text("won")
    assert Deal.objects.get(pk=deal.pk).status == DealStatus.WON


def test_dropping_a_card_on_lost_asks_for_a_reason(page, live_server, login, owner, pipeline):
    # given
    reason = LostReasonFactory(name="No budget")
    deal = make_deal(owner, pipeline, title="Solar roof")
    _open_board(page, live_server, login, owner, pipeline)
    # when
    _drag_to_zone(page, _card(page, deal), "lost")
    dialog = page.get_by_role("dialog", name="Mark as lost")
    dialog.get_by_label("Reason").select_option(label="No budget")
    dialog.get_by_role("button", name="Mark as lost").click()
    # then
    expect(_card(page, deal)).to_have_count(0)
    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason_id) == (DealStatus.LOST, reason.pk)


def test_a_move_of_a_deal_changed_in_another_browser_is_refused(
    browser, page, live_server, login, owner, teammate, pipeline
):
    # given: both users have the board open; the teammate moves the deal first
    first, second, third, _ = stages_of(pipeline)
    deal = make_deal(owner, pipeline, stage=first, title="Solar roof", visible_to="team")
    # The owner's board must still hold the version it loaded, as between two polls: stop its
    # clock once it has loaded, or a poll (every few seconds) could bring the teammate's move in
    # first and the drag would rightly succeed.
    page.clock.install()
    _open_board(page, live_server, login, owner, pipeline)
    page.clock.pause_at(datetime.now() + timedelta(hours=1))
    other = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 900})
    other_page = other.new_page()
    try:
        _open_board(other_page, live_server, login, teammate, pipeline)
        _card(other_page, deal).drag_to(_column(other_page, third))
        expect(other_page.get_by_role("status")).to_contain_text("moved")
    finally:
        other.close()
    # when: the owner, with the old version, drags it elsewhere
    _card(page, deal).drag_to(_column(page, second))
    # then: refused, the card goes where the deal really is, and the user is told
    expect(page.get_by_role("status")).to_contain_text("changed by someone else")
    expect(_column(page, third).locator(f'[data-deal-id="{deal.pk}"]')).to_have_count(1)
    assert Deal.objects.get(pk=deal.pk).stage_id == third.pk


def test_a_card_can_be_moved_with_the_keyboard(page, live_server, login, owner, pipeline):
    # given
    first, second, third, _ = stages_of(pipeline)
    deal = make_deal(owner, pipeline, stage=first, title="Solar roof")
    _open_board(page, live_server, login, owner, pipeline)
    # when: focus the card, press m, choose the stage, tab to "Move" and press Enter
    _card(page, deal).focus()
    page.keyboard.press("m")
    dialog = page.get_by_role("dialog", name="Move deal")
    dialog.get_by_label("Move to").select_option(label=third.name)
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Move")).to_be_focused()
    page.keyboard.press("Enter")
    # then
    expect(_column(page, third).locator(f'[data-deal-id="{deal.pk}"]')).to_have_count(1)
    expect(page.get_by_role("status")).to_contain_text("moved")
    assert Deal.objects.get(pk=deal.pk).stage_id == third.pk


def test_filters_narrow_the_cards_and_the_totals(page, live_server, login, owner, pipeline):
    # given
    hot = LabelFactory(name="Hot")
    make_deal(owner, pipeline, title="Hot deal", labels=[hot])
    make_deal(owner, pipeline, title="Cold deal")
    _open_board(page, live_server, login, owner, pipeline)
    # when
    page.get_by_label("Label").select_option(label="Hot")
    page.get_by_role("button", name="Apply filters").click()
    # then
    expect(page).to_have_url(re.compile(rf"label={hot.pk}"))
    # The URL changes as the filtered board starts loading: an absence proves something only
    # once all of it is there.
    page.wait_for_load_state()
    expect(page.get_by_text("Hot deal")).to_be_visible()
    expect(page.get_by_text("Cold deal")).to_have_count(0)
    expect(page.locator(".board-column").first.locator(".board-count")).to_have_text("1 deal")


def test_other_users_moves_appear_without_a_reload(
    page, live_server, login, owner, teammate, pipeline
):
    # given
    first, second, *_ = stages_of(pipeline)
    deal = make_deal(owner, pipeline, stage=first, title="Solar roof", visible_to="team")
    _open_board(page, live_server, login, owner, pipeline)
    # when
    deal_move(actor=teammate, deal=deal, stage=second, version=deal.version)
    # then: the next poll (every few seconds) moves the card
    expect(_column(page, second).locator(f'[data-deal-id="{deal.pk}"]')).to_have_count(1)
