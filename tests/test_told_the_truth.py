"""What units and leadership are told is true, on the demo's months (the scenario of issue 11).

November: KHTC's and QLCN's files are rejected while their October results count; each is told so, in its
e-mail, its feedback workbook, TongHop and the console, with the rejected file's errors by sheet and cell,
and leadership counts the two rejected files. The Office's appraisal of November still applies in December's
carried results and in ``close-year``, until a unit sends a newer file. Figures that count but cannot be true
are warned at their cell.
"""

from __future__ import annotations

import datetime as dt
import email
import json
import os
import shutil
from email import policy
from pathlib import Path

import openpyxl
import pytest
from support.cli import run_in
from support.mail import display_name
from support.workdirs import submit

from ccht_batch import demo
from ccht_batch.config.load import load_config
from ccht_batch.forms import layout as L
from ccht_batch.forms.filling import header_map
from ccht_batch.store.db import Store

NOV, DEC = demo.SECOND_PERIOD, demo.THIRD_PERIOD
REJECTED = ("KHTC", "QLCN")


def summary(wd: Path, period: str) -> dict:
    return json.loads((wd / "output" / period / "summary.json").read_text(encoding="utf-8"))


def outbox(wd: Path, period: str) -> dict[str, email.message.EmailMessage]:
    return {p.name: email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted((wd / "output" / period / "outbox").glob("*.eml"))}


def labelled(ws) -> dict:
    return {r[0]: r[1] for r in ws.iter_rows(min_row=4, max_col=2, values_only=True) if r[0]}


def rows_of(ws) -> dict[str, dict]:
    header = [c.value for c in ws[1]]
    return {r[0]: dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}


@pytest.fixture(scope="module")
def november(tmp_path_factory):
    """The demo (October, November), then the month's mail previewed."""
    wd = tmp_path_factory.mktemp("truth") / "demo"
    code, out, err = run_in(wd.parent, "demo", str(wd))
    assert code == 0, err
    code, mail_out, err = run_in(wd, "mail")  # no --period: the latest period with results
    assert code == 0, err
    return wd, out, mail_out


# ------------------------------------------------------------------------------------------ rejected files


def test_a_rejected_units_mail_names_its_file_and_lists_its_error_cells(november):
    wd, _, mail_out = november
    assert "Kỳ: tháng 11/2025 (kỳ gần nhất đã có kết quả" in mail_out
    s = summary(wd, NOV)
    files = {f["unit_code"]: f for f in s["files"] if f["status"] == "rejected"}
    units = {u["code"]: u for u in s["units"]}
    messages = outbox(wd, NOV)
    for code in REJECTED:
        assert units[code]["status"] == "carried"  # the October result still counts
        (name,) = [n for n in messages if n.endswith(f"_{code}.eml")]
        assert "_feedback_" in name  # a feedback message, not a reminder
        msg = messages[name]
        rejected = files[code]["name"]
        assert msg["Subject"] == f"[CCHC] Bảng tự chấm điểm tháng 11/2025 bị trả lại - {display_name(msg)}"
        text = msg.get_body(("plain",)).get_content()
        errors = [i for i in files[code]["issues"] if i["severity"] == "error"]
        assert errors and all(i["cell"] for i in errors)
        assert f"Bảng tự chấm điểm đơn vị gửi ngày 02/12/2025 (tệp {rejected}) bị trả lại vì {len(errors)} lỗi." in text
        assert f"Kết quả tháng 11/2025 tạm tính theo bảng tháng 10/2025 đã tiếp nhận (tệp {code}_TuCham_T10.xlsx)." in text
        assert "sửa các ô nêu dưới đây trong chính tệp đã gửi" in text
        for i in errors:
            assert f"Lỗi (trang '{i['sheet']}', ô {i['cell']}): " in text, i
        # its own feedback workbook, never the blank template
        assert [p.get_filename() for p in msg.iter_attachments()] == [f"PhanHoi_{code}_2025-11.xlsx"]
        assert "chưa gửi bảng mới" not in text and "tệp mẫu" not in text


