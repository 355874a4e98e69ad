"""Contract tests of scoring, tie-breaks and refused proposals (DESIGN.md §6, §8) with an edited configuration.

The maintainer changes YAML, not code: here the bonus cap is lowered to 4, templates are regenerated, and the
run must follow the new cap; equal results are separated by the configured tie-breaks.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from support.contract import (
    PERIOD,
    Template,
    applicable,
    cli,
    criteria,
    d,
    fill_full,
    find_header,
    load_yaml,
    new_workdir,
    summary,
    units,
)

REFUSED = "Ngô Văn Hùng"
BK_UBND = "Bằng khen của Chủ tịch UBND tỉnh"


@pytest.fixture(scope="module")
def s(tmp_path_factory):
    wd = new_workdir(tmp_path_factory.mktemp("contract_scoring"), templates=False)
    cfg = wd / "config" / "criteria.yaml"
    text = cfg.read_text(encoding="utf-8")
    assert "cap: 5" in text
    cfg.write_text(text.replace("cap: 5", "cap: 4"), encoding="utf-8")
    assert cli(wd, "check").rc == 0
    assert cli(wd, "templates", "--year", "2025").rc == 0
    crits = criteria(wd)
    us = {u["code"]: u for u in units(wd)}

    def tpl(code):
        return Template(wd / "output" / "templates" / f"{code}_2025.xlsx")

    # TTRA and KHTC: equal results (82 of 87), TTRA loses its 5 points in field 3, KHTC in field 4.
    t = tpl("TTRA")
    fill_full(t, crits, applicable(crits, us["TTRA"]), choice_override={"3.6": "Không"})
    t.save(wd / "input" / "a.xlsx")
    t = tpl("KHTC")
    fill_full(t, crits, applicable(crits, us["KHTC"]), self_override={"4.1": 0})
    t.indicator("DX_VANBAN", 0)
    t.person(**{"Họ và tên": REFUSED, "Năm sinh": 1979, "Giới tính": "Nam", "Chức vụ": "Phó trưởng phòng",
                "Xếp loại": "Hoàn thành tốt nhiệm vụ", "Hình thức đề nghị": BK_UBND})
    t.save(wd / "input" / "b.xlsx")
    # VP: full marks and 3 + 2 bonus points, capped at 4
    t = tpl("VP")
    fill_full(t, crits, applicable(crits, us["VP"]))
    t.score("T1", 3, evidence="QĐ 1/QĐ-UBND")
    t.score("T2", 2, evidence="CV 2/UBND")
    t.save(wd / "input" / "c.xlsx")
    ns = SimpleNamespace(wd=wd, run=cli(wd, "run", "--period", PERIOD))
    ns.sum = summary(wd)
    ns.units = {u["code"]: u for u in ns.sum["units"]}
    return ns


def test_run_ok(s):
    assert s.run.rc == 0, s.run.text


def test_bonus_cap_from_config(s):
    vp = s.units["VP"]
    assert d(vp["result"]) == Decimal(104) and d(vp["total"]) == Decimal(104)


def test_tie_break_separates_equal_results(s):
    ttra, khtc = s.units["TTRA"], s.units["KHTC"]
    assert d(ttra["result"]) == d(khtc["result"]) == Decimal("94.25")
    # tie_breaks ["3", "5"]: the higher share of field 3 ranks first
    assert load_yaml(s.wd, "criteria.yaml")["ranking"]["tie_breaks"][0] == "3"
    assert (khtc["rank"], ttra["rank"]) == (2, 3)


def test_refused_proposal_listed_with_reason(s):
    noms = [n for n in s.sum["nominations"] if n["name"] == REFUSED and n["award_name"] == BK_UBND]
    assert len(noms) == 1 and noms[0]["eligible"] is not True and noms[0]["reasons"]
    wb = openpyxl.load_workbook(s.wd / "output" / PERIOD / f"DeNghiKhenThuong_{PERIOD}.xlsx")
    ws = wb["Không đủ điều kiện"]
    hr, _ = find_header(ws, ["STT", "Họ và tên (tên tập thể)"], max_row=20)
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=hr + 1)]
    mine = [r for r in rows if REFUSED in r]
    assert mine, rows
    assert any(isinstance(v, str) and len(v) > 20 and v != REFUSED for v in mine[0]), "a reason is given"
    for rule in load_yaml(s.wd, "criteria.yaml")["awards"]["rules"]:
        texts = {c.value for r in wb[rule["sheet_name"]].iter_rows() for c in r}
        assert REFUSED not in texts, rule["sheet_name"]
