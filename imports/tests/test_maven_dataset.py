"""The public Maven "CRM sales opportunities" data set imports with the right totals."""

import csv
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Sum

from crm.models import Role, Team, User
from deals.models import Deal, Pipeline, Stage
from imports.services import import_apply, import_create

DATA = Path(settings.BASE_DIR).parent / "shared" / "data" / "crm-sales-opportunities"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not DATA.exists(), reason=f"the data set is not at {DATA}"),
]


def _agents_as_users() -> None:
    """Sales agents as users, one team per manager, managed by that manager."""
    with open(DATA / "sales_teams.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            team, _created = Team.objects.get_or_create(name=row["manager"])
            manager_first, manager_last = row["manager"].split(" ", 1)
            manager, _created = User.objects.get_or_create(
                username=row["manager"].lower().replace(" ", "."),
                defaults={
                    "first_name": manager_first,
                    "last_name": manager_last,
                    "role": Role.MANAGER,
                },
            )
            manager.managed_teams.add(team)
            first, last = row["sales_agent"].split(" ", 1)
            User.objects.create(
                username=row["sales_agent"].lower().replace(" ", "."),
                first_name=first,
                last_name=last,
                team=team,
            )


def _file_totals() -> tuple[Counter, Decimal]:
    with open(DATA / "sales_pipeline.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    won_value = sum(Decimal(r["close_value"]) for r in rows if r["deal_stage"] == "Won")
    return Counter(r["deal_stage"] for r in rows), won_value


def test_maven_accounts_and_opportunities_import_with_matching_totals(admin_user):
    _agents_as_users()
    pipeline = Pipeline.objects.create(name="Maven")
    for order, name in enumerate(["Prospecting", "Engaging"]):
        Stage.objects.create(pipeline=pipeline, name=name, order=order)
    accounts = import_create(
        actor=admin_user,
        file_name="accounts.csv",
        content=(DATA / "accounts.csv").read_bytes(),
        kind="organizations",
    )
    import_apply(actor=admin_user, import_run=accounts)

    deals = import_create(
        actor=admin_user,
        file_name="sales_pipeline.csv",
        content=(DATA / "sales_pipeline.csv").read_bytes(),
        kind="deals",
        options={"pipeline": pipeline.pk, "placeholder_organization": "(No account)"},
    )
    deals = import_apply(actor=admin_user, import_run=deals)

    stages, won_value = _file_totals()
    assert deals.status == "applied", (deals.error, deals.preview.get("errors", [])[:3])
    assert (
        deals.mapping["sales_agent"] == "owner" and deals.mapping["account"] == "organization_name"
    )
    assert Deal.objects.count() == sum(stages.values()) == 8800
    open_deals = Deal.objects.filter(status="open")
    assert open_deals.filter(stage__name="Prospecting").count() == stages["Prospecting"]
    assert open_deals.filter(stage__name="Engaging").count() == stages["Engaging"]
    assert Deal.objects.filter(status="won").count() == stages["Won"]
    assert Deal.objects.filter(status="lost").count() == stages["Lost"]
    assert Deal.objects.filter(status="won").aggregate(v=Sum("value"))["v"] == won_value
    # Rows without an account were linked to the chosen placeholder, none dropped.
    assert Deal.objects.filter(organization__name="(No account)").exists()
    assert not Deal.objects.filter(owner=admin_user).exists()
