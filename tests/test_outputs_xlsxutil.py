"""The one-pass table bodies and the workbook patterns the writers use (xlsxfast.FastSheet, PatternBook):
what Excel-reading programs see must be what xlsxwriter's own writing would show them."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter.worksheet
from python_calamine import CalamineWorkbook

from ccht_batch.xlsx import fast
from ccht_batch.xlsx import util as xlsx_util
from ccht_batch.xlsx.fast import (
    FastSheet,
    PatternBook,
    SheetRows,
    Styled,
    ZipPart,
    hooks_mismatch,
    row_heights,
    use_formats,
    zip_bytes,
)
from ccht_batch.xlsx.util import Formats, new_workbook, text_height, write_value

EVIL = '=HYPERLINK("http://x","y")'
TRICKY = [EVIL, "<r>rich?</r>", "a & b < c > d", " lead", "trail ", "ctl\x01x", "line 1\nline 2", "Tiếng Việt có dấu"]
ROWS = [
    ["a", 1, Decimal("8.25"), None, "", True, dt.date(2025, 1, 2), *TRICKY],
    ["b", 2.5, None, "x", "y", False, None, *reversed(TRICKY)],
]


def _book(fast: bool) -> bytes:
    buf = io.BytesIO()
    wb = new_workbook(buf)
    fm = Formats(wb)
    text, number = fm(text_wrap=True, border=1), fm(num_format="0.00", border=1)
    formats = [text, number, number] + [text] * (len(ROWS[0]) - 3)
    ws = wb.add_worksheet("S", worksheet_class=FastSheet) if fast else wb.add_worksheet("S")
    for c in range(len(ROWS[0])):
        ws.write_string(0, c, f"Cột {c}", fm(bold=True))
    if fast:
        ws.add_rows(1, ROWS, formats, blanks=True)
    else:
        for r, values in enumerate(ROWS, start=1):
            for c, v in enumerate(values):
                write_value(ws, r, c, v, formats[c])
    wb.close()
    return buf.getvalue()


def _cells(data: bytes) -> list[list[tuple]]:
    ws = openpyxl.load_workbook(io.BytesIO(data))["S"]
    return [[(c.value, c.data_type, c.number_format, c.border.left.style) for c in row] for row in ws.iter_rows()]


def test_fast_rows_read_back_as_xlsxwriter_writes_them(tmp_path):
    fast, usual = _book(True), _book(False)
    (tmp_path / "fast.xlsx").write_bytes(fast)
    # the same cells, types, number formats and borders, as openpyxl and calamine read them...
    assert CalamineWorkbook.from_path(str(tmp_path / "fast.xlsx")).get_sheet_by_name("S").to_python() == [
        [f"Cột {c}" for c in range(len(ROWS[0]))],
        ["a", 1.0, 8.25, "", "", "Có", "02/01/2025", *TRICKY],
        ["b", 2.5, "", "x", "y", "Không", "", *reversed(TRICKY)],
    ]
    fast_cells, usual_cells = _cells(fast), _cells(usual)
    # ...except that xlsxwriter writes a text "<r>...</r>" as rich-text XML and loses it; ours stays text
    rich = 7 + TRICKY.index("<r>rich?</r>")
    assert fast_cells[1][rich][0] == "<r>rich?</r>" and usual_cells[1][rich][0] in (None, "")
    for row_fast, row_usual in zip(fast_cells, usual_cells):
        for c, (a, b) in enumerate(zip(row_fast, row_usual)):
            if a[0] != "<r>rich?</r>" and "ctl" not in str(a[0]):  # openpyxl shows _xHHHH_ escapes raw
                assert a == b, (c, a, b)
    # a unit's formula-looking text is a text cell, never a formula
    ws = openpyxl.load_workbook(io.BytesIO(fast))["S"]
    assert {c.data_type for row in ws.iter_rows() for c in row if c.value == EVIL} == {"s"}


def test_fast_rows_below_usual_cells_only():
    wb = new_workbook(io.BytesIO())
    ws = wb.add_worksheet("S", worksheet_class=FastSheet)
    ws.add_rows(1, [["x"]], [None])
    ws.write_string(3, 0, "below the added rows")
    with pytest.raises(ValueError):
        wb.close()
    ws2 = new_workbook(io.BytesIO()).add_worksheet("S", worksheet_class=FastSheet)
    ws2.add_rows(5, [["x"]], [None])
    with pytest.raises(ValueError):
        ws2.add_rows(2, [["y"]], [None])


def test_styled_and_named_formats_and_heights():
    buf = io.BytesIO()
    wb = new_workbook(buf)
    fm = Formats(wb)
    grey = fm(bg_color="#EDEDED")
    ws = wb.add_worksheet("S", worksheet_class=FastSheet)
    ws.add_rows(0, [[Styled(None, "grey"), 1], [2, Styled(3, grey)]], [None, None], heights=[30, None], named={"grey": grey})
    wb.close()
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))["S"]
    assert ws["A1"].value is None and ws["A1"].fill.fgColor.rgb.endswith("EDEDED")  # empty, but shown grey
    assert ws["B2"].value == 3 and ws["B2"].fill.fgColor.rgb.endswith("EDEDED")
    assert ws.row_dimensions[1].height == 30 and ws.row_dimensions[2].height is None


def test_row_heights_agree_with_text_height():
    widths = (10, 30, 8)
    rows = [["short", "x" * 100, 5], ["a\nb\nc", "", None], ["ok", "fits in one line", 1.5], [Styled("y" * 40, None), "z", 2]]
    plain = [[v.value if isinstance(v, Styled) else v for v in r] for r in rows]
    assert row_heights(rows, widths, 11, (0, 1)) == [text_height(r, widths, 11) for r in plain]


def test_zip_bytes_are_zipfiles_bytes():
    parts = [("[Content_Types].xml", b"<x>" + "Tiếng Việt".encode() * 200 + b"</x>"), ("_rels/.rels", b""), ("xl/a.bin", bytes(range(256)) * 4)]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=False) as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    assert zip_bytes([ZipPart.of(n, d) for n, d in parts]) == buf.getvalue()


def test_lean_packaging_writes_xlsxwriters_own_bytes(monkeypatch):
    # Parts kept as UTF-8 pieces (xlsx/util.py, Utf8Part) give the bytes xlsxwriter's StringIO parts give,
    # for a workbook of Vietnamese text, usual cells, fast rows, two sheets and a chart.
    def book() -> bytes:
        buf = io.BytesIO()
        wb = new_workbook(buf, title="Tổng hợp tháng 11/2025")
        fm = Formats(wb)
        for name in ("Tổng hợp", "Chi tiết"):
            ws = wb.add_worksheet(name, worksheet_class=FastSheet)
            ws.write_string(0, 0, "Đơn vị có dấu: Phòng Quản lý Khoa học", fm(bold=True))
            ws.add_rows(1, ROWS * 300, [None, fm(num_format="0.00")] + [fm(text_wrap=True)] * (len(ROWS[0]) - 2))
        chart = wb.add_chart({"type": "bar"})
        chart.add_series({"categories": "='Tổng hợp'!$A$2:$A$5", "values": "='Tổng hợp'!$B$2:$B$5"})
        wb.worksheets()[0].insert_chart("D2", chart)
        wb.close()
        return buf.getvalue()

    assert xlsx_util.LEAN_PACKAGING  # the pinned xlsxwriter has the step it relies on
    lean = book()
    monkeypatch.setattr(xlsx_util, "LEAN_PACKAGING", False)
    assert book() == lean


def test_a_text_longer_than_a_cell_holds_is_cut_and_marked_both_ways(monkeypatch, tmp_path):
    # Excel holds 32,767 UTF-16 units a cell and "repairs" a file with more; a text of ours that long (a
    # note naming thousands) is cut there and ends with " …", by the fast rows and by xlsxwriter's cells.
    long = "Đơn vị số 00001, " * 1926 + "x" * 8 + "😀" * 10  # the cut falls inside the surrogate pairs
    def book() -> str:
        buf = io.BytesIO()
        wb = new_workbook(buf)
        ws = wb.add_worksheet("S", worksheet_class=FastSheet)
        ws.add_rows(0, [[long, "ngắn"]], [None, None])
        wb.close()
        path = tmp_path / "long.xlsx"
        path.write_bytes(buf.getvalue())
        return openpyxl.load_workbook(path)["S"]["A1"].value

    fast_text = book()
    monkeypatch.setattr(fast, "FAST", False)
    plain_text = book()
    assert fast_text == plain_text
    assert fast_text.endswith("😀😀 …") and long.startswith(fast_text[:-2])  # never half a pair
    assert len(fast_text.encode("utf-16-le")) // 2 == 32766


def _pattern() -> tuple[PatternBook, dict]:
    made = {}

    def build(wb):
        fm = Formats(wb)
        made["text"] = fm(text_wrap=True, border=1)
        made["number"] = fm(num_format="0.00")
        use_formats(made["text"], made["number"])
        for name in ("Một", "Hai"):
            ws = wb.add_worksheet(name, worksheet_class=FastSheet)
            ws.pattern = True
            ws.write_string(0, 0, "Tiêu đề", fm(bold=True))
            ws.set_header("&C{{unit}} - " + name)

    return PatternBook(build), made


def test_pattern_book_fills_rows_and_texts(tmp_path):
    book, f = _pattern()
    one = SheetRows.of(1, [["An", 8.25], [EVIL, None]], [f["text"], f["number"]])
    path = book.write(tmp_path / "a.xlsx", [one, None], {"title": "Phản hồi <A & B>", "unit": "Đơn vị A && B"})
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Một", "Hai"]
    ws = wb["Một"]
    assert [[c.value for c in r] for r in ws.iter_rows()] == [["Tiêu đề", None], ["An", 8.25], [EVIL, None]]
    assert ws["B2"].number_format == "0.00" and ws["A3"].data_type == "s"
    assert ws.dimensions == "A1:B3" and wb["Hai"].dimensions == "A1:A1"
    assert ws.oddHeader.center.text == "Đơn vị A && B - Một"  # as given: "&&" is a page header's "&"
    assert wb.properties.title == "Phản hồi <A & B>"
    # the same values give the same bytes; another file's rows do not leak into the next
    again = book.write(tmp_path / "b.xlsx", [one, None], {"title": "Phản hồi <A & B>", "unit": "Đơn vị A && B"})
    assert again.read_bytes() == path.read_bytes()
    other = book.write(tmp_path / "c.xlsx", [None, SheetRows.of(1, [["x"]], [f["text"]])], {"title": "t", "unit": "u"})
    assert [[c.value for c in r] for r in openpyxl.load_workbook(other)["Một"].iter_rows()] == [["Tiêu đề"]]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_pattern_rows_may_not_cover_the_layout(tmp_path):
    book, f = _pattern()
    with pytest.raises(ValueError):
        book.write(tmp_path / "a.xlsx", [SheetRows.of(0, [["x"]], [f["text"]])], {"title": "t", "unit": "u"})
    with pytest.raises(KeyError):
        book.write(tmp_path / "b.xlsx", [None, None], {"title": "t"})  # the page header's {{unit}} has no text


# -- without the xlsxwriter internals the fast writer relies on


class _OldWorksheet(xlsxwriter.worksheet.Worksheet):
    """A worksheet as xlsxwriter 3.1.9 – 3.2.9 made it: no ``row_info``."""

    def __init__(self) -> None:
        super().__init__()
        del self.row_info


def test_a_missing_internal_is_named():
    assert hooks_mismatch() is None  # the xlsxwriter installed here
    assert hooks_mismatch(_OldWorksheet) == "row_info"


def _values_and_styles(data: bytes) -> dict:
    """Values as python-calamine reads them (openpyxl reads inline and shared text differently), styles
    and page set-up as openpyxl does."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    values = CalamineWorkbook.from_filelike(io.BytesIO(data))
    out = {"title": wb.properties.title}
    for ws in wb.worksheets:
        out[ws.title] = {
            "values": values.get_sheet_by_name(ws.title).to_python(skip_empty_area=False),
            "styles": [[(c.number_format, c.font.b, c.font.i, c.border.left.style, c.alignment.wrap_text) for c in r] for r in ws.iter_rows()],
            "heights": {r: d.height for r, d in ws.row_dimensions.items() if d.height},
            "header": ws.oddHeader.center.text,
        }
    return out


