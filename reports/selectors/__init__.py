"""The reports' numbers, aggregated in the database and scoped by visibility.

Every report starts from the records the user may see (`crm.visibility.visible_q`) and is
narrowed by the same `ReportFilters` (pipeline, period, owner, team). Each report is one or a
few grouped queries; the number of queries never depends on the number of deals. One module
per report; `common` holds what they share.
"""

from reports.selectors.common import FIRST_DAY, LAST_DAY, ReportFilters
from reports.selectors.fields import deals_by_field, groupable_fields
from reports.selectors.leads import lead_conversion
from reports.selectors.lost import lost_reasons
from reports.selectors.owners import owner_performance
from reports.selectors.pipeline import pipeline_value
from reports.selectors.products import products_pipeline, products_won
from reports.selectors.progress import deal_progress
from reports.selectors.stages import conversion_pipeline, stage_conversion

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "ReportFilters",
    "conversion_pipeline",
    "deal_progress",
    "deals_by_field",
    "groupable_fields",
    "lead_conversion",
    "lost_reasons",
    "owner_performance",
    "pipeline_value",
    "products_pipeline",
    "products_won",
    "stage_conversion",
]
