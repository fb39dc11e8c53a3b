"""Reports filtered and grouped by single-option and user deal fields."""

import pytest
from django.urls import reverse

from crm.custom_fields.services import custom_field_create
from crm.models import FieldEntity
from crm.tests.api import make_deal
from deals.services import deal_mark_won

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


def _rows(client, slug, **params):
    response = client.get(reverse("reports:detail", args=[slug]), params)
    assert response.status_code == 200
    return response.context["table"].rows


def test_deals_are_grouped_by_an_option_field(client, owner, pipeline, contract):
    annual, monthly = _option(contract, "Annual"), _option(contract, "Monthly")
    won = make_deal(owner, pipeline, value=1000, custom_fields={"contract_type": annual})
    deal_mark_won(actor=owner, deal=won)
    make_deal(owner, pipeline, value=300, custom_fields={"contract_type": annual})
    make_deal(owner, pipeline, value=50, custom_fields={"contract_type": monthly})
    make_deal(owner, pipeline, value=7)
    client.force_login(owner)

    rows = _rows(client, "by-field", group="contract_type")

    by_value = {row[0]: row for row in rows}
    assert by_value["Annual"][2:6] == [1, 300, 1, 1000]
    assert by_value["Monthly"][2:4] == [1, 50]
    assert by_value["—"][2:4] == [1, 7]


def test_a_report_is_narrowed_by_an_option_filter(client, owner, pipeline, contract):
    annual = _option(contract, "Annual")
    make_deal(owner, pipeline, value=1000, custom_fields={"contract_type": annual})
    make_deal(
        owner, pipeline, value=50, custom_fields={"contract_type": _option(contract, "Monthly")}
    )
    client.force_login(owner)

    rows = _rows(client, "by-field", group="contract_type", cf_contract_type=annual)

    assert [row[0] for row in rows] == ["Annual"]


def test_grouping_by_a_user_field_counts_only_visible_deals(
    client, admin_user, owner, outsider, pipeline
):
    custom_field_create(actor=admin_user, entity=FieldEntity.DEAL, name="Engineer", type="user")
    make_deal(owner, pipeline, value=10, custom_fields={"engineer": owner.pk}, visible_to="owner")
    make_deal(outsider, pipeline, value=20, custom_fields={"engineer": owner.pk})
    client.force_login(outsider)

    rows = _rows(client, "by-field", group="engineer")

    assert [(row[0], row[3]) for row in rows] == [(str(owner), 20)]


def test_without_a_field_chosen_the_report_groups_by_the_first(client, owner, pipeline, contract):
    make_deal(
        owner, pipeline, value=5, custom_fields={"contract_type": _option(contract, "Annual")}
    )
    client.force_login(owner)

    response = client.get(reverse("reports:detail", args=["by-field"]))

    assert "Group by" in response.content.decode()
    assert [row[0] for row in response.context["table"].rows] == ["Annual"]


def test_without_any_such_field_the_report_says_what_to_do(client, owner):
    client.force_login(owner)

    response = client.get(reverse("reports:detail", args=["by-field"]))

    assert "Add a single-option or user field" in response.content.decode()
