"""The Content-Security-Policy header: one policy for the site, a view may widen it.

Django 5.2 has no CSP of its own. The policy is `settings.CRM_CONTENT_SECURITY_POLICY`
(directive -> sources); a view that needs more (Swagger UI's page carries a <style> block)
wraps itself in `csp_update(...)`, which adds sources to that view's responses only.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings

HEADER = "Content-Security-Policy"


def policy_header(policy: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


def csp_update(**directives: list[str]) -> Callable:
    """Add sources to directives (`style_src=["'unsafe-inline'"]`) for one view."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            policy = {
                key: list(sources) for key, sources in settings.CRM_CONTENT_SECURITY_POLICY.items()
            }
            for name, sources in directives.items():
                directive = name.replace("_", "-")
                policy[directive] = [*policy.get(directive, []), *sources]
            response.headers[HEADER] = policy_header(policy)
            return response

        return wrapped

    return decorator


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER not in response.headers:
            response.headers[HEADER] = policy_header(settings.CRM_CONTENT_SECURITY_POLICY)
        return response
