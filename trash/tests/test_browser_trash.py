"""The trash in a real browser: a deleted deal is found there, restored, and is back on the
board with its notes."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from activities.services import note_create
from deals.tests.web import make_deal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_deleted_deal_is_restored_from_the_trash_to_the_board_with_its_notes(
    page, login, live_server, owner, pipeline
):
    # Given a deal with a note, deleted from its page
    deal = make_deal(owner, pipeline, title="Fleet tracking", value=12000)
    note_create(actor=owner, content="Wants a demo in May.", deal=deal)
    login(page, owner, live_server)
    page.goto(live_server.url + reverse("deals:detail", args=[deal.pk]))
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete deal").click()
    page.wait_for_url(lambda url: reverse("deals:list") in url)
    page.goto(live_server.url + reverse("board:pipeline", args=[pipeline.pk]))
    expect(page.locator(f'.board-card[data-deal-id="{deal.pk}"]')).to_have_count(0)

    # When the user finds it in the trash and restores it
    page.get_by_role("link", name="Trash").click()
    row = page.get_by_role("row").filter(has_text="Fleet tracking")
    expect(row).to_contain_text("Deal")
    row.get_by_role("button", name="Restore “Fleet tracking”").click()

    # Then it is out of the trash, back on the board, and its note is on its page
    expect(page.get_by_text("“Fleet tracking” restored.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Fleet tracking")).to_have_count(0)
    page.goto(live_server.url + reverse("board:pipeline", args=[pipeline.pk]))
    expect(page.locator(f'.board-card[data-deal-id="{deal.pk}"]')).to_have_count(1)
    page.goto(live_server.url + reverse("deals:detail", args=[deal.pk]))
    expect(page.get_by_text("Wants a demo in May.")).to_be_visible()
