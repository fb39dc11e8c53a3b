"""What the people and organization pages share: the list filter, form errors, defaults."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from contacts.forms import ContactFilterForm
from contacts.models import Organization, Person
from contacts.normalize import email_key, fold, organization_name_key
from crm.errors import DomainError
from crm.models import CompanySettings, User
from crm.web.paging import WindowPage, window_page
from crm.web.scopes import my_team_owner_ids

PER_PAGE = 50
RELATED_LIMIT = 50
SEARCH_LIMIT = 20
DUPLICATE_LIMIT = 5


def filtered_page(
    request: HttpRequest, qs: QuerySet, search
) -> tuple[ContactFilterForm, WindowPage]:
    form = ContactFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("q"):
        qs = search(qs, data["q"])
    if data.get("owner") == "mine":
        qs = qs.filter(owner=request.user)
    elif data.get("owner") == "team":
        qs = qs.filter(owner_id__in=my_team_owner_ids(request.user))
    order = form.order_by() if form.is_valid() else ["name_key", "id"]
    return form, window_page(qs.order_by(*order), data.get("page") or 1, PER_PAGE)


def search_persons(qs: QuerySet[Person], q: str) -> QuerySet[Person]:
    if "@" in q and email_key(q):
        return qs.filter(emails__key=email_key(q))
    return qs.filter(name_key__contains=fold(q))


def search_organizations(qs: QuerySet[Organization], q: str) -> QuerySet[Organization]:
    return qs.filter(name_key__contains=organization_name_key(q) or fold(q))


def new_record_initial(user: User) -> dict:
    return {"owner": user.pk, "visible_to": CompanySettings.load().default_visibility}


def form_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)
