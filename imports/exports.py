"""Exports of every list to CSV and XLSX: the list's current filter, only what the user sees.

URL: /imports/export/<kind>.<fmt>?<the list's query> with kind leads|deals|people|
organizations|activities and fmt csv|xlsx. The records are what the list shows for the same
query: each list's own filter (`<app>/filters.py`) reads it, as the list page and the API do,
and the columns sit next to it; visibility is the selectors'.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from itertools import islice

import tablib
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils import timezone
from import_export.formats.base_formats import CSV, XLSX

from activities import filters as activity_filters
from activities.filters import ActivityFilters, activity_filter
from contacts import filters as contact_filters
from contacts.filters import ContactFilters, organization_filter, person_filter
from crm.custom_fields.values import fields_for, visible_values
from crm.models import FieldEntity, User
from deals import filters as deal_filters
from deals.filters import DealFilters, deal_filter
from leads import filters as lead_filters
from leads.filters import LeadFilters, lead_filter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {
    "csv": (CSV, "text/csv; charset=utf-8"),
    "xlsx": (XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def neutralize(value):
    """A cell a spreadsheet shows as written instead of running it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def _kinds() -> dict[str, tuple[Callable, list]]:
    """Each list's records (its own filter, read from the list page's query) and columns."""
    return {
        "leads": (
            lambda user, p: lead_filter(user=user, filters=LeadFilters.from_query(p)).distinct(),
            lead_filters.EXPORT_COLUMNS,
        ),
        "deals": (
            lambda user, p: deal_filter(user=user, filters=DealFilters.from_query(p)),
            deal_filters.EXPORT_COLUMNS,
        ),
        "people": (
            lambda user, p: person_filter(user=user, filters=ContactFilters.from_query(p)),
            contact_filters.PERSON_EXPORT_COLUMNS,
        ),
        "organizations": (
            lambda user, p: organization_filter(user=user, filters=ContactFilters.from_query(p)),
            contact_filters.ORGANIZATION_EXPORT_COLUMNS,
        ),
        "activities": (
            lambda user, p: activity_filter(user=user, filters=ActivityFilters.from_query(p)),
            activity_filters.EXPORT_COLUMNS,
        ),
    }


KINDS = ("leads", "deals", "people", "persons", "organizations", "activities")


def export_records(*, user: User, kind: str, params) -> QuerySet:
    """The records an export of `kind` holds: what the list shows for the same query."""
    records, _columns = _kinds()["people" if kind == "persons" else kind]
    return records(user, params)


# The kinds whose records carry custom fields: one more column per field, after the others.
CUSTOM_ENTITIES = {
    "leads": FieldEntity.LEAD,
    "deals": FieldEntity.DEAL,
    "people": FieldEntity.PERSON,
    "persons": FieldEntity.PERSON,
    "organizations": FieldEntity.ORGANIZATION,
}
CHUNK = 2000


def export_dataset(*, user: User, kind: str, params) -> tablib.Dataset:
    _records, columns = _kinds()["people" if kind == "persons" else kind]
    entity = CUSTOM_ENTITIES.get(kind)
    custom = fields_for(entity) if entity else []
    headers = [str(heading) for heading, _value in columns] + [field.name for field in custom]
    dataset = tablib.Dataset(headers=headers)
    records = export_records(user=user, kind=kind, params=params).iterator(CHUNK)
    for chunk in iter(lambda: list(islice(records, CHUNK)), []):
        texts = visible_values(entity=entity, records=chunk, user=user) if custom else {}
        for record in chunk:
            shown = {field.key: text for field, text in texts.get(record.pk, [])}
            row = [_cell(value(record)) for _heading, value in columns]
            dataset.append(row + [neutralize(shown.get(field.key, "")) for field in custom])
    return dataset


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value) if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, date | datetime | bool | int | float):
        return neutralize(value)
    return neutralize(str(value))


def export_view(request, kind: str, fmt: str) -> HttpResponse:
    if kind not in KINDS or fmt not in FORMATS:
        raise Http404
    format_class, content_type = FORMATS[fmt]
    dataset = export_dataset(user=request.user, kind=kind, params=request.GET)
    data = format_class().export_data(dataset)
    if isinstance(data, str):
        data = "\ufeff" + data  # Excel reads UTF-8 CSV only with a BOM
    response = HttpResponse(data, content_type=content_type)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{kind}-{stamp}.{fmt}"'
    return response
