"""Converting a lead into a deal: what moves, the duplicate flow, once only, all or nothing."""

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from activities.models import Activity, Note
from activities.selectors import deal_timeline, person_timeline
from contacts.models import MergeRecord, Organization, Person
from contacts.services import organization_create, person_create
from crm.errors import NotPermitted
from crm.models import Visibility
from deals.models import Deal, DealHistory, HistoryKind
from leads.conversion import ContactChoice, lead_convert
from leads.errors import AlreadyConverted, DuplicateContacts
from leads.models import Lead
from leads.selectors import lead_inbox
from leads.services import lead_add_activity, lead_add_note, lead_create

KEEP = ContactChoice("keep")


@pytest.fixture
def lead(owner):
    org = organization_create(actor=owner, name="Nordwind Logistik GmbH", website="nordwind.de")
    person = person_create(
        actor=owner,
        name="Anna Weber",
        emails=["anna@nordwind.de"],
        phones=["+49 40 1234567"],
        organization=org,
    )
    lead = lead_create(
        actor=owner,
        title="Fleet tracking",
        person=person,
        organization=org,
        value="12000",
        currency="EUR",
    )
    lead_add_note(actor=owner, lead=lead, content="Wants a pilot in May")
    return lead


def test_conversion_moves_person_organization_and_notes_and_empties_the_inbox(
    owner, pipeline, lead
):
    stage = pipeline.stages.order_by("order")[1]

    deal = lead_convert(
        lead=lead,
        actor=owner,
        pipeline=pipeline,
        stage=stage,
        person_choice=KEEP,
        organization_choice=KEEP,
    )

    lead.refresh_from_db()
    assert (deal.pipeline, deal.stage) == (pipeline, stage)
    assert (deal.person, deal.organization) == (lead.person, lead.organization)
    assert (deal.title, deal.value, deal.currency) == ("Fleet tracking", Decimal("12000"), "EUR")
    assert lead.deal == deal and lead.converted_at is not None
    assert not lead_inbox(user=owner).filter(pk=lead.pk).exists()
    note = Note.objects.get()
    assert (note.deal, note.person, note.organization) == (deal, lead.person, lead.organization)


def test_conversion_shows_on_the_deal_timeline_and_the_persons(owner, pipeline, lead):
    deal = lead_convert(
        lead=lead, actor=owner, pipeline=pipeline, person_choice=KEEP, organization_choice=KEEP
    )

    kinds = [e.kind for e in deal_timeline(deal=deal)]
    assert "note" in kinds and "history" in kinds
    assert DealHistory.objects.get(deal=deal).kind == HistoryKind.CONVERTED
    assert any(e.kind == "note" for e in person_timeline(person=deal.person, user=owner))


def test_conversion_defaults_to_the_first_stage_and_the_leads_values(owner, pipeline, lead):
    deal = lead_convert(
        lead=lead,
        actor=owner,
        pipeline=pipeline,
        title="Pilot",
        value="999.50",
        person_choice=KEEP,
        organization_choice=KEEP,
    )

    assert deal.stage == pipeline.first_stage()
    assert (deal.title, deal.value) == ("Pilot", Decimal("999.50"))
    assert (deal.owner, deal.visible_to) == (lead.owner, lead.visible_to)


def test_activities_of_the_lead_move_to_the_deal(owner, pipeline, lead):
    lead_add_activity(actor=owner, lead=lead, subject="Call back", due_date="2030-01-02")

    deal = lead_convert(
        lead=lead, actor=owner, pipeline=pipeline, person_choice=KEEP, organization_choice=KEEP
    )

    assert Activity.objects.get().deal == deal
    deal.refresh_from_db()
    assert deal.next_activity_at is not None


def test_duplicate_person_refuses_with_candidates_until_the_user_chooses(owner, pipeline, lead):
    existing = person_create(actor=owner, name="Anna Weber", emails=["ANNA@nordwind.de"])

    with pytest.raises(DuplicateContacts) as refused:
        lead_convert(lead=lead, actor=owner, pipeline=pipeline, organization_choice=KEEP)

    assert [m.record.pk for m in refused.value.person][:1] == [existing.pk]
    assert "same email" in " ".join(refused.value.person[0].reasons).lower()
    assert not Deal.objects.exists()


def test_picking_the_existing_person_merges_the_leads_own_person_away(owner, pipeline, lead):
    existing = person_create(actor=owner, name="Anna Weber", emails=["anna@nordwind.de"])
    own_person_id = lead.person_id

    deal = lead_convert(
        lead=lead,
        actor=owner,
        pipeline=pipeline,
        person_choice=ContactChoice("use", existing.pk),
        organization_choice=KEEP,
    )

    lead.refresh_from_db()
    assert deal.person == existing
    assert lead.person == existing
    assert not Person.objects.filter(pk=own_person_id).exists()  # no orphan duplicate
    assert MergeRecord.objects.get().merged_id == own_person_id
    # Nothing of the merged person is lost: its phone now belongs to the chosen person.
    assert "+49401234567" in set(existing.phones.values_list("key", flat=True))
    assert Note.objects.get().person == existing


