"""The consolidated workbook TongHop_<YYYY-MM>.xlsx, read back as the Office and outside programs read it."""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_outputs_sample import EVIL, PERIOD, build_outcome, load_sample_config  # noqa: E402

from ccht_batch.write_summary import ISSUE_HEADERS, SUMMARY_HEADERS, band_colours, write_summary_workbook  # noqa: E402


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tonghop")
    config = load_sample_config(folder)
    outcome = build_outcome(config)
    path = write_summary_workbook(config, outcome, folder / f"TongHop_{PERIOD}.xlsx")
    return config, outcome, path, openpyxl.load_workbook(path)


def rows_of(ws) -> list[dict]:
    header = [c.value for c in ws[1]]
    return [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True) if any(v is not None for v in r)]


def test_sheets_in_order(sample):
    _, _, _, wb = sample
    assert wb.sheetnames == ["Tổng hợp", "Chi tiết", "Cá nhân", "Lỗi", "Chưa nộp", "Biểu đồ"]


def test_summary_header_and_every_unit(sample):
    config, _, path, wb = sample
    ws = wb["Tổng hợp"]
    header = [c.value for c in ws[1]]
    assert tuple(header[:7]) == SUMMARY_HEADERS
    assert header[7:] == [f"{f.id}. {f.name}" for f in config.criteria.fields]
    rows = rows_of(ws)
    assert [r["Mã đơn vị"] for r in rows] == ["VP", "TTRA", "KHTC", "BCVT", "CCTDC", "CDS", "QLCN", "QLKH", "TTUD"]
    assert {r["Mã đơn vị"] for r in rows} == {u.code for u in config.units}
    # pandas with header=0 sees the same contract
    frame = pd.read_excel(path, sheet_name="Tổng hợp", header=0, engine="calamine")
    assert list(frame.columns[:7]) == list(SUMMARY_HEADERS)
    assert len(frame) == len(config.units)


def test_summary_values(sample):
    _, outcome, _, wb = sample
    rows = {r["Mã đơn vị"]: r for r in rows_of(wb["Tổng hợp"])}
    vp = outcome.unit("VP")
    assert rows["VP"]["Hạng"] == 1
    assert rows["VP"]["Kết quả"] == float(vp.result)
    assert rows["VP"]["Tổng điểm"] == float(vp.total)
    assert rows["VP"]["Xếp loại"] == vp.band
    assert rows["VP"]["Trạng thái"] == "Đã nộp"
    assert rows["VP"]["3. Thực hiện nhiệm vụ CCHC theo từng lĩnh vực, đúng tiến độ"] == float(vp.score.field_scores["3"][0])
    assert rows["KHTC"]["Trạng thái"] == "Dùng bản tháng trước"
    assert rows["QLKH"]["Trạng thái"] == "Bị trả lại"
    assert rows["QLKH"]["Hạng"] is None and rows["QLKH"]["Kết quả"] is None
    assert rows["CDS"]["Trạng thái"] == "Chưa nộp"


def test_summary_looks(sample):
    config, _, _, wb = sample
    ws = wb["Tổng hợp"]
    assert ws["D2"].number_format == "0.00" and ws["E2"].number_format == "0.00"
    assert ws.freeze_panes == "D2"
    assert ws.auto_filter.ref.startswith("A1:")
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert "TỔNG HỢP" in ws.oddHeader.center.text
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    assert len(rules) == len(config.criteria.bands)
    assert {r.formula[0] for r in rules} == {f'$F2="{b.name}"' for b in config.criteria.bands}
    fills = {r.dxf.fill.bgColor.rgb for r in rules}
    assert len(fills) == len(config.criteria.bands)


def test_band_colours_follow_the_number_of_bands():
    assert len(set(band_colours(3))) == 3
    assert len(set(band_colours(8))) == 8
    assert band_colours(5)[0] != band_colours(5)[-1]


def test_detail_rows_keep_quarter_points_and_unit_text(sample):
    _, outcome, _, wb = sample
    ws = wb["Chi tiết"]
    rows = rows_of(ws)
    vp = [r for r in rows if r["Mã đơn vị"] == "VP"]
    assert len(vp) == len(outcome.unit("VP").score.criteria)
    by_id = {r["Mã tiêu chí"]: r for r in vp}
    assert by_id["3.1"]["Điểm được tính"] == 2.25
    assert by_id["1.2"]["Nguồn điểm"] == "Tính từ số liệu"
    assert by_id["3.3"]["Nguồn điểm"] == "Thẩm định" and by_id["3.3"]["Điểm thẩm định"] is not None
    assert by_id["T1"]["Loại"] == "Điểm thưởng"
    ttra = {r["Mã tiêu chí"]: r for r in rows if r["Mã đơn vị"] == "TTRA"}
    assert ttra["3.2"]["Nguồn điểm"] == "Không áp dụng" and ttra["3.2"]["Điểm được tính"] is None
    # the unit's formula-looking evidence is text, shown as typed
    header = [c.value for c in ws[1]]
    col = header.index("Tài liệu kiểm chứng") + 1
    cells = [ws.cell(r, col) for r in range(2, ws.max_row + 1) if ws.cell(r, col).value == EVIL]
    assert cells and all(c.data_type == "s" for c in cells)
    assert not any(r["Mã đơn vị"] in ("QLKH", "CDS") for r in rows)


