"""The table stages on rows written by hand: the value checks over entries of several files at once, each
scoring method over the rows of several units at once, ranks with ties, the catalogue's messages for whole
columns, and the helpers every stage shares (a boolean cell is not the number 1)."""

from __future__ import annotations

import string
import unicodedata
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from support.scoring import D, default_config, full_submission

from ccht_batch.core import issues
from ccht_batch.core.records import (
    ACCEPTED,
    REJECTED,
    SRC_APPRAISED,
    SRC_COMPUTED,
    SRC_NOT_APPLICABLE,
    AppraisedScore,
    FileRecord,
    RawValues,
)
from ccht_batch.forms import layout as L
from ccht_batch.intake import values
from ccht_batch.intake.validate import PERSON_INPUTS
from ccht_batch.scoring.rank import rank_keys, rank_units, ranks
from ccht_batch.scoring.score import Scored, score_unit, score_units
from ccht_batch.tables import issues as T
from ccht_batch.tables.frames import cell_names, map_distinct, map_pairs

CONFIG = default_config()
PERIOD = "2025-11"
NFD = lambda text: unicodedata.normalize("NFD", text)  # noqa: E731  (as a Mac or a pasted text may give it)


# ---------------------------------------------------------------------------------------------------
# Helpers shared by every stage


def test_a_boolean_cell_is_not_the_number_1_and_none_is_not_nan():
    seen: list = []

    def kind(v):
        seen.append(v)
        return type(v).__name__

    got = map_distinct([True, 1, 1.0, None, float("nan"), "1", True, 0, False, None], kind, cells=True)
    assert got.tolist() == ["bool", "int", "int", "NoneType", "float", "str", "bool", "int", "bool", "NoneType"]
    assert len(seen) == 7  # once per distinct value (1 and 1.0 are one number)
    assert map_pairs(["a", "a", "b"], [1, 1, 1], lambda k, v: f"{k}{v}").tolist() == ["a1", "a1", "b1"]


def test_cell_names_for_whole_columns():
    assert cell_names(np.array([0, 13, 4, 13]), np.array([3, 3, 27, 3])).tolist() == ["D1", "D14", "AB5", "D14"]


@pytest.mark.parametrize("code", sorted(issues.CATALOGUE))
def test_the_catalogues_messages_are_filled_for_whole_columns_as_one_by_one(code):
    names = [name for _, name, _, _ in string.Formatter().parse(issues.CATALOGUE[code][1]) if name and name != "value"]
    params = [{name: f"{name}-{n}" for name in names[: len(names) - n % 2]} for n in range(3)]  # a placeholder left unfilled too
    one_by_one = [issues.make(code, file="a.xlsx", sheet="S", cell=f"D{n}", value=[None, 7, "x"][n], unit_code="VP", **p) for n, p in enumerate(params)]
    columns = {name: [p.get(name, "…") for p in params] for name in names}
    table = T.to_records(T.issue_rows(code, 3, file="a.xlsx", sheet="S", cell=["D0", "D1", "D2"], value=[None, 7, "x"], unit_code="VP", **columns))
    assert table == one_by_one


# ---------------------------------------------------------------------------------------------------
# Value checks over entries of several files at once


def _book(name: str, unit: str, scores: dict, indicators: dict | None = None, persons: list[dict] | None = None) -> FileRecord:
    """A template's raw values as a reading child hands them over: each scored row on its sheet row, score
    (D), evidence (E) and note (F); ``scores`` values are (raw, formula) or a raw value."""
    raw = RawValues(kind=L.KIND_TEMPLATE)
    for i, c in enumerate(CONFIG.criteria.scored_rows):
        r = 5 + i
        cells = scores.get(c.id, {})
        cells = cells if isinstance(cells, dict) else {0: cells}
        for part, col in enumerate((3, 4, 5)):
            value = cells.get(part, "")
            value = value if isinstance(value, tuple) else (value, None)
            raw.add(RawValues.SCORES, part, c.id, r, col, value[0], value[1])
    raw.ends.append(0)
    for i, ind in enumerate(CONFIG.criteria.indicators):
        raw.add(RawValues.INDICATORS, 0, ind.id, 4 + i, 3, (indicators or {}).get(ind.id, ""))
    raw.ends.append(0)
    for k, person in enumerate(persons or []):
        for part, title in enumerate(PERSON_INPUTS):
            raw.add(RawValues.PERSONS, part, "", 4 + k, 1 + part, person.get(title, ""))
    raw.ends.append(0)
    return FileRecord(name=name, sha256=name * 8, size=1, mtime=0.0, status=ACCEPTED, kind=L.KIND_TEMPLATE, unit_code=unit, year=2025, raw=raw)


