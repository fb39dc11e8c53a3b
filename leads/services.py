"""Writes of leads: the inbox, and notes, activities and e-mails on a lead.

The conversion to a deal is `leads/conversion.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, Email, Note
from activities.services import (
    activity_create_unchecked,
    email_log_unchecked,
    note_create_unchecked,
    refresh_next_activity,
)
from contacts.models import Organization, Person
from contacts.services import (
    ContactRef,
    organization_resolve,
    person_resolve,
)
from crm.custom_fields.values import clean_values as clean_custom_values
from crm.errors import DomainError, NotPermitted
from crm.models import FieldEntity, Label, User
from crm.selectors import default_currency
from crm.services import (
    apply_owner_change,
    check_delete,
    check_edit,
    resolve_owner_and_visibility,
)
from crm.trash import move_to_trash
from crm.types import UNSET, Unset
from crm.visibility import can_edit
from deals.services import check_contacts_visible
from deals.validation import clean_currency, clean_title, clean_value
from leads.errors import AlreadyConverted
from leads.models import Lead, LeadSource


def _from_items() -> str:
    return _(
        "The value is the sum of the lead's products. Choose “Set the value by hand” under "
        "Products on the lead page to change it."
    )


def check_lead_open(lead: Lead) -> None:
    if lead.converted_at is not None:
        raise AlreadyConverted(lead.deal)


@transaction.atomic
def lead_create(
    *,
    actor: User,
    title: str,
    person: Person | None = None,
    organization: Organization | None = None,
    value=0,
    currency: str | None = None,
    labels: Iterable[Label] = (),
    source: str = LeadSource.MANUAL,
    expected_close_date: date | None = None,
    owner: User | None = None,
    visible_to: str | None = None,
    custom_fields: Mapping[str, Any] | None = None,
) -> Lead:
    if person is None and organization is None:
        raise DomainError(_("Link the lead to a person, an organization or both."), field="person")
    check_contacts_visible(actor=actor, person=person, organization=organization)
    if source not in LeadSource.values:
        raise DomainError(_("Unknown source."), field="source")
    owner, visible_to = resolve_owner_and_visibility(
        actor=actor, owner=owner, visible_to=visible_to
    )
    lead = Lead.objects.create(
        title=clean_title(title),
        person=person,
        organization=organization,
        value=clean_value(value),
        currency=clean_currency(currency, default_currency()),
        source=source,
        expected_close_date=expected_close_date,
        owner=owner,
        visible_to=visible_to,
        custom_fields=clean_custom_values(
            entity=FieldEntity.LEAD, data=custom_fields, actor=actor, creating=True
        ),
    )
    if labels:
        lead.labels.set(labels)
    return lead


@transaction.atomic
def lead_update(
    *,
    actor: User,
    lead: Lead,
    title: str | Unset = UNSET,
    person: Person | None | Unset = UNSET,
    organization: Organization | None | Unset = UNSET,
    value: Decimal | int | str | None | Unset = UNSET,
    currency: str | None | Unset = UNSET,
    labels: Iterable[Label] | Unset = UNSET,
    source: str | Unset = UNSET,
    expected_close_date: date | None | Unset = UNSET,
    owner: User | None = None,
    visible_to: str | None = None,
    custom_fields: Mapping[str, Any] | None = None,
) -> Lead:
    check_edit(actor=actor, record=lead)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    check_lead_open(lead)
    if title is not UNSET:
        lead.title = clean_title(title)
    if person is not UNSET:
        lead.person = person
    if organization is not UNSET:
        lead.organization = organization
    if lead.person_id is None and lead.organization_id is None:
        raise DomainError(_("Link the lead to a person, an organization or both."), field="person")
    if value is not UNSET:
        value = clean_value(value)
        if lead.value_from_items and value != lead.value:
            raise DomainError(_from_items(), field="value", code="value_from_items")
        lead.value = value
    if currency is not UNSET:
        currency = clean_currency(currency, lead.currency)
        if lead.value_from_items and currency != lead.currency:
            raise DomainError(_from_items(), field="currency", code="value_from_items")
        lead.currency = currency
    if source is not UNSET:
        if source not in LeadSource.values:
            raise DomainError(_("Unknown source."), field="source")
        lead.source = source
    if expected_close_date is not UNSET:
        lead.expected_close_date = expected_close_date
    if custom_fields:
        lead.custom_fields = clean_custom_values(
            entity=FieldEntity.LEAD,
            data=custom_fields,
            current=lead.custom_fields,
            actor=actor,
            creating=False,
        )
    apply_owner_change(actor=actor, record=lead, owner=owner, visible_to=visible_to)
    lead.save()
    if labels is not UNSET:
        lead.labels.set(labels)
    return lead


@transaction.atomic
def lead_save(
    *,
    actor: User,
    lead: Lead | None,
    person: ContactRef,
    organization: ContactRef,
    owner: User | None = None,
    visible_to: str | None = None,
    **fields,
) -> Lead:
    """Create (lead=None) or update a lead together with the person and organization its form
    names, picked or new: one transaction, so a refused lead leaves no new contact behind.
    New contacts get the lead's owner and visibility."""
    org = organization_resolve(actor=actor, ref=organization, owner=owner, visible_to=visible_to)
    who = person_resolve(
        actor=actor, ref=person, organization=org, owner=owner, visible_to=visible_to
    )
    if lead is None:
        return lead_create(
            actor=actor,
            person=who,
            organization=org,
            owner=owner,
            visible_to=visible_to,
            **fields,
        )
    return lead_update(
        actor=actor,
        lead=lead,
        person=who,
        organization=org,
        owner=owner,
        visible_to=visible_to,
        **fields,
    )


