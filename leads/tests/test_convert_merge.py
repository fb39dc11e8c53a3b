"""Convert with "Use existing": the chosen record takes everything the lead's own one had, and
the user is told what it kept."""

import pytest
from django.urls import reverse

from contacts.models import MergeRecord, Organization, Person
from contacts.services import organization_create, person_create
from crm.models import Visibility
from deals.models import Deal
from leads.conversion import ContactChoice, lead_convert
from leads.services import lead_create

KEEP = ContactChoice("keep")


@pytest.fixture
def lead(owner):
    org = organization_create(
        actor=owner, name="Nordwind Logistik GmbH", website="nordwind.de", address="Hamburg"
    )
    person = person_create(
        actor=owner,
        name="Anna Weber",
        emails=["anna@nordwind.de", "a.weber@mail.example"],
        phones=["+49 40 1234567"],
        organization=org,
        job_title="Head of fleet",
    )
    return lead_create(
        actor=owner, title="Fleet tracking", person=person, organization=org, value="12000"
    )


@pytest.fixture
def existing_org(owner):
    return organization_create(actor=owner, name="Nordwind Logistik", visible_to=Visibility.TEAM)


@pytest.fixture
def existing_person(owner):
    return person_create(
        actor=owner, name="Anna Weber", emails=["ANNA@nordwind.de"], phones=["+49 40 7654321"]
    )


def test_the_existing_organization_takes_the_website_of_the_leads_organization(
    owner, pipeline, lead, existing_org, existing_person
):
    own_org_id = lead.organization_id

    deal = lead_convert(
        lead=lead,
        actor=owner,
        pipeline=pipeline,
        person_choice=ContactChoice("use", existing_person.pk),
        organization_choice=ContactChoice("use", existing_org.pk),
    )

    existing_org.refresh_from_db()
    assert deal.organization == existing_org
    assert not Organization.objects.filter(pk=own_org_id).exists()
    assert (existing_org.website, existing_org.domain) == ("nordwind.de", "nordwind.de")
    assert existing_org.address == "Hamburg"
    # Its own name, owner and visibility stay.
    assert (existing_org.name, existing_org.visible_to) == ("Nordwind Logistik", Visibility.TEAM)


def test_an_organization_only_lead_gives_the_existing_organization_its_website(
    owner, pipeline, existing_org
):
    own = organization_create(actor=owner, name="Nordwind Logistik GmbH", website="nordwind.de")
    lead = lead_create(actor=owner, title="Fleet", organization=own)

    lead_convert(
        lead=lead,
        actor=owner,
        pipeline=pipeline,
        organization_choice=ContactChoice("use", existing_org.pk),
    )

    existing_org.refresh_from_db()
    assert existing_org.website == "nordwind.de"


def test_the_existing_person_gains_every_email_and_phone_once_and_keeps_its_primary(
    owner, pipeline, lead, existing_person, existing_org
):
    lead_convert(
        lead=lead,
        actor=owner,
        pipeline=pipeline,
        person_choice=ContactChoice("use", existing_person.pk),
        organization_choice=ContactChoice("use", existing_org.pk),
    )

    emails = list(existing_person.emails.values_list("email", flat=True))
    phones = list(existing_person.phones.values_list("key", flat=True))
    assert emails == ["ANNA@nordwind.de", "a.weber@mail.example"]  # primary stays, no repeat
    assert phones == ["+49407654321", "+49401234567"]
    existing_person.refresh_from_db()
    assert existing_person.job_title == "Head of fleet"  # a blank filled
    # The blank organization was filled, with the chosen one (the lead's was merged into it).
    assert existing_person.organization == existing_org


def test_the_merge_records_what_the_existing_record_took(
    owner, pipeline, lead, existing_org, existing_person
):
    own_person_id, own_org_id = lead.person_id, lead.organization_id

    lead_convert(
        lead=lead,
        actor=owner,
        pipeline=pipeline,
        person_choice=ContactChoice("use", existing_person.pk),
        organization_choice=ContactChoice("use", existing_org.pk),
    )

    person_merge = MergeRecord.objects.get(merged_id=own_person_id, kind="person")
    org_merge = MergeRecord.objects.get(merged_id=own_org_id, kind="organization")
    assert person_merge.kept_values["emails"] == ["a.weber@mail.example"]
    assert person_merge.kept_values["job_title"] == "other"
    assert person_merge.kept_values["owner"] == "survivor"
    assert org_merge.kept_values["website"] == "other"


def test_a_kept_person_keeps_the_leads_organization_it_belongs_to(
    owner, pipeline, lead, existing_org
):
    own_org_id = lead.organization_id

    lead_convert(
        lead=lead,
        actor=owner,
        pipeline=pipeline,
        person_choice=KEEP,
        organization_choice=ContactChoice("use", existing_org.pk),
    )

    # The lead's person still belongs to it: the organization is not merged away.
    assert Person.objects.get(name="Anna Weber").organization_id == own_org_id


def convert_data(pipeline, owner, **changes):
    return {
        "title": "Fleet tracking",
        "pipeline": pipeline.pk,
        "stage": pipeline.first_stage().pk,
        "value": "12000",
        "currency": "EUR",
        "owner": owner.pk,
        "visible_to": "team",
        **changes,
    }


def test_the_convert_dialog_says_what_the_existing_records_kept(
    client, owner, pipeline, lead, existing_org, existing_person
):
    client.force_login(owner)

    response = client.post(
        reverse("leads:convert", args=[lead.pk]),
        convert_data(
            pipeline,
            owner,
            person_choice=str(existing_person.pk),
            organization_choice=str(existing_org.pk),
        ),
        follow=True,
    )

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("deals:detail", args=[Deal.objects.get().pk])
    assert "Lead converted into a deal." in page
    assert (
        "“Nordwind Logistik GmbH” was merged into “Nordwind Logistik”. "
        "Kept from it: website “nordwind.de”; address “Hamburg”." in page
    )
    assert "email “a.weber@mail.example”" in page and "phone “+49 40 1234567”" in page
    assert "job title “Head of fleet”" in page


def test_the_convert_dialog_says_nothing_of_merges_when_the_lead_keeps_its_own_records(
    client, owner, pipeline, lead
):
    client.force_login(owner)

    response = client.post(
        reverse("leads:convert", args=[lead.pk]),
        convert_data(pipeline, owner, person_choice="keep", organization_choice="keep"),
        follow=True,
    )

    page = response.content.decode()
    assert "Lead converted into a deal." in page and "was merged into" not in page
