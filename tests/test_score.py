"""Scoring (DESIGN.md §6): every method and boundary, with figures computed by hand.

Most cases start from a VP (handles dossiers, 100 applicable points) or TTRA (no dossiers: 3.2 and 3.8 do
not apply, 87 points) submission at the maximum and change one thing, so the expected result is easy to
check: a unit losing d points out of 100 scores 100 − d.
"""

from __future__ import annotations

import pytest
from support.scoring import (
    D,
    default_config,
    evidence_cell,
    full_submission,
    indicator_cell,
    issue_at,
    score_cell,
    small_config,
    submission,
    write_config,
)

from ccht_batch.core.records import (
    SRC_APPRAISED,
    SRC_COMPUTED,
    SRC_NOT_APPLICABLE,
    SRC_SELF,
    AppraisedScore,
)
from ccht_batch.forms import layout
from ccht_batch.scoring.score import score_unit

SCORES = layout.SHEET_SCORES
INDICATORS = layout.SHEET_INDICATORS


def score(code: str, config=None, appraised=None, **kw):
    config = config or default_config()
    return score_unit(config, config.unit(code), full_submission(config, code, **kw), appraised)


def appraise(code: str, **points) -> dict[str, AppraisedScore]:
    return {cid.replace("_", "."): AppraisedScore(code, cid.replace("_", "."), D(str(v))) for cid, v in points.items()}


# ---------------------------------------------------------------------------------------------------
# Shape and the contract


def test_one_row_per_scored_row_in_template_order_with_kind():
    cfg = default_config()
    s = score("VP")
    assert [r.id for r in s.criteria] == [c.id for c in cfg.criteria.scored_rows]
    assert [r.kind for r in s.criteria] == ["criterion"] * 18 + ["bonus"] * 2 + ["penalty"] * 2
    assert [r.max for r in s.criteria][:3] == [D(3), D(6), D(3)]


@pytest.mark.parametrize("code", [u.code for u in default_config().units])
def test_every_applicable_criterion_at_max_gives_at_least_100(code):
    s = score(code)
    assert s.criteria_sum == s.applicable_max
    assert s.result >= 100
    assert s.result == D("100.00")
    assert s.band == "Xuất sắc"
    assert s.issues == []


def test_full_scores_sources_and_field_scores():
    s = score("VP")
    assert (s.criteria_sum, s.applicable_max, s.total, s.result) == (D(100), D(100), D(100), D("100.00"))
    assert s.criterion("1.2").source == SRC_COMPUTED
    assert s.criterion("1.3").source == SRC_SELF
    assert s.criterion("1.3").computed is None
    assert s.field_scores == {"1": (15, 15), "2": (10, 10), "3": (45, 45), "4": (15, 15), "5": (15, 15)}


# ---------------------------------------------------------------------------------------------------
# ratio (1.2: 100 % → 6, ≥ 90 % → 4, ≥ 70 % → 2, else 0; zero denominator → 0)


@pytest.mark.parametrize(
    "done, given, points, why",
    [
        (20, 20, "6", "Tỷ lệ 20/20 = 100% ≥ 100% → 6 điểm"),
        (18, 20, "4", "Tỷ lệ 18/20 = 90% ≥ 90% → 4 điểm"),  # exactly on the threshold
        (19, 20, "4", "Tỷ lệ 19/20 = 95% ≥ 90% → 4 điểm"),
        (179, 200, "2", "Tỷ lệ 179/200 = 89,5% ≥ 70% → 2 điểm"),  # just under 90 %
        (7, 10, "2", "Tỷ lệ 7/10 = 70% ≥ 70% → 2 điểm"),
        (69, 100, "0", "Tỷ lệ 69/100 = 69% < 70% → 0 điểm"),  # just under the lowest step
        (2, 3, "0", "Tỷ lệ 2/3 = 66,67% < 70% → 0 điểm"),
        (25, 20, "6", "Tỷ lệ 25/20 = 125% ≥ 100% → 6 điểm"),  # numerator above denominator
        (0, 20, "0", "Tỷ lệ 0/20 = 0% < 70% → 0 điểm"),
    ],
)
def test_ratio_thresholds(done, given, points, why):
    s = score("VP", scores={"1.2": None}, indicators={"KH_NV_XONG": done, "KH_NV_GIAO": given})
    row = s.criterion("1.2")
    assert (row.score, row.computed, row.source, row.why) == (D(points), D(points), SRC_COMPUTED, why)
    assert row.applicable and row.self_score is None
    assert s.result == D(100) - 6 + D(points)
    assert s.issues == []


