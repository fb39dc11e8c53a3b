"""Writes of leads: the inbox, notes and activities on a lead, and the conversion to a deal."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, Email, Note
from activities.services import (
    activity_create,
    deal_refresh_next_activity,
    email_log,
    note_create,
    refresh_next_activity,
)
from contacts.models import Organization, Person
from contacts.selectors import DuplicateMatch, organization_duplicates, person_duplicates
from contacts.services import (
    ORGANIZATION_MERGE_FIELDS,
    PERSON_MERGE_FIELDS,
    ContactRef,
    organization_merge,
    organization_resolve,
    person_merge,
    person_resolve,
)
from crm.errors import DomainError, NotPermitted
from crm.models import Label, User
from crm.services import (
    apply_owner_change,
    check_delete,
    check_edit,
    resolve_owner_and_visibility,
)
from crm.visibility import can_assign_to, can_edit, can_view
from deals.models import Deal, HistoryKind, Pipeline, Stage
from deals.services import clean_currency, clean_title, clean_value, deal_create
from leads.models import Lead, LeadSource

_UNSET = object()


class AlreadyConverted(DomainError):
    code = "already_converted"

    def __init__(self, deal: Deal | None):
        super().__init__(_("This lead was already converted into a deal."))
        self.deal = deal


class DuplicateContacts(DomainError):
    """The lead's person or organization looks like existing ones: the user must choose."""

    code = "duplicates_found"

    def __init__(self, *, person: list[DuplicateMatch], organization: list[DuplicateMatch]):
        super().__init__(
            _("Possible duplicates found: choose to use an existing record or keep the new one.")
        )
        self.person = person
        self.organization = organization


@dataclass(frozen=True)
class ContactChoice:
    """Keep the lead's own person/organization, or use an existing one (by id)."""

    action: Literal["keep", "use"]
    id: int | None = None


def _check_lead_open(lead: Lead) -> None:
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
) -> Lead:
    if person is None and organization is None:
        raise DomainError(_("Link the lead to a person, an organization or both."), field="person")
    for record in (person, organization):
        if record is not None and not can_view(actor, record):
            raise NotPermitted(_("You may not see this record."), field="person")
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
        currency=clean_currency(currency, settings.CRM_DEFAULT_CURRENCY),
        source=source,
        expected_close_date=expected_close_date,
        owner=owner,
        visible_to=visible_to,
    )
    if labels:
        lead.labels.set(labels)
    return lead


@transaction.atomic
def lead_update(
    *,
    actor: User,
    lead: Lead,
    title=_UNSET,
    person=_UNSET,
    organization=_UNSET,
    value=_UNSET,
    currency=_UNSET,
    labels=_UNSET,
    source=_UNSET,
    expected_close_date=_UNSET,
    owner: User | None = None,
    visible_to: str | None = None,
) -> Lead:
    check_edit(actor=actor, record=lead)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    _check_lead_open(lead)
    if title is not _UNSET:
        lead.title = clean_title(title)
    if person is not _UNSET:
        lead.person = person
    if organization is not _UNSET:
        lead.organization = organization
    if lead.person_id is None and lead.organization_id is None:
        raise DomainError(_("Link the lead to a person, an organization or both."), field="person")
    if value is not _UNSET:
        lead.value = clean_value(value)
    if currency is not _UNSET:
        lead.currency = clean_currency(currency, lead.currency)
    if source is not _UNSET:
        if source not in LeadSource.values:
            raise DomainError(_("Unknown source."), field="source")
        lead.source = source
    if expected_close_date is not _UNSET:
        lead.expected_close_date = expected_close_date
    apply_owner_change(actor=actor, record=lead, owner=owner, visible_to=visible_to)
    lead.save()
    if labels is not _UNSET:
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
    _check_lead_open(lead)
    if lead.archived_at is None:
        lead.archived_at = timezone.now()
        lead.save(update_fields=["archived_at", "updated_at"])
    return lead


@transaction.atomic
def lead_restore(*, actor: User, lead: Lead) -> Lead:
    check_edit(actor=actor, record=lead)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    _check_lead_open(lead)
    if lead.archived_at is not None:
        lead.archived_at = None
        lead.save(update_fields=["archived_at", "updated_at"])
    return lead


@transaction.atomic
def lead_delete(*, actor: User, lead: Lead) -> None:
    check_delete(actor=actor, record=lead)
    lead.delete()


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
    note = note_create(
        actor=actor,
        content=content,
        person=lead.person,
        organization=lead.organization,
        deal=lead.deal,
        authorized=True,
    )
    lead.notes.add(note)
    return note


@transaction.atomic
def lead_add_activity(*, actor: User, lead: Lead, **fields) -> Activity:
    _check_lead_access(actor, lead)
    activity = activity_create(
        actor=actor,
        person=lead.person,
        organization=lead.organization,
        deal=lead.deal,
        authorized=True,
        **fields,
    )
    lead.activities.add(activity)
    refresh_next_activity(activity)
    return activity


@transaction.atomic
def lead_log_email(*, actor: User, lead: Lead, **fields) -> Email:
    _check_lead_access(actor, lead)
    email = email_log(
        actor=actor,
        person=lead.person,
        organization=lead.organization,
        deal=lead.deal,
        authorized=True,
        **fields,
    )
    lead.emails.add(email)
    return email


# --- Conversion -----------------------------------------------------------------------------


