"""The Settings pages: admins only (404 for anyone else), and what each page changes."""

import pytest
from django.core import mail
from django.urls import reverse

from crm.models import CompanySettings, Label, Role, Team, User
from crm.selectors import default_currency
from crm.tests.api import make_deal, make_lead
from deals.models import Deal, LostReason
from leads.services import lead_create

pytestmark = pytest.mark.django_db

PAGES = [
    ("setup:index", []),
    ("setup:users", []),
    ("setup:user_new", []),
    ("setup:teams", []),
    ("setup:team_new", []),
    ("setup:pipelines", []),
    ("setup:labels", []),
    ("setup:lost_reasons", []),
    ("setup:company", []),
]


@pytest.mark.parametrize("who", ["owner", "manager"])
def test_settings_pages_are_404_for_reps_and_managers(who, request, client, pipeline, team):
    client.force_login(request.getfixturevalue(who))
    urls = [reverse(name, args=args) for name, args in PAGES] + [
        reverse("setup:pipeline", args=[pipeline.pk]),
        reverse("setup:team", args=[team.pk]),
        reverse("setup:stage", args=[pipeline.stages.first().pk]),
    ]

    statuses = {url: client.get(url).status_code for url in urls}
    posted = client.post(reverse("setup:pipelines"), {"name": "Mine"}).status_code

    assert set(statuses.values()) == {404}
    assert posted == 404


def test_the_settings_entry_is_in_the_navigation_for_admins_only(client, admin_user, owner):
    client.force_login(owner)
    rep_page = client.get(reverse("profile")).content.decode()
    client.force_login(admin_user)
    admin_page = client.get(reverse("profile")).content.decode()

    assert reverse("setup:index") not in rep_page
    assert reverse("setup:index") in admin_page


def test_every_settings_page_renders_for_an_admin(client, admin_user, pipeline, team):
    client.force_login(admin_user)
    urls = [reverse(name, args=args) for name, args in PAGES] + [
        reverse("setup:pipeline", args=[pipeline.pk]),
        reverse("setup:team", args=[team.pk]),
        reverse("setup:user", args=[admin_user.pk]),
        reverse("setup:stage", args=[pipeline.stages.first().pk]),
    ]

    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 200)


def test_an_invited_user_sets_their_password_once_and_logs_in(
    client, admin_user, django_capture_on_commit_callbacks
):
    # given an admin invites a user
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("setup:user_new"),
            {"username": "nina", "email": "nina@example.com", "role": Role.REP},
        )
    link = next(line for line in mail.outbox[0].body.splitlines() if "set-password" in line)
    path = link[link.index("/accounts/") :]
    client.logout()
    # when they follow the link (Django redirects to a URL without the token) and set it
    form_url = client.get(path, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "a-Long-pass-42", "new_password2": "a-Long-pass-42"})
    # then they can log in, and the link no longer works
    assert client.login(username="nina", password="a-Long-pass-42")
    client.logout()
    again = client.get(path, follow=True)
    assert b"expired or was used" in again.content


def test_a_user_without_email_gets_a_link_shown_to_the_admin(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("setup:user_new"), {"username": "nomail", "role": Role.REP}, follow=True
    )

    assert "/accounts/set-password/" in response.content.decode()


def test_an_admin_cannot_deactivate_themselves(client, admin_user):
    client.force_login(admin_user)

    client.post(reverse("setup:user_active", args=[admin_user.pk]), {"is_active": "0"})

    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_deactivating_keeps_the_records_and_hand_over_moves_them_in_one_step(
    client, admin_user, owner, teammate, pipeline
):
    deal = make_deal(owner, pipeline)
    lead = make_lead(owner)
    client.force_login(admin_user)

    client.post(reverse("setup:user_active", args=[owner.pk]), {"is_active": "0"})
    owner.refresh_from_db()
    assert not owner.is_active and Deal.objects.get(pk=deal.pk).owner == owner
    client.post(reverse("setup:user_hand_over", args=[owner.pk]), {"to": teammate.pk})

    deal.refresh_from_db()
    lead.refresh_from_db()
    assert (deal.owner, lead.owner) == (teammate, teammate)


def test_a_duplicate_team_name_is_a_form_error(client, admin_user, team):
    client.force_login(admin_user)

    response = client.post(reverse("setup:team_new"), {"name": "NORTH"})

    assert response.status_code == 200
    assert "There is a team of this name." in response.content.decode()
    assert Team.objects.count() == 2  # North, and the admin's South


def test_a_stale_reorder_page_answers_409_with_a_message(client, admin_user, pipeline):
    ids = list(pipeline.stages.order_by("order").values_list("id", flat=True))
    client.force_login(admin_user)

    response = client.post(
        reverse("setup:stage_reorder", args=[pipeline.pk]),
        {"order": ",".join(map(str, ids[::-1])), "seen": ",".join(map(str, ids[::-1]))},
    )

    assert response.status_code == 409
    assert "Someone changed this pipeline" in response.content.decode()


def test_labels_and_lost_reasons_are_added_from_their_pages(client, admin_user):
    client.force_login(admin_user)

    client.post(reverse("setup:labels"), {"name": "Hot", "color": "#dc2626"})
    client.post(reverse("setup:lost_reasons"), {"name": "No budget"})

    assert Label.objects.get().name == "Hot"
    assert LostReason.objects.get().name == "No budget"


def test_the_company_currency_is_the_default_everywhere(client, admin_user, owner):
    client.force_login(admin_user)

    client.post(
        reverse("setup:company"), {"default_currency": "chf", "default_visibility": "company"}
    )
    lead = lead_create(
        actor=owner, title="Swiss", organization=None, person=make_lead(owner).person
    )

    assert CompanySettings.load().default_currency == "CHF"
    assert default_currency() == "CHF"
    assert (lead.currency, lead.visible_to) == ("CHF", "company")


def test_a_superuser_counts_as_an_admin_for_the_last_admin_rule(client, admin_user):
    root = User.objects.create_superuser("root", "root@example.com", "pass-word-123")
    client.force_login(root)

    client.post(reverse("setup:user_active", args=[admin_user.pk]), {"is_active": "0"})

    admin_user.refresh_from_db()
    assert not admin_user.is_active
