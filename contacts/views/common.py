"""What the people and organization pages share: the list filter, form errors, defaults."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from contacts.filters import (
    ContactFilters,
    organization_search_q,
    person_search_q,
)
from contacts.forms import ContactFilterForm
from contacts.models import Organization, Person
from crm.errors import DomainError
from crm.models import CompanySettings, User
from crm.web.custom_fields import add_custom_error
from crm.web.paging import WindowPage, window_page

PER_PAGE = 50
RELATED_LIMIT = 50
SEARCH_LIMIT = 20
DUPLICATE_LIMIT = 5


def filtered_page(request: HttpRequest, filter_records) -> tuple[ContactFilterForm, WindowPage]:
    """The page of a people or organizations list: `filter_records` is `person_filter` or
    `organization_filter` (contacts/filters.py), as the API and the export use them."""
    form = ContactFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = filter_records(user=request.user, filters=ContactFilters.from_query(request.GET))
    order = form.order_by() if form.is_valid() else ["name_key", "id"]
    if data.get("q") and not request.GET.get("sort"):
        order = ["-search_rank", *order]  # a search answers best first
    return form, window_page(qs.order_by(*order), data.get("page") or 1, PER_PAGE)


def search_persons(qs: QuerySet[Person], q: str) -> QuerySet[Person]:
    return qs.filter(person_search_q(q))


def search_organizations(qs: QuerySet[Organization], q: str) -> QuerySet[Organization]:
    return qs.filter(organization_search_q(q))


def new_record_initial(user: User) -> dict:
    return {"owner": user.pk, "visible_to": CompanySettings.load().default_visibility}


def form_error(form, error: DomainError) -> None:
    if add_custom_error(form, error):
        return
    form.add_error(error.field if error.field in form.fields else None, error.message)
