"""The deal page: stage bar, won/lost/reopen, edits with versions, notes, activities, emails."""

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Email, Note
from activities.services import note_create
from deals.models import Deal, DealHistory, DealStatus, HistoryKind
from deals.services import deal_move
from deals.tests.factories import LostReasonFactory
from deals.tests.web import make_deal, make_organization, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(owner, pipeline):
    org = make_organization(owner, name="Acme GmbH")
    person = make_person(owner, name="Ann Lee", organization=org)
    return make_deal(owner, pipeline, title="Acme rollout", person=person, organization=org)


COMPOSER = ("note_add", "activity_add", "email_log")


def edit_form(deal, **changes):
    """What the edit form posts: every field as the deal has it, less or more `changes`."""
    data = {
        "version": deal.version,
        "title": deal.title,
        "person": deal.person_id or "",
        "person_name": deal.person.name if deal.person else "",
        "organization": deal.organization_id or "",
        "organization_name": deal.organization.name if deal.organization else "",
        "value": str(deal.value),
        "currency": deal.currency,
        "pipeline": deal.pipeline_id,
        "stage": deal.stage_id,
        "owner": deal.owner_id,
        "visible_to": deal.visible_to,
    }
    data.update(changes)
    return data


def url(name, deal):
    # The composer's posts are the activities app's, for any record kind.
    if name in COMPOSER:
        return reverse(f"activities:{name}", args=["deal", deal.pk])
    return reverse(f"deals:{name}", args=[deal.pk])


def test_deal_page_shows_title_stages_contacts_and_timeline(client, owner, deal):
    note_create(actor=owner, deal=deal, content="Budget approved")
    client.force_login(owner)

    response = client.get(url("detail", deal))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Acme rollout" in html
    for stage in ("Qualified", "Contact made", "Proposal", "Negotiation"):
        assert stage in html
    assert "ann@example.com" in html and "+49 30 1234567" in html
    assert "acme.example" in html
    assert "Budget approved" in html
    assert "Deal created in Qualified" in html


def test_current_stage_is_marked_in_the_stage_bar(client, owner, deal):
    client.force_login(owner)

    html = client.get(url("detail", deal)).content.decode()

    assert 'aria-current="step">Qualified</button>' in html


def test_teammate_sees_a_team_deal(client, teammate, deal):
    client.force_login(teammate)

    assert client.get(url("detail", deal)).status_code == 200


@pytest.mark.parametrize(
    "name,method",
    [
        ("detail", "get"),
        ("edit", "get"),
        ("edit", "post"),
        ("move", "post"),
        ("won", "post"),
        ("lost", "get"),
        ("lost", "post"),
        ("reopen", "post"),
        ("note_add", "post"),
        ("activity_add", "post"),
        ("email_log", "post"),
        ("delete", "post"),
    ],
)
def test_outsider_gets_404_on_every_url_of_a_team_deal(client, outsider, deal, name, method):
    client.force_login(outsider)

    response = getattr(client, method)(url(name, deal))

    assert response.status_code == 404


def test_anonymous_user_is_sent_to_log_in(client, deal):
    response = client.get(url("detail", deal))

    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_clicking_a_stage_moves_the_deal_and_records_it(client, owner, deal, pipeline):
    proposal = pipeline.stages.get(name="Proposal")
    client.force_login(owner)

    response = client.post(url("move", deal), {"stage": proposal.pk, "version": deal.version})

    deal.refresh_from_db()
    assert response.status_code == 302
    assert deal.stage == proposal
    assert DealHistory.objects.filter(deal=deal, kind=HistoryKind.STAGE, to_stage=proposal).exists()


def test_stage_move_from_javascript_answers_the_new_version(client, owner, deal, pipeline):
    proposal = pipeline.stages.get(name="Proposal")
    client.force_login(owner)

    response = client.post(
        url("move", deal),
        {"stage": proposal.pk, "version": deal.version},
        headers={"accept": "application/json"},
    )

    assert response.status_code == 200
    assert response.json() == {"stage": proposal.pk, "version": deal.version + 1}


