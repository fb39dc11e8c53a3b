"""On a phone (390 x 844): the navigation behind a Menu button, the inbox's bulk bar only once
a row is ticked, the convert dialog's duplicates one under the other, and nothing wider than
the screen."""

from collections.abc import Iterator

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from activities.services import activity_create
from contacts.services import organization_create, person_create
from crm.tests.browser_fixtures import TIMEOUT_MS
from leads.services import lead_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser) -> Iterator[object]:
    context = browser.new_context(locale="en-US", viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


# Elements whose right edge passes the screen's, leaving out those inside something that
# scrolls or clips them (a wide table scrolls inside its .table-wrap) and those hidden.
_WIDER_THAN_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  const inScroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return true;
    }
    return false;
  };
  return [...document.body.querySelectorAll("*")]
    .filter((el) => {
      const box = el.getBoundingClientRect();
      return box.width > 1 && box.right > width + 1 && !inScroller(el);
    })
    .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
}"""


def assert_fits_the_screen(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(_WIDER_THAN_SCREEN) == []


def assert_inside_the_screen(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None, "should be laid out"
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5, box
    return box


def test_the_navigation_folds_into_a_menu_that_the_keyboard_opens_and_closes(
    phone, login, live_server, owner
):
    login(phone, owner, live_server)
    phone.goto(live_server.url + reverse("leads:inbox"))
    menu = phone.get_by_role("button", name="Menu")
    nav = phone.get_by_role("navigation", name="Main")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav.get_by_role("link", name="Deals")).to_be_hidden()
    assert_fits_the_screen(phone)

    menu.focus()
    phone.keyboard.press("Enter")

    expect(menu).to_have_attribute("aria-expanded", "true")
    for name in ("Leads", "Deals", "People", "Organizations", "Activities", "Reports"):
        link = nav.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        assert_inside_the_screen(link)
    expect(phone.get_by_role("button", name="Log out")).to_be_visible()
    assert_fits_the_screen(phone)
    # The links come right after the button for the Tab key.
    phone.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Leads", exact=True)).to_be_focused()

    phone.keyboard.press("Escape")

    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(nav.get_by_role("link", name="Deals")).to_be_hidden()

    menu.click()
    nav.get_by_role("link", name="Activities").click()
    expect(phone.get_by_role("heading", name="My activities")).to_be_visible()
    expect(phone.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "false")


def test_a_wide_screen_shows_the_links_and_no_menu_button(page, login, live_server, owner):
    login(page, owner, live_server)

    page.goto(live_server.url + reverse("leads:inbox"))

    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Deals")).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("form", name="Bulk actions")).to_be_visible()


def test_the_bulk_bar_shows_once_a_lead_is_ticked(phone, login, live_server, owner):
    for title in ("Fleet tracking", "Solar roof"):
        lead_create(actor=owner, title=title, person=person_create(actor=owner, name=title))
    login(phone, owner, live_server)
    phone.goto(live_server.url + reverse("leads:inbox"))
    bar = phone.get_by_role("form", name="Bulk actions")
    expect(phone.get_by_role("link", name="Fleet tracking")).to_be_visible()
    expect(bar).to_be_hidden()
    assert_fits_the_screen(phone)

    phone.get_by_label("Select Fleet tracking").check()

    expect(bar).to_be_visible()
    expect(bar.get_by_text("1 selected")).to_be_visible()
    assert_inside_the_screen(bar)
    assert_inside_the_screen(bar.get_by_role("button", name="Apply"))
    assert_fits_the_screen(phone)

    phone.get_by_label("Select all").check()
    expect(bar.get_by_text("2 selected")).to_be_visible()
    phone.get_by_label("Select all").uncheck()
    expect(bar).to_be_hidden()


def test_the_convert_dialogs_duplicates_stack_one_under_the_other(
    phone, login, live_server, owner, pipeline
):
    org = organization_create(
        actor=owner, name="Alpenblick Hotels AG", website="alpenblick.example", address="Bergweg 1"
    )
    organization_create(actor=owner, name="Alpenblick Hotels", website="alpenblick.example")
    organization_create(actor=owner, name="Alpenblick Hotel GmbH", website="alpenblick.example")
    lead = lead_create(actor=owner, title="Spa", organization=org)
    login(phone, owner, live_server)

    phone.goto(live_server.url + reverse("leads:convert", args=[lead.pk]))

    dialog = phone.get_by_role("dialog", name="Convert to deal")
    expect(dialog.get_by_label("Keep new")).to_be_visible()
    assert_inside_the_screen(dialog)
    columns = dialog.locator(".compare-col")
    assert columns.count() == 3
    boxes = [assert_inside_the_screen(columns.nth(i)) for i in range(columns.count())]
    for above, below in zip(boxes, boxes[1:], strict=False):
        assert below["x"] == pytest.approx(above["x"], abs=1)
        assert below["y"] >= above["y"] + above["height"] - 1
    # Each choice can be made: its radio is on the screen, not scrolled out sideways.
    choice = dialog.get_by_label("Use Alpenblick Hotel GmbH")
    choice.scroll_into_view_if_needed()
    assert_inside_the_screen(choice)
    choice.check()
    expect(choice).to_be_checked()


def test_the_calendar_is_a_list_of_days_on_a_phone(phone, login, live_server, owner):
    person = person_create(actor=owner, name="Greta Sommer")
    activity_create(
        actor=owner,
        subject="A subject long enough to need a second line on a phone",
        due_date=timezone.localdate(),
        person=person,
    )
    login(phone, owner, live_server)

    for view in ("week", "month"):
        phone.goto(live_server.url + reverse("activities:calendar") + f"?view={view}")

        expect(phone.get_by_role("link", name="A subject long enough")).to_be_visible()
        assert_fits_the_screen(phone)
        assert_inside_the_screen(phone.get_by_role("link", name="Next"))
