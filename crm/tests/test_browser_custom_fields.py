"""Custom fields in a real browser: an admin adds one, a rep fills it in and lists by it."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from crm.tests.api import make_deal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_adds_an_option_field_and_a_rep_sets_filters_and_shows_it(
    page, login, live_server, admin_user, owner, pipeline
):
    fleet = make_deal(owner, pipeline, title="Fleet tracking")
    make_deal(owner, pipeline, title="Warehouse scanners")

    # The admin adds "Contract type" to deals.
    login(page, admin_user, live_server)
    page.goto(live_server.url + reverse("field_list"))
    form = page.get_by_role("region", name="Add a field")
    form.get_by_label("Record").select_option(label="Deal")
    form.get_by_label("Name").fill("Contract type")
    form.get_by_label("Type").select_option(label="Single option")
    form.get_by_label("Options").fill("Annual\nMonthly")
    form.get_by_role("button", name="Add field").click()
    expect(page.get_by_role("status")).to_contain_text("Field “Contract type” added.")
    expect(page.get_by_role("cell", name="contract_type")).to_be_visible()
    page.context.clear_cookies()

    # A rep sets it on a deal.
    login(page, owner, live_server)
    page.goto(live_server.url + reverse("deals:edit", args=[fleet.pk]))
    page.get_by_label("Contract type").select_option(label="Annual")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Deal saved.")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Contract type")
    expect(page.locator("dl.facts")).to_contain_text("Annual")

    # ...filters the deals list by it and shows it as a column.
    page.goto(live_server.url + reverse("deals:list"))
    filters = page.get_by_role("search", name="Filter deals")
    filters.get_by_label("Contract type").select_option(label="Annual")
    filters.get_by_label("Columns").select_option(label="Contract type")
    filters.get_by_role("button", name="Filter").click()

    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(2)  # the heading and the one annual deal
    expect(page.get_by_role("columnheader", name="Contract type")).to_be_visible()
    expect(page.get_by_role("row", name="Fleet tracking")).to_contain_text("Annual")
    expect(page.get_by_role("link", name="Warehouse scanners")).to_have_count(0)
