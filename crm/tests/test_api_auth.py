"""Authentication: tokens, sessions with CSRF, throttles, and the schema and docs."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from crm.tests.api import api_client

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def test_token_endpoint_returns_a_token_for_a_correct_password(owner):
    response = APIClient().post(
        TOKEN_URL, {"username": "owner", "password": "pass-word-123"}, format="json"
    )

    assert response.status_code == 200
    assert len(response.json()["token"]) == 40


def test_token_is_accepted_as_authorization_header(owner):
    token = (
        APIClient()
        .post(TOKEN_URL, {"username": "owner", "password": "pass-word-123"}, format="json")
        .json()["token"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    response = client.get("/api/v1/users/me/")

    assert response.status_code == 200
    assert response.json()["username"] == "owner"


def test_token_endpoint_refuses_a_wrong_password_with_400(owner):
    response = APIClient().post(
        TOKEN_URL, {"username": "owner", "password": "wrong"}, format="json"
    )

    assert response.status_code == 400
    assert "token" not in response.json()


def test_token_endpoint_refuses_an_inactive_user(owner):
    owner.is_active = False
    owner.save()

    response = APIClient().post(
        TOKEN_URL, {"username": "owner", "password": "pass-word-123"}, format="json"
    )

    assert response.status_code == 400


def test_anonymous_request_is_refused_with_401(owner):
    response = APIClient().get("/api/v1/deals/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_session_authenticated_write_needs_the_csrf_token(owner):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post("/api/v1/organizations/", {"name": "Acme"}, format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_session_authenticated_read_works_without_a_token(owner):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)

    assert client.get("/api/v1/organizations/").status_code == 200


def _rates(**rates):
    return override_settings(
        REST_FRAMEWORK={
            **_rest_framework(),
            "DEFAULT_THROTTLE_RATES": {
                "anon": None,
                "user": None,
                "token": None,
                **rates,
            },
        }
    )


def _rest_framework():
    from django.conf import settings

    return settings.REST_FRAMEWORK


def test_token_endpoint_is_throttled(owner):
    cache.clear()
    with _rates(token="2/min"):
        for _ in range(2):
            APIClient().post(TOKEN_URL, {"username": "owner", "password": "x"}, format="json")
        response = APIClient().post(
            TOKEN_URL, {"username": "owner", "password": "pass-word-123"}, format="json"
        )
    cache.clear()

    assert response.status_code == 429


def test_with_no_trusted_proxy_a_forged_x_forwarded_for_is_throttled_as_well(owner):
    cache.clear()
    with _rates(token="2/min"):
        for i in range(2):
            APIClient().post(
                TOKEN_URL,
                {"username": "owner", "password": "x"},
                format="json",
                HTTP_X_FORWARDED_FOR=f"192.0.2.{i}",
            )
        response = APIClient().post(
            TOKEN_URL,
            {"username": "owner", "password": "pass-word-123"},
            format="json",
            HTTP_X_FORWARDED_FOR="198.51.100.77",
        )
    cache.clear()

    assert response.status_code == 429


def test_authenticated_callers_are_throttled_per_user(owner):
    cache.clear()
    client = api_client(owner)
    with _rates(user="3/min"):
        statuses = [client.get("/api/v1/users/me/").status_code for _ in range(4)]
    cache.clear()

    assert statuses == [200, 200, 200, 429]


def test_anonymous_callers_are_throttled(db):
    cache.clear()
    with _rates(anon="1/min"):
        statuses = [APIClient().get("/api/v1/deals/").status_code for _ in range(2)]
    cache.clear()

    assert statuses == [401, 429]


def test_throttle_rate_none_turns_the_throttle_off(owner):
    client = api_client(owner)

    statuses = {client.get("/api/v1/users/me/").status_code for _ in range(5)}

    assert api_settings.DEFAULT_THROTTLE_RATES["user"] is None
    assert statuses == {200}


def test_schema_is_served_as_openapi_3(owner):
    response = api_client(owner).get("/api/v1/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/leads/{id}/convert/" in schema["paths"]


def test_schema_documents_the_conflicts_of_convert_and_stale_deals(owner):
    schema = api_client(owner).get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()

    assert "409" in schema["paths"]["/api/v1/leads/{id}/convert/"]["post"]["responses"]
    assert "409" in schema["paths"]["/api/v1/deals/{id}/"]["patch"]["responses"]


def test_interactive_docs_are_served(owner):
    client = APIClient()
    client.force_login(owner)

    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
