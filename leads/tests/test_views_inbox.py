"""The leads inbox page: what it lists, its filters, paging and bulk actions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.services import person_create
from crm.models import Visibility
from crm.tests.factories import LabelFactory
from leads.models import Lead
from leads.services import lead_archive, lead_create
from leads.views.inbox import PAGE_SIZE


def make_lead(user, title, **fields):
    person = person_create(actor=user, name=f"{title} contact")
    fields.setdefault("visible_to", Visibility.TEAM)
    return lead_create(actor=user, title=title, person=person, **fields)


@pytest.fixture
def inbox_url():
    return reverse("leads:inbox")


def test_inbox_lists_team_leads_and_hides_another_teams_private_ones(
    client, owner, teammate, outsider, inbox_url
):
    make_lead(teammate, "Team lead")
    make_lead(outsider, "Foreign lead")
    client.force_login(owner)

    response = client.get(inbox_url)

    assert response.status_code == 200
    assert "Team lead" in response.content.decode()
    assert "Foreign lead" not in response.content.decode()


def test_inbox_mine_filter_shows_only_the_users_own_leads(client, owner, teammate, inbox_url):
    make_lead(owner, "My lead")
    make_lead(teammate, "Their lead")
    client.force_login(owner)

    page = client.get(inbox_url, {"scope": "mine"}).content.decode()

    assert "My lead" in page and "Their lead" not in page


def test_inbox_label_filter_keeps_labelled_leads(client, owner, inbox_url):
    hot = LabelFactory(name="Hot")
    make_lead(owner, "Labelled", labels=[hot])
    make_lead(owner, "Plain")
    client.force_login(owner)

    page = client.get(inbox_url, {"label": hot.pk}).content.decode()

    assert "Labelled" in page and "Plain" not in page


def test_archived_leads_leave_the_inbox_and_show_under_the_archived_filter(
    client, owner, inbox_url
):
    lead = make_lead(owner, "Old lead")
    lead_archive(actor=owner, lead=lead)
    client.force_login(owner)

    assert "Old lead" not in client.get(inbox_url).content.decode()
    assert "Old lead" in client.get(inbox_url, {"archived": "1"}).content.decode()


def test_inbox_pages_hold_a_fixed_number_of_leads_and_link_the_next(client, owner, inbox_url):
    for i in range(PAGE_SIZE + 2):
        make_lead(owner, f"Lead {i:03d}")
    client.force_login(owner)

    first = client.get(inbox_url, {"sort": "title"})
    second = client.get(inbox_url, {"sort": "title", "page": 2})

    assert len(first.context["leads"]) == PAGE_SIZE and first.context["has_next"]
    assert [lead.title for lead in second.context["leads"]] == ["Lead 050", "Lead 051"]
    assert first.context["total"] == PAGE_SIZE + 2


def test_nonsense_filters_and_pages_fall_back_to_the_defaults(client, owner, inbox_url):
    make_lead(owner, "Still here")
    client.force_login(owner)

    response = client.get(
        inbox_url, {"scope": "x", "label": "abc", "source": "?", "sort": "-pwd", "page": "-3"}
    )

    assert response.status_code == 200
    assert "Still here" in response.content.decode()


def test_bulk_archive_archives_the_selected_leads(client, owner):
    a, b, c = (make_lead(owner, t) for t in ("A", "B", "C"))
    client.force_login(owner)

    response = client.post(reverse("leads:bulk"), {"action": "archive", "ids": [a.pk, b.pk]})

    assert response.status_code == 302
    archived = set(Lead.objects.filter(archived_at__isnull=False).values_list("pk", flat=True))
    assert archived == {a.pk, b.pk}


def test_bulk_change_of_owner_gives_the_leads_to_a_teammate(client, owner, teammate):
    lead = make_lead(owner, "Handover")
    client.force_login(owner)

    client.post(reverse("leads:bulk"), {"action": "owner", "ids": [lead.pk], "owner": teammate.pk})

    lead.refresh_from_db()
    assert lead.owner == teammate


def test_bulk_add_label_labels_every_selected_lead(client, owner):
    hot = LabelFactory(name="Hot")
    leads = [make_lead(owner, t) for t in ("A", "B")]
    client.force_login(owner)

    client.post(
        reverse("leads:bulk"), {"action": "label", "ids": [x.pk for x in leads], "label": hot.pk}
    )

    assert all(hot in lead.labels.all() for lead in leads)


def test_bulk_action_ignores_leads_the_user_may_not_see(client, owner, outsider):
    foreign = make_lead(outsider, "Foreign")
    client.force_login(owner)

    client.post(reverse("leads:bulk"), {"action": "archive", "ids": [foreign.pk]})

    foreign.refresh_from_db()
    assert foreign.archived_at is None


def test_bulk_owner_change_to_an_outsider_changes_nothing(client, owner, outsider):
    lead = make_lead(owner, "Mine")
    client.force_login(owner)

    response = client.post(
        reverse("leads:bulk"), {"action": "owner", "ids": [lead.pk], "owner": outsider.pk}
    )

    lead.refresh_from_db()
    assert response.status_code == 302 and lead.owner == owner


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"action": "archive"},
        {"action": "archive", "ids": ["x"]},
        {"action": "owner", "ids": ["1"]},
        {"action": "drop", "ids": ["1"]},
    ],
)
def test_bulk_with_bad_input_redirects_with_a_message(client, owner, data):
    client.force_login(owner)

    response = client.post(reverse("leads:bulk"), data)

    assert response.status_code == 302


def test_inbox_queries_do_not_grow_with_the_leads_on_the_page(client, owner, inbox_url):
    label = LabelFactory()
    client.force_login(owner)

    def queries_for_a_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(inbox_url).status_code == 200
        return len(captured)

    for i in range(2):
        make_lead(owner, f"Few {i}").labels.add(label)
    few = queries_for_a_page()
    for i in range(30):
        make_lead(owner, f"Many {i}").labels.add(label)

    assert queries_for_a_page() == few
