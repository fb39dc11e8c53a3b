"""What the deals list and `GET /api/v1/deals/` read of the custom field definitions: once per
response, however many deals and columns (the custom fields benchmark, bench/)."""

import pytest
from django.db import connection
from django.test import Client

from crm.custom_fields.services import custom_field_create
from crm.custom_fields.values import live_field_keys, visible_values
from crm.models import CustomField, FieldEntity
from crm.tests.api import api_client, make_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def fields(admin_user):
    def make(name, type, **kwargs):
        return custom_field_create(
            actor=admin_user, entity=FieldEntity.DEAL, name=name, type=type, **kwargs
        )

    return {
        "region": make("Region", "option", options=["North", "South"]),
        "budget": make("Budget", "money"),
        "csm": make("CSM", "user"),
        "note": make("Note", "text"),
    }


def _deals(owner, pipeline, fields, n):
    north = fields["region"].options.get(label="North").pk
    values = {
        "region": north,
        "budget": {"amount": "1500", "currency": "EUR"},
        "csm": owner.pk,
        "note": "Met at the fair",
    }
    return [make_deal(owner, pipeline, title=f"Deal {i}", custom_fields=values) for i in range(n)]


def _reads(client, url):
    """The response, and how many of its queries read the field definitions or their options."""
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
    ):
        response = client.get(url)
    assert response.status_code == 200
    return response, sum('FROM "crm_customfield' in sql for sql in queries), len(queries)


def test_the_deals_list_reads_the_definitions_once_for_its_filters_and_columns(
    owner, pipeline, fields
):
    _deals(owner, pipeline, fields, 3)
    client = Client()
    client.force_login(owner)
    url = f"/deals/?pipeline={pipeline.pk}&columns=region&columns=budget&columns=csm"

    response, reads, total = _reads(client, url)
    _deals(owner, pipeline, fields, 4)
    _response, _reads_after, total_after = _reads(client, url)

    html = response.content.decode()
    assert ">North</td>" in html
    assert ">1500.00 EUR</td>" in html
    assert f">{owner}</td>" in html
    assert ">Met at the fair</td>" not in html  # not a chosen column
    # The fields and their options, once: the columns reuse what the filters read.
    assert reads == 2
    assert total_after == total


def test_the_deals_api_reads_the_live_keys_in_one_query(admin_user, owner, pipeline, fields):
    _deals(owner, pipeline, fields, 3)
    CustomField.objects.filter(pk=fields["note"].pk).update(archived=True)

    response, reads, _total = _reads(api_client(owner), f"/api/v1/deals/?pipeline={pipeline.pk}")

    assert reads == 1
    values = [deal["custom_fields"] for deal in response.json()["results"]]
    assert len(values) == 3
    assert all(set(v) == {"region", "budget", "csm"} for v in values)


def test_live_field_keys_leave_out_the_archived_and_give_a_lead_the_deal_fields(admin_user, fields):
    lead_field = custom_field_create(
        actor=admin_user, entity=FieldEntity.LEAD, name="Channel", type="text"
    )
    CustomField.objects.filter(pk=fields["note"].pk).update(archived=True)

    assert live_field_keys(FieldEntity.DEAL) == {"region", "budget", "csm"}
    assert live_field_keys(FieldEntity.LEAD) == {"region", "budget", "csm", lead_field.key}


def test_visible_values_of_some_fields_only(owner, pipeline, fields):
    (deal,) = _deals(owner, pipeline, fields, 1)
    chosen = [fields["region"], fields["csm"]]

    shown = visible_values(entity=FieldEntity.DEAL, records=[deal], user=owner, fields=chosen)
    every = visible_values(entity=FieldEntity.DEAL, records=[deal], user=owner)

    assert [(f.key, text) for f, text in shown[deal.pk]] == [
        ("region", "North"),
        ("csm", str(owner)),
    ]
    assert [f.key for f, _text in every[deal.pk]] == ["region", "budget", "csm", "note"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "cf_region={north}&cf_note=fair&columns=region&columns=csm",
        "cf_region=&cf_csm={owner}&cf_note=<b>&columns=budget",
    ],
)
def test_the_quick_filter_widgets_write_the_html_of_djangos_own(owner, fields, query):
    from django import forms
    from django.http import QueryDict
    from django.test.html import parse_html

    from crm.web.custom_fields import add_custom_filters

    north = fields["region"].options.get(label="North").pk
    data = QueryDict(query.format(north=north, owner=owner.pk))

    def rendered(quick: bool) -> dict[str, str]:
        form = forms.Form(data)
        add_custom_filters(form, FieldEntity.DEAL)
        if not quick:
            for field in form.fields.values():
                field.widget = {
                    forms.MultipleChoiceField: forms.SelectMultiple,
                    forms.ChoiceField: forms.Select,
                    forms.CharField: forms.TextInput,
                }[type(field)](attrs=field.widget.attrs)
                if hasattr(field, "choices"):
                    field.widget.choices = field.choices
        return {name: str(form[name]) for name in form.fields}

    quick, django_own = rendered(True), rendered(False)

    assert set(quick) == {"cf_region", "cf_budget", "cf_csm", "cf_note", "columns"}
    for name, html in django_own.items():
        assert parse_html(quick[name]) == parse_html(html), name
    assert "selected" in quick["columns"] or "columns" not in query
