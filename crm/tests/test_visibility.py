"""The visibility matrix: who sees, edits and manages each kind of record."""

import pytest

from activities.selectors import note_list
from activities.services import note_create
from contacts.selectors import organization_list, person_list
from contacts.services import organization_create, person_create
from crm.models import Visibility
from crm.visibility import can_edit, can_manage, can_view
from deals.selectors import deal_list
from deals.services import deal_create
from leads.selectors import lead_list
from leads.services import lead_create

VIEWERS = ["owner", "teammate", "outsider", "manager", "admin_user"]

# Who sees a record of each visibility (everyone in the first column sees, others do not).
EXPECTED_VIEW = {
    Visibility.OWNER: {"owner", "manager", "admin_user"},
    Visibility.TEAM: {"owner", "teammate", "manager", "admin_user"},
    Visibility.COMPANY: set(VIEWERS),
}


def _make(kind: str, owner, pipeline, visible_to):
    org = organization_create(actor=owner, name="Acme", visible_to=visible_to)
    if kind == "organization":
        return org
    person = person_create(actor=owner, name="Ann Lee", visible_to=visible_to)
    if kind == "person":
        return person
    if kind == "lead":
        return lead_create(actor=owner, title="Lead", person=person, visible_to=visible_to)
    return deal_create(
        actor=owner, title="Deal", pipeline=pipeline, person=person, visible_to=visible_to
    )


SELECTORS = {
    "organization": organization_list,
    "person": person_list,
    "lead": lead_list,
    "deal": deal_list,
}


@pytest.mark.parametrize("kind", list(SELECTORS))
@pytest.mark.parametrize("visible_to", list(Visibility))
def test_each_viewer_sees_exactly_what_the_rules_allow(
    request, kind, visible_to, owner, teammate, outsider, manager, admin_user, pipeline
):
    # Given a record of this kind and visibility, owned by `owner`
    record = _make(kind, owner, pipeline, visible_to)

    for viewer_name in VIEWERS:
        viewer = request.getfixturevalue(viewer_name)
        # When the viewer lists records of this kind
        seen = SELECTORS[kind](user=viewer).filter(pk=record.pk).exists()
        # Then the selector and the object check agree with the rules
        expected = viewer_name in EXPECTED_VIEW[visible_to]
        assert seen is expected, (viewer_name, kind, visible_to)
        assert can_view(viewer, record) is expected, (viewer_name, kind, visible_to)


@pytest.mark.parametrize("visible_to", list(Visibility))
def test_only_owner_their_managers_and_admins_may_manage(
    request, visible_to, owner, teammate, outsider, manager, admin_user, pipeline
):
    record = _make("deal", owner, pipeline, visible_to)

    managers = {name: can_manage(request.getfixturevalue(name), record) for name in VIEWERS}
    editors = {name: can_edit(request.getfixturevalue(name), record) for name in VIEWERS}

    assert managers == {
        "owner": True,
        "teammate": False,
        "outsider": False,
        "manager": True,
        "admin_user": True,
    }
    # Editing follows seeing.
    assert {name for name, ok in editors.items() if ok} == EXPECTED_VIEW[visible_to]


def test_notes_are_seen_by_those_who_see_the_deal(owner, teammate, outsider, pipeline):
    person = person_create(actor=owner, name="Ann Lee", visible_to=Visibility.TEAM)
    deal = deal_create(
        actor=owner, title="Deal", pipeline=pipeline, person=person, visible_to=Visibility.TEAM
    )
    note = note_create(actor=owner, deal=deal, content="Budget approved")

    assert note_list(user=teammate).filter(pk=note.pk).exists()
    assert not note_list(user=outsider).filter(pk=note.pk).exists()


def test_inactive_user_sees_nothing(owner, pipeline):
    person = person_create(actor=owner, name="Ann Lee", visible_to=Visibility.COMPANY)
    owner.is_active = False
    owner.save()

    assert not person_list(user=owner).filter(pk=person.pk).exists()


def test_a_note_on_a_private_deal_stays_private_though_its_person_is_shared(
    owner, teammate, manager, admin_user, pipeline
):
    person = person_create(actor=owner, name="Ann Lee", visible_to=Visibility.COMPANY)
    deal = deal_create(
        actor=owner, title="Deal", pipeline=pipeline, person=person, visible_to=Visibility.OWNER
    )
    note = note_create(actor=owner, deal=deal, content="Our floor price")

    seen = {
        name: note_list(user=user).filter(pk=note.pk).exists()
        for name, user in [
            ("owner", owner),
            ("teammate", teammate),
            ("manager", manager),
            ("admin_user", admin_user),
        ]
    }

    assert seen == {"owner": True, "teammate": False, "manager": True, "admin_user": True}
