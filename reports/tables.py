"""Each report as a table (what the page shows and the exports write) plus its chart.

The selectors give the numbers; here they become rows of plain values (counts, amounts,
percentages, days) under translated headers, the same for the page, CSV and XLSX.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.models import User
from reports import selectors
from reports.charts import Series, bar_chart
from reports.selectors import ReportFilters

TEXT, INT, AMOUNT, PERCENT, DAYS = "text", "int", "amount", "percent", "days"


@dataclass
class Column:
    title: str
    kind: str = TEXT


@dataclass
class ReportTable:
    columns: list[Column]
    rows: list[list]
    chart: SafeString | None = None
    bars: int = 0
    notes: list[str] = field(default_factory=list)

    def cells(self) -> list[list[tuple[object, str]]]:
        """Rows as (value, kind) pairs, for the template to format each cell by its kind."""
        kinds = [column.kind for column in self.columns]
        return [list(zip(row, kinds, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    description: str
    build: Callable[[User, ReportFilters], ReportTable]


def _percent(ratio: float | None) -> float | None:
    return None if ratio is None else round(ratio * 100, 1)


def _days(delta: dt.timedelta | None) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 86400, 1)


def _chart(title: str, categories: list[str], series: list[Series]) -> tuple[SafeString, int]:
    return (
        bar_chart(title=title, categories=categories, series=series),
        len(categories) * len(series),
    )


def deal_progress_table(user: User, filters: ReportFilters) -> ReportTable:
    data = selectors.deal_progress(user=user, filters=filters)
    rows = [
        [
            date_format(r.month, "Y-m"),
            r.currency,
            r.won_count,
            r.won_value,
            r.lost_count,
            r.lost_value,
        ]
        for r in data
    ]
    months = list(dict.fromkeys(r.month for r in data))
    won = {m: 0 for m in months}
    lost = {m: 0 for m in months}
    for r in data:
        won[r.month] += r.won_count
        lost[r.month] += r.lost_count
    chart, bars = _chart(
        _("Deals won and lost per month"),
        [date_format(m, "M Y") for m in months],
        [Series(_("Won"), list(won.values())), Series(_("Lost"), list(lost.values()))],
    )
    return ReportTable(
        columns=[
            Column(_("Month")),
            Column(_("Currency")),
            Column(_("Won"), INT),
            Column(_("Won value"), AMOUNT),
            Column(_("Lost"), INT),
            Column(_("Lost value"), AMOUNT),
        ],
        rows=rows,
        chart=chart,
        bars=bars,
    )


def pipeline_value_table(user: User, filters: ReportFilters) -> ReportTable:
    data = selectors.pipeline_value(user=user, filters=filters)
    several = len({r.stage.pipeline_id for r in data}) > 1
    name = (lambda s: f"{s.pipeline.name} › {s.name}") if several else (lambda s: s.name)
    rows = [[name(r.stage), r.currency, r.count, r.total, r.weighted] for r in data]
    chart, bars = _chart(
        _("Open value per stage"),
        [f"{name(r.stage)} ({r.currency})" for r in data],
        [
            Series(_("Total"), [r.total for r in data]),
            Series(_("Weighted"), [r.weighted for r in data]),
        ],
    )
    return ReportTable(
        columns=[
            Column(_("Stage")),
            Column(_("Currency")),
            Column(_("Open deals"), INT),
            Column(_("Total value"), AMOUNT),
            Column(_("Weighted value"), AMOUNT),
        ],
        rows=rows,
        chart=chart,
        bars=bars,
        notes=[_("The open deals as they stand now; the period does not apply.")],
    )


def stage_conversion_table(user: User, filters: ReportFilters) -> ReportTable:
    data = selectors.stage_conversion(user=user, filters=filters)
    rows = [
        [
            r.stage.name,
            r.entered,
            r.moved_forward,
            _percent(r.forward_rate),
            r.won,
            _percent(r.win_rate),
            _days(r.average_time),
        ]
        for r in data
    ]
    chart, bars = _chart(
        _("Deals entering each stage, moving on and won"),
        [r.stage.name for r in data],
        [
            Series(_("Entered"), [r.entered for r in data]),
            Series(_("Moved forward"), [r.moved_forward for r in data]),
            Series(_("Won"), [r.won for r in data]),
        ],
    )
    pipeline = selectors.conversion_pipeline(filters)
    notes = [_("Pipeline: %(name)s.") % {"name": pipeline.name}] if pipeline else []
    return ReportTable(
        columns=[
            Column(_("Stage")),
            Column(_("Entered"), INT),
            Column(_("Moved forward"), INT),
            Column(_("Moved forward (%)"), PERCENT),
            Column(_("Won"), INT),
            Column(_("Won (%)"), PERCENT),
            Column(_("Average time in stage (days)"), DAYS),
        ],
        rows=rows,
        chart=chart,
        bars=bars,
        notes=notes,
    )


def lead_conversion_table(user: User, filters: ReportFilters) -> ReportTable:
    data = selectors.lead_conversion(user=user, filters=filters)
    rows = [
        [
            group,
            r.label,
            r.created,
            r.converted,
            r.archived,
            _percent(r.conversion_rate),
            _days(r.median_time),
        ]
        for group, part in ((_("Source"), data.by_source), (_("Owner"), data.by_owner))
        for r in part
    ]
    chart, bars = _chart(
        _("Leads created and converted per source"),
        [r.label for r in data.by_source],
        [
            Series(_("Created"), [r.created for r in data.by_source]),
            Series(_("Converted"), [r.converted for r in data.by_source]),
        ],
    )
    return ReportTable(
        columns=[
            Column(_("By")),
            Column(_("Group")),
            Column(_("Created"), INT),
            Column(_("Converted"), INT),
            Column(_("Archived"), INT),
            Column(_("Conversion rate (%)"), PERCENT),
            Column(_("Median time to deal (days)"), DAYS),
        ],
        rows=rows,
        chart=chart,
        bars=bars,
        notes=[
            _(
                "Leads created in the period. A lead has no pipeline until it is converted, "
                "so the pipeline filter does not apply."
            )
        ],
    )


def owner_table(user: User, filters: ReportFilters) -> ReportTable:
    data = selectors.owner_performance(user=user, filters=filters)
    rows = [
        [
            r.owner,
            r.currency,
            r.won_count,
            r.won_value,
            r.lost_count,
            _percent(r.win_rate),
            r.average_deal_size,
            _days(r.average_time_to_win),
        ]
        for r in data
    ]
    chart, bars = _chart(
        _("Deals won and lost per owner"),
        [f"{r.owner} ({r.currency})" for r in data],
        [
            Series(_("Won"), [r.won_count for r in data]),
            Series(_("Lost"), [r.lost_count for r in data]),
        ],
    )
    return ReportTable(
        columns=[
            Column(_("Owner")),
            Column(_("Currency")),
            Column(_("Won"), INT),
            Column(_("Won value"), AMOUNT),
            Column(_("Lost"), INT),
            Column(_("Win rate (%)"), PERCENT),
            Column(_("Average deal size"), AMOUNT),
            Column(_("Average time to win (days)"), DAYS),
        ],
        rows=rows,
        chart=chart,
        bars=bars,
    )


def lost_reasons_table(user: User, filters: ReportFilters) -> ReportTable:
    data = selectors.lost_reasons(user=user, filters=filters)
    other = _("Other (details only)")
    rows = [[r.reason or other, r.currency, r.count, r.value] for r in data]
    chart, bars = _chart(
        _("Deals lost per reason"),
        [f"{r.reason or other} ({r.currency})" for r in data],
        [Series(_("Lost"), [r.count for r in data])],
    )
    return ReportTable(
        columns=[
            Column(_("Reason")),
            Column(_("Currency")),
            Column(_("Lost"), INT),
            Column(_("Lost value"), AMOUNT),
        ],
        rows=rows,
        chart=chart,
        bars=bars,
    )


def products_won_table(user: User, filters: ReportFilters) -> ReportTable:
    data = selectors.products_won(user=user, filters=filters)
    rows = [[r.product, r.currency, r.deals, r.value] for r in data]
    chart, bars = _chart(
        _("Won value per product"),
        [f"{r.product} ({r.currency})" for r in data],
        [Series(_("Won value"), [r.value for r in data])],
    )
    return ReportTable(
        columns=[
            Column(_("Product")),
            Column(_("Currency")),
            Column(_("Won deals"), INT),
            Column(_("Won value"), AMOUNT),
        ],
        rows=rows,
        chart=chart,
        bars=bars,
        notes=[_("The sums of the products' lines, tax included, on deals won in the period.")],
    )


def products_pipeline_table(user: User, filters: ReportFilters) -> ReportTable:
    data = selectors.products_pipeline(user=user, filters=filters)
    rows = [[r.product, r.currency, r.deals, r.value, r.weighted] for r in data]
    chart, bars = _chart(
        _("Open value per product"),
        [f"{r.product} ({r.currency})" for r in data],
        [
            Series(_("Total"), [r.value for r in data]),
            Series(_("Weighted"), [r.weighted for r in data]),
        ],
    )
    return ReportTable(
        columns=[
            Column(_("Product")),
            Column(_("Currency")),
            Column(_("Open deals"), INT),
            Column(_("Total value"), AMOUNT),
            Column(_("Weighted value"), AMOUNT),
        ],
        rows=rows,
        chart=chart,
        bars=bars,
        notes=[_("The open deals' product lines as they stand now; the period does not apply.")],
    )


def deals_by_field_table(user: User, filters: ReportFilters) -> ReportTable:
    field = filters.group_field
    if field is None:
        chart, bars = _chart(_("Won value per field value"), [], [Series(_("Won"), [])])
        return ReportTable(
            columns=[Column(_("Value"))],
            rows=[],
            chart=chart,
            bars=bars,
            notes=[_("Add a single-option or user field to deals to group them by it.")],
        )
    data = selectors.deals_by_field(user=user, filters=filters, field=field)
    rows = [
        [r.value, r.currency, r.open_count, r.open_value, r.won_count, r.won_value, r.lost_count]
        for r in data
    ]
    chart, bars = _chart(
        _("Won value per %(field)s") % {"field": field.name},
        [f"{r.value} ({r.currency})" for r in data],
        [
            Series(_("Won"), [r.won_value for r in data]),
            Series(_("Open"), [r.open_value for r in data]),
        ],
    )
    return ReportTable(
        columns=[
            Column(field.name),
            Column(_("Currency")),
            Column(_("Open deals"), INT),
            Column(_("Open value"), AMOUNT),
            Column(_("Won"), INT),
            Column(_("Won value"), AMOUNT),
            Column(_("Lost"), INT),
        ],
        rows=rows,
        chart=chart,
        bars=bars,
        notes=[_("Open deals as they stand now; won and lost ones closed in the period.")],
    )


REPORTS: dict[str, Report] = {
    report.slug: report
    for report in (
        Report(
            "deal-progress",
            gettext_lazy("Deal progress"),
            gettext_lazy("Deals won and lost per month, in count and value."),
            deal_progress_table,
        ),
        Report(
            "pipeline-value",
            gettext_lazy("Pipeline value"),
            gettext_lazy("Open value per stage, total and weighted by probability."),
            pipeline_value_table,
        ),
        Report(
            "stage-conversion",
            gettext_lazy("Stage conversion"),
            gettext_lazy(
                "Of the deals that entered a stage: how many moved on, how many "
                "were won, and the average time spent in it."
            ),
            stage_conversion_table,
        ),
        Report(
            "lead-conversion",
            gettext_lazy("Lead conversion"),
            gettext_lazy(
                "Leads created, converted and archived per source and owner; "
                "conversion rate; median time from lead to deal."
            ),
            lead_conversion_table,
        ),
        Report(
            "owners",
            gettext_lazy("Per owner"),
            gettext_lazy(
                "Won count and value, win rate, average deal size and average time to win."
            ),
            owner_table,
        ),
        Report(
            "lost-reasons",
            gettext_lazy("Lost reasons"),
            gettext_lazy("Count and value of lost deals per reason."),
            lost_reasons_table,
        ),
        Report(
            "products-won",
            gettext_lazy("Won by product"),
            gettext_lazy("Won value and deal count per product over the period."),
            products_won_table,
        ),
        Report(
            "products-pipeline",
            gettext_lazy("Pipeline by product"),
            gettext_lazy("Open value per product, total and weighted by probability."),
            products_pipeline_table,
        ),
        Report(
            "by-field",
            gettext_lazy("Deals by field"),
            gettext_lazy("Open, won and lost deals per value of a custom field you choose."),
            deals_by_field_table,
        ),
    )
}


def cell_value(value) -> object:
    """A cell as the exports write it: numbers stay numbers, the rest becomes text."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)):
        return value
    return str(value)
