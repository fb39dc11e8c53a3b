"""The board, the deals list and `GET /api/v1/deals/` with 10 custom fields on 100,000 deals,
next to the same pages of another pipeline of 100,000 deals without custom fields, measured in
turns (A, B, A, B, ...) so that the shared machine's noise hits both alike. Target: within 1.2x.

"Without custom fields": the deals of pipeline A carry no values, and the 10 deal fields are
archived during A's turns (the read paths then see no field at all, as before any was defined:
`fields_for` answers nothing); B's deals carry a value of each field and the fields are live.
Switching is one UPDATE of 10 rows between requests, outside the timed part. The two
pipelines' deals have the same creation times, taking turns (`interleave`), so that the lists,
newest first, read as many rows of either.

Also the deals list filtered by an option field (a common option on ~20% of the deals, a rare
one on ~1%), and the EXPLAIN (ANALYZE, BUFFERS) plan of `deal_filter`'s queryset for that
filter as a rep: it should use the GIN index `deals_deal_cf_gin` (jsonb containment).

Sized by BENCH_CF_DEALS per pipeline (default 100,000). Server time through Django's test
client, p50/p95 with the query count.
"""

import datetime as dt
import os
import random
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.timing import measure, percentiles
from contacts.models import Organization
from crm.custom_fields.services import custom_field_create
from crm.models import CustomField, FieldEntity, FieldType, Role, Team, User, Visibility
from deals.filters import DealFilters, deal_filter
from deals.models import Deal, DealTally, Pipeline, Stage

N_DEALS = int(os.environ.get("BENCH_CF_DEALS", "100000"))
BATCH = 10_000
REPEAT = int(os.environ.get("BENCH_CF_REPEAT", "30"))
TARGET_RATIO = 1.2
GIN_INDEX = "deals_deal_cf_gin"

# key, type, options: 3 single option, 1 multiple options, 2 numbers, 1 money, 1 date,
# 1 text, 1 user. `cfb_tier`'s last option is rare (~1% of the deals).
FIELDS = [
    ("cfb_region", FieldType.OPTION, ["North", "South", "East", "West", "Central"]),
    ("cfb_segment", FieldType.OPTION, ["SMB", "Mid-market", "Enterprise", "Public"]),
    ("cfb_tier", FieldType.OPTION, ["Bronze", "Silver", "Gold", "Platinum"]),
    ("cfb_tags", FieldType.OPTIONS, ["Upsell", "Renewal", "Partner", "Inbound", "Event"]),
    ("cfb_seats", FieldType.NUMBER, []),
    ("cfb_score", FieldType.NUMBER, []),
    ("cfb_budget", FieldType.MONEY, []),
    ("cfb_renewal", FieldType.DATE, []),
    ("cfb_source_note", FieldType.TEXT, []),
    ("cfb_csm", FieldType.USER, []),
]
COLUMNS = ["cfb_region", "cfb_budget", "cfb_csm"]  # the list's `?columns=` (3 shown)


def _vacuum() -> None:
    with connection.cursor() as cursor:
        for model in (Deal, DealTally, CustomField):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def _users() -> tuple[User, User, list[User]]:
    team, _ = Team.objects.get_or_create(name="Bench custom fields")
    rep, _ = User.objects.get_or_create(
        username="bench-cf-rep", defaults={"role": Role.REP, "team": team}
    )
    others = [
        User.objects.get_or_create(
            username=f"bench-cf-rep-{i}", defaults={"role": Role.REP, "team": team}
        )[0]
        for i in range(4)
    ]
    admin, _ = User.objects.get_or_create(username="bench-cf-admin", defaults={"role": Role.ADMIN})
    return rep, admin, others


def populate(name: str) -> Pipeline:
    """A pipeline of N_DEALS open deals (a rep's team's, a fifth of them the rep's own)."""
    rng = random.Random(13)
    rep, admin, others = _users()
    pipeline, created = Pipeline.objects.get_or_create(name=name)
    if not created:
        return pipeline
    stages = [
        Stage.objects.create(pipeline=pipeline, name=f"Stage {i}", order=i, probability=10 * i)
        for i in range(6)
    ]
    orgs = Organization.objects.bulk_create(
        Organization(
            name=f"CF Org {i}", name_key=f"cf org {i}", owner=rep, visible_to=Visibility.COMPANY
        )
        for i in range(1_000)
    )
    owners = [rep, *others]
    now = timezone.now()
    for start in range(0, N_DEALS, BATCH):
        Deal.objects.bulk_create(
            (
                Deal(
                    title=f"CF deal {start + i}",
                    value=Decimal(rng.randrange(100, 100_000)),
                    currency="EUR",
                    organization=orgs[rng.randrange(len(orgs))],
                    pipeline=pipeline,
                    stage=stages[rng.randrange(len(stages))],
                    owner=owners[rng.randrange(len(owners))],
                    visible_to=Visibility.TEAM if rng.random() < 0.8 else Visibility.OWNER,
                    stage_entered_at=now - dt.timedelta(days=rng.uniform(0, 100)),
                )
                for i in range(min(BATCH, N_DEALS - start))
            ),
            batch_size=BATCH,
        )
    return pipeline


