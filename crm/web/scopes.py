"""The "My team" filter of the list pages, the same on every page."""

from __future__ import annotations

from crm.models import User
from crm.visibility import reach


def my_team_owner_ids(user: User) -> frozenset[int]:
    """Owners whose records "My team" shows: the user's own team and, for a manager, the teams
    they manage (a manager usually sits in a team of their own)."""
    r = reach(user)
    return r.team_member_ids | r.managed_member_ids | {user.pk}
