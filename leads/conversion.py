"""Convert to deal: a qualified lead becomes a deal, its person and organization come along.

`lead_duplicates` finds existing people or organizations like the lead's own; the user picks
one (or keeps the new one) and `lead_convert` writes the deal in one transaction, the lead row
locked so that two clicks give one deal (and a unique `Lead.deal` column backs it). The lead's
notes, activities, e-mails and products move to the deal; a replaced contact record is merged
into the chosen one unless something else uses it, so no orphan duplicate stays behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, Email, Note
from activities.services import (
    deal_refresh_next_activity,
)
from contacts.models import Organization, Person
from contacts.selectors import DuplicateMatch, organization_duplicates, person_duplicates
from contacts.services import organization_merge_unchecked, person_merge_unchecked
from crm.custom_fields.values import carried_to_deal
from crm.errors import DomainError, NotPermitted
from crm.models import User
from crm.visibility import can_assign_to, can_edit, can_view
from deals.models import Deal, HistoryKind, Pipeline, Stage
from deals.services import deal_create
from deals.validation import clean_value
from leads.errors import DuplicateContacts
from leads.line_items import lead_lines_for_deal
from leads.models import Lead, LeadProduct
from leads.services import check_lead_open
from products.services import deal_items_carry

# A chosen existing record keeps its owner and visibility; every blank of it is filled from the
# lead's own record, and e-mails and phones of both are kept (`person_merge_unchecked`).
_KEEP_OWNER = {"owner": "survivor", "visible_to": "survivor"}


@dataclass(frozen=True)
class ContactChoice:
    """Keep the lead's own person/organization, or use an existing one (by id)."""

    action: Literal["keep", "use"]
    id: int | None = None


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


def _is_used_elsewhere(
    record: Person | Organization, lead: Lead, merged_person: Person | None = None
) -> bool:
    """Does anything but this lead use the lead's own contact? (Then it must not be merged.)

    `merged_person`: the lead's own person, merged away by this conversion, which does not
    count as a user of the lead's own organization.
    """
    if record.deals.exists() or record.leads.exclude(pk=lead.pk).exists():
        return True
    if not isinstance(record, Organization):
        return False
    persons = record.persons.all()
    if merged_person is not None:
        persons = persons.exclude(pk=merged_person.pk)
    return persons.exists()


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
    custom_fields: Mapping[str, Any] | None = None,
) -> Deal:
    """Turn a lead into a deal in one transaction.

    If the lead's person or organization has likely duplicates and no choice was given, this
    refuses with `DuplicateContacts` so the caller can ask the user. A chosen existing record
    takes the lead's place, and the lead's own record, if nothing else uses it, is merged into
    it: no orphan duplicate stays behind. Raises `AlreadyConverted` for a converted lead.
    The lead's values of the deal fields become the deal's; `custom_fields` changes some.
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
    check_lead_open(lead)
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
        custom_fields={**carried_to_deal(lead.custom_fields), **(custom_fields or {})},
    )

    # What was written on the lead moves to the deal (and stays on its person and organization).
    moved = {"deal": deal, "person": deal.person, "organization": deal.organization}
    Note.objects.filter(leads=lead).update(**moved)
    Activity.objects.filter(leads=lead).update(**moved)
    Email.objects.filter(leads=lead).update(**moved)
    deal_refresh_next_activity(deal)

    # The lead's products move to the deal; its value stays their sum unless the user typed
    # another value or chose another currency for the deal.
    lines = lead_lines_for_deal(lead)
    if lines:
        typed = value not in (None, "") and clean_value(value) != lead.value
        deal = deal_items_carry(
            deal=deal,
            lines=lines,
            value_from_items=lead.value_from_items and deal.currency == lead.currency and not typed,
        )
        LeadProduct.objects.filter(lead=lead).delete()

    lead.deal, lead.converted_at, lead.converted_by = deal, timezone.now(), actor
    lead.save(update_fields=["deal", "converted_at", "converted_by", "updated_at"])

    # The lead's own contact records, replaced by chosen ones, are merged into them unless
    # something else uses them, so no orphan duplicate stays behind. The actor may fold them
    # away: nothing but this lead, which they may edit, uses them. Whether the organization is
    # used is decided before the person merge, which may give the chosen person the lead's
    # organization (a blank filled); merging that organization then moves the person along.
    own_person, own_org = lead.person, lead.organization
    merge_person = (
        own_person is not None
        and person is not None
        and person.pk != own_person.pk
        and not _is_used_elsewhere(own_person, lead)
    )
    merge_org = (
        own_org is not None
        and organization is not None
        and organization.pk != own_org.pk
        and not _is_used_elsewhere(
            own_org, lead, merged_person=own_person if merge_person else None
        )
    )
    if merge_person:
        person_merge_unchecked(actor=actor, survivor=person, other=own_person, keep=_KEEP_OWNER)
    elif own_person is not None and person is not None and person.pk != own_person.pk:
        Lead.objects.filter(pk=lead.pk).update(person=person)
    if merge_org:
        organization_merge_unchecked(
            actor=actor, survivor=organization, other=own_org, keep=_KEEP_OWNER
        )
    elif own_org is not None and organization is not None and organization.pk != own_org.pk:
        Lead.objects.filter(pk=lead.pk).update(organization=organization)
    return deal
