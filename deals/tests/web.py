"""Records for the web tests of deals and contacts, made through the services."""

from contacts.services import organization_create, person_create
from crm.models import Visibility
from deals.services import deal_create


def make_person(user, name="Ann Lee", **fields):
    fields.setdefault("emails", ["ann@example.com"])
    fields.setdefault("phones", ["+49 30 1234567"])
    return person_create(actor=user, name=name, **fields)


def make_organization(user, name="Acme GmbH", **fields):
    fields.setdefault("website", "acme.example")
    return organization_create(actor=user, name=name, **fields)


def make_deal(user, pipeline, title="Big deal", visible_to=Visibility.TEAM, **fields):
    if "person" not in fields and "organization" not in fields:
        fields["person"] = make_person(user, visible_to=visible_to)
    return deal_create(actor=user, title=title, pipeline=pipeline, visible_to=visible_to, **fields)
