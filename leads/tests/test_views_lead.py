"""The lead page, adding and editing a lead, and the Convert to deal dialog."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Note
from contacts.models import Organization, Person
from contacts.services import person_create
from crm.models import Visibility
from deals.models import Deal
from leads.conversion import ContactChoice, lead_convert
from leads.models import Lead
from leads.services import lead_add_activity, lead_archive, lead_create


@pytest.fixture
def lead(owner):
    person = person_create(
        actor=owner,
        name="Zoe Quandt",
        emails=["zoe@quandt.example"],
        visible_to=Visibility.TEAM,
    )
    return lead_create(
        actor=owner,
        title="Solar roof",
        person=person,
        value="1234.56",
        currency="EUR",
        visible_to=Visibility.TEAM,
    )


def lead_data(**changes):
    data = {
        "title": "New fleet",
        "person_name": "Ida Neu",
        "person_email": "ida@neu.example",
        "person_new": "on",
        "organization_name": "Neu GmbH",
        "organization_new": "on",
        "value": "500",
        "currency": "EUR",
        "source": "manual",
        "visible_to": "team",
    }
    data.update(changes)
    return data


def test_add_lead_creates_the_lead_with_a_new_person_and_organization(client, owner):
    client.force_login(owner)

    response = client.post(reverse("leads:add"), lead_data(owner=owner.pk))

    lead = Lead.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("leads:detail", args=[lead.pk])
    assert lead.person.name == "Ida Neu" and lead.person.organization.name == "Neu GmbH"
    assert lead.organization.name == "Neu GmbH"
    assert lead.person.primary_email == "ida@neu.example"


def test_add_lead_links_an_existing_person_picked_from_the_suggestions(client, owner, lead):
    client.force_login(owner)

    client.post(
        reverse("leads:add"),
        lead_data(person=lead.person.pk, person_name="", organization_name="", owner=owner.pk),
    )

    new = Lead.objects.exclude(pk=lead.pk).get()
    assert new.person == lead.person and Person.objects.count() == 1


def test_add_lead_refuses_a_person_of_another_team_and_creates_nothing(client, owner, outsider):
    foreign = person_create(actor=outsider, name="Secret", visible_to=Visibility.TEAM)
    client.force_login(owner)

    response = client.post(reverse("leads:add"), lead_data(person=foreign.pk, owner=owner.pk))

    assert response.status_code == 200
    assert not Lead.objects.exists() and not Organization.objects.exists()


def test_a_picked_person_gone_meanwhile_is_said_at_the_person_field_and_the_pick_dropped(
    client, owner
):
    gone = person_create(actor=owner, name="Anna Becker")
    gone_id = gone.pk
    gone.delete()  # merged into another record by someone else meanwhile, say
    client.force_login(owner)

    response = client.post(
        reverse("leads:add"),
        lead_data(person=gone_id, person_name="Anna Becker", person_new="", owner=owner.pk),
    )

    form = response.context["form"]
    assert response.status_code == 200 and not Lead.objects.exists()
    assert form.errors == {"person_name": ["There is no such person."]}
    assert "There is no such person." in response.content.decode()
    assert form["person"].value() == ""


def test_add_lead_without_person_or_organization_shows_the_form_again(client, owner):
    client.force_login(owner)

    response = client.post(
        reverse("leads:add"), lead_data(person_name="", organization_name="", owner=owner.pk)
    )

    assert response.status_code == 200
    assert "Link the lead to a person" in response.content.decode()
    assert not Lead.objects.exists()


def test_lead_page_shows_the_value_in_the_users_language(client, owner, lead):
    owner.language = "de"
    owner.save()
    client.force_login(owner)

    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()

    assert "1.234,56\xa0€" in page


def test_teammate_opens_a_team_lead_and_an_outsider_gets_404(client, teammate, outsider, lead):
    client.force_login(teammate)
    assert client.get(reverse("leads:detail", args=[lead.pk])).status_code == 200

    client.force_login(outsider)
    for name in ("detail", "edit", "convert"):
        assert client.get(reverse(f"leads:{name}", args=[lead.pk])).status_code == 404
    assert client.post(reverse("leads:archive", args=[lead.pk])).status_code == 404
    assert (
        client.post(reverse("leads:note_add", args=[lead.pk]), {"note-content": "x"}).status_code
        == 404
    )


def test_edit_changes_the_leads_fields(client, owner, lead):
    client.force_login(owner)

    client.post(
        reverse("leads:edit", args=[lead.pk]),
        lead_data(
            title="Bigger roof",
            person=lead.person.pk,
            organization_name="",
            value="2000",
            owner=owner.pk,
        ),
    )

    lead.refresh_from_db()
    assert lead.title == "Bigger roof" and str(lead.value) == "2000.00"


def test_a_german_user_types_the_value_as_the_page_shows_it(client, owner, lead):
    owner.language = "de"
    owner.save()
    client.force_login(owner)
    url = reverse("leads:edit", args=[lead.pk])

    client.post(url, lead_data(person=lead.person.pk, value="12.345,67", owner=owner.pk))

    lead.refresh_from_db()
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert lead.value == Decimal("12345.67") and "12.345,67\xa0€" in page


def test_add_note_keeps_safe_formatting_and_escapes_the_rest(client, owner, lead):
    client.force_login(owner)

    client.post(
        reverse("leads:note_add", args=[lead.pk]),
        {"note-content": "<b>Call back</b><script>alert(1)</script>"},
    )
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()

    assert Note.objects.filter(leads=lead).count() == 1
    assert "<b>Call back</b>" in page and "<script>alert(1)" not in page


def test_empty_note_is_refused_with_a_form_error(client, owner, lead):
    client.force_login(owner)

    response = client.post(reverse("leads:note_add", args=[lead.pk]), {"note-content": "  "})

    assert response.status_code == 400 and not Note.objects.exists()


def test_scheduling_an_activity_sets_the_leads_next_activity(client, owner, lead):
    client.force_login(owner)

    client.post(
        reverse("leads:activity_add", args=[lead.pk]),
        {
            "activity-type": "call",
            "activity-subject": "Call Zoe",
            "activity-due_date": "2030-01-15",
        },
    )

    lead.refresh_from_db()
    assert lead.activities.get().subject == "Call Zoe"
    assert timezone.localtime(lead.next_activity_at).date().isoformat() == "2030-01-15"


def test_archive_then_restore_brings_the_lead_back(client, owner, lead):
    client.force_login(owner)

    client.post(reverse("leads:archive", args=[lead.pk]))
    lead.refresh_from_db()
    assert lead.archived_at is not None

    client.post(reverse("leads:restore", args=[lead.pk]))
    lead.refresh_from_db()
    assert lead.archived_at is None


def convert_data(pipeline, owner, **changes):
    data = {
        "title": "Solar roof deal",
        "pipeline": pipeline.pk,
        "stage": pipeline.stages.order_by("order")[1].pk,
        "value": "1234.56",
        "currency": "EUR",
        "owner": owner.pk,
        "visible_to": "team",
    }
    data.update(changes)
    return data


def test_convert_opens_the_new_deal(client, owner, pipeline, lead):
    client.force_login(owner)

    response = client.post(reverse("leads:convert", args=[lead.pk]), convert_data(pipeline, owner))

    deal = Deal.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("deals:detail", args=[deal.pk])
    assert deal.title == "Solar roof deal" and deal.stage == pipeline.stages.order_by("order")[1]


def test_convert_with_a_duplicate_person_shows_the_candidates_in_the_dialog(
    client, owner, pipeline, lead
):
    twin = person_create(actor=owner, name="Zoe Quandt", emails=["zoe@quandt.example"])
    client.force_login(owner)

    response = client.post(reverse("leads:convert", args=[lead.pk]), convert_data(pipeline, owner))

    page = response.content.decode()
    assert response.status_code == 200 and not Deal.objects.exists()
    assert f'value="{twin.pk}"' in page and "Use Zoe Quandt" in page and "Keep new" in page


def test_two_candidates_of_one_name_are_told_apart_by_their_described_details(
    client, owner, pipeline, lead
):
    first = person_create(actor=owner, name="Zoe Quandt", emails=["zoe@quandt.example"])
    second = person_create(actor=owner, name="Zoe Quandt", phones=["+49 30 1234567"])
    client.force_login(owner)

    response = client.post(reverse("leads:convert", args=[lead.pk]), convert_data(pipeline, owner))

    page = response.content.decode()
    for twin in (first, second):
        described = f'aria-describedby="person_choice-{twin.pk}"'
        assert described in page and f'id="person_choice-{twin.pk}"' in page
    details = page.split(f'id="person_choice-{second.pk}"')[1].split("</dl>")[0]
    assert "+49 30 1234567" in details and "zoe@quandt.example" not in details


def test_convert_using_the_existing_person_links_the_deal_to_it(client, owner, pipeline, lead):
    twin = person_create(actor=owner, name="Zoe Quandt", emails=["zoe@quandt.example"])
    client.force_login(owner)

    client.post(
        reverse("leads:convert", args=[lead.pk]),
        convert_data(pipeline, owner, person_choice=str(twin.pk)),
    )

    assert Deal.objects.get().person == twin


def test_converting_twice_shows_already_converted_with_a_link_to_the_deal(
    client, owner, pipeline, lead
):
    deal = lead_convert(lead=lead, actor=owner, pipeline=pipeline)
    client.force_login(owner)

    response = client.post(reverse("leads:convert", args=[lead.pk]), convert_data(pipeline, owner))

    page = response.content.decode()
    assert response.status_code == 200
    assert "already converted" in page
    assert reverse("deals:detail", args=[deal.pk]) in page
    assert Deal.objects.count() == 1


def test_convert_with_a_stage_of_another_pipeline_is_an_error_in_the_dialog(
    client, owner, pipeline, lead
):
    from deals.tests.factories import PipelineFactory

    other = PipelineFactory(name="Other")
    client.force_login(owner)

    response = client.post(
        reverse("leads:convert", args=[lead.pk]),
        convert_data(pipeline, owner, stage=other.stages.first().pk),
    )

    assert response.status_code == 200 and not Deal.objects.exists()
    assert "Choose a stage of this pipeline" in response.content.decode()


def test_convert_with_garbage_input_never_errors(client, owner, pipeline, lead):
    client.force_login(owner)

    response = client.post(
        reverse("leads:convert", args=[lead.pk]),
        {**convert_data(pipeline, owner, value="-5", person_choice="drop"), "pipeline": "x"},
    )

    assert response.status_code == 200 and not Deal.objects.exists()


def test_marking_a_lead_activity_done_returns_to_the_lead(client, owner, lead):
    activity = lead_add_activity(actor=owner, lead=lead, subject="Call", due_date="2030-01-01")
    client.force_login(owner)
    url = reverse("leads:detail", args=[lead.pk])

    response = client.post(reverse("activities:done", args=[activity.pk]), {"next": url})

    assert response.status_code == 302 and response.url == url
    assert Activity.objects.get().done


def test_the_convert_dialog_of_an_archived_lead_says_to_restore_it_first(client, owner, lead):
    client.force_login(owner)
    url = reverse("leads:convert", args=[lead.pk])
    save = '<button type="submit" class="btn btn-primary">Save</button>'
    assert save in client.get(url).content.decode()  # an open lead's dialog offers Save
    lead_archive(actor=owner, lead=lead)

    page = client.get(url).content.decode()

    assert "Restore this lead from the archive before converting it." in page
    assert save not in page


def test_already_converted_links_the_deal_only_for_those_who_may_see_it(
    client, owner, teammate, pipeline, lead
):
    keep = ContactChoice("keep")
    deal = lead_convert(
        lead=lead,
        actor=owner,
        pipeline=pipeline,
        title="Private roof",
        visible_to=Visibility.OWNER,
        person_choice=keep,
        organization_choice=keep,
    )
    url = reverse("leads:convert", args=[lead.pk])
    client.force_login(teammate)
    teammates = client.get(url).content.decode()
    client.force_login(owner)
    owners = client.get(url).content.decode()

    assert "already converted" in teammates and "Private roof" not in teammates
    assert reverse("deals:detail", args=[deal.pk]) in owners
