"""Two servers, one database (issue 15): the production set-up under load, one server restarted.

    python -m bench.cluster_bench            # 50 users, 2 minutes (about 3 minutes in all)
    python -m bench.cluster_bench --users 10 --duration 30 --outage-at 10   # a quick look

On a fresh PostgreSQL database (`crm_cluster`, dropped and made anew) with the demo data, it
starts what the README's production set-up describes, all on 127.0.0.1:

- two `gunicorn config.wsgi` servers (DEBUG off, a SECRET_KEY, ALLOWED_HOSTS=127.0.0.1,
  static files collected for WhiteNoise), sharing one PostgreSQL (data and sessions: the
  sessions are Django's database-backed ones) and one Redis cache (`CACHE_URL`: form tokens,
  login limits, throttles);
- one Celery worker (`celery -A config.celery_app worker`) on a Redis broker;
- locust, headless, with 49 sales reps and one importing admin (bench/locustfile.py): reads
  (leads inbox, deals list, board, a deal page, API lists) and writes (a lead by the API, a
  note, a deal moved with the version seen, a small persons import on the worker).

At `--outage-at` seconds it stops one server (SIGTERM: gunicorn's graceful stop) and starts it
again `--outage-seconds` later. Afterwards it reports throughput, p50/p95 and errors, split into
the outage (from the SIGTERM until the server answers again) and the rest, and looks up every
write a server acknowledged in the database. Bounded: locust's --run-time, and every process
it started is stopped at the end. Figures go to bench/results/cluster.json.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/crm_cluster"
DEALS_PER_REP = 3
# Collected once and kept (git-ignored): compressing every file takes minutes on a busy machine.
STATIC_ROOT = RESULTS / "cluster-static"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster_bench", description=__doc__)
    parser.add_argument("--users", type=int, default=50, help="simulated users (default 50)")
    parser.add_argument("--duration", type=int, default=120, help="seconds of load (default 120)")
    parser.add_argument("--outage-at", type=int, default=60, help="stop server A at this second")
    parser.add_argument("--outage-seconds", type=int, default=12, help="restart it this later")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--ports", default="8151,8152", help="the two servers' ports")
    parser.add_argument(
        "--database-url", default=os.environ.get("CLUSTER_DATABASE_URL", DEFAULT_DB)
    )
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--wait", default="1,3", help="each user's think time, min,max seconds")
    return parser.parse_args(argv)


def cluster_env(args: argparse.Namespace, run_dir: Path) -> dict[str, str]:
    """Production settings, except what plain HTTP on the loopback needs switched off."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "cluster-bench-" + secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": args.database_url,
        "CACHE_URL": args.cache_url,
        "CELERY_BROKER_URL": args.broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "STATIC_ROOT": str(STATIC_ROOT),
        "MEDIA_ROOT": str(run_dir / "media"),
        # No TLS on the loopback: no redirect to https, cookies sent over http.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        # 50 users from one address: the per-address limits are for the internet, not this.
        "API_THROTTLE_ANON": "none",
        "API_THROTTLE_USER": "none",
        "API_THROTTLE_TOKEN": "none",
        "CRM_LOGIN_FAILURE_LIMIT": "1000",
        # The bench's imports (30 rows) go to the worker, as a large file would.
        "CRM_IMPORT_BACKGROUND_ROWS": "10",
        "LOG_LEVEL": "ERROR",
    }


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare(users: int, run_dir: Path) -> dict:
    """Migrate, the demo data, static files, and the load's users with their own records."""
    import django

    django.setup()
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from contacts.services import person_create
    from crm.models import Role, Team, User
    from deals.models import Pipeline
    from deals.services import deal_create
    from leads.services import lead_create

    manifest = STATIC_ROOT / "staticfiles.json"
    sources = [p for p in (ROOT / "static").rglob("*") if p.is_file()]
    fresh = manifest.exists() and all(p.stat().st_mtime < manifest.stat().st_mtime for p in sources)
    steps = [("migrate", {}), ("load_demo", {})]
    if not fresh:
        steps.append(("collectstatic", {"interactive": False}))
    for name, options in steps:
        started = time.perf_counter()
        call_command(name, verbosity=0, **options)
        print(f"{name}: {time.perf_counter() - started:.0f} s", flush=True)

    pipeline = Pipeline.objects.filter(stages__isnull=False).order_by("order", "pk").first()
    stages = list(pipeline.stages.order_by("order").values_list("pk", flat=True))
    teams = list(Team.objects.order_by("pk"))

    def make_user(username: str, role: str, team: Team) -> dict:
        password = secrets.token_urlsafe(16)
        user = User.objects.create_user(username=username, password=password, role=role, team=team)
        return {"user": user, "username": username, "password": password,
                "token": Token.objects.create(user=user).key}  # fmt: skip

    reps = []
    for i in range(max(users - 1, 1)):
        rep = make_user(f"cluster-rep-{i + 1:02d}", Role.REP, teams[i % len(teams)])
        user = rep.pop("user")
        person = person_create(actor=user, name=f"Cluster Customer {i + 1}")
        rep["deals"] = {
            deal.pk: [deal.version, deal.stage_id]
            for deal in (
                deal_create(
                    actor=user,
                    title=f"Cluster deal {i + 1}.{d + 1}",
                    pipeline=pipeline,
                    person=person,
                    value=1000 * (d + 1),
                )
                for d in range(DEALS_PER_REP)
            )
        }
        rep["person"] = person.pk
        rep["lead"] = lead_create(actor=user, title=f"Cluster lead {i + 1}", person=person).pk
        reps.append(rep)
    importer = make_user("cluster-importer", Role.ADMIN, teams[0])
    importer.pop("user")
    setup = {"pipeline": pipeline.pk, "stages": stages, "reps": reps, "importer": importer}
    (run_dir / "users.json").write_text(json.dumps(setup))
    return setup


