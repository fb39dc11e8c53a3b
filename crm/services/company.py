"""The company's defaults and its labels: admins only."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _

from crm.errors import DomainError
from crm.models import CompanySettings, Label, User, Visibility
from crm.services.users import check_admin
from crm.types import UNSET

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def clean_currency_code(code: str | None) -> str:
    code = (code or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise DomainError(
            _("Use a three-letter currency code such as EUR."), field="default_currency"
        )
    return code


@transaction.atomic
def company_settings_update(
    *, actor: User, default_currency=UNSET, default_visibility=UNSET
) -> CompanySettings:
    check_admin(actor)
    CompanySettings.load()
    row = CompanySettings.objects.select_for_update().get(pk=1)
    if default_currency is not UNSET:
        row.default_currency = clean_currency_code(default_currency)
    if default_visibility is not UNSET:
        if default_visibility not in Visibility.values:
            raise DomainError(_("Choose owner, team or company."), field="default_visibility")
        row.default_visibility = default_visibility
    row.save()
    return row


def _clean_label(name, color, exclude: Label | None = None) -> tuple[str, str]:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("A name is required."), field="name")
    if len(name) > 60:
        raise DomainError(_("At most 60 characters."), field="name")
    taken = Label.objects.filter(name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise DomainError(_("There is a label of this name."), field="name")
    color = (color or "").strip()
    if not _COLOUR.match(color):
        raise DomainError(_("A hex colour, e.g. #2563eb."), field="color")
    return name, color.lower()


@transaction.atomic
def label_create(*, actor: User, name: str, color: str = "#6b7280") -> Label:
    check_admin(actor)
    name, color = _clean_label(name, color)
    return Label.objects.create(name=name, color=color)


@transaction.atomic
def label_update(*, actor: User, label: Label, name=UNSET, color=UNSET) -> Label:
    check_admin(actor)
    label = Label.objects.select_for_update().get(pk=label.pk)
    label.name, label.color = _clean_label(
        label.name if name is UNSET else name,
        label.color if color is UNSET else color,
        exclude=label,
    )
    label.save()
    return label


@transaction.atomic
def label_delete(*, actor: User, label: Label) -> None:
    """Delete a label: the leads and deals that carry it lose it, nothing else."""
    check_admin(actor)
    label.delete()