def test_ratio_exactly_on_a_fractional_threshold_is_not_lost_to_rounding(tmp_path):
    # 2/3 is 66.666…%: exactly on a threshold of 200/3 only when compared as num × 100 ≥ at_least × den;
    # a threshold of 66.67 is not reached.
    def edit(data):
        data["fields"][0]["criteria"][1]["params"]["thresholds"] = [
            {"at_least": 100, "points": 6},
            {"at_least": 66.67, "points": 4},
            {"at_least": 50, "points": 2},
        ]

    cfg = write_config(tmp_path, edit)
    s = score("VP", cfg, scores={"1.2": None}, indicators={"KH_NV_XONG": 2, "KH_NV_GIAO": 3})
    assert s.criterion("1.2").score == 2
    s = score("VP", cfg, scores={"1.2": None}, indicators={"KH_NV_XONG": 6667, "KH_NV_GIAO": 10000})
    assert s.criterion("1.2").score == 4


def test_ratio_zero_denominator_zero_mode_scores_0_and_keeps_the_maximum():
    s = score("VP", scores={"1.2": None}, indicators={"KH_NV_XONG": 0, "KH_NV_GIAO": 0})
    row = s.criterion("1.2")
    assert (row.applicable, row.score, row.source, row.why) == (True, 0, SRC_COMPUTED, "Mẫu số KH_NV_GIAO = 0 → 0 điểm")
    assert (s.criteria_sum, s.applicable_max, s.result) == (D(94), D(100), D("94.00"))


def test_ratio_zero_denominator_full_mode_gives_the_maximum_even_with_an_empty_numerator():
    s = score("VP", scores={"1.4": None}, indicators={"KT_KHACPHUC": None, "KT_TONTAI": 0})
    row = s.criterion("1.4")
    assert (row.applicable, row.score, row.computed, row.source) == (True, D(3), D(3), SRC_COMPUTED)
    assert row.why == "Mẫu số KT_TONTAI = 0 → đủ điểm: 3 điểm"
    assert s.result == D("100.00")
    assert s.issues == []  # the empty numerator can only be 0: no indicator-missing


def test_ratio_zero_denominator_not_applicable_leaves_score_and_maximum():
    # VP handles dossiers but received none: 3.2 (8 points) leaves the maximum: 92.
    s = score("VP", indicators={"HS_TIEPNHAN": 0, "HS_DUNGHAN": 0})
    row = s.criterion("3.2")
    assert (row.applicable, row.score, row.source, row.computed, row.max) == (False, 0, SRC_NOT_APPLICABLE, None, D(8))
    assert row.self_score == 8  # what the unit typed is still reported
    assert row.why.startswith("Mẫu số HS_TIEPNHAN = 0 → không áp dụng")
    assert (s.criteria_sum, s.applicable_max, s.result) == (D(92), D(92), D("100.00"))
    assert s.field_scores["3"] == (D(37), D(37))
    assert s.issues == []  # no self-score-differs for a row that does not count