class Cluster:
    """The processes of the set-up, each started in a process group of its own."""

    def __init__(self, env: dict[str, str], ports: list[int], workers: int, run_dir: Path):
        self.env, self.ports, self.workers, self.run_dir = env, ports, workers, run_dir
        self.servers: dict[int, subprocess.Popen] = {}
        self.worker: subprocess.Popen | None = None

    def _spawn(self, argv: list[str], log: str) -> subprocess.Popen:
        out = open(self.run_dir / log, "ab")  # noqa: SIM115 (kept by the child)
        return subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def start_server(self, port: int) -> None:
        self.servers[port] = self._spawn(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(self.workers), "--log-level", "warning"],
            f"gunicorn-{port}.log",
        )  # fmt: skip

    def start_worker(self) -> None:
        self.worker = self._spawn(
            [sys.executable, "-m", "celery", "-A", "config.celery_app", "worker",
             "--loglevel", "warning", "--concurrency", "1", "--hostname", "cluster-bench@%h"],
            "celery.log",
        )  # fmt: skip

    def wait_up(self, port: int, timeout: float = 120) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.servers[port].poll() is not None:
                raise RuntimeError(f"gunicorn on {port} exited: see {self.run_dir}")
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                    return time.time()
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn on {port} did not come up")

    def stop_server(self, port: int) -> None:
        proc = self.servers[port]
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # gunicorn: stop accepting, finish, exit
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def stop_all(self) -> None:
        for port in list(self.servers):
            self.stop_server(port)
        if self.worker is not None and self.worker.poll() is None:
            self.worker.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                self.worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.worker.pid, signal.SIGKILL)
                self.worker.wait()


def worker_ready(broker_url: str, timeout: float = 60) -> None:
    from config.celery_app import app

    app.conf.broker_url = broker_url
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1.0):
            return
    raise RuntimeError("the Celery worker did not answer")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def summarize(rows: list[dict], seconds: float) -> dict:
    ms = [r["ms"] for r in rows if r["ok"]]
    errors = [r for r in rows if not r["ok"]]
    kinds: dict[str, int] = {}
    for r in errors:
        key = r["error"].split(":")[0] if r["status"] == 0 else r["error"]
        kinds[key] = kinds.get(key, 0) + 1
    return {
        "requests": len(rows),
        "seconds": round(seconds, 1),
        "req_per_s": round(len(rows) / seconds, 1) if seconds else 0,
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "errors": len(errors),
        "error_rate": round(len(errors) / len(rows), 4) if rows else 0,
        "error_kinds": kinds,
        "failed_over": sum(1 for r in rows if r["retried"]),
    }


LOG_IN = frozenset({"login page", "log in"})


