"""Lead → deal conversion latency (p50/p95) on the database the duplicate bench filled.

Each converted lead has a person and organization of its own, so the conversion runs its
duplicate check against every person in the database (1M after the duplicates section).
"""

import random
import time

from django.db import connection

from bench.timing import percentiles
from contacts.models import Person
from contacts.services import organization_create, person_create
from crm.models import Role, Team, User, Visibility
from deals.models import Pipeline, Stage
from leads.conversion import ContactChoice, lead_convert
from leads.errors import DuplicateContacts
from leads.services import lead_create

N_CONVERSIONS = 200


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiou") for _ in range(4))


def run() -> dict:
    rng = random.Random(7)
    team, _ = Team.objects.get_or_create(name="Bench conversion")
    user, _ = User.objects.get_or_create(
        username="bench-convert", defaults={"role": Role.REP, "team": team}
    )
    pipeline, created = Pipeline.objects.get_or_create(name="Bench conversion")
    if created:
        for i, name in enumerate(["New", "Qualified", "Proposal"]):
            Stage.objects.create(pipeline=pipeline, name=name, order=i, probability=30 * i)
    leads = []
    for i in range(N_CONVERSIONS + 5):
        org = organization_create(
            actor=user, name=f"{_word(rng).title()} GmbH", visible_to=Visibility.COMPANY
        )
        person = person_create(
            actor=user,
            name=f"{_word(rng).title()} {_word(rng).title()}",
            emails=[f"convert{i}@bench.example"],
            organization=org,
            visible_to=Visibility.COMPANY,
        )
        leads.append(
            lead_create(
                actor=user, title=f"Bench lead {i}", person=person, organization=org, value=1000 + i
            )
        )
    persons_in_db = Person.objects.count()

    times = []
    for i, lead in enumerate(leads):
        started = time.perf_counter()
        # No choices given: the conversion runs the duplicate check for person and
        # organization, and converts when it finds nothing (names here are made up).
        try:
            lead_convert(lead=lead, actor=user, pipeline=pipeline)
        except DuplicateContacts:  # a chance look-alike: the user keeps the new record
            lead_convert(
                lead=lead,
                actor=user,
                pipeline=pipeline,
                person_choice=ContactChoice("keep"),
                organization_choice=ContactChoice("keep"),
            )
        if i >= 5:  # the first few warm the caches
            times.append((time.perf_counter() - started) * 1000)
    result = {"persons_in_db": persons_in_db, "vendor": connection.vendor, **percentiles(times)}
    print(
        f"conversion at {persons_in_db:,} persons: p50 {result['p50_ms']} ms, "
        f"p95 {result['p95_ms']} ms (target p95 <= 100 ms)"
    )
    return result
