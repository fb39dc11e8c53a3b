"""Who may see, edit, delete and reassign a record: the one place these rules live.

Every selector scopes its queryset with `visible_q`; views, API, board, reports, search,
exports and the duplicate check all read through selectors, so nothing else decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q, QuerySet

from crm.models import OwnedRecord, User, Visibility


@dataclass(frozen=True)
class Reach:
    """The users whose records a user reaches, computed once per request (two small queries)."""

    user: User

    @cached_property
    def team_member_ids(self) -> frozenset[int]:
        if self.user.team_id is None:
            return frozenset()
        return frozenset(
            User.objects.filter(team_id=self.user.team_id).values_list("id", flat=True)
        )

    @cached_property
    def managed_member_ids(self) -> frozenset[int]:
        if not self.user.is_manager:
            return frozenset()
        return frozenset(User.objects.filter(team__managers=self.user).values_list("id", flat=True))


def reach(user: User) -> Reach:
    # Cached on the user object: one request, one computation.
    cached = getattr(user, "_crm_reach", None)
    if cached is None:
        cached = Reach(user)
        user._crm_reach = cached
    return cached


def visible_q(user: User, prefix: str = "") -> Q:
    """The filter of the records `user` may see; `prefix` reaches them through a relation.

    Through a relation, the records in the trash are left out here (the default manager of
    the records leaves them out of their own queries)."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    live = Q(**{f"{prefix}deleted_at__isnull": True}) if prefix else Q()
    if user.is_crm_admin:
        return live
    return live & _reach_q(user, prefix)


def _reach_q(user: User, prefix: str) -> Q:
    r = reach(user)
    q = Q(**{f"{prefix}visible_to": Visibility.COMPANY}) | Q(**{f"{prefix}owner_id": user.pk})
    if r.team_member_ids:
        q |= Q(
            **{f"{prefix}visible_to": Visibility.TEAM, f"{prefix}owner_id__in": r.team_member_ids}
        )
    if r.managed_member_ids:
        q |= Q(**{f"{prefix}owner_id__in": r.managed_member_ids})
    return q


def scope(qs: QuerySet, user: User) -> QuerySet:
    return qs.filter(visible_q(user))


def can_view(user: User, record: OwnedRecord) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_crm_admin or record.owner_id == user.pk:
        return True
    if record.visible_to == Visibility.COMPANY:
        return True
    r = reach(user)
    if record.owner_id in r.managed_member_ids:
        return True
    return record.visible_to == Visibility.TEAM and record.owner_id in r.team_member_ids


def can_edit(user: User, record: OwnedRecord) -> bool:
    """Whoever may see a record may edit its fields (as in Pipedrive); not its owner."""
    return can_view(user, record)


def can_manage(user: User, record: OwnedRecord) -> bool:
    """Delete, reassign and change visibility: the owner, the owner's managers, admins."""
    if user.is_crm_admin or record.owner_id == user.pk:
        return user.is_active
    return record.owner_id in reach(user).managed_member_ids


def can_assign_to(user: User, new_owner: User) -> bool:
    """Whom a user may give a record to: admins anyone, others their team, managers theirs."""
    if not new_owner.is_active:
        return False
    if user.is_crm_admin or new_owner.pk == user.pk:
        return True
    r = reach(user)
    return new_owner.pk in r.team_member_ids or new_owner.pk in r.managed_member_ids


def assignable_users(user: User) -> QuerySet[User]:
    """Whom `user` may give a record to or assign an activity to (`can_assign_to` as a query)."""
    users = User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")
    if user.is_crm_admin:
        return users
    r = reach(user)
    return users.filter(Q(pk=user.pk) | Q(pk__in=r.team_member_ids | r.managed_member_ids))