def _row(cid: str) -> int:
    return 6 + [c.id for c in CONFIG.criteria.scored_rows].index(cid)


def _found(rec: FileRecord) -> list[tuple[str, str | None, str | None]]:
    return [(i.code, i.cell, i.value) for i in rec.issues]


@pytest.fixture(scope="module")
def checked():
    a = _book(
        "a.xlsx", "VP",
        {
            "1.1": "2,5",  # decimal comma
            "1.2": "8.500",  # eight and a half, or eight thousand five hundred: refused
            "1.3": NFD("Có"),  # a choice typed in NFD
            "1.4": "１",  # a fullwidth digit
            "2.1": ("", "#REF!"),  # an error value
            "2.2": (4.0, "=SUM(A1:A3)"),  # a formula in a number cell
            "3.1": "2,1",  # off the 0.25 step
            "3.2": 9,  # above its maximum of 8 (VP handles dossiers)
            "3.3": "tốt",  # a scale option, case folded
            "3.4": "Maybe",  # not an option
            "3.5": {0: "Đạt", 1: ("", "=A1")},  # evidence from a formula without a cached value
            "T1": True,  # a boolean cell: not the number 1
            "T2": 1,  # the number 1
        },
        {"KH_NGAY": "15/01/2025", "KH_NV_GIAO": "abc", "KH_NV_XONG": "٣"},
        [
            {L.P_NAME: NFD("Nguyễn Văn An"), L.P_BIRTH: 1980, L.P_GENDER: "Nam", L.P_RATING: "Hoàn thành tốt nhiệm vụ"},
            {L.P_NAME: "nguyễn  văn an", L.P_BIRTH: "1980", L.P_GENDER: "Nam"},
        ],
    )
    b = _book("b.xlsx", "TTRA", {"1.1": "2,5", "3.2": "5", "3.8": "không  áp dụng", "T1": 1.0}, {"KH_NGAY": "15/01/2025"})
    records = values.validate_values([a, b], CONFIG, PERIOD, keep_rejected=True)
    return {r.name: r for r in records}


def test_each_files_issues_at_their_cells_in_sheet_order(checked):
    a = checked["a.xlsx"]
    assert _found(a) == [
        ("score-ambiguous-number", f"D{_row('1.2')}", "8.500"),
        ("number-look-alike", f"D{_row('1.4')}", "１"),
        ("error-value", f"D{_row('2.1')}", "#REF!"),
        ("formula-in-number-cell", f"D{_row('2.2')}", "=SUM(A1:A3)"),
        ("score-off-step", f"D{_row('3.1')}", "2,1"),
        ("score-out-of-range", f"D{_row('3.2')}", "9"),
        ("score-not-a-choice", f"D{_row('3.4')}", "Maybe"),
        ("formula-in-text-cell", f"E{_row('3.5')}", "=A1"),
        ("score-not-a-number", f"D{_row('T1')}", "TRUE"),
        ("indicator-wrong-type", "D6", "abc"),
        ("number-look-alike", "D7", "٣"),
        ("person-rating-missing", "F6", "nguyễn văn an"),
        ("person-duplicate", "B6", "nguyễn văn an"),
    ]
    assert a.status == REJECTED and {i.file for i in a.issues} == {"a.xlsx"} and {i.unit_code for i in a.issues} == {"VP"}
    assert "ví dụ 2" in a.issues[4].message and "dòng 5" in a.issues[-1].message
    b = checked["b.xlsx"]
    assert _found(b) == [("score-not-applicable", f"D{_row('3.2')}", "5")] and b.status == ACCEPTED


