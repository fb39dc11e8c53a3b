"""The activities calendar: a week or a month of a user's activities, as far as the viewer sees."""

from datetime import date, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.services import activity_create, activity_set_done
from contacts.services import person_create
from crm.models import Visibility
from crm.tests.api import make_deal
from leads.services import lead_add_activity, lead_create

pytestmark = pytest.mark.django_db

URL = reverse("activities:calendar")


def schedule(user, subject, due, *, actor=None, deal=None, due_time=None):
    actor = actor or user
    person = None
    if deal is None:
        person = person_create(actor=actor, name=f"{subject} person", visible_to=Visibility.TEAM)
    return activity_create(
        actor=actor,
        subject=subject,
        due_date=due,
        due_time=due_time,
        deal=deal,
        person=person,
        assignee=user,
    )


def subjects(response) -> dict[date, list[str]]:
    return {
        day.day: [entry.activity.subject for entry in day.entries]
        for day in response.context["days"]
        if day.entries
    }


def test_week_shows_monday_to_sunday_and_nothing_either_side(client, owner):
    schedule(owner, "Sunday before", date(2026, 11, 29))
    schedule(owner, "First Monday", date(2026, 11, 30))
    schedule(owner, "Last Sunday", date(2026, 12, 6))
    schedule(owner, "Monday after", date(2026, 12, 7))
    client.force_login(owner)

    response = client.get(URL, {"view": "week", "date": "2026-12-02"})

    assert subjects(response) == {
        date(2026, 11, 30): ["First Monday"],
        date(2026, 12, 6): ["Last Sunday"],
    }
    assert [day.day.weekday() for day in response.context["days"]] == list(range(7))


def test_month_shows_the_whole_weeks_around_it(client, owner):
    schedule(owner, "Too early", date(2026, 11, 29))
    schedule(owner, "Grid start", date(2026, 11, 30))
    schedule(owner, "Grid end", date(2027, 1, 3))
    schedule(owner, "Too late", date(2027, 1, 4))
    client.force_login(owner)

    response = client.get(URL, {"view": "month", "date": "2026-12-15"})

    assert subjects(response) == {
        date(2026, 11, 30): ["Grid start"],
        date(2027, 1, 3): ["Grid end"],
    }
    outside = [day.day for day in response.context["days"] if not day.in_span]
    assert outside == [date(2026, 11, 30), date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)]


def test_a_day_lists_all_day_activities_first_then_by_time(client, owner):
    day = date(2026, 12, 2)
    schedule(owner, "Afternoon", day, due_time=time(15, 0))
    schedule(owner, "Morning", day, due_time=time(9, 30))
    schedule(owner, "All day", day)
    client.force_login(owner)

    response = client.get(URL, {"date": day.isoformat()})

    assert subjects(response)[day] == ["All day", "Morning", "Afternoon"]


def test_open_past_activities_are_overdue_and_done_ones_are_struck_through(client, owner):
    today = timezone.localdate()
    schedule(owner, "Forgotten call", today - timedelta(days=1))
    done = schedule(owner, "Finished call", today - timedelta(days=1))
    activity_set_done(actor=owner, activity=done, done=True)
    schedule(owner, "Call today", today)
    client.force_login(owner)

    response = client.get(URL, {"view": "month"})

    entries = {
        entry.activity.subject: entry for day in response.context["days"] for entry in day.entries
    }
    assert {name for name, entry in entries.items() if entry.overdue} == {"Forgotten call"}
    html = response.content.decode()
    assert html.count("calendar-entry is-overdue") == 1
    assert html.count("calendar-entry is-done") == 1


def test_entries_link_to_their_deal_lead_or_person(client, owner, pipeline):
    day = date(2026, 12, 2)
    deal = make_deal(owner, pipeline, title="Fleet deal")
    schedule(owner, "On the deal", day, deal=deal)
    on_person = schedule(owner, "On the person", day)
    person = person_create(actor=owner, name="Lead person")
    lead = lead_create(actor=owner, title="Heat pump enquiry", person=person)
    lead_add_activity(actor=owner, lead=lead, subject="On the lead", due_date=day)
    client.force_login(owner)

    response = client.get(URL, {"date": day.isoformat()})

    links = {entry.activity.subject: entry.url for entry in response.context["days"][2].entries}
    assert links == {
        "On the deal": reverse("deals:detail", args=[deal.pk]),
        "On the person": reverse("contacts:person_detail", args=[on_person.person_id]),
        "On the lead": reverse("leads:detail", args=[lead.pk]),
    }


