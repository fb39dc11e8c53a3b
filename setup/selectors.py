"""Reads of the Settings pages that span apps."""

from __future__ import annotations

from activities.models import Activity
from contacts.models import Organization, Person
from crm.models import User
from deals.models import Deal
from leads.models import Lead


def user_owned_counts(*, user: User) -> dict[str, int]:
    """What `user_hand_over` would hand over. Unscoped: only admins, who see every record,
    reach the Settings pages."""
    return {
        "leads": Lead.objects.filter(owner=user).count(),
        "deals": Deal.objects.filter(owner=user).count(),
        "persons": Person.objects.filter(owner=user).count(),
        "organizations": Organization.objects.filter(owner=user).count(),
        "activities": Activity.objects.filter(assignee=user, done=False).count(),
    }
