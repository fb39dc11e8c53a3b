"""Throughput of the REST API served by gunicorn on 127.0.0.1, next to a trivial endpoint.

Measures requests per second for `GET /api/v1/deals/` (a page of 50), for
`GET /api/v1/persons/duplicates/?name=...` (on the database as the bench runner left it, e.g.
with 1M persons) and for `GET /api/v1/users/me/` (authenticated, one small query: the
baseline). Target: the deals list at >= 0.3x the baseline. Bounded: a few seconds per endpoint.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

DURATION_S = float(os.environ.get("API_BENCH_SECONDS", "4"))
CLIENT_THREADS = 4
WORKERS = 2
MIN_DEALS = 120
ROOT = Path(__file__).resolve().parent.parent


def _bench_user():
    from crm.models import Role, Team, User

    team, _created = Team.objects.get_or_create(name="API bench")
    user, created = User.objects.get_or_create(
        username="api-bench", defaults={"role": Role.REP, "team": team}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


def _ensure_deals(user) -> int:
    """At least MIN_DEALS deals the bench user sees, so the list serves a full page."""
    from contacts.services import person_create
    from deals.models import Pipeline
    from deals.selectors import deal_list
    from deals.services import deal_create

    have = deal_list(user=user).count()
    if have < MIN_DEALS:
        pipeline = Pipeline.objects.filter(stages__isnull=False).first()
        if pipeline is None:
            from deals.models import Stage

            pipeline = Pipeline.objects.create(name="API bench")
            for i, name in enumerate(["Qualified", "Proposal", "Negotiation"]):
                Stage.objects.create(pipeline=pipeline, name=name, order=i)
        person = person_create(actor=user, name="API Bench Person", visible_to="team")
        for i in range(MIN_DEALS - have):
            deal_create(
                actor=user,
                title=f"API bench deal {i}",
                pipeline=pipeline,
                person=person,
                value=1000 + i,
                visible_to="team",
            )
    return deal_list(user=user).count()


def _some_person_name() -> str:
    from contacts.models import Person

    last = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    person = Person.objects.filter(pk__gte=last // 2).order_by("pk").first()
    return person.name if person else "Jane Doe"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "API_THROTTLE_ANON": "none",
        "API_THROTTLE_USER": "none",
        "API_THROTTLE_TOKEN": "none",
        "LOG_LEVEL": "ERROR",
    }
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_until_up(base: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not come up")


def _load(url: str, token: str) -> dict:
    """CLIENT_THREADS keep-alive clients hammer `url` for DURATION_S; 200s counted."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + DURATION_S

    def client() -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token}"
        mine, bad = [], 0
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            response = session.get(url, timeout=30)
            if response.status_code == 200:
                mine.append((time.perf_counter() - started) * 1000)
            else:
                bad += 1
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    session = requests.Session()  # warm up: the workers' connections and caches
    session.headers["Authorization"] = f"Token {token}"
    for _ in range(3):
        session.get(url, timeout=30)
    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 2) if latencies else None,
        "ok": len(latencies),
        "errors": errors[0],
    }


def run() -> dict:
    from rest_framework.authtoken.models import Token

    user = _bench_user()
    deals = _ensure_deals(user)
    token, _created = Token.objects.get_or_create(user=user)
    name = _some_person_name()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _start_gunicorn(port)
    try:
        _wait_until_up(base, proc)
        endpoints = {
            "baseline (GET users/me/)": f"{base}/api/v1/users/me/",
            "GET deals/ (page of 50)": f"{base}/api/v1/deals/?page_size=50",
            "GET persons/duplicates/": f"{base}/api/v1/persons/duplicates/?"
            + requests.compat.urlencode({"name": name}),
        }
        results = {label: _load(url, token.key) for label, url in endpoints.items()}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    baseline = results["baseline (GET users/me/)"]["rps"] or 0.1
    for label, r in results.items():
        r["vs_baseline"] = round(r["rps"] / baseline, 2)
        print(
            f"{label:28} {r['rps']:8.1f} req/s  p50 {r['p50_ms']} ms  "
            f"({r['vs_baseline']:.2f}x baseline, {r['errors']} errors)"
        )
    ratio = results["GET deals/ (page of 50)"]["vs_baseline"]
    print(f"{deals} deals visible to the bench user; duplicates of “{name}”")
    print(f"target: deals list >= 0.3x baseline: {'met' if ratio >= 0.3 else 'NOT met'}")
    return {
        "endpoints": results,
        "deals_visible": deals,
        "target_met": ratio >= 0.3,
        "workers": WORKERS,
        "client_threads": CLIENT_THREADS,
        "seconds": DURATION_S,
    }
