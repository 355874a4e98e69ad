"""Contract tests of `ccht-batch run` over two months (DESIGN.md §5, §6, §8, §9), through files and exit codes only.

One scenario, built once per module: October (three units), November (seven files from units, junk, a renamed
Word file), the same file dropped again, an appraisal, then a final-review run in December. Each test reads
what a clerk or another program would read: summary.json, the workbooks, the folders, the SQLite file.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import zipfile
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from support.contract import (
    LOI_HEADERS,
    PERIOD,
    PREV_PERIOD,
    STATUS_TEXT,
    TONGHOP_HEADERS,
    VI_MARKS,
    Template,
    applicable,
    award_rules,
    cli,
    copy,
    criteria,
    d,
    fake_docx,
    fill_full,
    find_header,
    load_yaml,
    new_workdir,
    put,
    q2,
    sha256,
    sheet_rows,
    submit_full_and_run,
    summary,
    table,
    units,
)

HYPERLINK = '=HYPERLINK("http://x","y")'
PERSON = "Trần Thị Lan"
GIAY_KHEN = "Giấy khen của Giám đốc Sở"
JUNK_IGNORED = ["~$x.xlsx", "ghi chu.txt", ".an.xlsx"]

# Bonus and penalty points each unit typed (the test's own bookkeeping, independent of the product).
BONUS = {"VP": Decimal(5)}
PENALTY = {"TTRA": Decimal(2)}


def _listing(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def sc(tmp_path_factory):
    root = tmp_path_factory.mktemp("contract_run")
    wd = new_workdir(root)
    crits = criteria(wd)
    us = {u["code"]: u for u in units(wd)}
    inp = wd / "input"
    src = root / "sources"
    ns = SimpleNamespace(wd=wd, root=root, crits=crits, units=us, cells={}, src=src)

    def make(month: str, code: str, name: str, edit=None, **kw) -> Path:
        t = Template(wd / "output" / "templates" / f"{code}_2025.xlsx")
        fill_full(t, crits, applicable(crits, us[code]), **kw)
        if edit:
            edit(t)
        ns.cells[(month, code)] = t
        path = t.save(src / month / name)
        copy(path, inp / name)
        return path

    # ---- October: three good files; BCVT and CCTDC will be carried in November.
    make("10", "BCVT", "bcvt.xlsx")
    make("10", "CCTDC", "cctdc t10.xlsx", choice_override={"3.3": "Đạt"})
    make("10", "TTUD", "ttud_t10.xlsx")
    ns.oct = cli(wd, "run", "--period", PREV_PERIOD)
    ns.oct_summary = summary(wd, PREV_PERIOD)

    # ---- November, run 1.
    def vp_edit(t: Template):
        t.score("T1", 3, evidence="QĐ 12/QĐ-UBND")
        t.score("T2", 2, evidence=HYPERLINK)
        t.person(**{
            "Họ và tên": PERSON, "Năm sinh": 1985, "Giới tính": "Nữ", "Chức vụ": "Chánh Văn phòng",
            "Xếp loại": "Hoàn thành xuất sắc nhiệm vụ", "Sáng kiến, giải pháp": "Số hóa hồ sơ lưu trữ",
            "Số, ngày quyết định công nhận sáng kiến": "15/QĐ-SKHCN ngày 10/03/2025", "Cấp công nhận sáng kiến": "Cơ sở",
            "Hình thức đề nghị": GIAY_KHEN, "Tóm tắt thành tích": HYPERLINK,
        })

    ns.vp_file = make("11", "VP", "vp bao cao T11 (final).xlsx", edit=vp_edit)
    make("11", "KHTC", "khtc.xlsx", choice_override={"3.6": "Không"}, self_override={"4.2": "8,5"})
    make("11", "CDS", "Copy of CDS (2).xlsx", choice_override={"3.6": "Không"}, self_override={"4.2": "8.5"})
    make("11", "TTRA", "ttra.xlsx", choice_override={"1.3": "Không", "3.5": "Đạt"}, self_override={"4.2": 8.25},
         edit=lambda t: t.score("TR1", 2))
    make("11", "TTUD", "TTUD thang 11.xlsx", choice_override={"1.3": "Không"})
    ns.bad_values = {"1.2": "8.500", "2.1": "1,234.5", "2.2": "abc", "3.1": 7, "5.1": 0.1}
    make("11", "CCTDC", "cctdc t11.xlsx", self_override=ns.bad_values)
    make("11", "QLKH", "qlkh.xlsx", self_override={"2.2": "abc"})
    (src / "11").mkdir(parents=True, exist_ok=True)
    (src / "11" / "~$x.xlsx").write_bytes(b"\x00lock")
    (src / "11" / "ghi chu.txt").write_text("ghi chú", encoding="utf-8")
    shutil.copyfile(src / "10" / "bcvt.xlsx", src / "11" / ".an.xlsx")
    fake_docx(src / "11" / "baocao.xlsx")
    for name in JUNK_IGNORED + ["baocao.xlsx"]:
        copy(src / "11" / name, inp / name)
    ns.nov1_inputs = {p.name: sha256(p) for p in (src / "11").iterdir()}
    ns.nov1 = cli(wd, "run", "--period", PERIOD)
    ns.after1 = _listing(inp)
    ns.snap1 = root / "snap1"
    shutil.copytree(wd / "output" / PERIOD, ns.snap1)
    ns.s1 = summary(wd)

    # ---- November, run 2: the very same VP file dropped again, same name.
    copy(ns.vp_file, inp / ns.vp_file.name)
    ns.nov2 = cli(wd, "run", "--period", PERIOD)
    ns.after2 = _listing(inp)
    ns.s2 = summary(wd)

    # ---- November, run 3: the Office's appraisal.
    ns.appraisal = cli(wd, "appraisal", "--period", PERIOD)
    apath = wd / "output" / PERIOD / f"ThamDinh_{PERIOD}.xlsx"
    wb = openpyxl.load_workbook(apath)
    ns.appraisal_meta = {str(r[0].value): r[1].value for r in wb["_meta"].iter_rows(max_col=2) if r[0].value}
    ws = next(w for w in wb.worksheets if w.sheet_state == "visible")
    hr, col = find_header(ws, ["Mã đơn vị", "Mã tiêu chí", "Điểm thẩm định"])
    for r in range(hr + 1, ws.max_row + 1):
        key = (ws.cell(r, col["Mã đơn vị"]).value, str(ws.cell(r, col["Mã tiêu chí"]).value))
        if key == ("VP", "1.3"):
            put(ws, f"{get_column_letter(col['Điểm thẩm định'])}{r}", "1,5")
        if key == ("CCTDC", "3.3"):
            put(ws, f"{get_column_letter(col['Điểm thẩm định'])}{r}", 4)
    wb.save(inp / "tham dinh thang 11.xlsx")
    ns.nov3 = cli(wd, "run", "--period", PERIOD)
    ns.s3 = summary(wd)
    ns.snap3 = root / "snap3"
    shutil.copytree(wd / "output" / PERIOD, ns.snap3)

    # ---- December: the final review (tổng kết), nothing new sent.
    ns.dec = cli(wd, "run", "--period", "2025-12", "--milestone", "tong-ket")
    ns.s_dec = summary(wd, "2025-12")
    return ns


def unit(s: dict, code: str) -> dict:
    found = [u for u in s["units"] if u["code"] == code]
    assert len(found) == 1, f"{code} appears {len(found)} times in units[]"
    return found[0]


def file_entry(s: dict, name: str) -> dict:
    found = [f for f in s["files"] if f["name"] == name]
    assert len(found) == 1, f"{name} appears {len(found)} times in files[]: {[f['name'] for f in s['files']]}"
    return found[0]


# ------------------------------------------------------------------------------------------ exit codes
def test_exit_codes_follow_rejections(sc):
    assert sc.oct.rc == 0, sc.oct.text
    assert sc.nov1.rc == 1, sc.nov1.text  # files were rejected
    assert sc.nov2.rc == 0, sc.nov2.text  # only a duplicate
    assert sc.appraisal.rc == 0, sc.appraisal.text
    assert sc.nov3.rc == 0, sc.nov3.text
    assert sc.dec.rc == 0, sc.dec.text


def test_cli_summary_is_vietnamese_without_traceback(sc):
    for r in (sc.oct, sc.nov1, sc.nov2, sc.nov3, sc.dec):
        assert "Traceback" not in r.text
        assert VI_MARKS.search(r.out), r.out


# ------------------------------------------------------------------------------------------ summary.json shape
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CELL = re.compile(r"^[A-Z]{1,3}[1-9][0-9]*$")
NUM = (int, float)


def _check_shape(s: dict, rule_ids: set[str], unit_codes: list[str]) -> None:
    assert set(s) >= {"period", "milestone", "files", "units", "nominations"}
    assert isinstance(s["files"], list) and isinstance(s["units"], list) and isinstance(s["nominations"], list)
    for f in s["files"]:
        assert set(f) >= {"name", "sha256", "status", "unit_code", "issues"}, f
        assert isinstance(f["name"], str) and "/" not in f["name"] and "\\" not in f["name"]
        assert re.fullmatch(r"[0-9a-f]{64}", f["sha256"]), f["sha256"]
        assert f["status"] in {"accepted", "rejected", "duplicate", "ignored"}
        assert f["unit_code"] is None or f["unit_code"] in unit_codes
        for i in f["issues"]:
            assert set(i) >= {"code", "severity", "sheet", "cell", "value", "message"}, i
            assert KEBAB.match(i["code"]), i["code"]
            assert i["severity"] in {"error", "warning"}
            assert i["sheet"] is None or isinstance(i["sheet"], str)
            assert i["cell"] is None or CELL.match(i["cell"]), i["cell"]
            assert i["cell"] is None or i["sheet"], i
            assert isinstance(i["message"], str) and VI_MARKS.search(i["message"]), i["message"]
        errors = [i for i in f["issues"] if i["severity"] == "error"]
        if f["status"] == "rejected":
            assert errors, f
        if f["status"] == "accepted":
            assert not errors, f
    assert [u["code"] for u in s["units"]].count(unit_codes[0]) == 1
    assert sorted(u["code"] for u in s["units"]) == sorted(unit_codes)
    for u in s["units"]:
        assert set(u) >= {"code", "name", "status", "total", "result", "rank", "rank_change", "band", "criteria"}, u
        assert u["status"] in {"submitted", "carried", "missing", "rejected"}
        for k in ("total", "result"):
            assert u[k] is None or (isinstance(u[k], NUM) and not isinstance(u[k], bool)), (k, u[k])
        for k in ("rank", "rank_change"):
            assert u[k] is None or (isinstance(u[k], int) and not isinstance(u[k], bool)), (k, u[k])
        assert u["band"] is None or isinstance(u["band"], str)
        for c in u["criteria"]:
            assert set(c) >= {"id", "max", "self_score", "score", "source"}, c
            assert isinstance(c["id"], str) and isinstance(c["max"], NUM)
            assert c["self_score"] is None or isinstance(c["self_score"], NUM)
            assert c["score"] is None or isinstance(c["score"], NUM)
            assert c["source"] in {"self", "computed", "appraised", "not-applicable"}
    for n in s["nominations"]:
        assert set(n) >= {"award", "award_name", "kind", "name", "unit_code", "eligible", "reasons"}, n
        assert n["award"] in rule_ids
        assert n["kind"] in {"collective", "individual"}
        assert isinstance(n["name"], str) and n["name"]
        assert n["unit_code"] in unit_codes
        assert n["eligible"] is None or isinstance(n["eligible"], bool)
        assert isinstance(n["reasons"], list) and all(isinstance(r, str) and r for r in n["reasons"])


def test_summary_shape_every_run(sc):
    rule_ids = {r["id"] for r in award_rules(sc.wd)}
    codes = [u["code"] for u in units(sc.wd)]
    for s in (sc.oct_summary, sc.s1, sc.s2, sc.s3, sc.s_dec):
        _check_shape(s, rule_ids, codes)
    assert sc.s1["period"] == PERIOD and sc.s1["milestone"] is None
    assert sc.oct_summary["period"] == PREV_PERIOD
    assert sc.s_dec["period"] == "2025-12" and sc.s_dec["milestone"] == "tong-ket"


def test_summary_numbers_have_no_float_noise(sc):
    raw = (sc.snap1 / "summary.json").read_text(encoding="utf-8")
    doc = json.loads(raw, parse_float=Decimal)
    for u in doc["units"]:
        for v in [u["total"], u["result"]] + [c[k] for c in u["criteria"] for k in ("max", "self_score", "score")]:
            if isinstance(v, Decimal):
                assert v.as_tuple().exponent >= -2, (u["code"], v)
    ttra = {c["id"]: c for c in unit(doc, "TTRA")["criteria"]}
    assert ttra["4.2"]["self_score"] == Decimal("8.25")


def test_files_of_the_run_all_listed_with_their_hash(sc):
    names = {f["name"]: f for f in sc.s1["files"]}
    assert set(names) == set(sc.nov1_inputs), "every file dropped in input/ must be in summary.json"
    for name, digest in sc.nov1_inputs.items():
        assert names[name]["sha256"] == digest, name
    status = {n: f["status"] for n, f in names.items()}
    assert status == {
        "vp bao cao T11 (final).xlsx": "accepted", "khtc.xlsx": "accepted", "Copy of CDS (2).xlsx": "accepted",
        "ttra.xlsx": "accepted", "TTUD thang 11.xlsx": "accepted", "cctdc t11.xlsx": "rejected", "qlkh.xlsx": "rejected",
        "baocao.xlsx": "rejected", "~$x.xlsx": "ignored", "ghi chu.txt": "ignored", ".an.xlsx": "ignored",
    }
    assert names["vp bao cao T11 (final).xlsx"]["unit_code"] == "VP"
    assert names["cctdc t11.xlsx"]["unit_code"] == "CCTDC"
    assert names["baocao.xlsx"]["unit_code"] is None
    # an ignored file still says why (a warning), and a renamed Word file is a file-level error
    for n in JUNK_IGNORED:
        assert names[n]["issues"] and all(i["severity"] == "warning" for i in names[n]["issues"]), n
    doc_issues = names["baocao.xlsx"]["issues"]
    assert any(i["severity"] == "error" and i["cell"] is None for i in doc_issues), doc_issues


# ------------------------------------------------------------------------------------------ strict numbers
def test_strict_numbers_rejected_at_their_cells(sc):
    f = file_entry(sc.s1, "cctdc t11.xlsx")
    t = sc.cells[("11", "CCTDC")]
    by_cell = {i["cell"]: i for i in f["issues"] if i["severity"] == "error"}
    for cid, typed in sc.bad_values.items():
        ref = t.cell(cid)
        assert ref in by_cell, f"no error at {ref} for {typed!r}: {f['issues']}"
        issue = by_cell[ref]
        assert issue["sheet"] == "Tự chấm điểm"
        shown = str(issue["value"]).replace(",", ".") if not isinstance(typed, str) else str(issue["value"])
        assert shown == (typed if isinstance(typed, str) else str(typed)), issue
        assert str(typed) in issue["message"] or str(typed).replace(".", ",") in issue["message"], issue["message"]
    assert len({i["code"] for i in by_cell.values()}) >= 3, "not-a-number, out of range and off-step need distinct codes"


def test_decimal_comma_and_point_both_accepted(sc):
    for name, code in (("khtc.xlsx", "KHTC"), ("Copy of CDS (2).xlsx", "CDS")):
        f = file_entry(sc.s1, name)
        assert f["status"] == "accepted"
        c42 = {c["id"]: c for c in unit(sc.s1, code)["criteria"]}["4.2"]
        assert d(c42["self_score"]) == Decimal("8.5"), c42
        # the computed value counts; the differing self-score is only a warning at that cell
        assert d(c42["score"]) == Decimal(10) and c42["source"] == "computed"
        ref = sc.cells[("11", code)].cell("4.2")
        assert [i["severity"] for i in f["issues"] if i["cell"] == ref] == ["warning"]


# ------------------------------------------------------------------------------------------ statuses, scores, ranks
EXPECTED_NOV1 = {  # code: (status, result, total, rank)
    "VP": ("submitted", "105", "105", 1),
    "BCVT": ("carried", "100", "100", 2),
    "CCTDC": ("carried", "98", "98", 3),
    "TTUD": ("submitted", "96.55", "84", 4),
    "KHTC": ("submitted", "94.25", "82", 5),
    "CDS": ("submitted", "94.25", "82", 5),
    "TTRA": ("submitted", "91.1", "79", 7),
    "QLKH": ("rejected", None, None, None),
    "QLCN": ("missing", None, None, None),
}


def test_statuses_results_and_ranks_november(sc):
    got = {u["code"]: (u["status"], None if u["result"] is None else str(d(u["result"]).normalize()),
                       None if u["total"] is None else str(d(u["total"]).normalize()), u["rank"]) for u in sc.s1["units"]}
    exp = {k: (v[0], None if v[1] is None else str(Decimal(v[1]).normalize()),
               None if v[2] is None else str(Decimal(v[2]).normalize()), v[3]) for k, v in EXPECTED_NOV1.items()}
    assert got == exp


def test_october_ties_share_a_rank(sc):
    got = {u["code"]: (u["status"], u["rank"]) for u in sc.oct_summary["units"] if u["rank"] is not None}
    assert got == {"BCVT": ("submitted", 1), "TTUD": ("submitted", 1), "CCTDC": ("submitted", 3)}


def test_result_and_total_recomputed_from_criteria(sc):
    crit_ids = {c.id for c in sc.crits}
    cap = Decimal(str(load_yaml(sc.wd, "criteria.yaml")["bonus"]["cap"]))
    bands = load_yaml(sc.wd, "criteria.yaml")["bands"]
    checked = 0
    for s in (sc.s1, sc.s3, sc.oct_summary):
        for u in s["units"]:
            if u["result"] is None:
                assert u["total"] is None and u["rank"] is None and u["band"] is None, u
                continue
            app = [c for c in u["criteria"] if c["id"] in crit_ids and c["source"] != "not-applicable"]
            assert {c["id"] for c in u["criteria"] if c["id"] in crit_ids} == crit_ids, "every criterion listed"
            score = sum(d(c["score"]) for c in app)
            mx = sum(d(c["max"]) for c in app)
            bonus = min(BONUS.get(u["code"], Decimal(0)), cap)
            pen = PENALTY.get(u["code"], Decimal(0))
            result = max(q2(score / mx * 100 + bonus - pen), Decimal(0))
            assert d(u["result"]) == result, (u["code"], u["result"], result)
            assert d(u["total"]) == score + bonus - pen, (u["code"], u["total"])
            band = next(b["name"] for b in bands if result >= Decimal(str(b["min"])))
            assert u["band"] == band
            checked += 1
    assert checked >= 15


def test_ranks_follow_results(sc):
    for s in (sc.s1, sc.s3, sc.oct_summary):
        ranked = [u for u in s["units"] if u["result"] is not None]
        for u in ranked:
            better = sum(1 for v in ranked if d(v["result"]) > d(u["result"]))
            assert u["rank"] == better + 1, (u["code"], u["rank"], better)


def test_not_applicable_criteria_for_units_without_dossiers(sc):
    no_dossier = {c for c, u in sc.units.items() if not u.get("handles_dossiers")}
    dossier_only = {c.id for c in sc.crits if c.applies_to == "handles_dossiers"}
    for u in sc.s1["units"]:
        if not u["criteria"]:
            continue
        by = {c["id"]: c for c in u["criteria"]}
        for cid in dossier_only:
            if u["code"] in no_dossier:
                assert by[cid]["source"] == "not-applicable" and by[cid]["score"] is None, (u["code"], by[cid])
            else:
                assert by[cid]["source"] != "not-applicable", (u["code"], by[cid])


def test_max_scores_reach_100(sc):
    bcvt = unit(sc.s1, "BCVT")  # every criterion at its maximum, no penalty
    assert d(bcvt["result"]) >= 100


def test_rank_change_against_october(sc):
    prev = {u["code"]: u["rank"] for u in sc.oct_summary["units"]}
    signs = set()
    for u in sc.s1["units"]:
        if u["rank"] is None or prev.get(u["code"]) is None:
            assert u["rank_change"] is None, u
            continue
        delta = prev[u["code"]] - u["rank"]
        assert abs(u["rank_change"]) == abs(delta), (u["code"], u["rank_change"], delta)
        if delta:
            signs.add(u["rank_change"] // delta)
    assert len(signs) == 1, "one sign convention for rank_change"
    assert unit(sc.s1, "CCTDC")["rank_change"] == 0


def test_carried_unit_keeps_last_accepted_scores(sc):
    oct_bcvt = unit(sc.oct_summary, "BCVT")
    nov_bcvt = unit(sc.s1, "BCVT")
    assert nov_bcvt["status"] == "carried"
    assert nov_bcvt["result"] == oct_bcvt["result"] and nov_bcvt["criteria"] == oct_bcvt["criteria"]
    # a unit whose only November file was rejected keeps October's accepted file
    assert unit(sc.s1, "CCTDC")["result"] == unit(sc.oct_summary, "CCTDC")["result"]


# ------------------------------------------------------------------------------------------ nominations
def test_proposed_person_is_eligible_for_the_named_award(sc):
    rules = {r["id"]: r for r in award_rules(sc.wd)}
    gk = next(r for r in rules.values() if r["name"] == GIAY_KHEN)
    noms = [n for n in sc.s1["nominations"] if n["name"] == PERSON and n["award"] == gk["id"]]
    assert len(noms) == 1, noms
    n = noms[0]
    assert n["kind"] == "individual" and n["unit_code"] == "VP" and n["eligible"] is True
    assert n["award_name"] == GIAY_KHEN and n["reasons"]
    for n in sc.s1["nominations"]:
        assert n["award_name"] == rules[n["award"]]["name"]


def test_collective_nominations_cover_units(sc):
    gk = next(r["id"] for r in award_rules(sc.wd) if r["name"] == GIAY_KHEN)
    coll = {n["unit_code"]: n for n in sc.s1["nominations"] if n["kind"] == "collective" and n["award"] == gk}
    assert coll["VP"]["eligible"] is True  # Xuất sắc ≥ Tốt
    assert coll["QLCN"]["eligible"] is False and coll["QLCN"]["reasons"]  # nothing counted


# ------------------------------------------------------------------------------------------ moves
def test_files_moved_per_policy(sc):
    by_name = {k: v for k, v in sc.after1.items()}
    for name in JUNK_IGNORED:
        assert by_name.get(name) == sc.nov1_inputs[name], f"ignored {name} must stay in input/"
    for name in ("vp bao cao T11 (final).xlsx", "khtc.xlsx", "Copy of CDS (2).xlsx", "ttra.xlsx", "TTUD thang 11.xlsx"):
        assert by_name.get(f"processed/{PERIOD}/{name}") == sc.nov1_inputs[name], name
        assert name not in by_name
    for name in ("cctdc t11.xlsx", "qlkh.xlsx", "baocao.xlsx"):
        assert by_name.get(f"rejected/{PERIOD}/{name}") == sc.nov1_inputs[name], name
        assert name not in by_name
    assert f"processed/{PREV_PERIOD}/bcvt.xlsx" in by_name


def test_same_file_again_is_duplicate_with_numeric_suffix(sc):
    counted = [f for f in sc.s2["files"] if f["status"] != "ignored"]
    assert len(counted) == 1, counted
    assert {f["name"] for f in sc.s2["files"] if f["status"] == "ignored"} == set(JUNK_IGNORED)
    f = counted[0]
    assert f["status"] == "duplicate" and f["unit_code"] == "VP" and f["sha256"] == sha256(sc.vp_file)
    assert sc.vp_file.name not in sc.after2, "the duplicate must leave input/"
    copies = [k for k, v in sc.after2.items() if k.startswith(f"processed/{PERIOD}/") and v == f["sha256"]]
    assert len(copies) == 2, copies
    assert any(re.search(r"\d", Path(k).name.replace("T11", "")) for k in copies if Path(k).name != sc.vp_file.name)
    # the unit's state did not change
    assert [(u["code"], u["status"], u["result"], u["rank"]) for u in sc.s2["units"]] == \
        [(u["code"], u["status"], u["result"], u["rank"]) for u in sc.s1["units"]]


def test_store_records_every_file(sc):
    store = sc.wd / load_yaml(sc.wd, "settings.yaml")["paths"]["store"]
    assert store.is_file()
    con = sqlite3.connect(store)
    try:
        texts = set()
        for (tname,) in con.execute("select name from sqlite_master where type='table'"):
            for row in con.execute(f'select * from "{tname}"'):
                texts.update(str(v) for v in row if isinstance(v, str))
    finally:
        con.close()
    blob = "\n".join(texts)
    for s in (sc.oct_summary, sc.s1, sc.s2, sc.s3):
        for f in s["files"]:
            assert f["sha256"] in blob, f["name"]


# ------------------------------------------------------------------------------------------ workbooks
def test_tonghop_sheets_and_headers(sc):
    path = sc.snap1 / f"TongHop_{PERIOD}.xlsx"
    wb = openpyxl.load_workbook(path, read_only=True)
    names = wb.sheetnames
    wb.close()
    order = [n for n in names if n in ("Tổng hợp", "Chi tiết", "Cá nhân", "Lỗi", "Chưa nộp")]
    assert order == ["Tổng hợp", "Chi tiết", "Cá nhân", "Lỗi", "Chưa nộp"], names
    with zipfile.ZipFile(path) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist()), "a chart"
    headers, rows = table(sheet_rows(path, "Tổng hợp"), TONGHOP_HEADERS)
    assert headers[:7] == TONGHOP_HEADERS
    fields = load_yaml(sc.wd, "criteria.yaml")["fields"]
    assert len(headers) == 7 + len(fields)
    for h, f in zip(headers[7:], fields):
        assert f["name"] in h, (h, f["name"])
    by = {r["Mã đơn vị"]: r for r in rows}
    assert set(by) == set(sc.units)
    for u in sc.s1["units"]:
        r = by[u["code"]]
        assert r["Tên đơn vị"] == u["name"]
        assert r["Trạng thái"] == STATUS_TEXT[u["status"]]
        assert (r["Hạng"] in (None, "")) if u["rank"] is None else r["Hạng"] == u["rank"]
        if u["result"] is None:
            assert r["Kết quả"] in (None, "") and r["Tổng điểm"] in (None, "")
        else:
            assert d(r["Kết quả"]) == d(u["result"]) and d(r["Tổng điểm"]) == d(u["total"])
            assert r["Xếp loại"] == u["band"]
            # one column per field: the field's points
            crit_field = {c.id: c.field for c in sc.crits}
            for h, f in zip(headers[7:], fields):
                exp = sum((d(c["score"]) for c in u["criteria"] if crit_field.get(c["id"]) == str(f["id"]) and c["score"] is not None), Decimal(0))
                assert d(r[h]) == exp, (u["code"], h, r[h], exp)


def test_tonghop_error_sheet_lists_every_issue(sc):
    path = sc.snap1 / f"TongHop_{PERIOD}.xlsx"
    headers, rows = table(sheet_rows(path, "Lỗi"), LOI_HEADERS)
    assert headers[:7] == LOI_HEADERS
    got = sorted((r["Tệp"], r["Ô"] or None, r["Mã lỗi"], r["Mức độ"]) for r in rows)
    sev = {"error": "Lỗi", "warning": "Cảnh báo"}
    exp = sorted((f["name"], i["cell"], i["code"], sev[i["severity"]]) for f in sc.s1["files"] for i in f["issues"])
    assert got == exp


def test_tonghop_missing_sheet_names_missing_units(sc):
    rows = sheet_rows(sc.snap1 / f"TongHop_{PERIOD}.xlsx", "Chưa nộp")
    texts = {str(v) for r in rows for v in r if v is not None}
    assert "QLCN" in texts or sc.units["QLCN"]["name"] in texts


def test_unit_text_stays_text_in_every_output(sc):
    found = 0
    for path in list(sc.snap1.rglob("*.xlsx")):
        with zipfile.ZipFile(path) as z:
            for n in z.namelist():
                if n.startswith("xl/worksheets/") and n.endswith(".xml"):
                    xml = z.read(n).decode("utf-8")
                    formulas = re.findall(r"<f[^>]*>([^<]*)</f>", xml)
                    assert not any("HYPERLINK" in f for f in formulas), (path.name, n)
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if c.value == HYPERLINK:
                        assert c.data_type == "s", (path.name, ws.title, c.coordinate)
                        found += 1
    assert found >= 3, "the unit's text must come out as that exact text (TongHop, list, feedback)"


def test_nomination_workbook_sheets_and_provisional_title(sc):
    path = sc.snap1 / f"DeNghiKhenThuong_{PERIOD}.xlsx"
    wb = openpyxl.load_workbook(path)
    rules = award_rules(sc.wd)
    assert set(wb.sheetnames) == {r["sheet_name"] for r in rules} | {"Không đủ điều kiện"}
    agency = load_yaml(sc.wd, "units.yaml")["agency"]
    date_line = f"{agency['place']}, ngày .... tháng .... năm 2025"
    listed = []
    for r in rules:
        ws = wb[r["sheet_name"]]
        texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
        head = " ".join(texts[:12])
        assert "DỰ KIẾN" in head, (r["sheet_name"], head)
        assert date_line in texts, (r["sheet_name"], texts[:12])
        for must in (agency["parent"], agency["name"], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "I. Tập thể", "II. Cá nhân", agency["signer"]["name"]):
            assert must in texts, (r["sheet_name"], must)
        hr, col = find_header(ws, ["STT", "Họ và tên (tên tập thể)"], max_row=20)
        names = [ws.cell(i, col["Họ và tên (tên tập thể)"]).value for i in range(hr + 1, ws.max_row + 1)
                 if isinstance(ws.cell(i, col["STT"]).value, int)]
        listed += [(r["sheet_name"], n) for n in names]
        if r["name"] == GIAY_KHEN:
            assert PERSON in names
    # one reward form per candidate
    people = [n for _, n in listed]
    assert len(people) == len(set(people)), listed


def test_milestone_run_lists_stay_provisional_until_the_council_decides(sc):
    # DESIGN.md §6: the council's decision comes back in its workbook; until it is applied, a milestone's
    # lists are provisional too (test_council.py shows them final once it is)
    wb = openpyxl.load_workbook(sc.wd / "output" / "2025-12" / "DeNghiKhenThuong_2025-12.xlsx")
    for r in award_rules(sc.wd):
        ws = wb[r["sheet_name"]]
        head = " ".join(str(c.value) for row in ws.iter_rows(max_row=10) for c in row if c.value is not None)
        assert "DANH SÁCH" in head and "DỰ KIẾN" in head and "chờ Hội đồng Thi đua - Khen thưởng" in head, head
    assert {u["status"] for u in sc.s_dec["units"]} <= {"carried", "missing", "rejected"}


def test_feedback_for_units_that_sent_files(sc):
    got = {p.stem for p in (sc.snap1 / "PhanHoi").glob("*.xlsx")}
    sent = {f["unit_code"] for f in sc.s1["files"] if f["unit_code"]}
    assert got == sent == {"VP", "KHTC", "CDS", "TTRA", "TTUD", "CCTDC", "QLKH"}
    # later runs of the same period keep one per unit that sent a file this period; none for a quiet month
    assert {p.stem for p in (sc.snap3 / "PhanHoi").glob("*.xlsx")} == got
    assert not list((sc.wd / "output" / "2025-12").glob("PhanHoi/*.xlsx"))
    # the rejected unit's feedback names every cell to fix
    wb = openpyxl.load_workbook(sc.snap1 / "PhanHoi" / "CCTDC.xlsx", read_only=True)
    texts = {str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None}
    wb.close()
    t = sc.cells[("11", "CCTDC")]
    for cid in sc.bad_values:
        assert any(t.cell(cid) in x for x in texts), t.cell(cid)


# ------------------------------------------------------------------------------------------ appraisal
def test_appraisal_workbook_meta(sc):
    assert sc.appraisal_meta.get("kind") == "appraisal"


def test_appraised_scores_replace_self_scores(sc):
    vp = {c["id"]: c for c in unit(sc.s3, "VP")["criteria"]}
    assert vp["1.3"]["source"] == "appraised"
    assert d(vp["1.3"]["score"]) == Decimal("1.5") and d(vp["1.3"]["self_score"]) == Decimal(3)
    assert d(unit(sc.s3, "VP")["result"]) == Decimal("103.5")
    cct = {c["id"]: c for c in unit(sc.s3, "CCTDC")["criteria"]}
    assert cct["3.3"]["source"] == "appraised" and d(cct["3.3"]["score"]) == 4 and d(cct["3.3"]["self_score"]) == 2
    assert d(unit(sc.s3, "CCTDC")["result"]) == 100
    f = [x for x in sc.s3["files"] if x["status"] != "ignored"]
    assert [(x["name"], x["status"], x["issues"]) for x in f] == [("tham dinh thang 11.xlsx", "accepted", [])], f
    # both shown in the detail sheet
    rows = sheet_rows(sc.snap3 / f"TongHop_{PERIOD}.xlsx", "Chi tiết")
    assert any(3 in r and 1.5 in r for r in rows if "VP" in r), "self-score 3 and appraised 1.5 both shown for VP"


# ------------------------------------------------------------------------------------------ determinism
def test_same_inputs_give_byte_identical_outputs(sc, tmp_path):
    outs = []
    for name, jobs in (("a", "1"), ("b", "2")):
        wd = new_workdir(tmp_path, name, templates=False)
        for p in sorted((sc.src / "11").iterdir()):
            copy(p, wd / "input" / p.name)
        r = cli(wd, "run", "--period", PERIOD, "--jobs", jobs)
        assert r.rc == 1, r.text
        outs.append(_listing(wd / "output" / PERIOD))
    assert outs[0].keys() == outs[1].keys()
    assert any(k.startswith("PhanHoi/") for k in outs[0])
    diff = [k for k in outs[0] if outs[0][k] != outs[1][k]]
    assert not diff, diff


def test_cannot_tell_names_the_missing_years(sc):
    unknown = [n for n in sc.s1["nominations"] if n["name"] == PERSON and n["eligible"] is None]
    assert unknown, "with no history imported, a multi-year rule cannot tell"
    for n in unknown:
        assert any(re.search(r"20\d\d", r) for r in n["reasons"]), n["reasons"]


def test_tonghop_person_sheet_lists_the_person(sc):
    rows = sheet_rows(sc.snap1 / f"TongHop_{PERIOD}.xlsx", "Cá nhân")
    assert any(PERSON in r for r in rows)


def test_rerun_keeps_the_appraisal_workbook(tmp_path):
    wd = new_workdir(tmp_path)
    submit_full_and_run(wd)
    assert cli(wd, "appraisal", "--period", PERIOD).rc == 0
    appraisal = wd / "output" / PERIOD / f"ThamDinh_{PERIOD}.xlsx"
    assert appraisal.exists()
    assert cli(wd, "run", "--period", PERIOD).rc == 0  # e.g. a late unit's file arrived
    assert appraisal.exists()


def _list_sections(ws) -> tuple[list[str], list[tuple[str, str]]]:
    """Collectives and (person, unit text) rows of an official list, split at 'I. Tập thể' / 'II. Cá nhân'."""
    hr, col = find_header(ws, ["STT", "Họ và tên (tên tập thể)", "Chức vụ, đơn vị công tác"], max_row=20)
    section, coll, pers = None, [], []
    for r in range(hr + 1, ws.max_row + 1):
        first = ws.cell(r, 1).value
        if first == "I. Tập thể":
            section = coll
        elif first == "II. Cá nhân":
            section = pers
        elif isinstance(first, str) and first.startswith("Nơi nhận"):
            break
        elif isinstance(ws.cell(r, col["STT"]).value, int) and section is not None:
            name = ws.cell(r, col["Họ và tên (tên tập thể)"]).value
            section.append(name if section is coll else (name, str(ws.cell(r, col["Chức vụ, đơn vị công tác"]).value)))
    return coll, pers


def test_quotas_respected_in_lists(sc):
    for path in (sc.snap1 / f"DeNghiKhenThuong_{PERIOD}.xlsx", sc.wd / "output" / "2025-12" / "DeNghiKhenThuong_2025-12.xlsx"):
        wb = openpyxl.load_workbook(path)
        for rule in award_rules(sc.wd):
            coll, pers = _list_sections(wb[rule["sheet_name"]])
            cq = (rule.get("collective") or {}).get("quota") or {}
            iq = (rule.get("individual") or {}).get("quota") or {}
            if "max_total" in cq:
                assert len(coll) <= cq["max_total"], (path.name, rule["id"], coll)
            if "max_total" in iq:
                assert len(pers) <= iq["max_total"], (path.name, rule["id"], pers)
            assert len(coll) == len(set(coll))