def analyse(run_dir: Path, started: float, ended: float, outage: tuple[float, float]) -> dict:
    """The figures of the whole run, and of the time before, during and after the outage.

    A request counts in the window it ended in: one sent just before the SIGTERM that waited
    in the stopped server's queue belongs to the outage. The windows leave out each user's one
    log-in (a deliberately slow password hash, all of them at the start): the per-request
    figures have them."""
    rows = [json.loads(line) for line in (run_dir / "requests.jsonl").read_text().splitlines()]
    for r in rows:
        r["end"] = r["t"] + r["ms"] / 1000
    work = [r for r in rows if r["name"] not in LOG_IN]
    before = [r for r in work if r["end"] < outage[0]]
    during = [r for r in work if outage[0] <= r["end"] < outage[1]]
    after = [r for r in work if r["end"] >= outage[1]]
    by_name: dict[str, list[dict]] = {}
    for r in rows:
        by_name.setdefault(r["name"], []).append(r)
    total = ended - started
    return {
        "all": summarize(rows, total),
        "before_outage": summarize(before, outage[0] - started),
        "during_outage": summarize(during, outage[1] - outage[0]),
        "after_outage": summarize(after, ended - outage[1]),
        "by_request": {name: summarize(rs, total) for name, rs in sorted(by_name.items())},
    }


def verify_acks(run_dir: Path) -> dict:
    """Every write a server acknowledged (2xx with its id) is in the database, as written."""
    from activities.models import Note
    from contacts.models import Person
    from deals.models import Deal, DealHistory
    from imports.models import Import
    from leads.models import Lead

    path = run_dir / "acks.jsonl"
    records = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    acks = [r for r in records if r.get("acked", True)]
    # Writes that got an error instead of an answer: the client cannot know if they happened.
    unanswered = [r for r in records if not r.get("acked", True)]
    unanswered_written = sum(
        Lead.objects.filter(title=r["title"]).exists()
        if r["kind"] == "lead"
        else Note.objects.filter(content=r["content"]).exists()
        for r in unanswered
    )
    missing: list[dict] = []
    counts: dict[str, list[int]] = {}
    last_move: dict[int, dict] = {}
    for ack in acks:
        kind = ack["kind"]
        if kind == "lead":
            found = Lead.objects.filter(pk=ack["id"], title=ack["title"]).exists()
        elif kind == "note":
            found = Note.objects.filter(pk=ack["id"], content=ack["content"]).exists()
        elif kind == "move":
            # The move is in the deal's history at that version; the deal is at least there.
            found = (
                DealHistory.objects.filter(deal_id=ack["id"], to_stage_id=ack["stage"]).exists()
                and Deal.objects.filter(pk=ack["id"], version__gte=ack["version"]).exists()
            )
            if found and ack["version"] > last_move.get(ack["id"], {}).get("version", 0):
                last_move[ack["id"]] = ack
        else:
            found = Import.objects.filter(
                pk=ack["id"], status="applied"
            ).exists() and Person.objects.filter(
                emails__email__in=ack["emails"]
            ).distinct().count() == len(ack["emails"])
        seen = counts.setdefault(kind, [0, 0])
        seen[0] += found
        seen[1] += 1
        if not found:
            missing.append(ack)
    # Only one user moves each deal: its last acknowledged move is where the deal is now,
    # unless a later move whose answer was lost (an error) moved it again.
    deals_where_acked = sum(
        Deal.objects.filter(pk=pk, stage_id=ack["stage"], version=ack["version"]).exists()
        for pk, ack in last_move.items()
    )
    return {
        "acknowledged": len(acks),
        "found": len(acks) - len(missing),
        "by_kind": {kind: {"found": f, "acknowledged": n} for kind, (f, n) in counts.items()},
        "deals_at_last_acknowledged_move": [deals_where_acked, len(last_move)],
        "missing": missing[:20],
        "unanswered_writes_written": [unanswered_written, len(unanswered)],
    }


