"""Fixes found in QA on the deal pages: huge page numbers, website links, unique form ids,
e-mail addresses in Log email, one-time tokens, "My team" for managers."""

import re

import pytest
from django.urls import reverse

from activities.models import Email, Note
from crm.models import Visibility
from crm.web.once import new_token
from deals.tests.web import make_deal, make_organization, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(owner, pipeline):
    org = make_organization(owner, name="Acme GmbH", website="javascript:alert(1)")
    return make_deal(owner, pipeline, title="Acme rollout", organization=org)


def email_data(**changes):
    data = {
        "email-sender": "olivia@example.com",
        "email-recipients": "ann@example.com",
        "email-subject": "Offer",
        "email-body": "Hi",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("page", ["99999999999999999999", "9223372036854775807", "x"])
def test_any_page_number_of_the_deals_list_is_a_page(client, owner, page):
    client.force_login(owner)

    assert client.get(reverse("deals:list"), {"page": page}).status_code == 200


def test_deal_page_shows_a_non_http_website_as_text(client, owner, deal):
    client.force_login(owner)

    html = client.get(reverse("deals:detail", args=[deal.pk])).content.decode()

    assert "javascript:alert(1)" in html and 'href="javascript:' not in html


def test_deal_page_has_no_duplicate_ids(client, owner, deal):
    client.force_login(owner)

    html = client.get(reverse("deals:detail", args=[deal.pk])).content.decode()

    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert 'for="id_activity-subject"' in html and 'for="id_email-subject"' in html


def test_log_email_refuses_an_invalid_address_with_a_clear_error(client, owner, deal):
    client.force_login(owner)

    response = client.post(
        reverse("activities:email_log", args=["deal", deal.pk]),
        email_data(**{"email-recipients": "not-email"}),
    )

    assert response.status_code == 400 and not Email.objects.exists()
    assert "Not a valid email address: not-email" in response.content.decode()


def test_log_email_accepts_several_addresses_separated_by_commas_or_semicolons(client, owner, deal):
    client.force_login(owner)

    client.post(
        reverse("activities:email_log", args=["deal", deal.pk]),
        email_data(**{"email-recipients": "ann@example.com; Bob <bob@example.com>, c@example.com"}),
    )

    assert Email.objects.get().recipients == "ann@example.com, Bob <bob@example.com>, c@example.com"


def test_log_email_refuses_an_invalid_sender(client, owner, deal):
    client.force_login(owner)

    response = client.post(
        reverse("activities:email_log", args=["deal", deal.pk]),
        email_data(**{"email-sender": "olivia"}),
    )

    assert response.status_code == 400 and not Email.objects.exists()


def test_deal_note_sent_twice_with_one_token_adds_one_note(client, owner, deal):
    client.force_login(owner)
    data = {"note-content": "Budget approved", "form_token": new_token()}

    client.post(reverse("activities:note_add", args=["deal", deal.pk]), data)
    second = client.post(reverse("activities:note_add", args=["deal", deal.pk]), data)

    assert Note.objects.count() == 1
    assert second.url.startswith(reverse("deals:detail", args=[deal.pk]))


def test_my_team_deals_for_a_manager_include_the_managed_team(client, manager, owner, pipeline):
    make_deal(owner, pipeline, title="Managed deal", person=make_person(owner))
    client.force_login(manager)

    response = client.get(reverse("deals:list"), {"owner": "team"})

    assert [d.title for d in response.context["page"].items] == ["Managed deal"]


def test_my_team_deals_leave_out_company_deals_of_other_teams(client, owner, outsider, pipeline):
    make_deal(outsider, pipeline, title="Far deal", visible_to=Visibility.COMPANY)
    client.force_login(owner)

    response = client.get(reverse("deals:list"), {"owner": "team"})

    assert response.context["page"].items == []
