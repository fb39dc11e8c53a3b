"""Reading an uploaded CSV, XLS or XLSX file into headings and rows, refusing bad files.

Every refusal is a `BadFile` with a message a person understands; nothing here touches the
database. Reading goes through django-import-export's formats (tablib datasets); the checks
that must come before any parsing (size, zip bombs, binary content) are ours.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from import_export.formats.base_formats import XLS, XLSX

from crm.errors import DomainError

EXTENSIONS = (".csv", ".xls", ".xlsx")
# An XLSX is a zip: refuse one that would expand beyond this, or by more than this ratio.
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class BadFile(DomainError):
    code = "bad_file"


@dataclass
class Table:
    headers: list[str]
    rows: list[list]  # cell values: str from CSV; str, int, float, date or datetime from Excel


def max_bytes() -> int:
    return settings.CRM_IMPORT_MAX_BYTES


def max_rows() -> int:
    return getattr(settings, "CRM_IMPORT_MAX_ROWS", 200_000)


def read_table(*, name: str, content: bytes) -> Table:
    lower = (name or "").lower()
    if not lower.endswith(EXTENSIONS):
        raise BadFile(_("Upload a CSV, XLS or XLSX file."), field="file")
    if not content:
        raise BadFile(_("The file is empty."), field="file")
    if len(content) > max_bytes():
        raise BadFile(
            _("The file is larger than %(mb)d MB; split it into smaller files.")
            % {"mb": max_bytes() // (1024 * 1024)},
            field="file",
        )
    if lower.endswith(".csv"):
        headers, rows = _read_csv(content)
    elif lower.endswith(".xlsx"):
        headers, rows = _read_xlsx(content)
    else:
        headers, rows = _read_xls(content)
    return Table(headers=_check_headers(headers), rows=rows)


def _decode(content: bytes) -> str:
    if b"\x00" in content[:4096]:
        raise BadFile(_("This file is not a CSV text file."), field="file")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def _read_csv(content: bytes) -> tuple[list, list]:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    # The delimiter the heading line uses most: , ; or tab.
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader, None)
        if headers is None:
            raise BadFile(_("The file is empty."), field="file")
        rows = []
        limit = max_rows()
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            rows.append(row)
            if len(rows) > limit:
                raise _too_many_rows(limit)
    except csv.Error as exc:
        raise BadFile(
            _("The file is not a readable CSV file (%(error)s).") % {"error": exc}, field="file"
        ) from None
    return headers, rows


def _too_many_rows(limit: int) -> BadFile:
    return BadFile(
        _("The file has more than %(limit)s rows; split it into smaller files.")
        % {"limit": f"{limit:,}"},
        field="file",
    )


def _check_zip(content: bytes) -> None:
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise BadFile(_("This file is not an XLSX workbook."), field="file")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        members = archive.infolist()
        expanded = sum(member.file_size for member in members)
        packed = sum(member.compress_size for member in members) or 1
        if expanded > MAX_UNCOMPRESSED_BYTES or expanded / packed > MAX_COMPRESSION_RATIO:
            raise BadFile(
                _("This workbook expands to an unreasonable size; it is refused."), field="file"
            )
        if "[Content_Types].xml" not in archive.namelist():
            raise BadFile(_("This file is not an XLSX workbook."), field="file")


def _dataset_rows(dataset) -> tuple[list, list]:
    headers = list(dataset.headers or [])
    limit = max_rows()
    if dataset.height > limit:
        raise _too_many_rows(limit)
    rows = [
        list(row)
        for row in dataset
        if any(cell not in (None, "") and str(cell).strip() for cell in row)
    ]
    return headers, rows


def _read_xlsx(content: bytes) -> tuple[list, list]:
    _check_zip(content)
    try:
        # openpyxl parses with defusedxml when it is installed (it is: see requirements).
        dataset = XLSX().create_dataset(content)
    except Exception:  # noqa: BLE001 - any parser failure means the same to the user
        raise BadFile(_("This XLSX workbook cannot be read."), field="file") from None
    return _dataset_rows(dataset)


def _read_xls(content: bytes) -> tuple[list, list]:
    if not content.startswith(OLE_MAGIC):
        raise BadFile(_("This file is not an XLS workbook."), field="file")
    try:
        dataset = XLS().create_dataset(content)
    except Exception:  # noqa: BLE001
        raise BadFile(_("This XLS workbook cannot be read."), field="file") from None
    return _dataset_rows(dataset)


def _check_headers(headers: list) -> list[str]:
    names = ["" if h is None else str(h).strip() for h in headers]
    if not any(names):
        raise BadFile(_("The first row must name the columns."), field="file")
    seen: dict[str, int] = {}
    for position, header in enumerate(names, start=1):
        if not header:
            continue
        key = header.casefold()
        if key in seen:
            raise BadFile(
                _("The column “%(name)s” appears twice (columns %(a)d and %(b)d); rename one.")
                % {"name": header, "a": seen[key], "b": position},
                field="file",
            )
        seen[key] = position
    return names
