"""The pipeline board and the reports at 100,000 open deals in one pipeline.

Bulk-loads the deals (plus won/lost ones, their stage history, and leads for the lead report),
then measures the server time of the board page and of each report page through Django's test
client, p50/p95 with the query count, next to a trivial page (the health check) measured in
the same run. Targets: board p95 <= 50 ms, each report p95 <= 200 ms.
"""

import datetime as dt
import random
from decimal import Decimal
from urllib.parse import quote

from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.timing import measure, percentiles
from contacts.models import Organization
from crm.models import Role, Team, User, Visibility
from deals.models import (
    Deal,
    DealHistory,
    DealStageStay,
    DealStatus,
    DealTally,
    HistoryKind,
    LostReason,
    Pipeline,
    Stage,
)
from leads.models import Lead, LeadSource
from reports.tables import REPORTS

N_OPEN = 100_000
N_CLOSED = 20_000
N_LEADS = 20_000
BATCH = 10_000
BOARD_REPEAT = 50
REPORT_REPEAT = 20
STAGES = [
    ("Lead in", 10),
    ("Qualified", 25),
    ("Demo", 40),
    ("Proposal", 60),
    ("Negotiation", 80),
    ("Contract", 90),
]


def _users() -> tuple[list[User], User, User]:
    teams = [Team.objects.get_or_create(name=f"Bench board {i}")[0] for i in range(3)]
    reps = []
    for i in range(24):
        user, _ = User.objects.get_or_create(
            username=f"bench-board-rep-{i}", defaults={"role": Role.REP, "team": teams[i % 3]}
        )
        reps.append(user)
    manager, _ = User.objects.get_or_create(
        username="bench-board-manager", defaults={"role": Role.MANAGER, "team": teams[0]}
    )
    manager.managed_teams.add(teams[0], teams[1])
    admin, _ = User.objects.get_or_create(
        username="bench-board-admin", defaults={"role": Role.ADMIN, "team": teams[2]}
    )
    return reps, manager, admin


