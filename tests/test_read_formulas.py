"""Where the formulas are: python-calamine cannot say, so the sheet XML (.xlsx), content.xml (.ods) and the
BIFF records (.xls) are scanned. Each scanner must find every formula cell at its Excel position."""

from __future__ import annotations

import struct

import pytest

from ccht_batch.intake.raw import RawBook, RawSheet
from ccht_batch.intake.scan import (
    _formula_offsets_walk,
    biff_extents,
    fits_quickly,
    scan_biff,
    scan_ods,
    scan_sheet_xml,
    sheet_extent,
)

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _sheet(cells: str, extra: str = "") -> bytes:
    return f'<?xml version="1.0"?><worksheet {NS}><sheetData>{cells}</sheetData>{extra}</worksheet>'.encode()


def test_fast_scan_finds_formula_cells_and_their_text():
    xml = _sheet(
        '<row r="6"><c r="A6" t="s"><v>1</v></c><c r="D6" s="3"><f>1+2</f><v>3</v></c>'
        '<c r="E6" t="str"><f>"QĐ "&amp;"01"</f><v>QĐ 01</v></c><c r="G6"><f t="shared" ref="G6:G9" si="0">D6*2</f><v>6</v></c></row>'
        '<row r="7"><c r="G7"><f t="shared" si="0"/><v>0</v></c><c r="AB7"><f>SUM(A1:A2)</f></c></row>',
        extra='<extLst><ext><x14:dataValidations><x14:dataValidation><x14:formula1><xm:f>_danh_muc!$A$2:$A$3</xm:f></x14:formula1></x14:dataValidation></x14:dataValidations></ext></extLst>',
    )
    found = dict(scan_sheet_xml(xml))
    assert found == {(5, 3): "=1+2", (5, 4): '="QĐ "&"01"', (5, 6): "=D6*2", (6, 6): "=…", (6, 27): "=SUM(A1:A2)"}


def test_cells_whose_address_is_not_first_take_the_walk():
    xml = _sheet('<row r="3"><c s="1" r="B3"><f>1</f></c><c r="C3"><v>2</v></c></row><row><c><f>NOW()</f></c><c r="E4"><v>1</v></c></row>')
    assert dict(scan_sheet_xml(xml)) == {(2, 1): "=1", (3, 0): "=NOW()"}


