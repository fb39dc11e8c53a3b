"""Shared rules for writing any owned record: who owns it, who sees it, who may change it."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm.errors import DomainError, NotPermitted
from crm.models import CompanySettings, OwnedRecord, Role, Team, User, Visibility
from crm.types import UNSET, Unset
from crm.visibility import can_assign_to, can_edit, can_manage


def resolve_owner_and_visibility(
    *, actor: User, owner: User | None, visible_to: str | None
) -> tuple[User, str]:
    """The owner (default: the actor) and visibility (default: the company's) of a new record."""
    owner = owner or actor
    if not can_assign_to(actor, owner):
        raise NotPermitted(_("You may not give records to this user."), field="owner")
    visible_to = visible_to or CompanySettings.load().default_visibility
    if visible_to not in Visibility.values:
        raise DomainError(_("Choose owner, team or company."), field="visible_to")
    return owner, visible_to


def check_edit(*, actor: User, record: OwnedRecord) -> None:
    if not can_edit(actor, record):
        raise NotPermitted(_("You may not edit this record."))


def apply_owner_change(
    *, actor: User, record: OwnedRecord, owner: User | None, visible_to: str | None
) -> bool:
    """Reassign and/or change visibility; only who may manage the record. True if changed."""
    changed = False
    # Decided before the owner changes: who hands a record over may set its visibility too.
    may_manage = can_manage(actor, record)
    if owner is not None and owner.pk != record.owner_id:
        if not may_manage:
            raise NotPermitted(
                _("Only the owner, their manager or an admin may reassign this."), field="owner"
            )
        if not can_assign_to(actor, owner):
            raise NotPermitted(_("You may not give records to this user."), field="owner")
        record.owner = owner
        changed = True
    if visible_to is not None and visible_to != record.visible_to:
        if visible_to not in Visibility.values:
            raise DomainError(_("Choose owner, team or company."), field="visible_to")
        if not may_manage:
            raise NotPermitted(
                _("Only the owner, their manager or an admin may change who sees this."),
                field="visible_to",
            )
        record.visible_to = visible_to
        changed = True
    return changed


def check_delete(*, actor: User, record: OwnedRecord) -> None:
    if not can_manage(actor, record):
        raise NotPermitted(_("Only the owner, their manager or an admin may delete this."))


# --- Users and teams: only admins create and change them --------------------------------------


def _check_admin(actor: User) -> None:
    if not actor.is_crm_admin:
        raise NotPermitted(_("Only an admin may change users and teams."))


def _set_password(user: User, password: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(_(" ").join(exc.messages), field="password") from None
    user.set_password(password)


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    role: str = Role.REP,
    team: Team | None = None,
    managed_teams: Iterable[Team] = (),
) -> User:
    _check_admin(actor)
    username = (username or "").strip()
    if not username:
        raise DomainError(_("A username is required."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("This username is taken."), field="username")
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        team=team,
    )
    _set_password(user, password)
    user.save()
    user_set_managed_teams(user, managed_teams)
    return user


def user_set_managed_teams(user: User, teams: Iterable[Team]) -> None:
    teams = list(teams)
    if teams and user.role != Role.MANAGER:
        raise DomainError(_("Only managers manage teams."), field="managed_teams")
    user.managed_teams.set(teams)


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    password: str | Unset = UNSET,
    email: str | Unset = UNSET,
    first_name: str | Unset = UNSET,
    last_name: str | Unset = UNSET,
    role: str | Unset = UNSET,
    team: Team | None | Unset = UNSET,
    managed_teams: Iterable[Team] | Unset = UNSET,
    is_active: bool | Unset = UNSET,
) -> User:
    _check_admin(actor)
    if user.pk == actor.pk and (is_active is False or (role is not UNSET and role != actor.role)):
        raise DomainError(_("You cannot demote or deactivate yourself."), field="role")
    for name, value in (
        ("email", email),
        ("first_name", first_name),
        ("last_name", last_name),
        ("role", role),
        ("team", team),
        ("is_active", is_active),
    ):
        if value is not UNSET:
            setattr(user, name, value)
    if password is not UNSET:
        _set_password(user, password)
    user.save()
    if managed_teams is not UNSET:
        user_set_managed_teams(user, managed_teams)
    elif user.role != Role.MANAGER:
        user.managed_teams.clear()
    return user


def _clean_team_name(name: str | None, exclude: Team | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("A name is required."), field="name")
    taken = Team.objects.filter(name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise DomainError(_("There is a team of this name."), field="name")
    return name[:100]


@transaction.atomic
def team_create(*, actor: User, name: str) -> Team:
    _check_admin(actor)
    return Team.objects.create(name=_clean_team_name(name))


@transaction.atomic
def team_update(*, actor: User, team: Team, name: str) -> Team:
    _check_admin(actor)
    team.name = _clean_team_name(name, exclude=team)
    team.save()
    return team
