"""Moving to the trash, restoring and purging: records come back exactly as they were."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import Http404
from django.utils import timezone

from activities.models import Note
from activities.selectors import activity_list, note_list, person_timeline
from activities.services import activity_create, activity_delete, note_create, note_delete
from contacts.models import Person
from contacts.selectors import person_duplicates
from contacts.services import person_delete
from crm.errors import DomainError
from crm.tests.api import make_activity, make_deal, make_lead, make_note, make_person
from deals.models import Deal
from deals.selectors import deal_get, deal_list
from deals.services import deal_delete
from deals.tests.test_tally import assert_tally_matches, counted, tallied
from leads.selectors import lead_list
from leads.services import lead_delete
from trash.selectors import trash_items, trash_rows
from trash.services import trash_purge, trash_restore

pytestmark = pytest.mark.django_db


def _trash_ids(user) -> list[str]:
    return [item.id for item in trash_items(list(trash_rows(user=user)))]


def test_a_deleted_deal_answers_404_and_keeps_its_row_with_its_notes(owner, pipeline):
    deal = make_deal(owner, pipeline)
    note = make_note(owner, deal)

    deal_delete(actor=owner, deal=deal)

    with pytest.raises(Http404):
        deal_get(user=owner, pk=deal.pk)
    assert Deal.all_objects.filter(pk=deal.pk, deleted_by=owner).exists()
    assert Note.objects.filter(pk=note.pk).exists()  # its row is untouched...
    assert not note_list(user=owner).filter(pk=note.pk).exists()  # ...but out of sight


def test_a_deleted_deals_notes_leave_its_persons_timeline_even_for_an_admin(
    owner, admin_user, pipeline
):
    person = make_person(owner)
    deal = make_deal(owner, pipeline, person=person)
    make_note(owner, deal)

    deal_delete(actor=owner, deal=deal)

    for user in (owner, admin_user):
        assert not [e for e in person_timeline(person=person, user=user) if e.kind == "note"]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the deal tally and stage stays are kept by PostgreSQL triggers (SQLite counts deals)",
)
def test_restoring_a_deal_brings_back_its_notes_activities_and_board_totals(
    owner, teammate, outsider, manager, admin_user, pipeline
):
    users = [owner, teammate, outsider, manager, admin_user]
    deal = make_deal(owner, pipeline, value="1200.00")
    note = make_note(owner, deal)
    activity = make_activity(owner, deal)
    before = {user.pk: tallied(user) for user in users}
    next_activity_at = Deal.objects.get(pk=deal.pk).next_activity_at

    deal_delete(actor=owner, deal=deal)
    assert_tally_matches(users)
    assert tallied(owner) != before[owner.pk]

    trash_restore(actor=owner, item_id=f"deal-{deal.pk}")

    assert_tally_matches(users)
    assert {user.pk: tallied(user) for user in users} == before
    assert {user.pk: counted(user) for user in users} == before
    restored = deal_get(user=owner, pk=deal.pk)
    assert restored.version == deal.version
    assert restored.next_activity_at == next_activity_at
    assert note_list(user=owner).filter(pk=note.pk).exists()
    assert activity_list(user=owner).filter(pk=activity.pk).exists()


def test_the_trash_lists_what_each_user_may_see(
    owner, teammate, outsider, manager, admin_user, pipeline
):
    team_deal = make_deal(owner, pipeline, title="Team deal", visible_to="team")
    private = make_deal(owner, pipeline, title="Private", visible_to="owner")
    deal_delete(actor=owner, deal=team_deal)
    deal_delete(actor=owner, deal=private)
    team_id, private_id = f"deal-{team_deal.pk}", f"deal-{private.pk}"

    assert set(_trash_ids(owner)) >= {team_id, private_id}
    assert team_id in _trash_ids(teammate) and private_id not in _trash_ids(teammate)
    assert team_id not in _trash_ids(outsider) and private_id not in _trash_ids(outsider)
    assert set(_trash_ids(manager)) >= {team_id, private_id}
    assert set(_trash_ids(admin_user)) >= {team_id, private_id}


def test_an_outsider_cannot_restore_what_they_may_not_see(owner, outsider, pipeline):
    deal = make_deal(owner, pipeline)
    deal_delete(actor=owner, deal=deal)

    with pytest.raises(Http404):
        trash_restore(actor=outsider, item_id=f"deal-{deal.pk}")

    assert not deal_list(user=owner).filter(pk=deal.pk).exists()


def test_a_teammate_who_sees_a_deleted_deal_may_restore_it(owner, teammate, pipeline):
    deal = make_deal(owner, pipeline)
    deal_delete(actor=owner, deal=deal)

    trash_restore(actor=teammate, item_id=f"deal-{deal.pk}")

    assert deal_list(user=owner).filter(pk=deal.pk).exists()


def test_a_deal_waits_in_the_trash_until_its_deleted_person_is_back(owner, pipeline):
    person = make_person(owner, name="Ann Lee")
    deal = make_deal(owner, pipeline, person=person)
    deal_delete(actor=owner, deal=deal)
    person_delete(actor=owner, person=person)  # its deals in the trash do not hold it

    with pytest.raises(DomainError, match="Ann Lee"):
        trash_restore(actor=owner, item_id=f"deal-{deal.pk}")

    trash_restore(actor=owner, item_id=f"person-{person.pk}")
    trash_restore(actor=owner, item_id=f"deal-{deal.pk}")
    assert deal_get(user=owner, pk=deal.pk).person_id == person.pk


def test_a_person_with_live_deals_still_cannot_be_deleted(owner, pipeline):
    person = make_person(owner)
    make_deal(owner, pipeline, person=person)

    with pytest.raises(DomainError):
        person_delete(actor=owner, person=person)


def test_purge_keeps_a_person_while_a_deal_in_the_trash_points_at_it(owner, pipeline):
    person = make_person(owner)
    deal = make_deal(owner, pipeline, person=person)
    deal_delete(actor=owner, deal=deal)
    person_delete(actor=owner, person=person)
    Person.all_objects.filter(pk=person.pk).update(deleted_at=timezone.now() - timedelta(days=40))

    assert trash_purge()["person"] == 0

    Deal.all_objects.filter(pk=deal.pk).update(deleted_at=timezone.now() - timedelta(days=40))
    purged = trash_purge()  # the deal first, then the person it held
    assert (purged["deal"], purged["person"]) == (1, 1)
    assert not Person.all_objects.filter(pk=person.pk).exists()


def test_a_note_cannot_come_back_while_its_deal_is_in_the_trash(owner, pipeline):
    deal = make_deal(owner, pipeline)
    note = make_note(owner, deal)
    note_delete(actor=owner, note=note)
    deal_delete(actor=owner, deal=deal)
    trash_restore(actor=owner, item_id=f"deal-{deal.pk}")
    deal_delete(actor=owner, deal=deal)

    # The note is out of the list while its deal is in the trash: it went with the deal.
    assert f"note-{note.pk}" not in _trash_ids(owner)
    with pytest.raises(Http404):
        trash_restore(actor=owner, item_id=f"note-{note.pk}")


def test_a_deleted_note_and_activity_come_back(owner, pipeline):
    deal = make_deal(owner, pipeline)
    note, activity = make_note(owner, deal), make_activity(owner, deal)
    note_delete(actor=owner, note=note)
    activity_delete(actor=owner, activity=activity)
    assert Deal.objects.get(pk=deal.pk).next_activity_at is None

    trash_restore(actor=owner, item_id=f"note-{note.pk}")
    trash_restore(actor=owner, item_id=f"activity-{activity.pk}")

    assert note_list(user=owner).filter(pk=note.pk).exists()
    assert Deal.objects.get(pk=deal.pk).next_activity_at is not None


def test_a_deleted_lead_leaves_the_inbox_and_comes_back(owner, teammate):
    lead = make_lead(owner)
    lead_delete(actor=owner, lead=lead)
    assert not lead_list(user=owner).filter(pk=lead.pk).exists()

    trash_restore(actor=teammate, item_id=f"lead-{lead.pk}")

    assert lead_list(user=owner).filter(pk=lead.pk).exists()


def test_a_deleted_person_is_never_a_duplicate_candidate(owner):
    person = make_person(owner, name="Ann Lee", emails=["ann@example.com"])
    assert person.pk in {c.pk for c in person_candidates_for(owner)}

    person_delete(actor=owner, person=person)

    assert person.pk not in {c.pk for c in person_candidates_for(owner)}
    trash_restore(actor=owner, item_id=f"person-{person.pk}")
    assert person.pk in {c.pk for c in person_candidates_for(owner)}


def person_candidates_for(user):
    matches = person_duplicates(user=user, name="Ann Lee", emails=["ann@example.com"])
    return [match.record for match in matches]


def test_purge_deletes_what_is_older_than_the_trash_days(owner, pipeline, settings):
    settings.CRM_TRASH_DAYS = 30
    old, recent = make_deal(owner, pipeline, title="Old"), make_deal(owner, pipeline, title="New")
    make_note(owner, old)
    deal_delete(actor=owner, deal=old)
    deal_delete(actor=owner, deal=recent)
    Deal.all_objects.filter(pk=old.pk).update(deleted_at=timezone.now() - timedelta(days=31))

    call_command("trash_purge", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert not Deal.all_objects.filter(pk=old.pk).exists()
    assert not Note.all_objects.filter(deal_id=old.pk).exists()
    assert Deal.all_objects.filter(pk=recent.pk).exists()
    assert trash_purge(days=0, now=timezone.now() + timedelta(seconds=1))["deal"] == 1
    assert not Person.all_objects.filter(deleted_at__isnull=False).exists()


def test_an_activity_on_a_trashed_deal_leaves_its_assignees_list(owner, teammate, pipeline):
    deal = make_deal(owner, pipeline, visible_to="owner")
    activity = activity_create(
        actor=owner, subject="Call back", due_date=date(2030, 1, 2), deal=deal, assignee=teammate
    )
    assert activity_list(user=teammate).filter(pk=activity.pk).exists()

    deal_delete(actor=owner, deal=deal)

    assert not activity_list(user=teammate).filter(pk=activity.pk).exists()


def test_notes_on_a_trashed_lead_leave_the_persons_timeline(owner, teammate, admin_user):
    person = make_person(owner)
    lead = make_lead(owner, person=person)
    note = note_create(actor=owner, content="Met at the fair.", person=person)
    lead.notes.add(note)
    assert note_list(user=teammate).filter(pk=note.pk).exists()

    lead_delete(actor=owner, lead=lead)

    for user in (owner, teammate, admin_user):
        assert not note_list(user=user).filter(pk=note.pk).exists()
        assert not [e for e in person_timeline(person=person, user=user) if e.kind == "note"]
