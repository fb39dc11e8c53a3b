"""One-time form tokens: a form sent twice (a double click, a resent POST) creates once.

Every creating form carries a random nonce (``{% form_token %}`` from crm_format). The view,
wrapped in ``@one_time_form``, claims the nonce before it runs; when it answers with a redirect
(it created something), the session remembers where that redirect went. The same nonce posted
again does not run the view: it redirects to the same place with an info message.

Two clicks 30 ms apart arrive before the first answer has saved the session, so the claim itself
is an atomic ``cache.add``: of two requests with one nonce, exactly one runs the view; the other
waits briefly for the first one's answer. (With several server processes the cache must be a
shared one, e.g. Redis.) A view that does not redirect (a form with errors) gives the nonce
back, and the re-rendered form carries a fresh one anyway.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext as _

FIELD = "form_token"
SESSION_KEY = "crm_form_tokens"
# The newest tokens remembered per session: enough for any realistic back-and-resend.
REMEMBERED = 100
CLAIM_SECONDS = 120
WAIT_SECONDS = 5.0
POLL_SECONDS = 0.05
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_token() -> str:
    return secrets.token_urlsafe(18)


def _claim_key(request: HttpRequest, token: str) -> str:
    # Per user: another user's token (seen in a shared page's source) claims nothing here.
    return f"crm:form-token:{request.user.pk}:{token}"


def _first_answer(request: HttpRequest, token: str) -> str | None:
    return request.session.get(SESSION_KEY, {}).get(token)


def _remember(request: HttpRequest, token: str, url: str) -> None:
    done = dict(request.session.get(SESSION_KEY, {}))
    done[token] = url
    # Dicts keep insertion order: drop the oldest.
    request.session[SESSION_KEY] = dict(list(done.items())[-REMEMBERED:])
    cache.set(_claim_key(request, token), url, CLAIM_SECONDS)


def _claim(request: HttpRequest, token: str) -> bool | str:
    """True if this request may run; else the first answer's URL once known, or False."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        if cache.add(_claim_key(request, token), "", CLAIM_SECONDS):
            return True
        url = cache.get(_claim_key(request, token))
        if url:
            return url
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_SECONDS)


def one_time_form(fallback: Callable[..., str]) -> Callable:
    """Run a creating POST view at most once per form token.

    `fallback(request, **view_kwargs)` is the page to show when the first sending's answer is
    not known (it is still running after WAIT_SECONDS).
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            token = request.POST.get(FIELD, "") if request.method == "POST" else ""
            if not _TOKEN.match(token):
                # No token (a page from before tokens, a script): nothing to compare with.
                return view(request, *args, **kwargs)
            url = _first_answer(request, token)
            if url is None:
                claimed = _claim(request, token)
                if claimed is not True:
                    url = claimed or fallback(request, *args, **kwargs)
            if url is not None:
                messages.info(request, _("This form was already sent; it was saved once."))
                return redirect(url)
            try:
                response = view(request, *args, **kwargs)
            except BaseException:
                cache.delete(_claim_key(request, token))
                raise
            if isinstance(response, HttpResponseRedirect):
                _remember(request, token, response.url)
            else:
                cache.delete(_claim_key(request, token))
            return response

        return wrapper

    return decorate
