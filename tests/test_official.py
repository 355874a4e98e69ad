"""The official-document layer (Decree 30/2020/NĐ-CP, Phụ lục I) in the lists and the report (ISSUE 13):
the three rules, page numbers from page 2 in the header, margins in range, vi-VN, no machine note on a
printed page; dates and decisions written once."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import openpyxl
import pytest
from support.official import (
    PDFTOTEXT,
    docx_facts,
    first_line,
    margins_in_range,
    pdf_pages,
    xlsx_facts,
)
from support.sample import BK_UBND, GK, PERIOD, build_outcome, load_sample_config
from support.soffice import SOFFICE, soffice_convert

from ccht_batch.core.records import Nomination, PersonEntry
from ccht_batch.official.naming import attachment_line, outward_name
from ccht_batch.official.text import (
    AGENCY_PT,
    MOTTO,
    MOTTO_PT,
    NAME_PT,
    decision_text,
    decree_date,
    split_decision,
    text_width_pt,
)
from ccht_batch.outputs.nominations import write_nominations_workbook

needs_soffice = pytest.mark.skipif(SOFFICE is None or PDFTOTEXT is None, reason="LibreOffice (soffice) or pdftotext (poppler-utils) is not installed")


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return load_sample_config(tmp_path_factory.mktemp("official"))


# ---------------------------------------------------------------------------------------------------
# Text


def test_dates_follow_the_decree():
    assert decree_date(dt.date(2025, 6, 20)) == "20/6/2025"
    assert decree_date(dt.date(2021, 9, 1)) == "01/9/2021"
    assert decree_date(dt.date(2025, 2, 5)) == "05/02/2025"


@pytest.mark.parametrize(
    "typed, number, date",
    [
        ("Quyết định số 45/QĐ-SKHCN ngày 20/6/2025", "45/QĐ-SKHCN", dt.date(2025, 6, 20)),
        ("Số 12/QĐ-SKHCN ngày 01/03/2025", "12/QĐ-SKHCN", dt.date(2025, 3, 1)),
        ("QĐ số 7/QĐ-UBND, 5-1-2024", "7/QĐ-UBND", dt.date(2024, 1, 5)),
        ("45/QĐ-SKHCN", "45/QĐ-SKHCN", None),
    ],
)
def test_a_decision_is_split_into_number_and_date(typed, number, date):
    assert split_decision(typed) == (number, date)


def test_a_decision_shows_its_date_once_whichever_way_it_was_stored():
    expected = "Quyết định số 45/QĐ-SKHCN ngày 20/6/2025"
    assert decision_text("Quyết định số 45/QĐ-SKHCN ngày 20/6/2025", dt.date(2025, 6, 20)) == expected  # the old way: both
    assert decision_text("45/QĐ-SKHCN", dt.date(2025, 6, 20)) == expected
    assert decision_text("Quyết định số 45/QĐ-SKHCN ngày 20/6/2025") == expected
    assert decision_text("") == ""


def test_lists_that_leave_the_agency_name_it_and_the_province(config):
    assert outward_name(config, "Phòng Quản lý Khoa học") == "Phòng Quản lý Khoa học, Sở Khoa học và Công nghệ tỉnh Lâm Đồng"
    assert outward_name(config, "Văn phòng Sở") == "Văn phòng Sở Khoa học và Công nghệ tỉnh Lâm Đồng"
    assert attachment_line(config, BK_UBND, 2025) == "(Kèm theo Tờ trình số        /TTr-SKHCN ngày      tháng      năm 2025 của Sở Khoa học và Công nghệ)"
    assert attachment_line(config, GK, 2025) == (
        "(Kèm theo Quyết định số        /QĐ-SKHCN ngày      tháng      năm 2025 của Giám đốc Sở Khoa học và Công nghệ)"
    )


# ---------------------------------------------------------------------------------------------------
# The lists


def long_outcome(config, n: int = 60):
    """The sample's final review with ``n`` more persons on the Giấy khen list: a list longer than a page."""
    outcome = build_outcome(config, milestone="tong-ket")
    extra = []
    for i in range(n):
        p = PersonEntry(row=10 + i, name=f"Nguyễn Văn Thứ {i + 1}", birth_year=1980 + i % 20, gender="Nam", position="Chuyên viên",
                        rating="HTXSNV", summary="Hoàn thành xuất sắc nhiệm vụ cải cách hành chính được giao trong năm.")
        extra.append(Nomination(GK, config.criteria.award(GK).name, "individual", p.name, "VP", True, ["Đủ điều kiện"], True, True, "", p))
    # processing notes that cannot be mistaken for a list's own words
    noms = [replace(n, note=f"Ghi chú của chương trình số {i}: chuyển xét, vượt chỉ tiêu") for i, n in enumerate(outcome.nominations)]
    return replace(outcome, nominations=noms + extra)


@pytest.fixture(scope="module")
def lists(config, tmp_path_factory):
    path = tmp_path_factory.mktemp("lists") / f"DeNghiKhenThuong_{PERIOD}.xlsx"
    write_nominations_workbook(config, long_outcome(config), path)
    return path


