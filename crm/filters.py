"""What every list's filter shares: whose records ("Mine", "My team", everyone I can see).

Each app has one filter module (`<app>/filters.py`): a typed set of filters, read the same way
from a list page's query string and its export's, and from the API's parameters, and one
function that applies it to the user's visible queryset. The page, the API and the export of
a list all call that function, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models import User
from crm.visibility import reach


class OwnerScope(models.TextChoices):
    ALL = "all", _("Everyone I can see")
    MINE = "mine", _("Mine")
    TEAM = "team", _("My team")


def my_team_owner_ids(user: User) -> frozenset[int]:
    """Owners whose records "My team" shows: the user's own team and, for a manager, the teams
    they manage (a manager usually sits in a team of their own)."""
    r = reach(user)
    return r.team_member_ids | r.managed_member_ids | {user.pk}


def owner_scope_q(user: User, scope: str, field: str = "owner") -> Q:
    if scope == OwnerScope.MINE:
        return Q(**{f"{field}_id": user.pk})
    if scope == OwnerScope.TEAM:
        return Q(**{f"{field}_id__in": my_team_owner_ids(user)})
    return Q()


def param_scope(params: Mapping, name: str = "owner") -> str:
    value = params.get(name) or ""
    return value if value in OwnerScope.values else OwnerScope.ALL


def param_text(params: Mapping, name: str = "q", limit: int = 200) -> str:
    return (params.get(name) or "").strip()[:limit]


def param_id(params: Mapping, name: str) -> int | None:
    value = str(params.get(name) or "").strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


def param_flag(params: Mapping, name: str) -> bool:
    return str(params.get(name) or "").lower() in ("1", "true", "on", "yes")
