"""Ratings and titles with their source, and the share of the top rating.

A unit types its people's ratings in its template (a declaration, ``tự khai``); the Director decides them
(``quyết định``, imported with the decision's number and date). History keeps which is which per person
and year, close-year never replaces a decision by a declaration, and a share of "Hoàn thành xuất sắc nhiệm
vụ" above the configured cap is warned about in the close-year preview, the consolidated workbook and each
unit's feedback (RULES.md §3).
"""

from __future__ import annotations

import datetime as dt

import openpyxl
from support.cli import run_cli, run_in
from support.history import (
    HTTNV,
    HTXSNV,
    fill_history,
    initiative_row,
    make_workdir,
    person,
    person_row,
    seed_result,
)

from ccht_batch.core.records import DECIDED, SELF_DECLARED, TASK, person_key
from ccht_batch.store.db import Store
from ccht_batch.store.history import StoreHistory

DUC = person_key("Phạm Minh Đức", 1980, "VP")
HOA = person_key("Vũ Thị Hoa", 1992, "VP")


def test_history_import_keeps_the_decision_behind_a_rating_and_an_s_and_t_task(tmp_path):
    wd, config = make_workdir(tmp_path)
    sheets = {
        "Cá nhân theo năm": [
            {**person_row(2024, "VP", "Phạm Minh Đức", 1980, HTXSNV), "Số quyết định": "150/QĐ-SKHCN", "Ngày quyết định": "28/12/2024"},
            person_row(2023, "VP", "Phạm Minh Đức", 1980, HTTNV),
        ],
        "Sáng kiến": [{**initiative_row(2024, "VP", "Phạm Minh Đức", 1980, "Đề tài bản đồ số", "88/QĐ-SKHCN", "20/10/2024"), "Loại": "Đề tài, đề án KH&CN"}],
    }
    code, out, err = run_in(wd, "history", "import", fill_history(config, tmp_path / "ls.xlsx", sheets))
    assert code == 0, out + err
    with Store(config.store_path) as store:
        years = StoreHistory(store).person_years(DUC)
    assert (years[2024].source, years[2024].decision, years[2024].decision_date) == (DECIDED, "150/QĐ-SKHCN", dt.date(2024, 12, 28))
    assert (years[2023].source, years[2023].decision) == (SELF_DECLARED, "")
    (task,) = years[2024].initiatives
    assert (task.kind, task.title, task.decision, task.level, task.recognised) == (TASK, "Đề tài bản đồ số", "88/QĐ-SKHCN", None, True)
    code, out, _ = run_in(wd, "history", "show", "--person", "Phạm Minh Đức")
    assert "2024 (VP): Hoàn thành xuất sắc nhiệm vụ — theo QĐ số 150/QĐ-SKHCN" in out
    assert "2023 (VP): Hoàn thành tốt nhiệm vụ — tự khai" in out
    assert "Đề tài, đề án KH&CN: Đề tài bản đồ số (QĐ nghiệm thu số 88/QĐ-SKHCN)" in out


def test_a_date_without_its_decision_is_refused_at_the_cell(tmp_path):
    wd, config = make_workdir(tmp_path)
    sheets = {"Cá nhân theo năm": [{**person_row(2024, "VP", "Phạm Minh Đức", 1980, HTXSNV), "Ngày quyết định": "28/12/2024"}]}
    code, _, err = run_in(wd, "history", "import", fill_history(config, tmp_path / "ls.xlsx", sheets))
    assert code == 1 and "[Cá nhân theo năm!G5]" in err and "thiếu Số quyết định" in err  # a refusal: on stderr


