"""Reading an uploaded CSV, XLS or XLSX file into headings and rows, refusing bad files.

Every refusal is a `BadFile` with a message a person understands; nothing here touches the
database. Reading goes through django-import-export's formats (tablib datasets); the checks
that must come before any parsing (size, zip bombs, binary content) are ours.

`read_head` is what an upload request can afford for a large workbook: the cheap checks, the
heading row and the row count the sheet declares, streamed from the zip without reading the
rows (openpyxl, even read-only, loads every shared string and may scan the whole sheet for
its size). The worker reads the rows later with `read_table`.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass

from defusedxml.ElementTree import fromstring as xml_fromstring
from defusedxml.ElementTree import iterparse as xml_iterparse
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


@dataclass
class Head:
    """What `read_head` found: the headings, the rows (counted, or as the workbook declares
    them; 0 when it does not say) and, where reading all of it costs little, the table."""

    headers: list[str]
    rows: int
    table: Table | None = None


def max_bytes() -> int:
    return settings.CRM_IMPORT_MAX_BYTES


def max_rows() -> int:
    return getattr(settings, "CRM_IMPORT_MAX_ROWS", 200_000)


def _check_file(name: str, content: bytes) -> str:
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
    return lower


def read_head(*, name: str, content: bytes) -> Head:
    """The checks an upload can afford before the rows are read, and the heading row.

    CSV and XLS (at most 65,536 rows) are read whole, which costs little; an XLSX only as far
    as its heading row and the size its sheet declares. Refuses what `read_table` would
    refuse without reading the rows: extension, content, size, zip bomb, headings, a declared
    row count over the limit.
    """
    lower = _check_file(name, content)
    if not lower.endswith(".xlsx"):
        table = read_table(name=name, content=content)
        return Head(headers=table.headers, rows=len(table.rows), table=table)
    _check_zip(content)
    try:
        headers, declared_rows = _xlsx_head(content)
    except _Unusual:
        # A workbook this reader does not follow: openpyxl reads the heading row instead
        # (slower, as it loads every shared string), and the rows' count stays unknown.
        headers, declared_rows = _openpyxl_head(content), 0
    headers = _check_headers(headers)
    limit = max_rows()
    if declared_rows > limit:
        raise _too_many_rows(limit)
    return Head(headers=headers, rows=declared_rows)


def read_table(*, name: str, content: bytes) -> Table:
    lower = _check_file(name, content)
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


# --- the heading row of an XLSX, streamed -------------------------------------------------

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)$")
_DIMENSION = re.compile(r"(?:[A-Z]{1,3}\d+:)?[A-Z]{1,3}(\d+)$")
# Heading cells of these types read as openpyxl reads them; numbers, dates and booleans (whose
# text depends on styles) send the workbook to openpyxl.
_TEXT_TYPES = frozenset({"s", "inlineStr", "str"})


class _Unusual(Exception):  # noqa: N818 - a signal to fall back, not an error
    pass


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _text(node) -> str:
    """A string item's text as openpyxl gives it: plain and rich runs, not phonetic ones."""
    plain = node.find(f"{_MAIN}t")
    parts = [plain.text or ""] if plain is not None else []
    parts += [(run.findtext(f"{_MAIN}t") or "") for run in node.findall(f"{_MAIN}r")]
    return "".join(parts).replace("x005F_", "")


def _active_sheet(archive: zipfile.ZipFile) -> str:
    workbook = xml_fromstring(archive.read("xl/workbook.xml"))
    rels = xml_fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {
        rel.get("Id"): (rel.get("Type"), rel.get("Target") or "")
        for rel in rels.iter(f"{_PKG_REL}Relationship")
    }
    sheets = list(workbook.iter(f"{_MAIN}sheet"))
    view = workbook.find(f"{_MAIN}bookViews/{_MAIN}workbookView")
    active = int(view.get("activeTab", "0")) if view is not None else 0
    if not 0 <= active < len(sheets):
        raise _Unusual
    kind, target = targets.get(sheets[active].get(f"{_DOC_REL}id"), (None, ""))
    if kind != _WORKSHEET or not target:
        raise _Unusual
    return target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)


def _xlsx_head(content: bytes) -> tuple[list, int]:
    """The active sheet's first row and the rows below it its dimension declares (0 when it
    declares none), reading the sheet only up to its first row, the shared strings only up
    to the last one that row uses."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            sheet = _active_sheet(archive)
            declared, cells = 0, {}
            with archive.open(sheet) as source:
                for event, node in xml_iterparse(source, events=("start", "end")):
                    if event == "start" and node.tag == f"{_MAIN}dimension":
                        found = _DIMENSION.match(node.get("ref") or "")
                        declared = int(found.group(1)) - 1 if found else 0
                    elif event == "start" and node.tag == f"{_MAIN}row":
                        if node.get("r", "1") != "1":
                            break  # the first row is empty: no headings
                    elif event == "end" and node.tag == f"{_MAIN}c":
                        cells[_cell_position(node, len(cells))] = node
                    elif event == "end" and node.tag in (f"{_MAIN}row", f"{_MAIN}sheetData"):
                        break
            headers = [None] * (max(cells) + 1 if cells else 0)
            shared: dict[int, int] = {}  # shared string index -> heading position
            for position, cell in cells.items():
                kind = cell.get("t", "n")
                value = cell.findtext(f"{_MAIN}v")
                if kind == "s" and value is not None:
                    shared[int(value)] = position
                elif kind == "inlineStr":
                    inline = cell.find(f"{_MAIN}is")
                    headers[position] = _text(inline) if inline is not None else None
                elif kind == "str" or value is None:
                    headers[position] = value
                elif kind not in _TEXT_TYPES:
                    raise _Unusual
            if shared:
                _shared_strings(archive, shared, headers)
    except (KeyError, ValueError, zipfile.BadZipFile, SyntaxError) as exc:
        # SyntaxError: ElementTree's ParseError; defusedxml's refusals are ValueErrors.
        raise BadFile(_("This XLSX workbook cannot be read."), field="file") from exc
    return headers, max(declared, 0)


def _cell_position(cell, count: int) -> int:
    found = _CELL_REF.match(cell.get("r") or "")
    return _column_index(found.group(1)) if found else count


def _shared_strings(archive: zipfile.ZipFile, wanted: dict[int, int], headers: list) -> None:
    last = max(wanted)
    index = 0
    with archive.open("xl/sharedStrings.xml") as source:
        for _event, node in xml_iterparse(source, events=("end",)):
            if node.tag != f"{_MAIN}si":
                continue
            if index in wanted:
                headers[wanted[index]] = _text(node)
            node.clear()
            index += 1
            if index > last:
                return
    raise BadFile(_("This XLSX workbook cannot be read."), field="file")


def _openpyxl_head(content: bytes) -> list:
    import openpyxl  # noqa: PLC0415 - as import-export does: only when a workbook is read

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            first = next(book.active.iter_rows(max_row=1, values_only=True), ())
        finally:
            book.close()
    except Exception:  # noqa: BLE001 - any parser failure means the same to the user
        raise BadFile(_("This XLSX workbook cannot be read."), field="file") from None
    return list(first)
