"""Back to lead: an open deal returns to the inbox with what was written on it, once only."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection

from activities.models import Activity, Email, Note
from activities.services import activity_create, email_log, note_create
from contacts.services import person_create
from crm.errors import DomainError, NotPermitted, StaleVersion
from crm.tests.factories import LabelFactory
from deals.models import Deal, DealHistory
from deals.services import deal_create, deal_mark_won, deal_move
from leads.conversion import ContactChoice, lead_convert
from leads.errors import AlreadyBackToLead
from leads.models import Lead
from leads.reopen import deal_to_lead
from leads.selectors import lead_inbox, lead_timeline
from leads.services import lead_add_note, lead_create

pytestmark = pytest.mark.django_db

KEEP = ContactChoice("keep")


@pytest.fixture
def person(owner):
    return person_create(actor=owner, name="Anna Weber", emails=["anna@nordwind.de"])


@pytest.fixture
def converted(owner, pipeline, person):
    """A lead with a note, converted into a deal that then moved on and got more written."""
    lead = lead_create(actor=owner, title="Fleet tracking", person=person, value="12000")
    lead_add_note(actor=owner, lead=lead, content="Wants a pilot in May")
    deal = lead_convert(lead=lead, actor=owner, pipeline=pipeline, person_choice=KEEP)
    deal = deal_move(
        actor=owner, deal=deal, stage=pipeline.stages.get(name="Proposal"), version=deal.version
    )
    note_create(actor=owner, deal=deal, content="Sent the offer")
    activity_create(
        actor=owner, deal=deal, subject="Follow up", due_date=date.today() + timedelta(days=3)
    )
    email_log(actor=owner, deal=deal, sender="me@crm.example", recipients="anna@nordwind.de")
    lead.refresh_from_db()
    deal.refresh_from_db()
    return lead, deal


def test_a_converted_deal_reopens_its_own_lead_in_the_inbox(owner, converted):
    lead, deal = converted
    label = LabelFactory(name="Hot")
    deal.labels.set([label])

    back = deal_to_lead(actor=owner, deal=deal, version=deal.version)

    assert back.pk == lead.pk
    assert back.deal is None and back.converted_at is None and back.converted_by is None
    assert list(lead_inbox(user=owner)) == [back]
    assert list(back.labels.all()) == [label]
    assert not Deal.objects.filter(pk=deal.pk).exists()
    assert not DealHistory.objects.filter(deal_id=deal.pk).exists()


def test_the_deals_notes_activities_and_emails_come_back_to_the_lead(owner, converted):
    lead, deal = converted

    back = deal_to_lead(actor=owner, deal=deal)

    contents = set(back.notes.values_list("content", flat=True))
    assert {"Wants a pilot in May", "Sent the offer"} <= contents
    assert list(back.activities.values_list("subject", flat=True)) == ["Follow up"]
    assert back.emails.count() == 1
    for model in (Note, Activity, Email):
        assert not model.objects.filter(deal_id=deal.pk).exists()
    assert back.next_activity_at is not None  # the follow-up is the lead's next activity
    assert Activity.objects.get(subject="Follow up").person == back.person


def test_the_deals_stage_history_is_kept_on_the_lead_as_a_note(owner, converted):
    lead, deal = converted

    back = deal_to_lead(actor=owner, deal=deal)

    history = back.notes.get(content__startswith="Back to the leads inbox").content
    assert "“Fleet tracking” (pipeline Sales)" in history
    assert "converted from a lead into Qualified" in history
    assert "moved from Qualified to Proposal" in history
    assert "sent back to the leads inbox from Proposal" in history
    shown = [e.item for e in lead_timeline(lead=back, user=owner) if e.kind == "note"]
    assert any(note.content == history for note in shown)


def test_the_lead_that_came_back_converts_again(owner, pipeline, converted):
    lead, deal = converted
    back = deal_to_lead(actor=owner, deal=deal)

    again = lead_convert(lead=back, actor=owner, pipeline=pipeline, person_choice=KEEP)

    back.refresh_from_db()
    assert back.deal == again and back.converted_at is not None
    assert Note.objects.filter(deal=again, content="Sent the offer").exists()
    assert Activity.objects.get(subject="Follow up").deal == again


def test_a_deal_added_directly_becomes_a_new_lead(owner, pipeline, person):
    deal = deal_create(actor=owner, title="Direct", pipeline=pipeline, person=person, value="500")
    note_create(actor=owner, deal=deal, content="Met at the fair")

    lead = deal_to_lead(actor=owner, deal=deal)

    assert (lead.title, lead.person, str(lead.value), lead.owner) == (
        "Direct",
        person,
        "500.00",
        owner,
    )
    assert lead.source == "manual" and lead.in_inbox
    assert lead.notes.filter(content="Met at the fair").exists()
    assert Lead.objects.count() == 1


def test_a_closed_deal_must_be_reopened_first(owner, converted):
    lead, deal = converted
    deal = deal_mark_won(actor=owner, deal=deal)

    with pytest.raises(DomainError) as refused:
        deal_to_lead(actor=owner, deal=deal)

    assert refused.value.code == "deal_closed"
    assert Deal.objects.filter(pk=deal.pk).exists()


def test_a_stale_version_is_refused_and_nothing_changes(owner, converted):
    lead, deal = converted

    with pytest.raises(StaleVersion):
        deal_to_lead(actor=owner, deal=deal, version=deal.version - 1)

    lead.refresh_from_db()
    assert lead.deal_id == deal.pk and Deal.objects.filter(pk=deal.pk).exists()


def test_an_outsider_cannot_send_a_team_deal_back(outsider, converted):
    lead, deal = converted

    with pytest.raises(NotPermitted):
        deal_to_lead(actor=outsider, deal=deal)

    assert Deal.objects.filter(pk=deal.pk).exists()


def test_a_second_request_after_the_first_is_refused_clearly(owner, converted):
    lead, deal = converted
    deal_to_lead(actor=owner, deal=deal)

    with pytest.raises(AlreadyBackToLead):
        deal_to_lead(actor=owner, deal=deal)

    assert Lead.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_requests_give_one_lead(owner, pipeline):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and concurrent connections")
    person = person_create(actor=owner, name="Race Condition")
    deal = deal_create(actor=owner, title="Race", pipeline=pipeline, person=person)
    note_create(actor=owner, deal=deal, content="One note")
    barrier = threading.Barrier(10)
    outcomes: list[object] = []

    def send_back():
        try:
            barrier.wait()
            outcomes.append(deal_to_lead(actor=owner, deal=deal))
        except AlreadyBackToLead as refused:
            outcomes.append(refused)
        finally:
            connection.close()

    threads = [threading.Thread(target=send_back) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    leads = [o for o in outcomes if isinstance(o, Lead)]
    refusals = [o for o in outcomes if isinstance(o, AlreadyBackToLead)]
    assert len(leads) == 1 and len(refusals) == 9
    assert Lead.objects.count() == 1 and not Deal.objects.exists()
    assert Note.objects.filter(content="One note").count() == 1
    assert Note.objects.filter(content__startswith="Back to the leads inbox").count() == 1
