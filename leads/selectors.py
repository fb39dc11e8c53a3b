"""Reads of leads (the inbox first), scoped to what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from activities.models import Activity
from activities.selectors import (
    TIMELINE_PAGE,
    Timeline,
    TimelineEntry,
    on_visible_deal_q,
    timeline_entries,
)
from crm.models import User
from crm.visibility import can_view, visible_q
from deals.models import Deal
from leads.models import Lead, LeadProduct, LeadProductChange
from products.selectors import ItemsPanel, items_panel


def lead_list(*, user: User) -> QuerySet[Lead]:
    """Every lead the user may see, converted and archived included."""
    return Lead.objects.filter(visible_q(user)).select_related(
        "owner", "person", "organization", "deal"
    )


def lead_list_brief(*, user: User) -> QuerySet[Lead]:
    """The leads the user may see, with what a list of a person's or organization's leads
    shows (title, value, converted or archived), and no joins."""
    return Lead.objects.filter(visible_q(user)).only(
        "title", "value", "currency", "converted_at", "archived_at"
    )


def lead_inbox(*, user: User) -> QuerySet[Lead]:
    """The open leads: neither converted nor archived (served by a partial index)."""
    return lead_list(user=user).filter(archived_at__isnull=True, converted_at__isnull=True)


def lead_get(*, user: User, pk) -> Lead:
    """The lead, or 404 whether it does not exist or the user may not see it."""
    try:
        return lead_list(user=user).get(pk=pk)
    except (Lead.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def lead_deal(*, lead: Lead, user: User) -> Deal | None:
    """The deal the lead became, where the user may see it (else pages name none)."""
    return lead.deal if lead.deal is not None and can_view(user, lead.deal) else None


def lead_timeline(*, lead: Lead, user: User, limit: int | None = TIMELINE_PAGE) -> Timeline:
    """What was written on the lead. Once converted, its items are on the deal, and only those
    who may see the deal see them here."""
    extra = []
    if lead.converted_at is not None:
        deal = lead_deal(lead=lead, user=user)
        extra.append(
            TimelineEntry("conversion", lead.converted_at, lead.converted_by, lead, deal=deal)
        )
    on_deal = on_visible_deal_q(user)
    return timeline_entries(
        notes=lead.notes.filter(on_deal),
        activities=lead.activities.filter(on_deal),
        emails=lead.emails.filter(on_deal),
        item_changes=LeadProductChange.objects.filter(lead=lead),
        extra=extra,
        limit=limit,
    )


def lead_items(*, lead: Lead) -> QuerySet[LeadProduct]:
    """The products of a lead the caller has read through `lead_get` (so may see)."""
    return LeadProduct.objects.filter(lead=lead).select_related("product").order_by("id")


def lead_item_get(*, user: User, lead_pk, pk) -> LeadProduct:
    """A product line of a lead the user may see; 404 for any other."""
    lead = lead_get(user=user, pk=lead_pk)
    try:
        item = lead_items(lead=lead).get(pk=pk)
    except (LeadProduct.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    item.lead = lead
    return item


def lead_items_panel(*, lead: Lead) -> ItemsPanel:
    return items_panel(record=lead, kind="lead", items=lead_items(lead=lead))


def lead_open_activities(*, lead: Lead, user: User) -> QuerySet[Activity]:
    """The lead's activities still to do, first due first (as far as the user may see them)."""
    return (
        lead.activities.filter(on_visible_deal_q(user), done=False)
        .select_related("assignee")
        .order_by("due_date", "due_time", "id")
    )