def test_ratio_not_applicable_changes_the_denominator_of_the_result():
    # 3.2 out (max 92), and 1.2 at 7/10 → 2 points: 88 / 92 × 100 = 95.652… → 95.65
    s = score("VP", scores={"1.2": None}, indicators={"HS_TIEPNHAN": 0, "KH_NV_XONG": 7, "KH_NV_GIAO": 10})
    assert (s.criteria_sum, s.applicable_max, s.total, s.result) == (D(88), D(92), D(88), D("95.65"))


def test_ratio_missing_indicator_scores_below_with_a_warning_at_the_indicator_cell():
    cfg = default_config()
    s = score("VP", scores={"1.2": None}, indicators={"KH_NV_XONG": None})
    row = s.criterion("1.2")
    assert (row.score, row.source, row.why) == (D(0), SRC_COMPUTED, "Chưa nhập số liệu KH_NV_XONG → 0 điểm")
    assert issue_at(s, "indicator-missing") == [(INDICATORS, indicator_cell(cfg, "KH_NV_XONG"))]
    issue = s.issues[0]
    assert (issue.severity, issue.file, issue.unit_code) == ("warning", "VP_2025.xlsx", "VP")
    assert "tiêu chí 1.2" in issue.message and "KH_NV_XONG" in issue.message
    assert s.result == D("94.00")


def test_ratio_missing_both_indicators_warns_for_each():
    cfg = default_config()
    s = score("VP", scores={"1.2": None}, indicators={"KH_NV_XONG": None, "KH_NV_GIAO": None})
    assert s.criterion("1.2").score == 0
    assert issue_at(s, "indicator-missing") == [
        (INDICATORS, indicator_cell(cfg, "KH_NV_XONG")),
        (INDICATORS, indicator_cell(cfg, "KH_NV_GIAO")),
    ]


# ---------------------------------------------------------------------------------------------------
# deadline (1.1: due 31/01 of the submission's year; on time 3, late 1.5, missing 0)


@pytest.mark.parametrize(
    "date, points, why",
    [
        ("31/01/2025", "3", "Ngày 31/01/2025, đúng hạn 31/01/2025 → 3 điểm"),  # exactly on the due date
        ("01/02/2025", "1.5", "Ngày 01/02/2025, sau hạn 31/01/2025 → 1,5 điểm"),  # one day late
        ("15/02/2025", "1.5", "Ngày 15/02/2025, sau hạn 31/01/2025 → 1,5 điểm"),
        ("02/01/2024", "3", "Ngày 02/01/2024, đúng hạn 31/01/2025 → 3 điểm"),
    ],
)
def test_deadline(date, points, why):
    s = score("VP", scores={"1.1": None}, indicators={"KH_NGAY": date})
    row = s.criterion("1.1")
    assert (row.score, row.computed, row.source, row.why) == (D(points), D(points), SRC_COMPUTED, why)
    assert s.total == 97 + D(points)
    assert s.issues == []


def test_deadline_empty_scores_missing_points_and_warns():
    cfg = default_config()
    s = score("VP", scores={"1.1": None}, indicators={"KH_NGAY": None})
    row = s.criterion("1.1")
    assert (row.score, row.source, row.why) == (D(0), SRC_COMPUTED, "Chưa có ngày (hạn 31/01/2025) → 0 điểm")
    assert issue_at(s, "indicator-missing") == [(INDICATORS, indicator_cell(cfg, "KH_NGAY"))]
    assert s.result == D("97.00")


def test_deadline_due_date_is_in_the_submission_year():
    cfg = default_config()
    sub = full_submission(cfg, "VP", scores={"1.1": None}, indicators={"KH_NGAY": "20/01/2026"}, year=2026)
    assert score_unit(cfg, cfg.unit("VP"), sub).criterion("1.1").score == 3
    sub = full_submission(cfg, "VP", scores={"1.1": None}, indicators={"KH_NGAY": "20/01/2026"}, year=2025)
    assert score_unit(cfg, cfg.unit("VP"), sub).criterion("1.1").score == D("1.5")


