"""The Reports pages and exports: a chart and a table per report, safe CSV and XLSX."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from deals.models import Deal, LostReason
from deals.services import deal_mark_lost
from deals.tests.board_helpers import make_deal
from reports.exports import neutralize
from reports.tables import REPORTS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("slug", list(REPORTS))
def test_every_report_page_shows_a_chart_and_a_table(client, owner, pipeline, slug):
    # given
    make_deal(owner, pipeline)
    client.force_login(owner)
    # when
    response = client.get(reverse("reports:detail", args=[slug]))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert '<svg class="chart"' in html
    assert 'class="table report-table"' in html


def test_the_reports_page_links_every_report(client, owner):
    # given
    client.force_login(owner)
    # when
    html = client.get(reverse("reports:index")).content.decode()
    # then
    assert all(reverse("reports:detail", args=[slug]) in html for slug in REPORTS)


def test_an_unknown_report_is_404(client, owner):
    # given
    client.force_login(owner)
    # when
    response = client.get(reverse("reports:detail", args=["nope"]))
    # then
    assert response.status_code == 404


def test_pipeline_value_chart_has_two_bars_per_stage(client, owner, pipeline):
    # given
    make_deal(owner, pipeline)
    client.force_login(owner)
    # when
    response = client.get(
        reverse("reports:detail", args=["pipeline-value"]), {"pipeline": pipeline.pk}
    )
    # then
    assert response.content.decode().count('<rect class="bar') == 2 * pipeline.stages.count()


def test_csv_export_neutralizes_formula_like_text(client, owner, pipeline):
    # given: a lost reason typed as a formula
    deal = make_deal(owner, pipeline, value="250")
    deal_mark_lost(actor=owner, deal=deal, lost_reason=None, lost_reason_text="x")
    reason = LostReason.objects.create(name='=HYPERLINK("http://evil")')
    Deal.objects.filter(pk=deal.pk).update(lost_reason=reason)
    client.force_login(owner)
    # when
    response = client.get(reverse("reports:export", args=["lost-reasons", "csv"]))
    # then
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Disposition"].startswith('attachment; filename="lost-reasons')
    assert rows[0] == ["Reason", "Currency", "Lost", "Lost value"]
    assert rows[1][:3] == ['\'=HYPERLINK("http://evil")', "EUR", "1"]
    assert Decimal(rows[1][3]) == Decimal("250")


def test_xlsx_export_holds_the_table_with_numbers_as_numbers(client, owner, pipeline):
    # given
    make_deal(owner, pipeline, value="120")
    client.force_login(owner)
    # when
    response = client.get(
        reverse("reports:export", args=["pipeline-value", "xlsx"]), {"pipeline": pipeline.pk}
    )
    # then
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Stage", "Currency", "Open deals")
    assert rows[1][:4] == ("Qualified", "EUR", 1, 120)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_neutralize_prefixes_formula_starts_with_a_quote(text):
    assert neutralize(text) == "'" + text


def test_neutralize_keeps_numbers_and_plain_text():
    assert (neutralize(-5), neutralize("Acme")) == (-5, "Acme")


def test_an_owner_filter_for_someone_out_of_reach_is_ignored(client, owner, outsider, pipeline):
    # given
    make_deal(owner, pipeline, value="70")
    client.force_login(owner)
    # when
    response = client.get(
        reverse("reports:detail", args=["pipeline-value"]),
        {"owner": outsider.pk, "pipeline": pipeline.pk},
    )
    # then
    assert response.context["filters"].owner_id is None
    assert response.context["table"].rows[0][2] == 1


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def _lose_deals(owner, pipeline, n: int) -> None:
    for _ in range(n):
        deal_mark_lost(
            actor=owner, deal=make_deal(owner, pipeline), lost_reason=None, lost_reason_text="x"
        )


@pytest.mark.parametrize("slug", list(REPORTS))
def test_a_report_needs_the_same_queries_for_few_or_many_deals(client, owner, pipeline, slug):
    # given
    url = reverse("reports:detail", args=[slug])
    _lose_deals(owner, pipeline, 1)
    client.force_login(owner)
    few = _queries(client, url)
    # when
    _lose_deals(owner, pipeline, 10)
    many = _queries(client, url)
    # then
    assert many == few
