"""A lost database connection costs the server a reconnect, not a 500 (CONN_HEALTH_CHECKS).

Django's own live server closes its connections after every request, so it could never hold
a dead one. Here one thread serves every request and keeps its connection between them, as a
gunicorn sync worker does with CONN_MAX_AGE; PostgreSQL then drops that connection under it,
as a restart or a failover does.
"""

import http.client
import json
import time
from collections.abc import Iterator

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import WSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread
from rest_framework.authtoken.models import Token

from contacts.models import Organization

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_terminate_backend"),
]


class OneThreadServer(WSGIServer):
    """Answers each request in the server's own thread: one connection, kept across requests."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


class KeptConnectionServerThread(LiveServerThread):
    server_class = OneThreadServer


@pytest.fixture
def server(transactional_db) -> Iterator[tuple[str, int]]:
    thread = KeptConnectionServerThread("127.0.0.1", StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield ("127.0.0.1", thread.port)
    thread.terminate()


def call(server: tuple[str, int], path: str, token: str, data: dict | None = None) -> int:
    client = http.client.HTTPConnection(*server, timeout=30)
    try:
        client.request(
            "POST" if data is not None else "GET",
            path,
            body=json.dumps(data) if data is not None else None,
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        return client.getresponse().status
    finally:
        client.close()


def terminate_other_backends() -> None:
    """Drop every other connection to the test database and wait until they are gone."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
        assert pids, "the server holds no connection to drop"
        cursor.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [pids])
        for _ in range(100):  # bounded: a terminated backend exits within milliseconds
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [pids])
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)
    raise AssertionError("the server's connections outlived pg_terminate_backend")


def test_requests_after_the_database_dropped_the_connection_succeed(server, owner):
    token = Token.objects.create(user=owner).key
    assert call(server, "/api/v1/users/me/", token) == 200

    terminate_other_backends()
    created = call(server, "/api/v1/organizations/", token, {"name": "After the drop"})
    then = call(server, "/api/v1/users/me/", token)

    assert (created, then) == (201, 200)
    assert Organization.objects.filter(name="After the drop").exists()