# ---------------------------------------------------------------------------------------------------
# count (2.1: ≥ 4 → 6, ≥ 3 → 4.5, ≥ 2 → 3, ≥ 1 → 1.5, else 0)


@pytest.mark.parametrize(
    "n, points, why",
    [
        (4, "6", "Số lượng 4 ≥ 4 → 6 điểm"),
        (40, "6", "Số lượng 40 ≥ 4 → 6 điểm"),
        (3, "4.5", "Số lượng 3 ≥ 3 → 4,5 điểm"),
        (1, "1.5", "Số lượng 1 ≥ 1 → 1,5 điểm"),
        (0, "0", "Số lượng 0 < 1 → 0 điểm"),
    ],
)
def test_count_thresholds(n, points, why):
    s = score("VP", scores={"2.1": None}, indicators={"TT_HINHTHUC": n})
    row = s.criterion("2.1")
    assert (row.score, row.computed, row.source, row.why) == (D(points), D(points), SRC_COMPUTED, why)
    assert s.result == D(94) + D(points)


def test_count_missing_indicator_scores_below_with_a_warning():
    cfg = default_config()
    s = score("VP", scores={"2.1": None}, indicators={"TT_HINHTHUC": None})
    assert s.criterion("2.1").score == 0
    assert s.criterion("2.1").why == "Chưa nhập số liệu TT_HINHTHUC → 0 điểm"
    assert issue_at(s, "indicator-missing") == [(INDICATORS, indicator_cell(cfg, "TT_HINHTHUC"))]


# ---------------------------------------------------------------------------------------------------
# self, yes/no, scale


def test_choice_rows_count_the_points_of_the_option():
    s = score("VP", scores={"3.5": "Đạt", "1.3": "Không"})
    assert (s.criterion("3.5").score, s.criterion("3.5").self_score, s.criterion("3.5").why) == (D(4), D(4), "Chọn 'Đạt' → 4 điểm")
    assert (s.criterion("1.3").score, s.criterion("1.3").source) == (D(0), SRC_SELF)
    assert s.total == 100 - 3 - 3
    assert s.issues == []  # a 0 score needs no evidence


def test_empty_self_scored_row_counts_0():
    s = score("VP", scores={"3.3": None})
    row = s.criterion("3.3")
    assert (row.score, row.self_score, row.source, row.why) == (D(0), None, SRC_SELF, "Chưa chọn → 0 điểm")
    assert s.result == D("96.00")


def test_self_method_and_decimals_stay_exact(tmp_path):
    cfg = small_config(
        tmp_path,
        [{"id": "1", "name": "Lĩnh vực", "max": 10, "criteria": [{"id": "1.1", "name": "Tự chấm", "max": 10, "method": "self"}]}],
        bonus={"cap": 5, "items": [{"id": "T1", "name": "Thưởng", "max": 3}]},
    )
    s = score_unit(cfg, cfg.unit("TTRA"), submission(cfg, "TTRA", {"1.1": "8.25", "T1": "0.5"}))
    row = s.criterion("1.1")
    assert (row.score, row.source, row.why) == (D("8.25"), SRC_SELF, "Tự chấm 8,25 điểm")
    assert str(s.criteria_sum) == "8.25"
    assert str(s.bonus_counted) == "0.5"
    assert str(s.total) == "8.75"  # 8.25 + 0.5, no float noise
    assert str(s.result) == "83.00"  # 8.25 / 10 × 100 + 0.5
    assert s.band == "Tốt"  # 83 ≥ 80


def test_band_from_the_result_exactly_on_its_minimum():
    s = score("VP", scores={"4.2": None}, indicators={"SK_CONGNHAN": 0})  # 100 − 10
    assert (s.result, s.band) == (D("90.00"), "Xuất sắc")
    s = score("VP", scores={"4.2": None, "5.1": None}, indicators={"SK_CONGNHAN": 0, "BC_DUNGHAN": 5})  # − 10 − 6 (5/6 → 4)
    assert (s.result, s.band) == (D("84.00"), "Tốt")
    s = score("VP", scores={"4.2": None, "5.1": None}, indicators={"SK_CONGNHAN": 0, "BC_DUNGHAN": 0})  # − 10 − 10
    assert (s.result, s.band) == (D("80.00"), "Tốt")


