"""The council's decision, end to end on the demo: `run` leaves the three-way tie to the council, `council`
writes its voting workbook, the Office fills it after the meeting and drops it into `input/`, and the next
run of the period follows the votes (DESIGN.md §6, §8).

The demo's November: VP, QLKH and CCTDC share rank 1 with 101 points over a history of "Xuất sắc" years;
the Chairman's Certificate has two places. One flow, built once: the monthly run, the council's workbook
(filled, re-saved by LibreOffice when it is installed, as the Office's Excel would), the run again, then the
final review with its own council.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from support.cli import run_cli, run_in
from support.soffice import SOFFICE, soffice_convert
from support.workdirs import store_rows

from ccht_batch.forms import layout as L

UBND, GK = "bang-khen-ubnd", "giay-khen-giam-doc"
UBND_SHEET, GK_SHEET = "BK Chủ tịch UBND tỉnh", "Giấy khen Giám đốc Sở"
TIED = {"VP": "Văn phòng Sở", "QLKH": "Phòng Quản lý Khoa học", "CCTDC": "Chi cục Tiêu chuẩn Đo lường Chất lượng"}
TIE_HEADING = "Đồng hạng tại ngưỡng chỉ tiêu — Hội đồng quyết định"
VOTES = {"VP": (7, 7, "Đồng ý"), "QLKH": (7, 6, "Đồng ý"), "CCTDC": (7, 2, "Không đồng ý")}


def summary(wd: Path, period: str = "2025-11") -> dict:
    return json.loads((wd / "output" / period / "summary.json").read_text(encoding="utf-8"))


def collective(s: dict, award: str) -> dict[str, dict]:
    return {n["unit_code"]: n for n in s["nominations"] if n["kind"] == "collective" and n["award"] == award}


def sheet_texts(path: Path, sheet: str) -> list[str]:
    wb = openpyxl.load_workbook(path)
    return [str(c.value) for row in wb[sheet].iter_rows() for c in row if c.value is not None]


def listed(path: Path, sheet: str) -> list[str]:
    """Names on a list sheet's numbered rows, in order (tied rows included, after their heading)."""
    ws = openpyxl.load_workbook(path)[sheet]
    return [_unit_name(ws.cell(r, 2).value) for r in range(1, ws.max_row + 1) if isinstance(ws.cell(r, 1).value, int)]


def _unit_name(text: str) -> str:
    """A tied unit's name as ``TIED`` has it: a list that goes up to the province names the Sở and province
    after it ("Văn phòng Sở Khoa học và Công nghệ tỉnh Lâm Đồng")."""
    return next((name for name in TIED.values() if text.startswith(name)), text)


def fill_votes(src: Path, dest: Path, votes) -> Path:
    """The Office types the minutes into the council workbook: ``votes(row values) -> (present, for, decision)``."""
    wb = openpyxl.load_workbook(src)
    ws = wb[L.COUNCIL_SHEET]
    header = [c.value for c in ws[4]]
    col = {t: header.index(t) + 1 for t in L.COUNCIL_HEADERS}
    for r in range(5, ws.max_row + 1):
        values = {t: ws.cell(r, c).value for t, c in col.items()}
        vote = votes(values)
        if vote:
            for title, v in zip((L.C_PRESENT, L.C_VOTES, L.C_DECISION), vote):
                ws.cell(r, col[title]).value = v
    wb.save(dest)
    return dest


def resaved(path: Path, tmp: Path) -> Path:
    """As the Office's spreadsheet program would save it (LibreOffice when installed)."""
    if not SOFFICE:
        return path
    out = soffice_convert(path, "xlsx", tmp / "lo")
    shutil.copy(out, path)
    return path


