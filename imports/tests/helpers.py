"""Building small import files in tests, and the state of a job no worker took."""

import io
import zipfile
from xml.sax.saxutils import escape

from django.db.models import F
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from imports.models import Import


def csv_bytes(rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    return "\n".join(delimiter.join(row) for row in rows).encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def excel_style_xlsx(
    sheets: list[list[list[str]]], *, active: int = 0, dimension: bool = True
) -> bytes:
    """A workbook written the way Excel and LibreOffice write them (which openpyxl does not):
    every text in the shared strings table, the headings' first (one as rich text runs with
    a phonetic guide), several sheets, the active one chosen by the workbook view."""
    strings: dict[str, int] = {}
    for rows in sheets:
        for row in rows:
            for value in row:
                strings.setdefault(value, len(strings))
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    doc_rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg_ns = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"

    def string_item(value: str, index: int) -> str:
        if index == 0 and " " in value:
            first, rest = value.split(" ", 1)
            return (
                f"<si><r><t>{escape(first)}</t></r><r><rPr><b/></rPr>"
                f'<t xml:space="preserve"> {escape(rest)}</t></r>'
                "<rPh sb='0' eb='1'><t>phonetic</t></rPh></si>"
            )
        return f"<si><t>{escape(value)}</t></si>"

    def sheet_xml(rows: list[list[str]]) -> str:
        width = max((len(r) for r in rows), default=1)
        ref = f"A1:{get_column_letter(width)}{max(len(rows), 1)}"
        body = "".join(
            f'<row r="{n}">'
            + "".join(
                f'<c r="{get_column_letter(i + 1)}{n}" t="s"><v>{strings[value]}</v></c>'
                for i, value in enumerate(row)
                if value != ""
            )
            + "</row>"
            for n, row in enumerate(rows, start=1)
        )
        return (
            f"<worksheet {ns}>"
            + (f'<dimension ref="{ref}"/>' if dimension else "")
            + f"<sheetData>{body}</sheetData></worksheet>"
        )

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                f'ContentType="{ct}.worksheet+xml"/>'
                for i in range(1, len(sheets) + 1)
            )
            + f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships {pkg_ns}><Relationship Id="rId1" '
            f'Type="{doc_rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f"<workbook {ns} {rel_ns}><bookViews>"
            f'<workbookView activeTab="{active}"/></bookViews><sheets>'
            + "".join(
                f'<sheet name="Sheet{i}" sheetId="{i}" r:id="rId{i}"/>'
                for i in range(1, len(sheets) + 1)
            )
            + "</sheets></workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f"<Relationships {pkg_ns}>"
            + "".join(
                f'<Relationship Id="rId{i}" Type="{doc_rel}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, len(sheets) + 1)
            )
            + f'<Relationship Id="rId{len(sheets) + 1}" Type="{doc_rel}/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>',
        )
        for i, rows in enumerate(sheets, start=1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", sheet_xml(rows))
        archive.writestr(
            "xl/sharedStrings.xml",
            f'<sst {ns} count="{len(strings)}" uniqueCount="{len(strings)}">'
            + "".join(string_item(value, index) for value, index in strings.items())
            + "</sst>",
        )
    return out.getvalue()


def handed_over_to_no_worker(imp: Import, status: str, **fields) -> Import:
    """The import as a hand-over that no worker ever took leaves it: busy with a new attempt,
    waiting since now. For tests whose transactions commit (`transaction=True`), where the
    tests' eager Celery runs at once whatever a service hands over."""
    Import.objects.filter(pk=imp.pk).update(
        status=status,
        progress=0,
        error="",
        attempt=F("attempt") + 1,
        queued_at=timezone.now(),
        heartbeat_at=None,
        **fields,
    )
    return Import.objects.get(pk=imp.pk)
