"""Failed logins, limited per username and per client address on every login path.

The login page, the admin's login and the API's token endpoint all authenticate through
`django.contrib.auth.authenticate(request, ...)`, and so through `LoginLimitBackend`: it
counts each failure and, once `CRM_LOGIN_FAILURE_LIMIT` failures of a username or of a client
address fall within `CRM_LOGIN_LOCKOUT_SECONDS`, refuses that username (from anywhere) and that
address (for any username) for `CRM_LOGIN_LOCKOUT_SECONDS`, the right password included. The
counts live in the `default` cache, shared by every server process (Redis in production).

The backend alone would only say "wrong password": the login forms and the token view ask
`login_lockout` first, to tell the person why and for how long.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils.translation import ngettext
from rest_framework.throttling import BaseThrottle

KEY_PREFIX = "login-limit"
UserModel = get_user_model()


def client_address(request) -> str:
    """The caller's address, by the one rule of the API's throttles (settings.NUM_PROXIES).

    With no trusted proxy the connection's address, whatever X-Forwarded-For says; behind
    `NUM_PROXIES` proxies the address the outermost of them wrote into that header.
    """
    return BaseThrottle().get_ident(request) or ""


@dataclass(frozen=True)
class Lockout:
    until: float  # a time.time() value

    @property
    def seconds_left(self) -> int:
        return max(1, math.ceil(self.until - time.time()))

    @property
    def message(self) -> str:
        minutes = math.ceil(self.seconds_left / 60)
        return ngettext(
            "Too many failed logins for this user or from this address. "
            "Try again in %(minutes)d minute.",
            "Too many failed logins for this user or from this address. "
            "Try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}


def _subjects(request, username: str | None) -> list[str]:
    """The cache keys' stems: the client address, and the username if one was given."""
    subjects = [_subject("client", client_address(request))]
    if username:
        subjects.append(_user_subject(username))
    return subjects


def _subject(kind: str, value: str) -> str:
    return f"{KEY_PREFIX}:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def _user_subject(username: str) -> str:
    # Folded: "Owner" and "owner" count as one, so case games buy no extra guesses.
    return _subject("user", username.casefold())


def login_lockout(*, request, username: str | None) -> Lockout | None:
    """The lock that refuses this login now, or None."""
    locks = cache.get_many([f"{subject}:locked" for subject in _subjects(request, username)])
    return Lockout(until=max(locks.values())) if locks else None


def login_failed(*, request, username: str | None) -> None:
    limit = settings.CRM_LOGIN_FAILURE_LIMIT
    seconds = settings.CRM_LOGIN_LOCKOUT_SECONDS
    for subject in _subjects(request, username):
        failures = f"{subject}:failures"
        cache.add(failures, 0, timeout=seconds)
        try:
            count = cache.incr(failures)  # atomic across processes with Redis
        except ValueError:  # expired between add and incr
            cache.set(failures, 1, timeout=seconds)
            count = 1
        if count >= limit:
            cache.set(f"{subject}:locked", time.time() + seconds, timeout=seconds)
            # After the lock, a fresh count: the next failure does not lock again at once.
            cache.delete(failures)


def login_succeeded(*, username: str) -> None:
    # The user's own count starts over; the address's does not, or one known password would
    # let a client reset its count between guesses at other accounts.
    cache.delete(f"{_user_subject(username)}:failures")


class LoginLimitBackend(ModelBackend):
    """Django's username and password check, refused while a lock holds, failures counted."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            # Not a login from outside: Client.login() in tests, a management command.
            return super().authenticate(request, username, password, **kwargs)
        if username is None:
            username = kwargs.get(UserModel.USERNAME_FIELD)
        if login_lockout(request=request, username=username):
            # authenticate() stops at PermissionDenied: no other backend gets a go.
            raise PermissionDenied
        user = super().authenticate(request, username, password, **kwargs)
        if user is None:
            login_failed(request=request, username=username)
        else:
            login_succeeded(username=username or "")
        return user