def own_copy(flow, tmp_path: Path) -> tuple[Path, Path]:
    """A test that changes the folder works on its own copy (tests may run in any order, in any process):
    the copy and its council workbook."""
    wd = tmp_path / "demo"
    shutil.copytree(flow["wd"], wd)
    return wd, wd / "output" / "2025-11" / "HoiDong_2025-11.xlsx"


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    root = tmp_path_factory.mktemp("council")
    wd = root / "demo"
    code, _, err = run_cli("demo", wd)
    assert code == 0, err
    before = summary(wd)
    tied_rows = store_rows(wd, "SELECT unit_code, selected, tied FROM nominations WHERE period = '2025-11' AND award = 'bang-khen-ubnd' AND kind = 'collective' AND tied = 1")
    lists_before = wd / "output" / "2025-11" / "DeNghiKhenThuong_2025-11.xlsx"
    kept = root / "DeNghiKhenThuong_before.xlsx"
    shutil.copy(lists_before, kept)

    code, out, err = run_in(wd, "council", "--period", "2025-11")
    assert code == 0, err
    workbook = wd / "output" / "2025-11" / "HoiDong_2025-11.xlsx"
    council_out = out

    def votes(v):
        if v[L.C_AWARD] == "Bằng khen của Chủ tịch UBND tỉnh" and v[L.C_KIND] == "Tập thể":
            return VOTES[v[L.C_UNIT]]
        return None

    filled = resaved(fill_votes(workbook, wd / "input" / "HoiDong_2025-11_da_hop.xlsx", votes), root)
    code, run_out, err = run_in(wd, "run", "--period", "2025-11")
    assert code == 0, err
    after = summary(wd)
    code, _, err = run_in(wd, "council", "--period", "2025-11")
    assert code == 0, err
    return {"wd": wd, "root": root, "before": before, "tied_rows": tied_rows, "after": after, "lists_before": kept, "workbook": workbook,
            "council_out": council_out, "run_out": run_out, "filled": filled}


def test_the_demos_three_way_tie_is_left_to_the_council(flow):
    ubnd = collective(flow["before"], UBND)
    assert {c: ubnd[c]["selected"] for c in TIED} == {"VP": None, "QLKH": None, "CCTDC": None}
    assert all(ubnd[c]["eligible"] is True for c in TIED)
    note = ubnd["VP"]["note"]
    assert note.startswith("Đồng hạng tại ngưỡng chỉ tiêu 2 tập thể của Bằng khen của Chủ tịch UBND tỉnh:")
    assert all(name in note for name in TIED.values()) and "cùng xếp hạng 1, kết quả 101 điểm; còn 2 suất cho 3 tập thể" in note
    # nobody is cut: no tied unit is on a lower list meanwhile
    gk = collective(flow["before"], GK)
    assert {c: gk[c]["selected"] for c in TIED} == {"VP": False, "QLKH": False, "CCTDC": False}
    # the list shows them apart, under the heading, the tie stated; no one on the list itself
    texts = sheet_texts(flow["lists_before"], UBND_SHEET)
    assert TIE_HEADING in texts and note in texts
    assert set(listed(flow["lists_before"], UBND_SHEET)) >= set(TIED.values())
    at = texts.index(TIE_HEADING)
    assert all(next(i for i, t in enumerate(texts) if t.startswith(name) and i > at) for name in TIED.values())
    # the store keeps the tie (selected 0, tied 1)
    assert sorted(flow["tied_rows"]) == [("CCTDC", 0, 1), ("QLKH", 0, 1), ("VP", 0, 1)]


def test_the_council_workbook_lists_what_the_council_decides(flow):
    assert "trong đó 3 đồng hạng tại ngưỡng chỉ tiêu" in flow["council_out"]
    wb = openpyxl.load_workbook(flow["wd"] / "input" / "processed" / "2025-11" / flow["filled"].name)
    meta = {r[0].value: r[1].value for r in wb[L.SHEET_META].iter_rows()}
    assert meta[L.META_KIND] == L.KIND_COUNCIL and str(meta[L.META_PERIOD]) == "2025-11"
    ws = wb[L.COUNCIL_SHEET]
    assert [c.value for c in ws[4]] == list(L.COUNCIL_HEADERS)
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5) if row[0].value]
    tied = [r for r in rows if r[8] == "Đồng hạng — Hội đồng quyết định"]
    assert sorted(r[3] for r in tied) == sorted(TIED)
    assert all(r[6] == "Đủ điều kiện" and "Xếp loại các năm 2022 - 2025" in r[7] for r in tied)
    # every row is an eligible candidate; persons only at the form their unit proposed or lower
    assert all(r[6] == "Đủ điều kiện" for r in rows)
    assert not any(r[1] == "Bằng khen của Thủ tướng Chính phủ" and r[2] == "Cá nhân" for r in rows)


