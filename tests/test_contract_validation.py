"""Contract tests of reading and validating (DESIGN.md §5): each problem is an issue at the cell Excel shows.

One run over files that each carry typical mistakes; expectations are severities, cells (found from the
template's headers) and values — the issue codes themselves are only required to be stable kebab-case.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import unicodedata
import uuid
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from support.contract import (
    PERIOD,
    VI_MARKS,
    Template,
    applicable,
    cli,
    copy,
    criteria,
    d,
    fill_full,
    new_workdir,
    summary,
    units,
)

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def v(tmp_path_factory):
    root = tmp_path_factory.mktemp("contract_validation")
    wd = new_workdir(root)
    assert cli(wd, "templates", "--year", "2024", "--unit", "QLCN").rc == 0
    crits = criteria(wd)
    us = {u["code"]: u for u in units(wd)}
    inp = wd / "input"
    ns = SimpleNamespace(wd=wd, t={}, rows={})

    def tpl(code, year=2025):
        t = Template(wd / "output" / "templates" / f"{code}_{year}.xlsx")
        ns.t[code] = t
        return t

    # VP: accepted, with warnings only.
    t = tpl("VP")
    fill_full(t, crits, applicable(crits, us["VP"]), self_override={"4.2": " 8,5 "})
    t.score("1.3", "  Có ")
    t.score("3.3", unicodedata.normalize("NFD", "Đạt"))
    t.indicator("KH_NGAY", dt.datetime(2025, 2, 3))  # a real date, after the 31/01 due date: late
    t.indicator("HS_TIEPNHAN", 0)
    t.indicator("HS_DUNGHAN", 0)  # zero denominator → not applicable for 3.2
    t.scores[t.cell("2.2", "Tài liệu kiểm chứng")].value = None  # required evidence missing
    t.scores[t.cell("4.1", "Tài liệu kiểm chứng")].value = "=B1"  # a real formula, no cached value
    t.score("TR2", 1.5)
    base = {"Năm sinh": 1980, "Giới tính": "Nam", "Chức vụ": "Chuyên viên", "Xếp loại": "Hoàn thành tốt nhiệm vụ"}
    ns.rows["ok"] = t.person(**{**base, "Họ và tên": "Nguyễn Văn An"})
    ns.rows["no_rating"] = t.person(**{**base, "Họ và tên": "Phạm Thị Bình", "Xếp loại": None})
    ns.rows["dup"] = t.person(**{**base, "Họ và tên": unicodedata.normalize("NFD", "Nguyễn  Văn An")})
    ns.rows["no_decision"] = t.person(**{**base, "Họ và tên": "Lê Thị Cúc", "Sáng kiến, giải pháp": "Phần mềm X",
                                         "Cấp công nhận sáng kiến": "Cơ sở"})
    ns.rows["old"] = t.person(**{**base, "Họ và tên": "Đỗ Văn Dũng", "Năm sinh": 1930})
    ns.rows["bad_choice"] = t.person(**{**base, "Họ và tên": "Hồ Thị Em", "Giới tính": "nam giới"})
    t.save(inp / "Báo cáo tháng 11 - Văn phòng.xlsx")

    # TTRA: every kind of cell error at once.
    t = tpl("TTRA")
    fill_full(t, crits, applicable(crits, us["TTRA"]))
    t.scores[t.cell("1.2")].value = "=3+3"  # a formula in a number cell
    t.score("1.3", "Co")                     # not a choice
    t.score("3.4", 4)                        # a number where a choice is expected
    t.score("4.2", 8.3)                      # a real number off the 0.25 step
    t.score("3.1", "8,")
    t.score("TR1", 3)                        # not a multiple of 2 points per event
    t.indicator("TT_HINHTHUC", "mười")
    t.indicator("KH_NGAY", "31/02/2025")
    t.indicator("TT_TIN_BAI", 2.5)
    t.save(inp / "ttra.xlsx")

    # KHTC: two criterion rows swapped.
    t = tpl("KHTC")
    fill_full(t, crits, applicable(crits, us["KHTC"]))
    a, b = t.cell("1.1", "Mã tiêu chí"), t.cell("1.2", "Mã tiêu chí")
    t.scores[a].value, t.scores[b].value = "1.2", "1.1"
    t.save(inp / "khtc.xlsx")

    # CDS: a criterion row added.
    t = tpl("CDS")
    fill_full(t, crits, applicable(crits, us["CDS"]))
    r = t.rows["1.4"] + 1
    t.scores.insert_rows(r)
    t.scores.cell(r, t.s_col["Mã tiêu chí"]).value = "1.9"
    t.scores.cell(r, t.s_col["Nội dung"]).value = "Tiêu chí tự thêm"
    t.save(inp / "cds.xlsx")

    # identity problems
    t = tpl("QLKH")
    fill_full(t, crits, applicable(crits, us["QLKH"]))
    t.wb["_meta"]["B5"].value = "XYZ"
    t.save(inp / "qlkh.xlsx")
    t = tpl("QLCN", 2024)
    fill_full(t, crits, applicable(crits, us["QLCN"]))
    t.save(inp / "qlcn 2024.xlsx")
    t = tpl("BCVT")
    fill_full(t, crits, applicable(crits, us["BCVT"]))
    t.wb["_meta"]["B3"].value = "0000deadbeef"
    t.save(inp / "bcvt.xlsx")
    t = tpl("TTUD")
    fill_full(t, crits, applicable(crits, us["TTUD"]))
    t.wb["Tự chấm điểm"].title = "Tu cham diem"
    t.save(inp / "ttud.xlsx")
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Danh sách cán bộ"
    wb.save(inp / "khac.xlsx")
    (inp / "rong.xlsx").write_bytes(b"")
    (inp / "bang.xls").write_text("a,b\n1,2\n", encoding="utf-8")

    ns.run = cli(wd, "run", "--period", PERIOD)
    ns.s = summary(wd)
    ns.files = {f["name"]: f for f in ns.s["files"]}
    ns.units = {u["code"]: u for u in ns.s["units"]}
    return ns


def issues_at(f: dict, cell: str) -> list[dict]:
    return [i for i in f["issues"] if i["cell"] == cell]


def test_run_rejects_and_exits_1(v):
    assert v.run.rc == 1, v.run.text
    assert "Traceback" not in v.run.text


def test_unit_statuses_after_rejections(v):
    got = {c: u["status"] for c, u in v.units.items()}
    assert got == {"VP": "submitted", "TTRA": "rejected", "KHTC": "rejected", "CDS": "rejected", "QLCN": "rejected",
                   "BCVT": "rejected", "TTUD": "rejected", "QLKH": "missing", "CCTDC": "missing"}
    for c, u in v.units.items():
        if c != "VP":
            assert u["result"] is None and u["rank"] is None, u
    assert sorted(p.stem for p in (v.wd / "output" / PERIOD / "PhanHoi").glob("*.xlsx")) == \
        sorted(["VP", "TTRA", "KHTC", "CDS", "QLCN", "BCVT", "TTUD"])


def test_every_issue_message_is_vietnamese(v):
    for f in v.s["files"]:
        for i in f["issues"]:
            assert VI_MARKS.search(i["message"]), i


def test_file_level_rejections(v):
    for name in ("qlkh.xlsx", "qlcn 2024.xlsx", "bcvt.xlsx", "ttud.xlsx", "khac.xlsx", "rong.xlsx", "bang.xls"):
        f = v.files[name]
        assert f["status"] == "rejected", (name, f)
        errs = [i for i in f["issues"] if i["severity"] == "error"]
        assert errs and all(i["cell"] is None for i in errs), (name, errs)
    assert v.files["qlcn 2024.xlsx"]["unit_code"] == "QLCN"
    assert any("2024" in str(i["value"]) or "2024" in i["message"] for i in v.files["qlcn 2024.xlsx"]["issues"])
    assert any("XYZ" in str(i["value"]) or "XYZ" in i["message"] for i in v.files["qlkh.xlsx"]["issues"])
    assert any("Tự chấm điểm" in i["message"] for i in v.files["ttud.xlsx"]["issues"])
    # identity problems get distinct, stable codes
    codes = {n: {i["code"] for i in v.files[n]["issues"]} for n in ("qlkh.xlsx", "qlcn 2024.xlsx", "bcvt.xlsx", "khac.xlsx")}
    assert len({frozenset(c) for c in codes.values()}) == 4, codes


def test_outdated_template_says_download_the_new_one(v):
    f = v.files["bcvt.xlsx"]
    assert f["status"] == "rejected" and f["unit_code"] == "BCVT"
    msg = " ".join(i["message"] for i in f["issues"])
    assert "mẫu mới" in msg, msg


def test_outdated_template_message_has_no_english(v):
    msg = " ".join(i["message"] for i in v.files["bcvt.xlsx"]["issues"])
    assert "download" not in msg.lower() and "template" not in msg.lower(), msg


def test_all_cell_errors_of_a_file_collected(v):
    f = v.files["ttra.xlsx"]
    t = v.t["TTRA"]
    assert f["status"] == "rejected"
    expect = {
        t.cell("1.2"): "=3+3", t.cell("1.3"): "Co", t.cell("3.4"): "4", t.cell("4.2"): "8.3", t.cell("3.1"): "8,",
        t.cell("TR1"): "3", t.ind_cell("TT_HINHTHUC"): "mười", t.ind_cell("KH_NGAY"): "31/02/2025", t.ind_cell("TT_TIN_BAI"): "2.5",
    }
    for cell, typed in expect.items():
        errs = [i for i in issues_at(f, cell) if i["severity"] == "error"]
        assert errs, f"no error at {cell} ({typed!r}): {[(i['cell'], i['code']) for i in f['issues']]}"
        assert str(errs[0]["value"]).replace(",", ".") == typed.replace(",", ".") or typed in str(errs[0]["value"]), errs[0]
    sheets = {i["cell"]: i["sheet"] for i in f["issues"]}
    assert sheets[t.cell("1.3")] == "Tự chấm điểm" and sheets[t.ind_cell("TT_HINHTHUC")] == "Số liệu"


def test_row_order_and_added_rows_rejected(v):
    for name, code, cid in (("khtc.xlsx", "KHTC", None), ("cds.xlsx", "CDS", "1.9")):
        f = v.files[name]
        assert f["status"] == "rejected", f
        errs = [i for i in f["issues"] if i["severity"] == "error"]
        assert errs and all(i["sheet"] == "Tự chấm điểm" for i in errs), errs
        if cid:
            assert any(i["value"] == cid for i in errs), errs
    t = v.t["KHTC"]
    assert {t.cell("1.1", "Mã tiêu chí"), t.cell("1.2", "Mã tiêu chí")} & {i["cell"] for i in v.files["khtc.xlsx"]["issues"]}


def test_lenient_text_normalisation_accepts_file(v):
    f = v.files["Báo cáo tháng 11 - Văn phòng.xlsx"]
    assert f["status"] == "accepted", f
    vp = {c["id"]: c for c in v.units["VP"]["criteria"]}
    assert d(vp["1.3"]["score"]) == 3  # "  Có " with spaces
    assert d(vp["3.3"]["score"]) == 2  # "Đạt" in NFD
    assert d(vp["4.2"]["self_score"]) == Decimal("8.5")  # " 8,5 "


def test_computed_methods_and_zero_denominator(v):
    vp = {c["id"]: c for c in v.units["VP"]["criteria"]}
    assert d(vp["1.1"]["score"]) == Decimal("1.5") and vp["1.1"]["source"] == "computed"  # late plan
    assert vp["3.2"]["source"] == "not-applicable"  # zero dossiers: not_applicable in the YAML


def test_evidence_rules(v):
    f = v.files["Báo cáo tháng 11 - Văn phòng.xlsx"]
    t = v.t["VP"]
    vp = {c["id"]: c for c in v.units["VP"]["criteria"]}
    for cid in ("2.2", "4.1"):
        assert d(vp[cid]["score"]) == 0, vp[cid]
        ws = [i for i in issues_at(f, t.cell(cid, "Tài liệu kiểm chứng")) if i["severity"] == "warning"]
        assert ws, (cid, f["issues"])
    # a formula in a text cell is a warning at that cell, showing the formula
    assert any("=B1" in str(i["value"]) for i in issues_at(f, t.cell("4.1", "Tài liệu kiểm chứng")))


def test_result_with_penalty_and_not_applicable(v):
    u = v.units["VP"]
    # 100 − 8 (3.2 n/a) − 1.5 (1.1 late) − 2 (3.3 Đạt) − 4 (2.2) − 5 (4.1) = 79.5 of 92; − 1.5 penalty
    assert d(u["total"]) == Decimal(78)
    assert d(u["result"]) == Decimal("84.91")  # 79.5 / 92 × 100 − 1.5 = 84.913…
    assert u["band"] == "Tốt"


def test_person_row_problems_are_warnings_at_their_cells(v):
    f = v.files["Báo cáo tháng 11 - Văn phòng.xlsx"]
    person_issues = [i for i in f["issues"] if i["sheet"] == "Cá nhân"]
    assert all(i["severity"] == "warning" for i in person_issues), person_issues
    rows_hit = {int("".join(ch for ch in i["cell"] if ch.isdigit())) for i in person_issues}
    for key in ("no_rating", "dup", "no_decision", "old", "bad_choice"):
        assert v.rows[key] in rows_hit, (key, v.rows[key], person_issues)
    assert v.rows["ok"] not in rows_hit


def test_rows_with_problems_are_left_out_of_nominations(v):
    names = {n["name"] for n in v.s["nominations"] if n["kind"] == "individual"}
    assert "Nguyễn Văn An" in names
    for left_out in ("Phạm Thị Bình", "Đỗ Văn Dũng", "Hồ Thị Em"):
        assert left_out not in names, left_out
    # the duplicate counts once
    assert sum(1 for n in v.s["nominations"] if n["name"] == "Nguyễn Văn An" and n["award"] == v.s["nominations"][0]["award"]) <= 1


def test_moves_of_rejected_and_accepted(v):
    done = v.wd / "input" / "processed" / PERIOD
    rej = v.wd / "input" / "rejected" / PERIOD
    assert sorted(p.name for p in done.iterdir()) == sorted(n for n, f in v.files.items() if f["status"] == "accepted")
    assert sorted(p.name for p in rej.iterdir()) == sorted(n for n, f in v.files.items() if f["status"] == "rejected")
    assert not any(p.is_file() for p in (v.wd / "input").iterdir())


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_ods_and_libreoffice_resaved_files_are_read(tmp_path):
    wd = new_workdir(tmp_path)
    crits = criteria(wd)
    us = {u["code"]: u for u in units(wd)}
    srcs = []
    for code in ("KHTC", "CDS"):
        t = Template(wd / "output" / "templates" / f"{code}_2025.xlsx")
        fill_full(t, crits, applicable(crits, us[code]), choice_override={"3.6": "Không"}, self_override={"4.2": "8,5"})
        srcs.append(t.save(tmp_path / "src" / f"{code}.xlsx"))
    profile = Path(os.environ.get("TMPDIR", "/tmp")) / f"ccht-contract-lo-{uuid.uuid4().hex}"
    out = tmp_path / "lo"
    try:
        for fmt, src in (("ods", srcs[0]), ("xlsx", srcs[1])):
            subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                            "--convert-to", fmt, "--outdir", str(out / fmt), str(src)],
                           check=True, capture_output=True, timeout=180)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    copy(out / "ods" / "KHTC.ods", wd / "input" / "khtc.ods")
    copy(out / "xlsx" / "CDS.xlsx", wd / "input" / "cds-libreoffice.xlsx")
    r = cli(wd, "run", "--period", PERIOD)
    assert r.rc == 0, r.text
    s = summary(wd)
    assert {f["name"]: f["status"] for f in s["files"]} == {"khtc.ods": "accepted", "cds-libreoffice.xlsx": "accepted"}
    res = {u["code"]: d(u["result"]) for u in s["units"] if u["result"] is not None}
    assert res == {"KHTC": Decimal("94.25"), "CDS": Decimal("94.25")}
