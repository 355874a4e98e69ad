"""Contract tests of history, close-year and report (DESIGN.md §9, §10; issue #7), through the CLI and files."""

from __future__ import annotations

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from support.contract import (
    cli,
    cli_proc,
    find_header,
    load_yaml,
    meta,
    new_workdir,
    put,
    submit_full_and_run,
)

YEAR_HEADERS = ["Năm", "Mã đơn vị", "Họ và tên", "Năm sinh", "Xếp loại"]


def _fill_history(template, dest, rows):
    wb = openpyxl.load_workbook(template)
    ws = next(w for w in wb.worksheets if w.sheet_state == "visible" and _has_header(w))
    hr, col = find_header(ws, YEAR_HEADERS + ["Danh hiệu"])
    for i, row in enumerate(rows):
        for title, value in row.items():
            if value is not None:
                put(ws, f"{get_column_letter(col[title])}{hr + 1 + i}", value)
    wb.save(dest)
    return dest, ws.title, hr, col


def _has_header(ws):
    try:
        find_header(ws, YEAR_HEADERS)
        return True
    except AssertionError:
        return False


LAN = {"Mã đơn vị": "VP", "Họ và tên": "Trần Thị Lan", "Năm sinh": 1985, "Xếp loại": "Hoàn thành xuất sắc nhiệm vụ",
       "Danh hiệu": "Chiến sĩ thi đua cơ sở"}


@pytest.fixture(scope="module")
def h(tmp_path_factory):
    root = tmp_path_factory.mktemp("contract_history")
    wd = new_workdir(root)
    return wd, root


def test_history_template_kind(h):
    wd, _ = h
    r = cli(wd, "history", "template")
    assert r.rc == 0, r.text
    path = wd / "output" / "templates" / "LichSu_mau.xlsx"
    wb = openpyxl.load_workbook(path)
    assert meta(wb)["kind"] == "history"
    assert wb["_meta"].sheet_state in ("hidden", "veryHidden")


def test_history_import_bad_row_imports_nothing(h):
    wd, root = h
    tpl = wd / "output" / "templates" / "LichSu_mau.xlsx"
    if not tpl.exists():
        assert cli(wd, "history", "template").rc == 0
    bad = [{**LAN, "Năm": 2023}, {**LAN, "Năm": 2024},
           {"Năm": 2024, "Mã đơn vị": "TTRA", "Họ và tên": "Lê Văn Nam", "Năm sinh": 1990, "Xếp loại": "Xuất sắc lắm"}]
    path, _sheet, hr, col = _fill_history(tpl, root / "lich su sai.xlsx", bad)
    r = cli(wd, "history", "import", str(path))
    assert r.rc == 1, r.text
    bad_cell = f"{get_column_letter(col['Xếp loại'])}{hr + 3}"
    assert bad_cell in r.text and "Xuất sắc lắm" in r.text, r.text
    shown = cli(wd, "history", "show", "--person", "Trần Thị Lan")
    assert "2023" not in shown.out and "2024" not in shown.out, shown.out

    good = bad[:2]
    path, *_ = _fill_history(tpl, root / "lich su dung.xlsx", good)
    r = cli(wd, "history", "import", str(path))
    assert r.rc == 0, r.text
    shown = cli(wd, "history", "show", "--person", "Trần Thị Lan")
    assert shown.rc == 0 and "2023" in shown.out and "2024" in shown.out, shown.out


def test_close_year_then_report(h):
    wd, _ = h
    us = submit_full_and_run(wd)

    # without a terminal and without --yes: only shows, exits 2, writes nothing
    r = cli_proc(wd, "close-year", "--year", "2025", stdin="")
    assert r.rc == 2, r.text
    assert "2025:" not in cli(wd, "history", "show", "--unit", "VP").out

    r = cli(wd, "close-year", "--year", "2025", "--yes")
    assert r.rc == 0, r.text
    shown = cli(wd, "history", "show", "--unit", "VP")
    assert "2025" in shown.out and "100" in shown.out, shown.out

    r = cli(wd, "close-year", "--year", "2025", "--yes")
    assert r.rc == 2, "a closed year is refused without --force"
    r = cli(wd, "close-year", "--year", "2025", "--yes", "--force")
    assert r.rc == 0, r.text

    r = cli(wd, "report", "--year", "2025")
    assert r.rc == 0, r.text
    xlsx = wd / "output" / "reports" / "BaoCao_2025.xlsx"
    docx_path = wd / "output" / "reports" / "BaoCao_2025.docx"
    assert xlsx.stat().st_size > 0 and docx_path.stat().st_size > 0
    wb = openpyxl.load_workbook(xlsx, read_only=True)
    texts = {str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None}
    wb.close()
    assert us["VP"]["name"] in texts or "VP" in texts
    import docx
    doc = docx.Document(docx_path)
    body = "\n".join(p.text for p in doc.paragraphs) + "\n" + "\n".join(
        c.text for tb in doc.tables for row in tb.rows for c in row.cells)
    agency = load_yaml(wd, "units.yaml")["agency"]
    assert agency["name"] in body and agency["signer"]["name"] in body
    assert f"{agency['place']}, ngày" in body


def test_report_for_a_milestone(h):
    wd, _ = h
    r = cli(wd, "report", "--milestone", "tong-ket")
    assert r.rc == 0, r.text
    assert (wd / "output" / "reports" / "BaoCao_tong-ket.xlsx").exists()
    assert (wd / "output" / "reports" / "BaoCao_tong-ket.docx").exists()


def test_history_import_of_a_non_spreadsheet_speaks_vietnamese(h):
    wd, _ = h
    r = cli(wd, "history", "import", str(wd / "config" / "units.yaml"))
    assert r.rc in (1, 2), r.text
    assert "Error" not in r.text and "Cannot" not in r.text, r.text
