"""The load of `bench/cluster_bench.py`: sales reps reading and writing against two servers.

Run by the cluster bench, not by hand (it needs the users and deals the bench set up, named in
`$CLUSTER_RUN_DIR/users.json`). Loopback only: `CLUSTER_HOSTS` lists the servers' base URLs.

There is no load balancer process: each simulated user sends its requests to the servers in
turn (round robin), and a request whose connection is refused (the server is down) is sent to
the other server at once. A request that reached a server and then failed is not retried: a
write might have happened, so the client sees the error (nginx does the same for a POST).

Every request is appended to `requests.jsonl` (start, duration, status, retried), every write
a server acknowledged to `acks.jsonl` (what was written, with its id), for the bench to count
and to look up in the database afterwards.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import random
import threading
import time
from pathlib import Path

import requests
from locust import User, between, events, task
from urllib3.exceptions import NewConnectionError

RUN_DIR = Path(os.environ.get("CLUSTER_RUN_DIR", "."))
HOSTS = [h.rstrip("/") for h in os.environ.get("CLUSTER_HOSTS", "").split(",") if h]
WAIT = [float(s) for s in os.environ.get("CLUSTER_WAIT", "1,3").split(",")]
TIMEOUT_S = 30
IMPORT_ROWS = 30
IMPORT_POLL_S = 60

_setup = (
    json.loads((RUN_DIR / "users.json").read_text()) if (RUN_DIR / "users.json").exists() else {}
)
_reps = itertools.count()
_lock = threading.Lock()  # greenlets share the two log files
_requests_log = None
_acks_log = None


def _write(kind: str, record: dict) -> None:
    global _requests_log, _acks_log
    with _lock:
        if _requests_log is None:
            _requests_log = open(RUN_DIR / "requests.jsonl", "a", buffering=1)  # noqa: SIM115
            _acks_log = open(RUN_DIR / "acks.jsonl", "a", buffering=1)  # noqa: SIM115
        (_requests_log if kind == "request" else _acks_log).write(json.dumps(record) + "\n")


def _refused(error: requests.ConnectionError) -> bool:
    """The server was not listening: nothing reached it, so any request may go elsewhere."""
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, NewConnectionError) or "Connection refused" in str(error)


class ClusterClient:
    """Round robin over the servers, with failover when a connection is refused."""

    def __init__(self, user: User, start: int, headers: dict | None = None):
        self.user = user
        self.session = requests.Session()
        self.session.headers.update(headers or {})
        self.turn = start

    def call(self, method: str, path: str, name: str, ok=(200,), **kwargs):
        self.turn += 1
        order = [HOSTS[(self.turn + i) % len(HOSTS)] for i in range(len(HOSTS))]
        retried = False
        started = time.time()
        response, error = None, None
        for attempt, base in enumerate(order):
            try:
                response = self.session.request(
                    method, base + path, timeout=TIMEOUT_S, allow_redirects=False, **kwargs
                )
                error = None
                break
            except requests.ConnectionError as exc:
                error = exc
                safe = method == "GET" or _refused(exc)
                if not safe or attempt == len(order) - 1:
                    break
                retried = True
            except requests.RequestException as exc:
                error = exc
                break
        elapsed_ms = (time.time() - started) * 1000
        status = response.status_code if response is not None else 0
        failure = None
        if error is not None:
            failure = f"{type(error).__name__}: {str(error)[:200]}"
        elif status not in ok:
            failure = f"HTTP {status}"
        _write(
            "request",
            {
                "t": started,
                "ms": round(elapsed_ms, 2),
                "name": name,
                "method": method,
                "status": status,
                "ok": failure is None,
                "retried": retried,
                "server": base if response is not None else "",
                "error": failure or "",
            },
        )
        events.request.fire(
            request_type=method,
            name=name,
            response_time=elapsed_ms,
            response_length=len(response.content) if response is not None else 0,
            exception=RuntimeError(failure) if failure else None,
            context={},
        )
        return response if failure is None else None


class Rep(User):
    """A sales rep: the inbox, the lists, the board and a deal page; new leads, notes, moves."""

    wait_time = between(*WAIT)
    weight = 49

    def on_start(self) -> None:
        n = next(_reps)
        reps = _setup["reps"]
        self.me = reps[n % len(reps)]
        self.pipeline = _setup["pipeline"]
        self.stages = _setup["stages"]
        # My deals (nobody else moves them): id -> [version, stage] as I last saw them.
        self.deals = {int(k): v for k, v in self.me["deals"].items()}
        self.leads = [self.me["lead"]]
        self.web = ClusterClient(self, n)
        self.api = ClusterClient(self, n, {"Authorization": f"Token {self.me['token']}"})
        self.logged_in = False
        self.log_in()

    def log_in(self) -> None:
        """Once per user: the session lives in the shared database, so any server knows it."""
        if self.web.call("GET", "/accounts/login/", "login page") is None:
            return
        token = self.web.session.cookies.get("csrftoken", "")
        response = self.web.call(
            "POST",
            "/accounts/login/",
            "log in",
            ok=(302,),
            data={
                "username": self.me["username"],
                "password": self.me["password"],
                "csrfmiddlewaretoken": token,
            },
        )
        self.logged_in = response is not None

    def page(self, path: str, name: str) -> None:
        if not self.logged_in:
            self.log_in()
            return
        self.web.call("GET", path, name)

    # Reads ------------------------------------------------------------------------------
    @task(4)
    def leads_inbox(self) -> None:
        self.page("/leads/", "page: leads inbox")

    @task(3)
    def deals_list(self) -> None:
        self.page("/deals/", "page: deals list")

    @task(3)
    def board(self) -> None:
        self.page(f"/pipeline/{self.pipeline}/", "page: board")

    @task(3)
    def deal_page(self) -> None:
        self.page(f"/deals/{random.choice(list(self.deals))}/", "page: deal")

    @task(2)
    def api_lists(self) -> None:
        which = random.choice(["leads", "deals"])
        self.api.call("GET", f"/api/v1/{which}/", f"api: GET {which}/")

    # Writes -----------------------------------------------------------------------------
    @task(2)
    def create_lead(self) -> None:
        title = f"Cluster lead {self.me['username']} {time.time_ns()}"
        response = self.api.call(
            "POST",
            "/api/v1/leads/",
            "api: POST leads/",
            ok=(201,),
            json={"title": title, "person": self.me["person"]},
        )
        if response is None:
            # No answer the client can trust: the bench looks whether it was written anyway.
            _write("ack", {"kind": "lead", "id": None, "title": title, "acked": False})
            return
        lead = response.json()["id"]
        self.leads.append(lead)
        _write("ack", {"kind": "lead", "id": lead, "title": title})

    @task(2)
    def add_note(self) -> None:
        content = f"Cluster note {self.me['username']} {time.time_ns()}"
        target = random.choice(
            [("lead", random.choice(self.leads)), ("deal", random.choice(list(self.deals)))]
        )
        response = self.api.call(
            "POST",
            "/api/v1/notes/",
            "api: POST notes/",
            ok=(201,),
            json={target[0]: target[1], "content": content},
        )
        if response is None:
            _write("ack", {"kind": "note", "id": None, "content": content, "acked": False})
            return
        note = response.json()["id"]
        _write("ack", {"kind": "note", "id": note, "content": content, "on": target})

    @task(2)
    def move_deal(self) -> None:
        """Move one of my deals to another stage with the version I saw (as the board does)."""
        deal = random.choice(list(self.deals))
        version, now = self.deals[deal]
        stage = random.choice([s for s in self.stages if s != now])
        response = self.api.call(
            "PATCH",
            f"/api/v1/deals/{deal}/",
            "api: PATCH deals/ (move)",
            ok=(200, 409),
            json={"stage": stage, "version": version},
        )
        if response is None:
            return
        body = response.json()
        if response.status_code == 409:
            # A move whose answer was lost was applied: take the deal as it is now.
            self.deals[deal] = [body["current"]["version"], body["current"]["stage"]]
            return
        self.deals[deal] = [body["version"], body["stage"]]
        _write(
            "ack", {"kind": "move", "id": deal, "stage": body["stage"], "version": body["version"]}
        )


class Importer(User):
    """An admin importing a small persons file now and then: the preview and the apply run on
    the Celery worker (the bench lowers CRM_IMPORT_BACKGROUND_ROWS below the file's rows)."""

    wait_time = between(5, 10)
    weight = 1
    fixed_count = 1

    def on_start(self) -> None:
        me = _setup["importer"]
        self.api = ClusterClient(self, 0, {"Authorization": f"Token {me['token']}"})
        self.runs = itertools.count(1)

    def wait_for(self, import_id: int, status: str) -> dict | None:
        deadline = time.time() + IMPORT_POLL_S
        while time.time() < deadline:
            response = self.api.call("GET", f"/api/v1/imports/{import_id}/", "api: GET import")
            if response is not None:
                body = response.json()
                if body["status"] == status:
                    return body
                if body["status"] == "failed":
                    return None
            time.sleep(1)
        return None

    @task
    def import_persons(self) -> None:
        run = f"{os.getpid()}-{time.time_ns()}"
        emails = [f"imported-{run}-{i}@cluster.test" for i in range(IMPORT_ROWS)]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["Name", "Email"])
        for i, email in enumerate(emails):
            writer.writerow([f"Imported Person {run} {i}", email])
        response = self.api.call(
            "POST",
            "/api/v1/imports/",
            "api: POST imports/ (worker previews)",
            ok=(201,),
            data={"kind": "persons"},
            files={"file": (f"persons-{run}.csv", out.getvalue().encode(), "text/csv")},
        )
        if response is None or self.wait_for(response.json()["id"], "previewed") is None:
            return
        import_id = response.json()["id"]
        applied = self.api.call(
            "POST",
            f"/api/v1/imports/{import_id}/apply/",
            "api: POST imports/apply/ (worker applies)",
            ok=(200, 202),
        )
        if applied is None or self.wait_for(import_id, "applied") is None:
            return
        _write("ack", {"kind": "import", "id": import_id, "emails": emails})
