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
    assert survivor.emails.first().key == "rob@acme.com"  # the survivor's primary stays


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


# --- A merge loses no data ---------------------------------------------------------------------


def test_a_blank_of_the_survivor_is_filled_even_when_the_survivor_side_was_chosen(owner):
    keep = organization_create(actor=owner, name="Acme GmbH")
    other = organization_create(actor=owner, name="ACME", website="acme.de", address="Berlin")

    survivor = organization_merge(
        actor=owner,
        survivor=keep,
        other=other,
        keep={"name": "survivor", "website": "survivor", "address": "survivor"},
    )

    survivor.refresh_from_db()
    assert (survivor.name, survivor.website, survivor.address) == ("Acme GmbH", "acme.de", "Berlin")
    assert survivor.domain == "acme.de"  # the duplicate check finds it by the website now


def test_choosing_the_others_blank_does_not_drop_the_survivors_value(owner):
    keep = organization_create(actor=owner, name="Acme GmbH", website="acme.de")
    other = organization_create(actor=owner, name="ACME", address="Berlin")

    survivor = organization_merge(
        actor=owner, survivor=keep, other=other, keep={"website": "other", "address": "other"}
    )

    survivor.refresh_from_db()
    assert (survivor.website, survivor.address) == ("acme.de", "Berlin")
    assert MergeRecord.objects.get().kept_values["website"] == "survivor"


def test_the_survivors_primary_email_and_phone_stay_primary_whichever_name_is_kept(owner, pair):
    keep, other = pair

    survivor = person_merge(actor=owner, survivor=keep, other=other, keep={"name": "other"})

    assert survivor.emails.first().key == "rob@acme.com"
    assert survivor.phones.first().key == "+12125550100"
    assert survivor.emails.count() == 2 and survivor.phones.count() == 2


def test_the_merge_record_lists_what_the_survivor_took(owner, pair):
    keep, other = pair

    person_merge(actor=owner, survivor=keep, other=other)

    kept = MergeRecord.objects.get().kept_values
    assert (kept["name"], kept["job_title"]) == ("survivor", "other")
    assert kept["emails"] == ["bob@home.net"]  # ROB@acme.com was there already
    assert kept["phones"] == ["+1 212 555 0199"]


def test_merge_kept_tells_what_the_survivor_took(owner, pair):
    from contacts.selectors import merge_kept

    keep, other = pair
    person_merge(actor=owner, survivor=keep, other=other)

    kept = merge_kept(user=owner, kind="person", merged_id=other.pk)

    assert kept.values == [
        ("job title", "CFO"),
        ("email", "bob@home.net"),
        ("phone", "+1 212 555 0199"),
    ]
    assert kept.message() == (
        "“Bob Smith” was merged into “Robert Smith”. Kept from it: job title “CFO”; "
        "email “bob@home.net”; phone “+1 212 555 0199”."
    )


def test_merge_kept_tells_nothing_to_a_user_who_may_not_see_the_survivor(owner, outsider):
    from contacts.selectors import merge_kept
    from crm.models import Visibility

    keep = organization_create(actor=owner, name="Acme", visible_to=Visibility.OWNER)
    other = organization_create(actor=owner, name="ACME", website="acme.de")
    organization_merge(actor=owner, survivor=keep, other=other)

    assert merge_kept(user=outsider, kind="organization", merged_id=other.pk) is None
    assert merge_kept(user=owner, kind="organization", merged_id=other.pk).values == [
        ("website", "acme.de")
    ]


# --- Only the checked merge is public -----------------------------------------------------------


def test_the_public_merges_take_no_flag_that_skips_the_permission_check(teammate, pair):
    with pytest.raises(TypeError):
        person_merge(actor=teammate, survivor=pair[0], other=pair[1], authorized=True)
    assert Person.objects.count() == 2


def test_the_unchecked_merge_is_for_services_that_decided_themselves(teammate, pair):
    from contacts.services import person_merge_unchecked

    survivor = person_merge_unchecked(actor=teammate, survivor=pair[0], other=pair[1])

    assert Person.objects.get() == survivor


def test_the_unchecked_merge_still_refuses_a_record_into_itself(owner, pair):
    from contacts.services import organization_merge_unchecked

    org = organization_create(actor=owner, name="Acme")
    with pytest.raises(DomainError):
        organization_merge_unchecked(actor=owner, survivor=org, other=org)


def test_an_outsider_cannot_merge_an_organization_they_may_not_edit(owner, outsider):
    keep = organization_create(actor=outsider, name="Acme")
    other = organization_create(actor=owner, name="ACME")

    with pytest.raises(NotPermitted):
        organization_merge(actor=outsider, survivor=keep, other=other)
    assert Organization.objects.count() == 2