def test_typed_values_of_each_file(checked):
    a, b = checked["a.xlsx"].submission, checked["b.xlsx"].submission
    assert (a.scores["1.1"].value, a.scores["1.1"].text) == (Decimal("2.5"), "2,5") and isinstance(a.scores["1.1"].value, Decimal)
    assert (a.scores["1.3"].value, a.scores["1.3"].text) == (Decimal(3), "Có")
    assert (a.scores["3.3"].value, a.scores["3.3"].text) == (Decimal(4), "Tốt")
    assert a.scores["1.2"].value is None and a.scores["2.1"].value is None and a.scores["3.5"].evidence == ""
    assert a.scores["T1"].value is None and a.scores["T2"].value == Decimal(1)
    assert str(a.indicators["KH_NGAY"].value) == "2025-01-15" and a.indicators["KH_NV_GIAO"].value is None
    assert [(p.name, p.birth_year, p.valid) for p in a.persons] == [("Nguyễn Văn An", 1980, True), ("nguyễn văn an", 1980, False)]
    assert unicodedata.is_normalized("NFC", a.persons[0].name)
    assert b.scores["3.2"].value is None and b.scores["3.8"].value is None and b.scores["T1"].value == Decimal(1)
    assert b.scores["1.1"].value == Decimal("2.5") and b.persons == []


# ---------------------------------------------------------------------------------------------------
# Scoring, every method over several units at once


@pytest.fixture(scope="module")
def scored():
    counted = [
        # VP handles dossiers: 15/20 assigned tasks done, no shortcoming found (full), no dossier (not applicable),
        # no outgoing document (zero); an empty plan date; one evidence missing
        (CONFIG.unit("VP"), full_submission(CONFIG, "VP", indicators={
            "KH_NV_GIAO": 20, "KH_NV_XONG": 15, "KT_TONTAI": 0, "KT_KHACPHUC": None, "HS_TIEPNHAN": 0, "HS_DUNGHAN": 0,
            "VBDI_TONG": 0, "VBDI_KYSO": 0, "KH_NGAY": None, "TT_HINHTHUC": 2}, evidence={"2.2": ""}), None),
        # TTRA: 3.2 does not apply; 19/20 is exactly 95 %; plan after its due date
        (CONFIG.unit("TTRA"), full_submission(CONFIG, "TTRA", indicators={"KH_NV_GIAO": 20, "KH_NV_XONG": 19, "KH_NGAY": "02/02/2025"}), None),
        # QLKH: the Office appraised 1.2 and 3.2
        (CONFIG.unit("QLKH"), full_submission(CONFIG, "QLKH", indicators={"KH_NV_GIAO": 10, "KH_NV_XONG": 1}),
         {"1.2": AppraisedScore("QLKH", "1.2", D(5), "đã xem hồ sơ"), "3.2": AppraisedScore("QLKH", "3.2", D(7))}),
    ]
    return counted, score_units(CONFIG, counted)


def _rows(s: Scored, code: str) -> dict[str, tuple]:
    r = s.rows[s.rows["unit_code"] == code]
    return {i: (sc, src, why) for i, sc, src, why in zip(r["id"], r["score"], r["source"], r["why"])}


