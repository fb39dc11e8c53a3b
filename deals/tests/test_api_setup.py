"""Pipelines, stages and lost reasons through the API: admins write, everyone else reads."""

import pytest

from crm.tests.api import api_client, make_deal
from deals.models import Deal, LostReason, Pipeline, Stage

pytestmark = pytest.mark.django_db


def stage_ids(pipeline):
    return list(pipeline.stages.order_by("order").values_list("id", flat=True))


def test_admin_creates_a_pipeline_with_its_stages(admin_user):
    response = api_client(admin_user).post(
        "/api/v1/pipelines/", {"name": "Partners", "stages": ["Intro", "Pilot"]}, format="json"
    )

    assert response.status_code == 201
    assert [s["name"] for s in response.json()["stages"]] == ["Intro", "Pilot"]


def test_admin_renames_and_archives_a_pipeline_and_still_reads_it(admin_user, pipeline):
    Pipeline.objects.create(name="Other")
    client = api_client(admin_user)

    response = client.patch(
        f"/api/v1/pipelines/{pipeline.pk}/", {"name": "Direct", "is_active": False}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["is_active"]) == ("Direct", False)
    assert client.get(f"/api/v1/pipelines/{pipeline.pk}/").status_code == 200


def test_an_archived_pipeline_is_gone_for_reps(admin_user, owner, pipeline):
    Pipeline.objects.create(name="Other")
    api_client(admin_user).patch(
        f"/api/v1/pipelines/{pipeline.pk}/", {"is_active": False}, format="json"
    )

    assert api_client(owner).get(f"/api/v1/pipelines/{pipeline.pk}/").status_code == 404


