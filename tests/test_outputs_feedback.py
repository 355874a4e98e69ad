"""Feedback workbooks PhanHoi/<unit code>.xlsx, and write_outputs as a whole (files, bytes, jobs)."""

from __future__ import annotations

import multiprocessing  # noqa: E402
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import openpyxl
import pytest
from support.sample import EVIL, PERIOD, build_outcome, load_sample_config  # noqa: E402

from ccht_batch.core.records import MISSING, RunOutcome, UnitOutcome  # noqa: E402
from ccht_batch.outputs.feedback import FIX_HEADERS, SHEETS, rank_change_text  # noqa: E402
from ccht_batch.outputs.write import PARALLEL_FROM, chunk_sizes, write_outputs  # noqa: E402


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("phanhoi")
    config = load_sample_config(folder)
    outcome = build_outcome(config)
    paths = write_outputs(config, outcome, folder / "out", jobs=1)
    return config, outcome, folder / "out", paths


def labelled(ws) -> dict[str, object]:
    """The result sheet's `label | value` lines."""
    return {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}


def table(ws) -> list[dict]:
    header = [c.value for c in ws[1]]
    return [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True) if any(v is not None for v in r)]


def test_files_written(written):
    _, _, out, paths = written
    assert paths == [
        out / f"TongHop_{PERIOD}.xlsx",
        out / f"DeNghiKhenThuong_{PERIOD}.xlsx",
        out / "PhanHoi" / "VP.xlsx",
        out / "PhanHoi" / "TTRA.xlsx",
        out / "PhanHoi" / "KHTC.xlsx",
        out / "PhanHoi" / "QLKH.xlsx",
        out / "summary.json",
    ]
    # one per unit that sent a file (rejected ones included), none for units that sent nothing
    assert sorted(p.name for p in (out / "PhanHoi").iterdir()) == ["KHTC.xlsx", "QLKH.xlsx", "TTRA.xlsx", "VP.xlsx"]
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]  # no temporary file left


def test_submitted_unit(written):
    _, outcome, out, _ = written
    wb = openpyxl.load_workbook(out / "PhanHoi" / "VP.xlsx")
    assert wb.sheetnames == list(SHEETS)
    info = labelled(wb["Kết quả"])
    assert info["Trạng thái"] == "Đã nộp"
    assert info["Kết quả (thang 100)"] == float(outcome.unit("VP").result)
    assert info["Xếp loại"] == "Xuất sắc"
    assert info["Xếp hạng"] == 1 and info["Số đơn vị được xếp hạng"] == 3
    assert info["Thay đổi thứ hạng"] == "Tăng 1 bậc so với kỳ trước"
    assert "được tiếp nhận" in info["Việc cần làm"]
    scores = {r["Mã tiêu chí"]: r for r in table(wb["Điểm"])}
    assert scores["3.1"]["Điểm được tính"] == 2.25
    assert scores["1.2"]["Nguồn điểm"] == "Tính từ số liệu"
    ws = wb["Điểm"]
    evidence = next(c for row in ws.iter_rows() for c in row if c.value == EVIL)
    assert evidence.data_type == "s"
    fixes = table(wb["Cần sửa"])
    assert tuple(c.value for c in wb["Cần sửa"][1]) == FIX_HEADERS
    formula = next(r for r in fixes if r["Mã lỗi"] == "formula-in-text-cell")
    assert (formula["Trang tính"], formula["Ô"], formula["Giá trị đã nhập"]) == ("Cá nhân", "K7", EVIL)
    assert next(r for r in fixes if r["Mã lỗi"] == "evidence-missing")["Ô"] == "E9"
    awards = {(r["Họ và tên (tên tập thể)"], r["Hình thức khen thưởng"]): r for r in table(wb["Khen thưởng"])}
    an = awards[("Nguyễn Văn An", "Giấy khen của Giám đốc Sở")]
    assert (an["Kết quả xét"], an["Được đưa vào danh sách"], an["Đơn vị đề nghị"]) == ("Đủ điều kiện", "Có", "Có")
    assert awards[("Trần Thị Bình", "Giấy khen của Giám đốc Sở")]["Kết quả xét"] == "Không đủ điều kiện"
    assert awards[("Văn phòng Sở", "Giấy khen của Giám đốc Sở")]["Đối tượng"] == "Tập thể"
    for ws in wb.worksheets:
        assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_carried_unit_with_a_rejected_file(written):
    _, _, out, _ = written
    wb = openpyxl.load_workbook(out / "PhanHoi" / "KHTC.xlsx")
    info = labelled(wb["Kết quả"])
    assert info["Trạng thái"] == "Dùng bản tháng trước"
    assert "tháng 10/2025" in info["Bản được tính điểm"]
    assert "bị trả lại" in info["Việc cần làm"] and "Cần sửa" in info["Việc cần làm"]
    # the file's story, in the words the e-mail uses: which file, why, and what counts meanwhile
    assert info["Tệp bị trả lại"] == "Bảng tự chấm điểm đơn vị (tệp KHTC_2025.xlsx) bị trả lại vì 1 lỗi. Xem trang 'Cần sửa'."
    assert "tạm tính theo bảng tháng 10/2025 đã tiếp nhận (tệp KHTC_thang10.xlsx)" in info["Việc cần làm"]
    assert "trong chính tệp đã gửi" in info["Việc cần làm"] and "vẫn được tính" not in info["Việc cần làm"]
    assert "Kết quả (thang 100), tạm tính" in info
    assert info["Thay đổi thứ hạng"] == "Chưa có hạng của kỳ trước để so sánh"
    fixes = table(wb["Cần sửa"])
    assert [(r["Tệp"], r["Trang tính"], r["Ô"], r["Mức độ"]) for r in fixes] == [("KHTC_2025.xlsx", "Tự chấm điểm", "D14", "Lỗi")]
    assert "tám" in fixes[0]["Nội dung"]