def test_result_rounds_half_up(tmp_path):
    cfg = small_config(
        tmp_path, [{"id": "1", "name": "Lĩnh vực", "max": 8, "criteria": [{"id": "1.1", "name": "Tự chấm", "max": 8, "method": "self"}]}]
    )
    s = score_unit(cfg, cfg.unit("VP"), submission(cfg, "VP", {"1.1": "0.25"}))
    assert s.result == D("3.13")  # 0.25 / 8 × 100 = 3.125 → 3.13 (half up, not half even)


# ---------------------------------------------------------------------------------------------------
# Applicability


def test_not_applicable_criteria_leave_the_maximum():
    s = score("TTRA")
    for cid, mx in (("3.2", 8), ("3.8", 5)):
        row = s.criterion(cid)
        assert (row.applicable, row.score, row.max, row.source, row.why) == (False, 0, D(mx), SRC_NOT_APPLICABLE, "Không áp dụng cho đơn vị")
    assert (s.criteria_sum, s.applicable_max, s.result) == (D(87), D(87), D("100.00"))
    assert s.field_scores["3"] == (D(32), D(32))


def test_not_applicable_result_is_the_sum_over_87():
    # 1.2 at 0/20 (−6), 2.2 at 6 news items → 2.5 (−1.5): 79.5 / 87 × 100 = 91.379… → 91.38
    s = score("TTRA", scores={"1.2": None, "2.2": None}, indicators={"KH_NV_XONG": 0, "TT_TIN_BAI": 6})
    assert (s.criteria_sum, s.applicable_max, s.total, s.result, s.band) == (D("79.5"), D(87), D("79.5"), D("91.38"), "Xuất sắc")
    # the same figures for a unit with dossiers: 92.5 / 100
    s = score("VP", scores={"1.2": None, "2.2": None}, indicators={"KH_NV_XONG": 0, "TT_TIN_BAI": 6})
    assert s.result == D("92.50")


def test_a_score_typed_on_a_row_that_does_not_apply_is_reported_not_counted():
    s = score("TTRA")  # full_submission types "Tốt" (5) on 3.8 too
    row = s.criterion("3.8")
    assert (row.self_score, row.score, row.applicable) == (D(5), D(0), False)


# ---------------------------------------------------------------------------------------------------
# Bonus and penalties


def test_bonus_within_the_cap_adds_to_the_result_beyond_100():
    s = score("VP", scores={"T1": "2.5"})
    assert (s.bonus, s.bonus_counted, s.total, s.result) == (D("2.5"), D("2.5"), D("102.5"), D("102.50"))
    assert s.criterion("T1").why == "Điểm thưởng tự chấm: 2,5 điểm"


def test_bonus_above_the_cap_counts_the_cap(tmp_path):
    def edit(data):
        data["bonus"]["cap"] = 3

    cfg = write_config(tmp_path, edit)
    s = score("VP", cfg, scores={"T1": 3, "T2": 2})
    assert (s.bonus, s.bonus_counted) == (D(5), D(3))
    assert (s.total, s.result) == (D(103), D("103.00"))  # no cap at 100


def test_penalties_subtract_and_the_result_never_goes_below_0():
    cfg = default_config()
    s = score_unit(cfg, cfg.unit("VP"), submission(cfg, "VP", {"TR1": 10, "TR2": 5}))
    assert (s.criteria_sum, s.penalty) == (D(0), D(15))
    assert s.total == D(-15)  # total is not floored
    assert s.result == D("0.00") and str(s.result) == "0.00"
    assert s.band == "Yếu"
    assert s.criterion("TR1").why == "Điểm trừ tự khai: 10 điểm"