def test_each_method_over_the_rows_that_use_it(scored):
    _, s = scored
    vp, ttra, qlkh = _rows(s, "VP"), _rows(s, "TTRA"), _rows(s, "QLKH")
    assert vp["1.2"] == (D(2), SRC_COMPUTED, "Tỷ lệ 15/20 = 75% ≥ 70% → 2 điểm (tự chấm 6)")
    assert vp["1.4"] == (D(3), SRC_COMPUTED, "Mẫu số KT_TONTAI = 0 → đủ điểm: 3 điểm")
    assert vp["3.2"] == (D(0), SRC_NOT_APPLICABLE, "Mẫu số HS_TIEPNHAN = 0 → không áp dụng, không tính vào điểm tối đa")
    assert vp["3.7"] == (D(0), SRC_COMPUTED, "Mẫu số VBDI_TONG = 0 → 0 điểm (tự chấm 6)")
    assert vp["1.1"] == (D(0), SRC_COMPUTED, "Chưa có ngày (hạn 31/01/2025) → 0 điểm (tự chấm 3)")
    assert vp["2.1"] == (D(3), SRC_COMPUTED, "Số lượng 2 ≥ 2 → 3 điểm (tự chấm 6)")
    assert vp["2.2"] == (D(0), SRC_COMPUTED, "Số lượng 12 ≥ 12 → 4 điểm; thiếu tài liệu kiểm chứng → 0 điểm")
    assert ttra["1.2"] == (D(4), SRC_COMPUTED, "Tỷ lệ 19/20 = 95% ≥ 90% → 4 điểm (tự chấm 6)")  # exactly on the threshold
    assert ttra["3.2"] == (D(0), SRC_NOT_APPLICABLE, "Không áp dụng cho đơn vị")
    assert ttra["1.1"] == (D("1.5"), SRC_COMPUTED, "Ngày 02/02/2025, sau hạn 31/01/2025 → 1,5 điểm (tự chấm 3)")
    assert qlkh["1.2"] == (D(5), SRC_APPRAISED, "Thẩm định: 5 điểm (tự chấm 6; tính từ số liệu 0). đã xem hồ sơ")
    assert qlkh["3.2"][:2] == (D(7), SRC_APPRAISED)


def test_totals_by_unit_exact(scored):
    _, s = scored
    t = s.totals.set_index("unit_code")
    # VP: 100 points, 3.2 (8) leaves the maximum: 92 applicable; lost 4 (1.2) + 3 (1.1) + 6 (3.7) + 3 (2.1) + 4 (2.2)
    assert (t.at["VP", "criteria_sum"], t.at["VP", "applicable_max"]) == (D(72), D(92))
    assert t.at["VP", "result"] == D("78.26") and str(t.at["VP", "result"]) == "78.26"  # 72 / 92 × 100, half up
    # TTRA: 87 applicable, lost 2 (1.2) and 1.5 (1.1)
    assert (t.at["TTRA", "criteria_sum"], t.at["TTRA", "applicable_max"], t.at["TTRA", "result"]) == (D("83.5"), D(87), D("95.98"))
    assert all(isinstance(v, Decimal) for v in t["total"]) and t.at["TTRA", "band"] == "Xuất sắc"
    f = s.fields.set_index(["unit_code", "field_id"])
    assert (f.at[("VP", "3"), "score"], f.at[("VP", "3"), "max"]) == (D(31), D(37))


def test_scoring_units_together_is_scoring_each_alone(scored):
    counted, s = scored
    together = s.unit_scores()
    for unit, sub, appraised in counted:
        alone = score_unit(CONFIG, unit, sub, appraised)
        assert together[unit.code] == alone


# ---------------------------------------------------------------------------------------------------
# Ranks


def test_competition_ranks_over_the_result_and_the_tie_breaks():
    keys = pd.DataFrame(
        {"result": [D("90"), D("90.00"), D("95.5"), D("90"), D("80")], "share": [D(1), D(1), D(0), D("0.5"), D(1)]},
        index=["A", "B", "C", "D", "E"],
    ).astype(object)
    assert ranks(keys[["result"]]).to_dict() == {"A": 2, "B": 2, "C": 1, "D": 2, "E": 5}
    assert ranks(keys).to_dict() == {"A": 2, "B": 2, "C": 1, "D": 4, "E": 5}


def test_tie_break_shares_are_exact_fractions():
    from ccht_batch.core.records import UnitScore

    def unit(code, got, out_of):
        return UnitScore(code, [], {"3": (D(got), D(out_of)), "5": (D(0), D(0))}, D(90), D(100), D(0), D(0), D(0), D(90), D(90), "")

    scores = {"VP": unit("VP", 2, 3), "TTRA": unit("TTRA", 4, 6), "KHTC": unit("KHTC", "0.67", 1)}
    keys = rank_keys(CONFIG, Scored.from_records(scores))
    assert keys.at["VP", "tie_break_0"] == keys.at["TTRA", "tie_break_0"] != keys.at["KHTC", "tie_break_0"]
    assert rank_units(CONFIG, scores) == {"KHTC": 1, "TTRA": 2, "VP": 2}  # 0.67 > 2/3; 2/3 = 4/6; field 5: nothing applies