def test_stage_move_with_a_stale_version_is_refused_and_explained(client, owner, deal, pipeline):
    seen_version = deal.version
    deal_move(
        actor=owner, deal=deal, stage=pipeline.stages.get(name="Negotiation"), version=seen_version
    )
    client.force_login(owner)

    response = client.post(
        url("move", deal),
        {"stage": pipeline.stages.get(name="Proposal").pk, "version": seen_version},
        follow=True,
    )

    deal.refresh_from_db()
    assert deal.stage.name == "Negotiation"
    assert "Someone else changed this deal" in response.content.decode()


def test_stale_move_from_javascript_answers_409(client, owner, deal, pipeline):
    client.force_login(owner)

    response = client.post(
        url("move", deal),
        {"stage": pipeline.stages.get(name="Proposal").pk, "version": 99},
        headers={"accept": "application/json"},
    )

    assert response.status_code == 409


def test_moving_to_a_stage_of_another_pipeline_is_refused(client, owner, deal):
    from deals.tests.factories import PipelineFactory

    foreign = PipelineFactory(name="Other").stages.first()
    client.force_login(owner)

    client.post(url("move", deal), {"stage": foreign.pk, "version": deal.version})

    deal.refresh_from_db()
    assert deal.stage.name == "Qualified"


def test_edit_saves_the_fields(client, owner, deal):
    client.force_login(owner)

    response = client.post(
        url("edit", deal),
        edit_form(deal, title="Acme rollout, phase 2", value="1234.50"),
    )

    deal.refresh_from_db()
    assert response.status_code == 302
    assert deal.title == "Acme rollout, phase 2" and str(deal.value) == "1234.50"


def test_stale_edit_shows_the_conflict_and_the_current_data_without_overwriting(
    client, owner, teammate, deal
):
    seen_version = deal.version
    client.force_login(teammate)
    client.post(url("edit", deal), edit_form(deal, title="Teammate's title", value="10"))
    client.force_login(owner)

    response = client.post(
        url("edit", deal), edit_form(deal, version=seen_version, title="Owner's title", value="20")
    )

    deal.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 409
    assert deal.title == "Teammate's title"
    assert "Someone else changed this deal" in html
    assert 'value="Teammate&#x27;s title"' in html  # the form shows the current data
    assert f'name="version" value="{deal.version}"' in html
    assert "Owner&#x27;s title" in html  # and what the owner tried to save


def test_won_marks_the_deal_won(client, owner, deal):
    client.force_login(owner)

    client.post(url("won", deal), {"version": deal.version})

    deal.refresh_from_db()
    assert deal.status == DealStatus.WON


def test_lost_without_a_reason_is_refused(client, owner, deal):
    client.force_login(owner)

    response = client.post(url("lost", deal), {"version": deal.version, "lost_reason_text": " "})

    deal.refresh_from_db()
    assert response.status_code == 400
    assert deal.status == DealStatus.OPEN
    assert "Say why the deal was lost." in response.content.decode()


def test_lost_with_a_reason_of_the_admins_list(client, owner, deal):
    reason = LostReasonFactory(name="Too expensive")
    client.force_login(owner)

    client.post(url("lost", deal), {"version": deal.version, "lost_reason": reason.pk})

    deal.refresh_from_db()
    assert deal.status == DealStatus.LOST and deal.lost_reason == reason


def test_lost_with_free_text_shows_the_reason_on_the_page(client, owner, deal):
    client.force_login(owner)

    response = client.post(
        url("lost", deal),
        {"version": deal.version, "lost_reason_text": "Chose a competitor"},
        follow=True,
    )

    deal.refresh_from_db()
    assert deal.status == DealStatus.LOST
    assert "Chose a competitor" in response.content.decode()