def test_penalty_larger_than_the_share_gives_0():
    # TTRA: 1.3 "Có" = 3 → 3 / 87 × 100 = 3.45; minus 4 → −0.55 → 0
    cfg = default_config()
    s = score_unit(cfg, cfg.unit("TTRA"), submission(cfg, "TTRA", {"1.3": "Có", "TR1": 4}))
    assert (s.criteria_sum, s.applicable_max, s.total, s.result) == (D(3), D(87), D(-1), D("0.00"))


def test_penalty_reduces_a_full_result():
    s = score("VP", scores={"TR2": "1.5"})
    assert (s.penalty, s.total, s.result, s.band) == (D("1.5"), D("98.5"), D("98.50"), "Xuất sắc")


# ---------------------------------------------------------------------------------------------------
# Evidence


def test_missing_evidence_zeroes_the_row_with_a_warning_at_the_evidence_cell():
    cfg = default_config()
    s = score("VP", evidence={"1.3": ""})
    row = s.criterion("1.3")
    assert (row.score, row.self_score, row.source) == (D(0), D(3), SRC_SELF)
    assert row.why == "Chọn 'Có' → 3 điểm; thiếu tài liệu kiểm chứng → 0 điểm"
    assert issue_at(s, "evidence-missing") == [(SCORES, evidence_cell(cfg, "1.3"))]
    assert "Tiêu chí 1.3" in s.issues[0].message
    assert s.result == D("97.00")


def test_missing_evidence_explained_in_the_note_keeps_the_score():
    cfg = default_config()
    s = score("VP", evidence={"1.3": ""}, notes={"1.3": "Quyết định đang chờ ký, sẽ bổ sung"})
    row = s.criterion("1.3")
    assert row.score == 3
    assert "đã giải trình ở Ghi chú" in row.why
    assert issue_at(s, "evidence-explained") == [(SCORES, evidence_cell(cfg, "1.3"))]
    assert issue_at(s, "evidence-missing") == []
    assert s.result == D("100.00")


def test_explanation_not_accepted_when_the_config_says_so(tmp_path):
    def edit(data):
        data["scoring"]["evidence_explanation_allowed"] = False

    cfg = write_config(tmp_path, edit)
    s = score("VP", cfg, evidence={"1.3": ""}, notes={"1.3": "Sẽ bổ sung"})
    assert s.criterion("1.3").score == 0
    assert [i.code for i in s.issues] == ["evidence-missing"]


def test_missing_evidence_zeroes_a_computed_row_and_a_bonus_item():
    cfg = default_config()
    s = score("VP", scores={"T1": 3}, evidence={"1.1": "", "T1": ""})
    assert (s.criterion("1.1").score, s.criterion("1.1").computed) == (D(0), D(3))
    assert (s.criterion("T1").score, s.bonus, s.bonus_counted) == (D(0), D(0), D(0))
    assert issue_at(s, "evidence-missing") == [(SCORES, evidence_cell(cfg, "1.1")), (SCORES, evidence_cell(cfg, "T1"))]
    assert s.result == D("97.00")


def test_optional_evidence_and_zero_scores_need_none():
    s = score("VP", scores={"1.3": "Không"}, evidence={"3.4": "", "1.3": ""})
    assert s.criterion("3.4").score == 4
    assert s.issues == []


# ---------------------------------------------------------------------------------------------------
# Self-score against the computed score


def test_self_score_differing_from_the_computed_one_warns_with_both_numbers():
    cfg = default_config()
    s = score("VP", indicators={"KH_NV_XONG": 19})  # 19/20 = 95 % → 4; the unit typed 6
    row = s.criterion("1.2")
    assert (row.self_score, row.computed, row.score, row.source) == (D(6), D(4), D(4), SRC_COMPUTED)
    assert row.why == "Tỷ lệ 19/20 = 95% ≥ 90% → 4 điểm (tự chấm 6)"
    assert issue_at(s, "self-score-differs") == [(SCORES, score_cell(cfg, "1.2"))]
    issue = s.issues[0]
    assert issue.value == "6"
    assert "điểm tự chấm 6, điểm chương trình tính từ số liệu là 4" in issue.message
    assert s.result == D("98.00")