def define_fields() -> dict[str, CustomField]:
    """The 10 deal fields, through the service (which also makes the range indexes)."""
    _rep, admin, _others = _users()
    fields = {}
    for position, (key, kind, options) in enumerate(FIELDS):
        field = CustomField.objects.filter(entity=FieldEntity.DEAL, key=key).first()
        if field is None:
            field = custom_field_create(
                actor=admin,
                entity=FieldEntity.DEAL,
                name=key.removeprefix("cfb_").replace("_", " ").title(),
                type=kind,
                key=key,
                options=options,
                position=position,
            )
        fields[key] = field
    return fields


def _option_ids(field: CustomField) -> list[int]:
    return list(field.options.order_by("position").values_list("pk", flat=True))


def fill_values(pipeline: Pipeline, fields: dict[str, CustomField]) -> None:
    """A value of each of the 10 fields on every deal of `pipeline`, in one UPDATE."""
    if Deal.objects.filter(pipeline=pipeline).exclude(custom_fields={}).exists():
        return
    region, segment, tier, tags = (
        _option_ids(fields[k]) for k in ("cfb_region", "cfb_segment", "cfb_tier", "cfb_tags")
    )
    users = list(User.objects.filter(is_active=True).values_list("pk", flat=True)[:20])

    def pick(ids: list[int], salt: int) -> str:
        # The deal's id picks one of `ids`, spread evenly ((id * salt) % n).
        return f"(ARRAY{ids}::int[])[((id * {salt}) % {len(ids)}) + 1]"

    common_tier = tier[:-1]
    sql = f"""
        UPDATE deals_deal SET custom_fields = jsonb_build_object(
            'cfb_region', {pick(region, 7)},
            'cfb_segment', {pick(segment, 11)},
            'cfb_tier', CASE WHEN id % 100 = 0 THEN {tier[-1]} ELSE {pick(common_tier, 13)} END,
            'cfb_tags', jsonb_build_array({pick(tags[:3], 3)}, {tags[3]}),
            'cfb_seats', ((id * 37) % 500 + 1)::text,
            'cfb_score', ((id * 53) % 10000)::text,
            'cfb_budget', jsonb_build_object(
                'amount', (((id * 97) % 100000) + 0.5)::numeric(12, 2)::text, 'currency', 'EUR'),
            'cfb_renewal', to_char(DATE '2027-01-01' + (id % 365)::int, 'YYYY-MM-DD'),
            'cfb_source_note', 'Met at the trade fair, booth ' || (id % 300),
            'cfb_csm', {pick(users, 17)}
        )
        WHERE pipeline_id = {int(pipeline.pk)}
    """  # noqa: S608 (ids and constants only)
    with connection.cursor() as cursor:
        cursor.execute(sql)  # no parameters: its % are SQL's own


def interleave(plain: Pipeline, filled: Pipeline) -> None:
    """The same creation times in both pipelines, taking turns (the n-th deal of each a minute
    apart): the lists, newest first, then walk as many rows of either pipeline to find a page.
    (Created one after the other, the first pipeline's newest deal would lie behind all of the
    second's.) Done once: afterwards the first pipeline has the newest deal."""
    newest = {
        p.pk: Deal.objects.filter(pipeline=p)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[0]
        for p in (plain, filled)
    }
    if newest[plain.pk] > newest[filled.pk]:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE deals_deal AS d SET created_at = now() - make_interval(mins => r.turn::int)
            FROM (
                SELECT id, 2 * row_number() OVER (PARTITION BY pipeline_id ORDER BY id)
                    + CASE WHEN pipeline_id = %s THEN 0 ELSE 1 END AS turn
                FROM deals_deal WHERE pipeline_id IN (%s, %s)
            ) AS r
            WHERE d.id = r.id
            """,
            [plain.pk, plain.pk, filled.pk],
        )


def _set_live(fields: dict[str, CustomField], live: bool) -> None:
    CustomField.objects.filter(pk__in=[f.pk for f in fields.values()]).update(archived=not live)


def _queries(client: Client, url: str) -> int:
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
    ):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def _paired(client: Client, fields: dict, url_a: str, url_b: str) -> tuple[dict, dict]:
    """A (fields archived) and B (fields live) measured in turns, each with its query count."""
    counts = []
    for live, url in ((False, url_a), (True, url_b)):
        _set_live(fields, live)
        client.get(url)
        counts.append(_queries(client, url))
    times_a, times_b = [], []
    for _ in range(REPEAT):
        _set_live(fields, False)
        times_a += measure(lambda: client.get(url_a), repeat=1, warmup=0)
        _set_live(fields, True)
        times_b += measure(lambda: client.get(url_b), repeat=1, warmup=0)
    a, b = percentiles(times_a), percentiles(times_b)
    a["queries"], b["queries"] = counts
    return a, b


def explain(user: User, field: CustomField, option: int) -> dict[str, str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the option-filtered deals list, as a rep: the queryset
    of `deal_filter` (all matches, in the deals' order), and the page the deals list reads of
    it (the newest 51)."""
    qs = deal_filter(user=user, filters=DealFilters(custom=((f"cf_{field.key}", str(option)),)))
    return {
        "all matches": qs.explain(analyze=True, buffers=True),
        "page of 51": qs.order_by("-created_at", "-id")[:51].explain(analyze=True, buffers=True),
    }


