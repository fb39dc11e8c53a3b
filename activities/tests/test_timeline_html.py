"""The timeline as the pages show it: every kind of entry, escaped, linked and translated."""

from datetime import date, time

from django.urls import reverse
from django.utils import translation

from activities.selectors import deal_timeline, person_timeline
from activities.services import activity_create, activity_set_done, email_log, note_create
from activities.timeline_html import Page, timeline_html
from contacts.services import person_create
from deals.models import LostReason
from deals.services import deal_create, deal_mark_lost, deal_move

MARKUP = '<img src=x onerror="alert(1)">'


def _page(deal_id=None, actions=False) -> Page:
    return Page(deal_id=deal_id, actions=actions, csrf_token="tok", next_url="/here?a=1&b=2")


def test_every_kind_of_entry_escapes_what_users_typed(owner, pipeline):
    owner.first_name = MARKUP
    owner.save()
    person = person_create(actor=owner, name="Ann Lee")
    deal = deal_create(actor=owner, title=f"Deal {MARKUP}", pipeline=pipeline, person=person)
    note_create(actor=owner, person=person, content=f"Plain {MARKUP}")
    activity_create(actor=owner, person=person, subject=f"Call {MARKUP}", due_date=date(2026, 5, 4))
    email_log(
        actor=owner,
        deal=deal,
        sender=f"a{MARKUP}@example.com",
        recipients=MARKUP,
        subject=MARKUP,
        body=MARKUP,
    )
    reason = LostReason.objects.create(name=f"Price {MARKUP}")
    deal_mark_lost(actor=owner, deal=deal, lost_reason=reason, lost_reason_text=MARKUP)

    html = timeline_html(person_timeline(person=person, user=owner), _page(actions=True))

    assert "<img" not in html
    assert html.count("&lt;img src=x") >= 8
    assert "timeline-kind-note" in html and "timeline-kind-email" in html
    assert "timeline-kind-activity" in html and "timeline-history-status" in html


def test_an_entry_on_another_deal_links_to_it_and_one_on_this_deal_does_not(owner, pipeline):
    person = person_create(actor=owner, name="Ann Lee")
    deal = deal_create(actor=owner, title="Licence", pipeline=pipeline, person=person)
    note_create(actor=owner, deal=deal, content="On the deal")
    deal_url = reverse("deals:detail", args=[deal.pk])

    on_person_page = timeline_html(person_timeline(person=person, user=owner), _page())
    on_deal_page = timeline_html(deal_timeline(deal=deal), _page(deal_id=deal.pk))

    assert f'on deal <a href="{deal_url}">Licence</a>' in on_person_page
    assert deal_url not in on_deal_page


def test_history_says_what_changed_and_who_did_it(owner, pipeline):
    first, second = list(pipeline.stages.all())[:2]
    person = person_create(actor=owner, name="Ann Lee")
    deal = deal_create(actor=owner, title="Licence", pipeline=pipeline, stage=first, person=person)
    deal_move(actor=owner, deal=deal, stage=second, version=deal.version)

    html = timeline_html(deal_timeline(deal=deal), _page(deal_id=deal.pk))

    assert f"Stage: {first.name} → {second.name}" in html
    assert f"Deal created in {first.name}" in html
    assert html.count("Olivia Owner") == 2


def test_planned_activities_get_a_mark_done_form_with_the_token_and_the_way_back(owner):
    person = person_create(actor=owner, name="Ann Lee")
    planned = activity_create(
        actor=owner,
        person=person,
        subject="Call",
        due_date=date(2026, 5, 4),
        due_time=time(9, 30),
        duration_minutes=15,
    )
    done = activity_create(actor=owner, person=person, subject="Lunch", due_date=date(2026, 5, 4))
    activity_set_done(actor=owner, activity=done)

    html = timeline_html(person_timeline(person=person, user=owner), _page(actions=True))

    assert html.count('class="timeline-action"') == 1
    assert reverse("activities:done", args=[planned.pk]) in html
    assert 'name="csrfmiddlewaretoken" value="tok"' in html
    assert 'value="/here?a=1&amp;b=2#timeline"' in html
    assert 'aria-label="Mark done: Call"' in html  # the visible label first
    assert "15 minutes" in html and 'datetime="2026-05-04"' in html


def test_german_dates_and_texts(owner):
    person = person_create(actor=owner, name="Ann Lee")
    activity_create(
        actor=owner, person=person, subject="Anruf", due_date=date(2026, 5, 4), duration_minutes=1
    )

    with translation.override("de"):
        html = timeline_html(person_timeline(person=person, user=owner), _page(actions=True))

    assert "4. Mai 2026" in html
    assert "Fällig" in html and "Geplant" in html and "1 Minute" in html