def test_persons_with_eligibility(sample):
    _, _, _, wb = sample
    ws = wb["Cá nhân"]
    header = [c.value for c in ws[1]]
    # without a milestone: the yearly form and those of the next review (tổng kết 2025), provisionally
    assert "Giấy khen của Giám đốc Sở" in header and "Bằng khen của Thủ tướng Chính phủ" in header
    rows = {r["Họ và tên"]: r for r in rows_of(ws)}
    an = rows["Nguyễn Văn An"]
    assert an["Mã đơn vị"] == "VP" and an["Năm sinh"] == 1980
    assert an["Xếp loại"] == "Hoàn thành xuất sắc nhiệm vụ"
    assert an["Cấp công nhận sáng kiến"] == "Cơ sở"
    assert an["Hình thức đề nghị"] == "Giấy khen của Giám đốc Sở"
    assert an["Giấy khen của Giám đốc Sở"] == "Đủ điều kiện"
    assert an["Hình thức được chọn"] == "Giấy khen của Giám đốc Sở"
    assert rows["Trần Thị Bình"]["Giấy khen của Giám đốc Sở"] == "Không đủ điều kiện"
    assert rows["Trần Thị Bình"]["Hình thức được chọn"] is None
    assert rows["Lê Văn Cường"]["Giấy khen của Giám đốc Sở"] == "Chưa xác định được"
    assert "không được xét" in rows["Phạm Văn Dũng"]["Ghi chú"]
    col = header.index("Tóm tắt thành tích") + 1
    cell = next(ws.cell(r, col) for r in range(2, ws.max_row + 1) if ws.cell(r, 3).value == "Nguyễn Văn An")
    assert cell.value == EVIL and cell.data_type == "s"


def test_issue_sheet_lists_every_file_of_the_period(sample, tmp_path):
    _, _, path, wb = sample
    ws = wb["Lỗi"]
    assert tuple(c.value for c in ws[1]) == ISSUE_HEADERS
    rows = rows_of(ws)
    khtc = next(r for r in rows if r["Tệp"] == "KHTC_2025.xlsx")
    assert (khtc["Mã đơn vị"], khtc["Trang tính"], khtc["Ô"], khtc["Mức độ"], khtc["Mã lỗi"]) == ("KHTC", "Tự chấm điểm", "D14", "Lỗi", "score-not-a-number")
    assert "tám" in khtc["Nội dung"]
    # a file of an earlier run of the same period is listed too
    assert any(r["Tệp"] == "TTRA_lan1.xlsx" and r["Ô"] == "D20" for r in rows)
    # a file-level issue has no cell; a warning reads Cảnh báo
    qlkh = next(r for r in rows if r["Tệp"] == "QLKH_2025.xlsx")
    assert qlkh["Ô"] is None and qlkh["Mức độ"] == "Lỗi"
    # the scorer's warning about the counted file appears with its cell
    ev = next(r for r in rows if r["Mã lỗi"] == "evidence-missing")
    assert (ev["Tệp"], ev["Ô"], ev["Mức độ"]) == ("VP_2025.xlsx", "E9", "Cảnh báo")
    assert {r["Mức độ"] for r in rows} == {"Lỗi", "Cảnh báo"}
    frame = pd.read_excel(path, sheet_name="Lỗi", header=0, engine="openpyxl")
    assert list(frame.columns) == list(ISSUE_HEADERS)


def test_missing_sheet(sample):
    _, _, _, wb = sample
    rows = {r["Mã đơn vị"]: r for r in rows_of(wb["Chưa nộp"])}
    assert set(rows) == {"KHTC", "BCVT", "CCTDC", "CDS", "QLCN", "TTUD"}
    assert rows["KHTC"]["Trạng thái"] == "Dùng bản tháng trước"
    assert rows["KHTC"]["Kỳ của bản được dùng"] == "tháng 10/2025"
    assert rows["CDS"]["Thư điện tử"] == "cds.skhcn@lamdong.gov.vn"
    assert rows["CDS"]["Kỳ của bản được dùng"] is None


def test_chart_of_ranked_units(sample):
    _, _, _, wb = sample
    charts = wb["Biểu đồ"]._charts
    assert len(charts) == 1
    ref = charts[0].series[0].val.numRef.f
    assert ref == "'Tổng hợp'!$E$2:$E$4"  # the three ranked units


def test_no_formula_anywhere(sample):
    _, _, _, wb = sample
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)