def test_close_year_keeps_a_decided_rating_and_warns_about_the_share(tmp_path):
    wd, config = make_workdir(tmp_path)
    sheets = {"Cá nhân theo năm": [{**person_row(2025, "VP", "Vũ Thị Hoa", 1992, HTTNV), "Số quyết định": "160/QĐ-SKHCN", "Ngày quyết định": "30/12/2025"}]}
    code, out, err = run_in(wd, "history", "import", fill_history(config, tmp_path / "ls.xlsx", sheets))
    assert code == 0, out + err
    with Store(config.store_path) as store:
        # the unit declared both its people HTXSNV, one with two S&T tasks
        seed_result(store, "2025-12", "VP", total="92", result="92", band="Xuất sắc", rank=1, persons=[
            person(5, "Phạm Minh Đức", 1980, "HTXSNV"),
            person(6, "Vũ Thị Hoa", 1992, "HTXSNV"),
        ])
        store.conn.execute("UPDATE submissions SET values_json = replace(values_json, '\"tasks\": \"\"', '\"tasks\": \"Đề tài A; Đề tài B\"')")
    code, out, err = run_in(wd, "close-year", "--year", "2025")  # the preview (no terminal to confirm on)
    assert code == 2 and "Chưa ghi gì" in err, out + err
    assert "Giữ xếp loại theo quyết định đã nhập của 1 người; 1 người ghi theo tự khai của đơn vị." in out
    # after the decision: 1 HTXSNV of 2 rated HTTNV or better (50 %) is above 20 %
    assert ("Cảnh báo: Văn phòng Sở: 1 người xếp loại Hoàn thành xuất sắc nhiệm vụ trên 2 người xếp loại từ Hoàn thành "
            "tốt nhiệm vụ trở lên (50%), vượt tỷ lệ tối đa 20%.") in out
    assert "Cảnh báo: Toàn cơ quan: 1 người" in out
    code, out, err = run_in(wd, "close-year", "--year", "2025", "--yes")
    assert code == 0, err
    with Store(config.store_path) as store:
        h = StoreHistory(store)
        hoa, duc = h.person_years(HOA)[2025], h.person_years(DUC)[2025]
    assert (hoa.rating, hoa.source, hoa.decision) == ("HTTNV", DECIDED, "160/QĐ-SKHCN")
    assert (duc.rating, duc.source) == ("HTXSNV", SELF_DECLARED)
    assert [(i.kind, i.title) for i in duc.initiatives] == [(TASK, "Đề tài A"), (TASK, "Đề tài B")]


def test_the_demo_warns_about_the_share_in_tonghop_and_feedback(tmp_path):
    wd = tmp_path / "demo"
    code, _, err = run_cli("demo", wd)
    assert code == 0, err
    out = wd / "output" / "2025-11"
    ws = openpyxl.load_workbook(out / "TongHop_2025-11.xlsx")["Tỷ lệ xếp loại"]
    header = [c.value for c in ws[1]]
    assert header == ["Mã đơn vị", "Đơn vị", "Số người xếp loại từ Hoàn thành tốt nhiệm vụ trở lên",
                      "Số người xếp loại Hoàn thành xuất sắc nhiệm vụ", "Tỷ lệ (%)", "Tỷ lệ tối đa (%)", "Cảnh báo"]
    rows = {r[0] or "": r for r in ws.iter_rows(min_row=2, values_only=True)}
    agency = rows[""]
    assert agency[1] == "Toàn cơ quan" and agency[2] == sum(r[2] for code, r in rows.items() if code)
    assert agency[3] / agency[2] * 100 > 20 and agency[6].startswith("Toàn cơ quan:") and "vượt tỷ lệ tối đa 20%" in agency[6]
    vp = rows["VP"]
    assert (vp[2], vp[3]) == (3, 2) and vp[4] == 66.7 and vp[6].startswith("Văn phòng Sở: 2 người")
    feedback = openpyxl.load_workbook(out / "PhanHoi" / "VP.xlsx")["Kết quả"]
    lines = {r[0]: r[1] for r in feedback.iter_rows(values_only=True) if r and r[0]}
    assert lines["Tỷ lệ xếp loại cá nhân"] == vp[6]
    # not an issue of the unit's file: the file is right to say what the unit declared
    assert not any(i["code"].startswith("rating") for f in __import__("json").loads((out / "summary.json").read_text())["files"] for i in f["issues"])
