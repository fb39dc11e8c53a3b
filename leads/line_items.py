"""The products on a lead: add, change, remove, and the lead's value from them.

As on deals (products/services.py): the lead row is locked first, then the value is
recomputed from the lines in the database, so concurrent changes all count. Leads carry no
version; the lock alone keeps the sum right. The conversion moves the lines to the deal.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import DomainError
from crm.models import User
from crm.services import check_edit
from deals.validation import clean_value
from leads.models import Lead, LeadProduct, LeadProductChange
from leads.services import check_lead_open
from products.lines import clean_line, describe
from products.models import ItemChangeKind, Product

ZERO = Decimal("0")


def _lock(actor: User, lead: Lead) -> Lead:
    check_edit(actor=actor, record=lead)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    check_lead_open(lead)
    return lead


def _record(lead: Lead, actor: User, kind: str, line: LeadProduct | None, detail: str = ""):
    LeadProductChange.objects.create(
        lead=lead,
        kind=kind,
        product_name=line.product.name if line else "",
        detail=detail or (describe(line) if line else ""),
        actor=actor,
        created_at=timezone.now(),
    )


def _total(lead: Lead) -> tuple[Decimal, bool]:
    found = LeadProduct.objects.filter(lead=lead, currency=lead.currency).aggregate(
        total=Sum("sum"), count=Count("id")
    )
    return found["total"] or ZERO, bool(found["count"])


def _refresh_value(lead: Lead, *, from_items: bool) -> Lead:
    value = lead.value
    if from_items:
        value, from_items = _total(lead)
    value = clean_value(value)
    if (value, from_items) != (lead.value, lead.value_from_items):
        lead.value, lead.value_from_items = value, from_items
        lead.save(update_fields=["value", "value_from_items", "updated_at"])
    return lead


@transaction.atomic
def lead_item_add(
    *,
    actor: User,
    lead: Lead,
    product: Product,
    quantity=1,
    unit_price=None,
    discount_percent=None,
    tax_percent=None,
    comment: str = "",
    currency: str | None = None,
) -> LeadProduct:
    lead = _lock(actor, lead)
    fields = clean_line(
        record_currency=lead.currency,
        product=product,
        quantity=quantity,
        unit_price=unit_price,
        discount_percent=discount_percent,
        tax_percent=tax_percent,
        comment=comment,
        currency=currency,
    )
    first = not LeadProduct.objects.filter(lead=lead).exists()
    item = LeadProduct.objects.create(lead=lead, **fields)
    _record(lead, actor, ItemChangeKind.ADDED, item)
    item.lead = _refresh_value(lead, from_items=first or lead.value_from_items)
    return item


def _locked_item(actor: User, item: LeadProduct) -> LeadProduct:
    lead = _lock(actor, item.lead)
    locked = LeadProduct.objects.select_related("product").filter(pk=item.pk, lead=lead).first()
    if locked is None:
        raise DomainError(_("This product was removed from the lead meanwhile."), code="gone")
    locked.lead = lead
    return locked


@transaction.atomic
def lead_item_update(*, actor: User, item: LeadProduct, **fields) -> LeadProduct:
    item = _locked_item(actor, item)
    lead = item.lead
    cleaned = clean_line(record_currency=lead.currency, line=item, **fields)
    before = describe(item)
    for name, value in cleaned.items():
        setattr(item, name, value)
    item.save()
    if describe(item) != before:
        _record(lead, actor, ItemChangeKind.CHANGED, item)
    item.lead = _refresh_value(lead, from_items=lead.value_from_items)
    return item


@transaction.atomic
def lead_item_remove(*, actor: User, item: LeadProduct) -> Lead:
    item = _locked_item(actor, item)
    lead = item.lead
    _record(lead, actor, ItemChangeKind.REMOVED, item)
    item.delete()
    return _refresh_value(lead, from_items=lead.value_from_items)


@transaction.atomic
def lead_value_mode_set(*, actor: User, lead: Lead, from_items: bool) -> Lead:
    lead = _lock(actor, lead)
    if from_items == lead.value_from_items:
        return lead
    if from_items and not _total(lead)[1]:
        raise DomainError(
            _("This lead has no products in %(currency)s to add up.") % {"currency": lead.currency},
            field="value_from_items",
        )
    detail = _("Value: the sum of the products") if from_items else _("Value: set by hand")
    _record(lead, actor, ItemChangeKind.VALUE_MODE, None, detail=detail)
    return _refresh_value(lead, from_items=from_items)


LINE_FIELDS = (
    "product_id",
    "quantity",
    "unit_price",
    "currency",
    "discount_percent",
    "tax_percent",
    "comment",
    "sum",
)


def lead_lines_for_deal(lead: Lead) -> list[dict]:
    """The lead's lines as fields of new deal lines (the conversion's part)."""
    return list(LeadProduct.objects.filter(lead=lead).order_by("id").values(*LINE_FIELDS))