def test_rejected_unit(written):
    _, _, out, _ = written
    wb = openpyxl.load_workbook(out / "PhanHoi" / "QLKH.xlsx")
    info = labelled(wb["Kết quả"])
    assert info["Trạng thái"] == "Bị trả lại"
    assert info["Xếp hạng"] is None
    assert "chưa có kết quả" in info["Việc cần làm"] and "xử lý theo các mục" in info["Việc cần làm"]
    fixes = table(wb["Cần sửa"])
    assert fixes[0]["Mã lỗi"] == "not-our-template" and fixes[0]["Ô"] is None
    assert wb["Điểm"]["A2"].value.startswith("Kỳ này đơn vị chưa có điểm")


def test_earlier_rejected_file_of_the_period_is_shown(written):
    _, _, out, _ = written
    wb = openpyxl.load_workbook(out / "PhanHoi" / "TTRA.xlsx")
    fixes = table(wb["Cần sửa"])
    assert [(r["Tệp"], r["Ô"]) for r in fixes] == [("TTRA_lan1.xlsx", "D20")]
    assert labelled(wb["Kết quả"])["Thay đổi thứ hạng"] == "Giảm 1 bậc so với kỳ trước"


def test_rank_change_text():
    assert rank_change_text(None, None) == "Chưa được xếp hạng trong kỳ này"
    assert rank_change_text(3, 0) == "Giữ nguyên so với kỳ trước"
    assert rank_change_text(3, -2) == "Giảm 2 bậc so với kỳ trước"


def test_same_outcome_same_bytes_whatever_jobs(written, tmp_path):
    config, outcome, first, _ = written
    again = write_outputs(config, outcome, tmp_path / "again", jobs=2)
    assert len(again) == 7
    for path in again:
        twin = first / path.relative_to(tmp_path / "again")
        assert path.read_bytes() == twin.read_bytes(), path.name


def test_rewrite_replaces_files(written, tmp_path):
    config, outcome, _, _ = written
    target = tmp_path / "out"
    first = write_outputs(config, outcome, target)
    before = {p: p.read_bytes() for p in first}
    second = write_outputs(config, outcome, target)
    assert second == first
    assert all(p.read_bytes() == before[p] for p in second)


