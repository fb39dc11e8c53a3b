"""The deals API: visibility, moves by PATCH with the version seen (409 when stale), won/lost."""

import pytest

from crm.tests.api import api_client, make_deal, make_organization, make_person
from crm.tests.factories import LabelFactory
from deals.models import Deal, DealHistory, DealStatus
from deals.tests.factories import LostReasonFactory

pytestmark = pytest.mark.django_db

MATRIX = [
    ("owner", 200),
    ("teammate", 200),
    ("outsider", 404),
    ("manager", 200),
    ("admin_user", 200),
]


def _stage(pipeline, n):
    return pipeline.stages.order_by("order")[n]


@pytest.mark.parametrize(("viewer", "expected"), MATRIX)
def test_deal_is_seen_by_whom_the_rules_say(request, owner, pipeline, viewer, expected):
    deal = make_deal(owner, pipeline)
    user = request.getfixturevalue(viewer)

    response = api_client(user).get(f"/api/v1/deals/{deal.pk}/")

    assert response.status_code == expected


@pytest.mark.parametrize(("viewer", "expected"), MATRIX)
def test_deal_list_holds_only_visible_deals(request, owner, pipeline, viewer, expected):
    deal = make_deal(owner, pipeline)
    user = request.getfixturevalue(viewer)

    ids = [d["id"] for d in api_client(user).get("/api/v1/deals/").json()["results"]]

    assert (deal.pk in ids) == (expected == 200)


def test_deal_renders_money_as_a_decimal_string_and_its_version(owner, pipeline):
    deal = make_deal(owner, pipeline, value="1234.50")

    body = api_client(owner).get(f"/api/v1/deals/{deal.pk}/").json()

    assert body["value"] == "1234.50"
    assert body["version"] == 1
    assert body["status"] == "open"
    assert body["lead"] is None