def lead_duplicates(*, actor: User, lead: Lead) -> DuplicateContacts | None:
    """The likely duplicates of the lead's person and organization, or None."""
    person_matches: list[DuplicateMatch] = []
    org_matches: list[DuplicateMatch] = []
    if lead.person is not None:
        p = lead.person
        person_matches = person_duplicates(
            user=actor,
            name=p.name,
            emails=[e.email for e in p.emails.all()],
            phones=[n.number for n in p.phones.all()],
            organization=p.organization or lead.organization,
            exclude_ids=[p.pk],
        )
    if lead.organization is not None:
        o = lead.organization
        org_matches = organization_duplicates(
            user=actor, name=o.name, website=o.website, exclude_ids=[o.pk]
        )
    if person_matches or org_matches:
        return DuplicateContacts(person=person_matches, organization=org_matches)
    return None


def _chosen(
    actor: User,
    own: Person | Organization | None,
    choice: ContactChoice | None,
    model: type[Person] | type[Organization],
    field: str,
) -> Person | Organization | None:
    if own is None or choice is None or choice.action == "keep":
        return own
    if choice.action != "use" or choice.id is None:
        raise DomainError(_("Choose “keep” or “use” with an id."), field=field)
    chosen = model.objects.filter(pk=choice.id).first()
    if chosen is None or not can_view(actor, chosen):
        raise DomainError(_("There is no such record."), field=field)
    return chosen


def _is_used_elsewhere(record: Person | Organization, lead: Lead) -> bool:
    """Does anything but this lead use the lead's own contact? (Then it must not be merged.)"""
    if record.deals.exists() or record.leads.exclude(pk=lead.pk).exists():
        return True
    return isinstance(record, Organization) and record.persons.exists()


@transaction.atomic
def lead_convert(
    *,
    lead: Lead,
    actor: User,
    pipeline: Pipeline,
    stage: Stage | None = None,
    title: str | None = None,
    value=None,
    currency: str | None = None,
    owner: User | None = None,
    visible_to: str | None = None,
    person_choice: ContactChoice | None = None,
    organization_choice: ContactChoice | None = None,
) -> Deal:
    """Turn a lead into a deal in one transaction.

    If the lead's person or organization has likely duplicates and no choice was given, this
    refuses with `DuplicateContacts` so the caller can ask the user. A chosen existing record
    takes the lead's place, and the lead's own record, if nothing else uses it, is merged into
    it: no orphan duplicate stays behind. Raises `AlreadyConverted` for a converted lead.
    """
    if not can_edit(actor, lead):
        raise NotPermitted(_("You may not convert this lead."))
    # Lock the lead: two clicks on "Convert" (or twenty requests) must give one deal, not two.
    # The unique Lead.deal column holds the rule even if a caller forgot the lock.
    lead = (
        Lead.objects.select_for_update(of=("self",))
        .select_related("person", "organization")
        .get(pk=lead.pk)
    )
    _check_lead_open(lead)
    if lead.archived_at is not None:
        raise DomainError(
            _("Restore this lead from the archive before converting it."), code="archived"
        )

    needs_person_choice = lead.person is not None and person_choice is None
    needs_org_choice = lead.organization is not None and organization_choice is None
    if needs_person_choice or needs_org_choice:
        found = lead_duplicates(actor=actor, lead=lead)
        if found is not None:
            if not needs_person_choice:
                found.person = []
            if not needs_org_choice:
                found.organization = []
            if found.person or found.organization:
                raise found

    person = _chosen(actor, lead.person, person_choice, Person, "person")
    organization = _chosen(
        actor, lead.organization, organization_choice, Organization, "organization"
    )
    if person is not None and organization is None and person.organization_id:
        organization = person.organization

    deal = deal_create(
        actor=actor,
        title=title or lead.title,
        pipeline=pipeline,
        stage=stage,
        value=lead.value if value in (None, "") else value,
        currency=currency or lead.currency,
        person=person,
        organization=organization,
        owner=owner or (lead.owner if can_assign_to(actor, lead.owner) else actor),
        visible_to=visible_to or lead.visible_to,
        expected_close_date=lead.expected_close_date,
        labels=list(lead.labels.all()),
        source=lead.source,
        history_kind=HistoryKind.CONVERTED,
        history_detail=lead.title,
    )

    # What was written on the lead moves to the deal (and stays on its person and organization).
    moved = {"deal": deal, "person": deal.person, "organization": deal.organization}
    Note.objects.filter(leads=lead).update(**moved)
    Activity.objects.filter(leads=lead).update(**moved)
    Email.objects.filter(leads=lead).update(**moved)
    deal_refresh_next_activity(deal)

    lead.deal, lead.converted_at, lead.converted_by = deal, timezone.now(), actor
    lead.save(update_fields=["deal", "converted_at", "converted_by", "updated_at"])

    # The lead's own contact records, replaced by chosen ones, are merged into them unless
    # something else uses them, so no orphan duplicate stays behind.
    own_person, own_org = lead.person, lead.organization
    if own_person is not None and person is not None and person.pk != own_person.pk:
        if _is_used_elsewhere(own_person, lead):
            Lead.objects.filter(pk=lead.pk).update(person=person)
        else:
            person_merge(
                actor=actor,
                survivor=person,
                other=own_person,
                authorized=True,
                keep=dict.fromkeys(PERSON_MERGE_FIELDS, "survivor"),
            )
    if own_org is not None and organization is not None and organization.pk != own_org.pk:
        if _is_used_elsewhere(own_org, lead):
            Lead.objects.filter(pk=lead.pk).update(organization=organization)
        else:
            organization_merge(
                actor=actor,
                survivor=organization,
                other=own_org,
                authorized=True,
                keep=dict.fromkeys(ORGANIZATION_MERGE_FIELDS, "survivor"),
            )
    return deal
