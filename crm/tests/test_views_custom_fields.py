"""Custom fields on the pages: record forms write them, record pages show them, as far as the
reader may see; the list filters and exports carry them."""

import csv
import io

import pytest
from django.urls import reverse

from crm.custom_fields.services import custom_field_create
from crm.models import FieldEntity
from crm.tests.api import make_deal, make_lead, make_person
from deals.models import Deal

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


def test_the_deal_page_shows_the_values(client, owner, pipeline, contract):
    annual = contract.options.get(label="Annual").pk
    deal = make_deal(owner, pipeline, custom_fields={"contract_type": annual})
    client.force_login(owner)

    html = client.get(reverse("deals:detail", args=[deal.pk])).content.decode()

    assert "<dt>Contract type</dt><dd>Annual</dd>" in html


def test_a_person_field_shows_no_name_to_who_may_not_see_the_person(
    client, admin_user, owner, outsider, pipeline
):
    custom_field_create(actor=admin_user, entity=FieldEntity.DEAL, name="Referrer", type="person")
    secret = make_person(owner, name="Secret Sam", visible_to="owner")
    deal = make_deal(owner, pipeline, custom_fields={"referrer": secret.pk}, visible_to="company")
    client.force_login(outsider)

    html = client.get(reverse("deals:detail", args=[deal.pk])).content.decode()

    assert "<dt>Referrer</dt><dd>—</dd>" in html
    assert "Secret Sam" not in html


def test_a_bad_value_in_the_edit_form_is_an_error_on_its_input(client, admin_user, owner, pipeline):
    custom_field_create(
        actor=admin_user, entity=FieldEntity.DEAL, name="Region", type="text", required=True
    )
    deal = make_deal(owner, pipeline, custom_fields={"region": "EU"})
    client.force_login(owner)
    form = client.get(reverse("deals:edit", args=[deal.pk])).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(cf_region="", labels=[])

    response = client.post(reverse("deals:edit", args=[deal.pk]), data)

    assert response.status_code == 400
    assert response.context["form"].errors["cf_region"]
    assert Deal.objects.get().custom_fields == {"region": "EU"}


def test_the_convert_dialog_lists_the_values_that_come_along(client, owner, contract):
    annual = contract.options.get(label="Annual").pk
    lead = make_lead(owner, custom_fields={"contract_type": annual})
    client.force_login(owner)

    html = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()

    assert "These fields come along to the deal:" in html
    assert "<dt>Contract type</dt><dd>Annual</dd>" in html


def test_the_export_has_a_column_per_field_and_follows_the_filter(
    client, owner, pipeline, contract
):
    annual, monthly = (contract.options.get(label=x).pk for x in ("Annual", "Monthly"))
    make_deal(owner, pipeline, title="Yearly one", custom_fields={"contract_type": annual})
    make_deal(owner, pipeline, title="Monthly one", custom_fields={"contract_type": monthly})
    client.force_login(owner)

    response = client.get(
        reverse("imports:export", args=["deals", "csv"]) + f"?cf_contract_type={annual}"
    )

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["Title"], r["Contract type"]) for r in rows] == [("Yearly one", "Annual")]


def test_a_non_admin_gets_404_on_the_field_settings(client, owner, contract):
    client.force_login(owner)

    assert client.get(reverse("field_list")).status_code == 404
    assert client.get(reverse("field_edit", args=[contract.pk])).status_code == 404
    assert client.post(reverse("field_delete", args=[contract.pk])).status_code == 404
    contract.refresh_from_db()
