"""Back to lead through the deal page and `POST /api/v1/deals/{id}/to-lead/`."""

import pytest
from django.urls import reverse

from activities.services import note_create
from crm.tests.api import api_client, make_deal
from deals.models import Deal
from deals.services import deal_mark_won, deal_update
from leads.models import Lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(owner, pipeline):
    deal = make_deal(owner, pipeline, title="Fleet tracking")
    note_create(actor=owner, deal=deal, content="Sent the offer")
    return deal


def url(deal):
    return reverse("leads:from_deal", args=[deal.pk])


def test_an_open_deals_page_offers_back_to_leads_in_a_dialog(client, owner, deal):
    client.force_login(owner)

    html = client.get(reverse("deals:detail", args=[deal.pk])).content.decode()

    assert 'data-open-dialog="to-lead-dialog"' in html
    assert f'action="{url(deal)}"' in html and "Send back to leads" in html


def test_a_won_deals_page_does_not_offer_it(client, owner, deal):
    deal_mark_won(actor=owner, deal=deal)
    client.force_login(owner)

    html = client.get(reverse("deals:detail", args=[deal.pk])).content.decode()

    assert "to-lead-dialog" not in html


def test_the_confirmation_page_works_without_javascript(client, owner, deal):
    client.force_login(owner)

    response = client.get(url(deal))

    assert response.status_code == 200
    assert "Send back to leads" in response.content.decode()


def test_sending_back_opens_the_lead_with_the_deals_notes(client, owner, deal):
    client.force_login(owner)

    response = client.post(url(deal), {"version": deal.version})

    lead = Lead.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("leads:detail", args=[lead.pk])
    page = client.get(response.url).content.decode()
    assert "is back in the leads inbox" in page and "Sent the offer" in page
    assert not Deal.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_outsider_gets_404_and_nothing_changes(client, outsider, deal, method):
    client.force_login(outsider)

    response = getattr(client, method)(url(deal), {"version": deal.version})

    assert response.status_code == 404
    assert Deal.objects.filter(pk=deal.pk).exists() and not Lead.objects.exists()


def test_a_double_click_sends_it_back_once_and_says_so(client, owner, deal):
    client.force_login(owner)
    data = {"version": deal.version, "form_token": "tok-" + "y" * 20}

    first = client.post(url(deal), data)
    second = client.post(url(deal), data, follow=True)

    assert Lead.objects.count() == 1
    assert second.redirect_chain[0][0] == first.url
    assert "This form was already sent" in second.content.decode()


def test_a_stale_page_is_refused_with_a_message(client, owner, teammate, deal):
    seen = deal.version
    deal_update(actor=teammate, deal=deal, version=seen, title="Renamed")
    client.force_login(owner)

    response = client.post(url(deal), {"version": seen}, follow=True)

    assert "Someone else changed this deal" in response.content.decode()
    assert Deal.objects.filter(pk=deal.pk).exists() and not Lead.objects.exists()


# --- API ------------------------------------------------------------------------------------


def api_url(deal):
    return f"/api/v1/deals/{deal.pk}/to-lead/"


def test_api_sends_the_deal_back_and_answers_the_lead(owner, deal):
    response = api_client(owner).post(api_url(deal), {"version": deal.version}, format="json")

    body = response.json()
    assert response.status_code == 200
    lead = Lead.objects.get()
    assert body["id"] == lead.pk and body["deal"] is None and body["converted_at"] is None
    assert body["title"] == "Fleet tracking"
    assert api_client(owner).get(f"/api/v1/deals/{deal.pk}/").status_code == 404


def test_api_outsider_gets_404(outsider, deal):
    response = api_client(outsider).post(api_url(deal), {}, format="json")

    assert response.status_code == 404
    assert Deal.objects.filter(pk=deal.pk).exists()


def test_api_teammate_who_may_edit_the_deal_may_send_it_back(teammate, deal):
    response = api_client(teammate).post(api_url(deal), {}, format="json")

    assert response.status_code == 200
    assert Lead.objects.get().owner == deal.owner  # the lead stays the owner's


def test_api_a_stale_version_is_a_409_with_the_current_deal(owner, teammate, deal):
    seen = deal.version
    deal_update(actor=teammate, deal=deal, version=seen, title="Renamed")

    response = api_client(owner).post(api_url(deal), {"version": seen}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert response.json()["current"]["title"] == "Renamed"


def test_api_a_won_deal_is_a_400_on_status(owner, deal):
    deal_mark_won(actor=owner, deal=deal)

    response = api_client(owner).post(api_url(deal), {}, format="json")

    assert response.status_code == 400 and "status" in response.json()


def test_api_a_second_request_finds_the_deal_gone(owner, deal):
    client = api_client(owner)
    client.post(api_url(deal), {}, format="json")

    response = client.post(api_url(deal), {}, format="json")

    assert response.status_code == 404
    assert Lead.objects.count() == 1