def run() -> dict:
    plain = populate("Bench custom fields: none")
    filled = populate("Bench custom fields: ten each")
    fields = define_fields()
    fill_values(filled, fields)
    interleave(plain, filled)
    _set_live(fields, True)
    _vacuum()
    rep, admin, _others = _users()
    region = _option_ids(fields["cfb_region"])[0]
    rare = _option_ids(fields["cfb_tier"])[-1]
    counts = {
        p.name: (
            Deal.objects.filter(pipeline=p).count(),
            Deal.objects.filter(pipeline=p).exclude(custom_fields={}).count(),
        )
        for p in (plain, filled)
    }
    share = {
        "common option": Deal.objects.filter(custom_fields__contains={"cfb_region": region}),
        "rare option": Deal.objects.filter(custom_fields__contains={"cfb_tier": rare}),
    }
    print(f"deals, deals with values: {counts}", flush=True)
    print({name: qs.count() for name, qs in share.items()}, "deals with the option", flush=True)

    results: dict[str, dict] = {"plans": {}}
    for name, key, option in (("common", "cfb_region", region), ("rare", "cfb_tier", rare)):
        for query, plan in explain(rep, fields[key], option).items():
            uses_gin = GIN_INDEX in plan
            results["plans"][f"{name} option, {query}"] = {"uses_gin": uses_gin, "plan": plan}
            print(
                f"\nEXPLAIN (ANALYZE, BUFFERS), deal_filter for a rep, cf_{key}={option} "
                f"({name} option), {query}: {'uses' if uses_gin else 'does not use'} {GIN_INDEX}"
            )
            print(plan, flush=True)

    deals_url = reverse("deals:list")
    columns = "&".join(f"columns={key}" for key in COLUMNS)
    pages = {
        "board": lambda p: reverse("board:pipeline", args=[p.pk]),
        "deals_list": lambda p: f"{deals_url}?pipeline={p.pk}",
        "deals_list_3_columns": lambda p: f"{deals_url}?pipeline={p.pk}&{columns}",
        "api_deals": lambda p: f"/api/v1/deals/?pipeline={p.pk}&page_size=50",
    }
    # Filtered lists against the plain list without custom fields: they read fewer deals.
    filtered = {
        "deals_list_cf_common_option": f"{deals_url}?pipeline={filled.pk}&cf_cfb_region={region}",
        "deals_list_cf_rare_option": f"{deals_url}?pipeline={filled.pk}&cf_cfb_tier={rare}",
        "api_deals_cf_common_option": f"/api/v1/deals/?pipeline={filled.pk}&page_size=50"
        f"&cf_cfb_region={region}",
    }
    for who, user in (("rep", rep), ("admin", admin)):
        client = Client()
        client.force_login(user)
        rows = [(name, url(plain), url(filled), True) for name, url in pages.items()]
        for name, url in filtered.items():
            base = pages["api_deals" if name.startswith("api") else "deals_list"](plain)
            rows.append((name, base, url, False))
        for name, url_a, url_b, target in rows:
            before, after = _paired(client, fields, url_a, url_b)
            ratio = round(after["p95_ms"] / max(before["p95_ms"], 0.01), 2)
            ratio50 = round(after["p50_ms"] / max(before["p50_ms"], 0.01), 2)
            results[f"{name}_{who}"] = {
                "without_custom_fields": before,
                "with_custom_fields": after,
                "ratio_p50": ratio50,
                "ratio_p95": ratio,
            }
            goal = f"(target <= x{TARGET_RATIO})" if target else "(vs the unfiltered list)"
            print(
                f"{name + ' as ' + who:36}: without p50 {before['p50_ms']:7.2f} p95 "
                f"{before['p95_ms']:7.2f} ms ({before['queries']} q) · with p50 "
                f"{after['p50_ms']:7.2f} p95 {after['p95_ms']:7.2f} ms ({after['queries']} q) "
                f"· p50 x{ratio50}, p95 x{ratio} {goal}",
                flush=True,
            )
    _set_live(fields, True)
    results["deals_per_pipeline"] = {"count": N_DEALS, "repeat": REPEAT}
    return results