def test_after_the_meeting_the_lists_follow_the_votes(flow):
    ubnd = collective(flow["after"], UBND)
    assert {c: ubnd[c]["selected"] for c in TIED} == {"VP": True, "QLKH": True, "CCTDC": False}
    assert ubnd["CCTDC"]["reasons"][-1] == "Hội đồng không thống nhất đề nghị Bằng khen của Chủ tịch UBND tỉnh (2/7 phiếu đồng ý)"
    assert ubnd["VP"]["note"] == "Hội đồng đồng ý đề nghị (7/7 phiếu đồng ý)"
    # refused, CCTDC falls to the Giấy khen, which the council has not voted on
    gk = collective(flow["after"], GK)
    assert gk["CCTDC"]["selected"] is True and "Chưa được Hội đồng biểu quyết" in gk["CCTDC"]["note"]
    assert not any(n["selected"] is None for n in flow["after"]["nominations"])
    lists = flow["wd"] / "output" / "2025-11" / "DeNghiKhenThuong_2025-11.xlsx"
    assert set(listed(lists, UBND_SHEET)) & set(TIED.values()) == {TIED["VP"], TIED["QLKH"]}
    assert TIE_HEADING not in sheet_texts(lists, UBND_SHEET)
    assert TIED["CCTDC"] in listed(lists, GK_SHEET)
    refused = sheet_texts(lists, "Không đủ điều kiện")
    assert TIED["CCTDC"] in refused and any("Hội đồng không thống nhất đề nghị" in t for t in refused)
    # a monthly list stays provisional whatever the council said
    assert any("(DỰ KIẾN)" in t for t in sheet_texts(lists, UBND_SHEET))
    assert "Đã áp dụng kết quả biểu quyết của Hội đồng Thi đua - Khen thưởng." in flow["run_out"]
    # the file was taken and moved like any other
    assert {f["name"]: f["status"] for f in flow["after"]["files"]}["HoiDong_2025-11_da_hop.xlsx"] == "accepted"
    assert (flow["wd"] / "input" / "processed" / "2025-11" / "HoiDong_2025-11_da_hop.xlsx").exists()


def test_a_council_workbook_made_again_keeps_the_votes_applied(flow):
    ws = openpyxl.load_workbook(flow["workbook"])[L.COUNCIL_SHEET]
    header = [c.value for c in ws[4]]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5) if row[0].value]
    at = {t: header.index(t) for t in (L.C_AWARD, L.C_KIND, L.C_UNIT, L.C_PRESENT, L.C_VOTES, L.C_DECISION)}
    got = {r[at[L.C_UNIT]]: (r[at[L.C_PRESENT]], r[at[L.C_VOTES]], r[at[L.C_DECISION]]) for r in rows
           if r[at[L.C_AWARD]] == "Bằng khen của Chủ tịch UBND tỉnh" and r[at[L.C_KIND]] == "Tập thể"}
    assert got == VOTES


def test_the_final_reviews_lists_are_final_once_its_council_decided(flow, tmp_path):
    wd, workbook = own_copy(flow, tmp_path)
    code, out, err = run_in(wd, "run", "--period", "2025-11", "--milestone", "tong-ket")
    assert code == 0, err
    lists = wd / "output" / "2025-11" / "DeNghiKhenThuong_2025-11.xlsx"
    assert any("(DỰ KIẾN)" in t for t in sheet_texts(lists, UBND_SHEET))
    # the monthly council's votes are not the final review's
    assert {c: n["selected"] for c, n in collective(summary(wd), UBND).items() if c in TIED} == {c: None for c in TIED}
    code, out, err = run_in(wd, "council", "--period", "2025-11", "--milestone", "tong-ket")
    assert code == 0, err

    def votes(v):
        if v[L.C_AWARD] == "Bằng khen của Chủ tịch UBND tỉnh" and v[L.C_KIND] == "Tập thể":
            return VOTES[v[L.C_UNIT]]
        return (7, 7, "Đồng ý")

    fill_votes(workbook, wd / "input" / "HoiDong_tong_ket.xlsx", votes)
    code, out, err = run_in(wd, "run", "--period", "2025-11", "--milestone", "tong-ket")
    assert code == 0, err
    s = summary(wd)
    assert s["milestone"] == "tong-ket"
    assert {c: n["selected"] for c, n in collective(s, UBND).items() if c in TIED} == {"VP": True, "QLKH": True, "CCTDC": False}
    wb = openpyxl.load_workbook(lists)
    for sheet in wb.sheetnames[:-1]:
        texts = [str(c.value) for row in wb[sheet].iter_rows() for c in row if c.value is not None]
        assert not any("DỰ KIẾN" in t or "dự kiến" in t for t in texts), sheet


def test_a_wrong_council_workbook_is_refused_at_its_cells(flow, tmp_path):
    wd, workbook = own_copy(flow, tmp_path)

    def too_many(v):
        return (5, 6, "Đồng ý") if (v[L.C_UNIT], v[L.C_KIND], v[L.C_AWARD]) == ("VP", "Tập thể", "Bằng khen của Chủ tịch UBND tỉnh") else None

    fill_votes(workbook, wd / "input" / "HoiDong_sai.xlsx", too_many)
    code, out, err = run_in(wd, "run", "--period", "2025-11")
    assert code == 1
    f = {f["name"]: f for f in summary(wd)["files"]}["HoiDong_sai.xlsx"]
    assert f["status"] == "rejected", f
    (issue,) = [i for i in f["issues"] if i["severity"] == "error"]
    assert issue["code"] == "council-votes-over" and issue["sheet"] == L.COUNCIL_SHEET and issue["cell"].startswith("L")
    assert issue["message"] == "Số phiếu đồng ý 6 nhiều hơn số thành viên có mặt 5. Hãy ghi lại đúng theo biên bản họp Hội đồng."
    # the decision applied before is kept
    assert collective(summary(wd), UBND)["VP"]["selected"] is True


