"""Merging duplicates from a person or organization page: pick, compare, choose, confirm."""

import pytest
from django.urls import reverse

from contacts.models import MergeRecord, Organization, Person
from crm.models import Visibility
from deals.tests.web import make_deal, make_organization, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(owner):
    keep = make_person(owner, name="Robert Smith", emails=["rob@acme.com"], phones=[])
    other = make_person(
        owner, name="Bob Smith", emails=["bob@home.net"], phones=[], job_title="CFO"
    )
    return keep, other


def merge_url(person):
    return reverse("contacts:person_merge", args=[person.pk])


def test_merge_page_finds_the_other_person_by_search(client, owner, pair):
    keep, other = pair
    client.force_login(owner)

    response = client.get(merge_url(keep), {"q": "bob"})

    assert response.status_code == 200
    assert list(response.context["found"]) == [other]


def test_merge_page_suggests_duplicates(client, owner):
    keep = make_person(owner, name="Robert Smith", emails=["rob@acme.com"])
    other = make_person(owner, name="Rob Smith", emails=["ROB@acme.com"])
    client.force_login(owner)

    response = client.get(merge_url(keep))

    assert other in [match.record for match in response.context["suggestions"]]


def test_compare_shows_both_records_side_by_side(client, owner, pair):
    keep, other = pair
    client.force_login(owner)

    response = client.get(merge_url(keep), {"other": other.pk})

    html = response.content.decode()
    assert "Robert Smith" in html and "Bob Smith" in html
    assert "rob@acme.com" in html and "bob@home.net" in html
    # A blank job title is filled from the other record unless the user says otherwise.
    row = next(r for r in response.context["rows"] if r.field == "job_title")
    assert row.keep == "other"


def test_asking_to_merge_a_record_into_itself_goes_back_to_picking_with_a_message(
    client, owner, pair
):
    keep, _other = pair
    client.force_login(owner)

    response = client.get(merge_url(keep), {"other": keep.pk}, follow=True)

    assert response.redirect_chain == [(merge_url(keep), 302)]
    assert "A record cannot be merged into itself." in response.content.decode()
    assert "merge_pick" in response.templates[0].name


def test_compare_says_every_email_is_kept_and_this_records_primary_stays(client, owner, pair):
    keep, other = pair
    client.force_login(owner)

    html = client.get(merge_url(keep), {"other": other.pk}).content.decode()

    assert "Every email address and phone number of both is kept, each once." in html
    assert "The primary email and phone of this record stay primary." in html


def test_confirmed_merge_keeps_the_chosen_values_and_removes_the_other(
    client, owner, pair, pipeline
):
    keep, other = pair
    deal = make_deal(owner, pipeline, person=other)
    client.force_login(owner)

    response = client.post(
        merge_url(keep),
        {
            "other": other.pk,
            "keep_name": "other",
            "keep_job_title": "other",
            "keep_organization": "survivor",
            "keep_owner": "survivor",
            "keep_visible_to": "survivor",
        },
    )

    keep.refresh_from_db()
    deal.refresh_from_db()
    assert response.status_code == 302
    assert keep.name == "Bob Smith" and keep.job_title == "CFO"
    assert not Person.objects.filter(pk=other.pk).exists()
    assert deal.person == keep
    assert sorted(e.email for e in keep.emails.all()) == ["bob@home.net", "rob@acme.com"]
    assert MergeRecord.objects.filter(survivor_id=keep.pk, merged_id=other.pk).exists()


def test_merged_record_shows_on_the_survivors_timeline(client, owner, pair):
    keep, other = pair
    client.force_login(owner)

    response = client.post(merge_url(keep), {"other": other.pk}, follow=True)

    assert "Merged “Bob Smith” into this record" in response.content.decode()


def test_merging_with_a_person_the_user_may_not_see_is_404(client, owner, outsider, pair):
    keep, _other = pair
    hidden = make_person(outsider, name="Bob Smith", visible_to=Visibility.TEAM)
    client.force_login(owner)

    response = client.post(merge_url(keep), {"other": hidden.pk})

    assert response.status_code == 404
    assert Person.objects.filter(pk=hidden.pk).exists()


def test_teammate_may_not_merge_away_the_owners_person(client, owner, teammate):
    keep = make_person(teammate, name="Robert Smith")
    other = make_person(owner, name="Bob Smith")
    client.force_login(teammate)

    response = client.post(merge_url(keep), {"other": other.pk}, follow=True)

    assert Person.objects.filter(pk=other.pk).exists()
    assert "may delete" in response.content.decode()


def test_merge_two_organizations(client, owner):
    keep = make_organization(owner, name="Acme GmbH", website="acme.example")
    other = make_organization(owner, name="ACME", website="", address="Berlin")
    client.force_login(owner)

    response = client.post(
        reverse("contacts:organization_merge", args=[keep.pk]),
        {"other": other.pk, "keep_name": "survivor", "keep_address": "other"},
    )

    keep.refresh_from_db()
    assert response.status_code == 302
    assert keep.name == "Acme GmbH" and keep.address == "Berlin"
    assert not Organization.objects.filter(pk=other.pk).exists()


def test_after_the_merge_the_page_says_what_this_record_kept_of_the_other(client, owner, pair):
    keep, other = pair
    client.force_login(owner)

    response = client.post(merge_url(keep), {"other": other.pk}, follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("contacts:person_detail", args=[keep.pk])
    assert (
        "“Bob Smith” was merged into “Robert Smith”. Kept from it: job title “CFO”; "
        "email “bob@home.net”." in page
    )


def test_a_merge_page_choice_of_a_blank_does_not_drop_the_others_value(client, owner):
    keep = make_organization(owner, name="Acme GmbH", website="")
    other = make_organization(owner, name="ACME", website="acme.example")
    client.force_login(owner)

    response = client.post(
        reverse("contacts:organization_merge", args=[keep.pk]),
        {"other": other.pk, "keep_website": "survivor"},
        follow=True,
    )

    keep.refresh_from_db()
    assert keep.website == "acme.example"
    assert "Kept from it: website “acme.example”." in response.content.decode()
