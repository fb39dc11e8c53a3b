"""A deal in the trash leaves the reports (their derived stays table too), and comes back
into them exactly on restore."""

import pytest
from django.db import connection

from deals.services import deal_delete, deal_move
from deals.tests.board_helpers import make_deal, stages_of
from reports import selectors
from reports.selectors import ReportFilters
from reports.selectors.stages import _stays_from_history, _stays_from_table
from trash.services import trash_restore

pytestmark = pytest.mark.django_db


def _numbers(user, pipeline):
    filters = ReportFilters(pipeline=pipeline)
    stages = stages_of(pipeline)
    stays = _stays_from_table(user=user, filters=filters, stages=stages)
    if connection.vendor == "postgresql":
        assert stays == _stays_from_history(user=user, filters=filters, stages=stages)
    return stays, selectors.stage_conversion(user=user, filters=filters)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the deal tally and stage stays are kept by PostgreSQL triggers (SQLite counts deals)",
)
@pytest.mark.parametrize("viewer", ["owner", "teammate", "manager", "admin_user"])
def test_a_trashed_deal_leaves_the_stage_report_and_comes_back(request, owner, pipeline, viewer):
    user = request.getfixturevalue(viewer)
    a, b, *_ = stages_of(pipeline)
    make_deal(owner, pipeline, stage=a, title="kept")
    gone = make_deal(owner, pipeline, stage=a, title="gone")
    deal_move(actor=owner, deal=gone, stage=b, version=gone.version)
    before = _numbers(user, pipeline)

    deal_delete(actor=owner, deal=gone)
    during = _numbers(user, pipeline)
    trash_restore(actor=owner, item_id=f"deal-{gone.pk}")
    after = _numbers(user, pipeline)

    # Only the trashed deal entered stage b; both entered stage a
    entered = lambda stays, stage: stays.get(stage.pk, (0,))[0]  # noqa: E731
    assert (entered(before[0], b), entered(during[0], b)) == (1, 0)
    assert (entered(before[0], a), entered(during[0], a)) == (2, 1)
    assert after == before
