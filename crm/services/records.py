"""Shared rules for writing any owned record: who owns it, who sees it, who may change it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from crm.errors import DomainError, NotPermitted
from crm.models import CompanySettings, OwnedRecord, User, Visibility
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