def test_another_users_private_deal_shows_only_to_its_assignee(
    client, owner, manager, outsider, admin_user, pipeline
):
    day = date(2026, 12, 2)
    secret = make_deal(outsider, pipeline, title="Secret deal", visible_to=Visibility.OWNER)
    schedule(owner, "Call about the secret", day, actor=admin_user, deal=secret)
    schedule(owner, "Team call", day)

    client.force_login(manager)
    as_manager = client.get(URL, {"date": day.isoformat(), "user": owner.pk})
    client.force_login(owner)
    as_assignee = client.get(URL, {"date": day.isoformat()})

    assert subjects(as_manager) == {day: ["Team call"]}
    assert "Secret deal" not in as_manager.content.decode()
    assert subjects(as_assignee) == {day: ["Call about the secret", "Team call"]}
    # The assignee sees the activity, not the deal: no link to a page that would be a 404.
    assert as_assignee.context["days"][2].entries[0].url is None


def test_a_calendar_shows_only_activities_assigned_to_its_user(client, owner, teammate):
    day = date(2026, 12, 2)
    schedule(owner, "Mine", day)
    schedule(teammate, "The teammate's", day)
    client.force_login(owner)

    response = client.get(URL, {"date": day.isoformat()})

    assert subjects(response) == {day: ["Mine"]}


@pytest.mark.parametrize(
    ("viewer", "picked", "status"),
    [
        ("owner", "teammate", 404),  # a rep sees their own calendar only
        ("manager", "owner", 200),  # a manager their teams'
        ("manager", "outsider", 404),  # not another team's
        ("admin_user", "outsider", 200),
    ],
)
def test_who_may_open_whose_calendar(request, client, viewer, picked, status):
    viewer, picked = request.getfixturevalue(viewer), request.getfixturevalue(picked)
    client.force_login(viewer)

    response = client.get(URL, {"user": picked.pk})

    assert response.status_code == status


def test_the_range_is_read_in_one_query_however_many_activities(client, owner, pipeline):
    day = date(2026, 12, 2)
    schedule(owner, "First", day)
    client.force_login(owner)
    client.get(URL, {"date": day.isoformat()})  # the session and the user, read once
    with CaptureQueriesContext(connection) as one:
        client.get(URL, {"date": day.isoformat()})
    for i in range(6):
        deal = make_deal(owner, pipeline, title=f"Deal {i}")
        schedule(owner, f"More {i}", day + timedelta(days=i % 3), deal=deal)
        lead = lead_create(actor=owner, title=f"Lead {i}", person=deal.person)
        lead_add_activity(actor=owner, lead=lead, subject=f"Lead call {i}", due_date=day)

    with CaptureQueriesContext(connection) as many:
        response = client.get(URL, {"date": day.isoformat()})

    assert sum(len(d.entries) for d in response.context["days"]) == 13
    assert len(many) == len(one)
    assert sum("activities_activity" in q["sql"] for q in many.captured_queries) == 1


def test_a_bad_date_or_view_shows_this_week(client, owner):
    client.force_login(owner)

    response = client.get(URL, {"date": "2026-13-45", "view": "year"})

    calendar = response.context["calendar"]
    assert response.status_code == 200
    assert calendar.span == "week"
    assert calendar.start <= timezone.localdate() <= calendar.end


def test_previous_and_next_keep_the_view_and_the_user(client, manager, owner):
    client.force_login(manager)

    response = client.get(URL, {"view": "month", "date": "2026-12-15", "user": owner.pk})

    links = response.context["links"]
    assert links["previous"] == f"?view=month&date=2026-11-01&user={owner.pk}"
    assert links["next"] == f"?view=month&date=2027-01-01&user={owner.pk}"


def test_the_list_and_the_calendar_link_to_each_other(client, owner):
    client.force_login(owner)

    listing = client.get(reverse("activities:list")).content.decode()
    calendar = client.get(URL).content.decode()

    assert f'href="{URL}"' in listing
    assert f'href="{reverse("activities:list")}"' in calendar


def test_the_calendar_speaks_german_with_weeks_from_monday(client, owner):
    owner.language = "de"
    owner.save()
    client.force_login(owner)

    html = client.get(URL, {"date": "2026-12-02"}).content.decode()

    assert "Mein Kalender" in html and "Ganztägig" not in html
    assert html.index("Mo</span> 30") < html.index("So</span> 6")


def test_the_export_takes_the_same_due_range(client, owner):
    for day in (1, 2, 8, 9):
        schedule(owner, f"Export day {day}", date(2026, 12, day))
    client.force_login(owner)

    body = client.get(
        reverse("imports:export", args=["activities", "csv"]),
        {"due_after": "2026-12-02", "due_before": "2026-12-08"},
    ).content.decode()

    assert "Export day 2" in body and "Export day 8" in body
    assert "Export day 1" not in body and "Export day 9" not in body
