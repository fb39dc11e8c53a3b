"""The board and the deals list at 100,000 open deals, without products and then with two
products on every deal, in the same run: the product names cost one indexed query per page,
so the pages should stay within 1.2x of their time without products.

Sized by BENCH_PRODUCTS_DEALS (default 100,000; the shared machines may need fewer). Server
time through Django's test client, p50/p95 with the query count.
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


def populate() -> tuple[Pipeline, User, User]:
    rng = random.Random(11)
    team, _ = Team.objects.get_or_create(name="Bench products")
    rep, _ = User.objects.get_or_create(
        username="bench-products-rep", defaults={"role": Role.REP, "team": team}
    )
    admin, _ = User.objects.get_or_create(
        username="bench-products-admin", defaults={"role": Role.ADMIN}
    )
    pipeline, created = Pipeline.objects.get_or_create(name="Bench products")
    if not created:
        DealProduct.objects.filter(deal__pipeline=pipeline).delete()
        _vacuum()
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
    _vacuum()
    return pipeline, rep, admin


def add_products(pipeline: Pipeline) -> None:
    """Two products on every deal of the pipeline."""
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


def _timed(client: Client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
    ):
        client.get(url)
    result = percentiles(measure(lambda: client.get(url), repeat=REPEAT))
    result["queries"] = len(queries)
    return result


def _pages(pipeline: Pipeline, users: dict[str, User]) -> dict[str, dict]:
    urls = {
        "board": reverse("board:pipeline", args=[pipeline.pk]),
        "deals_list": reverse("deals:list") + f"?pipeline={pipeline.pk}",
    }
    out = {}
    for who, user in users.items():
        client = Client()
        client.force_login(user)
        for name, url in urls.items():
            out[f"{name}_{who}"] = _timed(client, url)
    return out


def run() -> dict:
    pipeline, rep, admin = populate()
    users = {"rep": rep, "admin": admin}
    print(f"{Deal.objects.filter(pipeline=pipeline).count()} deals", flush=True)
    without = _pages(pipeline, users)
    add_products(pipeline)
    print(f"{DealProduct.objects.filter(deal__pipeline=pipeline).count()} product lines")
    with_items = _pages(pipeline, users)
    results: dict[str, dict] = {}
    for key, before in without.items():
        after = with_items[key]
        ratio = round(after["p95_ms"] / max(before["p95_ms"], 0.01), 2)
        results[key] = {"without_products": before, "with_products": after, "ratio_p95": ratio}
        print(
            f"{key:18}: without p50 {before['p50_ms']:7.2f} p95 {before['p95_ms']:7.2f} ms "
            f"({before['queries']} queries) · with 2 products each p50 {after['p50_ms']:7.2f} "
            f"p95 {after['p95_ms']:7.2f} ms ({after['queries']} queries) · x{ratio} "
            f"(target <= x{TARGET_RATIO})",
            flush=True,
        )
    results["deals"] = {"count": N_DEALS}
    return results