def test_leadership_counts_the_two_rejected_files(november):
    wd, _, _ = november
    leaders = [m for n, m in outbox(wd, NOV).items() if "_leadership_" in n]
    assert leaders
    for msg in leaders:
        text = msg.get_body(("plain",)).get_content()
        assert "Tệp bị trả lại trong kỳ: 2 (đơn vị KHTC, QLCN)." in text
        assert "bị trả lại 0" in text  # no unit is without a result: the units' count says so, the files' count too
        for code in REJECTED:
            line = next(x for x in text.splitlines() if f"| {code} " in x)
            assert "Dùng bản tháng trước; tệp mới bị trả lại" in line


def test_feedback_tonghop_and_console_tell_the_same_story(november):
    wd, out, _ = november
    nov_out = out[out.index("tháng 11/2025 (1 đơn vị"):]
    assert "Đơn vị có tệp mới nhất bị trả lại: KHTC (tạm tính theo bảng tháng 10/2025); QLCN (tạm tính theo bảng tháng 10/2025)." in nov_out
    for code in REJECTED:
        info = labelled(openpyxl.load_workbook(wd / "output" / NOV / "PhanHoi" / f"{code}.xlsx")["Kết quả"])
        assert info["Trạng thái"] == "Dùng bản tháng trước"
        assert info["Tệp bị trả lại"].startswith(f"Bảng tự chấm điểm đơn vị gửi ngày 02/12/2025 (tệp BaoCao_{code}_thang11.xlsx) bị trả lại vì")
        assert "tạm tính theo bảng tháng 10/2025" in info["Việc cần làm"] and "vẫn được tính" not in info["Việc cần làm"]
    wb = openpyxl.load_workbook(wd / "output" / NOV / f"TongHop_{NOV}.xlsx")
    missing = rows_of(wb["Chưa nộp"])
    for code in REJECTED:
        assert missing[code]["Tệp bị trả lại"] == f"BaoCao_{code}_thang11.xlsx" and missing[code]["Số lỗi"] >= 2
        assert missing[code]["Kỳ của bản được dùng"] == "tháng 10/2025"
    assert "Tệp bị trả lại trong kỳ: 2 (đơn vị KHTC, QLCN)." in wb["Biểu đồ"]["A2"].value


# ------------------------------------------------------------------------------------------ plausibility


def _indicator_cell(wd: Path, code: str, indicator: str) -> str:
    ws = openpyxl.load_workbook(wd / "output" / "templates" / f"{code}_2025.xlsx")[L.SHEET_INDICATORS]
    hrow, cols = header_map(ws, L.INDICATOR_HEADERS)
    row = next(r for r in range(hrow + 1, ws.max_row + 1) if ws.cell(r, cols[L.COL_IND_CODE]).value == indicator)
    return f"{openpyxl.utils.get_column_letter(cols[L.COL_IND_VALUE])}{row}"


def test_implausible_figures_are_warned_at_their_cell_and_the_file_counts(november):
    wd, _, _ = november
    files = {f["unit_code"]: f for f in summary(wd, NOV)["files"] if f["status"] == "accepted"}
    expected = {
        "CCTDC": ("date-implausible", "KH_NGAY", "10/01/2019"),  # a 2019 plan date in a 2025 workbook
        "QLKH": ("ratio-above-total", "KH_NV_XONG", "15"),  # 15 tasks done out of 10 assigned
        "VP": ("initiatives-above-decisions", "SK_CONGNHAN", "2"),  # one decision cited twice
    }
    for code, (issue, indicator, shown) in expected.items():
        found = [i for i in files[code]["issues"] if i["code"] == issue]
        assert len(found) == 1, (code, files[code]["issues"])
        (i,) = found
        assert (i["severity"], i["sheet"], i["cell"]) == ("warning", L.SHEET_INDICATORS, _indicator_cell(wd, code, indicator))
        assert shown in i["message"] and "Đề nghị đơn vị kiểm tra lại" in i["message"]
        assert i["value"] == shown  # the value found in the cell, as the contract says (the name is in the message)
    # nobody else is warned: the other units' figures are plausible
    others = {f["unit_code"] for f in files.values() for i in f["issues"] if i["code"] in {e[0] for e in expected.values()}}
    assert others == set(expected)


