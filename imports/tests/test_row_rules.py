"""A row is refused by the rules of the app that owns the record, with the message its
services give: the planner calls them (contacts/validation.py, deals/validation.py)."""

import pytest

from contacts.services import organization_create, person_create
from crm.errors import DomainError
from deals.services import deal_create
from imports.services import import_create
from imports.tests.helpers import csv_bytes
from leads.services import lead_create

pytestmark = pytest.mark.django_db

LONG = "x" * 256


def _errors(admin, kind, rows) -> dict[str, str]:
    imp = import_create(actor=admin, file_name="f.csv", content=csv_bytes(rows), kind=kind)
    return {error["column"]: error["message"] for error in imp.preview["errors"]}


def _org(admin):
    return organization_create(actor=admin, name="Acme")


def _refusal(service, **kwargs) -> str:
    with pytest.raises(DomainError) as refused:
        service(**kwargs)
    return refused.value.message


def test_a_deal_row_is_refused_as_the_deal_service_refuses_its_values(admin_user, pipeline):
    pipeline.stages.create(name="New", order=1)
    rows = [
        ["Title", "Value", "Currency", "Organization"],
        [LONG, "-5", "EURO", "Acme"],
    ]

    errors = _errors(admin_user, "deals", rows)

    def deal(**fields):
        values = {"title": "T", "pipeline": pipeline, "person": None, **fields}
        return _refusal(deal_create, actor=admin_user, organization=_org(admin_user), **values)

    assert errors == {
        "Title": deal(title=LONG),
        "Value": deal(value="-5"),
        "Currency": deal(currency="EURO"),
    }


def test_a_lead_row_is_refused_as_the_lead_service_refuses_its_values(admin_user):
    rows = [["Title", "Value", "Organization"], ["Big one", "1000000000000", "Acme"]]

    errors = _errors(admin_user, "leads", rows)

    assert errors == {
        "Value": _refusal(
            lead_create,
            actor=admin_user,
            title="Big one",
            value="1000000000000",
            organization=_org(admin_user),
        )
    }


def test_a_person_row_is_refused_as_the_contact_service_refuses_its_values(admin_user):
    rows = [["Name", "Email", "Phone"], [LONG, "not-an-address", "call me"]]

    errors = _errors(admin_user, "persons", rows)

    assert errors == {
        "Name": _refusal(person_create, actor=admin_user, name=LONG),
        "Email": _refusal(person_create, actor=admin_user, name="A", emails=["not-an-address"]),
        "Phone": _refusal(person_create, actor=admin_user, name="A", phones=["call me"]),
    }
