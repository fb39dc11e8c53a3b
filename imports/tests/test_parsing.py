import io
import zipfile

import pytest

from imports.parsing import BadFile, read_table
from imports.tests.helpers import csv_bytes, xlsx_bytes


def _refusal(name: str, content: bytes) -> str:
    with pytest.raises(BadFile) as caught:
        read_table(name=name, content=content)
    return caught.value.message


def test_wrong_extension_is_refused():
    assert _refusal("people.pdf", b"%PDF-1.4") == "Upload a CSV, XLS or XLSX file."


def test_binary_content_named_csv_is_refused():
    assert (
        _refusal("people.csv", b"\x89PNG\r\n\x1a\n\x00\x00") == "This file is not a CSV text file."
    )


def test_text_named_xlsx_is_refused():
    assert _refusal("people.xlsx", b"Name,Email\nAnn,a@b.c") == "This file is not an XLSX workbook."


def test_empty_file_is_refused():
    assert _refusal("people.csv", b"") == "The file is empty."


def test_file_without_header_is_refused():
    assert _refusal("people.csv", b",,\nAnn,a@b.c,1") == "The first row must name the columns."


def test_duplicate_headers_are_refused():
    assert "appears twice" in _refusal("people.csv", b"Name,Email,name\nAnn,a@b.c,x")


def test_too_large_file_is_refused(settings):
    settings.CRM_IMPORT_MAX_BYTES = 100
    assert "larger than" in _refusal("people.csv", b"Name\n" + b"Ann\n" * 50)


def test_too_many_rows_are_refused(settings):
    settings.CRM_IMPORT_MAX_ROWS = 3
    assert "more than 3 rows" in _refusal("people.csv", b"Name\nA\nB\nC\nD\n")


def test_zip_bomb_disguised_as_xlsx_is_refused_before_parsing():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<a>" + " " * 50_000_000 + "</a>")
    assert (
        _refusal("bomb.xlsx", out.getvalue())
        == "This workbook expands to an unreasonable size; it is refused."
    )


def test_xml_bomb_in_xlsx_is_refused():
    entities = "".join(f'<!ENTITY e{i} "&e{i - 1};&e{i - 1};">' for i in range(1, 20))
    bomb = f'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY e0 "lol">{entities}]><l>&e19;</l>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", bomb)
        archive.writestr("xl/workbook.xml", bomb)
    assert _refusal("bomb.xlsx", out.getvalue()) == "This XLSX workbook cannot be read."


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1"])
def test_encodings_are_read(encoding):
    table = read_table(
        name="p.csv", content=csv_bytes([["Name"], ["Jürgen Müller"]], encoding=encoding)
    )
    assert table.rows == [["Jürgen Müller"]]
    assert table.headers == ["Name"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters_are_detected(delimiter):
    table = read_table(
        name="p.csv", content=csv_bytes([["Name", "Email"], ["Ann", "a@b.c"]], delimiter=delimiter)
    )
    assert table.rows == [["Ann", "a@b.c"]]


def test_xlsx_is_read():
    table = read_table(name="p.xlsx", content=xlsx_bytes([["Name", "Value"], ["Ann", 12.5]]))
    assert (table.headers, table.rows) == (["Name", "Value"], [["Ann", 12.5]])


def test_xls_with_wrong_content_is_refused():
    assert _refusal("people.xls", b"Name\nAnn") == "This file is not an XLS workbook."
