"""Writes of deals: create, edit, move through stages and pipelines, win, lose, reopen.

Every write locks the deal row, checks the version the caller saw (optimistic concurrency for
the board and the forms), bumps it, and records stage and status changes in DealHistory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Organization, Person
from contacts.services import ContactRef, organization_resolve, person_resolve
from crm.custom_fields.values import clean_values as clean_custom_values
from crm.errors import DomainError, NotPermitted, StaleVersion
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
from crm.visibility import can_view
from deals.models import Deal, DealHistory, DealStatus, HistoryKind, LostReason, Pipeline, Stage
from deals.setup_services import stage_lock_for_deals
from deals.validation import clean_currency, clean_title, clean_value


def _stage_in(pipeline: Pipeline, stage: Stage | None) -> Stage:
    if stage is None:
        stage = pipeline.first_stage()
        if stage is None:
            raise DomainError(_("This pipeline has no stages."), field="pipeline")
    elif stage.pipeline_id != pipeline.pk:
        raise DomainError(_("This stage belongs to another pipeline."), field="stage")
    return stage_lock_for_deals(stage)  # not deleted under the deal (Settings)


def check_contacts_visible(
    *, actor: User, person: Person | None = None, organization: Organization | None = None
) -> None:
    """A deal or lead links only the people and organizations its actor may see.

    The one rule for every edge (forms, API, imports): a record the actor may not see is
    refused as if it did not exist, on its field (a form error, a 400 on the field in the API),
    so the answer tells nothing of what is hidden.
    """
    if person is not None and not can_view(actor, person):
        raise NotPermitted(_("There is no such person."), field="person")
    if organization is not None and not can_view(actor, organization):
        raise NotPermitted(_("There is no such organization."), field="organization")


def _lock(deal: Deal, version: int | None) -> Deal:
    locked = Deal.objects.select_for_update().get(pk=deal.pk)
    if version is not None and int(version) != locked.version:
        raise StaleVersion(
            _("Someone else changed this deal since you loaded it. Here is its current state."),
            current=locked,
        )
    return locked


def _check_open(deal: Deal) -> None:
    # A closed deal keeps the stage it was won or lost in: the reports count it there.
    if deal.status != DealStatus.OPEN:
        raise DomainError(
            _("This deal is closed. Reopen it to move it to another stage."),
            field="stage",
            code="deal_closed",
        )


def _record(deal: Deal, actor: User, kind: str, **fields) -> DealHistory:
    return DealHistory.objects.create(
        deal=deal,
        kind=kind,
        actor=actor,
        created_at=fields.pop("at", None) or timezone.now(),
        **fields,
    )


@transaction.atomic
def deal_create(
    *,
    actor: User,
    title: str,
    pipeline: Pipeline,
    stage: Stage | None = None,
    value=Decimal("0"),
    currency: str | None = None,
    person: Person | None = None,
    organization: Organization | None = None,
    owner: User | None = None,
    visible_to: str | None = None,
    expected_close_date: date | None = None,
    labels: Iterable[Label] = (),
    source: str = "manual",
    history_kind: str = HistoryKind.CREATED,
    history_detail: str = "",
    custom_fields: Mapping[str, Any] | None = None,
) -> Deal:
    if person is None and organization is None:
        raise DomainError(_("Link the deal to a person, an organization or both."), field="person")
    check_contacts_visible(actor=actor, person=person, organization=organization)
    owner, visible_to = resolve_owner_and_visibility(
        actor=actor, owner=owner, visible_to=visible_to
    )
    stage = _stage_in(pipeline, stage)
    deal = Deal.objects.create(
        title=clean_title(title),
        value=clean_value(value),
        currency=clean_currency(currency, default_currency()),
        person=person,
        organization=organization,
        pipeline=pipeline,
        stage=stage,
        owner=owner,
        visible_to=visible_to,
        expected_close_date=expected_close_date,
        source=source,
        custom_fields=clean_custom_values(
            entity=FieldEntity.DEAL, data=custom_fields, actor=actor, creating=True
        ),
    )
    if labels:
        deal.labels.set(labels)
    _record(
        deal,
        actor,
        history_kind,
        to_stage=stage,
        to_status=DealStatus.OPEN,
        detail=history_detail[:255],
    )
    return deal


@transaction.atomic
def deal_update(
    *,
    actor: User,
    deal: Deal,
    version: int | None,
    title: str | Unset = UNSET,
    value: Decimal | int | str | None | Unset = UNSET,
    currency: str | None | Unset = UNSET,
    person: Person | None | Unset = UNSET,
    organization: Organization | None | Unset = UNSET,
    expected_close_date: date | None | Unset = UNSET,
    labels: Iterable[Label] | Unset = UNSET,
    owner: User | None = None,
    visible_to: str | None = None,
    pipeline: Pipeline | None = None,
    stage: Stage | None = None,
    custom_fields: Mapping[str, Any] | None = None,
) -> Deal:
    """Edit a deal's fields; a stage or pipeline given here moves it like `deal_move`.

    `custom_fields` changes the keys it names (None clears one) and keeps the others."""
    check_edit(actor=actor, record=deal)
    deal = _lock(deal, version)
    if title is not UNSET:
        deal.title = clean_title(title)
    if value is not UNSET:
        value = clean_value(value)
        if deal.value_from_items and value != deal.value:
            raise DomainError(_from_items(), field="value", code="value_from_items")
        deal.value = value
    if currency is not UNSET:
        currency = clean_currency(currency, deal.currency)
        if deal.value_from_items and currency != deal.currency:
            raise DomainError(_from_items(), field="currency", code="value_from_items")
        deal.currency = currency
    # Only a newly linked record is checked: a deal keeps a contact hidden from this editor.
    if person is not UNSET:
        if person is not None and person.pk != deal.person_id:
            check_contacts_visible(actor=actor, person=person)
        deal.person = person
    if organization is not UNSET:
        if organization is not None and organization.pk != deal.organization_id:
            check_contacts_visible(actor=actor, organization=organization)
        deal.organization = organization
    if deal.person_id is None and deal.organization_id is None:
        raise DomainError(_("Link the deal to a person, an organization or both."), field="person")
    if expected_close_date is not UNSET:
        deal.expected_close_date = expected_close_date
    if custom_fields:
        deal.custom_fields = clean_custom_values(
            entity=FieldEntity.DEAL,
            data=custom_fields,
            current=deal.custom_fields,
            actor=actor,
            creating=False,
        )
    apply_owner_change(actor=actor, record=deal, owner=owner, visible_to=visible_to)
    if stage is not None or pipeline is not None:
        if (stage is not None and stage.pk != deal.stage_id) or (
            pipeline is not None and pipeline.pk != deal.pipeline_id
        ):
            _check_open(deal)
        _move(deal, actor, pipeline or (stage.pipeline if stage else deal.pipeline), stage)
    deal.version += 1
    deal.save()
    if labels is not UNSET:
        deal.labels.set(labels)
    return deal


@transaction.atomic
def deal_save(
    *,
    actor: User,
    deal: Deal | None,
    person: ContactRef,
    organization: ContactRef,
    owner: User | None = None,
    visible_to: str | None = None,
    **fields,
) -> Deal:
    """Create (deal=None) or update a deal together with the person and organization its form
    names, picked or new (as `leads.services.lead_save`): one transaction, so a refused deal
    leaves no new contact behind. New contacts get the deal's owner and visibility."""
    contact_owner = owner or (deal.owner if deal is not None else None)
    contact_visibility = visible_to or (deal.visible_to if deal is not None else None)
    # The deal's own contacts stay linked as they are, even one hidden from this editor.
    if deal is not None and organization.id is not None and organization.id == deal.organization_id:
        org = deal.organization
    else:
        org = organization_resolve(
            actor=actor, ref=organization, owner=contact_owner, visible_to=contact_visibility
        )
    if deal is not None and person.id is not None and person.id == deal.person_id:
        who = deal.person
    else:
        who = person_resolve(
            actor=actor,
            ref=person,
            organization=org,
            owner=contact_owner,
            visible_to=contact_visibility,
        )
    if deal is None:
        return deal_create(
            actor=actor,
            person=who,
            organization=org,
            owner=owner,
            visible_to=visible_to,
            **fields,
        )
    return deal_update(
        actor=actor,
        deal=deal,
        person=who,
        organization=org,
        owner=owner,
        visible_to=visible_to,
        **fields,
    )


