"""Settings in a real browser, as an admin: users, teams, a pipeline's stages (add, drag to
reorder, move up with the keyboard, delete with the deals moved)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from crm.models import Team, User
from deals.models import Deal, Pipeline, Stage
from deals.tests.board_helpers import make_deal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _stage_names(page):
    return page.locator(".stage-row .stage-name")


def _stage_row(page, name):
    stages = page.get_by_role("list", name="Stages in order").get_by_role("listitem")
    return stages.filter(has=page.locator(".stage-name").get_by_text(name, exact=True))


def test_an_admin_invites_a_user_and_puts_them_in_a_new_team(page, live_server, login, admin_user):
    # given
    login(page, admin_user, live_server)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Users").click()
    # when: the admin invites Nina
    page.get_by_role("link", name="Invite user").click()
    page.get_by_label("Username").fill("nina")
    page.get_by_label("First name").fill("Nina")
    page.get_by_label("Last name").fill("Neu")
    page.get_by_label("Email").fill("nina@example.com")
    page.get_by_label("Role").select_option(label="Sales rep")
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("status")).to_contain_text("nina@example.com")
    # and creates a team with her in it
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Teams").click()
    page.get_by_role("link", name="New team").click()
    page.get_by_label("Name").fill("Hamburg")
    page.get_by_label("Members").select_option(label="Nina Neu (nina)")
    page.get_by_role("button", name="Create team").click()
    # then
    expect(page.get_by_role("status")).to_contain_text("Hamburg was created")
    expect(page.get_by_role("row", name="Hamburg")).to_contain_text("Nina Neu")
    nina = User.objects.get(username="nina")
    assert nina.team == Team.objects.get(name="Hamburg")
    assert not nina.has_usable_password()


def test_an_admin_builds_a_pipeline_reorders_its_stages_and_deletes_one_moving_its_deals(
    page, live_server, login, admin_user, owner
):
    # given: the admin creates a pipeline and adds three stages
    login(page, admin_user, live_server)
    page.goto(live_server.url + reverse("setup:pipelines"))
    page.get_by_label("Name").fill("Partners")
    page.get_by_role("button", name="Create pipeline").click()
    for name, probability in (("Intro", "10"), ("Pilot", "40"), ("Contract", "80")):
        page.get_by_label("Stage name").fill(name)
        page.get_by_label("Win probability (%)").fill(probability)
        page.get_by_label("Rotting after (days)").fill("14")
        page.get_by_role("button", name="Add stage").click()
        expect(page.get_by_role("status")).to_contain_text(f"The stage {name} was added")
    expect(_stage_names(page)).to_have_text(["Intro", "Pilot", "Contract"])
    pipeline = Pipeline.objects.get(name="Partners")

    # when: Contract is dragged onto Intro (before it)
    _stage_row(page, "Contract").drag_to(_stage_row(page, "Intro"))
    # then
    expect(page.get_by_role("status")).to_contain_text("reordered")
    expect(_stage_names(page)).to_have_text(["Contract", "Intro", "Pilot"])

    # when: Pilot moves up with the keyboard
    page.get_by_role("button", name="Move Pilot up").focus()
    page.keyboard.press("Enter")
    # then
    expect(_stage_names(page)).to_have_text(["Contract", "Pilot", "Intro"])
    assert list(pipeline.stages.order_by("order").values_list("name", flat=True)) == [
        "Contract",
        "Pilot",
        "Intro",
    ]

    # given: two deals in Pilot
    pilot, intro = Stage.objects.get(name="Pilot"), Stage.objects.get(name="Intro")
    deals = [make_deal(owner, pipeline, stage=pilot, title=f"Deal {i}") for i in range(2)]
    page.reload()
    # when: Pilot is deleted, its deals going to Intro
    page.get_by_role("button", name="Delete Pilot").click()
    dialog = page.get_by_role("dialog", name="Delete the stage Pilot")
    dialog.get_by_label("Move its deals to").select_option(label="Intro")
    dialog.get_by_role("button", name="Move deals and delete").click()
    # then
    expect(page.get_by_role("status")).to_contain_text("2 deals moved")
    expect(_stage_names(page)).to_have_text(["Contract", "Intro"])
    assert not Stage.objects.filter(pk=pilot.pk).exists()
    assert {Deal.objects.get(pk=d.pk).stage_id for d in deals} == {intro.pk}


def test_a_reorder_from_a_stale_page_says_so(page, live_server, login, admin_user, pipeline):
    # given: the page is open, and someone else reorders the stages meanwhile
    login(page, admin_user, live_server)
    page.goto(live_server.url + reverse("setup:pipeline", args=[pipeline.pk]))
    first, second, *rest = pipeline.stages.order_by("order")
    Stage.objects.filter(pk=first.pk).update(order=1)
    Stage.objects.filter(pk=second.pk).update(order=0)
    # when
    page.get_by_role("button", name=f"Move {rest[0].name} up").click()
    # then
    expect(page.get_by_role("alert")).to_contain_text("Someone changed this pipeline's stages")
    expect(_stage_names(page).first).to_have_text(second.name)
