"""CSV and XLSX of a report's table, safe to open in a spreadsheet.

A text cell starting with = + - @, a tab or a carriage return would be read as a formula by
Excel or LibreOffice (CSV injection): it gets a leading quote. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import Workbook

from reports.tables import ReportTable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value):
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def table_rows(table: ReportTable) -> list[list]:
    return [[column.title for column in table.columns]] + [
        [neutralize(cell) for cell in row] for row in table.rows
    ]


def to_csv(table: ReportTable) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in table_rows(table):
        writer.writerow(row)
    return buffer.getvalue()


def to_xlsx(table: ReportTable, *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    # Sheet titles are at most 31 characters and may not contain []:*?/\
    sheet.title = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Report"
    for row in table_rows(table):
        sheet.append([float(c) if isinstance(c, Decimal) else c for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
