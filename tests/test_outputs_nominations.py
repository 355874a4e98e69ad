"""The nomination lists DeNghiKhenThuong_<YYYY-MM>.xlsx: official look, provisional title, selected names."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid

import openpyxl
import pytest
from support.sample import (  # noqa: E402
    BK_UBND,
    EVIL,
    GK,
    PERIOD,
    build_outcome,
    load_sample_config,
)

from ccht_batch.official.text import MOTTO, NATION  # noqa: E402
from ccht_batch.outputs.nominations import (  # noqa: E402
    LIST_HEADERS,
    SHEET_REFUSED,
    write_nominations_workbook,
)


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return load_sample_config(tmp_path_factory.mktemp("denghi"))


@pytest.fixture(scope="module")
def monthly(config, tmp_path_factory):
    path = tmp_path_factory.mktemp("monthly") / f"DeNghiKhenThuong_{PERIOD}.xlsx"
    write_nominations_workbook(config, build_outcome(config), path)
    return path, openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def final(config, tmp_path_factory):
    """A final review whose council decision is applied: every list is final."""
    path = tmp_path_factory.mktemp("final") / f"DeNghiKhenThuong_{PERIOD}.xlsx"
    write_nominations_workbook(config, build_outcome(config, milestone="tong-ket", council=True), path)
    return path, openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def undecided(config, tmp_path_factory):
    """A final review before the council has decided."""
    path = tmp_path_factory.mktemp("undecided") / f"DeNghiKhenThuong_{PERIOD}.xlsx"
    write_nominations_workbook(config, build_outcome(config, milestone="tong-ket"), path)
    return path, openpyxl.load_workbook(path)


def texts(ws) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def find(ws, text: str):
    return next(c for row in ws.iter_rows() for c in row if c.value == text)


def row_values(ws, row: int) -> list:
    return [c.value for c in ws[row]]


def test_one_sheet_per_award_then_refused(config, monthly):
    _, wb = monthly
    assert wb.sheetnames == [r.sheet_name for r in config.criteria.awards] + [SHEET_REFUSED]


def test_official_header(config, monthly):
    _, wb = monthly
    for rule in config.criteria.awards:
        ws = wb[rule.sheet_name]
        assert ws["A1"].value == config.agency.parent
        assert ws["A2"].value == config.agency.name.upper() and ws["A2"].font.b
        assert ws["E1"].value == NATION and ws["E1"].font.b
        assert ws["E2"].value == MOTTO and ws["E2"].font.b
        date = find(ws, "Lâm Đồng, ngày .... tháng .... năm 2025")
        assert date.font.i
        assert {"A1:D1", "E1:H1", "A2:D2", "E2:H2"} <= {str(m) for m in ws.merged_cells.ranges}
        assert ws["A1"].font.name == "Times New Roman"
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        # fit to one page wide (fitToWidth defaults to 1), any number of pages tall
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0 and ws.page_setup.fitToWidth in (None, 1)


def test_provisional_title_until_the_council_decided_a_milestone(config, monthly, undecided, final):
    _, wb = monthly
    for rule in config.criteria.awards:
        ws = wb[rule.sheet_name]
        title = find(ws, f"{rule.title} (DỰ KIẾN)")
        assert title.font.b and title.alignment.horizontal == "center"
        assert any("dự kiến" in t for t in texts(ws))
    # a milestone's lists stay provisional until the council's decision is applied
    _, wb = undecided
    for rule in config.criteria.awards:
        ws = wb[rule.sheet_name]
        assert find(ws, f"{rule.title} (DỰ KIẾN)")
        assert "(Danh sách dự kiến: chờ Hội đồng Thi đua - Khen thưởng xét, biểu quyết)" in texts(ws)
    _, wb = final
    for ws in wb.worksheets:
        assert not any("DỰ KIẾN" in t or "dự kiến" in t for t in texts(ws))
    assert find(wb[config.criteria.award(GK).sheet_name], config.criteria.award(GK).title).font.b


def test_selected_names_in_sections(config, monthly):
    _, wb = monthly
    ws = wb[config.criteria.award(GK).sheet_name]
    header = find(ws, "STT")
    assert row_values(ws, header.row) == list(LIST_HEADERS)
    # the Director gives his Giấy khen by his own decision (units.yaml documents.awards)
    assert find(ws, "(Kèm theo Quyết định số        /QĐ-SKHCN ngày      tháng      năm 2025 của Giám đốc Sở Khoa học và Công nghệ)")
    collective = find(ws, "I. Tập thể").row
    individual = find(ws, "II. Cá nhân").row
    assert row_values(ws, collective + 1)[:2] == [1, "Văn phòng Sở"]
    assert row_values(ws, collective + 2)[:2] == [2, "Thanh tra Sở"]
    assert individual == collective + 3
    an = row_values(ws, individual + 1)
    assert an[:6] == [1, "Nguyễn Văn An", 1980, "Nam", "Trưởng phòng, Văn phòng Sở", "Giấy khen của Giám đốc Sở"]
    summary = ws.cell(individual + 1, 7)
    assert summary.value == EVIL and summary.data_type == "s"
    names = texts(ws)
    assert "Trần Thị Bình" not in names and "Lê Văn Cường" not in names  # proposed, not selected


def test_signer_and_distribution(config, monthly):
    _, wb = monthly
    ws = wb[config.criteria.award(GK).sheet_name]
    first = find(ws, config.agency.signer.title_lines[0])
    name = find(ws, config.agency.signer.name)
    assert first.column_letter == "E" and first.font.b
    assert name.column_letter == "E" and name.font.b and name.row > first.row + len(config.agency.signer.title_lines)
    received = find(ws, "Nơi nhận:")
    assert received.column_letter == "A" and received.row == first.row
    assert [ws.cell(received.row + 1 + i, 1).value for i in range(len(config.agency.distribution))] == [f"- {d}" for d in config.agency.distribution]
    assert received.row > find(ws, "II. Cá nhân").row


def test_rule_not_considered_says_so(config, final, tmp_path):
    # the Prime Minister's Certificate is only considered at the final review, not at the mid-term one
    path = tmp_path / f"DeNghiKhenThuong_{PERIOD}.xlsx"
    write_nominations_workbook(config, build_outcome(config, milestone="so-ket"), path)
    ws = openpyxl.load_workbook(path)[config.criteria.award("bang-khen-ttcp").sheet_name]
    assert any("không xét ở kỳ đánh giá này" in t for t in texts(ws))
    assert "I. Tập thể" not in texts(ws)
    _, wb = final
    ws = wb[config.criteria.award(BK_UBND).sheet_name]
    individual = find(ws, "II. Cá nhân").row
    # a list that goes up to the province names the agency and the province
    assert row_values(ws, find(ws, "I. Tập thể").row + 1)[:2] == [1, "Văn phòng Sở Khoa học và Công nghệ tỉnh Lâm Đồng"]
    assert ws.cell(individual + 1, 1).value == "(Không có)"


def test_refused_sheet(monthly):
    _, wb = monthly
    ws = wb["Không đủ điều kiện"]
    header = find(ws, "STT").row
    rows = [row_values(ws, r) for r in range(header + 1, ws.max_row + 1)]
    by_name = {r[1]: r for r in rows if r[1]}
    assert set(by_name) == {"Trần Thị Bình", "Lê Văn Cường"}
    assert by_name["Trần Thị Bình"][4] == "Không đủ điều kiện"
    assert "Hoàn thành tốt nhiệm vụ" in by_name["Trần Thị Bình"][5]
    assert by_name["Lê Văn Cường"][4] == "Chưa xác định được"
    assert by_name["Lê Văn Cường"][2] == "Thanh tra Sở"


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


@pytest.mark.soffice
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_prints_at_least_a_page_per_sheet(config, monthly, tmp_path):
    path, wb = monthly
    profile = tmp_path / f"lo-profile-{uuid.uuid4().hex}"
    subprocess.run(
        [shutil.which("soffice"), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    pdf = (tmp_path / path.with_suffix(".pdf").name).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert _pdf_pages(pdf) >= len(wb.sheetnames) == len(config.criteria.awards) + 1
