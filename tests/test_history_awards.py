"""A four-year history, imported from the Office's workbook, read back by the award rules at the final review.

import workbook → store → StoreHistory → awards.evaluate_awards (milestone tong-ket, 2025): the multi-year
rules of RULES.md §3 decide from the stored years, and "cannot tell" names the missing year.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from support.history import (
    BK_UBND,
    CSTDCS,
    HTTNV,
    award_row,
    fill_history,
    four_year_history,
    make_workdir,
    person_row,
)

from ccht_batch.awards.checks import PersonSubject, Scope, evaluate
from ccht_batch.awards.select import evaluate_awards
from ccht_batch.core.records import (
    PersonEntry,
    Submission,
    UnitOutcome,
    UnitScore,
    person_key,
)
from ccht_batch.history.imports import import_history
from ccht_batch.store.db import Store
from ccht_batch.store.history import StoreHistory

TTCP, UBND, GK = "bang-khen-ttcp", "bang-khen-ubnd", "giay-khen-giam-doc"


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


def test_the_final_review_is_the_thematic_route_whatever_certificate_is_held(nominations):
    """Đức holds the provincial Certificate (2023) and is HTXSNV every year, but the Prime Minister's at
    the final review asks for achievement in the movement (Law art. 73.1(a)): no initiative, not eligible."""
    duc = nominations[(TTCP, "individual", "Phạm Minh Đức")]
    assert duc.eligible is False
    assert duc.reasons[0].endswith("yêu cầu: Hoàn thành xuất sắc nhiệm vụ mọi năm — đạt")
    assert "(năm 2022: 0, năm 2023: 0, năm 2024: 0, năm 2025: 0), yêu cầu: từ 2 — không đạt" in duc.reasons[1]
    assert not any("Bằng khen" in r for r in duc.reasons)  # no prior Certificate asked


def test_a_unit_with_a_result_in_every_year_of_the_final_review(nominations):
    vp = nominations[(UBND, "collective", "Đơn vị VP")]
    assert vp.eligible is True and vp.selected is True
    text = " ".join(vp.reasons)
    assert all(f"năm {y} Xuất sắc" in text for y in (2022, 2023, 2024, 2025))
    assert "năm 2024 Xuất sắc (93 điểm)" in text  # the band follows from the recorded result
    # the Prime Minister's asks an average of 95 over the four years: 92,63
    ttcp = nominations[(TTCP, "collective", "Đơn vị VP")]
    assert ttcp.eligible is False and "bình quân 92,63 điểm" in ttcp.reasons[1]
    # QLKH was "Tốt" in 2024, but 2022 and 2023 are not recorded: the Chairman's cannot tell yet, and the
    # short year is marked; KHTC has no year recorded: the Giấy khen cannot tell
    qlkh = nominations[(UBND, "collective", "Đơn vị QLKH")]
    assert qlkh.eligible is None
    assert "năm 2024 Tốt (82 điểm, không đạt)" in qlkh.reasons[0] and qlkh.reasons[0].endswith("(chưa có dữ liệu năm 2022, 2023)")
    khtc = nominations[(GK, "collective", "Đơn vị KHTC")]
    assert khtc.eligible is None and khtc.reasons[0].endswith("chưa xác định được (chưa có dữ liệu năm 2022, 2023, 2024)")


def test_a_ministers_certificate_imported_as_ranking_with_the_provinces_opens_the_regular_route(tmp_path):
    """Law art. 73.1(b) accepts a minister's Certificate: the history workbook records it with the configured
    form it ranks with, and prior_award (tied to the five years after it) reads it."""
    wd, config = make_workdir(tmp_path)
    minister = "Bằng khen của Bộ trưởng Bộ Khoa học và Công nghệ"
    sheets = {
        "Khen thưởng": [{**award_row(2019, "Cá nhân", "VP", minister, "Phạm Minh Đức", 1980, "77/QĐ-BKHCN", dt.date(2019, 12, 20), "Bộ KH&CN"),
                         "Tương đương hình thức": BK_UBND}],
        "Cá nhân theo năm": [person_row(y, "VP", "Phạm Minh Đức", 1980, HTTNV, CSTDCS if y in (2021, 2023, 2024) else None) for y in range(2020, 2025)],
    }
    path = fill_history(config, tmp_path / "lich-su.xlsx", sheets)
    with Store(config.store_path) as store:
        assert import_history(config, store, path).issues == []
        history = StoreHistory(store)
        key = person_key("Phạm Minh Đức", 1980, "VP")
        (award,) = history.person_awards(key)
        assert (award.award, award.name, award.decision) == (UBND, minister, "77/QĐ-BKHCN")
        subject = PersonSubject(key, "Phạm Minh Đức", outcome("VP", "95", 1, []), (row(5, "Phạm Minh Đức", 1980),), history.person_years(key), (award,))
        v = evaluate(config, config.criteria.award(TTCP).individual.regular, subject, Scope(2025, (2022, 2023, 2024, 2025), "2025-12"))
    assert v.value is True
    assert v.reasons[0] == (f"Đã được tặng Bằng khen của Chủ tịch UBND tỉnh: {minister} (tương đương Bằng khen của Chủ tịch UBND tỉnh), "
                            "QĐ số 77/QĐ-BKHCN, năm 2019, yêu cầu: đã được tặng từ năm 2020 trở về trước — đạt")


def test_a_form_outside_the_list_without_its_rank_is_refused_at_the_cell(tmp_path):
    wd, config = make_workdir(tmp_path)
    path = fill_history(config, tmp_path / "lich-su.xlsx", {"Khen thưởng": [award_row(2019, "Cá nhân", "VP", "Bằng khen của Bộ trưởng", "An", 1980)]})
    with Store(config.store_path) as store:
        found = import_history(config, store, path).issues
    assert [(i.code, i.sheet, i.cell) for i in found] == [("history-invalid", "Khen thưởng", "F5")]
    assert "Tương đương hình thức" in found[0].message


def test_every_default_rule_reads_the_imported_years(nominations):
    """Each form of the final review, for both kinds of candidate, over the imported workbook."""
    lan_gk = nominations[(GK, "individual", "Trần Thị Lan")]
    assert lan_gk.eligible is True and lan_gk.note == "Đơn vị không đề nghị"  # eligible, but not proposed
    assert nominations[(UBND, "individual", "Trần Thị Lan")].eligible is True
    for award in (TTCP, UBND, GK):
        vp = nominations[(award, "collective", "Đơn vị VP")]
        assert all("các năm 2022 - 2025" in r for r in vp.reasons), (award, vp.reasons)
