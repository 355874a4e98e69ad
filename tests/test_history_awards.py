"""A four-year history, imported from the Office's workbook, read back by the award rules at the final review.

import workbook → store → StoreHistory → awards.evaluate_awards (milestone tong-ket, 2025): the multi-year
rules of RULES.md §3 decide from the stored years, and "cannot tell" names the missing year.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from support.history import fill_history, four_year_history, make_workdir

from ccht_batch.awards.select import evaluate_awards
from ccht_batch.core.records import PersonEntry, Submission, UnitOutcome, UnitScore
from ccht_batch.history.imports import import_history
from ccht_batch.store.db import Store
from ccht_batch.store.history import StoreHistory

TTCP, UBND = "bang-khen-ttcp", "bang-khen-ubnd"


def outcome(code: str, result: str, rank: int, persons: list[PersonEntry]) -> UnitOutcome:
    r = Decimal(result)
    band = "Xuất sắc" if r >= 90 else "Tốt"
    score = UnitScore(code, [], {}, r, Decimal(100), Decimal(0), Decimal(0), Decimal(0), r, r, band)
    sub = Submission(code, 2025, f"{code}_2025.xlsx", "0" * 64, persons=persons)
    return UnitOutcome(code=code, name=f"Đơn vị {code}", email=None, status="submitted", submission=sub, score=score, rank=rank)


def row(n: int, name: str, birth: int, **kw) -> PersonEntry:
    return PersonEntry(row=n, name=name, birth_year=birth, rating="HTXSNV", **kw)


@pytest.fixture
def nominations(tmp_path):
    wd, config = make_workdir(tmp_path)
    path = fill_history(config, tmp_path / "lich-su.xlsx", four_year_history())
    units = [
        outcome("VP", "95.75", 1, [row(5, "Phạm Minh Đức", 1980)]),
        outcome("QLKH", "88", 2, [row(5, "Trần Thị Lan", 1985, initiative="Phần mềm theo dõi nhiệm vụ KH&CN", decision="42/QĐ-SKHCN", level="co-so")]),
        outcome("KHTC", "84", 3, [row(5, "Lê Văn Hùng", 1979)]),
    ]
    with Store(config.store_path) as store:
        assert import_history(config, store, path).issues == []
        noms = evaluate_awards(config, period="2025-12", milestone="tong-ket", units=units, history=StoreHistory(store))
    return {(n.award, n.kind, n.name): n for n in noms}


def test_two_consecutive_htxsnv_years_with_initiatives_spread_over_both_earn_the_chairmans_certificate(nominations):
    lan = nominations[(UBND, "individual", "Trần Thị Lan")]
    assert lan.eligible is True
    text = " ".join(lan.reasons)
    assert "2024" in text and "2025" in text
    assert "năm 2024: 1" in text and "năm 2025: 1" in text  # one recognised initiative in each year


def test_a_missing_year_is_cannot_tell_and_named(nominations):
    hung = nominations[(UBND, "individual", "Lê Văn Hùng")]
    assert hung.eligible is None
    assert any("chưa có dữ liệu năm 2024" in r for r in hung.reasons)


def test_a_holder_of_the_provincial_certificate_is_considered_for_the_prime_ministers(nominations):
    duc = nominations[(TTCP, "individual", "Phạm Minh Đức")]
    assert duc.eligible is True
    assert any("2150/QĐ-UBND" in r for r in duc.reasons)
    lan = nominations[(TTCP, "individual", "Trần Thị Lan")]
    assert lan.eligible is False  # never received the provincial Certificate


def test_a_unit_with_a_result_in_every_year_of_the_final_review(nominations):
    vp = nominations[(TTCP, "collective", "Đơn vị VP")]
    assert vp.eligible is True
    text = " ".join(vp.reasons)
    assert all(f"năm {y} Xuất sắc" in text for y in (2022, 2023, 2024, 2025))
    qlkh = nominations[(TTCP, "collective", "Đơn vị QLKH")]
    assert qlkh.eligible is False  # no prior provincial Certificate, whatever the missing years
