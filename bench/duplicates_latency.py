"""Person duplicate check latency (p50/p95) at a million persons, against a naive baseline.

The persons are generated in Python (deterministic pseudo-random names, e-mails and phone
numbers, keys filled as the contact services fill them), loaded with COPY, then VACUUM ANALYZEd.
They stay in the database for the benchmarks that follow (conversion). A second run with the
same size finds them there and only measures.

Measured: ~200 checks by `person_duplicates` (a third each: an existing person's e-mail, a
typo'd name, a nickname for the given name), and ~20 of the naive way, rapidfuzz
`process.extract` over every name key held in memory (loading them is timed apart).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import Max, Min
from django.test import Client
from django.utils import timezone
from rapidfuzz import process

from bench.timing import measure, percentiles
from contacts.models import Person, PersonEmail, PersonPhone
from contacts.normalize import email_key, person_index_fields, person_name_key
from contacts.selectors.duplicates import person_duplicates
from crm.models import Role, Team, User, Visibility

N_CHECKS = 200
N_BASELINE = 20
N_HEALTH = 200
SEED = 20240611
_OWNER = "bench-duplicates-owner"
_CHECKER = "bench-duplicates-checker"

_GIVEN_NAMES_TEXT = """
    alexander alexandra andreas andrew anna anthony barbara benjamin bernhard catherine charles
    charlotte christian christine christopher daniel david deborah dennis dieter dorothy edward
    elizabeth emily emma eva florian frank frederick gabriele george gerhard hans heinrich
    helen helmut henry isabella jacob james jennifer jessica johann john jonathan joseph
    juergen julia jurgen karl katharina kenneth klaus laura lena leonard lisa lukas margaret
    maria markus martin mary matthew matthias michael monika nicholas oliver olivia patricia
    patrick paul peter petra philipp rebecca richard robert ronald ruth sabine samuel sandra
    sarah sebastian sophie stefan stephen susan thomas timothy tobias ursula victoria walter
    werner william wolfgang zachary
"""
GIVEN_NAMES = _GIVEN_NAMES_TEXT.split()
NICKNAMES = {
    "william": "bill",
    "robert": "bob",
    "richard": "rick",
    "elizabeth": "liz",
    "margaret": "maggie",
    "katharina": "kathi",
    "catherine": "kate",
    "james": "jim",
    "michael": "mike",
    "thomas": "tom",
    "christopher": "chris",
    "alexander": "alex",
    "andrew": "andy",
    "anthony": "tony",
    "daniel": "dan",
    "david": "dave",
    "edward": "ed",
    "frederick": "fred",
    "joseph": "joe",
    "matthew": "matt",
    "nicholas": "nick",
    "patricia": "pat",
    "rebecca": "becky",
    "samuel": "sam",
    "stephen": "steve",
    "susan": "sue",
    "timothy": "tim",
    "johann": "hans",
    "heinrich": "heinz",
    "sebastian": "basti",
    "victoria": "vicky",
    "zachary": "zach",
    "jennifer": "jenny",
}
_FAMILY_NAMES_TEXT = """
    adams bauer becker braun brown clark davies davis evans fischer fuchs garcia green hall
    hartmann hoffmann hughes jackson james johnson jones kaiser keller klein koch koenig krause
    krueger lang lee lehmann lewis martin meyer miller moore morgan mueller neumann parker
    richter roberts robinson schaefer schmidt schmitz schneider scholz schreiber schroeder
    schubert schulz schwarz smith taylor thomas thompson vogel wagner walker weber werner white
    williams wilson wolf wood wright zimmermann
"""
FAMILY_NAMES = _FAMILY_NAMES_TEXT.split()
# Syllables for made-up family names: real CRMs have a long tail of rare names.
_SYLLABLES_TEXT = """
    ba be bi bo bu da de di do du fa fe fi fo ga ge gi go ha he hi ho ka ke ki ko la le li lo
    ma me mi mo na ne ni no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi vo wa we
    wi za ze zi berg mann stein feld hof ling dorf son ley ton