def test_own_person_used_by_another_deal_is_kept_not_merged(owner, pipeline, lead):
    existing = person_create(actor=owner, name="Anna Weber", emails=["anna@nordwind.de"])
    other_lead = lead_create(actor=owner, title="Second", person=lead.person)

    lead_convert(
        lead=lead,
        actor=owner,
        pipeline=pipeline,
        person_choice=ContactChoice("use", existing.pk),
        organization_choice=KEEP,
    )

    other_lead.refresh_from_db()
    assert Person.objects.filter(pk=other_lead.person_id).exists()


def test_picking_the_existing_organization(owner, pipeline, lead):
    existing = organization_create(actor=owner, name="Nordwind Logistik", website="nordwind.de")
    own_org_id = lead.organization_id

    deal = lead_convert(
        lead=lead,
        actor=owner,
        pipeline=pipeline,
        person_choice=KEEP,
        organization_choice=ContactChoice("use", existing.pk),
    )

    assert deal.organization == existing
    # The lead's person still belongs to the old organization, so that one is kept.
    assert Organization.objects.filter(pk=own_org_id).exists()


def test_a_candidate_the_user_may_not_see_cannot_be_picked(owner, outsider, pipeline, lead):
    hidden = person_create(actor=outsider, name="Anna Weber", visible_to=Visibility.OWNER)

    with pytest.raises(Exception) as refused:
        lead_convert(
            lead=lead,
            actor=owner,
            pipeline=pipeline,
            person_choice=ContactChoice("use", hidden.pk),
            organization_choice=KEEP,
        )

    assert getattr(refused.value, "field", None) == "person"
    assert not Deal.objects.exists()


def test_duplicates_the_user_may_not_see_are_not_offered(owner, outsider, pipeline, lead):
    person_create(
        actor=outsider, name="Anna Weber", emails=["anna@nordwind.de"], visible_to=Visibility.OWNER
    )
    organization_create(actor=outsider, name="Nordwind Logistik", visible_to=Visibility.OWNER)

    deal = lead_convert(lead=lead, actor=owner, pipeline=pipeline)

    assert deal.person == lead.person


def test_second_convert_of_same_lead_says_already_converted(owner, pipeline, lead):
    deal = lead_convert(
        lead=lead, actor=owner, pipeline=pipeline, person_choice=KEEP, organization_choice=KEEP
    )

    with pytest.raises(AlreadyConverted) as refused:
        lead_convert(
            lead=lead, actor=owner, pipeline=pipeline, person_choice=KEEP, organization_choice=KEEP
        )

    assert refused.value.deal == deal
    assert Deal.objects.count() == 1


def test_an_outsider_cannot_convert(owner, outsider, pipeline, lead):
    with pytest.raises(NotPermitted):
        lead_convert(
            lead=lead,
            actor=outsider,
            pipeline=pipeline,
            person_choice=KEEP,
            organization_choice=KEEP,
        )


@pytest.fixture
def lead_updates_fail(db):
    """A real database failure at the conversion's last write (marking the lead converted)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION fail_lead_update() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'disk on fire'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER fail_lead_update BEFORE UPDATE ON leads_lead "
                "FOR EACH ROW EXECUTE FUNCTION fail_lead_update()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER fail_lead_update BEFORE UPDATE ON leads_lead "
                "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
            )


def test_failure_midway_changes_nothing(owner, pipeline, lead, lead_updates_fail):
    existing = person_create(actor=owner, name="Anna Weber", emails=["anna@nordwind.de"])

    with pytest.raises(Exception, match="disk on fire"):
        lead_convert(
            lead=lead,
            actor=owner,
            pipeline=pipeline,
            person_choice=ContactChoice("use", existing.pk),
            organization_choice=KEEP,
        )

    lead = Lead.objects.get(pk=lead.pk)
    assert lead.deal is None and lead.converted_at is None
    assert not Deal.objects.exists() and not DealHistory.objects.exists()
    assert Person.objects.filter(pk=lead.person_id).exists()
    assert Note.objects.get().deal is None


def test_the_database_allows_one_deal_per_lead(owner, pipeline, lead):
    deal = lead_convert(
        lead=lead, actor=owner, pipeline=pipeline, person_choice=KEEP, organization_choice=KEEP
    )
    other = lead_create(actor=owner, title="Other", person=lead.person)

    with pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.filter(pk=other.pk).update(deal=deal)


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_conversions_give_exactly_one_deal(owner, pipeline):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and concurrent connections")
    person = person_create(actor=owner, name="Race Condition", emails=["race@example.com"])
    lead = lead_create(actor=owner, title="Race", person=person)
    barrier = threading.Barrier(20)
    outcomes: list[object] = []

    def convert():
        try:
            barrier.wait()
            outcomes.append(
                lead_convert(lead=lead, actor=owner, pipeline=pipeline, person_choice=KEEP)
            )
        except AlreadyConverted as refused:
            outcomes.append(refused)
        finally:
            connection.close()

    threads = [threading.Thread(target=convert) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    deals = [o for o in outcomes if isinstance(o, Deal)]
    refusals = [o for o in outcomes if isinstance(o, AlreadyConverted)]
    assert len(deals) == 1 and len(refusals) == 19
    assert Deal.objects.count() == 1
    assert {r.deal.pk for r in refusals} == {deals[0].pk}
