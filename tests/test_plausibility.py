"""Plausibility checks, one function each over the checked values as tables (hand-built rows here): figures
that parse and score but cannot be true are warned at their cell, the file counts, and the thresholds come
from ``criteria.yaml``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from support.corpus import Book, blank_sheets
from support.scoring import (
    FULL_INDICATORS,
    default_config,
    indicator_cell,
    write_config,
)

from ccht_batch.core.records import PersonEntry
from ccht_batch.forms import layout as L
from ccht_batch.intake import plausibility as P
from ccht_batch.tables import issues as T
from ccht_batch.tables.frames import column

CONFIG = default_config()
PERSON_COLUMNS = ("file", "row", "cell", "name", "birth_year", "valid", "initiative", "decision", "level")


def _tables(*files: tuple[str, dict[str, Any], list[dict[str, Any]]], year: int = 2025) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """files, indicators and persons tables as ``intake.values`` makes them, for (unit, indicators, persons)."""
    names = pd.DataFrame({"name": column([f"{u}_{year}.xlsx" for u, _, _ in files]), "unit_code": column([u for u, _, _ in files]),
                          "year": column([year] * len(files))})
    ind, per = [], []
    for f, (_, indicators, persons) in enumerate(files):
        for iid, value in {**FULL_INDICATORS, **indicators}.items():
            if isinstance(value, str):
                day, month, yr = (int(x) for x in value.split("/"))
                value = dt.date(yr, month, day)
            ind.append((f, iid, indicator_cell(CONFIG, iid), value))
        per += [(f, p.get("row", 5), p.get("cell", "B5"), p["name"], p.get("birth_year", 1980), p.get("valid", True), p.get("initiative", ""),
                 p.get("decision", ""), p.get("level")) for p in persons]
    indicators = pd.DataFrame({c: column([r[i] for r in ind]) for i, c in enumerate(("file", "key", "cell", "value"))})
    indicators["file"] = indicators["file"].astype("int64")
    people = pd.DataFrame({c: column([r[i] for r in per]) for i, c in enumerate(PERSON_COLUMNS)})
    if len(people):
        people["file"] = people["file"].astype("int64")
        people["valid"] = people["valid"].astype(bool)
    return names, indicators, people


def _codes(found: list[pd.DataFrame] | pd.DataFrame) -> list[tuple[str, str, str, str]]:
    frame = T.concat(found) if isinstance(found, list) else found
    return [(i.code, i.severity, i.sheet, i.cell) for i in T.to_records(frame)]


def _messages(found: list[pd.DataFrame]) -> list[str]:
    return [i.message for i in T.to_records(T.concat(found))]


def _dates(config=CONFIG, **indicators) -> list[pd.DataFrame]:
    files, ind, _ = _tables(("VP", indicators, []))
    return P.deadline_date_outside_year(files, ind, config)


def test_a_plausible_submission_gets_no_warning():
    assert P.file_checks(*_tables(("VP", {}, [])), CONFIG).empty


def test_a_deadline_date_outside_the_templates_year_is_warned_at_its_cell():
    found = _dates(KH_NGAY="10/01/2019")
    assert _codes(found) == [("date-implausible", "warning", "Số liệu", indicator_cell(CONFIG, "KH_NGAY"))]
    assert "Ngày 10/01/2019 nằm ngoài khoảng hợp lý của năm 2025 (từ 01/10/2024 đến 31/12/2025)" in _messages(found)[0]
    assert "tiêu chí 1.1" in _messages(found)[0]
    assert _dates(KH_NGAY="20/12/2024") == []  # a plan issued in the last quarter
    assert _dates(KH_NGAY="02/01/2026")  # after the year
    assert _dates(KH_NGAY=None) == []


def test_each_file_is_judged_against_its_own_year():
    files, ind, _ = _tables(("VP", {"KH_NGAY": "10/01/2019"}, []), ("TTRA", {"KH_NGAY": "15/01/2025"}, []), ("CDS", {"KH_NGAY": "01/02/2025"}, []))
    found = T.concat(P.deadline_date_outside_year(files, ind, CONFIG))
    assert found["file"].tolist() == ["VP_2025.xlsx"] and found["unit_code"].tolist() == ["VP"] and found["at_file"].tolist() == [0]


def test_the_date_window_is_configured(tmp_path):
    strict = write_config(tmp_path, lambda data: data["plausibility"].update(date_months_before=0))
    assert _dates(strict, KH_NGAY="20/12/2024")
    assert P.date_window(2025, 0) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert P.date_window(2025, 14) == (dt.date(2023, 11, 1), dt.date(2025, 12, 31))


def _ratio(**indicators) -> list[pd.DataFrame]:
    files, ind, _ = _tables(("VP", indicators, []))
    return P.numerator_above_denominator(files, ind, CONFIG)


def test_a_numerator_above_its_denominator_is_warned_at_the_numerator():
    found = _ratio(KH_NV_GIAO=10, KH_NV_XONG=15)
    assert _codes(found) == [("ratio-above-total", "warning", "Số liệu", indicator_cell(CONFIG, "KH_NV_XONG"))]
    message = _messages(found)[0]
    assert "(15) lớn hơn" in message and "(10)" in message and "tiêu chí 1.2" in message
    assert _ratio(KH_NV_GIAO=10, KH_NV_XONG=10) == []
    assert _ratio(KH_NV_GIAO=None, KH_NV_XONG=3) == []  # an empty denominator: nothing to compare
    assert _ratio(KH_NV_GIAO=0, KH_NV_XONG=1)  # a zero denominator: one done out of none assigned


def _person(row: int, name: str, decision: str, **more: Any) -> dict[str, Any]:
    return {"row": row, "cell": f"B{row}", "name": name, "birth_year": 1980, "initiative": "Sáng kiến", "decision": decision, "level": "co-so", **more}


def _initiatives(persons: list[dict[str, Any]], config=CONFIG, count: Any = 2) -> list[pd.DataFrame]:
    files, ind, people = _tables(("VP", {"SK_CONGNHAN": count}, persons))
    return P.initiatives_above_decisions(files, ind, people, config)


def test_initiatives_counted_above_the_distinct_decisions_are_warned_at_the_count():
    twice = [_person(5, "A", "Quyết định số 12/QĐ-SKHCN"), _person(6, "B", "quyết định  số 12/QĐ-SKHCN")]
    found = _initiatives(twice)
    assert _codes(found) == [("initiatives-above-decisions", "warning", "Số liệu", indicator_cell(CONFIG, "SK_CONGNHAN"))]
    assert "Khai 2 sáng kiến được công nhận, nhưng trang Cá nhân chỉ ghi 1 quyết định công nhận khác nhau: Quyết định số 12/QĐ-SKHCN;" in _messages(found)[0]
    two = [_person(5, "A", "Quyết định số 12/QĐ-SKHCN"), _person(6, "B", "Quyết định số 13/QĐ-SKHCN")]
    assert _initiatives(two) == []
    # no decision cited at all: `Cá nhân` lists persons proposed for an award, not every author
    assert _initiatives([]) == []
    # a row left out of nominations does not vouch for a decision, nor one without a level
    assert _initiatives([_person(5, "A", "Quyết định số 12/QĐ-SKHCN"), _person(6, "B", "Quyết định số 13/QĐ-SKHCN", valid=False)])
    assert _initiatives([_person(5, "A", "Quyết định số 12/QĐ-SKHCN"), _person(6, "B", "Quyết định số 13/QĐ-SKHCN", level=None)])
    assert _initiatives(twice, count=None) == [] and _initiatives(twice, count=0) == []


def test_the_initiative_check_can_be_switched_off(tmp_path):
    off = write_config(tmp_path, lambda data: data["plausibility"].update(initiative_indicator=""))
    assert _initiatives([_person(5, "A", "QĐ 12"), _person(6, "B", "QĐ 12")], off) == []


def test_the_same_person_in_two_units_is_warned_in_each():
    from support.scoring import submission

    def sub(unit: str, persons: list[PersonEntry]):
        s = submission(CONFIG, unit)
        s.persons = persons
        return s

    a = sub("VP", [PersonEntry(row=5, cell="B5", name="Trần Văn Bình", birth_year=1984)])
    b = sub("TTRA", [PersonEntry(row=9, cell="B9", name="trần  văn bình", birth_year=1984), PersonEntry(row=10, cell="B10", name="Lê Cúc", birth_year=1990)])
    c = sub("QLKH", [PersonEntry(row=5, cell="B5", name="Trần Văn Bình", birth_year=1985), PersonEntry(row=6, cell="B6", name="Lê Cúc")])
    found = P.same_person_in_units({"VP": a, "TTRA": b, "QLKH": c})
    assert {code: [(i.code, i.severity, i.sheet, i.cell) for i in issues] for code, issues in found.items()} == {
        "VP": [("person-in-two-units", "warning", "Cá nhân", "B5")],
        "TTRA": [("person-in-two-units", "warning", "Cá nhân", "B9")],
    }
    assert "đơn vị TTRA" in found["VP"][0].message and found["VP"][0].file == "VP_2025.xlsx"
    assert "(năm sinh 1984)" in found["TTRA"][0].message and "đơn vị VP" in found["TTRA"][0].message


def test_the_checks_run_on_a_read_workbook_and_keep_their_place_after_its_sheets(tmp_path):
    """Through the whole check of one workbook: the warnings come after every sheet's own issues."""
    book = Book(blank_sheets(tmp_path))
    rows = book.sheets[L.SHEET_INDICATORS].rows
    row = {str(line[0]): r + 1 for r, line in enumerate(rows)}
    book.set(L.SHEET_INDICATORS, f"D{row['KH_NV_GIAO']}", 10).set(L.SHEET_INDICATORS, f"D{row['KH_NV_XONG']}", 15).score("3.1", "abc")
    out = book.run()
    assert [(i.code, i.cell) for i in out.issues] == [("score-not-a-number", f"D{book.row_of('3.1')}"), ("ratio-above-total", f"D{row['KH_NV_XONG']}")]
