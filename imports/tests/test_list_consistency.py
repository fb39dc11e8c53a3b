"""Every list gives the same records on its page, in the API and in its export.

For the leads inbox, the deals, the people, the organizations and the activities, and for every
filter the page offers (what `<app>/filters.py` reads from the page's query string), the page,
`GET /api/v1/<list>/` with the same filter in the API's words, and the CSV export linked from
the page (the page's query string) hold the same records, for an owner, a teammate, an outsider
of another team, a manager of the owner's team and an admin.

One data set for all cases (built once per module, rolled back at its end): records of each
visibility owned by users of two teams, with the labels, sources, statuses, pipelines, stages,
types and due dates the filters pick from. The export has no id column: its first column (a
title, name or subject, unique in the data set) is the key the three are compared by.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import product

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, ActivityType
from activities.services import activity_create, activity_set_done
from contacts.models import Organization, Person
from contacts.services import organization_create, person_create
from crm.models import Role, Visibility
from crm.tests.api import api_client
from crm.tests.factories import LabelFactory, TeamFactory, UserFactory
from deals.models import Deal
from deals.services import deal_create, deal_mark_lost, deal_mark_won
from deals.tests.factories import LostReasonFactory, PipelineFactory
from leads.conversion import ContactChoice, lead_convert
from leads.models import Lead, LeadSource
from leads.services import lead_add_activity, lead_archive, lead_create

pytestmark = pytest.mark.django_db

USERS = ("owner", "teammate", "outsider", "manager", "admin")
WORDS = ("Alpha", "Beta", "Gamma")
SOURCES = (LeadSource.MANUAL, LeadSource.REFERRAL, LeadSource.EVENT)
TYPES = (ActivityType.CALL, ActivityType.MEETING, ActivityType.TASK)


@dataclass
class World:
    users: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)  # names of things the cases refer to -> ids


def _build_world() -> World:
    world = World()
    north, south = TeamFactory(name="North"), TeamFactory(name="South")
    u = world.users
    u["owner"] = UserFactory(username="owner", team=north)
    u["teammate"] = UserFactory(username="teammate", team=north)
    u["outsider"] = UserFactory(username="outsider", team=south)
    u["manager"] = UserFactory(
        username="manager", role=Role.MANAGER, team=TeamFactory(name="Management")
    )
    u["manager"].managed_teams.add(north)
    u["admin"] = UserFactory(username="admin", role=Role.ADMIN, team=south)
    # Whom each owner gives an activity to besides themselves: someone they may assign to.
    colleague = {
        "owner": u["teammate"],
        "teammate": u["owner"],
        "outsider": u["admin"],
        "manager": u["owner"],
    }
    sales = PipelineFactory(name="Sales")
    renewals = PipelineFactory(name="Renewals")
    pipelines = (sales, renewals)
    hot, cold = LabelFactory(name="Hot"), LabelFactory(name="Cold")
    reason = LostReasonFactory()
    world.ids.update(
        sales=sales.pk,
        renewals=renewals.pk,
        sales_stage_1=sales.stages.order_by("order")[1].pk,
        renewals_stage_0=renewals.stages.order_by("order")[0].pk,
        hot=hot.pk,
        cold=cold.pk,
    )
    today = timezone.localdate()
    visibilities = (Visibility.OWNER, Visibility.TEAM, Visibility.COMPANY)
    for i, (name, vis) in enumerate(
        product(("owner", "teammate", "outsider", "manager"), visibilities)
    ):
        user, word = u[name], WORDS[i % 3]
        tag = f"{name} {vis}"
        org = organization_create(
            actor=user, name=f"{word} Org {tag}", website=f"{name}-{vis}.example", visible_to=vis
        )
        person = person_create(
            actor=user,
            name=f"{word} Person {tag}",
            emails=[f"{name}.{vis}@{word.lower()}.example"],
            phones=[f"+49 30 55{i:02d}01"],
            organization=org if i % 2 else None,
            visible_to=vis,
        )
        pipeline = pipelines[i % 2]
        deal = deal_create(
            actor=user,
            title=f"{word} Deal {tag}",
            pipeline=pipeline,
            stage=pipeline.stages.order_by("order")[i % 3],
            person=person,
            organization=org if i % 3 == 0 else None,
            visible_to=vis,
        )
        if i % 3 == 1:
            deal_mark_won(actor=user, deal=deal)
        elif i % 3 == 2:
            deal_mark_lost(actor=user, deal=deal, lost_reason=reason)
        labels = [hot] if i % 2 == 0 else ([cold] if i % 3 == 0 else [])
        lead = lead_create(
            actor=user,
            title=f"{word} Lead {tag}",
            person=person if i % 2 == 0 else None,
            organization=org if i % 2 else None,
            visible_to=vis,
            source=SOURCES[i % 3],
            labels=labels,
        )
        lead_add_activity(
            actor=user,
            lead=lead,
            subject=f"{word} Lead call {tag}",
            due_date=today + timedelta(days=(i % 3) - 1),
            type=TYPES[(i + 1) % 3],
        )
        if i % 4 == 3:
            lead_archive(actor=user, lead=lead)
        elif i % 5 == 4:
            # A converted lead is in neither the inbox nor the archive.
            lead_convert(
                lead=lead,
                actor=user,
                pipeline=sales,
                title=f"Converted Deal {tag}",
                person_choice=ContactChoice("keep"),
                organization_choice=ContactChoice("keep"),
            )
        for j, (assignee, target) in enumerate(
            ((user, {"deal": deal}), (colleague[name], {"person": person}))
        ):
            activity = activity_create(
                actor=user,
                subject=f"{WORDS[(i + j) % 3]} Activity {j} {tag}",
                due_date=today + timedelta(days=((i + j) % 3) - 1),  # yesterday, today, tomorrow
                type=TYPES[(i + j) % 3],
                assignee=assignee,
                **target,
            )
            if (i + j) % 4 == 0:
                activity_set_done(actor=assignee, activity=activity)
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


# --- The cases: (list, name, the page's query string, the same filter in the API's words) ----

# Page, API, the key field of a record (also the export's first column), the page's records.
LISTS = {
    "leads": ("leads:inbox", "/api/v1/leads/", "title"),
    "deals": ("deals:list", "/api/v1/deals/", "title"),
    "people": ("contacts:person_list", "/api/v1/persons/", "name"),
    "organizations": ("contacts:organization_list", "/api/v1/organizations/", "name"),
    "activities": ("activities:list", "/api/v1/activities/", "subject"),
}

SCOPES = ("mine", "team", "all")

CASES = [
    # The leads inbox: whose, label, source, archived, search.
    ("leads", "inbox", {}, {}),
    *[("leads", f"scope={s}", {"scope": s}, {"scope": s}) for s in SCOPES],
    ("leads", "label=hot", {"label": "@hot"}, {"label": "@hot"}),
    ("leads", "label=cold", {"label": "@cold"}, {"label": "@cold"}),
    *[("leads", f"source={s}", {"source": s}, {"source": s}) for s in SOURCES],
    ("leads", "archived", {"archived": "1"}, {"archived": "true"}),
    (
        "leads",
        "archived+team",
        {"archived": "1", "scope": "team"},
        {"archived": "true", "scope": "team"},
    ),
    ("leads", "q=alpha", {"q": "alpha"}, {"search": "alpha"}),
    (
        "leads",
        "mine+hot+q",
        {"scope": "mine", "label": "@hot", "q": "Lead"},
        {"scope": "mine", "label": "@hot", "search": "Lead"},
    ),
    # The deals: status (open unless asked), search, whose, pipeline, stage.
    ("deals", "open", {}, {"status": "open"}),
    ("deals", "status=won", {"status": "won"}, {"status": "won"}),
    ("deals", "status=lost", {"status": "lost"}, {"status": "lost"}),
    ("deals", "status=any", {"status": "any"}, {}),
    ("deals", "q=beta", {"q": "beta", "status": "any"}, {"search": "beta"}),
    *[("deals", f"owner={s}", {"owner": s}, {"scope": s, "status": "open"}) for s in SCOPES],
    (
        "deals",
        "pipeline=renewals",
        {"pipeline": "@renewals", "status": "any"},
        {"pipeline": "@renewals"},
    ),
    ("deals", "stage", {"stage": "@sales_stage_1"}, {"stage": "@sales_stage_1", "status": "open"}),
    (
        "deals",
        "team+won+sales",
        {"owner": "team", "status": "won", "pipeline": "@sales"},
        {"scope": "team", "status": "won", "pipeline": "@sales"},
    ),
    # People and organizations: search (names, e-mail, phone, domain) and whose.
    *[
        (kind, case, page, api)
        for kind in ("people", "organizations")
        for case, page, api in (
            ("all", {}, {}),
            ("q=gamma", {"q": "gamma"}, {"search": "gamma"}),
            *[(f"owner={s}", {"owner": s}, {"scope": s}) for s in SCOPES],
            ("team+q", {"owner": "team", "q": "alpha"}, {"scope": "team", "search": "alpha"}),
        )
    ],
    ("people", "q=email", {"q": "outsider.company"}, {"search": "outsider.company"}),
    ("people", "q=phone", {"q": "30 550301"}, {"search": "30 550301"}),
    (
        "organizations",
        "q=domain",
        {"q": "teammate-team.example"},
        {"search": "teammate-team.example"},
    ),
    # Activities: whose (by assignee; the page shows mine unless asked), status (open unless
    # asked), type, search.
    ("activities", "mine open", {}, {"scope": "mine", "done": "false"}),
    ("activities", "team open", {"owner": "team"}, {"scope": "team", "done": "false"}),
    ("activities", "all open", {"owner": "all"}, {"done": "false"}),
    ("activities", "all any", {"owner": "all", "status": "any"}, {}),
    ("activities", "mine done", {"status": "done"}, {"scope": "mine", "done": "true"}),
    ("activities", "team any", {"owner": "team", "status": "any"}, {"scope": "team"}),
    *[
        ("activities", f"type={t}", {"owner": "all", "status": "any", "type": t}, {"type": t})
        for t in TYPES
    ],
    (
        "activities",
        "q=gamma",
        {"owner": "all", "q": "gamma"},
        {"search": "gamma", "done": "false"},
    ),
    (
        "activities",
        "mine+meeting+q",
        {"q": "Activity", "type": ActivityType.MEETING, "status": "any"},
        {"scope": "mine", "search": "Activity", "type": ActivityType.MEETING},
    ),
]


def _resolve(params: dict, world: World) -> dict:
    """`@name` stands for an id of the data set (a pipeline, a stage, a label)."""
    return {
        key: world.ids[value[1:]] if isinstance(value, str) and value.startswith("@") else value
        for key, value in params.items()
    }


def page_records(user, kind: str, params: dict) -> dict[int, str]:
    url_name, _api, key = LISTS[kind]
    client = Client()
    client.force_login(user)
    response = client.get(reverse(url_name), params)
    assert response.status_code == 200
    context = response.context
    if kind == "leads":
        rows, more = context["leads"], context["has_next"]
    elif kind == "activities":
        rows, more = [a for _key, _title, items in context["sections"] for a in items], False
    else:
        rows, more = context["page"].items, context["page"].has_next
    assert not more, "the data set fits one page"
    return {row.pk: getattr(row, key) for row in rows}


def api_records(user, kind: str, params: dict) -> dict[int, str]:
    _url, api, key = LISTS[kind]
    response = api_client(user).get(api, {**params, "page_size": 200})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next"] is None, "the data set fits one page"
    return {row["id"]: row[key] for row in body["results"]}


def export_keys(user, kind: str, params: dict) -> list[str]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("imports:export", args=[kind, "csv"]), params)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [row[0] for row in rows[1:] if row]


@pytest.mark.parametrize("viewer", USERS)
@pytest.mark.parametrize(
    ("kind", "page_params", "api_params"),
    [pytest.param(kind, page, api, id=f"{kind}-{name}") for kind, name, page, api in CASES],
)
def test_the_page_the_api_and_the_export_hold_the_same_records(
    world, viewer, kind, page_params, api_params
):
    user = world.users[viewer]
    page_params, api_params = _resolve(page_params, world), _resolve(api_params, world)

    on_page = page_records(user, kind, page_params)
    in_api = api_records(user, kind, api_params)
    exported = export_keys(user, kind, page_params)

    assert set(in_api) == set(on_page), "page and API differ"
    assert sorted(exported) == sorted(on_page.values()), "page and export differ"


# --- The data set is one that can tell the lists apart ----------------------------------------


def test_every_list_shows_each_user_some_records_and_hides_others(world):
    """Guards the cases above against passing on empty lists."""
    counts = {}
    for viewer, kind in product(USERS, LISTS):
        everything = {"deals": {"status": "any"}, "activities": {"owner": "all", "status": "any"}}
        counts[viewer, kind] = len(
            page_records(world.users[viewer], kind, everything.get(kind, {}))
        )
    totals = {
        "leads": Lead.objects.filter(archived_at=None, converted_at=None).count(),
        "deals": Deal.objects.count(),
        "people": Person.objects.count(),
        "organizations": Organization.objects.count(),
        "activities": Activity.objects.count(),
    }
    for kind, total in totals.items():
        assert counts["admin", kind] == total > 0
        for viewer in ("owner", "teammate", "outsider", "manager"):
            assert 0 < counts[viewer, kind] < total, (viewer, kind)


def test_an_owner_only_record_is_on_its_owners_lists_only(world):
    owner_only = "Alpha Person owner owner"
    for viewer, expected in (
        ("owner", True),
        ("teammate", False),
        ("outsider", False),
        ("manager", True),
        ("admin", True),
    ):
        user = world.users[viewer]
        assert (owner_only in page_records(user, "people", {}).values()) is expected, viewer
        assert (owner_only in export_keys(user, "people", {})) is expected, viewer
