"""The demo company `make run` loads: users who can log in, and records each of them may see."""

import pytest
from django.core.management import call_command

from crm.models import User
from deals.models import Deal
from deals.selectors import deal_list
from leads.models import Lead


@pytest.mark.django_db
def test_load_demo_creates_the_users_and_records_the_readme_names():
    call_command("load_demo")

    assert set(User.objects.values_list("username", flat=True)) >= {
        "admin",
        "maria",
        "ben",
        "clara",
        "david",
        "emma",
    }
    assert User.objects.get(username="ben").check_password("demo-pass-2026")
    assert Deal.objects.exists() and Lead.objects.exists()


@pytest.mark.django_db
def test_demo_reps_of_one_team_do_not_see_the_other_teams_private_deals():
    call_command("load_demo")
    ben, david = User.objects.get(username="ben"), User.objects.get(username="david")

    seen_by_ben = set(deal_list(user=ben).values_list("pk", flat=True))
    davids_private = Deal.objects.filter(owner=david).exclude(visible_to="company")

    assert davids_private.exists()
    assert not seen_by_ben & set(davids_private.values_list("pk", flat=True))


@pytest.mark.django_db
def test_load_demo_if_empty_leaves_an_existing_company_alone():
    call_command("load_demo")
    deals = Deal.objects.count()

    call_command("load_demo", "--if-empty")

    assert Deal.objects.count() == deals