def populate() -> tuple[Pipeline, list[User], User, User]:
    rng = random.Random(7)
    reps, manager, admin = _users()
    pipeline, created = Pipeline.objects.get_or_create(name="Bench board")
    if not created:
        _vacuum()
        return pipeline, reps, manager, admin
    stages = [
        Stage.objects.create(pipeline=pipeline, name=name, order=i, probability=p, rotting_days=30)
        for i, (name, p) in enumerate(STAGES)
    ]
    reasons = [
        LostReason.objects.get_or_create(name=n)[0]
        for n in ("Price", "Timing", "Competitor", "No budget")
    ]
    orgs = Organization.objects.bulk_create(
        Organization(
            name=f"Board Org {i}",
            name_key=f"board org {i}",
            owner=reps[0],
            visible_to=Visibility.COMPANY,
        )
        for i in range(2_000)
    )
    now = timezone.now()
    visibilities = [Visibility.TEAM] * 6 + [Visibility.OWNER] * 2 + [Visibility.COMPANY] * 2

    def deals(n: int, status: str) -> None:
        for start in range(0, n, BATCH):
            batch, plans = [], []
            for _ in range(min(BATCH, n - start)):
                created_at = now - dt.timedelta(days=rng.uniform(1, 700))
                reached = rng.randrange(len(stages))
                # Stays of a few days each, the last one still going (or closed).
                times = [created_at]
                for _step in range(reached):
                    times.append(times[-1] + dt.timedelta(days=rng.uniform(0.5, 20)))
                closed_at = times[-1] + dt.timedelta(days=rng.uniform(0.5, 20))
                closed_at = min(closed_at, now)
                deal = Deal(
                    title=f"Deal {start}",
                    value=Decimal(rng.randrange(100, 100_000)),
                    currency="USD" if rng.random() < 0.1 else "EUR",
                    organization=orgs[rng.randrange(len(orgs))],
                    pipeline=pipeline,
                    stage=stages[reached],
                    owner=reps[rng.randrange(len(reps))],
                    visible_to=rng.choice(visibilities),
                    status=status,
                    stage_entered_at=min(times[-1], now),
                    won_at=closed_at if status == DealStatus.WON else None,
                    lost_at=closed_at if status == DealStatus.LOST else None,
                    lost_reason=rng.choice(reasons) if status == DealStatus.LOST else None,
                    next_activity_at=(
                        now + dt.timedelta(days=rng.uniform(-5, 20)) if rng.random() < 0.6 else None
                    ),
                )
                batch.append(deal)
                plans.append((times, closed_at))
            Deal.objects.bulk_create(batch, batch_size=BATCH)
            # auto_now_add overrode created_at: set the planned one back in the same batch.
            history = []
            for deal, (times, closed_at) in zip(batch, plans, strict=True):
                deal.created_at = times[0]
                history.append(
                    DealHistory(
                        deal=deal,
                        kind=HistoryKind.CREATED,
                        to_stage=stages[0],
                        to_status=DealStatus.OPEN,
                        created_at=times[0],
                    )
                )
                for i, at in enumerate(times[1:], start=1):
                    history.append(
                        DealHistory(
                            deal=deal,
                            kind=HistoryKind.STAGE,
                            from_stage=stages[i - 1],
                            to_stage=stages[i],
                            created_at=at,
                        )
                    )
                if status != DealStatus.OPEN:
                    history.append(
                        DealHistory(
                            deal=deal,
                            kind=HistoryKind.STATUS,
                            from_status=DealStatus.OPEN,
                            to_status=status,
                            from_stage=deal.stage,
                            to_stage=deal.stage,
                            lost_reason=deal.lost_reason,
                            created_at=closed_at,
                        )
                    )
            Deal.objects.bulk_update(batch, ["created_at"], batch_size=BATCH)
            DealHistory.objects.bulk_create(history, batch_size=BATCH)

    deals(N_OPEN, DealStatus.OPEN)
    deals(N_CLOSED // 2, DealStatus.WON)
    deals(N_CLOSED // 2, DealStatus.LOST)

    leads = []
    for i in range(N_LEADS):
        created_at = now - dt.timedelta(days=rng.uniform(1, 400))
        converted = rng.random() < 0.3
        leads.append(
            Lead(
                title=f"Lead {i}",
                organization=orgs[i % len(orgs)],
                owner=reps[rng.randrange(len(reps))],
                visible_to=rng.choice(visibilities),
                source=rng.choice(LeadSource.values),
                converted_at=created_at + dt.timedelta(days=rng.uniform(0.1, 60))
                if converted
                else None,
                archived_at=now if not converted and rng.random() < 0.2 else None,
            )
        )
    created = Lead.objects.bulk_create(leads, batch_size=BATCH)
    for lead in created:
        lead.created_at = now - dt.timedelta(days=rng.uniform(60, 400))
    Lead.objects.bulk_update(created, ["created_at"], batch_size=BATCH)
    _vacuum()
    return pipeline, reps, manager, admin


def _vacuum() -> None:
    """VACUUM ANALYZE after loading (and on every run with --keep-db, cheap when nothing
    changed): fresh statistics, and a visibility map that lets the totals and the stage
    history be read by index-only scans, as autovacuum would have it on a live server."""
    with connection.cursor() as cursor:
        for model in (Deal, DealHistory, DealStageStay, DealTally, Lead):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def _timed(client: Client, url: str, repeat: int) -> dict:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    # Counted with an execute wrapper: it sees every query whatever the connection's state.
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
    ):
        client.get(url)
    result = percentiles(measure(lambda: client.get(url), repeat=repeat))
    result["queries"] = len(queries)
    return result


def run() -> dict:
    pipeline, reps, manager, admin = populate()
    board_url = reverse("board:pipeline", args=[pipeline.pk])
    results: dict[str, dict] = {}
    for who, user in (("rep", reps[0]), ("manager", manager), ("admin", admin)):
        client = Client()
        client.force_login(user)
        baseline = percentiles(measure(lambda c=client: c.get("/healthz"), repeat=BOARD_REPEAT))
        board = _timed(client, board_url, BOARD_REPEAT)
        board["ratio_p95_to_baseline"] = round(board["p95_ms"] / max(baseline["p95_ms"], 0.01), 1)
        results[f"board_{who}"] = board
        results[f"baseline_{who}"] = baseline
        print(
            f"board as {who:8}: p50 {board['p50_ms']:7.2f} ms  p95 {board['p95_ms']:7.2f} ms"
            f"  queries {board['queries']:3}  (baseline p95 {baseline['p95_ms']:.2f} ms,"
            f" x{board['ratio_p95_to_baseline']})  target p95 <= 50 ms",
            flush=True,
        )
        since = quote(timezone.now().isoformat())
        changes_url = reverse("board:changes", args=[pipeline.pk]) + f"?since={since}"
        results[f"board_changes_{who}"] = changes = _timed(client, changes_url, BOARD_REPEAT)
        print(
            f"board changes feed as {who:8}: p50 {changes['p50_ms']:7.2f} ms  p95 "
            f"{changes['p95_ms']:7.2f} ms  queries {changes['queries']:3}",
            flush=True,
        )
    for who, user in (("manager", manager), ("admin", admin)):
        client = Client()
        client.force_login(user)
        baseline = percentiles(measure(lambda c=client: c.get("/healthz"), repeat=REPORT_REPEAT))
        for slug in REPORTS:
            url = reverse("reports:detail", args=[slug]) + f"?pipeline={pipeline.pk}"
            report = _timed(client, url, REPORT_REPEAT)
            report["ratio_p95_to_baseline"] = round(
                report["p95_ms"] / max(baseline["p95_ms"], 0.01), 1
            )
            results[f"report_{slug}_{who}"] = report
            print(
                f"report {slug:17} as {who:8}: p50 {report['p50_ms']:7.2f} ms  p95 "
                f"{report['p95_ms']:7.2f} ms  queries {report['queries']:3}  "
                f"(x{report['ratio_p95_to_baseline']})  target p95 <= 200 ms",
                flush=True,
            )
    return results