def test_the_same_person_in_two_units_is_warned_at_both_name_cells(tmp_path):
    wd = tmp_path / "wd"
    assert run_in(tmp_path, "init", str(wd))[0] == 0
    person = {L.P_NAME: "Trần Văn Bình", L.P_BIRTH: 1984, L.P_RATING: "Hoàn thành tốt nhiệm vụ"}
    submit(wd, "VP", "vp.xlsx", persons=[{L.P_NAME: "Lê Thị Cúc", L.P_BIRTH: 1990, L.P_RATING: "Hoàn thành tốt nhiệm vụ"}, person])
    submit(wd, "TTRA", "ttra.xlsx", persons=[person])
    submit(wd, "QLKH", "qlkh.xlsx", persons=[{**person, L.P_BIRTH: 1985}])  # another birth year: another person
    code, _, err = run_in(wd, "run", "--period", NOV)
    assert code == 0, err
    files = {f["unit_code"]: f for f in summary(wd, NOV)["files"]}
    found = {c: [(i["sheet"], i["cell"], i["severity"]) for i in f["issues"] if i["code"] == "person-in-two-units"] for c, f in files.items()}
    assert found == {"VP": [("Cá nhân", "B6", "warning")], "TTRA": [("Cá nhân", "B5", "warning")], "QLKH": []}
    vp = next(i for i in files["VP"]["issues"] if i["code"] == "person-in-two-units")
    assert "'Trần Văn Bình' (năm sinh 1984)" in vp["message"] and "đơn vị TTRA" in vp["message"]


# ------------------------------------------------------------------------------------------ appraisals


@pytest.fixture(scope="module")
def december(november, tmp_path_factory):
    """November appraised (VP 1.3 → 1,5; QLKH T2 → 2) and run again, then December's review with no new
    file, then the year closed; a copy of the folder before the year is closed, for what comes after."""
    wd, _, _ = november
    wd2 = tmp_path_factory.mktemp("december") / "demo"
    shutil.copytree(wd, wd2)
    config = load_config(wd2)
    appraised = demo.appraise_november(config)
    december = demo.run_december(config)
    code, close_out, err = run_in(wd2, "close-year", "--year", "2025", "--yes")
    assert code == 0, err
    return wd2, appraised, december, close_out


def _criterion(s: dict, code: str, cid: str) -> dict:
    unit = next(u for u in s["units"] if u["code"] == code)
    return next(c for c in unit["criteria"] if c["id"] == cid)


def test_an_appraisal_of_november_still_applies_in_december_and_in_close_year(december):
    wd, appraised, report, close_out = december
    nov = summary(wd, NOV)
    assert _criterion(nov, "VP", "1.3") == {"id": "1.3", "max": 3, "self_score": 3, "score": 1.5, "source": "appraised"}
    assert {u.code: u.appraisal.changed for u in appraised.outcome.units if u.appraisal} == {"VP": 1, "QLKH": 1}
    dec = summary(wd, DEC)
    assert {u["code"]: u["status"] for u in dec["units"]}["VP"] == "carried"
    for code, cid, score in (("VP", "1.3", 1.5), ("QLKH", "T2", 2)):
        c = _criterion(dec, code, cid)
        assert (c["score"], c["source"]) == (score, "appraised"), (code, c)
    results = {u["code"]: u["result"] for u in dec["units"]}
    assert results == {u["code"]: u["result"] for u in nov["units"]}  # December carries November as appraised
    # said in the run's summary, the feedback-free TongHop and close-year
    notes = [u.appraisal.text(DEC) for u in report.outcome.units if u.appraisal]
    assert notes == ["Thẩm định tháng 11/2025 vẫn áp dụng"] * 2
    detail = rows_of(openpyxl.load_workbook(wd / "output" / DEC / f"TongHop_{DEC}.xlsx")["Chi tiết"])
    assert detail["VP"]["Thẩm định"] == "Thẩm định tháng 11/2025 vẫn áp dụng" and detail["CDS"]["Thẩm định"] is None
    vp_line = next(x for x in close_out.splitlines() if " VP — " in x)
    assert "thẩm định tháng 11/2025 vẫn áp dụng" in vp_line and f"kết quả {str(results['VP']).replace('.', ',')}" in vp_line
    with Store(wd / "data" / "ccht-batch.sqlite") as store:
        written = {r["unit_code"]: r["result"] for r in store.all("SELECT unit_code, result FROM unit_years WHERE year = 2025 AND current = 1")}
    assert float(written["VP"]) == results["VP"] and float(written["QLKH"]) == results["QLKH"]