@transaction.atomic
def lead_archive(*, actor: User, lead: Lead) -> Lead:
    check_edit(actor=actor, record=lead)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    check_lead_open(lead)
    if lead.archived_at is None:
        lead.archived_at = timezone.now()
        lead.save(update_fields=["archived_at", "updated_at"])
    return lead


@transaction.atomic
def lead_restore(*, actor: User, lead: Lead) -> Lead:
    check_edit(actor=actor, record=lead)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    check_lead_open(lead)
    if lead.archived_at is not None:
        lead.archived_at = None
        lead.save(update_fields=["archived_at", "updated_at"])
    return lead


@transaction.atomic
def lead_delete(*, actor: User, lead: Lead) -> None:
    check_delete(actor=actor, record=lead)
    move_to_trash(record=lead, actor=actor)


# --- Bulk actions of the inbox: each lead is checked; one refusal refuses the whole batch ---


@transaction.atomic
def lead_bulk_archive(*, actor: User, leads: Iterable[Lead]) -> int:
    count = 0
    for lead in leads:
        if lead.archived_at is None and lead.converted_at is None:
            lead_archive(actor=actor, lead=lead)
            count += 1
    return count


@transaction.atomic
def lead_bulk_set_owner(*, actor: User, leads: Iterable[Lead], owner: User) -> int:
    count = 0
    for lead in leads:
        if lead.owner_id != owner.pk:
            lead_update(actor=actor, lead=lead, owner=owner)
            count += 1
    return count


@transaction.atomic
def lead_bulk_add_label(*, actor: User, leads: Iterable[Lead], label: Label) -> int:
    count = 0
    for lead in leads:
        check_edit(actor=actor, record=lead)
        lead.labels.add(label)
        count += 1
    return count


# --- Notes, activities and e-mails on a lead ------------------------------------------------


def _check_lead_access(actor: User, lead: Lead) -> None:
    if not can_edit(actor, lead):
        raise NotPermitted(_("You may not change this lead."))


@transaction.atomic
def lead_add_note(*, actor: User, lead: Lead, content: str) -> Note:
    _check_lead_access(actor, lead)
    note = note_create_unchecked(
        actor=actor,
        content=content,
        person=lead.person,
        organization=lead.organization,
        deal=lead.deal,
    )
    lead.notes.add(note)
    return note


@transaction.atomic
def lead_add_activity(*, actor: User, lead: Lead, **fields) -> Activity:
    _check_lead_access(actor, lead)
    activity = activity_create_unchecked(
        actor=actor,
        person=lead.person,
        organization=lead.organization,
        deal=lead.deal,
        **fields,
    )
    lead.activities.add(activity)
    refresh_next_activity(activity)
    return activity


@transaction.atomic
def lead_log_email(*, actor: User, lead: Lead, **fields) -> Email:
    _check_lead_access(actor, lead)
    email = email_log_unchecked(
        actor=actor,
        person=lead.person,
        organization=lead.organization,
        deal=lead.deal,
        **fields,
    )
    lead.emails.add(email)
    return email