def test_the_lost_dialog_offers_the_admins_reasons(client, owner, deal):
    LostReasonFactory(name="No budget")
    client.force_login(owner)

    html = client.get(url("detail", deal)).content.decode()

    assert "<dialog" in html and "No budget" in html


def test_reopen_opens_a_lost_deal_again(client, owner, deal):
    client.force_login(owner)
    client.post(url("lost", deal), {"version": deal.version, "lost_reason_text": "No budget"})
    deal.refresh_from_db()

    client.post(url("reopen", deal), {"version": deal.version})

    deal.refresh_from_db()
    assert deal.status == DealStatus.OPEN


def test_won_with_a_stale_version_is_refused(client, owner, deal):
    client.force_login(owner)

    client.post(url("won", deal), {"version": deal.version - 1})

    deal.refresh_from_db()
    assert deal.status == DealStatus.OPEN


def test_added_note_shows_in_the_timeline_escaped(client, owner, deal):
    client.force_login(owner)

    response = client.post(
        url("note_add", deal),
        {"note-content": "<script>alert(1)</script> <b>Call back</b>"},
        follow=True,
    )

    html = response.content.decode()
    assert Note.objects.filter(deal=deal).count() == 1
    assert "<script>alert(1)</script>" not in html
    assert "<b>Call back</b>" in html


def test_an_empty_note_shows_the_error_on_the_page(client, owner, deal):
    client.force_login(owner)

    response = client.post(url("note_add", deal), {"note-content": "   "})

    assert response.status_code == 400
    assert not Note.objects.filter(deal=deal).exists()


def test_scheduled_activity_is_attached_and_sets_the_next_activity(client, owner, deal):
    client.force_login(owner)

    client.post(
        url("activity_add", deal),
        {
            "activity-type": "call",
            "activity-subject": "Call Ann",
            "activity-due_date": "2030-05-01",
        },
    )

    deal.refresh_from_db()
    assert Activity.objects.get(deal=deal).subject == "Call Ann"
    assert timezone.localtime(deal.next_activity_at).date().isoformat() == "2030-05-01"


def test_logged_email_shows_in_the_timeline(client, owner, deal):
    client.force_login(owner)

    response = client.post(
        url("email_log", deal),
        {
            "email-sender": "olivia@example.com",
            "email-recipients": "ann@example.com",
            "email-subject": "Offer attached",
            "email-body": "Hi Ann",
        },
        follow=True,
    )

    assert Email.objects.filter(deal=deal).count() == 1
    assert "Offer attached" in response.content.decode()


def test_teammate_may_not_delete_the_owners_deal(client, teammate, deal):
    client.force_login(teammate)

    client.post(url("delete", deal))

    assert Deal.objects.filter(pk=deal.pk).exists()


def test_owner_deletes_a_deal(client, owner, deal):
    client.force_login(owner)

    response = client.post(url("delete", deal))

    assert response.status_code == 302
    assert not Deal.objects.filter(pk=deal.pk).exists()


def test_deal_page_query_count_does_not_grow_with_the_timeline(
    client, owner, deal, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    note_create(actor=owner, deal=deal, content="first")
    client.force_login(owner)
    client.get(url("detail", deal))  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(url("detail", deal))
    for i in range(15):
        note_create(actor=owner, deal=deal, content=f"note {i}")

    with django_assert_max_num_queries(len(few)):
        client.get(url("detail", deal))


def test_an_open_activity_is_marked_done_from_the_deal_timeline(client, owner, deal):
    client.force_login(owner)
    client.post(
        url("activity_add", deal),
        {
            "activity-type": "call",
            "activity-subject": "Call Ann",
            "activity-due_date": "2030-05-01",
        },
    )
    activity = Activity.objects.get(deal=deal)
    html = client.get(url("detail", deal)).content.decode()
    assert reverse("activities:done", args=[activity.pk]) in html

    response = client.post(
        reverse("activities:done", args=[activity.pk]), {"next": url("detail", deal)}
    )

    activity.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == url("detail", deal)
    assert activity.done