def test_admin_adds_a_stage_at_a_position(admin_user, pipeline):
    response = api_client(admin_user).post(
        "/api/v1/stages/",
        {"name": "Demo", "pipeline": pipeline.pk, "order": 1, "probability": 35, "rotting_days": 7},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["order"] == 1
    assert list(pipeline.stages.order_by("order").values_list("name", flat=True))[:3] == [
        "Qualified",
        "Demo",
        "Contact made",
    ]


def test_a_duplicate_stage_name_is_a_400_on_name(admin_user, pipeline):
    response = api_client(admin_user).post(
        "/api/v1/stages/", {"name": "PROPOSAL", "pipeline": pipeline.pk}, format="json"
    )

    assert response.status_code == 400
    assert "name" in response.json()


@pytest.mark.parametrize("probability", [-5, 101])
def test_a_probability_outside_0_to_100_is_a_400(admin_user, pipeline, probability):
    stage = pipeline.stages.first()

    response = api_client(admin_user).patch(
        f"/api/v1/stages/{stage.pk}/", {"probability": probability}, format="json"
    )

    assert response.status_code == 400
    assert "probability" in response.json()


def test_admin_edits_a_stage(admin_user, pipeline):
    stage = pipeline.stages.first()

    response = api_client(admin_user).patch(
        f"/api/v1/stages/{stage.pk}/",
        {"name": "Lead in", "probability": 5, "rotting_days": None},
        format="json",
    )

    assert response.status_code == 200
    stage.refresh_from_db()
    assert (stage.name, stage.probability, stage.rotting_days) == ("Lead in", 5, None)


def test_a_stage_with_deals_keeps_its_pipeline(admin_user, owner, pipeline):
    stage = pipeline.stages.first()
    make_deal(owner, pipeline, stage=stage)
    other = Pipeline.objects.create(name="Other")

    response = api_client(admin_user).patch(
        f"/api/v1/stages/{stage.pk}/", {"pipeline": other.pk}, format="json"
    )

    assert response.status_code == 400
    assert "pipeline" in response.json()


def test_admin_reorders_the_stages(admin_user, pipeline):
    ids = stage_ids(pipeline)

    response = api_client(admin_user).post(
        f"/api/v1/pipelines/{pipeline.pk}/reorder-stages/",
        {"order": ids[::-1], "seen": ids},
        format="json",
    )

    assert response.status_code == 200
    assert [s["id"] for s in response.json()["stages"]] == ids[::-1]
    assert stage_ids(pipeline) == ids[::-1]


def test_a_stale_reorder_is_a_409_and_changes_nothing(admin_user, pipeline):
    ids = stage_ids(pipeline)
    seen = [ids[1], ids[0], *ids[2:]]

    response = api_client(admin_user).post(
        f"/api/v1/pipelines/{pipeline.pk}/reorder-stages/",
        {"order": ids[::-1], "seen": seen},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert stage_ids(pipeline) == ids


def test_deleting_a_stage_moves_its_deals_to_move_to(admin_user, owner, pipeline):
    first, second, *_ = pipeline.stages.order_by("order")
    deal = make_deal(owner, pipeline, stage=first)

    response = api_client(admin_user).delete(f"/api/v1/stages/{first.pk}/?move_to={second.pk}")

    assert response.status_code == 204
    assert Deal.objects.get(pk=deal.pk).stage_id == second.pk
    assert not Stage.objects.filter(pk=first.pk).exists()


def test_deleting_a_stage_with_deals_without_move_to_is_a_400(admin_user, owner, pipeline):
    first = pipeline.stages.order_by("order").first()
    make_deal(owner, pipeline, stage=first)

    response = api_client(admin_user).delete(f"/api/v1/stages/{first.pk}/")

    assert response.status_code == 400
    assert "move_to" in response.json()
    assert Stage.objects.filter(pk=first.pk).exists()


def test_admin_manages_lost_reasons(admin_user):
    client = api_client(admin_user)

    created = client.post("/api/v1/lost-reasons/", {"name": "No budget"}, format="json")
    pk = created.json()["id"]
    retired = client.patch(f"/api/v1/lost-reasons/{pk}/", {"is_active": False}, format="json")
    duplicate = client.post("/api/v1/lost-reasons/", {"name": "no budget"}, format="json")
    deleted = client.delete(f"/api/v1/lost-reasons/{pk}/")

    assert (created.status_code, retired.json()["is_active"]) == (201, False)
    assert duplicate.status_code == 400
    assert deleted.status_code == 204
    assert not LostReason.objects.exists()


@pytest.mark.parametrize("who", ["owner", "manager"])
def test_reps_and_managers_read_but_may_not_write(who, request, pipeline):
    client = api_client(request.getfixturevalue(who))
    stage = pipeline.stages.first()
    reason = LostReason.objects.create(name="Timing")
    ids = stage_ids(pipeline)

    reads = [
        client.get("/api/v1/pipelines/"),
        client.get("/api/v1/stages/"),
        client.get("/api/v1/lost-reasons/"),
    ]
    writes = [
        client.post("/api/v1/pipelines/", {"name": "Mine"}, format="json"),
        client.patch(f"/api/v1/pipelines/{pipeline.pk}/", {"name": "Mine"}, format="json"),
        client.delete(f"/api/v1/pipelines/{pipeline.pk}/"),
        client.post(
            f"/api/v1/pipelines/{pipeline.pk}/reorder-stages/",
            {"order": ids[::-1], "seen": ids},
            format="json",
        ),
        client.post("/api/v1/stages/", {"name": "X", "pipeline": pipeline.pk}, format="json"),
        client.patch(f"/api/v1/stages/{stage.pk}/", {"probability": 1}, format="json"),
        client.delete(f"/api/v1/stages/{stage.pk}/"),
        client.post("/api/v1/lost-reasons/", {"name": "Mine"}, format="json"),
        client.patch(f"/api/v1/lost-reasons/{reason.pk}/", {"name": "Mine"}, format="json"),
        client.delete(f"/api/v1/lost-reasons/{reason.pk}/"),
    ]

    assert [r.status_code for r in reads] == [200, 200, 200]
    assert [r.status_code for r in writes] == [403] * len(writes)
    assert stage_ids(pipeline) == ids
    assert pipeline.stages.count() == 4 and LostReason.objects.count() == 1