def test_a_period_where_nothing_came_in(written, tmp_path):
    config, _, _, _ = written
    empty = RunOutcome(period=PERIOD, milestone=None, files=[], nominations=[],
                       units=[UnitOutcome(code=u.code, name=u.name, email=u.email, status=MISSING) for u in config.units])
    paths = write_outputs(config, empty, tmp_path / "out", jobs=2)
    assert [p.name for p in paths] == [f"TongHop_{PERIOD}.xlsx", f"DeNghiKhenThuong_{PERIOD}.xlsx", "summary.json"]
    wb = openpyxl.load_workbook(paths[0])
    assert [r[6] for r in wb["Tổng hợp"].iter_rows(min_row=2, values_only=True)] == ["Chưa nộp"] * len(config.units)
    assert wb["Biểu đồ"]["A2"].value == f"Số đơn vị: đã nộp 0; dùng bản tháng trước 0; chưa nộp {len(config.units)}; bị trả lại 0. Tệp bị trả lại trong kỳ: 0."
    assert wb["Biểu đồ"]["A3"].value == "Chưa có đơn vị nào được xếp hạng trong kỳ này."
    assert wb["Lỗi"].max_row == 1
    lists = openpyxl.load_workbook(paths[1])
    assert [c.value for row in lists["Không đủ điều kiện"].iter_rows() for c in row].count("(Không có)") == 1


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    """Enough units for the worker pool: the sample period plus generated submitted units."""
    folder = tmp_path_factory.mktemp("month")
    config = load_sample_config(folder)
    outcome = build_outcome(config, extra_units=PARALLEL_FROM)
    calls = []
    paths = write_outputs(config, outcome, folder / "one", jobs=1, meanwhile=lambda: calls.append(1))
    assert calls == [1]
    return config, outcome, folder, paths


def test_worker_pool_writes_the_same_bytes(month, tmp_path):
    config, outcome, folder, paths = month
    calls = []
    pooled = write_outputs(config, outcome, tmp_path / "two", jobs=2, meanwhile=lambda: calls.append(1))
    assert calls == [1]  # the caller's work ran once, beside the workers
    assert [p.relative_to(tmp_path / "two") for p in pooled] == [p.relative_to(folder / "one") for p in paths]
    assert len(list((tmp_path / "two" / "PhanHoi").iterdir())) == 4 + PARALLEL_FROM
    assert _files(tmp_path / "two") == _files(folder / "one")


def test_worker_pool_started_as_on_windows(month, tmp_path):
    """spawn: the workers import the program afresh and get everything they write from the tasks."""
    config, outcome, folder, _ = month
    write_outputs(config, outcome, tmp_path / "spawn", jobs=2, mp_context=multiprocessing.get_context("spawn"))
    assert _files(tmp_path / "spawn") == _files(folder / "one")


def test_fresh_folder_is_written_in_place_with_the_same_bytes(month, tmp_path):
    config, outcome, folder, _ = month
    write_outputs(config, outcome, tmp_path / "fresh", jobs=2, fresh=True)
    assert _files(tmp_path / "fresh") == _files(folder / "one")  # and no temporary file left behind


def test_chunks_cover_every_unit_once():
    for count, workers in [(1000, 2), (48, 2), (61, 3), (7, 2)]:
        sizes = chunk_sizes(count, workers)
        assert sum(sizes) == count and all(s > 0 for s in sizes)
    assert len(chunk_sizes(1000, 2)) >= 2 * 4  # enough chunks to keep two workers busy to the end


def test_page_header_keeps_to_excels_limit():
    from ccht_batch.outputs.feedback import HEADER_CODES, SHEETS, header_unit

    assert header_unit("Phòng A & B - tháng 11/2025") == "Phòng A && B - tháng 11/2025"
    long = header_unit("Đơn vị & " * 60)
    assert long.endswith("…") and len(HEADER_CODES + long + " - " + max(SHEETS, key=len)) <= 255
    assert not long[:-1].endswith("&") or long[:-1].endswith("&&")


@pytest.mark.soffice
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_and_prints_every_sheet(written, tmp_path):
    """The feedback workbooks are assembled from a pattern and the consolidated workbook's tables are
    written in one pass: a spreadsheet program must open both and print every sheet."""
    _, _, out, _ = written
    paths = [out / "PhanHoi" / "VP.xlsx", out / f"TongHop_{PERIOD}.xlsx"]
    profile = tmp_path / f"lo-profile-{uuid.uuid4().hex}"
    subprocess.run(
        [shutil.which("soffice"), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), *map(str, paths)],
        check=True, capture_output=True, timeout=180,
    )
    for path in paths:
        pdf = (tmp_path / path.with_suffix(".pdf").name).read_bytes()
        pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
        assert pdf.startswith(b"%PDF") and pages >= len(openpyxl.load_workbook(path).sheetnames), path.name