def test_create_puts_the_deal_in_the_first_stage_by_default(owner, pipeline):
    person = make_person(owner)

    response = api_client(owner).post(
        "/api/v1/deals/",
        {
            "title": "Relaunch",
            "pipeline": pipeline.pk,
            "person": person.pk,
            "value": "99.90",
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["stage"] == _stage(pipeline, 0).pk
    assert response.json()["value"] == "99.90"


def test_create_ignores_status_timestamps_and_version(owner, pipeline):
    person = make_person(owner)

    response = api_client(owner).post(
        "/api/v1/deals/",
        {
            "title": "Relaunch",
            "pipeline": pipeline.pk,
            "person": person.pk,
            "status": "won",
            "won_at": "2020-01-01T00:00:00Z",
            "version": 42,
        },
        format="json",
    )

    body = response.json()
    assert (body["status"], body["won_at"], body["version"]) == ("open", None, 1)


def test_create_with_an_unseen_person_is_a_400_on_person(owner, outsider, pipeline):
    hidden = make_person(outsider, visible_to="owner")

    response = api_client(owner).post(
        "/api/v1/deals/",
        {
            "title": "Relaunch",
            "pipeline": pipeline.pk,
            "person": hidden.pk,
        },
        format="json",
    )

    assert response.status_code == 400
    assert "person" in response.json()
    assert not Deal.objects.exists()


def test_create_without_person_or_organization_is_a_400(owner, pipeline):
    response = api_client(owner).post(
        "/api/v1/deals/", {"title": "Relaunch", "pipeline": pipeline.pk}, format="json"
    )

    assert response.status_code == 400
    assert "person" in response.json()


def test_stage_of_another_pipeline_is_a_400_on_stage(owner, pipeline):
    from deals.tests.factories import PipelineFactory

    other = PipelineFactory(name="Partners")
    person = make_person(owner)

    response = api_client(owner).post(
        "/api/v1/deals/",
        {
            "title": "Relaunch",
            "pipeline": pipeline.pk,
            "stage": _stage(other, 1).pk,
            "person": person.pk,
        },
        format="json",
    )

    assert response.status_code == 400
    assert "stage" in response.json()


def test_patch_with_the_current_version_moves_the_stage_and_records_it(owner, pipeline):
    deal = make_deal(owner, pipeline)
    target = _stage(pipeline, 2)

    response = api_client(owner).patch(
        f"/api/v1/deals/{deal.pk}/", {"stage": target.pk, "version": 1}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["stage"], response.json()["version"]) == (target.pk, 2)
    assert DealHistory.objects.filter(deal=deal, kind="stage", to_stage=target).exists()


def test_patch_with_a_stale_version_is_a_409_with_the_current_deal(owner, teammate, pipeline):
    deal = make_deal(owner, pipeline)
    api_client(teammate).patch(
        f"/api/v1/deals/{deal.pk}/", {"title": "Renamed", "version": 1}, format="json"
    )

    response = api_client(owner).patch(
        f"/api/v1/deals/{deal.pk}/",
        {"stage": _stage(pipeline, 3).pk, "version": 1},
        format="json",
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_version"
    assert (body["current"]["title"], body["current"]["version"]) == ("Renamed", 2)
    deal.refresh_from_db()
    assert deal.stage == _stage(pipeline, 0)


def test_patch_without_a_version_is_a_400_on_version(owner, pipeline):
    deal = make_deal(owner, pipeline)

    response = api_client(owner).patch(
        f"/api/v1/deals/{deal.pk}/", {"title": "Renamed"}, format="json"
    )

    assert response.status_code == 400
    assert "version" in response.json()


def test_patch_ignores_status_and_owner(owner, teammate, pipeline):
    deal = make_deal(owner, pipeline)

    response = api_client(owner).patch(
        f"/api/v1/deals/{deal.pk}/",
        {"status": "won", "owner": teammate.pk, "version": 1},
        format="json",
    )

    assert response.status_code == 200
    deal.refresh_from_db()
    assert (deal.status, deal.owner) == ("open", owner)


def test_create_ignores_owner(owner, teammate, pipeline):
    person = make_person(owner)

    response = api_client(owner).post(
        "/api/v1/deals/",
        {"title": "Relaunch", "pipeline": pipeline.pk, "person": person.pk, "owner": teammate.pk},
        format="json",
    )

    assert response.status_code == 201
    assert Deal.objects.get().owner == owner


def test_owner_reassigns_a_deal_to_a_teammate(owner, teammate, pipeline):
    deal = make_deal(owner, pipeline)

    response = api_client(owner).post(
        f"/api/v1/deals/{deal.pk}/reassign/", {"owner": teammate.pk}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["owner"], response.json()["version"]) == (teammate.pk, 2)


def test_teammate_cannot_reassign_the_owners_deal(owner, teammate, pipeline):
    deal = make_deal(owner, pipeline)

    response = api_client(teammate).post(
        f"/api/v1/deals/{deal.pk}/reassign/", {"owner": teammate.pk}, format="json"
    )

    assert response.status_code == 400
    assert "owner" in response.json()
    deal.refresh_from_db()
    assert (deal.owner, deal.version) == (owner, 1)


def test_manager_reassigns_a_deal_within_their_team(owner, teammate, manager, pipeline):
    deal = make_deal(owner, pipeline)

    response = api_client(manager).post(
        f"/api/v1/deals/{deal.pk}/reassign/", {"owner": teammate.pk}, format="json"
    )

    assert response.status_code == 200
    deal.refresh_from_db()
    assert deal.owner == teammate


def test_outsider_reassigning_an_unseen_deal_gets_404(owner, outsider, pipeline):
    deal = make_deal(owner, pipeline)

    response = api_client(outsider).post(
        f"/api/v1/deals/{deal.pk}/reassign/", {"owner": outsider.pk}, format="json"
    )

    assert response.status_code == 404


def test_reassign_with_a_stale_version_is_a_409(owner, teammate, pipeline):
    deal = make_deal(owner, pipeline)
    api_client(owner).patch(
        f"/api/v1/deals/{deal.pk}/", {"title": "Renamed", "version": 1}, format="json"
    )

    response = api_client(owner).post(
        f"/api/v1/deals/{deal.pk}/reassign/", {"owner": teammate.pk, "version": 1}, format="json"
    )

    assert response.status_code == 409
    deal.refresh_from_db()
    assert deal.owner == owner


def test_patch_sets_labels_by_id(owner, pipeline):
    deal = make_deal(owner, pipeline)
    label = LabelFactory(name="Hot")

    response = api_client(owner).patch(
        f"/api/v1/deals/{deal.pk}/", {"labels": [label.pk], "version": 1}, format="json"
    )

    assert response.json()["labels"] == [label.pk]


def test_outsider_cannot_move_an_unseen_deal(owner, outsider, pipeline):
    deal = make_deal(owner, pipeline)

    response = api_client(outsider).patch(
        f"/api/v1/deals/{deal.pk}/",
        {"stage": _stage(pipeline, 1).pk, "version": 1},
        format="json",
    )

    assert response.status_code == 404


def test_won_marks_the_deal_won_with_a_timestamp(owner, pipeline):
    deal = make_deal(owner, pipeline)

    response = api_client(owner).post(f"/api/v1/deals/{deal.pk}/won/", {}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "won"
    assert response.json()["won_at"] is not None


def test_won_twice_is_a_400(owner, pipeline):
    deal = make_deal(owner, pipeline)
    client = api_client(owner)
    client.post(f"/api/v1/deals/{deal.pk}/won/", {}, format="json")

    response = client.post(f"/api/v1/deals/{deal.pk}/won/", {}, format="json")

    assert response.status_code == 400


def test_won_with_a_stale_version_is_a_409(owner, pipeline):
    deal = make_deal(owner, pipeline)

    response = api_client(owner).post(
        f"/api/v1/deals/{deal.pk}/won/", {"version": 7}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["current"]["status"] == "open"


def test_lost_needs_a_reason(owner, pipeline):
    deal = make_deal(owner, pipeline)

    response = api_client(owner).post(f"/api/v1/deals/{deal.pk}/lost/", {}, format="json")

    assert response.status_code == 400
    assert "lost_reason" in response.json()


def test_lost_with_a_reason_and_reopen(owner, pipeline):
    deal = make_deal(owner, pipeline)
    reason = LostReasonFactory()
    client = api_client(owner)

    lost = client.post(f"/api/v1/deals/{deal.pk}/lost/", {"lost_reason": reason.pk}, format="json")
    reopened = client.post(f"/api/v1/deals/{deal.pk}/reopen/", {}, format="json")

    assert (lost.json()["status"], lost.json()["lost_reason"]) == ("lost", reason.pk)
    assert (reopened.json()["status"], reopened.json()["lost_at"]) == (DealStatus.OPEN, None)


def test_deals_filter_by_status_stage_and_organization(owner, pipeline):
    acme = make_organization(owner)
    wanted = make_deal(owner, pipeline, title="Wanted", organization=acme)
    make_deal(owner, pipeline, title="Other")
    client = api_client(owner)

    by_org = client.get(f"/api/v1/deals/?organization={acme.pk}&status=open").json()
    by_stage = client.get(f"/api/v1/deals/?stage={_stage(pipeline, 1).pk}").json()

    assert [d["id"] for d in by_org["results"]] == [wanted.pk]
    assert by_stage["count"] == 0


def test_deals_search_by_title(owner, pipeline):
    make_deal(owner, pipeline, title="Website relaunch")
    make_deal(owner, pipeline, title="Hosting")

    results = api_client(owner).get("/api/v1/deals/?search=relaunch").json()["results"]

    assert [d["title"] for d in results] == ["Website relaunch"]


def test_teammate_may_not_delete_the_owners_deal_but_the_owner_may(owner, teammate, pipeline):
    deal = make_deal(owner, pipeline)

    refused = api_client(teammate).delete(f"/api/v1/deals/{deal.pk}/")
    deleted = api_client(owner).delete(f"/api/v1/deals/{deal.pk}/")

    assert (refused.status_code, deleted.status_code) == (403, 204)


def test_deal_timeline_shows_the_stage_changes(owner, pipeline):
    deal = make_deal(owner, pipeline)
    api_client(owner).patch(
        f"/api/v1/deals/{deal.pk}/",
        {"stage": _stage(pipeline, 1).pk, "version": 1},
        format="json",
    )

    results = api_client(owner).get(f"/api/v1/deals/{deal.pk}/timeline/").json()["results"]

    assert [e["kind"] for e in results] == ["history", "history"]
    assert results[0]["summary"] == "Qualified → Contact made"


def test_pipelines_and_stages_are_listed_in_order(owner, pipeline):
    client = api_client(owner)

    pipelines = client.get("/api/v1/pipelines/").json()["results"]
    stages = client.get(f"/api/v1/stages/?pipeline={pipeline.pk}").json()["results"]

    assert [s["name"] for s in pipelines[0]["stages"]] == [
        "Qualified",
        "Contact made",
        "Proposal",
        "Negotiation",
    ]
    assert [s["order"] for s in stages] == [0, 1, 2, 3]
    assert set(stages[0]) == {"id", "name", "pipeline", "order", "probability", "rotting_days"}


def test_lost_reasons_and_lead_labels_are_listed(owner):
    LostReasonFactory(name="Too expensive")
    LabelFactory(name="Hot")
    client = api_client(owner)

    reasons = client.get("/api/v1/lost-reasons/").json()["results"]
    labels = client.get("/api/v1/lead-labels/").json()["results"]

    assert [r["name"] for r in reasons] == ["Too expensive"]
    assert [(la["name"], la["color"]) for la in labels] == [("Hot", "#2563eb")]


def test_pipelines_are_read_only_for_reps(owner):
    # Admins create them (deals/tests/test_api_setup.py).
    response = api_client(owner).post("/api/v1/pipelines/", {"name": "New"}, format="json")

    assert response.status_code == 403


@pytest.mark.parametrize("viewer", [name for name, _expected in MATRIX])
@pytest.mark.parametrize(
    "query",
    ["", "status=won", "pipeline={pipeline}", "stage={stage}", "owner={owner}", "search=Big"],
)
def test_deal_list_count_is_the_number_of_visible_deals_listed(
    request, owner, teammate, outsider, pipeline, viewer, query
):
    # Given deals of three users in every visibility, one of them won
    for author in (owner, teammate, outsider):
        for visible_to in ("owner", "team", "company"):
            make_deal(author, pipeline, visible_to=visible_to, stage=_stage(pipeline, 1))
    make_deal(owner, pipeline, title="Other", visible_to="company")
    Deal.objects.filter(owner=teammate, visible_to="company").update(
        status=DealStatus.WON, won_at="2026-01-02T10:00:00Z"
    )
    user = request.getfixturevalue(viewer)
    query = query.format(pipeline=pipeline.pk, stage=_stage(pipeline, 1).pk, owner=owner.pk)

    # When the user lists them (the count comes from the deal tally where it can)
    body = api_client(user).get(f"/api/v1/deals/?page_size=200&{query}").json()

    # Then the count is the number of deals the list holds
    assert body["count"] == len(body["results"])
    assert body["count"] > 0


def test_deal_representation_equals_what_the_generic_model_serializer_gives(owner, pipeline):
    # Given a won deal with labels, dates and a value with cents
    from rest_framework import serializers as drf

    from deals.api.serializers import DealSerializer
    from deals.services import deal_mark_won

    deal = make_deal(owner, pipeline, value="1234.5", expected_close_date="2026-12-24")
    deal.labels.add(LabelFactory(), LabelFactory())
    deal = deal_mark_won(actor=owner, deal=deal)

    # When the hand-built representation and ModelSerializer's own walk render it
    built = api_client(owner).get("/api/v1/deals/?page_size=200").json()["results"][0]
    fresh = Deal.objects.get(pk=deal.pk)
    generic = drf.ModelSerializer.to_representation(DealSerializer(), fresh)

    # Then they agree field by field (labels in any order)
    assert built.keys() == generic.keys()
    for name in built:
        if name == "labels":
            assert sorted(built[name]) == sorted(generic[name])
        else:
            assert built[name] == generic[name], name