"""
SYLLABLES = _SYLLABLES_TEXT.split()
DOMAINS = ["gmail.com", "web.de", "gmx.de", "outlook.com", "yahoo.com", "t-online.de", "icloud.com"]


def run(n_persons: int = 1_000_000) -> dict:
    if connection.vendor != "postgresql":
        raise RuntimeError("The latency benchmark needs PostgreSQL (COPY, pg_trgm).")
    rng = random.Random(SEED)
    owner, checker = _users()
    existing = Person.objects.filter(owner=owner).count()
    load_seconds = None
    if existing != n_persons:
        load_seconds = _load(owner, n_persons, rng)
    persons_in_db = Person.objects.count()

    checks = _checks(owner, rng)
    times_by_kind: dict[str, list[float]] = {}
    found_by_kind: dict[str, int] = {}
    for kind, source, kwargs in checks:
        started = time.perf_counter()
        matches = person_duplicates(user=checker, **kwargs)
        times_by_kind.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
        found = any(m.record.pk == source for m in matches[:5])
        found_by_kind[kind] = found_by_kind.get(kind, 0) + found
    all_times = [t for times in times_by_kind.values() for t in times]

    started = time.perf_counter()
    name_keys = list(Person.objects.values_list("name_key", flat=True))
    baseline_load = time.perf_counter() - started
    baseline_times = []
    for _kind, _source, kwargs in checks[:N_BASELINE]:
        started = time.perf_counter()
        process.extract(person_name_key(kwargs["name"]), name_keys, limit=10)
        baseline_times.append((time.perf_counter() - started) * 1000)

    ours, naive = percentiles(all_times), percentiles(baseline_times)
    # The machine's own speed in the same run: the health check, a request that does
    # (almost) nothing, so that runs on machines of other speeds compare by the ratio.
    client = Client()
    health = percentiles(measure(lambda: client.get("/healthz"), repeat=N_HEALTH))
    result = {
        "health_check": health,
        "ratio_p95_to_health_check": round(ours["p95_ms"] / max(health["p95_ms"], 0.01), 1),
        "persons_in_db": persons_in_db,
        "load_s": round(load_seconds, 1) if load_seconds is not None else "reused",
        "person_duplicates": ours,
        "by_kind": {
            kind: {
                **percentiles(times),
                # The person the check was made from, among the first five. A typo'd or
                # nicknamed name of a common name ties with its namesakes, so less than 1.
                "source_in_top_5": round(found_by_kind[kind] / len(times), 3),
            }
            for kind, times in times_by_kind.items()
        },
        "naive_rapidfuzz_extract": naive,
        "naive_load_names_s": round(baseline_load, 1),
        "speedup_p50": round(naive["p50_ms"] / ours["p50_ms"], 1),
    }
    loaded = "reused" if load_seconds is None else f"{result['load_s']} s"
    print(f"persons in the database: {persons_in_db:,} (generated and loaded: {loaded})")
    print(
        f"person_duplicates: p50 {ours['p50_ms']} ms, p95 {ours['p95_ms']} ms "
        f"over {ours['n']} checks"
    )
    for kind, figures in result["by_kind"].items():
        print(
            f"  {kind:>9}: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
            f"source person in the top 5: {figures['source_in_top_5']}"
        )
    print(
        f"naive rapidfuzz process.extract over all names: p50 {naive['p50_ms']} ms, "
        f"p95 {naive['p95_ms']} ms over {naive['n']} (loading the names: "
        f"{result['naive_load_names_s']} s)"
    )
    print(f"p50 ratio naive / person_duplicates: {result['speedup_p50']}x")
    print(
        f"health check: p50 {health['p50_ms']} ms, p95 {health['p95_ms']} ms; "
        f"person_duplicates p95 / health check p95: {result['ratio_p95_to_health_check']}x"
    )
    return result


def _users() -> tuple[User, User]:
    team, _ = Team.objects.get_or_create(name="Bench duplicates")
    owner, _ = User.objects.get_or_create(
        username=_OWNER, defaults={"role": Role.REP, "team": team}
    )
    # Another rep of another team: the check's visibility filter has work to do.
    other, _ = Team.objects.get_or_create(name="Bench duplicates checkers")
    checker, _ = User.objects.get_or_create(
        username=_CHECKER, defaults={"role": Role.REP, "team": other}
    )
    return owner, checker


def _family_name(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(FAMILY_NAMES)
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3))))


def _persons(n: int, rng: random.Random) -> Iterator[tuple[str, list[str], list[str]]]:
    for i in range(n):
        given, family = rng.choice(GIVEN_NAMES), _family_name(rng)
        domain = rng.choice(DOMAINS)
        emails = [f"{given}.{family}{i}@{domain}"]
        if rng.random() < 0.2:
            emails.append(f"{given[0]}{family}{i}@{family}-{rng.randrange(100)}.de")
        phones = [f"+49 30 {10_000_000 + i}"] if rng.random() < 0.6 else []
        yield f"{given.title()} {family.title()}", emails, phones


def _load(owner: User, n: int, rng: random.Random) -> float:
    started = time.perf_counter()
    with transaction.atomic():
        Person.objects.filter(owner=owner).delete()
        with connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM contacts_person")
            first_id = cursor.fetchone()[0] + 1
        now = timezone.now()
        keys: dict[str, dict[str, str]] = {}  # names repeat: compute their keys once
        person_fields = list(Person._meta.concrete_fields)
        person_rows, email_rows, phone_rows = [], [], []
        for offset, (name, emails, phones) in enumerate(_persons(n, rng)):
            pk = first_id + offset
            if name not in keys:
                keys[name] = person_index_fields(name)
            values = {
                "id": pk,
                "owner_id": owner.pk,
                "visible_to": Visibility.COMPANY,
                "created_at": now,
                "updated_at": now,
                "name": name,
                "organization_id": None,
                **keys[name],
            }
            person_rows.append([_value(f, values) for f in person_fields])
            email_rows += [(pk, e, email_key(e), i) for i, e in enumerate(emails)]
            phone_rows += [(pk, p, p.replace(" ", ""), i) for i, p in enumerate(phones)]
        raw = connection.connection  # psycopg 3: COPY FROM STDIN
        with raw.cursor() as cur:
            _copy(cur, Person, [f.column for f in person_fields], person_rows)
            _copy(cur, PersonEmail, ["person_id", "email", "key", "position"], email_rows)
            _copy(cur, PersonPhone, ["person_id", "number", "key", "position"], phone_rows)
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('contacts_person', 'id'), "
                "(SELECT MAX(id) FROM contacts_person))"
            )
    with connection.cursor() as cursor:
        for table in ("contacts_person", "contacts_personemail", "contacts_personphone"):
            # VACUUM too: it moves the rows COPY left in the GIN index's pending list into
            # the index proper, which a trigram lookup would otherwise scan row by row.
            cursor.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - started


def _value(field, values: dict):
    if field.attname in values:
        return values[field.attname]
    return field.get_default()  # a column added since: its model default


def _copy(cur, model, columns: list[str], rows: list) -> None:
    sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    with cur.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _checks(owner: User, rng: random.Random) -> list[tuple[str, int, dict]]:
    """(kind, the person it should find, person_duplicates arguments), kinds interleaved."""
    # The generated persons have consecutive ids.
    bounds = Person.objects.filter(owner=owner).aggregate(low=Min("pk"), high=Max("pk"))
    ids = rng.sample(range(bounds["low"], bounds["high"] + 1), N_CHECKS * 3)
    persons = Person.objects.in_bulk(ids)
    emails = dict(
        PersonEmail.objects.filter(person_id__in=ids, position=0).values_list("person_id", "email")
    )
    checks: list[tuple[str, int, dict]] = []
    with_nickname = [pk for pk in ids if persons[pk].given_key in NICKNAMES]
    for i, pk in enumerate(ids):
        if len(checks) == N_CHECKS:
            break
        person = persons[pk]
        kind = ("email", "typo", "nickname")[i % 3]
        if kind == "email":
            checks.append((kind, pk, {"name": person.name, "emails": [emails[pk]]}))
        elif kind == "typo":
            given, _space, family = person.name.partition(" ")
            checks.append((kind, pk, {"name": f"{given} {_typo(family, rng)}"}))
        elif with_nickname:
            nick_pk = with_nickname.pop()
            nick_person = persons[nick_pk]
            _given, _space, family = nick_person.name.partition(" ")
            nickname = NICKNAMES[nick_person.given_key].title()
            checks.append((kind, nick_pk, {"name": f"{nickname} {family}"}))
    return checks


def _typo(word: str, rng: random.Random) -> str:
    """One letter dropped, doubled, swapped with the next or replaced."""
    i = rng.randrange(1, len(word) - 1) if len(word) > 2 else 0
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    if kind == 2 and i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice("aeioulnrst") + word[i + 1 :]
