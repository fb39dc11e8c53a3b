"""Failed logins are limited per username and per client address, on every login path."""

import time

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from crm.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 3
PASSWORD = "pass-word-123"
LOGIN_URL = "/accounts/login/"
ADMIN_LOGIN_URL = "/admin/login/"
TOKEN_URL = "/api/v1/auth/token/"
EVERY_LOGIN = pytest.mark.parametrize("path", [LOGIN_URL, ADMIN_LOGIN_URL, TOKEN_URL])
LOCKED = "Too many failed logins"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.CRM_LOGIN_FAILURE_LIMIT = LIMIT
    settings.CRM_LOGIN_LOCKOUT_SECONDS = 900
    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture
def victim(db):
    # Staff, so that the admin's login lets them in too.
    return UserFactory(username="victim", is_staff=True)


@pytest.fixture
def bystander(db):
    return UserFactory(username="bystander", is_staff=True)


def attempt(path, username, password, address, **headers) -> tuple[bool, str]:
    """Log in once from `address`: (logged in?, the response's text)."""
    data = {"username": username, "password": password}
    if path == TOKEN_URL:
        response = APIClient().post(path, data, format="json", REMOTE_ADDR=address, **headers)
        return response.status_code == 200, response.content.decode()
    client = Client()
    response = client.post(path, data, REMOTE_ADDR=address, **headers)
    return "_auth_user_id" in client.session, response.content.decode()


def fail(path, username, addresses) -> None:
    for address in addresses:
        logged_in, _text = attempt(path, username, "wrong-guess", address)
        assert not logged_in


@EVERY_LOGIN
def test_after_the_limit_the_right_password_of_that_username_is_refused(path, victim):
    fail(path, "victim", [f"10.0.0.{i}" for i in range(LIMIT)])

    logged_in, text = attempt(path, "victim", PASSWORD, "10.0.1.1")

    assert not logged_in
    assert LOCKED in text


@EVERY_LOGIN
def test_a_username_is_locked_whatever_its_case(path, victim):
    fail(path, "VICTIM", [f"10.0.0.{i}" for i in range(LIMIT)])

    logged_in, _text = attempt(path, "victim", PASSWORD, "10.0.1.1")

    assert not logged_in


@EVERY_LOGIN
def test_after_the_limit_an_address_is_refused_for_other_usernames_too(path, bystander):
    for i in range(LIMIT):
        attempt(path, f"guess-{i}", "wrong-guess", "10.0.0.9")

    logged_in, text = attempt(path, "bystander", PASSWORD, "10.0.0.9")

    assert not logged_in
    assert LOCKED in text


@EVERY_LOGIN
def test_a_lock_leaves_other_users_and_other_addresses_alone(path, victim, bystander):
    fail(path, "victim", ["10.0.0.9"] * LIMIT)

    assert attempt(path, "bystander", PASSWORD, "10.0.0.10")[0]
    assert not attempt(path, "bystander", PASSWORD, "10.0.0.9")[0]


def test_the_lock_expires_after_the_lockout_time(limits, victim):
    limits.CRM_LOGIN_LOCKOUT_SECONDS = 1
    fail(LOGIN_URL, "victim", ["10.0.0.9"] * LIMIT)
    assert not attempt(LOGIN_URL, "victim", PASSWORD, "10.0.0.9")[0]

    time.sleep(1.2)

    assert attempt(LOGIN_URL, "victim", PASSWORD, "10.0.0.9")[0]


def test_the_token_endpoint_answers_a_lock_with_429_and_retry_after(victim):
    fail(TOKEN_URL, "victim", ["10.0.0.9"] * LIMIT)

    response = APIClient().post(
        TOKEN_URL, {"username": "victim", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 429
    assert LOCKED in response.json()["detail"]
    assert 0 < int(response["Retry-After"]) <= 900


@EVERY_LOGIN
def test_with_no_trusted_proxy_a_forged_x_forwarded_for_gets_no_fresh_attempts(path, bystander):
    for i in range(LIMIT):
        attempt(path, f"guess-{i}", "wrong-guess", "10.0.0.9", HTTP_X_FORWARDED_FOR=f"1.2.3.{i}")

    logged_in, text = attempt(
        path, "bystander", PASSWORD, "10.0.0.9", HTTP_X_FORWARDED_FOR="198.51.100.77"
    )

    assert not logged_in
    assert LOCKED in text


def test_behind_a_trusted_proxy_the_address_it_forwards_is_the_client(settings, bystander):
    settings.NUM_PROXIES = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = "10.0.0.1"
    for i in range(LIMIT):
        attempt(LOGIN_URL, f"guess-{i}", "wrong-guess", proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")

    locked_client = attempt(
        LOGIN_URL, "bystander", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="203.0.113.5"
    )
    other_client = attempt(
        LOGIN_URL, "bystander", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="203.0.113.6"
    )

    assert not locked_client[0]
    assert other_client[0]
