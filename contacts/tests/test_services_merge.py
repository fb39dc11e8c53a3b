"""Merging persons and organizations loses nothing and is recorded."""

import pytest

from activities.models import Activity, Note
from activities.services import activity_create, note_create
from contacts.models import MergeRecord, Organization, Person
from contacts.services import (
    organization_create,
    organization_merge,
    person_create,
    person_merge,
    person_update,
)
from crm.errors import DomainError, NotPermitted
from deals.services import deal_create
from leads.services import lead_create


@pytest.fixture
def pair(owner):
    keep = person_create(
        actor=owner, name="Robert Smith", emails=["rob@acme.com"], phones=["+1 212 555 0100"]
    )
    other = person_create(
        actor=owner,
        name="Bob Smith",
        emails=["bob@home.net", "ROB@acme.com"],
        phones=["+1 212 555 0199"],
        job_title="CFO",
    )
    return keep, other


def test_merge_moves_deals_leads_notes_and_activities(owner, pipeline, pair):
    keep, other = pair
    deal = deal_create(actor=owner, title="D", pipeline=pipeline, person=other)
    lead = lead_create(actor=owner, title="L", person=other)
    note_create(actor=owner, person=other, content="Likes golf")
    activity_create(actor=owner, person=other, subject="Call", due_date="2030-01-01")

    survivor = person_merge(actor=owner, survivor=keep, other=other)

    deal.refresh_from_db()
    lead.refresh_from_db()
    assert deal.person == survivor and lead.person == survivor
    assert Note.objects.get().person == survivor
    assert Activity.objects.get().person == survivor
    assert not Person.objects.filter(pk=other.pk).exists()


def test_merge_keeps_every_email_and_phone_once(owner, pair):
    keep, other = pair

    survivor = person_merge(actor=owner, survivor=keep, other=other)

    assert list(survivor.emails.values_list("key", flat=True)) == ["rob@acme.com", "bob@home.net"]
    assert set(survivor.phones.values_list("key", flat=True)) == {"+12125550100", "+12125550199"}


def test_merge_keeps_chosen_values_and_fills_blanks(owner, pair):
    keep, other = pair

    survivor = person_merge(actor=owner, survivor=keep, other=other, keep={"name": "other"})

    assert survivor.name == "Bob Smith"
    assert survivor.job_title == "CFO"  # blank on the survivor, filled from the other
    assert survivor.emails.first().key == "bob@home.net"  # primary follows the kept name


def test_merge_is_recorded_with_the_merged_record(owner, pair):
    keep, other = pair

    person_merge(actor=owner, survivor=keep, other=other)

    record = MergeRecord.objects.get()
    assert (record.survivor_id, record.merged_id, record.actor) == (keep.pk, other.pk, owner)
    assert record.merged_data["emails"] == ["bob@home.net", "ROB@acme.com"]


def test_a_person_cannot_be_merged_into_itself(owner, pair):
    with pytest.raises(DomainError):
        person_merge(actor=owner, survivor=pair[0], other=pair[0])


def test_a_teammate_cannot_merge_away_a_record_they_do_not_own(teammate, pair):
    with pytest.raises(NotPermitted):
        person_merge(actor=teammate, survivor=pair[0], other=pair[1])
    assert Person.objects.count() == 2


def test_organization_merge_moves_its_persons_and_deals(owner, pipeline):
    keep = organization_create(actor=owner, name="Acme GmbH", website="acme.de")
    other = organization_create(actor=owner, name="ACME", address="Berlin")
    person = person_create(actor=owner, name="Ann", organization=other)
    deal = deal_create(actor=owner, title="D", pipeline=pipeline, organization=other)

    survivor = organization_merge(actor=owner, survivor=keep, other=other)

    person.refresh_from_db()
    deal.refresh_from_db()
    assert person.organization == survivor and deal.organization == survivor
    assert survivor.address == "Berlin"
    assert not Organization.objects.filter(pk=other.pk).exists()


def test_updating_a_person_renormalizes_keys(owner, pair):
    person = person_update(
        actor=owner,
        person=pair[0],
        name="Röbert Smíth",
        emails=["Robert <R.Smith@Acme.com>"],
        phones=["030 1234567"],
    )

    assert person.name_key == "robert smith"
    assert person.emails.get().key == "r.smith@acme.com"
    assert person.phones.get().key == "+49301234567"


@pytest.mark.parametrize(
    "field,value", [("emails", ["not-an-email"]), ("phones", ["abc"]), ("name", "  ")]
)
def test_bad_contact_data_is_refused_with_the_field(owner, field, value):
    kwargs = {"name": "Ann", field: value}
    with pytest.raises(DomainError) as refused:
        person_create(actor=owner, **kwargs)
    assert refused.value.field == field


# --- Contacts as forms name them --------------------------------------------------------------


def test_a_typed_name_never_creates_an_organization_without_the_users_word(owner):
    from contacts.services import ContactRef, organization_resolve

    organization_create(actor=owner, name="Alpenblick Hotels AG")

    with pytest.raises(DomainError) as refused:
        organization_resolve(actor=owner, ref=ContactRef(name="Alpenblick"))

    assert refused.value.field == "organization"
    assert Organization.objects.count() == 1


def test_the_exact_name_of_a_visible_organization_picks_it(owner):
    from contacts.services import ContactRef, organization_resolve

    existing = organization_create(actor=owner, name="Acme GmbH")

    assert organization_resolve(actor=owner, ref=ContactRef(name="acme gmbh")) == existing


def test_an_organization_the_user_may_not_see_cannot_be_picked_by_id(owner, outsider):
    from contacts.services import ContactRef, organization_resolve
    from crm.models import Visibility

    hidden = organization_create(actor=outsider, name="Hidden", visible_to=Visibility.OWNER)

    with pytest.raises(DomainError):
        organization_resolve(actor=owner, ref=ContactRef(id=hidden.pk))


def test_a_refused_person_leaves_no_new_organization_behind(owner):
    from contacts.services import ContactRef, person_save

    with pytest.raises(DomainError):
        person_save(
            actor=owner,
            person=None,
            organization=ContactRef(name="New Co", create=True),
            name="Ann",
            emails=["not-an-email"],
        )

    assert not Organization.objects.filter(name="New Co").exists()
