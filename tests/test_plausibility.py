"""Plausibility checks, one pure function each: figures that parse and score but cannot be true are warned at
their cell, the file counts, and the thresholds come from ``criteria.yaml``."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from support.scoring import (
    FULL_INDICATORS,
    default_config,
    indicator_cell,
    submission,
    write_config,
)

from ccht_batch.core.records import PersonEntry
from ccht_batch.intake import plausibility as P

CONFIG = default_config()


def _sub(unit: str = "VP", persons: list[PersonEntry] | None = None, **indicators):
    sub = submission(CONFIG, unit, indicators={**FULL_INDICATORS, **indicators})
    return replace(sub, persons=persons or [])


def _codes(found) -> list[tuple[str, str, str, str]]:
    return [(i.code, i.severity, i.sheet, i.cell) for i in found]


def test_a_plausible_submission_gets_no_warning():
    assert P.file_checks(_sub(), CONFIG) == []


def test_a_deadline_date_outside_the_templates_year_is_warned_at_its_cell():
    found = P.deadline_date_outside_year(_sub(KH_NGAY="10/01/2019"), CONFIG)
    assert _codes(found) == [("date-implausible", "warning", "Số liệu", indicator_cell(CONFIG, "KH_NGAY"))]
    assert "Ngày 10/01/2019 nằm ngoài khoảng hợp lý của năm 2025 (từ 01/10/2024 đến 31/12/2025)" in found[0].message
    assert "tiêu chí 1.1" in found[0].message
    assert P.deadline_date_outside_year(_sub(KH_NGAY="20/12/2024"), CONFIG) == []  # a plan issued in the last quarter
    assert P.deadline_date_outside_year(_sub(KH_NGAY="02/01/2026"), CONFIG)  # after the year


def test_the_date_window_is_configured(tmp_path):
    strict = write_config(tmp_path, lambda data: data["plausibility"].update(date_months_before=0))
    assert P.deadline_date_outside_year(_sub(KH_NGAY="20/12/2024"), strict)
    assert P.date_window(2025, 0) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert P.date_window(2025, 14) == (dt.date(2023, 11, 1), dt.date(2025, 12, 31))


def test_a_numerator_above_its_denominator_is_warned_at_the_numerator():
    found = P.numerator_above_denominator(_sub(KH_NV_GIAO=10, KH_NV_XONG=15), CONFIG)
    assert _codes(found) == [("ratio-above-total", "warning", "Số liệu", indicator_cell(CONFIG, "KH_NV_XONG"))]
    assert "(15) lớn hơn" in found[0].message and "(10)" in found[0].message and "tiêu chí 1.2" in found[0].message
    assert P.numerator_above_denominator(_sub(KH_NV_GIAO=10, KH_NV_XONG=10), CONFIG) == []
    assert P.numerator_above_denominator(_sub(KH_NV_GIAO=None, KH_NV_XONG=3), CONFIG) == []


def _person(row: int, name: str, decision: str) -> PersonEntry:
    return PersonEntry(row=row, cell=f"B{row}", name=name, birth_year=1980, rating="HTXSNV", initiative="Sáng kiến", decision=decision, level="co-so")


def test_initiatives_counted_above_the_distinct_decisions_are_warned_at_the_count():
    twice = [_person(5, "A", "Quyết định số 12/QĐ-SKHCN"), _person(6, "B", "quyết định  số 12/QĐ-SKHCN")]
    found = P.initiatives_above_decisions(_sub(persons=twice, SK_CONGNHAN=2), CONFIG)
    assert _codes(found) == [("initiatives-above-decisions", "warning", "Số liệu", indicator_cell(CONFIG, "SK_CONGNHAN"))]
    assert "Khai 2 sáng kiến được công nhận, nhưng trang Cá nhân chỉ ghi 1 quyết định" in found[0].message
    two = [_person(5, "A", "Quyết định số 12/QĐ-SKHCN"), _person(6, "B", "Quyết định số 13/QĐ-SKHCN")]
    assert P.initiatives_above_decisions(_sub(persons=two, SK_CONGNHAN=2), CONFIG) == []
    # no decision cited at all: `Cá nhân` lists persons proposed for an award, not every author
    assert P.initiatives_above_decisions(_sub(persons=[], SK_CONGNHAN=2), CONFIG) == []
    # a row left out of nominations does not vouch for a decision
    bad = [_person(5, "A", "Quyết định số 12/QĐ-SKHCN"), replace(_person(6, "B", "Quyết định số 13/QĐ-SKHCN"), valid=False)]
    assert P.initiatives_above_decisions(_sub(persons=bad, SK_CONGNHAN=2), CONFIG)


def test_the_initiative_check_can_be_switched_off(tmp_path):
    off = write_config(tmp_path, lambda data: data["plausibility"].update(initiative_indicator=""))
    twice = [_person(5, "A", "QĐ 12"), _person(6, "B", "QĐ 12")]
    assert P.initiatives_above_decisions(_sub(persons=twice, SK_CONGNHAN=2), off) == []


def test_the_same_person_in_two_units_is_warned_in_each():
    a = _sub("VP", [PersonEntry(row=5, cell="B5", name="Trần Văn Bình", birth_year=1984)])
    b = _sub("TTRA", [PersonEntry(row=9, cell="B9", name="trần  văn bình", birth_year=1984), PersonEntry(row=10, cell="B10", name="Lê Cúc", birth_year=1990)])
    c = _sub("QLKH", [PersonEntry(row=5, cell="B5", name="Trần Văn Bình", birth_year=1985), PersonEntry(row=6, cell="B6", name="Lê Cúc")])
    found = P.same_person_in_units({"VP": a, "TTRA": b, "QLKH": c})
    assert {code: _codes(issues) for code, issues in found.items()} == {
        "VP": [("person-in-two-units", "warning", "Cá nhân", "B5")],
        "TTRA": [("person-in-two-units", "warning", "Cá nhân", "B9")],
    }
    assert "đơn vị TTRA" in found["VP"][0].message and found["VP"][0].file == "VP_2025.xlsx"
