"""The Reports page, one page per report, and its CSV/XLSX export. Thin: parse the filters,
build the report's table (reports.tables -> reports.selectors), render or write it."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from crm.custom_fields.query import custom_params
from crm.models import FieldType, User
from deals.board.selectors import owner_options
from deals.selectors import pipeline_list
from reports.exports import to_csv, to_xlsx
from reports.selectors import FIRST_DAY, LAST_DAY, ReportFilters, groupable_fields
from reports.tables import REPORTS, Report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _date(raw: str | None, default: dt.date, errors: list[str]) -> dt.date:
    """A date of the query string; malformed: the default; outside the range the reports
    cover: the default and an error saying so (years like 0001 or 9999 overflow the
    period's arithmetic and mean nothing for a sales team)."""
    try:
        value = dt.date.fromisoformat(raw) if raw else default
    except ValueError:
        return default
    if not FIRST_DAY <= value <= LAST_DAY:
        errors.append(
            _("Dates must be between %(first)s and %(last)s; %(date)s was ignored.")
            % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat(), "date": raw}
        )
        return default
    return value


def _int(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last twelve months, this one included."""
    year, month = today.year, today.month - 11
    if month < 1:
        year, month = year - 1, month + 12
    return dt.date(year, month, 1), today


def _filters(request: HttpRequest) -> tuple[ReportFilters, dict]:
    """The filters from the query string; choices the user is not offered are ignored, dates
    out of range are replaced by the default ones and listed in `filter_errors`."""
    user: User = request.user
    pipelines = list(pipeline_list())
    user_options, team_options = owner_options(user=user)
    first, last = default_period(timezone.localdate())
    errors: list[str] = []
    date_from = _date(request.GET.get("from"), first, errors)
    date_to = _date(request.GET.get("to"), last, errors)
    if date_to < date_from:
        date_from, date_to = date_to, date_from
    pipeline_id = _int(request.GET.get("pipeline"))
    owner_id = _int(request.GET.get("owner"))
    team_id = _int(request.GET.get("team"))
    users = {int(o.value.split(":")[1]): o.label for o in user_options}
    teams = {int(o.value.split(":")[1]): o.label for o in team_options}
    fields = groupable_fields()
    custom = custom_params(request.GET)
    filters = ReportFilters(
        pipeline=next((p for p in pipelines if p.pk == pipeline_id), None),
        date_from=date_from,
        date_to=date_to,
        owner_id=owner_id if owner_id in users else None,
        team_id=team_id if team_id in teams else None,
        custom=tuple((name, value) for name, value in custom if value),
        # The first such field unless another is chosen.
        group_field=next((f for f in fields if f.key == request.GET.get("group")), None)
        or next(iter(fields), None),
    )
    options = {
        "pipelines": pipelines,
        "users": users,
        "teams": teams,
        "filter_errors": errors,
        "custom_filters": [
            (field, dict(custom).get(f"cf_{field.key}", ""), _field_choices(field))
            for field in fields
        ],
    }
    return filters, options


def _field_choices(field) -> list[tuple[str, str]]:
    if field.type == FieldType.OPTION:
        return [(str(option.pk), option.label) for option in field.options.all()]
    return [(str(u.pk), str(u)) for u in User.objects.filter(is_active=True)]


def _report(slug: str) -> Report:
    report = REPORTS.get(slug)
    if report is None:
        raise Http404
    return report


@require_GET
def report_index(request: HttpRequest) -> HttpResponse:
    filters, options = _filters(request)
    return render(
        request,
        "reports/index.html",
        {
            "nav": "reports",
            "reports": REPORTS.values(),
            "filters": filters,
            **options,
            "query": request.GET.urlencode(),
        },
    )


@require_GET
def report_detail(request: HttpRequest, slug: str) -> HttpResponse:
    report = _report(slug)
    filters, options = _filters(request)
    table = report.build(request.user, filters)
    return render(
        request,
        "reports/report.html",
        {
            "nav": "reports",
            "report": report,
            "reports": REPORTS.values(),
            "table": table,
            "filters": filters,
            **options,
            "query": request.GET.urlencode(),
        },
    )


@require_GET
def report_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    report = _report(slug)
    filters, options = _filters(request)
    if options["filter_errors"]:
        # A file of another period than the one asked for would mislead: refuse, and say why.
        return HttpResponseBadRequest(
            " ".join(options["filter_errors"]), content_type="text/plain; charset=utf-8"
        )
    table = report.build(request.user, filters)
    name = f"{slug}-{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}"
    if fmt == "csv":
        response = HttpResponse(to_csv(table), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(to_xlsx(table, title=str(report.title)), content_type=XLSX)
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{slugify(name)}.{fmt}"'
    return response
