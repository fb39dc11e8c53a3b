"""Shared fixtures: the five users permission tests need, and a pipeline."""

import pytest

pytest_plugins = ["crm.tests.browser_fixtures"]


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request by a user who chose German
    activates it for the thread (as every request of a real server does for itself), and the
    test client would carry it over into the next test."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture
def team(db):
    from crm.tests.factories import TeamFactory

    return TeamFactory(name="North")


@pytest.fixture
def other_team(db):
    from crm.tests.factories import TeamFactory

    return TeamFactory(name="South")


@pytest.fixture
def owner(team):
    from crm.tests.factories import UserFactory

    return UserFactory(username="owner", first_name="Olivia", last_name="Owner", team=team)


@pytest.fixture
def teammate(team):
    from crm.tests.factories import UserFactory

    return UserFactory(username="teammate", first_name="Tom", last_name="Mate", team=team)


@pytest.fixture
def outsider(other_team):
    from crm.tests.factories import UserFactory

    return UserFactory(username="outsider", first_name="Otto", last_name="Side", team=other_team)


@pytest.fixture
def manager(team, other_team):
    """Manages the owner's team; sits in a team of their own."""
    from crm.models import Role
    from crm.tests.factories import TeamFactory, UserFactory

    user = UserFactory(
        username="manager",
        first_name="Mia",
        last_name="Manager",
        role=Role.MANAGER,
        team=TeamFactory(name="Management"),
    )
    user.managed_teams.add(team)
    return user


@pytest.fixture
def admin_user(other_team):
    from crm.models import Role
    from crm.tests.factories import UserFactory

    return UserFactory(
        username="admin", first_name="Ada", last_name="Admin", role=Role.ADMIN, team=other_team
    )


@pytest.fixture
def pipeline(db):
    from deals.tests.factories import PipelineFactory

    return PipelineFactory(name="Sales")


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request of a user who reads German leaves German active in the thread (the locale
    middleware activates, nothing deactivates): the next test in this worker would read
    German messages. Each test starts and ends in the default language."""
    from django.utils import translation

    yield
    translation.deactivate()
