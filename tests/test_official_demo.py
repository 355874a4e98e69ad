"""The demo's year through every command that writes a signable page (ISSUE 13, "Must show"):

demo (October and November) → the final review's run (``run --period 2025-12 --milestone tong-ket``) →
``close-year`` → ``report --year 2025`` → ``documents``. Every list sheet and every Word document has the
three rules, page numbers from page 2 in the header, margins in range, vi-VN and no processing note on a
printed page; the dossier holds the tờ trình, the quyết định, the biên bản and one báo cáo thành tích per
candidate, each converting to PDF; the yearly report counts the 8 recognised initiatives (13 authors) and
writes each decision's date once.
"""

from __future__ import annotations

import json
import re

import openpyxl
import pytest
from support.cli import run_cli, run_in
from support.official import (
    PDFTOTEXT,
    docx_facts,
    first_line,
    margins_in_range,
    pdf_pages,
    xlsx_facts,
)
from support.soffice import SOFFICE, soffice_convert_many

from ccht_batch.official.text import MOTTO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    wd = tmp_path_factory.mktemp("demo-year") / "demo"
    assert run_cli("demo", wd)[0] == 0
    for step in (
        ["run", "--period", "2025-12", "--milestone", "tong-ket"],
        ["close-year", "--year", "2025", "--yes"],
        ["report", "--year", "2025"],
        ["documents", "--period", "2025-12", "--milestone", "tong-ket"],
    ):
        code, out, err = run_in(wd, *step)
        assert code in (0, 1), (step, out, err)
    return wd


def test_documents_writes_the_dossier_of_the_final_review(year):
    folder = year / "output" / "2025-12" / "VanBan"
    top = sorted(p.name for p in folder.glob("*.docx"))
    assert top == ["BienBan_HoiDong_2025-12.docx", "QuyetDinh_giay-khen-giam-doc.docx", "ToTrinh_bang-khen-ubnd.docx"]
    summary = json.loads((year / "output" / "2025-12" / "summary.json").read_text(encoding="utf-8"))
    listed = {(n["unit_code"], n["name"]) for n in summary["nominations"] if n["selected"] is not False}
    reports = sorted(p.stem for p in (folder / "BaoCaoThanhTich").glob("*.docx"))
    assert len(reports) == len(listed) > 0  # one báo cáo thành tích per candidate
    assert {code for code, name in listed} == {stem.split("_")[0] for stem in reports}
    assert not (year / "output" / "2025-11" / "VanBan").exists()  # `run` does not write them


def test_every_list_sheet_of_every_run_is_official(year):
    books = sorted((year / "output").glob("*/DeNghiKhenThuong_*.xlsx"))
    assert [b.parent.name for b in books] == ["2025-10", "2025-11", "2025-12"]
    for book in books:
        facts = xlsx_facts(book)
        assert list(facts) == openpyxl.load_workbook(book, read_only=True).sheetnames
        for name, f in facts.items():
            rows = sorted(r.row for r in f.rules)
            assert len(rows) == 3 and rows[:2] == [2, 2], (book.name, name, rows)  # issuing body, Tiêu ngữ, title block
            assert f.different_first and "&P" in f.header and f.first_page_number == "1", (book.name, name)
            assert f.paper == "9" and margins_in_range(f.margins_mm), (book.name, name, f.margins_mm)
        wb = openpyxl.load_workbook(book)
        nominations = json.loads((book.parent / "summary.json").read_text(encoding="utf-8"))["nominations"]
        # a tie at a quota is stated on the list itself, for the council (the awards issue): not a processing note
        ties = {n["note"] for n in nominations if n["selected"] is None}
        notes = {n["note"] for n in nominations if n["note"]} - ties
        for ws in wb.worksheets:
            cells = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
            assert not notes & cells, (book.name, ws.title)


def test_the_processing_notes_are_kept_for_the_office(year):
    wb = openpyxl.load_workbook(year / "output" / "2025-12" / "TongHop_2025-12.xlsx", read_only=True)
    rows = list(wb["Ghi chú xử lý"].iter_rows(values_only=True))
    summary = json.loads((year / "output" / "2025-12" / "summary.json").read_text(encoding="utf-8"))
    assert len(rows) - 1 == sum(1 for n in summary["nominations"] if n["note"]) > 0


def test_every_word_document_is_official(year):
    docs = sorted((year / "output").rglob("*.docx"))
    assert len(docs) >= 5
    for path in docs:
        f = docx_facts(path)
        assert f.a4 and margins_in_range(f.margins_mm), path.name
        assert f.different_first and f.page_field and f.first_header_text == "", path.name
        assert f.languages == {"vi-VN"} and f.runs_without_language == 0, path.name
        assert len(f.rules_after) >= 3 and f.rules_after[1] == MOTTO, (path.name, f.rules_after)  # an annex adds its own
        assert not any("xóa trước khi trình ký" in t or "Chuyển xét" in t or "Vượt chỉ tiêu" in t for t in f.texts), path.name


def test_the_yearly_report_counts_initiatives_once_and_dates_once(year):
    texts = docx_facts(year / "output" / "reports" / "BaoCao_2025.docx").texts
    text = "\n".join(texts)
    assert "Tổng số 8 sáng kiến, giải pháp được công nhận (cấp cơ sở: 8), của 10 lượt tác giả, đồng tác giả." in text
    decisions = [t for t in texts if t.startswith("Quyết định số ")]
    assert len(decisions) == 8
    assert all(t.count("ngày") == 1 for t in decisions), decisions
    # VP cites 40 twice; TTRA, QLKH and CCTDC two each; BCVT one co-written (demo.py)
    assert sorted(re.findall(r"số (\d+)/QĐ-SKHCN", " ".join(decisions))) == ["40", "42", "43", "46", "47", "50", "54", "55"]
    assert "ngày 20/06/2025" not in text
    code, out, _ = run_in(year, "history", "show", "--unit", "VP")
    assert code == 0
    code, out, _ = run_in(year, "history", "show", "--person", "Trần Thị Mai")
    assert code == 0 and "Quyết định số 40/QĐ-SKHCN ngày 20/6/2025, cấp Cơ sở" in out and out.count("ngày 20/") == out.count("Quyết định số")


@pytest.mark.soffice
@pytest.mark.skipif(SOFFICE is None or PDFTOTEXT is None, reason="LibreOffice (soffice) or pdftotext (poppler-utils) is not installed")
def test_every_document_converts_to_pdf_with_its_pages_numbered(year, tmp_path):
    docs = sorted((year / "output").rglob("*.docx"))
    pdfs = soffice_convert_many(docs, "pdf", tmp_path)
    names = {"ToTrinh": "TỜ TRÌNH", "QuyetDinh": "QUYẾT ĐỊNH", "BienBan": "BIÊN BẢN", "BaoCao_": "BÁO CÁO"}
    for doc, pdf in zip(docs, pdfs):
        pages = pdf_pages(pdf)
        assert pages, doc.name
        first = pages[0]
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first and "Độc lập - Tự do - Hạnh phúc" in first, doc.name
        expected = next((title for prefix, title in names.items() if doc.name.startswith(prefix)), "BÁO CÁO THÀNH TÍCH")
        assert expected in first, doc.name
        assert not first_line(first).isdigit(), doc.name  # no number on the first page
        assert [first_line(p) for p in pages[1:]] == [str(n) for n in range(2, len(pages) + 1)], doc.name