def _from_items() -> str:
    return _(
        "The value is the sum of the deal's products. Choose “Set the value by hand” under "
        "Products on the deal page to change it."
    )


def deal_lock(*, actor: User, deal: Deal, version: int | None) -> Deal:
    """The deal, locked for a change of what hangs off it (its products), once the actor may
    edit it and `version` (if given) is the one it has. Call inside a transaction."""
    check_edit(actor=actor, record=deal)
    return _lock(deal, version)


def deal_value_set(*, deal: Deal, value: Decimal, from_items: bool) -> Deal:
    """Set the value of a deal locked by `deal_lock`: the sum of its products (from_items) or
    a typed one. A change bumps the version, as every write of the deal does."""
    value = clean_value(value)
    if value != deal.value or from_items != deal.value_from_items:
        deal.value, deal.value_from_items = value, from_items
        deal.version += 1
        deal.save(update_fields=["value", "value_from_items", "version", "updated_at"])
    return deal


def _move(deal: Deal, actor: User, pipeline: Pipeline, stage: Stage | None) -> None:
    if stage is None and pipeline.pk == deal.pipeline_id:
        return
    stage = _stage_in(pipeline, stage)
    if stage.pk == deal.stage_id:
        return
    _record(
        deal,
        actor,
        HistoryKind.STAGE,
        from_stage_id=deal.stage_id,
        to_stage=stage,
        detail="" if pipeline.pk == deal.pipeline_id else "pipeline",
    )
    deal.pipeline, deal.stage = pipeline, stage
    deal.stage_entered_at = timezone.now()


