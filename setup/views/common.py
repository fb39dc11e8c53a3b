"""What every Settings page shares: admins only (anyone else gets a 404), the sections."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

SECTIONS = [
    ("users", _("Users"), "setup:users"),
    ("teams", _("Teams"), "setup:teams"),
    ("pipelines", _("Pipelines and stages"), "setup:pipelines"),
    ("labels", _("Labels"), "setup:labels"),
    ("lost_reasons", _("Lost reasons"), "setup:lost_reasons"),
    ("company", _("Company defaults"), "setup:company"),
    # Settings › Fields lives with the custom fields (crm/web/field_settings.py).
    ("fields", _("Custom fields"), "field_list"),
]


def admin_only(view: Callable) -> Callable:
    """Settings exist only for admins: to anyone else they are a page that is not there."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_crm_admin):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def render_setup(
    request: HttpRequest, template: str, section: str, context: dict, status: int = 200
) -> HttpResponse:
    context = {"nav": "settings", "sections": SECTIONS, "section": section, **context}
    return render(request, template, context, status=status)


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")
