"""The analyst's API (``ccht_batch.open_workdir``): on the demo, each frame equals what the run wrote —
``summary.json``, the consolidated workbook's `Lỗi`, the store's yearly records."""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from support.cli import run_in as run

import ccht_batch as cb

PERIOD = "2025-11"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("api")
    code, _, err = run(root, "demo", str(root / "demo"))
    assert code == 0, err
    return root / "demo"


def _summary(demo: Path, period: str = PERIOD) -> dict:
    return json.loads((demo / "output" / period / "summary.json").read_text(encoding="utf-8"))


def _plain(value):
    """A cell as JSON would hold it: NaN and pandas' NA as None, whole floats compared as numbers."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    return value


def _rows(frame: pd.DataFrame) -> list[list]:
    return [[_plain(v) for v in row] for row in frame.itertuples(index=False, name=None)]


def test_units_equal_summary_json(demo):
    wd = cb.open_workdir(demo)
    for period in ("2025-10", PERIOD):
        units = wd.units(period)
        assert list(units.columns) == ["code", "name", "status", "total", "result", "rank", "rank_change", "band"]
        expected = [[u[c] for c in units.columns] for u in _summary(demo, period)["units"]]
        assert _rows(units) == expected
    units = wd.units(PERIOD)
    assert units["result"].dtype == "float64" and str(units["rank"].dtype) == "Int64"
    vp = units.set_index("code").loc["VP"]
    assert vp["rank"] == 1 and vp["status"] == "submitted" and pd.isna(units.set_index("code").loc["TTUD", "result"])
    # a mistyped period is an error that says how to write one, not an empty table
    for method in (wd.units, wd.scores, wd.issues, wd.nominations):
        with pytest.raises(ValueError, match="cần dạng YYYY-MM"):
            method("2025-13")


def test_scores_equal_summary_jsons_criteria(demo):
    scores = cb.open_workdir(demo).scores(PERIOD)
    assert list(scores.columns) == ["unit_code", "criterion_id", "max", "self_score", "score", "source"]
    expected = [[u["code"], c["id"], c["max"], c["self_score"], c["score"], c["source"]] for u in _summary(demo)["units"] for c in u["criteria"]]
    assert _rows(scores) == expected
    # a row that does not apply has no score; an appraised or computed one is the one that counts
    ttra = scores[(scores["unit_code"] == "TTRA") & (scores["criterion_id"] == "3.2")].iloc[0]
    assert ttra["source"] == "not-applicable" and pd.isna(ttra["score"])


def test_issues_equal_the_lists_of_loi_and_summary_json(demo):
    issues = cb.open_workdir(demo).issues(PERIOD)
    assert list(issues.columns) == ["file", "unit_code", "sheet", "cell", "severity", "code", "value", "message"]
    ws = openpyxl.load_workbook(demo / "output" / PERIOD / f"TongHop_{PERIOD}.xlsx", read_only=True)["Lỗi"]
    sheet = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    shown = {"error": "Lỗi", "warning": "Cảnh báo"}
    ours = [[r[0], r[1], r[2], r[3], shown[r[4]], r[5], r[7]] for r in _rows(issues)]
    assert ours == sheet and len(ours) > 10
    # this run's files: every issue summary.json gives them, in their order, is in the table
    for f in _summary(demo)["files"]:
        mine = [[r[4], r[5], r[2], r[3], r[6], r[7]] for r in _rows(issues[issues["file"] == f["name"]])]
        assert mine == [[i["severity"], i["code"], i["sheet"], i["cell"], i["value"], i["message"]] for i in f["issues"]], f["name"]
    assert {"self-score-differs", "evidence-missing", "score-ambiguous-number"} <= set(issues["code"])  # the scorer's warnings too


def test_nominations_equal_summary_json(demo):
    noms = cb.open_workdir(demo).nominations(PERIOD)
    assert list(noms.columns) == ["award", "kind", "name", "unit_code", "eligible", "selected", "reasons"]
    expected = [[n[c] for c in noms.columns] for n in _summary(demo)["nominations"]]
    assert _rows(noms) == expected and any(n["selected"] is None for n in _summary(demo)["nominations"])  # the tie, for the council


def test_history_reads_the_stores_yearly_records(demo):
    wd = cb.open_workdir(demo)
    with sqlite3.connect(demo / "data" / "ccht-batch.sqlite") as conn:
        stored = conn.execute("SELECT unit_code, year, result, band, rank FROM unit_years WHERE current = 1 ORDER BY unit_code, year").fetchall()
        awards = conn.execute("SELECT unit_code, year, award FROM awards_received WHERE subject_kind = 'collective'").fetchall()
        person = conn.execute("SELECT p.name FROM person_years py JOIN persons p ON p.id = py.person_id WHERE py.current = 1 LIMIT 1").fetchone()[0]
    years = wd.history()
    assert [(r[0], r[1], r[3], r[4], r[5]) for r in _rows(years[["unit_code", "year", "total", "result", "band", "rank"]])] == [
        (u, y, float(res) if res is not None else None, b, k) for u, y, res, b, k in stored
    ]
    for unit, year, award in awards:
        assert award in years[(years["unit_code"] == unit) & (years["year"] == year)]["awards"].iloc[0]
    vp = wd.history(unit="VP")
    assert set(vp["unit_code"]) == {"VP"} and list(vp["year"]) == sorted(vp["year"])
    theirs = wd.history(person=person)
    assert len(theirs) and set(theirs["name"]) == {person} and list(theirs.columns)[:4] == ["name", "birth_year", "year", "unit_code"]


def test_a_pivot_of_results_by_month_as_in_the_readme(demo):
    wd = cb.open_workdir(demo)
    months = pd.concat([wd.units(p).assign(period=p) for p in wd.periods()])
    table = months.pivot(index="code", columns="period", values="result")
    assert list(table.columns) == ["2025-10", PERIOD]
    assert table.loc["VP", PERIOD] == next(u["result"] for u in _summary(demo)["units"] if u["code"] == "VP")