def test_self_score_differing_shows_decimal_commas():
    s = score("VP", scores={"1.1": 3}, indicators={"KH_NGAY": "01/02/2025"})
    assert "điểm tự chấm 3, điểm chương trình tính từ số liệu là 1,5" in s.issues[0].message


def test_matching_or_empty_self_score_raises_nothing():
    assert score("VP", indicators={"KH_NV_XONG": 20}).issues == []
    assert score("VP", scores={"1.2": None}, indicators={"KH_NV_XONG": 19}).issues == []


# ---------------------------------------------------------------------------------------------------
# Appraisal


def test_appraisal_overrides_a_self_score():
    s = score("VP", appraised=appraise("VP", **{"3_5": 4}))
    row = s.criterion("3.5")
    assert (row.self_score, row.appraised, row.score, row.source) == (D(7), D(4), D(4), SRC_APPRAISED)
    assert row.why == "Thẩm định: 4 điểm (tự chấm 7)"
    assert s.result == D("97.00")


def test_appraisal_overrides_a_computed_score_and_silences_the_difference():
    s = score("VP", indicators={"KH_NV_XONG": 19}, appraised=appraise("VP", **{"1_2": 5}))
    row = s.criterion("1.2")
    assert (row.self_score, row.computed, row.appraised, row.score, row.source) == (D(6), D(4), D(5), D(5), SRC_APPRAISED)
    assert row.why == "Thẩm định: 5 điểm (tự chấm 6; tính từ số liệu 4)"
    assert s.issues == []
    assert s.result == D("99.00")


def test_appraisal_restores_a_score_zeroed_for_missing_evidence():
    s = score("VP", evidence={"1.3": ""}, appraised=appraise("VP", **{"1_3": 3}))
    assert (s.criterion("1.3").score, s.criterion("1.3").source) == (D(3), SRC_APPRAISED)
    assert s.issues == []
    assert s.result == D("100.00")


def test_appraisal_of_an_empty_row_and_its_note():
    cfg = default_config()
    appraised = {"3.3": AppraisedScore("VP", "3.3", D(2), note="Chỉ công khai một phần")}
    s = score_unit(cfg, cfg.unit("VP"), full_submission(cfg, "VP", scores={"3.3": None}), appraised)
    assert s.criterion("3.3").score == 2
    assert s.criterion("3.3").why == "Thẩm định: 2 điểm (chưa tự chấm). Chỉ công khai một phần"


def test_appraisal_of_a_criterion_that_does_not_apply_is_ignored():
    s = score("TTRA", appraised=appraise("TTRA", **{"3_2": 8}))
    row = s.criterion("3.2")
    assert (row.applicable, row.score, row.source, row.appraised) == (False, 0, SRC_NOT_APPLICABLE, None)
    assert s.applicable_max == 87


def test_appraisal_brings_a_zero_denominator_row_back_into_the_maximum():
    # The appraiser scored it, so it counts: 100 − 8 + 6 over 100.
    s = score("VP", indicators={"HS_TIEPNHAN": 0, "HS_DUNGHAN": 0}, appraised=appraise("VP", **{"3_2": 6}))
    row = s.criterion("3.2")
    assert (row.applicable, row.score, row.source) == (True, D(6), SRC_APPRAISED)
    assert (s.applicable_max, s.result) == (D(100), D("98.00"))


def test_appraised_penalty_replaces_the_declared_one():
    s = score("VP", scores={"TR1": 2}, appraised=appraise("VP", TR1=4))
    assert (s.penalty, s.result) == (D(4), D("96.00"))
