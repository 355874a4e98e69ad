"""The consolidated workbook TongHop_<YYYY-MM>.xlsx, read back as the Office and outside programs read it."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest
from support.sample import EVIL, PERIOD, build_outcome, load_sample_config  # noqa: E402

from ccht_batch.outputs.consolidated import ISSUE_HEADERS, SUMMARY_HEADERS, band_colours  # noqa: E402
from ccht_batch.outputs.frames import write_summary_workbook  # noqa: E402


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
    assert wb.sheetnames == ["Tổng hợp", "Chi tiết", "Cá nhân", "Lỗi", "Chưa nộp", "Ghi chú xử lý", "Tỷ lệ xếp loại", "Biểu đồ", "Xu hướng"]


def test_processing_notes_have_their_own_sheet(sample):
    """The award engine's notes stay off the signable lists: the Office reads them here (and in summary.json)."""
    _, outcome, _, wb = sample
    rows = rows_of(wb["Ghi chú xử lý"])
    noted = [n for n in outcome.nominations if n.note]
    assert [(r["Họ và tên (tên tập thể)"], r["Ghi chú xử lý"]) for r in rows] == [(n.name, n.note) for n in noted]
    assert {r["Trên danh sách"] for r in rows} <= {"Có", "Không", "Chờ Hội đồng quyết định"}


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


def test_detail_is_one_row_per_scored_unit_with_self_appraised_and_counted_scores(sample):
    config, outcome, _, wb = sample
    ws = wb["Chi tiết"]
    header = [c.value for c in ws[1]]
    ids = [c.id for c in config.criteria.scored_rows]
    # the period has an appraisal (VP, 3.3), so every criterion shows the three scores
    assert header == ["Mã đơn vị", "Tên đơn vị"] + [f"{i} {part}" for i in ids for part in ("Tự chấm", "Thẩm định", "Được tính")]
    rows = {r["Mã đơn vị"]: r for r in rows_of(ws)}
    assert list(rows) == ["VP", "TTRA", "KHTC"]  # ranked order; no row for units without a score (QLKH, CDS)
    vp, vp_score = rows["VP"], outcome.unit("VP").score
    assert vp["Tên đơn vị"] == "Văn phòng Sở"
    assert vp["3.1 Được tính"] == 2.25  # quarter points kept
    assert (vp["1.2 Tự chấm"], vp["1.2 Được tính"]) == (5.75, 5.75)
    appraised = vp_score.criterion("3.3")
    assert (vp["3.3 Tự chấm"], vp["3.3 Thẩm định"], vp["3.3 Được tính"]) == (float(appraised.self_score), float(appraised.appraised), float(appraised.score))
    assert vp["T1 Được tính"] == 2 and vp["1.1 Thẩm định"] is None
    # numbers only, and every counted score of the unit is there
    assert all(v is None or isinstance(v, (int, float)) for k, v in vp.items() if k not in ("Mã đơn vị", "Tên đơn vị"))
    assert [vp[f"{c.id} Được tính"] for c in vp_score.criteria] == [float(c.score) if c.applicable else None for c in vp_score.criteria]
    # a counted score that is not the self-score is tinted; a criterion that does not apply is grey and empty
    col = {h: i + 1 for i, h in enumerate(header)}
    row_of = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    fill = lambda code, h: ws.cell(row_of[code], col[h]).fill.fgColor.rgb  # noqa: E731
    assert fill("VP", "3.3 Được tính").endswith("DDEBF7")
    assert fill("VP", "1.2 Được tính") != fill("VP", "3.3 Được tính")
    assert rows["TTRA"]["3.2 Được tính"] is None and rows["TTRA"]["3.2 Tự chấm"] is None
    assert fill("TTRA", "3.2 Được tính").endswith("EDEDED")
    # what the columns and colours mean is said on the sheet
    assert "Ô có tô màu xám" in ws.cell(1, 3).comment.text