def test_without_the_internals_tables_are_written_cell_by_cell_with_the_same_content(monkeypatch, tmp_path):
    from ccht_batch.outputs import feedback

    fast_book = _book(fast=True)
    d = _feedback_values()
    feedback.write_feedback_file(tmp_path / "fast.xlsx", d)

    monkeypatch.setattr(fast, "FAST", False)
    monkeypatch.setattr(feedback, "_PATTERN", None)
    plain_book = _values_and_styles(_book(fast=True))
    quick_book = _values_and_styles(fast_book)
    rich = ROWS[0].index("<r>rich?</r>")  # python-calamine reads that text back empty from a shared string
    for values in (plain_book["S"]["values"], quick_book["S"]["values"]):
        for row in values[1:]:
            row[rich] = row[len(ROWS[0]) - 1 - (rich - 7)] = None
    assert plain_book == quick_book
    feedback.write_feedback_file(tmp_path / "plain.xlsx", d)
    plain, quick = (_values_and_styles((tmp_path / n).read_bytes()) for n in ("plain.xlsx", "fast.xlsx"))
    assert plain == quick
    assert plain["Điểm"]["values"][1][0] not in (None, "")  # the comparison saw real rows


def _feedback_values() -> dict:
    import tempfile
    from pathlib import Path

    from support.sample import build_outcome, load_sample_config

    from ccht_batch.outputs.frames import feedback_data

    config = load_sample_config(Path(tempfile.mkdtemp()))
    outcome = build_outcome(config)
    unit = next(u for u in outcome.units if u.score is not None and u.sent_this_period)
    return feedback_data(config, outcome, [unit])[0]