def test_a_newer_file_ends_the_appraisal_and_says_it_must_be_appraised_again(december, tmp_path):
    wd, _, _, _ = december
    wd3 = tmp_path / "demo"
    shutil.copytree(wd, wd3)
    config = load_config(wd3)
    vp = config.unit("VP")
    new = demo._fill(config, vp, 0, wd3 / "output" / "templates" / "VP_2025.xlsx", wd3 / "input" / "VP_thang12.xlsx", month=12)
    stamp = dt.datetime(2026, 1, 3, 9, 0).timestamp()
    os.utime(new, (stamp, stamp))
    code, out, err = run_in(wd3, "run", "--period", DEC, "--milestone", "tong-ket")
    assert code == 0, err
    assert "Thẩm định tháng 11/2025 không còn áp dụng cho VP: đơn vị đã gửi bảng mới, cần thẩm định lại" in out
    assert "Thẩm định tháng 11/2025 vẫn áp dụng cho 1 đơn vị (QLKH)" in out
    dec = summary(wd3, DEC)
    assert _criterion(dec, "VP", "1.3")["source"] != "appraised" and _criterion(dec, "QLKH", "T2")["source"] == "appraised"
    info = labelled(openpyxl.load_workbook(wd3 / "output" / DEC / "PhanHoi" / "VP.xlsx")["Kết quả"])
    assert info["Thẩm định"] == "Thẩm định tháng 11/2025 không còn áp dụng: đã có bảng mới, cần thẩm định lại"
    detail = rows_of(openpyxl.load_workbook(wd3 / "output" / DEC / f"TongHop_{DEC}.xlsx")["Chi tiết"])
    assert detail["VP"]["Thẩm định"].endswith("cần thẩm định lại") and detail["QLKH"]["Thẩm định"].endswith("vẫn áp dụng")


def test_the_trend_sheet_follows_each_unit_over_the_year(december):
    wd, _, _, _ = december
    ws = openpyxl.load_workbook(wd / "output" / DEC / f"TongHop_{DEC}.xlsx")["Xu hướng"]
    assert [c.value for c in ws[1]] == ["Mã đơn vị", "Tên đơn vị", "Tháng 10/2025", "Tháng 11/2025", "Tháng 12/2025"]
    rows = rows_of(ws)
    oct_, nov = summary(wd, "2025-10"), summary(wd, NOV)
    for u in oct_["units"]:
        assert rows[u["code"]]["Tháng 10/2025"] == u["result"]
    assert rows["VP"]["Tháng 11/2025"] == next(u["result"] for u in nov["units"] if u["code"] == "VP")
    assert rows["TTUD"]["Tháng 12/2025"] is None


def test_a_never_accepted_unit_whose_file_is_not_a_current_template_gets_its_template_too(tmp_path):
    """Its file cannot be fixed in place (an outdated template): the current one goes with the feedback."""
    wd = tmp_path / "wd"
    assert run_in(tmp_path, "init", str(wd))[0] == 0
    submit(wd, "QLKH", "qlkh.xlsx", meta={L.META_CRITERIA_VERSION: "0ld0ld0ld0ld"})
    submit(wd, "VP", "vp.xlsx", scores={"1.1": "ba"})  # a cell error: to be fixed in that very file
    assert run_in(wd, "run", "--period", NOV)[0] == 1
    assert run_in(wd, "mail", "--period", NOV)[0] == 0
    messages = outbox(wd, NOV)
    qlkh = next(m for n, m in messages.items() if n.endswith("_QLKH.eml"))
    assert [p.get_filename() for p in qlkh.iter_attachments()] == ["PhanHoi_QLKH_2025-11.xlsx", "QLKH_2025.xlsx"]
    assert "xử lý theo các mục nêu dưới đây" in qlkh.get_body(("plain",)).get_content()
    vp = next(m for n, m in messages.items() if n.endswith("_VP.eml"))
    assert [p.get_filename() for p in vp.iter_attachments()] == ["PhanHoi_VP_2025-11.xlsx"]
    assert "sửa các ô nêu dưới đây trong chính tệp đã gửi" in vp.get_body(("plain",)).get_content()