def test_detail_without_appraisal_has_two_columns_per_criterion(tmp_path):
    config = load_sample_config(tmp_path)
    outcome = build_outcome(config)
    for u in outcome.units:
        if u.score:
            u.score.criteria = [replace(c, appraised=None) for c in u.score.criteria]
    wb = openpyxl.load_workbook(write_summary_workbook(config, outcome, tmp_path / "t.xlsx"))
    header = [c.value for c in wb["Chi tiết"][1]]
    assert header[2:6] == ["1.1 Tự chấm", "1.1 Được tính", "1.2 Tự chấm", "1.2 Được tính"]
    assert len(header) == 2 + 2 * len(config.criteria.scored_rows)


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
    assert set(rows) == {"KHTC", "QLKH", "BCVT", "CCTDC", "CDS", "QLCN", "TTUD"}
    assert rows["KHTC"]["Trạng thái"] == "Dùng bản tháng trước"
    assert rows["KHTC"]["Kỳ của bản được dùng"] == "tháng 10/2025"
    # the carried unit's file of this month was refused: said next to the result that counts meanwhile
    assert (rows["KHTC"]["Tệp bị trả lại"], rows["KHTC"]["Số lỗi"]) == ("KHTC_2025.xlsx", 1)
    assert (rows["QLKH"]["Trạng thái"], rows["QLKH"]["Tệp bị trả lại"], rows["QLKH"]["Tệp được dùng"]) == ("Bị trả lại", "QLKH_2025.xlsx", None)
    assert rows["CDS"]["Tệp bị trả lại"] is None
    assert rows["CDS"]["Thư điện tử"] == "cds.skhcn@lamdong.gov.vn"
    assert rows["CDS"]["Kỳ của bản được dùng"] is None


def test_chart_sheet_counts_units_and_refused_files(sample):
    _, _, _, wb = sample
    assert wb["Biểu đồ"]["A2"].value == (
        "Số đơn vị: đã nộp 2; dùng bản tháng trước 1; chưa nộp 5; bị trả lại 1. Tệp bị trả lại trong kỳ: 3 (đơn vị KHTC, QLKH, TTRA)."
    )


def test_trend_sheet_has_each_units_result_per_period_and_a_line_chart(tmp_path):
    config = load_sample_config(tmp_path)
    outcome = build_outcome(config)
    history = pd.DataFrame({  # as the store gives it: period, unit, result (None: not scored that month)
        "period": ["2025-09", "2025-09", "2025-10", "2025-10", "2025-12"],
        "unit_code": ["VP", "TTRA", "VP", "KHTC", "VP"],
        "result": pd.Series([Decimal("88.5"), None, Decimal("90"), Decimal("70"), Decimal(1)], dtype=object),
    })
    path = write_summary_workbook(config, replace(outcome, history=history), tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Xu hướng"]
    assert [c.value for c in ws[1]] == ["Mã đơn vị", "Tên đơn vị", "Tháng 9/2025", "Tháng 10/2025", "Tháng 11/2025"]  # not a later period
    rows = {r["Mã đơn vị"]: r for r in rows_of(ws)}
    assert list(rows)[:3] == ["VP", "TTRA", "KHTC"]  # ranked first, as in `Tổng hợp`
    assert (rows["VP"]["Tháng 9/2025"], rows["VP"]["Tháng 10/2025"], rows["VP"]["Tháng 11/2025"]) == (88.5, 90, float(outcome.unit("VP").result))
    assert rows["TTRA"]["Tháng 9/2025"] is None and rows["KHTC"]["Tháng 10/2025"] == 70
    (chart,) = ws._charts
    assert chart.tagname == "lineChart"
    refs = [s.val.numRef.f for s in chart.series]
    assert refs[0] == "'Xu hướng'!$C$2:$E$2" and chart.series[0].cat.strRef.f == "'Xu hướng'!$C$1:$E$1"
    assert len(refs) == 3 + 0  # units with no result in any period draw no line (QLKH, the missing ones)
    assert wb["Biểu đồ"]._charts[0].tagname == "barChart"  # the month's bars stay


def test_wide_sheets_print_legibly(sample):
    _, _, _, wb = sample
    # `Tổng hợp` fits one A4 width at a legible size: fitted
    setup = wb["Tổng hợp"].page_setup
    assert wb["Tổng hợp"].sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth in (None, 1) and setup.fitToHeight == 0
    # `Cá nhân` and `Chi tiết` would print at about 5 pt: landscape over several pages, the names repeated on each
    for name, repeated in (("Cá nhân", "$A:$C"), ("Chi tiết", "$A:$B")):
        ws = wb[name]
        assert not (ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage), name
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.scale) == 81, name
        assert ws.print_title_cols == repeated and ws.print_title_rows == "$1:$1", name
        assert ws.page_setup.pageOrder == "overThenDown", name


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
