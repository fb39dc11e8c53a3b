"""Property-based run of the whole API against its own OpenAPI schema (schemathesis).

Every operation gets a few generated requests, each sent with three users' tokens (an owner
of some records, an outsider, and an admin, who reaches the Settings writes: users, teams,
pipelines, stages, labels, lost reasons): no 5xx, and every response conforms to the schema (status
documented, content type and body as described). Bounded: a few examples per operation.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from crm.tests.api import make_deal, make_email, make_lead, make_note, make_organization
from leads.services import lead_add_activity
from products.services import deal_item_add
from products.tests.factories import make_product

# The fuzzing phase only (random valid and invalid requests); the coverage phase's exhaustive
# boundary cases would take minutes for ~65 operations.
CONFIG = schemathesis.Config.from_str(
    """
[phases.coverage]
enabled = false
[phases.fuzzing]
enabled = true
"""
)
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/schema/?format=json", get_wsgi_application(), config=CONFIG
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def wsgi_in_test_transaction():
    # Django's handler closes the database connection after each request; the test client
    # stops that, and so must this test, whose requests run inside the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(owner, outsider, admin_user, pipeline, wsgi_in_test_transaction):
    from datetime import date

    from rest_framework.authtoken.models import Token

    # Records with small ids, so generated ids sometimes hit a real (or an unseen) record.
    organization = make_organization(owner)
    deal = make_deal(owner, pipeline, organization=organization)
    make_note(owner, deal)
    make_email(owner, deal)
    product = make_product(prices={"EUR": "10"})
    deal_item_add(actor=owner, deal=deal, product=product)
    lead = make_lead(outsider, visible_to="owner")
    lead_add_activity(actor=outsider, lead=lead, subject="Call", due_date=date(2030, 1, 1))
    return [Token.objects.create(user=user).key for user in (owner, outsider, admin_user)]


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema_and_never_fails(case, tokens):
    for token in tokens:
        case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
