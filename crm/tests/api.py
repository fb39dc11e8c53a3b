"""Helpers of the API tests: a client with a real token, and records made by the services."""

from datetime import date

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from activities.services import activity_create, email_log, note_create
from contacts.services import organization_create, person_create
from deals.services import deal_create
from leads.services import lead_create


def api_client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def make_organization(owner, name="Acme GmbH", visible_to="team", **fields):
    return organization_create(actor=owner, name=name, visible_to=visible_to, **fields)


def make_person(owner, name="Jane Doe", visible_to="team", **fields):
    return person_create(actor=owner, name=name, visible_to=visible_to, **fields)


def make_lead(owner, person=None, title="Website relaunch", visible_to="team", **fields):
    person = person or make_person(owner, visible_to=visible_to)
    return lead_create(actor=owner, title=title, person=person, visible_to=visible_to, **fields)


def make_deal(owner, pipeline, person=None, title="Big deal", visible_to="team", **fields):
    person = person or make_person(owner, visible_to=visible_to)
    return deal_create(
        actor=owner,
        title=title,
        pipeline=pipeline,
        person=person,
        visible_to=visible_to,
        **fields,
    )


def make_note(owner, deal):
    return note_create(actor=owner, content="Called them.", deal=deal)


def make_activity(owner, deal):
    return activity_create(actor=owner, subject="Call back", due_date=date(2030, 1, 2), deal=deal)


def make_email(owner, deal):
    return email_log(
        actor=owner, sender="a@example.com", recipients="b@example.com", subject="Offer", deal=deal
    )
