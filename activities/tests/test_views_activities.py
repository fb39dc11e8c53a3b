"""The Activities page: the user's own, by when they are due, and marking one done."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from activities.services import activity_create
from contacts.services import person_create
from crm.models import Visibility
from deals.services import deal_create
from leads.conversion import ContactChoice, lead_convert
from leads.services import lead_add_activity, lead_create


def schedule(user, subject, days, visible_to=Visibility.TEAM):
    person = person_create(actor=user, name=f"{subject} person", visible_to=visible_to)
    due = timezone.localdate() + timedelta(days=days)
    return activity_create(actor=user, subject=subject, due_date=due, person=person)


def test_activities_page_groups_mine_into_overdue_today_and_upcoming(client, owner, teammate):
    schedule(owner, "Late call", -2)
    schedule(owner, "Call now", 0)
    schedule(owner, "Meet later", 3)
    schedule(teammate, "Not mine", 0)
    client.force_login(owner)

    response = client.get(reverse("activities:list"))

    sections = {key: [a.subject for a in items] for key, _t, items in response.context["sections"]}
    assert sections == {"overdue": ["Late call"], "today": ["Call now"], "upcoming": ["Meet later"]}


def test_mark_done_closes_the_activity(client, owner):
    activity = schedule(owner, "Call now", 0)
    client.force_login(owner)

    response = client.post(reverse("activities:done", args=[activity.pk]))

    activity.refresh_from_db()
    assert response.status_code == 302 and activity.done


def test_mark_done_of_an_unseen_activity_is_404(client, owner, outsider):
    activity = schedule(outsider, "Secret", 0)
    client.force_login(owner)

    response = client.post(reverse("activities:done", args=[activity.pk]))

    assert response.status_code == 404
    assert not Activity.objects.get().done


def test_mark_done_ignores_a_next_url_to_another_site(client, owner):
    activity = schedule(owner, "Call now", 0)
    client.force_login(owner)

    response = client.post(
        reverse("activities:done", args=[activity.pk]), {"next": "https://evil.example/"}
    )

    assert response.url == reverse("activities:list")


def test_mark_done_needs_post(client, owner):
    activity = schedule(owner, "Call now", 0)
    client.force_login(owner)

    assert client.get(reverse("activities:done", args=[activity.pk])).status_code == 405


def test_activities_page_names_the_lead_an_activity_belongs_to(client, owner):
    person = person_create(actor=owner, name="Lead person")
    lead = lead_create(actor=owner, title="Heat pump enquiry", person=person)
    lead_add_activity(actor=owner, lead=lead, subject="Call back", due_date=timezone.localdate())
    client.force_login(owner)

    html = client.get(reverse("activities:list")).content.decode()

    assert f'href="{reverse("leads:detail", args=[lead.pk])}">Heat pump enquiry</a>' in html


def test_once_the_lead_is_converted_its_activity_names_the_deal(client, owner, pipeline):
    person = person_create(actor=owner, name="Lead person")
    lead = lead_create(actor=owner, title="Heat pump enquiry", person=person)
    lead_add_activity(actor=owner, lead=lead, subject="Call back", due_date=timezone.localdate())
    keep = ContactChoice("keep")
    deal = lead_convert(
        lead=lead,
        actor=owner,
        pipeline=pipeline,
        title="Heat pump",
        person_choice=keep,
        organization_choice=keep,
    )
    client.force_login(owner)

    html = client.get(reverse("activities:list")).content.decode()

    assert f'href="{reverse("deals:detail", args=[deal.pk])}">Heat pump</a>' in html
    assert reverse("leads:detail", args=[lead.pk]) not in html


def test_an_assignee_may_mark_done_an_activity_on_a_deal_they_do_not_see(
    client, owner, teammate, pipeline
):
    person = person_create(actor=owner, name="Ann Lee", visible_to=Visibility.COMPANY)
    deal = deal_create(
        actor=owner, title="Quiet", pipeline=pipeline, person=person, visible_to=Visibility.OWNER
    )
    activity = activity_create(
        actor=owner,
        deal=deal,
        subject="Send the contract",
        due_date=date(2030, 1, 1),
        assignee=teammate,
    )
    client.force_login(teammate)

    listed = "Send the contract" in client.get(reverse("activities:list")).content.decode()
    response = client.post(reverse("activities:done", args=[activity.pk]))

    activity.refresh_from_db()
    assert listed and response.status_code == 302 and activity.done
