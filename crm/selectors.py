"""Reads of what every app shares: the company's defaults, users and teams."""

from __future__ import annotations

from django.db.models import QuerySet

from crm.models import CompanySettings, Role, Team, User


def company_settings() -> CompanySettings:
    """The company's one settings row (created from the environment's defaults if missing)."""
    return CompanySettings.load()


def default_currency() -> str:
    """THE default currency of new leads and deals, of imports, reports and amounts shown
    without one. `CRM_DEFAULT_CURRENCY` only seeds it: admins change it under Settings."""
    return company_settings().default_currency


def user_list() -> QuerySet[User]:
    """Every user, active or not (deactivated users keep their records)."""
    return User.objects.select_related("team").prefetch_related("managed_teams")


def team_list() -> QuerySet[Team]:
    return Team.objects.prefetch_related("members", "managers").order_by("name", "id")


def active_admins() -> QuerySet[User]:
    return User.objects.filter(is_active=True).filter(role=Role.ADMIN) | User.objects.filter(
        is_active=True, is_superuser=True
    )