def sample_load(stop: threading.Event, samples: list[float]) -> None:
    while not stop.wait(5):
        samples.append(os.getloadavg()[0])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Stopped from outside (Ctrl-C, a timeout): still stop what was started, in `finally`.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    if not args.database_url.startswith("postgres"):
        print("The cluster bench needs PostgreSQL (--database-url postgres://...)", file=sys.stderr)
        return 2
    ports = [int(p) for p in args.ports.split(",")]
    run_dir = Path(tempfile.mkdtemp(prefix="crm-cluster-"))
    env = cluster_env(args, run_dir)
    os.environ.update(env)
    print(f"Run directory (logs): {run_dir}", flush=True)
    load_before = os.getloadavg()

    recreate_database(args.database_url)
    t = time.perf_counter()
    setup = prepare(args.users, run_dir)
    print(f"Prepared {len(setup['reps'])} reps and an importer in {time.perf_counter() - t:.0f} s")
    import redis

    redis.Redis.from_url(args.cache_url).flushdb()  # no tokens or limits left from a past run

    cluster = Cluster(env, ports, args.workers, run_dir)
    stop_sampling = threading.Event()
    load_samples: list[float] = []
    try:
        cluster.start_worker()
        for port in ports:
            cluster.start_server(port)
        for port in ports:
            cluster.wait_up(port)
        worker_ready(args.broker_url)
        print(f"Up: gunicorn on {ports} ({args.workers} workers each), one Celery worker")

        locust = subprocess.Popen(
            [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
             "--headless", "--users", str(args.users), "--spawn-rate", str(max(args.users // 5, 1)),
             "--run-time", f"{args.duration}s", "--stop-timeout", "15", "--only-summary",
             "--host", f"http://127.0.0.1:{ports[0]}", "--loglevel", "WARNING"],
            cwd=ROOT,
            env={**env, "CLUSTER_RUN_DIR": str(run_dir), "CLUSTER_WAIT": args.wait,
                 "CLUSTER_HOSTS": ",".join(f"http://127.0.0.1:{p}" for p in ports)},
            stdout=open(run_dir / "locust.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        started = time.time()
        threading.Thread(
            target=sample_load, args=(stop_sampling, load_samples), daemon=True
        ).start()

        time.sleep(max(args.outage_at - (time.time() - started), 0))
        outage_start = time.time()
        print(f"t={outage_start - started:.0f} s: SIGTERM to the server on {ports[0]}", flush=True)
        cluster.stop_server(ports[0])
        stopped = time.time()
        time.sleep(max(args.outage_seconds - (time.time() - outage_start), 0))
        cluster.start_server(ports[0])
        outage_end = cluster.wait_up(ports[0])
        print(
            f"t={outage_end - started:.0f} s: it answers again (stopped after "
            f"{stopped - outage_start:.1f} s, down {outage_end - outage_start:.1f} s)",
            flush=True,
        )
        locust.wait(timeout=args.duration + 60)
        ended = time.time()
    finally:
        stop_sampling.set()
        if "locust" in locals() and locust.poll() is None:
            locust.terminate()
            locust.wait(timeout=30)
        cluster.stop_all()

    results = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started)),
        "users": args.users,
        "duration_s": args.duration,
        "workers_per_server": args.workers,
        "outage": {
            "at_s": round(outage_start - started, 1),
            "stopped_after_s": round(stopped - outage_start, 1),
            "down_s": round(outage_end - outage_start, 1),
        },
        "load_average": {
            "before": round(load_before[0], 2),
            "during_mean": round(statistics.mean(load_samples), 2) if load_samples else None,
            "during_max": round(max(load_samples), 2) if load_samples else None,
        },
        **analyse(run_dir, started, ended, (outage_start, outage_end)),
        "writes": verify_acks(run_dir),
        "run_dir": str(run_dir),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "cluster.json").write_text(json.dumps(results, indent=2))
    print_report(results)
    ok = results["writes"]["found"] == results["writes"]["acknowledged"]
    return 0 if ok else 1


def print_report(r: dict) -> None:
    print(f"\n{r['users']} users for {r['duration_s']} s, {r['workers_per_server']} gunicorn "
          f"workers per server; server A stopped at {r['outage']['at_s']} s, down "
          f"{r['outage']['down_s']} s; load average {r['load_average']}")  # fmt: skip
    print("| window | requests | req/s | p50 | p95 | errors | error rate | failed over |")
    print("|---|---|---|---|---|---|---|---|")
    for window in ("all", "before_outage", "during_outage", "after_outage"):
        s = r[window]
        print(f"| {window} ({s['seconds']} s) | {s['requests']} | {s['req_per_s']} | "
              f"{s['p50_ms']} ms | {s['p95_ms']} ms | {s['errors']} | {s['error_rate']:.2%} | "
              f"{s['failed_over']} |")  # fmt: skip
    for window in ("before_outage", "during_outage", "after_outage"):
        if r[window]["error_kinds"]:
            print(f"errors {window}: {r[window]['error_kinds']}")
    print("\n| request | count | p50 | p95 | errors |\n|---|---|---|---|---|")
    for name, s in r["by_request"].items():
        print(f"| {name} | {s['requests']} | {s['p50_ms']} ms | {s['p95_ms']} ms | {s['errors']} |")
    w = r["writes"]
    print(f"\nacknowledged writes found: {w['found']}/{w['acknowledged']} {w['by_kind']}")
    d = w["deals_at_last_acknowledged_move"]
    print(f"deals at their last acknowledged move: {d[0]}/{d[1]}")
    u = w["unanswered_writes_written"]
    print(f"writes answered with an error (lead, note) that are in the database: {u[0]}/{u[1]}")
    if w["missing"]:
        print(f"MISSING: {w['missing']}")
    print(f"Written to {RESULTS / 'cluster.json'}; logs in {r['run_dir']}")


if __name__ == "__main__":
    sys.exit(main())
