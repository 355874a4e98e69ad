"""`ccht-batch history template|import|show`: the workbook, all-or-nothing import, no duplicates."""

from __future__ import annotations

import datetime as dt
import sqlite3
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from support.history import (
    HTTNV,
    HTXSNV,
    fill_history,
    four_year_history,
    initiative_row,
    make_workdir,
    person_row,
    run_cli,
)
from support.soffice import SOFFICE, soffice_convert

from ccht_batch.core.records import person_key
from ccht_batch.history.imports import import_history
from ccht_batch.history.workbook import HISTORY_TEMPLATE_VERSION, SHEETS, template_path
from ccht_batch.store.db import Store
from ccht_batch.store.history import StoreHistory

TABLES = ("persons", "person_moves", "person_years", "initiatives", "awards_received", "unit_years")


def counts(path) -> dict[str, int]:
    conn = sqlite3.connect(str(path))
    try:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def test_template_has_vietnamese_sheets_meta_and_lookup_dropdowns(tmp_path):
    wd, config = make_workdir(tmp_path)
    code, out, _ = run_cli(wd, "history", "template")
    assert code == 0
    path = template_path(config)
    assert path == wd / "output" / "templates" / "LichSu_mau.xlsx" and path.exists()
    assert "LichSu_mau.xlsx" in out

    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[1:6] == list(SHEETS) == ["Cá nhân theo năm", "Sáng kiến", "Khen thưởng", "Đơn vị theo năm", "Chuyển đơn vị"]
    meta = wb["_meta"]
    assert meta.sheet_state == "hidden" and wb["_danh_muc"].sheet_state == "hidden"
    assert {meta.cell(r, 1).value: meta.cell(r, 2).value for r in (1, 2)} == {"kind": "history", "template_version": HISTORY_TEMPLATE_VERSION}
    assert [c.value for c in wb["Cá nhân theo năm"][4]][:6] == ["Năm", "Mã đơn vị", "Họ và tên", "Năm sinh", "Xếp loại", "Danh hiệu"]
    assert [c.value for c in wb["Chuyển đơn vị"][4]][:5] == ["Họ và tên", "Năm sinh", "Từ đơn vị", "Đến đơn vị", "Năm"]
    # every closed choice is a drop-down fed by the hidden lookup sheet, never an inline list
    lists = [dv for name in SHEETS for dv in wb[name].data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 16  # Loại (initiative or S&T task) and Tương đương hình thức since the awards work
    assert all(dv.formula1.startswith("'_danh_muc'!") for dv in lists)
    awards_col = next(c for c in range(1, 10) if wb["_danh_muc"].cell(1, c).value == "Hình thức")
    assert [wb["_danh_muc"].cell(r, awards_col).value for r in (2, 3, 4)] == [a.name for a in config.criteria.awards]


def test_four_year_history_lands_in_the_store(tmp_path):
    wd, config = make_workdir(tmp_path)
    path = fill_history(config, tmp_path / "lich-su.xlsx", four_year_history())
    code, out, _ = run_cli(wd, "history", "import", str(path))
    assert code == 0, out
    assert "Đã nhập tệp lich-su.xlsx" in out

    with Store(config.store_path) as store:
        h = StoreHistory(store)
        lan = h.person_years(person_key("Trần Thị Lan", 1985, "QLKH"))
        assert sorted(lan) == [2022, 2023, 2024, 2025]
        assert lan[2024].rating == "HTXSNV" and lan[2025].rating == "HTXSNV"
        assert lan[2024].titles == frozenset({"CSTDCS", "LDTT"})  # a CSTĐCS is also an LĐTT
        assert [(i.title, i.decision, i.decision_date, i.level, i.recognised) for i in lan[2024].initiatives] == [
            ("Số hóa hồ sơ đề tài khoa học", "15/QĐ-SKHCN", dt.date(2024, 11, 20), "co-so", True)
        ]
        assert lan[2025].initiatives[0].decision_date == dt.date(2025, 12, 5)  # typed as dd/mm/yyyy text

        assert sorted(h.person_years(person_key("lê  văn hùng", 1979, "KHTC"))) == [2022, 2023, 2025]  # 2024 absent

        duc = h.person_awards(person_key("Phạm Minh Đức", 1980, "VP"))
        assert [(a.award, a.year, a.decision, a.decision_date, a.issuer) for a in duc] == [
            ("bang-khen-ubnd", 2023, "2150/QĐ-UBND", dt.date(2023, 12, 28), "UBND tỉnh Đắk Nông")
        ]

        vp = h.unit_years("VP")
        assert sorted(vp) == [2022, 2023, 2024, 2025]
        assert vp[2023].result == Decimal("91.25") and vp[2022].result == Decimal("90.5")
        assert vp[2024].band == "Xuất sắc"  # left empty: follows from the result under the configured bands
        assert vp[2024].titles == frozenset({"TTLDXS"})
        assert [a.award for a in h.unit_awards("VP")] == ["bang-khen-ubnd"]

        # moved from QLKH to CDS in 2024: the years in QLKH stay with her, whichever key is asked
        trang_cds = h.person_years(person_key("Ngô Thu Trang", 1990, "CDS"))
        assert {y: p.unit_code for y, p in trang_cds.items()} == {2022: "QLKH", 2023: "QLKH", 2024: "CDS"}
        assert trang_cds[2023].initiatives[0].title == "Quy trình tiếp nhận hồ sơ trực tuyến"
        assert h.person_years(person_key("Ngô Thu Trang", 1990, "QLKH")) == trang_cds

    code, out, _ = run_cli(wd, "history", "show", "--person", "ngô thu trang")
    assert code == 0
    assert "Chuyển từ QLKH sang CDS năm 2024" in out and "2023 (QLKH): Hoàn thành xuất sắc nhiệm vụ" in out
    code, out, _ = run_cli(wd, "history", "show", "--unit", "VP")
    assert code == 0
    assert "2023: tổng điểm 91,25; kết quả 91,25; xếp loại Xuất sắc; hạng 1" in out
    assert "Bằng khen của Chủ tịch UBND tỉnh — Quyết định số 2151/QĐ-UBND ngày 28/12/2023 — UBND tỉnh Đắk Nông" in out


def test_one_bad_row_imports_nothing_and_names_the_cell(tmp_path):
    wd, config = make_workdir(tmp_path)
    sheets = four_year_history()
    # the third data row of `Sáng kiến` (row 7 as Excel shows it): a birth year that is not a year
    sheets["Sáng kiến"][2]["Năm sinh"] = "199O"
    path = fill_history(config, tmp_path / "co-loi.xlsx", sheets)

    code, out, err = run_cli(wd, "history", "import", str(path))
    assert code == 1 and out == ""  # a refusal is a problem: stderr
    assert "KHÔNG nhập" in err and "[Sáng kiến!D7]" in err and "199O" in err
    assert set(counts(config.store_path).values()) == {0}

    with Store(config.store_path) as store:
        result = import_history(config, store, path)
    assert [(i.code, i.severity, i.sheet, i.cell, i.value) for i in result.issues] == [("history-invalid", "error", "Sáng kiến", "D7", "199O")]
    assert "chưa có dòng nào của tệp được ghi" in result.issues[0].message


def test_every_problem_is_reported_with_its_cell(tmp_path):
    wd, config = make_workdir(tmp_path)
    sheets = {
        "Cá nhân theo năm": [
            person_row(2024, "QLKH", "Trần Thị Lan", 1985, "Xuất sắc"),  # not a rating
            person_row(2024, "XYZ", "Lê Văn Hùng", 1979, HTXSNV),  # unknown unit
            person_row(2024, "QLKH", "Trần  thị LAN", 1985, HTTNV),  # the same person and year again
        ],
        "Sáng kiến": [initiative_row(2024, "QLKH", "Trần Thị Lan", 1985, "Sáng kiến A", "15/QĐ-SKHCN", "31/02/2024", None)],
        "Đơn vị theo năm": [{"Năm": "năm 2024", "Mã đơn vị": "VP", "Kết quả": "8.500"}],
    }
    path = fill_history(config, tmp_path / "nhieu-loi.xlsx", sheets)
    with Store(config.store_path) as store:
        result = import_history(config, store, path)
    found = sorted((i.sheet, i.cell) for i in result.issues)
    assert found == sorted([
        ("Cá nhân theo năm", "E5"),
        ("Cá nhân theo năm", "B6"),
        ("Cá nhân theo năm", "C7"),
        ("Sáng kiến", "G5"),
        ("Sáng kiến", "H5"),
        ("Đơn vị theo năm", "A5"),
        ("Đơn vị theo năm", "D5"),
    ])
    assert all(i.code == "history-invalid" for i in result.issues)
    dup = next(i for i in result.issues if i.cell == "C7")
    assert "dòng 5" in dup.message
    assert set(counts(config.store_path).values()) == {0}


def test_reimport_replaces_without_duplicating_and_keeps_the_previous_version(tmp_path):
    wd, config = make_workdir(tmp_path)
    sheets = four_year_history()
    first = fill_history(config, tmp_path / "a.xlsx", sheets)
    assert run_cli(wd, "history", "import", str(first))[0] == 0
    before = counts(config.store_path)

    code, out, _ = run_cli(wd, "history", "import", str(first))
    assert code == 0 and "không có gì mới" in out
    assert counts(config.store_path) == before

    sheets["Cá nhân theo năm"][3] = person_row(2025, "QLKH", "Trần Thị Lan", 1985, HTTNV)  # a correction
    second = fill_history(config, tmp_path / "b.xlsx", sheets)
    assert run_cli(wd, "history", "import", str(second))[0] == 0
    with Store(config.store_path) as store:
        key = person_key("Trần Thị Lan", 1985, "QLKH")
        assert StoreHistory(store).person_years(key)[2025].rating == "HTTNV"
        versions = store.all(
            "SELECT rating, version, current, source FROM person_years py JOIN persons p ON p.id = py.person_id WHERE p.key = ? AND year = 2025 ORDER BY version",
            (key,),
        )
        assert [tuple(r) for r in versions] == [("HTXSNV", 1, 0, "import:a.xlsx"), ("HTTNV", 2, 1, "import:b.xlsx")]
        assert store.one("SELECT COUNT(*) AS n FROM person_years WHERE current = 1")["n"] == before["person_years"]


def test_a_workbook_that_is_not_a_history_file_is_refused(tmp_path):
    wd, config = make_workdir(tmp_path)
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Năm"
    path = tmp_path / "khac.xlsx"
    wb.save(path)
    code, out, err = run_cli(wd, "history", "import", str(path))
    assert code == 1 and out == ""
    assert "không phải tệp mẫu nhập lịch sử" in err
    assert set(counts(config.store_path).values()) == {0}

    code, _, err = run_cli(wd, "history", "import", str(tmp_path / "khong-co.xlsx"))
    assert code == 2 and "không tìm thấy tệp" in err


def test_template_is_reproducible_and_zip_safe(tmp_path):
    wd, config = make_workdir(tmp_path)
    run_cli(wd, "history", "template")
    first = template_path(config).read_bytes()
    run_cli(wd, "history", "template")
    assert template_path(config).read_bytes() == first
    with zipfile.ZipFile(template_path(config)) as zf:
        assert "xl/worksheets/sheet1.xml" in zf.namelist()


@pytest.mark.soffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_a_history_file_saved_by_libreoffice_imports(tmp_path):
    wd, config = make_workdir(tmp_path)
    path = fill_history(config, tmp_path / "lich-su.xlsx", four_year_history())
    resaved = soffice_convert(path, "xlsx", tmp_path / "lo")
    with Store(config.store_path) as store:
        result = import_history(config, store, resaved)
        assert result.issues == []
        assert sorted(StoreHistory(store).unit_years("VP")) == [2022, 2023, 2024, 2025]
        assert StoreHistory(store).unit_years("VP")[2023].result == Decimal("91.25")
