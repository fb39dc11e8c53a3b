"""A deal links only people and organizations its actor may see: one rule, in the services."""

import pytest

from contacts.models import Person
from contacts.services import ContactRef, organization_create, person_create
from crm.errors import DomainError, NotPermitted
from deals.models import Deal, DealHistory, HistoryKind
from deals.services import deal_create, deal_save, deal_update
from deals.tests.factories import PipelineFactory
from leads.services import lead_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden_person(outsider):
    return person_create(actor=outsider, name="Hidden Person", visible_to="owner")


@pytest.fixture
def hidden_org(outsider):
    return organization_create(actor=outsider, name="Hidden GmbH", visible_to="owner")


@pytest.fixture
def deal(owner, pipeline):
    person = person_create(actor=owner, name="Ann Lee", visible_to="team")
    return deal_create(actor=owner, title="Rollout", pipeline=pipeline, person=person)


def test_creating_a_deal_for_a_person_the_actor_may_not_see_is_refused_on_person(
    owner, pipeline, hidden_person
):
    with pytest.raises(NotPermitted) as refused:
        deal_create(actor=owner, title="Sneaky", pipeline=pipeline, person=hidden_person)

    assert refused.value.field == "person"
    assert refused.value.message == "There is no such person."
    assert not Deal.objects.filter(title="Sneaky").exists()


def test_lead_create_gives_the_same_refusal_as_deal_create(owner, hidden_person, hidden_org):
    with pytest.raises(NotPermitted) as for_person:
        lead_create(actor=owner, title="Sneaky", person=hidden_person)
    with pytest.raises(NotPermitted) as for_org:
        lead_create(actor=owner, title="Sneaky", organization=hidden_org)

    assert (for_person.value.field, for_person.value.message) == (
        "person",
        "There is no such person.",
    )
    assert (for_org.value.field, for_org.value.message) == (
        "organization",
        "There is no such organization.",
    )


def test_linking_an_unseen_organization_in_an_update_is_refused_on_organization(
    owner, deal, hidden_org
):
    with pytest.raises(NotPermitted) as refused:
        deal_update(actor=owner, deal=deal, version=deal.version, organization=hidden_org)

    assert refused.value.field == "organization"
    deal.refresh_from_db()
    assert deal.organization_id is None and deal.version == 1


def test_an_editor_who_cannot_see_the_deals_person_may_still_edit_its_title(
    owner, teammate, pipeline
):
    # given a company deal whose person only its owner sees
    private = person_create(actor=owner, name="Private Pat", visible_to="owner")
    deal = deal_create(
        actor=owner, title="Rollout", pipeline=pipeline, person=private, visible_to="company"
    )
    # when
    deal = deal_update(
        actor=teammate, deal=deal, version=deal.version, title="Rollout 2", person=private
    )
    # then
    assert deal.title == "Rollout 2" and deal.person == private


def test_deal_save_creates_the_deal_with_a_new_person_and_organization(owner, pipeline):
    stage = pipeline.stages.order_by("order")[2]

    deal = deal_save(
        actor=owner,
        deal=None,
        person=ContactRef(name="Nina New", create=True, emails=["nina@new.example"]),
        organization=ContactRef(name="New Co", create=True),
        title="Fresh",
        pipeline=pipeline,
        stage=stage,
        visible_to="team",
    )

    assert deal.stage == stage
    assert deal.person.name == "Nina New" and deal.person.organization == deal.organization
    assert deal.organization.name == "New Co" and deal.person.visible_to == "team"


def test_deal_save_refused_leaves_no_new_contact_behind(owner, pipeline, hidden_org):
    with pytest.raises(DomainError) as refused:
        deal_save(
            actor=owner,
            deal=None,
            person=ContactRef(name="Orphan Olga", create=True),
            organization=ContactRef(id=hidden_org.pk),
            title="Never",
            pipeline=pipeline,
        )

    assert refused.value.field == "organization"
    assert not Person.objects.filter(name="Orphan Olga").exists()


def test_a_pipeline_change_in_an_update_moves_the_deal_and_records_it(owner, deal):
    other = PipelineFactory(name="Renewals", stages=["Due", "Offered", "Signed"])
    offered = other.stages.get(name="Offered")

    deal = deal_update(actor=owner, deal=deal, version=deal.version, pipeline=other, stage=offered)

    assert (deal.pipeline, deal.stage) == (other, offered)
    move = DealHistory.objects.get(deal=deal, kind=HistoryKind.STAGE)
    assert move.to_stage == offered and move.detail == "pipeline"
