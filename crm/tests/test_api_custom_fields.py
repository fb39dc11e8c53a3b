"""Custom fields through the API: definitions (admins write), values on every record kind,
checked by type with a 400 naming the field and nothing written, filters, conversion."""

import pytest
from django.db import connection

from crm.custom_fields.services import custom_field_create
from crm.models import CustomField, FieldEntity
from crm.tests.api import api_client, make_deal, make_lead, make_organization, make_person
from deals.filters import DealFilters, deal_filter
from deals.models import Deal
from leads.models import Lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(admin_user):
    return custom_field_create(
        actor=admin_user,
        entity=FieldEntity.DEAL,
        name="Contract type",
        type="option",
        options=["Annual", "Monthly"],
    )


def _option(field, label):
    return field.options.get(label=label).pk


def _field(admin_user, name, type, entity=FieldEntity.DEAL, **kwargs):
    return custom_field_create(actor=admin_user, entity=entity, name=name, type=type, **kwargs)


def _deal_body(pipeline, person, **custom):
    return {
        "title": "Rollout",
        "pipeline": pipeline.pk,
        "person": person.pk,
        "custom_fields": custom,
    }


# Definitions


def test_admin_creates_a_field_with_options_through_the_api(admin_user):
    response = api_client(admin_user).post(
        "/api/v1/fields/",
        {"entity": "deal", "name": "Contract type", "type": "option", "options": ["A", "B"]},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["key"] == "contract_type"
    assert [o["label"] for o in body["options"]] == ["A", "B"]
    assert body["archived"] is False


@pytest.mark.parametrize("writer", ["owner", "manager"])
def test_reps_and_managers_read_fields_but_may_not_write_them(request, writer, contract):
    client = api_client(request.getfixturevalue(writer))

    assert client.get("/api/v1/fields/").status_code == 200
    created = client.post(
        "/api/v1/fields/", {"entity": "deal", "name": "X", "type": "text"}, format="json"
    )
    changed = client.patch(f"/api/v1/fields/{contract.pk}/", {"name": "Y"}, format="json")
    deleted = client.delete(f"/api/v1/fields/{contract.pk}/")

    assert (created.status_code, changed.status_code, deleted.status_code) == (403, 403, 403)
    assert CustomField.objects.get().name == "Contract type"


def test_a_second_field_of_the_same_name_is_refused(admin_user, contract):
    response = api_client(admin_user).post(
        "/api/v1/fields/",
        {"entity": "deal", "name": "contract TYPE", "type": "text"},
        format="json",
    )

    assert response.status_code == 400
    assert "name" in response.json()


def test_an_option_field_without_options_is_refused(admin_user):
    response = api_client(admin_user).post(
        "/api/v1/fields/", {"entity": "deal", "name": "Tier", "type": "option"}, format="json"
    )

    assert response.status_code == 400
    assert "options" in response.json()


def test_renaming_and_reordering_options_keeps_the_values(admin_user, owner, pipeline, contract):
    annual, monthly = _option(contract, "Annual"), _option(contract, "Monthly")
    deal = make_deal(owner, pipeline, custom_fields={"contract_type": annual})

    response = api_client(admin_user).patch(
        f"/api/v1/fields/{contract.pk}/",
        {"options": [{"id": monthly, "label": "Monthly"}, {"id": annual, "label": "Yearly"}]},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert [o["label"] for o in response.json()["options"]] == ["Monthly", "Yearly"]
    deal.refresh_from_db()
    assert deal.custom_fields == {"contract_type": annual}


def test_an_option_in_use_cannot_be_dropped(admin_user, owner, pipeline, contract):
    annual, monthly = _option(contract, "Annual"), _option(contract, "Monthly")
    make_deal(owner, pipeline, custom_fields={"contract_type": annual})

    response = api_client(admin_user).patch(
        f"/api/v1/fields/{contract.pk}/",
        {"options": [{"id": monthly, "label": "Monthly"}]},
        format="json",
    )

    assert response.status_code == 400
    assert contract.options.count() == 2


def test_an_archived_field_is_hidden_and_keeps_its_values(admin_user, owner, pipeline, contract):
    annual = _option(contract, "Annual")
    deal = make_deal(owner, pipeline, custom_fields={"contract_type": annual})
    client = api_client(owner)

    api_client(admin_user).patch(
        f"/api/v1/fields/{contract.pk}/", {"archived": True}, format="json"
    )
    hidden = client.get(f"/api/v1/deals/{deal.pk}/").json()["custom_fields"]
    api_client(admin_user).patch(
        f"/api/v1/fields/{contract.pk}/", {"archived": False}, format="json"
    )
    shown = client.get(f"/api/v1/deals/{deal.pk}/").json()["custom_fields"]

    assert hidden == {}
    assert shown == {"contract_type": annual}


def test_deleting_a_field_removes_its_values(admin_user, owner, pipeline, contract):
    deal = make_deal(owner, pipeline, custom_fields={"contract_type": _option(contract, "Annual")})

    response = api_client(admin_user).delete(f"/api/v1/fields/{contract.pk}/")

    assert response.status_code == 204
    deal.refresh_from_db()
    assert deal.custom_fields == {}


# Values, by type


GOOD = [
    ("text", "Berlin office", "Berlin office"),
    ("long_text", "Line one\nLine two", "Line one\nLine two"),
    ("number", "1250.50", "1250.5"),
    ("number", 12, "12"),
    ("money", {"amount": "99.9", "currency": "usd"}, {"amount": "99.90", "currency": "USD"}),
    ("date", "2027-03-31", "2027-03-31"),
    ("phone", "030 1234 567", "030 1234 567"),
    ("email", "buyer@example.com", "buyer@example.com"),
    ("url", "example.com/tender", "https://example.com/tender"),
    ("boolean", True, True),
]


@pytest.mark.parametrize(("type", "sent", "stored"), GOOD)
def test_a_good_value_of_each_type_is_stored_and_read_back(
    admin_user, owner, pipeline, type, sent, stored
):
    _field(admin_user, "Extra", type)
    person = make_person(owner)

    response = api_client(owner).post(
        "/api/v1/deals/", _deal_body(pipeline, person, extra=sent), format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["custom_fields"] == {"extra": stored}
    assert Deal.objects.get().custom_fields == {"extra": stored}


BAD = [
    ("text", "x" * 256),
    ("number", "twelve"),
    ("number", True),
    ("money", "12"),
    ("money", {"amount": "ten", "currency": "EUR"}),
    ("money", {"amount": "10", "currency": "EURO"}),
    ("date", "31.03.2027"),
    ("email", "not-an-address"),
    ("url", "ftp://example.com"),
    ("boolean", "perhaps"),
]


@pytest.mark.parametrize(("type", "sent"), BAD)
def test_a_bad_value_is_a_400_naming_the_field_and_writes_nothing(
    admin_user, owner, pipeline, type, sent
):
    _field(admin_user, "Extra", type)
    person = make_person(owner)

    response = api_client(owner).post(
        "/api/v1/deals/", _deal_body(pipeline, person, extra=sent), format="json"
    )

    assert response.status_code == 400
    assert response.json()["custom_fields"][0].startswith("Extra:")
    assert not Deal.objects.exists()


def test_an_unknown_option_id_is_refused(owner, pipeline, contract):
    person = make_person(owner)

    response = api_client(owner).post(
        "/api/v1/deals/", _deal_body(pipeline, person, contract_type=999999), format="json"
    )

    assert response.status_code == 400
    assert "Contract type" in response.json()["custom_fields"][0]


def test_multiple_options_are_stored_as_sorted_ids(admin_user, owner, pipeline):
    field = _field(admin_user, "Channels", "options", options=["Web", "Phone", "Fair"])
    web, fair = _option(field, "Web"), _option(field, "Fair")
    person = make_person(owner)

    response = api_client(owner).post(
        "/api/v1/deals/", _deal_body(pipeline, person, channels=[fair, web, web]), format="json"
    )

    assert response.status_code == 201
    assert response.json()["custom_fields"] == {"channels": sorted([web, fair])}


def test_a_person_the_caller_may_not_see_is_refused(admin_user, owner, outsider, pipeline):
    _field(admin_user, "Referrer", "person")
    hidden = make_person(outsider, name="Hidden Person", visible_to="owner")
    person = make_person(owner)

    response = api_client(owner).post(
        "/api/v1/deals/", _deal_body(pipeline, person, referrer=hidden.pk), format="json"
    )

    assert response.status_code == 400
    assert "Referrer" in response.json()["custom_fields"][0]
    assert not Deal.objects.exists()


def test_a_visible_person_and_a_user_are_accepted(admin_user, owner, teammate, pipeline):
    _field(admin_user, "Referrer", "person")
    _field(admin_user, "Engineer", "user")
    referrer = make_person(teammate, name="Ref Erer")
    person = make_person(owner)

    response = api_client(owner).post(
        "/api/v1/deals/",
        _deal_body(pipeline, person, referrer=referrer.pk, engineer=teammate.pk),
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["custom_fields"] == {"referrer": referrer.pk, "engineer": teammate.pk}


def test_an_unknown_key_is_refused(owner, pipeline):
    person = make_person(owner)

    response = api_client(owner).post(
        "/api/v1/deals/", _deal_body(pipeline, person, nonsense=1), format="json"
    )

    assert response.status_code == 400
    assert "nonsense" in response.json()["custom_fields"][0]


def test_a_required_field_must_be_given_on_create_and_cannot_be_cleared(
    admin_user, owner, pipeline
):
    _field(admin_user, "Region", "text", required=True)
    person = make_person(owner)
    client = api_client(owner)

    missing = client.post("/api/v1/deals/", _deal_body(pipeline, person), format="json")
    created = client.post(
        "/api/v1/deals/", _deal_body(pipeline, person, region="EU"), format="json"
    )
    deal = created.json()
    cleared = client.patch(
        f"/api/v1/deals/{deal['id']}/",
        {"version": deal["version"], "custom_fields": {"region": None}},
        format="json",
    )

    assert missing.status_code == 400
    assert created.status_code == 201
    assert cleared.status_code == 400
    assert Deal.objects.get().custom_fields == {"region": "EU"}


def test_patch_changes_only_the_keys_sent(admin_user, owner, pipeline):
    _field(admin_user, "Region", "text")
    _field(admin_user, "Seats", "number")
    deal = make_deal(owner, pipeline, custom_fields={"region": "EU", "seats": 5})

    response = api_client(owner).patch(
        f"/api/v1/deals/{deal.pk}/",
        {"version": deal.version, "custom_fields": {"seats": 7}},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["custom_fields"] == {"region": "EU", "seats": "7"}


@pytest.mark.parametrize("entity", ["lead", "person", "organization"])
def test_every_record_kind_takes_and_checks_its_fields(admin_user, owner, entity):
    _field(admin_user, "Size", "number", entity=entity)
    person = make_person(owner)
    url, body = {
        "lead": ("/api/v1/leads/", {"title": "T", "person": person.pk}),
        "person": ("/api/v1/persons/", {"name": "New Person"}),
        "organization": ("/api/v1/organizations/", {"name": "New Org"}),
    }[entity]
    client = api_client(owner)

    bad = client.post(url, {**body, "custom_fields": {"size": "big"}}, format="json")
    good = client.post(url, {**body, "custom_fields": {"size": "40"}}, format="json")

    assert bad.status_code == 400
    assert "Size" in bad.json()["custom_fields"][0]
    assert good.status_code == 201, good.json()
    assert good.json()["custom_fields"] == {"size": "40"}


def test_a_lead_has_the_deal_fields_and_conversion_carries_them(
    admin_user, owner, pipeline, contract
):
    _field(admin_user, "Lead score", "number", entity=FieldEntity.LEAD)
    annual = _option(contract, "Annual")
    lead = make_lead(owner, custom_fields={"contract_type": annual, "lead_score": 80})

    response = api_client(owner).post(
        f"/api/v1/leads/{lead.pk}/convert/",
        {"pipeline": pipeline.pk, "person": {"action": "keep"}},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["custom_fields"] == {"contract_type": annual}


def test_the_convert_call_may_change_the_carried_values(admin_user, owner, pipeline, contract):
    lead = make_lead(owner, custom_fields={"contract_type": _option(contract, "Annual")})
    monthly = _option(contract, "Monthly")

    response = api_client(owner).post(
        f"/api/v1/leads/{lead.pk}/convert/",
        {
            "pipeline": pipeline.pk,
            "person": {"action": "keep"},
            "custom_fields": {"contract_type": monthly},
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["custom_fields"] == {"contract_type": monthly}
    assert not Lead.objects.filter(converted_at__isnull=True).exists()


# Filters


def _ids(response):
    assert response.status_code == 200, response.json()
    return sorted(item["id"] for item in response.json()["results"])


def test_lists_filter_by_an_option(owner, pipeline, contract):
    annual, monthly = _option(contract, "Annual"), _option(contract, "Monthly")
    a = make_deal(owner, pipeline, custom_fields={"contract_type": annual})
    make_deal(owner, pipeline, custom_fields={"contract_type": monthly})
    make_deal(owner, pipeline)

    response = api_client(owner).get(f"/api/v1/deals/?cf_contract_type={annual}")

    assert _ids(response) == [a.pk]


def test_lists_filter_numbers_money_and_dates_by_range(admin_user, owner, pipeline):
    _field(admin_user, "Seats", "number")
    _field(admin_user, "Renewal", "date")
    small = make_deal(
        owner,
        pipeline,
        custom_fields={"seats": 9, "renewal": "2027-01-15"},
    )
    big = make_deal(
        owner,
        pipeline,
        custom_fields={"seats": 100, "renewal": "2027-06-01"},
    )
    client = api_client(owner)

    assert _ids(client.get("/api/v1/deals/?cf_seats__gte=10")) == [big.pk]
    assert _ids(client.get("/api/v1/deals/?cf_seats__lte=10")) == [small.pk]
    assert _ids(client.get("/api/v1/deals/?cf_renewal__lte=2027-02-01")) == [small.pk]
    assert _ids(client.get("/api/v1/deals/?cf_seats=100")) == [big.pk]


def test_a_bad_filter_is_a_400_naming_the_parameter(admin_user, owner, contract):
    _field(admin_user, "Region", "text")
    client = api_client(owner)

    unknown = client.get("/api/v1/deals/?cf_nonsense=1")
    bad_value = client.get("/api/v1/deals/?cf_contract_type=abc")
    bad_op = client.get("/api/v1/deals/?cf_region__gte=a")

    assert unknown.status_code == 400 and "cf_nonsense" in unknown.json()
    assert bad_value.status_code == 400 and "cf_contract_type" in bad_value.json()
    assert bad_op.status_code == 400 and "cf_region__gte" in bad_op.json()


def test_filters_keep_to_what_the_caller_may_see(owner, outsider, pipeline, contract):
    annual = _option(contract, "Annual")
    make_deal(owner, pipeline, custom_fields={"contract_type": annual}, visible_to="owner")

    response = api_client(outsider).get(f"/api/v1/deals/?cf_contract_type={annual}")

    assert _ids(response) == []


def test_text_fields_filter_by_part_case_insensitively(admin_user, owner):
    _field(admin_user, "Sector", "text", entity=FieldEntity.ORGANIZATION)
    org = make_organization(owner, custom_fields={"sector": "Renewable Energy"})
    make_organization(owner, name="Other AG", custom_fields={"sector": "Retail"})

    response = api_client(owner).get("/api/v1/organizations/?cf_sector=energy")

    assert _ids(response) == [org.pk]


def test_lists_filter_money_by_amount(admin_user, owner, pipeline):
    _field(admin_user, "Budget", "money")
    make_deal(owner, pipeline, custom_fields={"budget": {"amount": "900"}})
    big = make_deal(owner, pipeline, custom_fields={"budget": {"amount": "10000"}})

    response = api_client(owner).get("/api/v1/deals/?cf_budget__gte=1000")

    assert _ids(response) == [big.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="index plans are PostgreSQL's")
def test_option_and_range_filters_can_use_indexes(admin_user, owner, pipeline, contract):
    _field(admin_user, "Seats", "number")
    annual = _option(contract, "Annual")
    plans = []
    for custom in ((("cf_contract_type", str(annual)),), (("cf_seats__gte", "10"),)):
        qs = deal_filter(user=admin_user, filters=DealFilters(custom=custom))
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            plans.append(qs.explain())

    assert "deals_deal_cf_gin" in plans[0]
    assert f"cf_deal_{CustomField.objects.get(key='seats').pk}_idx" in plans[1]
