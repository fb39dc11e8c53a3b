"""Users and teams: only admins create and change them, and no admin can lock the company out."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from crm.errors import DomainError, NotPermitted
from crm.models import Role, Team, User
from crm.types import UNSET


def check_admin(actor: User) -> None:
    """Settings (users, teams, pipelines, labels, defaults) are for active admins only."""
    if not (actor.is_active and actor.is_crm_admin):
        raise NotPermitted(_("Only an admin may change the settings."))


def _set_password(user: User, password: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password") from None
    user.set_password(password)


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise DomainError(_("Choose admin, manager or sales rep."), field="role")


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    role: str = Role.REP,
    team: Team | None = None,
    managed_teams: Iterable[Team] = (),
) -> User:
    """A new user. Without a password they cannot log in until they set one through the
    link of `user_send_password_link` (an invitation)."""
    check_admin(actor)
    username = (username or "").strip()
    if not username:
        raise DomainError(_("A username is required."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("This username is taken."), field="username")
    _check_role(role)
    user = User(
        username=username,
        email=(email or "").strip(),
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        role=role,
        team=team,
    )
    if password:
        _set_password(user, password)
    else:
        user.set_unusable_password()
    user.save()
    user_set_managed_teams(user, managed_teams)
    return user


def user_set_managed_teams(user: User, teams: Iterable[Team]) -> None:
    teams = list(teams)
    if teams and user.role != Role.MANAGER:
        raise DomainError(_("Only managers manage teams."), field="managed_teams")
    user.managed_teams.set(teams)


def _lock_admins() -> None:
    """Lock the active admins' rows, in id order, before the user changed: two admins
    demoting or deactivating each other at the same moment must not both succeed."""
    list(
        User.objects.select_for_update()
        .filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True)
        .order_by("id")
        .values_list("id", flat=True)
    )


def _check_admins_remain(user: User, *, role: str, is_active: bool) -> None:
    """Refuse the change that would leave no active admin (the admins are locked)."""
    was_admin = user.is_active and user.is_crm_admin
    stays_admin = is_active and (role == Role.ADMIN or user.is_superuser)
    if not was_admin or stays_admin:
        return
    others = (
        User.objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True)
        .exclude(pk=user.pk)
        .exists()
    )
    if not others:
        raise DomainError(
            _("This is the last active admin: make someone else an admin first."),
            field="is_active" if not is_active else "role",
            code="last_admin",
        )


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    password=UNSET,
    email=UNSET,
    first_name=UNSET,
    last_name=UNSET,
    role=UNSET,
    team=UNSET,
    managed_teams=UNSET,
    is_active=UNSET,
) -> User:
    check_admin(actor)
    if role is not UNSET or is_active is not UNSET:
        _lock_admins()
    user = User.objects.select_for_update().get(pk=user.pk)
    new_role = user.role if role is UNSET else role
    new_active = user.is_active if is_active is UNSET else bool(is_active)
    _check_role(new_role)
    if user.pk == actor.pk and (not new_active or (new_role != user.role and user.is_crm_admin)):
        raise DomainError(
            _("You cannot demote or deactivate yourself."),
            field="is_active" if not new_active else "role",
        )
    _check_admins_remain(user, role=new_role, is_active=new_active)
    for name, value in (
        ("email", email),
        ("first_name", first_name),
        ("last_name", last_name),
        ("team", team),
    ):
        if value is not UNSET:
            setattr(user, name, value.strip() if isinstance(value, str) else value)
    user.role, user.is_active = new_role, new_active
    if password is not UNSET:
        _set_password(user, password)
    user.save()
    if managed_teams is not UNSET:
        user_set_managed_teams(user, managed_teams)
    elif user.role != Role.MANAGER:
        user.managed_teams.clear()
    return user


def password_set_path(user: User) -> str:
    """The user's one-time set-password link (Django's password-reset tokens: it stops working
    once the password changes, after PASSWORD_RESET_TIMEOUT, or on their next login)."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("password_set", args=[uidb64, token])


@transaction.atomic
def user_send_password_link(*, actor: User, user: User, base_url: str, invite: bool) -> str:
    """E-mail the user a set-password link (an invitation, or a reset); return the link so
    the admin can hand it over when the user has no e-mail address."""
    check_admin(actor)
    if not user.is_active:
        raise DomainError(_("This user is deactivated."), field="is_active")
    link = base_url.rstrip("/") + password_set_path(user)
    if user.email:
        if invite:
            subject = _("You are invited to the CRM")
            body = _(
                "Hello %(name)s,\n\n%(admin)s invited you to the CRM. Your username is "
                "%(username)s. Set your password here (the link works once):\n\n%(link)s\n"
            )
        else:
            subject = _("Set a new password for the CRM")
            body = _(
                "Hello %(name)s,\n\n%(admin)s asked the CRM to let you set a new password for "
                "%(username)s. Set it here (the link works once):\n\n%(link)s\n"
            )
        text = body % {
            "name": user.get_full_name() or user.username,
            "admin": actor.get_full_name() or actor.username,
            "username": user.username,
            "link": link,
        }
        recipient, sender = user.email, settings.DEFAULT_FROM_EMAIL
        transaction.on_commit(lambda: send_mail(subject, text, sender, [recipient]))
    return link


def _clean_team_name(name: str | None, exclude: Team | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("A name is required."), field="name")
    if len(name) > 100:
        raise DomainError(_("At most 100 characters."), field="name")
    taken = Team.objects.filter(name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise DomainError(_("There is a team of this name."), field="name")
    return name


def _set_team_people(team: Team, members, managers) -> None:
    if members is not UNSET:
        members = list(members)
        User.objects.filter(team=team).exclude(pk__in=[u.pk for u in members]).update(team=None)
        User.objects.filter(pk__in=[u.pk for u in members]).update(team=team)
    if managers is not UNSET:
        managers = list(managers)
        if any(user.role != Role.MANAGER for user in managers):
            raise DomainError(_("Only managers manage teams."), field="managers")
        team.managers.set(managers)


@transaction.atomic
def team_create(*, actor: User, name: str, members=UNSET, managers=UNSET) -> Team:
    check_admin(actor)
    team = Team.objects.create(name=_clean_team_name(name))
    _set_team_people(team, members, managers)
    return team


@transaction.atomic
def team_update(*, actor: User, team: Team, name=UNSET, members=UNSET, managers=UNSET) -> Team:
    check_admin(actor)
    team = Team.objects.select_for_update().get(pk=team.pk)
    if name is not UNSET:
        team.name = _clean_team_name(name, exclude=team)
        team.save()
    _set_team_people(team, members, managers)
    return team
