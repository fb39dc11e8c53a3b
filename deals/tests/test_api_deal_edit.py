"""The deals API's writes of contacts, labels, pipeline and stage, and their refusals."""

import pytest

from crm.tests.api import api_client, make_deal, make_organization, make_person
from crm.tests.factories import LabelFactory
from deals.models import Deal, DealHistory, HistoryKind
from deals.tests.factories import PipelineFactory

pytestmark = pytest.mark.django_db


def test_create_puts_the_deal_in_the_stage_given(owner, pipeline):
    person = make_person(owner)
    proposal = pipeline.stages.get(name="Proposal")
    label = LabelFactory(name="Hot")

    response = api_client(owner).post(
        "/api/v1/deals/",
        {
            "title": "Relaunch",
            "pipeline": pipeline.pk,
            "stage": proposal.pk,
            "person": person.pk,
            "labels": [label.pk],
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["stage"], body["labels"], body["version"]) == (proposal.pk, [label.pk], 1)
    assert DealHistory.objects.get(deal_id=body["id"]).to_stage == proposal


def test_patch_changes_the_person_and_organization(owner, pipeline):
    deal = make_deal(owner, pipeline)
    other = make_person(owner, name="Bea Other")
    org = make_organization(owner, name="Other AG")

    response = api_client(owner).patch(
        f"/api/v1/deals/{deal.pk}/",
        {"person": other.pk, "organization": org.pk, "version": deal.version},
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["person"], response.json()["organization"]) == (other.pk, org.pk)


def test_patch_to_a_person_the_caller_may_not_see_is_a_400_on_person(owner, outsider, pipeline):
    deal = make_deal(owner, pipeline)
    hidden = make_person(outsider, visible_to="owner")

    response = api_client(owner).patch(
        f"/api/v1/deals/{deal.pk}/", {"person": hidden.pk, "version": 1}, format="json"
    )

    assert response.status_code == 400
    assert "person" in response.json()
    deal.refresh_from_db()
    assert deal.person_id != hidden.pk and deal.version == 1


def test_patch_to_an_unseen_person_says_the_same_as_to_one_that_does_not_exist(
    owner, outsider, pipeline
):
    deal = make_deal(owner, pipeline)
    hidden = make_person(outsider, visible_to="owner")
    client = api_client(owner)

    unseen = client.patch(
        f"/api/v1/deals/{deal.pk}/", {"person": hidden.pk, "version": 1}, format="json"
    ).json()
    missing = client.patch(
        f"/api/v1/deals/{deal.pk}/", {"person": hidden.pk + 1000, "version": 1}, format="json"
    ).json()

    assert unseen["person"][0].replace(str(hidden.pk), "N") == missing["person"][0].replace(
        str(hidden.pk + 1000), "N"
    )


def test_patch_moves_the_deal_to_another_pipeline_and_records_it(owner, pipeline):
    deal = make_deal(owner, pipeline)
    other = PipelineFactory(name="Renewals", stages=["Due", "Offered"])
    offered = other.stages.get(name="Offered")

    response = api_client(owner).patch(
        f"/api/v1/deals/{deal.pk}/",
        {"pipeline": other.pk, "stage": offered.pk, "version": 1},
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["pipeline"], response.json()["stage"]) == (other.pk, offered.pk)
    move = DealHistory.objects.get(deal=deal, kind=HistoryKind.STAGE)
    assert move.to_stage == offered and move.detail == "pipeline"


def test_patch_with_a_stage_of_another_pipeline_is_a_400_on_stage(owner, pipeline):
    deal = make_deal(owner, pipeline)
    other = PipelineFactory(name="Renewals", stages=["Due"])

    response = api_client(owner).patch(
        f"/api/v1/deals/{deal.pk}/",
        {"pipeline": pipeline.pk, "stage": other.first_stage().pk, "version": 1},
        format="json",
    )

    assert response.status_code == 400
    assert "stage" in response.json()
    assert Deal.objects.get(pk=deal.pk).stage == pipeline.first_stage()


def test_patch_of_labels_with_a_stale_version_is_a_409_and_keeps_the_labels(
    owner, teammate, pipeline
):
    deal = make_deal(owner, pipeline)
    api_client(teammate).patch(
        f"/api/v1/deals/{deal.pk}/", {"title": "Renamed", "version": 1}, format="json"
    )

    response = api_client(owner).patch(
        f"/api/v1/deals/{deal.pk}/",
        {"labels": [LabelFactory(name="Hot").pk], "version": 1},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["current"]["labels"] == []
    assert not Deal.objects.get(pk=deal.pk).labels.exists()