def test_a_council_workbook_of_another_period_is_refused(flow, tmp_path):
    wd, workbook = own_copy(flow, tmp_path)
    wb = openpyxl.load_workbook(workbook)
    meta = wb[L.SHEET_META]
    for row in meta.iter_rows():
        if row[0].value == L.META_PERIOD:
            row[1].value = "2025-10"
    wb.save(wd / "input" / "HoiDong_thang10.xlsx")
    code, _, _ = run_in(wd, "run", "--period", "2025-11")
    assert code == 1
    f = {f["name"]: f for f in summary(wd)["files"]}["HoiDong_thang10.xlsx"]
    assert f["status"] == "rejected" and [i["code"] for i in f["issues"]] == ["council-wrong-period"]
    assert "ccht-batch run --period 2025-10" in f["issues"][0]["message"]


def test_a_council_workbook_of_another_milestone_is_kept_for_its_run(flow, tmp_path):
    wd, workbook = own_copy(flow, tmp_path)
    assert run_in(wd, "council", "--period", "2025-11", "--milestone", "tong-ket")[0] == 0
    fill_votes(workbook, wd / "input" / "HoiDong_tong_ket_bo_sung.xlsx", lambda v: (7, 5, "Đồng ý") if v[L.C_UNIT] == "TTRA" else None)
    code, out, err = run_in(wd, "run", "--period", "2025-11")
    assert code == 0, err
    assert ("Đã tiếp nhận bảng biểu quyết HoiDong_tong_ket_bo_sung.xlsx của Hội đồng (đợt Tổng kết phong trào thi đua giai đoạn "
            "2022 - 2025); kết quả biểu quyết được áp dụng khi chạy: ccht-batch run --period 2025-11 --milestone tong-ket.") in out
    assert {f["name"]: f["status"] for f in summary(wd)["files"]}["HoiDong_tong_ket_bo_sung.xlsx"] == "accepted"
    # the monthly lists still follow the monthly council's votes
    assert collective(summary(wd), UBND)["CCTDC"]["selected"] is False


def test_council_defaults_to_the_latest_period_and_refuses_an_unknown_milestone(flow, tmp_path):
    wd, _ = own_copy(flow, tmp_path)
    code, out, _ = run_in(wd, "council")
    assert code == 0 and "Đã tạo bảng biểu quyết của Hội đồng tháng 11/2025" in out
    code, _, err = run_in(wd, "council", "--milestone", "giua-ky")
    assert code == 2 and "giua-ky" in err
    empty = tmp_path / "empty"
    assert run_cli("init", empty)[0] == 0
    code, _, err = run_in(empty, "council")
    assert code == 2 and "chưa có kỳ nào có kết quả" in err


def test_votes_are_checked_cell_by_cell(flow, tmp_path):
    wd, workbook = own_copy(flow, tmp_path)

    def votes(v):
        key = (v[L.C_UNIT], v[L.C_KIND], v[L.C_AWARD])
        return {
            ("VP", "Tập thể", "Bằng khen của Chủ tịch UBND tỉnh"): (None, None, "Đồng ý"),  # the counts forgotten
            ("QLKH", "Tập thể", "Bằng khen của Chủ tịch UBND tỉnh"): (6, 3, "Đồng ý"),  # half is not more than half
            ("CCTDC", "Tập thể", "Bằng khen của Chủ tịch UBND tỉnh"): (7, None, None),  # present alone: no vote
        }.get(key)

    fill_votes(workbook, wd / "input" / "HoiDong_thieu.xlsx", votes)
    code, _, _ = run_in(wd, "run", "--period", "2025-11")
    assert code == 1
    f = {f["name"]: f for f in summary(wd)["files"]}["HoiDong_thieu.xlsx"]
    assert f["status"] == "rejected"
    codes = sorted((i["code"], i["severity"]) for i in f["issues"])
    assert codes == [("council-below-threshold", "warning"), ("council-votes-missing", "error")]
    missing = next(i for i in f["issues"] if i["code"] == "council-votes-missing")
    assert missing["cell"].startswith("M") and "(quyết định: 'Đồng ý')" in missing["message"]
