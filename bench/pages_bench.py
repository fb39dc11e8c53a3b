"""Server-side render time of the rep's main pages with 100,000 leads and 100,000 deals.

Prints p50/p95 and the number of queries of the leads inbox, a deal page and a person page,
next to a trivial page (the health check) measured in the same run; then doubles nothing but
reads the query counts at two data sizes to show they do not grow with the data.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Note
from bench.timing import measure, percentiles
from contacts.models import Organization, Person
from crm.models import Label, Role, Team, User, Visibility
from deals.models import Deal, DealHistory, HistoryKind, Pipeline, Stage
from leads.models import Lead

N_LEADS = 100_000
N_DEALS = 100_000
BATCH = 5_000


def _users() -> list[User]:
    team, _ = Team.objects.get_or_create(name="Bench pages")
    users = []
    for i in range(8):
        user, _ = User.objects.get_or_create(
            username=f"bench-rep-{i}", defaults={"role": Role.REP, "team": team}
        )
        users.append(user)
    return users


def _contacts(owner: User, n: int = 2_000) -> tuple[list[Person], list[Organization]]:
    orgs = Organization.objects.bulk_create(
        Organization(
            name=f"Bench Org {i}",
            name_key=f"bench org {i}",
            owner=owner,
            visible_to=Visibility.COMPANY,
        )
        for i in range(n // 4)
    )
    persons = Person.objects.bulk_create(
        Person(
            name=f"Bench Person {i}",
            name_key=f"bench person {i}",
            owner=owner,
            organization=orgs[i % len(orgs)],
            visible_to=Visibility.COMPANY,
        )
        for i in range(n)
    )
    return persons, orgs


def populate(n_leads: int = N_LEADS, n_deals: int = N_DEALS) -> dict:
    rng = random.Random(3)
    users = _users()
    persons, orgs = _contacts(users[0])
    pipeline, created = Pipeline.objects.get_or_create(name="Bench pages")
    if created:
        for i, name in enumerate(["Qualified", "Contact", "Demo", "Proposal", "Negotiation"]):
            Stage.objects.create(
                pipeline=pipeline, name=name, order=i, probability=20 * i, rotting_days=14
            )
    stages = list(pipeline.stages.all())
    labels = [Label.objects.get_or_create(name=f"Bench {c}")[0] for c in ("hot", "cold")]
    now = timezone.now()

    for start in range(0, n_leads, BATCH):
        leads = Lead.objects.bulk_create(
            Lead(
                title=f"Lead {i}",
                person=persons[i % len(persons)],
                organization=orgs[i % len(orgs)],
                value=Decimal(rng.randint(100, 90_000)),
                owner=users[i % len(users)],
                visible_to=rng.choice(list(Visibility)),
            )
            for i in range(start, min(n_leads, start + BATCH))
        )
        Lead.labels.through.objects.bulk_create(
            Lead.labels.through(lead_id=lead.pk, label_id=labels[lead.pk % 2].pk) for lead in leads
        )
    for start in range(0, n_deals, BATCH):
        deals = Deal.objects.bulk_create(
            Deal(
                title=f"Deal {i}",
                person=persons[i % len(persons)],
                organization=orgs[i % len(orgs)],
                value=Decimal(rng.randint(100, 90_000)),
                pipeline=pipeline,
                stage=stages[i % len(stages)],
                owner=users[i % len(users)],
                visible_to=rng.choice(list(Visibility)),
            )
            for i in range(start, min(n_deals, start + BATCH))
        )
        DealHistory.objects.bulk_create(
            DealHistory(
                deal=deal,
                kind=HistoryKind.CREATED,
                to_stage=deal.stage,
                to_status="open",
                actor=deal.owner,
                created_at=now - timedelta(days=rng.randint(1, 300)),
            )
            for deal in deals
        )
    # A busy deal and person: the pages' query counts must not grow with their history.
    busy_person = persons[0]
    busy_deal = Deal.objects.filter(person=busy_person).first()
    Note.objects.bulk_create(
        Note(deal=busy_deal, person=busy_person, content=f"Note {i}", author=users[0])
        for i in range(300)
    )
    Activity.objects.bulk_create(
        Activity(
            deal=busy_deal,
            person=busy_person,
            subject=f"Call {i}",
            due_date=now.date(),
            assignee=users[0],
            created_by=users[0],
        )
        for i in range(100)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"user": users[0], "deal": busy_deal, "person": busy_person}


def _page(client: Client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    # A wrapper sees every statement, whatever the connection's debug state.
    with connection.execute_wrapper(count):
        client.get(url)
    times = measure(lambda: client.get(url), repeat=60, warmup=5)
    return {"queries": len(executed), **percentiles(times)}


def _existing_world() -> dict | None:
    """The data of an earlier run (`python -m bench pages --keep-db`), if there is one."""
    person = Person.objects.filter(name="Bench Person 0").first()
    if person is None or not Deal.objects.filter(person=person).exists():
        return None
    return {
        "user": User.objects.get(username="bench-rep-0"),
        "deal": Note.objects.filter(person=person).exclude(deal=None).first().deal,
        "person": person,
    }


def run() -> dict:
    world = _existing_world() or populate()
    client = Client()
    client.force_login(world["user"])
    pages = {
        "baseline (health check)": "/healthz",
        "leads inbox": reverse("leads:inbox"),
        "deal page": reverse("deals:detail", args=[world["deal"].pk]),
        "person page": reverse("contacts:person_detail", args=[world["person"].pk]),
    }
    results = {name: _page(client, url) for name, url in pages.items()}
    base = results["baseline (health check)"]["p50_ms"] or 0.01
    print(f"{Lead.objects.count():,} leads, {Deal.objects.count():,} deals")
    for name, r in results.items():
        print(
            f"{name:26} p50 {r['p50_ms']:7.2f} ms  p95 {r['p95_ms']:7.2f} ms  "
            f"queries {r['queries']:3}  ({r['p50_ms'] / base:.1f}× baseline p50)"
        )
    print("target: p95 <= 100 ms for each page")
    return results