def test_every_list_sheet_has_the_three_rules_sized_to_their_text(config, lists):
    wb = openpyxl.load_workbook(lists)
    facts = xlsx_facts(lists)
    assert set(facts) == set(wb.sheetnames)
    for name, f in facts.items():
        ws = wb[name]
        title_row = next(c.row for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("DANH SÁCH"))
        block_end = title_row + 1 + sum(1 for r in range(title_row + 1, title_row + 4) if str(ws.cell(r, 1).value or "").startswith("("))
        under = sorted((r.row, r.col, r.length_pt) for r in f.rules)
        assert len(under) == 3, (name, under)
        (r1, _, issuer), (r2, _, motto), (r3, _, subject) = under
        assert r1 == r2 == 2, name  # the row right under the issuing body and the Tiêu ngữ (rows 1–2)
        assert r3 == block_end - 1, name  # right under the title and its lines (0-based row after the block)
        full_issuer = text_width_pt(config.agency.name.upper(), AGENCY_PT, True)
        assert full_issuer / 3 <= issuer <= full_issuer / 2, name
        assert abs(motto - text_width_pt(MOTTO, MOTTO_PT, True)) < 0.5, name  # as long as the Tiêu ngữ
        title = ws.cell(title_row, 1).value
        assert text_width_pt(title, NAME_PT, True) / 3 <= subject <= text_width_pt(title, NAME_PT, True) / 2, name


def test_every_list_sheet_is_set_up_as_the_decree_says(lists):
    for name, f in xlsx_facts(lists).items():
        assert f.paper == "9" and f.landscape, name  # A4; tables may be landscape
        assert margins_in_range(f.margins_mm), (name, f.margins_mm)
        assert "&C" in f.header and "&P" in f.header and "&N" not in f.header, name  # centred, this page's number
        assert f.different_first, name  # not on the first page
        assert f.first_page_number == "1", name  # each list counted on its own


def test_no_processing_note_on_a_list(config, lists):
    outcome = long_outcome(config)
    notes = {n.note for n in outcome.nominations if n.note}
    wb = openpyxl.load_workbook(lists)
    for ws in wb.worksheets:
        cells = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
        assert not (notes & cells), ws.title
        assert not any("≤" in c or "≥" in c for c in cells), ws.title


@pytest.mark.soffice
@pytest.mark.slow
@needs_soffice
def test_printed_lists_number_their_pages_from_the_second_each_on_its_own(config, lists, tmp_path):
    pages = pdf_pages(soffice_convert(lists, "pdf", tmp_path))
    starts = [i for i, page in enumerate(pages) if "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page]
    assert len(starts) == len(config.criteria.awards) + 1  # every sheet starts with its header
    gk = starts[[r.id for r in config.criteria.awards].index(GK)]
    assert "UBND TỈNH LÂM ĐỒNG" in first_line(pages[gk]) and not first_line(pages[gk]).isdigit()  # no number on page 1
    following = starts[starts.index(gk) + 1]
    assert following - gk >= 3  # the Giấy khen list runs over several pages, numbered 2, 3, ...
    assert [first_line(pages[i]) for i in range(gk + 1, following)] == [str(n) for n in range(2, following - gk + 1)]
    for start in starts:  # every sheet starts again, its first page unnumbered
        assert not first_line(pages[start]).isdigit()
    assert "Ghi chú của chương trình" not in "\n".join(pages)


# ---------------------------------------------------------------------------------------------------
# The report (docx)


def test_the_report_has_the_official_page(tmp_path):
    from support.history import make_workdir, run_cli

    wd, config = make_workdir(tmp_path)
    assert run_cli(wd, "report", "--year", "2025")[0] == 0
    f = docx_facts(wd / "output" / "reports" / "BaoCao_2025.docx")
    assert f.a4 and margins_in_range(f.margins_mm), f.margins_mm
    assert f.different_first and f.page_field and f.first_header_text == ""
    assert f.languages == {"vi-VN"} and f.runs_without_language == 0
    assert f.rules_after[:2] == [config.agency.name, MOTTO]
    assert f.rules_after[2].startswith("Kết quả thực hiện phong trào thi đua")  # the trích yếu
    assert len(f.rules_after) == 3
    assert not any("xóa trước khi trình ký" in t or "Lưu ý về số liệu" in t for t in f.texts)
    assert not any("SỞ KHOA HỌC VÀ CÔNG NGHỆ báo cáo" in t for t in f.texts)
    assert any(", Sở Khoa học và Công nghệ báo cáo kết quả thực hiện phong trào năm 2025 như sau:" in t for t in f.texts)
    received = next(t for t in f.texts if t.startswith("Nơi nhận:"))
    assert received.splitlines()[1] == "- UBND tỉnh (báo cáo);"  # the plan: the report goes to UBND tỉnh


def test_an_older_units_yaml_without_the_new_keys_still_writes_its_lists(tmp_path):
    """A working folder made before ``documents``, ``name_in_text`` and ``full_name`` existed keeps its
    one ``submission_line`` under every list and runs as before."""
    import shutil

    from ccht_batch.config.load import default_config_dir, load_config

    shutil.copytree(default_config_dir(), tmp_path / "config")
    path = tmp_path / "config" / "units.yaml"
    text = path.read_text(encoding="utf-8")
    text = text[: text.index("# Các văn bản trong hồ sơ đề nghị khen thưởng")]
    text = text.replace('  name_in_text: "Sở Khoa học và Công nghệ"', '  submission_line: "(Kèm theo Tờ trình số      /TTr-SKHCN ngày      tháng      năm {year})"')
    path.write_text(text.replace('  full_name: "Sở Khoa học và Công nghệ tỉnh Lâm Đồng"', ""), encoding="utf-8")
    old = load_config(tmp_path)
    assert old.documents.forms == () and old.agency.text_name == "Sở khoa học và công nghệ"
    out = tmp_path / "DeNghi.xlsx"
    write_nominations_workbook(old, build_outcome(old, milestone="tong-ket"), out)
    ws = openpyxl.load_workbook(out)[old.criteria.award(GK).sheet_name]
    cells = [c.value for row in ws.iter_rows() for c in row]
    assert "(Kèm theo Tờ trình số      /TTr-SKHCN ngày      tháng      năm 2025)" in cells
    assert "Văn phòng Sở" in cells  # no document named: the list stays in the agency's words