def test_prefixed_namespace_takes_the_walk():
    xml = (
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        '<x:row r="2"><x:c r="B2"><x:f>A1+1</x:f><x:v>2</x:v></x:c><x:c r="C2"><x:v>5</x:v></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    ).encode()
    assert dict(scan_sheet_xml(xml)) == {(1, 1): "=A1+1"}


def test_no_formula_costs_nothing_and_finds_nothing():
    assert scan_sheet_xml(b"") == {}
    assert scan_sheet_xml(_sheet('<row r="1"><c r="A1"><v>1</v></c></row>', extra="<dataValidations><dataValidation><formula1>0</formula1></dataValidation></dataValidations>")) == {}


@pytest.mark.parametrize(
    "cells",
    [
        '<row r="9"><c r="D9"><f>1</f></c><c r="D10"/><c r="Z10"><f>2</f></c></row>',
        '<row r="9"><c r="D9" t="str">\n  <f>"a"</f>\n  <v>a</v>\n</c></row>',
    ],
)
def test_fast_scan_agrees_with_the_walk(cells):
    xml = _sheet(cells)
    fast = scan_sheet_xml(xml)
    assert set(fast) == set(_formula_offsets_walk(xml)) and len(fast) >= 1


CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">
<office:body><office:spreadsheet>
<table:table table:name="Khác"><table:table-row><table:table-cell table:formula="of:=1"/></table:table-row></table:table>
<table:table table:name="T{nfd}"><table:table-column/>
 <table:table-row table:number-rows-repeated="3"><table:table-cell table:number-columns-repeated="4"/></table:table-row>
 <table:table-header-rows><table:table-row><table:table-cell table:number-columns-repeated="2"/><table:covered-table-cell/>
  <table:table-cell table:formula="of:=[.A1]+1" office:value-type="float" office:value="2"><text:p>2</text:p></table:table-cell></table:table-row></table:table-header-rows>
 <table:table-row><table:table-cell table:formula="of:=SUM([.A1:.A3])" table:number-columns-repeated="2"/></table:table-row>
</table:table>
</office:spreadsheet></office:body></office:document-content>"""


def test_ods_scan_counts_repeated_rows_and_columns():
    import unicodedata

    content = CONTENT.replace("{nfd}", unicodedata.normalize("NFD", "ự chấm")).encode()
    found = scan_ods(content, {"Tự chấm"})
    assert found == {"Tự chấm": {(3, 3): "=[.A1]+1", (4, 0): "=SUM([.A1:.A3])", (4, 1): "=SUM([.A1:.A3])"}}


def test_ods_with_a_dtd_is_refused_by_defusedxml():
    with pytest.raises(Exception) as caught:
        scan_ods(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "formula">]><x>&a;</x>', {"x"})
    assert "DTD" in type(caught.value).__name__ or "DTD" in str(caught.value)


def _record(rtype: int, body: bytes) -> bytes:
    return struct.pack("<HH", rtype, len(body)) + body


def _boundsheet(offset: int, name: str) -> bytes:
    raw = name.encode("utf-16-le")
    return _record(0x0085, struct.pack("<IBB", offset, 0, 0) + bytes([len(name), 1]) + raw)


def test_biff_scan_finds_formula_records_of_the_wanted_sheet():
    bof = _record(0x0809, b"\x00\x06\x10\x00" + b"\x00" * 12)
    eof = _record(0x000A, b"")
    formula = _record(0x0006, struct.pack("<HHH", 13, 3, 15) + b"\x00" * 14 + b"\x00" * 4)
    number = _record(0x0203, struct.pack("<HHH", 13, 4, 15) + b"\x00" * 8)
    globals_len = len(bof) + 2 * len(_boundsheet(0, "Tự chấm điểm")) + len(eof)
    other = bof + formula + eof
    globals_ = bof + _boundsheet(globals_len, "Khác") + _boundsheet(globals_len + len(other), "Tự chấm điểm") + eof
    stream = globals_ + other + bof + number + formula + eof
    assert scan_biff(stream, {"Tự chấm điểm"}) == {"Tự chấm điểm": {(13, 3): "=…"}}


def test_raw_book_finds_sheets_by_nfc_name():
    import unicodedata

    sheet = RawSheet(unicodedata.normalize("NFD", "Cá nhân"), [["x"]])
    book = RawBook.from_sheets([sheet])
    assert book.has("Cá nhân") and book.sheet("Cá nhân") is sheet
    assert book.sheet("_meta") is None and sheet.value(5, 5) == ""


def test_error_values_without_a_formula_are_listed_with_their_error():
    cells = (
        '<row r="6"><c r="D6" t="e"><v>#REF!</v></c><c r="E6" s="2" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="F6" t="e"/></row>'
        '<row r="7"><c r="D7" t="s"><v>0</v></c></row>'
    )
    found = dict(scan_sheet_xml(_sheet(cells)))
    assert found == {(5, 3): "#REF!", (5, 4): "=1/0"}
    assert dict(_formula_offsets_walk(_sheet(cells))).keys() == {(5, 3), (5, 4)}
    walk = scan_sheet_xml(_sheet('<row r="6"><c s="1" r="D6" t="e"><v>#N/A</v></c></row>'))
    assert dict(walk) == {(5, 3): "#N/A"}


def test_biff_scan_finds_error_values_but_not_booleans():
    bof = _record(0x0809, b"\x00\x06\x10\x00" + b"\x00" * 12)
    eof = _record(0x000A, b"")
    error = _record(0x0205, struct.pack("<HHHBB", 13, 3, 15, 0x17, 1))
    boolean = _record(0x0205, struct.pack("<HHHBB", 14, 3, 15, 1, 0))
    globals_ = bof + _boundsheet(len(bof) + len(_boundsheet(0, "S")) + len(eof), "S") + eof
    assert scan_biff(globals_ + bof + error + boolean + eof, {"S"}) == {"S": {(13, 3): "#REF!"}}


def test_how_far_values_reach_in_each_format():
    """The pre-check's reading of a sheet: only cells with a value count (a styled empty cell does not),
    addresses written or implied, repeats multiplied."""
    xml = _sheet('<row r="3"><c r="B3"><v>1</v></c><c r="Z900" s="1"/></row><row r="7"><c r="D7" t="s"><v>0</v></c></row>')
    assert (sheet_extent(xml).rows, sheet_extent(xml).cols) == (7, 4) and fits_quickly(xml, 500_000)
    implied = _sheet('<row r="2"><c><v>1</v></c><c><v>2</v></c></row><row><c s="1"/><c><v>3</v></c><c><v>4</v></c></row>')
    assert (sheet_extent(implied).rows, sheet_extent(implied).cols) == (3, 3) and not fits_quickly(implied, 500_000)
    far = _sheet('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    assert not fits_quickly(far, 500_000) and sheet_extent(far).beyond is None and sheet_extent(far).rows == 1048576
    beyond = _sheet('<row r="30"><c r="ZZZZ30"><v>1</v></c></row>')
    assert sheet_extent(beyond).beyond == (30, 475254)

    content = CONTENT.replace("{nfd}", "ự chấm").encode()
    extents: dict = {}
    scan_ods(content, set(), extents)
    # rows: 3 repeated empty, a header row with a value in column 4, then two formula cells
    assert (extents["Tự chấm"].rows, extents["Tự chấm"].cols) == (5, 4) and (extents["Khác"].rows, extents["Khác"].cols) == (1, 1)

    bof = _record(0x0809, b"\x00\x06\x10\x00" + b"\x00" * 12)
    eof = _record(0x000A, b"")
    number = _record(0x0203, struct.pack("<HHH", 60000, 200, 15) + b"\x00" * 8)
    blank = _record(0x0201, struct.pack("<HHH", 65000, 250, 15))  # a styled empty cell: does not count
    mulrk = _record(0x00BD, struct.pack("<HH", 9, 1) + b"\x00" * 12 + struct.pack("<H", 5))
    globals_ = bof + _boundsheet(len(bof) + len(_boundsheet(0, "S")) + len(eof), "S") + eof
    found = biff_extents(globals_ + bof + mulrk + number + blank + eof)["S"]
    assert (found.rows, found.cols) == (60001, 201)
