"""The board and the deals list at 100,000 open deals with two products each, next to the
same pages of another pipeline of 100,000 deals without products, measured in turns (A, B, A,
B, ...) so that the shared machine's noise hits both alike. The product names cost one small
indexed query per page (two with products): within 1.2x of the pages without products.

Sized by BENCH_PRODUCTS_DEALS per pipeline (default 100,000; the shared machines may need
fewer). Server time through Django's test client, p50/p95 with the query count.
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
from crm.models import Role, Team, User, Visibility
from deals.models import Deal, DealTally, Pipeline, Stage
from products.models import DealProduct, Product, ProductPrice
from products.money import line_sum

N_DEALS = int(os.environ.get("BENCH_PRODUCTS_DEALS", "100000"))
BATCH = 10_000
REPEAT = 30
TARGET_RATIO = 1.2


def _vacuum() -> None:
    with connection.cursor() as cursor:
        for model in (Deal, DealTally, DealProduct):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def populate(name: str) -> tuple[Pipeline, User, User]:
    rng = random.Random(11)
    team, _ = Team.objects.get_or_create(name="Bench products")
    rep, _ = User.objects.get_or_create(
        username="bench-products-rep", defaults={"role": Role.REP, "team": team}
    )
    admin, _ = User.objects.get_or_create(
        username="bench-products-admin", defaults={"role": Role.ADMIN}
    )
    pipeline, created = Pipeline.objects.get_or_create(name=name)
    if not created:
        return pipeline, rep, admin
    stages = [
        Stage.objects.create(pipeline=pipeline, name=f"Stage {i}", order=i, probability=10 * i)
        for i in range(6)
    ]
    orgs = Organization.objects.bulk_create(
        Organization(
            name=f"Products Org {i}",
            name_key=f"products org {i}",
            owner=rep,
            visible_to=Visibility.COMPANY,
        )
        for i in range(1_000)
    )
    now = timezone.now()
    for start in range(0, N_DEALS, BATCH):
        Deal.objects.bulk_create(
            (
                Deal(
                    title=f"Products deal {start + i}",
                    value=Decimal(rng.randrange(100, 100_000)),
                    currency="EUR",
                    organization=orgs[rng.randrange(len(orgs))],
                    pipeline=pipeline,
                    stage=stages[rng.randrange(len(stages))],
                    owner=rep if rng.random() < 0.5 else admin,
                    visible_to=Visibility.TEAM,
                    stage_entered_at=now - dt.timedelta(days=rng.uniform(0, 100)),
                )
                for i in range(min(BATCH, N_DEALS - start))
            ),
            batch_size=BATCH,
        )
    return pipeline, rep, admin


def add_products(pipeline: Pipeline) -> None:
    """Two products on every deal of the pipeline."""
    if DealProduct.objects.filter(deal__pipeline=pipeline).exists():
        return
    rng = random.Random(12)
    products = []
    for i in range(200):
        product = Product.objects.create(name=f"Bench product {i}", code=f"BP-{i}")
        ProductPrice.objects.create(product=product, currency="EUR", price=Decimal(10 + i))
        products.append(product)
    ids = list(Deal.objects.filter(pipeline=pipeline).values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        lines = []
        for deal_id in ids[start : start + BATCH]:
            for product in rng.sample(products, 2):
                quantity, price = Decimal(rng.randrange(1, 10)), Decimal(10)
                lines.append(
                    DealProduct(
                        deal_id=deal_id,
                        product=product,
                        quantity=quantity,
                        unit_price=price,
                        currency="EUR",
                        sum=line_sum(
                            quantity=quantity,
                            unit_price=price,
                            discount_percent=Decimal(0),
                            tax_percent=Decimal(0),
                        ),
                    )
                )
        DealProduct.objects.bulk_create(lines, batch_size=BATCH)
    _vacuum()


def _paired(client: Client, url_a: str, url_b: str) -> tuple[dict, dict]:
    """Both pages measured in turns; each with its query count."""
    results = []
    for url in (url_a, url_b):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    for url in (url_a, url_b):
        queries = []
        with connection.execute_wrapper(
            lambda execute, sql, *args, q=queries: q.append(sql) or execute(sql, *args)
        ):
            client.get(url)
        results.append(len(queries))
    times_a, times_b = [], []
    for _ in range(REPEAT):
        times_a += measure(lambda: client.get(url_a), repeat=1, warmup=0)
        times_b += measure(lambda: client.get(url_b), repeat=1, warmup=0)
    a, b = percentiles(times_a), percentiles(times_b)
    a["queries"], b["queries"] = results
    return a, b


def run() -> dict:
    plain, rep, admin = populate("Bench products: none")
    priced, _rep, _admin = populate("Bench products: two each")
    add_products(priced)
    _vacuum()
    counts = {
        p.name: (
            Deal.objects.filter(pipeline=p).count(),
            DealProduct.objects.filter(deal__pipeline=p).count(),
        )
        for p in (plain, priced)
    }
    print(f"deals, product lines: {counts}", flush=True)
    results: dict[str, dict] = {}
    for who, user in (("rep", rep), ("admin", admin)):
        client = Client()
        client.force_login(user)
        pages = {
            "board": lambda p: reverse("board:pipeline", args=[p.pk]),
            "deals_list": lambda p: reverse("deals:list") + f"?pipeline={p.pk}",
        }
        for name, url in pages.items():
            before, after = _paired(client, url(plain), url(priced))
            ratio = round(after["p95_ms"] / max(before["p95_ms"], 0.01), 2)
            ratio50 = round(after["p50_ms"] / max(before["p50_ms"], 0.01), 2)
            results[f"{name}_{who}"] = {
                "without_products": before,
                "with_products": after,
                "ratio_p50": ratio50,
                "ratio_p95": ratio,
            }
            print(
                f"{name + ' as ' + who:20}: without p50 {before['p50_ms']:7.2f} p95 "
                f"{before['p95_ms']:7.2f} ms ({before['queries']} q) · two products each p50 "
                f"{after['p50_ms']:7.2f} p95 {after['p95_ms']:7.2f} ms ({after['queries']} q) "
                f"· p50 x{ratio50}, p95 x{ratio} (target <= x{TARGET_RATIO})",
                flush=True,
            )
    results["deals_per_pipeline"] = {"count": N_DEALS}
    return results