@transaction.atomic
def deal_move(
    *,
    actor: User,
    deal: Deal,
    stage: Stage | None = None,
    pipeline: Pipeline | None = None,
    version: int | None,
) -> Deal:
    """Move a deal to another stage, or to another pipeline (its first stage by default)."""
    check_edit(actor=actor, record=deal)
    deal = _lock(deal, version)
    if stage is None and pipeline is None:
        raise DomainError(_("Choose a stage."), field="stage")
    _check_open(deal)
    _move(deal, actor, pipeline or stage.pipeline, stage)
    deal.version += 1
    deal.save()
    return deal


def _set_status(
    deal: Deal,
    actor: User,
    status: str,
    *,
    lost_reason: LostReason | None = None,
    lost_reason_text: str = "",
) -> Deal:
    """Record the status change in the history, then apply it (times, reason, version)."""
    now = timezone.now()
    _record(
        deal,
        actor,
        HistoryKind.STATUS,
        from_status=deal.status,
        to_status=status,
        from_stage_id=deal.stage_id,
        to_stage_id=deal.stage_id,
        lost_reason=lost_reason,
        detail=lost_reason_text,
        at=now,
    )
    deal.status = status
    deal.won_at = now if status == DealStatus.WON else None
    deal.lost_at = now if status == DealStatus.LOST else None
    deal.lost_reason, deal.lost_reason_text = lost_reason, lost_reason_text
    if status == DealStatus.OPEN:
        deal.stage_entered_at = now  # a reopened deal starts its stage afresh (rotting)
    deal.version += 1
    deal.save()
    return deal


@transaction.atomic
def deal_mark_won(*, actor: User, deal: Deal, version: int | None = None) -> Deal:
    check_edit(actor=actor, record=deal)
    deal = _lock(deal, version)
    if deal.status == DealStatus.WON:
        raise DomainError(_("This deal is already won."), field="status", code="already_won")
    return _set_status(deal, actor, DealStatus.WON)


@transaction.atomic
def deal_mark_lost(
    *,
    actor: User,
    deal: Deal,
    lost_reason: LostReason | None,
    lost_reason_text: str = "",
    version: int | None = None,
) -> Deal:
    """Lose a deal. A reason is required: one of the admin's list, or free text, or both."""
    check_edit(actor=actor, record=deal)
    lost_reason_text = (lost_reason_text or "").strip()[:255]
    if lost_reason is None and not lost_reason_text:
        raise DomainError(_("Say why the deal was lost."), field="lost_reason")
    deal = _lock(deal, version)
    if deal.status == DealStatus.LOST:
        raise DomainError(_("This deal is already lost."), field="status", code="already_lost")
    return _set_status(
        deal, actor, DealStatus.LOST, lost_reason=lost_reason, lost_reason_text=lost_reason_text
    )


@transaction.atomic
def deal_reopen(*, actor: User, deal: Deal, version: int | None = None) -> Deal:
    check_edit(actor=actor, record=deal)
    deal = _lock(deal, version)
    if deal.status == DealStatus.OPEN:
        raise DomainError(_("This deal is already open."), field="status", code="already_open")
    return _set_status(deal, actor, DealStatus.OPEN)


@transaction.atomic
def deal_delete(*, actor: User, deal: Deal) -> None:
    check_delete(actor=actor, record=deal)
    move_to_trash(record=deal, actor=actor, touch=True)
