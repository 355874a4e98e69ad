"""Award checks and selection (awards/checks.py, awards/select.py) over records built directly from the model.

The default configuration is the shipped one (config/ of the repository); rules the default does not use
(score_at_least, unit_band_at_least, the regular standards, quotas) are exercised through small edited YAML
copies. Every reason is read as a whole sentence: what was looked at, the figures, what is required, the
verdict. Ties at quotas and the council's votes are in test_awards_council.py.
"""

from __future__ import annotations

import itertools

import pytest
from support.awards import (
    GK,
    GK_NAME,
    REPO,
    SELF,
    TONG_KET,
    TTCP,
    UBND,
    UBND_NAME,
    D,
    edited_config,
    find,
    key,
    person,
    psubject,
    py,
    recognised,
    unit,
    usubject,
)
from support.history import MemoryHistory

from ccht_batch.awards.checks import (
    Scope,
    Verdict,
    combine,
    evaluate,
)
from ccht_batch.awards.select import at_milestone, evaluate_awards, rules_for, scope_for
from ccht_batch.config.load import load_config
from ccht_batch.config.model import Condition
from ccht_batch.core.records import (
    AwardRecord,
    CriterionScore,
    UnitYear,
)


@pytest.fixture(scope="module")
def cfg():
    return load_config(REPO)



# ---------------------------------------------------------------------------------------------------
# Which forms are considered, with which of their conditions


def test_rules_for_milestones(cfg):
    rules, ms = rules_for(cfg, "2023-12", "so-ket")
    assert [r.id for r in rules] == [UBND, GK] and ms.id == "so-ket" and ms.years == (2022, 2023)
    rules, ms = rules_for(cfg, "2025-12", "tong-ket")
    assert [r.id for r in rules] == [TTCP, UBND, GK] and ms.years == (2022, 2023, 2024, 2025)
    with pytest.raises(ValueError, match="giua-ky"):
        rules_for(cfg, "2025-12", "giua-ky")


def test_rules_for_provisional_takes_the_next_milestone(cfg):
    rules, ms = rules_for(cfg, "2023-05", None)
    assert [r.id for r in rules] == [UBND, GK] and ms.id == "so-ket"
    rules, ms = rules_for(cfg, "2024-05", None)
    assert [r.id for r in rules] == [TTCP, UBND, GK] and ms.id == "tong-ket"
    rules, ms = rules_for(cfg, "2026-02", None)  # after the movement: yearly forms only
    assert [r.id for r in rules] == [GK] and ms is None
    rules, ms = rules_for(cfg, "2024-12", "yearly")  # a year's own review
    assert [r.id for r in rules] == [GK] and ms is None


def test_a_milestone_run_checks_the_thematic_standard_a_monthly_run_the_yearly_forms_regular_one(cfg):
    ms = cfg.criteria.movement.milestone("tong-ket")
    ttcp, gk = cfg.criteria.award(TTCP), cfg.criteria.award(GK)
    assert at_milestone(gk, ms, review=True) and at_milestone(ttcp, ms, review=True)
    # a monthly run previews the forms given only at the milestone for it; the yearly ones for their year
    assert at_milestone(ttcp, ms, review=False) and not at_milestone(gk, ms, review=False)
    assert not at_milestone(gk, None, review=False)
    c = recognised("Nguyễn Văn An", proposal=GK)
    noms = evaluate_awards(cfg, period="2025-12", milestone="tong-ket", units=[unit("VP", 95, 1, persons=[c])], history=MemoryHistory())
    assert find(noms, GK, "Đơn vị VP").reasons[0].startswith("Xếp loại các năm 2022 - 2025")  # thematic
    noms = evaluate_awards(cfg, period="2025-11", milestone=None, units=[unit("VP", 95, 1, persons=[c])], history=MemoryHistory())
    assert find(noms, GK, "Đơn vị VP").reasons == ["Kết quả tháng 11/2025: 95 điểm, xếp loại Xuất sắc, yêu cầu: xếp loại từ Tốt trở lên — đạt"]


def test_so_ket_has_no_prime_minister_list(cfg):
    units = [unit("VP", 95, 1, persons=[recognised("Nguyễn Văn An", proposal=TTCP)])]
    noms = evaluate_awards(cfg, period="2023-12", milestone="so-ket", units=units, history=MemoryHistory())
    assert {n.award for n in noms} == {UBND, GK}
    an = [n for n in noms if n.kind == "individual"]
    # the proposed form is not considered at this review: the person falls to a form that is
    assert find(an, GK, "Nguyễn Văn An").selected
    assert "không xét ở đợt này" in find(an, GK, "Nguyễn Văn An").note


def test_provisional_every_year_check_names_the_future_year(cfg):
    code = "VP"
    c = recognised("Lê Văn Cường", proposal=TTCP, birth=1975)
    k = key(c.name, 1975, code)
    hist = MemoryHistory(persons={k: {2022: py(2022, code), 2023: py(2023, code)}})
    noms = evaluate_awards(cfg, period="2024-06", milestone=None, units=[unit(code, 95, 1, persons=[c])], history=hist)
    ttcp = find(noms, TTCP, c.name)
    assert ttcp.eligible is None and ttcp.proposed and not ttcp.selected
    assert ttcp.reasons[0] == (
        "Xếp loại các năm 2022 - 2025: năm 2022 Hoàn thành xuất sắc nhiệm vụ, năm 2023 Hoàn thành xuất sắc nhiệm vụ, "
        f"năm 2024 Hoàn thành xuất sắc nhiệm vụ ({SELF}), yêu cầu: Hoàn thành xuất sắc nhiệm vụ mọi năm — "
        "chưa xác định được (chưa có dữ liệu năm 2025)"
    )
    assert "chưa xác định được đủ điều kiện" in ttcp.note


def test_provisional_after_the_movement_uses_start_year_to_period(cfg):
    rules, ms = rules_for(cfg, "2026-03", None)
    scope = scope_for(cfg, "2026-03", ms)
    assert scope == Scope(2026, (2022, 2023, 2024, 2025, 2026), "2026-03")
    s = usubject(unit("VP", 70, 1), {2022: UnitYear(2022, "VP", band="Xuất sắc")})
    v = evaluate(cfg, Condition("band_every_year", band="Khá"), s, scope)
    assert v.value is None and v.missing == {2023, 2024, 2025}
    assert v.reasons == ("Xếp loại các năm 2022 - 2026: năm 2022 Xuất sắc, năm 2026 Khá (tháng 3/2026), yêu cầu: xếp loại "
                         "từ Khá trở lên mọi năm — chưa xác định được (chưa có dữ liệu năm 2023, 2024, 2025)",)


# ---------------------------------------------------------------------------------------------------
# Collective checks of this period


def test_band_at_least(cfg):
    s = usubject(unit("VP", "92.5", 1))
    v = evaluate(cfg, Condition("band_at_least", band="Xuất sắc"), s, TONG_KET)
    assert v.value is True and v.reasons == ("Kết quả tháng 12/2025: 92,5 điểm, xếp loại Xuất sắc, yêu cầu: xếp loại Xuất sắc — đạt",)
    s = usubject(unit("VP", "85.25", 1))
    v = evaluate(cfg, Condition("band_at_least", band="Tốt"), s, TONG_KET)
    assert v.value is True and v.reasons == ("Kết quả tháng 12/2025: 85,25 điểm, xếp loại Tốt, yêu cầu: xếp loại từ Tốt trở lên — đạt",)
    v = evaluate(cfg, Condition("band_at_least", band="Xuất sắc"), s, TONG_KET)
    assert v.value is False and v.reasons[0].endswith("yêu cầu: xếp loại Xuất sắc — không đạt")


def test_rank_at_most(cfg):
    v = evaluate(cfg, Condition("rank_at_most", rank=2), usubject(unit("VP", 95, 2)), TONG_KET)
    assert v.value is True and v.reasons == ("Xếp hạng tháng 12/2025: 2, yêu cầu: từ hạng 2 trở lên — đạt",)
    v = evaluate(cfg, Condition("rank_at_most", rank=2), usubject(unit("VP", 95, 7)), TONG_KET)
    assert v.value is False and v.reasons == ("Xếp hạng tháng 12/2025: 7, yêu cầu: từ hạng 2 trở lên — không đạt",)
    v = evaluate(cfg, Condition("rank_at_most", rank=1), usubject(unit("VP", 95, None)), TONG_KET)
    assert v.value is False and v.reasons == ("Xếp hạng tháng 12/2025: chưa được xếp hạng, yêu cầu: hạng 1 — không đạt",)


def test_score_at_least_criterion_and_field(cfg):
    crits = [
        CriterionScore("4.2", D(10), True, D(10), D(6), None, D(6), "computed"),
        CriterionScore("3.2", D(8), False, None, None, None, D(0), "not-applicable"),
    ]
    u = unit("VP", 93, 1, field_scores={"3": (D("40.5"), D(45))}, criteria=crits)
    s = usubject(u)
    v = evaluate(cfg, Condition("score_at_least", criterion="4.2", points=D(6)), s, TONG_KET)
    assert v.value is True and v.reasons == ("Điểm tiêu chí 4.2 tháng 12/2025: 6 điểm, yêu cầu: từ 6 điểm — đạt",)
    v = evaluate(cfg, Condition("score_at_least", criterion="4.2", points=D("6.25")), s, TONG_KET)
    assert v.value is False and v.reasons == ("Điểm tiêu chí 4.2 tháng 12/2025: 6 điểm, yêu cầu: từ 6,25 điểm — không đạt",)
    v = evaluate(cfg, Condition("score_at_least", criterion="3", points=D(40)), s, TONG_KET)
    assert v.value is True and v.reasons == ("Điểm lĩnh vực 3 tháng 12/2025: 40,5 điểm, yêu cầu: từ 40 điểm — đạt",)
    v = evaluate(cfg, Condition("score_at_least", criterion="3.2", points=D(1)), s, TONG_KET)
    assert v.value is False and v.reasons == ("Điểm tiêu chí 3.2 tháng 12/2025: không áp dụng cho đơn vị, yêu cầu: từ 1 điểm — không đạt",)


# ---------------------------------------------------------------------------------------------------
# Collective checks over the milestone's years


def test_band_every_year_true_false_unknown(cfg):
    cond = Condition("band_every_year", band="Xuất sắc")
    full = {y: UnitYear(y, "VP", band="Xuất sắc") for y in (2022, 2023, 2024)}
    v = evaluate(cfg, cond, usubject(unit("VP", 93, 1), full), TONG_KET)
    assert v.value is True
    assert v.reasons == ("Xếp loại các năm 2022 - 2025: năm 2022 Xuất sắc, năm 2023 Xuất sắc, năm 2024 Xuất sắc, "
                         "năm 2025 Xuất sắc (tháng 12/2025), yêu cầu: xếp loại Xuất sắc mọi năm — đạt",)
    # a recorded year without a band takes it from the recorded result
    derived = {**full, 2023: UnitYear(2023, "VP", result=D("88.5"))}
    v = evaluate(cfg, cond, usubject(unit("VP", 93, 1), derived), TONG_KET)
    assert v.value is False and "năm 2023 Tốt (88,5 điểm)" in v.reasons[0]
    # a recorded year with neither band nor result is a no, never a guess
    blank = {**full, 2023: UnitYear(2023, "VP")}
    v = evaluate(cfg, cond, usubject(unit("VP", 93, 1), blank), TONG_KET)
    assert v.value is False and "năm 2023 chưa ghi xếp loại" in v.reasons[0]
    gap = {y: r for y, r in full.items() if y != 2023}
    v = evaluate(cfg, cond, usubject(unit("VP", 93, 1), gap), TONG_KET)
    assert v.value is None and v.missing == {2023}
    assert v.reasons[0].endswith("— chưa xác định được (chưa có dữ liệu năm 2023)")


def test_rank_every_year(cfg):
    cond = Condition("rank_every_year", rank=2)
    years = {2022: UnitYear(2022, "VP", rank=1), 2023: UnitYear(2023, "VP", rank=2), 2024: UnitYear(2024, "VP", rank=1)}
    v = evaluate(cfg, cond, usubject(unit("VP", 93, 2), years), TONG_KET)
    assert v.value is True and v.reasons == (
        "Xếp hạng các năm 2022 - 2025: năm 2022 hạng 1, năm 2023 hạng 2, năm 2024 hạng 1, năm 2025 hạng 2 (tháng 12/2025), "
        "yêu cầu: từ hạng 2 trở lên mọi năm — đạt",
    )
    v = evaluate(cfg, cond, usubject(unit("VP", 93, 3), years), TONG_KET)
    assert v.value is False and "năm 2025 hạng 3 (tháng 12/2025)" in v.reasons[0]
    v = evaluate(cfg, cond, usubject(unit("VP", 93, 1), {**years, 2023: UnitYear(2023, "VP", result=D(90))}), TONG_KET)
    assert v.value is False and "năm 2023 chưa ghi hạng" in v.reasons[0]
    v = evaluate(cfg, cond, usubject(unit("VP", 93, 1), {2022: years[2022]}), TONG_KET)
    assert v.value is None and v.missing == {2023, 2024}


def test_average_result_over_the_years(cfg):
    cond = Condition("average_result_at_least", points=D(95))
    years = {2022: UnitYear(2022, "VP", result=D("90.5")), 2023: UnitYear(2023, "VP", result=D("91.25")), 2024: UnitYear(2024, "VP", result=D(93))}
    v = evaluate(cfg, cond, usubject(unit("VP", 101, 1), years), TONG_KET)
    # (90.5 + 91.25 + 93 + 101) / 4 = 93.9375 → 93,94
    assert v.value is False and v.reasons == (
        "Kết quả các năm 2022 - 2025: năm 2022 90,5 điểm, năm 2023 91,25 điểm, năm 2024 93 điểm, "
        "năm 2025 101 điểm (tháng 12/2025); bình quân 93,94 điểm, yêu cầu: bình quân từ 95 điểm — không đạt",
    )
    assert evaluate(cfg, Condition("average_result_at_least", points=D("93.5")), usubject(unit("VP", 101, 1), years), TONG_KET).value is True
    v = evaluate(cfg, cond, usubject(unit("VP", 101, 1), {2022: years[2022]}), TONG_KET)
    assert v.value is None and v.missing == {2023, 2024} and v.reasons[0].endswith("chưa xác định được (chưa có dữ liệu năm 2023, 2024)")


def test_a_unit_created_in_2025_is_judged_on_the_years_it_existed(cfg):
    """CDS joined the agency in 2025 (units.yaml from_year): the final review looks at 2025 only."""
    assert cfg.unit("CDS").from_year == 2025
    s = usubject(unit("CDS", 96, 1), from_year=2025)
    for cond, text in (
        (Condition("band_every_year", band="Xuất sắc"), "Xếp loại các năm 2025 (đơn vị có từ năm 2025): năm 2025 Xuất sắc (tháng 12/2025)"),
        (Condition("rank_every_year", rank=1), "Xếp hạng các năm 2025 (đơn vị có từ năm 2025): năm 2025 hạng 1 (tháng 12/2025)"),
        (Condition("average_result_at_least", points=D(95)), "Kết quả các năm 2025 (đơn vị có từ năm 2025): năm 2025 96 điểm"),
    ):
        v = evaluate(cfg, cond, s, TONG_KET)
        assert v.value is True and v.reasons[0].startswith(text), v.reasons
    # through the engine: the unit's from_year comes from units.yaml
    noms = evaluate_awards(cfg, period="2025-12", milestone="tong-ket", units=[unit("CDS", 96, 1)], history=MemoryHistory())
    assert find(noms, UBND, "Đơn vị CDS").eligible is True
    assert find(noms, TTCP, "Đơn vị CDS").eligible is True and find(noms, TTCP, "Đơn vị CDS").selected
    # a unit that existed all along is "cannot tell" without its earlier years
    noms = evaluate_awards(cfg, period="2025-12", milestone="tong-ket", units=[unit("VP", 96, 1)], history=MemoryHistory())
    assert find(noms, UBND, "Đơn vị VP").eligible is None


# ---------------------------------------------------------------------------------------------------
# A reward already received


def test_prior_award_collective_and_individual(cfg):
    cond = Condition("prior_award", award=UBND)
    u = unit("VP", 93, 1)
    v = evaluate(cfg, cond, usubject(u, awards=[AwardRecord(UBND, 2024, "12/QĐ-UBND")]), TONG_KET)
    assert v.value is True
    assert v.reasons == ("Đã được tặng Bằng khen của Chủ tịch UBND tỉnh: QĐ số 12/QĐ-UBND, năm 2024, yêu cầu: đã được tặng trước năm 2025 — đạt",)
    # the same year's award is not an earlier one; another form does not count
    v = evaluate(cfg, cond, usubject(u, awards=[AwardRecord(UBND, 2025, "3/QĐ-UBND"), AwardRecord(GK, 2023)]), TONG_KET)
    assert v.value is False and v.reasons[0].startswith("Đã được tặng Bằng khen của Chủ tịch UBND tỉnh: QĐ số 3/QĐ-UBND, năm 2025")
    p = person("Phạm Thị Dung")
    v = evaluate(cfg, cond, psubject(p, u, awards=[AwardRecord(UBND, 2023)]), TONG_KET)
    assert v.value is True and v.reasons == ("Đã được tặng Bằng khen của Chủ tịch UBND tỉnh: năm 2023, yêu cầu: đã được tặng trước năm 2025 — đạt",)


def test_prior_award_with_nothing_imported_is_cannot_tell_not_no(cfg):
    cond = Condition("prior_award", award=UBND)
    v = evaluate(cfg, cond, psubject(person("A"), unit("VP", 93, 1)), TONG_KET)
    assert v.value is None and v.missing == {2024}
    assert v.reasons == ("Đã được tặng Bằng khen của Chủ tịch UBND tỉnh, yêu cầu: đã được tặng trước năm 2025 — "
                         "chưa xác định được (chưa có dữ liệu năm 2024 trở về trước)",)
    # once the person's earlier years are in the history, no award recorded is a "no"
    v = evaluate(cfg, cond, psubject(person("A"), unit("VP", 93, 1), {2023: py(2023, "VP")}), TONG_KET)
    assert v.value is False and v.reasons == ("Đã được tặng Bằng khen của Chủ tịch UBND tỉnh: chưa có theo dữ liệu khen thưởng đã nhập, "
                                              "yêu cầu: đã được tặng trước năm 2025 — không đạt",)


def test_prior_award_is_tied_to_the_rules_window_and_accepts_a_ministers_certificate(cfg):
    """Law art. 73.1(b): the five years counted come after the Certificate, which may be a minister's."""
    cond = Condition("prior_award", award=UBND, years_after=5)
    minister = AwardRecord(UBND, 2019, "2150/QĐ-BKHCN", name="Bằng khen của Bộ trưởng Bộ Khoa học và Công nghệ")
    v = evaluate(cfg, cond, psubject(person("A"), unit("VP", 93, 1), awards=[minister]), TONG_KET)
    assert v.value is True and v.reasons == (
        "Đã được tặng Bằng khen của Chủ tịch UBND tỉnh: Bằng khen của Bộ trưởng Bộ Khoa học và Công nghệ (tương đương Bằng khen "
        "của Chủ tịch UBND tỉnh), QĐ số 2150/QĐ-BKHCN, năm 2019, yêu cầu: đã được tặng từ năm 2020 trở về trước — đạt",
    )
    # a Certificate inside the window is the same achievement the window counts: not an earlier one
    v = evaluate(cfg, cond, psubject(person("A"), unit("VP", 93, 1), awards=[AwardRecord(UBND, 2022, "9/QĐ-UBND")]), TONG_KET)
    assert v.value is False and v.reasons[0].endswith("yêu cầu: đã được tặng từ năm 2020 trở về trước — không đạt")


# ---------------------------------------------------------------------------------------------------
# Individual checks


def test_rating_at_least(cfg):
    u = unit("VP", 93, 1)
    v = evaluate(cfg, Condition("rating_at_least", rating="HTTNV"), psubject(person("A", rating="HTXSNV"), u), TONG_KET)
    assert v.value is True
    assert v.reasons == (f"Xếp loại năm 2025: Hoàn thành xuất sắc nhiệm vụ ({SELF}), yêu cầu: Hoàn thành tốt nhiệm vụ trở lên — đạt",)
    v = evaluate(cfg, Condition("rating_at_least", rating="HTXSNV"), psubject(person("A", rating="HTTNV"), u), TONG_KET)
    assert v.value is False and v.reasons == (
        f"Xếp loại năm 2025: Hoàn thành tốt nhiệm vụ ({SELF}), yêu cầu: Hoàn thành xuất sắc nhiệm vụ — không đạt",
    )
    v = evaluate(cfg, Condition("rating_at_least", rating="HTNV"), psubject(person("A", rating=None), u), TONG_KET)
    assert v.value is False and "(chưa ghi xếp loại)" in v.reasons[0]


def test_a_decided_rating_wins_over_the_units_declaration(cfg):
    """The unit typed HTXSNV; the Director's decision says HTTNV: the decision counts, and says so."""
    u = unit("VP", 93, 1)
    decided = {2025: py(2025, "VP", rating="HTTNV", decision="150/QĐ-SKHCN")}
    v = evaluate(cfg, Condition("rating_at_least", rating="HTXSNV"), psubject(person("A", rating="HTXSNV"), u, decided), TONG_KET)
    assert v.value is False
    assert v.reasons == ("Xếp loại năm 2025: Hoàn thành tốt nhiệm vụ, yêu cầu: Hoàn thành xuất sắc nhiệm vụ — không đạt",)
    # a declared rating recorded for the year (close-year) does not override the row
    declared = {2025: py(2025, "VP", rating="HTTNV")}
    assert evaluate(cfg, Condition("rating_at_least", rating="HTXSNV"), psubject(person("A"), u, declared), TONG_KET).value is True
    # over several years, only the declared ones are marked
    cond = Condition("rating_every_year", rating="HTTNV")
    hist = {2022: py(2022, "VP", decision="1/QĐ"), 2023: py(2023, "VP", decision="2/QĐ"), 2024: py(2024, "VP")}
    v = evaluate(cfg, cond, psubject(person("A"), u, hist), TONG_KET)
    assert v.value is True and f"(năm 2024, 2025 {SELF})" in v.reasons[0]


def test_initiatives_at_least_recognised_or_not(cfg):
    u = unit("VP", 93, 1)
    proposed_only = psubject(person("A", initiative="Ý tưởng mới"), u)
    v = evaluate(cfg, Condition("initiatives_at_least", count=1, recognised=False), proposed_only, TONG_KET)
    assert v.value is True and v.reasons == ("Sáng kiến, giải pháp năm 2025: 1, yêu cầu: từ 1 — đạt",)
    v = evaluate(cfg, Condition("initiatives_at_least", count=1, recognised=True), proposed_only, TONG_KET)
    assert v.value is False and v.reasons == ("Sáng kiến được công nhận năm 2025: 0, yêu cầu: từ 1 — không đạt",)
    v = evaluate(cfg, Condition("initiatives_at_least", count=1), psubject(recognised("A"), u), TONG_KET)
    assert v.value is True


def test_rating_years_with_initiatives_in_different_years(cfg):
    cond = Condition("rating_years", rating="HTXSNV", years=2, initiatives=2, level="co-so")
    u = unit("VP", 93, 1)
    p = recognised("A")  # 2025: one recognised initiative
    v = evaluate(cfg, cond, psubject(p, u, {2024: py(2024, "VP", initiatives=1)}), TONG_KET)
    assert v.value is True
    assert v.reasons == (
        "Xếp loại các năm 2024 - 2025: năm 2024 Hoàn thành xuất sắc nhiệm vụ, năm 2025 Hoàn thành xuất sắc nhiệm vụ "
        f"({SELF}), yêu cầu: Hoàn thành xuất sắc nhiệm vụ 2 năm liên tiếp — đạt",
        "Sáng kiến được công nhận cấp Cơ sở trở lên trong 2024 - 2025: 2 (năm 2024: 1, năm 2025: 1), yêu cầu: từ 2 — đạt",
    )
    # one initiative short
    v = evaluate(cfg, cond, psubject(p, u, {2024: py(2024, "VP")}), TONG_KET)
    assert v.value is False and v.reasons[1].endswith("1 (năm 2024: 0, năm 2025: 1), yêu cầu: từ 2 — không đạt")
    # a provincial initiative is at least base level; a base one is not provincial
    v = evaluate(cfg, cond, psubject(p, u, {2024: py(2024, "VP", initiatives=1, level="tinh")}), TONG_KET)
    assert v.value is True
    tinh = Condition("rating_years", rating="HTXSNV", years=2, initiatives=2, level="tinh")
    assert evaluate(cfg, tinh, psubject(p, u, {2024: py(2024, "VP", initiatives=1, level="tinh")}), TONG_KET).value is False
    # the rating below in one year
    v = evaluate(cfg, cond, psubject(p, u, {2024: py(2024, "VP", rating="HTTNV", initiatives=1)}), TONG_KET)
    assert v.value is False and "năm 2024 Hoàn thành tốt nhiệm vụ" in v.reasons[0]
    # 2024 absent: cannot tell, naming 2024
    v = evaluate(cfg, cond, psubject(p, u, {}), TONG_KET)
    assert v.value is None and v.missing == {2024}
    assert v.reasons[0] == (f"Xếp loại các năm 2024 - 2025: năm 2025 Hoàn thành xuất sắc nhiệm vụ ({SELF}), yêu cầu: Hoàn thành "
                            "xuất sắc nhiệm vụ 2 năm liên tiếp — chưa xác định được (chưa có dữ liệu năm 2024)")
    # a record of 2024 without a rating is a no
    v = evaluate(cfg, cond, psubject(p, u, {2024: py(2024, "VP", rating=None, initiatives=1)}), TONG_KET)
    assert v.value is False and "năm 2024 (chưa ghi xếp loại)" in v.reasons[0]


def test_rating_years_with_two_science_and_technology_tasks(cfg):
    """Law art. 74.1(d), third alternative: 2 years HTXSNV with 2 S&T tasks accepted and applied."""
    cond = Condition("rating_years", rating="HTXSNV", years=2, tasks=2)
    u = unit("QLKH", 93, 1)
    p = person("A", tasks="Đề tài bản đồ số nhiệm vụ KH&CN (QĐ nghiệm thu 5/QĐ-SKHCN)")
    v = evaluate(cfg, cond, psubject(p, u, {2024: py(2024, "QLKH", tasks=1)}), TONG_KET)
    assert v.value is True
    assert v.reasons[1] == "Đề tài, đề án KH&CN đã nghiệm thu, áp dụng trong 2024 - 2025: 2 (năm 2024: 1, năm 2025: 1), yêu cầu: từ 2 — đạt"
    # initiatives are not S&T tasks, and the reverse
    assert evaluate(cfg, cond, psubject(p, u, {2024: py(2024, "QLKH", initiatives=1)}), TONG_KET).value is False
    both = person("A", tasks="Đề tài 1; Đề tài 2")  # two tasks on one row, separated by ';'
    assert evaluate(cfg, cond, psubject(both, u, {2024: py(2024, "QLKH")}), TONG_KET).value is True


def test_rating_years_or_better(cfg):
    cond = Condition("rating_years", rating="HTTNV", years=5)
    u = unit("VP", 93, 1)
    hist = {y: py(y, "VP", rating="HTTNV" if y % 2 else "HTXSNV") for y in range(2021, 2025)}
    v = evaluate(cfg, cond, psubject(person("A"), u, hist), TONG_KET)
    assert v.value is True and v.reasons[0].startswith("Xếp loại các năm 2021 - 2025: năm 2021 Hoàn thành tốt nhiệm vụ")
    assert v.reasons[0].endswith("yêu cầu: Hoàn thành tốt nhiệm vụ trở lên 5 năm liên tiếp — đạt")
    hist[2022] = py(2022, "VP", rating="HTNV")
    assert evaluate(cfg, cond, psubject(person("A"), u, hist), TONG_KET).value is False


def test_windows_limited_to_the_movement(cfg):
    """2026 - 2030: "within: movement" keeps 2024 - 2025 (the previous movement, already rewarded) out."""
    scope = Scope(2027, (2026, 2027, 2028), "2027-12")  # the 2026 - 2030 movement's sơ kết, previewed in 2027
    u = unit("VP", 93, 1)
    hist = {y: py(y, "VP", titles=("CSTDCS",)) for y in (2024, 2025, 2026)}
    cond = Condition("rating_years", rating="HTXSNV", years=2, within="movement")
    assert evaluate(cfg, cond, psubject(person("A"), u, hist), scope).value is True  # 2026 - 2027
    v = evaluate(cfg, Condition("rating_years", rating="HTXSNV", years=3, within="movement"), psubject(person("A"), u, hist), scope)
    assert v.value is False and v.reasons == (
        "Xếp loại trong các năm của phong trào (2026 - 2027): phong trào mới có 2 năm đến năm 2027, "
        "yêu cầu: Hoàn thành xuất sắc nhiệm vụ 3 năm liên tiếp — không đạt",
    )
    # without the limit, the 2027 review reaches back to 2025 and 2024
    plain = Condition("title_years", title="CSTDCS", years=2, within=2)
    v = evaluate(cfg, plain, psubject(person("A"), u, hist), scope)
    assert v.value is True and "2025 - 2026" in v.reasons[0]
    limited = Condition("title_years", title="CSTDCS", years=2, within="movement")
    v = evaluate(cfg, limited, psubject(person("A"), u, hist), scope)
    assert v.value is None and v.missing == {2027}
    assert v.reasons[0].startswith("Danh hiệu Chiến sĩ thi đua cơ sở trong các năm của phong trào 2026 - 2027: 1 lần (năm 2026)")


def test_title_years(cfg):
    cond = Condition("title_years", title="CSTDCS", years=3, within=5)
    u = unit("VP", 93, 1)
    hist = {y: py(y, "VP", titles=("CSTDCS",) if y in (2021, 2023, 2025) else ("LDTT",), decision=f"{y}/QĐ") for y in range(2021, 2026)}
    v = evaluate(cfg, cond, psubject(person("A"), u, hist), TONG_KET)
    assert v.value is True
    assert v.reasons == ("Danh hiệu Chiến sĩ thi đua cơ sở trong 2021 - 2025: 3 lần (năm 2021, 2023, 2025), yêu cầu: 3 lần trong 5 năm — đạt",)
    hist[2023] = py(2023, "VP")
    v = evaluate(cfg, cond, psubject(person("A"), u, hist), TONG_KET)
    assert v.value is False and f"(năm 2021, 2025) (năm 2021 {SELF})" not in v.reasons[0]
    del hist[2022]  # two titles known, one year unknown: could still reach three
    v = evaluate(cfg, cond, psubject(person("A"), u, hist), TONG_KET)
    assert v.value is None and v.reasons[0].endswith("2 lần (năm 2021, 2025), yêu cầu: 3 lần trong 5 năm — chưa xác định được (chưa có dữ liệu năm 2022)")


def test_title_years_without_current_year_looks_at_the_previous_window(cfg):
    cond = Condition("title_years", title="CSTDCS", years=2, within=2)
    u = unit("VP", 93, 1)
    hist = {2023: py(2023, "VP", titles=("CSTDCS",)), 2024: py(2024, "VP", titles=("CSTDCS",))}
    v = evaluate(cfg, cond, psubject(person("A"), u, hist), TONG_KET)
    assert v.value is True
    assert v.reasons == ("Danh hiệu Chiến sĩ thi đua cơ sở trong 2023 - 2024 (chưa có dữ liệu danh hiệu năm 2025 nên xét đến năm 2024): "
                         f"2 lần (năm 2023, 2024) ({SELF}), yêu cầu: 2 năm liên tiếp — đạt",)
    v = evaluate(cfg, cond, psubject(person("A"), u, {2024: hist[2024]}), TONG_KET)
    assert v.value is None and v.missing == {2023}


def test_rating_every_year(cfg):
    cond = Condition("rating_every_year", rating="HTXSNV")
    u = unit("VP", 93, 1)
    hist = {y: py(y, "VP", decision=f"{y}/QĐ") for y in (2022, 2023, 2024)}
    v = evaluate(cfg, cond, psubject(person("A"), u, hist), TONG_KET)
    assert v.value is True and v.reasons[0] == (
        "Xếp loại các năm 2022 - 2025: năm 2022 Hoàn thành xuất sắc nhiệm vụ, năm 2023 Hoàn thành xuất sắc nhiệm vụ, "
        "năm 2024 Hoàn thành xuất sắc nhiệm vụ, năm 2025 Hoàn thành xuất sắc nhiệm vụ "
        f"(năm 2025 {SELF}), yêu cầu: Hoàn thành xuất sắc nhiệm vụ mọi năm — đạt"
    )
    assert evaluate(cfg, cond, psubject(person("A", rating="HTTNV"), u, hist), TONG_KET).value is False
    del hist[2022]
    v = evaluate(cfg, cond, psubject(person("A"), u, hist), TONG_KET)
    assert v.value is None and "chưa có dữ liệu năm 2022" in v.reasons[0]


def test_initiatives_in_the_movement(cfg):
    cond = Condition("initiatives_in_movement", count=2, include_tasks=True)
    u = unit("VP", 93, 1)
    hist = {2022: py(2022, "VP"), 2023: py(2023, "VP", initiatives=1), 2024: py(2024, "VP", tasks=1)}
    v = evaluate(cfg, cond, psubject(recognised("A"), u, hist), TONG_KET)
    assert v.value is True and v.reasons == (
        "Sáng kiến được công nhận cấp Cơ sở trở lên hoặc đề tài, đề án KH&CN đã nghiệm thu, áp dụng trong các năm 2022 - 2025: "
        "3 (năm 2022: 0, năm 2023: 1, năm 2024: 1, năm 2025: 1), yêu cầu: từ 2 — đạt",
    )
    # enough already counted: the missing years cannot change it
    assert evaluate(cfg, Condition("initiatives_in_movement", count=1), psubject(recognised("A"), u), TONG_KET).value is True
    v = evaluate(cfg, Condition("initiatives_in_movement", count=2), psubject(recognised("A"), u), TONG_KET)
    assert v.value is None and v.missing == {2022, 2023, 2024}


def test_unit_band_at_least(cfg):
    cond = Condition("unit_band_at_least", band="Tốt")
    v = evaluate(cfg, cond, psubject(person("A"), unit("VP", "80", 3)), TONG_KET)
    assert v.value is True and v.reasons == ("Kết quả của đơn vị VP tháng 12/2025: 80 điểm, xếp loại Tốt, yêu cầu: xếp loại từ Tốt trở lên — đạt",)
    v = evaluate(cfg, cond, psubject(person("A"), unit("VP", "79.99", 3)), TONG_KET)
    assert v.value is False and v.reasons == ("Kết quả của đơn vị VP tháng 12/2025: 79,99 điểm, xếp loại Khá, yêu cầu: xếp loại từ Tốt trở lên — không đạt",)


@pytest.mark.parametrize("values", list(itertools.product([True, False, None], repeat=2)))
def test_three_valued_combination(values):
    verdicts = [Verdict(v, (f"điều kiện {i}",), frozenset({2020 + i}) if v is None else frozenset()) for i, v in enumerate(values)]
    all_v = combine("all_of", verdicts)
    any_v = combine("any_of", verdicts)
    expect_all = False if False in values else (None if None in values else True)
    expect_any = True if True in values else (None if None in values else False)
    assert all_v.value is expect_all and any_v.value is expect_any
    assert all_v.reasons == ("điều kiện 0", "điều kiện 1")
    assert any_v.reasons == ("điều kiện 0", "Hoặc: điều kiện 1")
    assert any_v.missing == all_v.missing == {2020 + i for i, v in enumerate(values) if v is None}


def test_alternatives_read_as_alternatives():
    a = Verdict(False, ("A: không đạt",))
    bc = combine("all_of", [Verdict(True, ("B: đạt",)), Verdict(True, ("C: đạt",))])
    v = combine("any_of", [a, bc])
    assert v.value is True and v.reasons == ("A: không đạt", "Hoặc: B: đạt", "và C: đạt")


# ---------------------------------------------------------------------------------------------------
# The default rules


def _every_check(cond: Condition):
    return [c for c in cond.walk() if c.check not in ("all_of", "any_of")]


MULTI_YEAR = {"band_every_year", "rank_every_year", "average_result_at_least", "rating_years", "title_years",
              "rating_every_year", "initiatives_in_movement", "prior_award"}


def _multi_year_checks(cfg, unit_subject, person_subject):
    """(rule, condition, subject) for every multi-year check of the shipped rules, with its kind's subject."""
    for rule in cfg.criteria.awards:
        for target, subject in ((rule.collective, unit_subject), (rule.individual, person_subject)):
            for cond in (target.condition, target.regular):
                for c in _every_check(cond) if cond else ():
                    if c.check in MULTI_YEAR:
                        yield rule, c, subject


def test_with_no_history_every_multi_year_check_of_the_default_rules_cannot_tell(cfg):
    """Nothing imported: a candidate whose current year meets everything is never "not eligible" for a lack of
    history — every multi-year check of the shipped rules answers "cannot tell", naming the years."""
    u = unit("VP", 101, 1)
    p = person("A")  # HTXSNV this year; no initiative, no task
    found = set()
    for rule, c, subject in _multi_year_checks(cfg, usubject(u), psubject(p, u)):
        found.add(c.check)
        v = evaluate(cfg, c, subject, TONG_KET)
        assert v.value is None and v.missing, (rule.id, c)
        assert "chưa có dữ liệu năm" in v.reasons[0], v.reasons
    # a count the current year already reaches is met, missing years or not
    met = evaluate(cfg, Condition("initiatives_in_movement", count=1), psubject(recognised("A"), u), TONG_KET)
    assert met.value is True
    assert found == MULTI_YEAR
    noms = evaluate_awards(cfg, period="2025-12", milestone="tong-ket", units=[unit("VP", 101, 1, persons=[recognised("A", proposal=TTCP)])], history=MemoryHistory())
    assert [n.eligible for n in noms if n.award != GK] == [None, None, None, None]


def test_with_no_history_a_current_year_that_falls_short_still_cannot_tell_and_says_which_year(cfg):
    """Nothing imported, and this year alone already falls short (rank 4, result 80, rated HTTNV): every
    multi-year check still answers "cannot tell" — the missing years are named, and so is the year short."""
    u = unit("TTRA", 80, 4)
    p = person("B", rating="HTTNV")
    for rule, c, subject in _multi_year_checks(cfg, usubject(u), psubject(p, u)):
        v = evaluate(cfg, c, subject, TONG_KET)
        assert v.value is None and v.missing, (rule.id, c, v)
        assert "— chưa xác định được (chưa có dữ liệu năm" in v.reasons[0], v.reasons
    rank = evaluate(cfg, Condition("rank_every_year", rank=2), usubject(u), TONG_KET)
    assert rank.reasons == ("Xếp hạng các năm 2022 - 2025: năm 2025 hạng 4 (tháng 12/2025, không đạt), yêu cầu: từ hạng 2 trở lên "
                            "mọi năm — chưa xác định được (chưa có dữ liệu năm 2022, 2023, 2024)",)
    rating = evaluate(cfg, Condition("rating_every_year", rating="HTXSNV"), psubject(p, u), TONG_KET)
    assert "năm 2025 Hoàn thành tốt nhiệm vụ (không đạt)" in rating.reasons[0]
    # with every year known, the same short year is a plain "no"
    hist = {y: UnitYear(y, "TTRA", result=D(90), band="Xuất sắc", rank=1) for y in (2022, 2023, 2024)}
    assert evaluate(cfg, Condition("rank_every_year", rank=2), usubject(u, hist), TONG_KET).value is False


def test_the_prime_ministers_thematic_route_asks_no_prior_certificate(cfg):
    """Law art. 73.1(a) at the final review: HTXSNV every year and two initiatives or S&T tasks in the
    movement; 73.1(b) (a prior Certificate, 5 years, 3 CSTĐCS) is the regular route, for yearly reviews."""
    rule = cfg.criteria.award(TTCP).individual
    assert not any(c.check == "prior_award" for c in rule.condition.walk())
    assert any(c.check == "prior_award" and c.years_after == 5 for c in rule.regular.walk())
    u = unit("VP", 93, 1)
    hist = {y: py(y, "VP", initiatives=1 if y == 2023 else 0) for y in (2022, 2023, 2024)}
    v = evaluate(cfg, rule.condition, psubject(recognised("A"), u, hist), TONG_KET)
    assert v.value is True
    # the regular route: a minister's Certificate of 2019, then 2021 - 2025 HTTNV or better with 3 CSTĐCS
    award = [AwardRecord(UBND, 2019, "7/QĐ-BKHCN", name="Bằng khen của Bộ trưởng Bộ Khoa học và Công nghệ")]
    hist = {y: py(y, "VP", rating="HTTNV", titles=("CSTDCS",) if y in (2021, 2022, 2024) else ()) for y in range(2021, 2026)}
    assert evaluate(cfg, rule.regular, psubject(person("A"), u, hist, award), TONG_KET).value is True
    # no Certificate recorded, and nothing known of 2020 or before: cannot tell; with 2020 known: no
    assert evaluate(cfg, rule.regular, psubject(person("A"), u, hist, ()), TONG_KET).value is None
    hist[2020] = py(2020, "VP", rating="HTTNV")
    assert evaluate(cfg, rule.regular, psubject(person("A"), u, hist, ()), TONG_KET).value is False


def test_the_chairmans_regular_standard_has_the_science_and_technology_alternative(cfg):
    """Law art. 74.1(d): 2 CSTĐCS in a row; or 2 years HTXSNV with 2 initiatives; or with 2 S&T tasks."""
    regular = cfg.criteria.award(UBND).individual.regular
    alternatives = regular.of
    assert regular.check == "any_of" and len(alternatives) == 3
    assert alternatives[2].check == "rating_years" and alternatives[2].tasks == 2 and alternatives[2].initiatives == 0
    u = unit("QLKH", 93, 1)
    p = person("A", tasks="Đề tài bản đồ số")
    v = evaluate(cfg, regular, psubject(p, u, {2024: py(2024, "QLKH", tasks=1)}), TONG_KET)
    assert v.value is True and v.reasons[-1].startswith("và Đề tài, đề án KH&CN đã nghiệm thu, áp dụng trong 2024 - 2025: 2")


# ---------------------------------------------------------------------------------------------------
# A four-year history (2022 - 2025) at the final review


def four_year_case():
    an = recognised("Nguyễn Văn An", proposal=UBND, birth=1980, row=8)
    binh = recognised("Trần Thị Bình", proposal=UBND, birth=1985, row=9)
    cuong = person("Lê Văn Cường", birth=1975, proposal=TTCP, row=8)
    units = [
        unit("VP", "95.5", 1, persons=[an, binh]),
        unit("KHTC", "92.25", 2, persons=[cuong]),
        unit("QLKH", "88", 3),
        unit("TTRA", None, None, status="missing"),
    ]
    k_an, k_binh, k_cuong = key(an.name, 1980, "VP"), key(binh.name, 1985, "VP"), key(cuong.name, 1975, "KHTC")
    hist = MemoryHistory(
        persons={
            k_an: {2022: py(2022, "VP", "HTTNV"), 2023: py(2023, "VP", "HTTNV"), 2024: py(2024, "VP", initiatives=1)},
            k_binh: {2022: py(2022, "VP"), 2023: py(2023, "VP")},
            k_cuong: {y: py(y, "KHTC", titles=("CSTDCS",), initiatives=1 if y > 2022 else 0, decision=f"{y}/QĐ") for y in (2022, 2023, 2024)},
        },
        units={
            "VP": {y: UnitYear(y, "VP", result=D(94), band="Xuất sắc", rank=1) for y in (2022, 2023, 2024)},
            "KHTC": {y: UnitYear(y, "KHTC", result=D(91), band="Xuất sắc", rank=2) for y in (2022, 2023, 2024)},
            "QLKH": {y: UnitYear(y, "QLKH", result=D(85), band="Tốt", rank=3) for y in (2022, 2023, 2024)},
        },
    )
    return units, hist


def test_four_year_history_at_tong_ket(cfg):
    units, hist = four_year_case()
    noms = evaluate_awards(cfg, period="2025-12", milestone="tong-ket", units=units, history=hist)

    # An: HTTNV 2022-2023, HTXSNV 2024-2025, an initiative in each of 2024 and 2025 → the Chairman's (thematic)
    an = find(noms, UBND, "Nguyễn Văn An")
    assert an.eligible is True and an.proposed and an.selected
    assert any("(năm 2022: 0, năm 2023: 0, năm 2024: 1, năm 2025: 1)" in r for r in an.reasons)
    assert find(noms, TTCP, "Nguyễn Văn An").eligible is False
    assert not find(noms, GK, "Nguyễn Văn An").selected
    assert find(noms, GK, "Nguyễn Văn An").note.startswith(f"Đã chọn hình thức cao hơn: {UBND_NAME}")

    # Bình: 2024 missing → cannot tell, naming 2024; her proposal falls to the Giấy khen
    binh = find(noms, UBND, "Trần Thị Bình")
    assert binh.eligible is None and binh.proposed and not binh.selected
    assert any("chưa có dữ liệu năm 2024" in r for r in binh.reasons)
    assert binh.note == f"Đề nghị {UBND_NAME} chưa xác định được đủ điều kiện (chưa có dữ liệu năm 2024); chuyển xét {GK_NAME}"
    gk = find(noms, GK, "Trần Thị Bình")
    assert gk.selected
    assert gk.note == f"Chuyển xét từ đề nghị {UBND_NAME}: chưa xác định được đủ điều kiện (chưa có dữ liệu năm 2024)"

    # Cường: HTXSNV every year (decided until 2024) with 2 initiatives in the movement → the Prime Minister's,
    # on the thematic route that asks no prior Certificate
    cuong = find(noms, TTCP, "Lê Văn Cường")
    assert cuong.eligible is True and cuong.proposed and cuong.selected
    assert cuong.reasons[0].endswith(f"(năm 2025 {SELF}), yêu cầu: Hoàn thành xuất sắc nhiệm vụ mọi năm — đạt")
    c_ubnd = find(noms, UBND, "Lê Văn Cường")
    assert c_ubnd.eligible is True and not c_ubnd.selected and "Đã chọn hình thức cao hơn" in c_ubnd.note

    # collectives, over the four years: VP first every year (average 94,38 < 95: not the Prime Minister's)
    vp = [n for n in noms if n.unit_code == "VP" and n.kind == "collective"]
    assert [(n.award, n.eligible, n.selected) for n in vp] == [(TTCP, False, False), (UBND, True, True), (GK, True, False)]
    assert "bình quân 94,38 điểm" in find(noms, TTCP, "Đơn vị VP").reasons[1]
    assert find(noms, UBND, "Đơn vị KHTC").selected
    # QLKH "Tốt" every year: the Giấy khen only
    assert find(noms, UBND, "Đơn vị QLKH").eligible is False and find(noms, GK, "Đơn vị QLKH").selected
    # TTRA sent nothing this year and has no history: judged over the years, it cannot tell (never "no")
    ttra = find(noms, GK, "Đơn vị TTRA")
    assert ttra.eligible is None and not ttra.selected
    assert ttra.reasons == ["Xếp loại các năm 2022 - 2025, yêu cầu: xếp loại từ Tốt trở lên mọi năm — chưa xác định được "
                            "(chưa có dữ liệu năm 2022, 2023, 2024, 2025)"]

    # deterministic order: level desc, collectives first, then quota order
    assert [(n.award, n.kind, n.name) for n in noms][:8] == [
        (TTCP, "collective", "Đơn vị VP"), (TTCP, "collective", "Đơn vị KHTC"),
        (TTCP, "collective", "Đơn vị QLKH"), (TTCP, "collective", "Đơn vị TTRA"),
        (TTCP, "individual", "Nguyễn Văn An"), (TTCP, "individual", "Trần Thị Bình"),
        (TTCP, "individual", "Lê Văn Cường"), (UBND, "collective", "Đơn vị VP"),
    ]
    assert noms == evaluate_awards(cfg, period="2025-12", milestone="tong-ket", units=units, history=hist)
    # every candidate is selected at most once
    selected = [(n.kind, n.unit_code, n.name) for n in noms if n.selected]
    assert len(selected) == len(set(selected))


def test_a_tong_ket_over_four_closed_years_cites_the_years_in_every_collective_reason(cfg):
    units, hist = four_year_case()
    noms = evaluate_awards(cfg, period="2025-12", milestone="tong-ket", units=units, history=hist)
    collective = [n for n in noms if n.kind == "collective" and n.unit_code != "TTRA"]
    assert collective
    for n in collective:
        for r in n.reasons:
            assert "các năm 2022 - 2025" in r, r
            assert all(f"năm {y}" in r for y in (2022, 2023, 2024, 2025)), r
        assert n.achievement.startswith("Kết quả phong trào các năm 2022 - 2025: năm 2022: ")
        assert "năm 2025 (tháng 12/2025)" in n.achievement
    assert find(noms, UBND, "Đơn vị VP").achievement == (
        "Kết quả phong trào các năm 2022 - 2025: năm 2022: 94 điểm, xếp loại Xuất sắc, hạng 1; năm 2023: 94 điểm, xếp loại Xuất sắc, "
        "hạng 1; năm 2024: 94 điểm, xếp loại Xuất sắc, hạng 1; năm 2025 (tháng 12/2025): 95,5 điểm, xếp loại Xuất sắc, hạng 1."
    )


def test_cannot_tell_collective_is_never_selected(cfg):
    units, hist = four_year_case()
    del hist.units["VP"][2023]
    noms = evaluate_awards(cfg, period="2025-12", milestone="tong-ket", units=units, history=hist)
    vp = find(noms, UBND, "Đơn vị VP")
    assert vp.eligible is None and not vp.selected
    assert find(noms, GK, "Đơn vị VP").eligible is None and not find(noms, GK, "Đơn vị VP").selected


# ---------------------------------------------------------------------------------------------------
# Proposals, the one-form rule and quotas (monthly runs: the Giấy khen's yearly standard)


def test_unproposed_person_is_shown_but_not_selected(cfg):
    p = recognised("Võ Thị Hoa")
    noms = evaluate_awards(cfg, period="2025-06", milestone=None, units=[unit("VP", 95, 1, persons=[p])], history=MemoryHistory())
    gk = find(noms, GK, p.name)
    assert gk.eligible is True and not gk.selected and gk.note == "Đơn vị không đề nghị"


def test_lower_proposal_is_respected(cfg):
    p = recognised("Nguyễn Văn An", proposal=GK)
    hist = MemoryHistory(persons={key(p.name, 1980, "VP"): {y: py(y, "VP") for y in (2022, 2023, 2024)}})
    noms = evaluate_awards(cfg, period="2025-12", milestone="tong-ket", units=[unit("VP", 95, 1, persons=[p])], history=hist)
    ubnd = find(noms, UBND, p.name)
    assert ubnd.eligible is True and not ubnd.selected and ubnd.note == f"Đơn vị đề nghị {GK_NAME}"
    gk = find(noms, GK, p.name)
    assert gk.selected and gk.proposed


def test_refused_proposal_falls_to_a_lower_form(cfg):
    p = recognised("Đỗ Văn Hùng", proposal=UBND)
    hist = MemoryHistory(persons={key(p.name, 1980, "VP"): {y: py(y, "VP", rating="HTNV" if y == 2024 else "HTXSNV") for y in (2022, 2023, 2024)}})
    noms = evaluate_awards(cfg, period="2025-12", milestone="tong-ket", units=[unit("VP", 95, 1, persons=[p])], history=hist)
    ubnd = find(noms, UBND, p.name)
    assert ubnd.eligible is False and ubnd.proposed and not ubnd.selected
    assert ubnd.note == f"Đề nghị {UBND_NAME} không đủ điều kiện; chuyển xét {GK_NAME}"
    assert find(noms, GK, p.name).selected


def test_refused_proposal_with_nothing_lower(cfg):
    p = person("Đỗ Văn Hùng", rating="HTTNV", proposal=GK)
    noms = evaluate_awards(cfg, period="2025-12", milestone="tong-ket", units=[unit("VP", 95, 1, persons=[p])], history=MemoryHistory())
    gk = find(noms, GK, p.name)
    assert gk.eligible is False and gk.proposed and not gk.selected
    assert gk.note == f"Đề nghị {GK_NAME} không đủ điều kiện; không còn hình thức thấp hơn đủ điều kiện"
    assert not any(n.selected for n in noms if n.kind == "individual")


def test_collective_quota_cut_falls_to_the_next_form(cfg):
    # the Chairman's Certificate (quota 2) for three units ranked 1, 2, 3 over the sơ kết's years
    units = [unit("VP", 96, 1), unit("QLKH", "93.5", 2), unit("KHTC", "92", 3)]
    hist = MemoryHistory(units={u.code: {2022: UnitYear(2022, u.code, band="Xuất sắc", rank=u.rank)} for u in units})
    noms = evaluate_awards(cfg, period="2023-12", milestone="so-ket", units=units, history=hist)
    ubnd = [n for n in noms if n.award == UBND]
    assert [(n.unit_code, n.eligible, n.selected) for n in ubnd] == [("VP", True, True), ("QLKH", True, True), ("KHTC", True, False)]
    assert ubnd[2].note == f"Vượt chỉ tiêu 2 tập thể của {UBND_NAME}; thứ 3 trong số được xét hình thức này; chuyển xét {GK_NAME}"
    gk = find(noms, GK, "Đơn vị KHTC")
    assert gk.selected and gk.note == f"Chuyển xét do vượt chỉ tiêu {UBND_NAME}"


def test_max_per_unit_and_quota_order(cfg):
    # The Chairman's Certificate: at most 1 person per unit. Both qualify; the one with two recognised
    # initiatives this year goes first, the other is cut and falls to the Giấy khen.
    a = recognised("Bùi Văn Tâm", proposal=UBND, row=8)
    b1 = recognised("Âu Thị Lan", proposal=UBND, row=9)
    b2 = person("Âu Thị Lan", initiative="Phần mềm", decision="2/QĐ", level="tinh", proposal=UBND, row=10)
    units = [unit("VP", 95, 1, persons=[a, b1, b2])]
    hist = MemoryHistory(persons={
        key(a.name, 1980, "VP"): {y: py(y, "VP") for y in (2022, 2023, 2024)},
        key(b1.name, 1980, "VP"): {y: py(y, "VP") for y in (2022, 2023, 2024)},
    })
    noms = evaluate_awards(cfg, period="2025-12", milestone="tong-ket", units=units, history=hist)
    ubnd = [n for n in noms if n.award == UBND and n.kind == "individual"]
    assert [(n.name, n.eligible, n.selected) for n in ubnd] == [("Âu Thị Lan", True, True), ("Bùi Văn Tâm", True, False)]
    assert ubnd[1].note == f"Vượt chỉ tiêu 1 cá nhân mỗi đơn vị của {UBND_NAME}; xếp thứ 2 trong đơn vị VP; chuyển xét {GK_NAME}"
    assert find(noms, GK, "Bùi Văn Tâm").selected


def test_quota_order_and_total_cut_on_an_edited_config(tmp_path):
    def edit(data):
        gk = next(r for r in data["awards"]["rules"] if r["id"] == GK)
        gk["individual"] = {"check": "rating_at_least", "rating": "HTTNV", "quota": {"max_total": 2}}

    c = edited_config(tmp_path, edit)
    units = [
        unit("VP", 90, 2, persons=[person("Ân", rating="HTTNV", proposal=GK), person("Bảo", rating="HTXSNV", proposal=GK, row=9)]),
        unit("KHTC", 97, 1, persons=[person("Yến", rating="HTTNV", proposal=GK)]),
    ]
    noms = evaluate_awards(c, period="2025-06", milestone=None, units=units, history=MemoryHistory())
    gk = [n for n in noms if n.award == GK and n.kind == "individual"]
    # KHTC's result first, then within VP the better rating
    assert [(n.name, n.selected) for n in gk] == [("Yến", True), ("Bảo", True), ("Ân", False)]
    assert gk[2].note == f"Vượt chỉ tiêu 2 cá nhân của {GK_NAME}; thứ 3 trong số được xét hình thức này; không còn hình thức thấp hơn đủ điều kiện"


def test_edited_config_score_and_unit_band_checks(tmp_path):
    def edit(data):
        gk = next(r for r in data["awards"]["rules"] if r["id"] == GK)
        gk["collective"] = {"all_of": [
            {"check": "band_at_least", "band": "Khá"},
            {"check": "score_at_least", "criterion": "4.2", "points": 6},
        ]}
        gk["individual"] = {"all_of": [
            {"check": "rating_at_least", "rating": "HTTNV"},
            {"check": "unit_band_at_least", "band": "Tốt"},
        ]}

    c = edited_config(tmp_path, edit)
    crit = [CriterionScore("4.2", D(10), True, D(6), D(6), None, D(6), "computed")]
    low = [CriterionScore("4.2", D(10), True, D(0), D(0), None, D(0), "computed")]
    units = [
        unit("VP", 85, 1, criteria=crit, persons=[person("Ân", rating="HTTNV", proposal=GK)]),
        unit("KHTC", 70, 2, criteria=low, persons=[person("Yến", rating="HTXSNV", proposal=GK)]),
    ]
    noms = evaluate_awards(c, period="2025-06", milestone=None, units=units, history=MemoryHistory())
    vp, khtc = find(noms, GK, "Đơn vị VP"), find(noms, GK, "Đơn vị KHTC")
    assert vp.eligible is True and vp.selected and "Điểm tiêu chí 4.2 tháng 6/2025: 6 điểm, yêu cầu: từ 6 điểm — đạt" in vp.reasons
    assert khtc.eligible is False and "Điểm tiêu chí 4.2 tháng 6/2025: 0 điểm, yêu cầu: từ 6 điểm — không đạt" in khtc.reasons
    assert find(noms, GK, "Ân").selected
    yen = find(noms, GK, "Yến")
    assert yen.eligible is False
    assert "Kết quả của đơn vị KHTC tháng 6/2025: 70 điểm, xếp loại Khá, yêu cầu: xếp loại từ Tốt trở lên — không đạt" in yen.reasons


def test_candidates_skip_invalid_rows_and_merge_a_person_listed_twice(cfg):
    rows = [
        person("Nguyễn Văn An", initiative="SK 1", proposal=GK, row=8),
        person("nguyễn  văn an", initiative="SK 2", row=9),  # same person (folded name, birth year, unit)
        person("Hồ Văn Sai", proposal=GK, valid=False, row=10),
    ]
    noms = evaluate_awards(cfg, period="2025-06", milestone=None, units=[unit("VP", 95, 1, persons=rows)], history=MemoryHistory())
    indiv = [n for n in noms if n.kind == "individual" and n.award == GK]
    assert [(n.name, n.selected) for n in indiv] == [("Nguyễn Văn An", True)]
    assert indiv[0].reasons[-1] == "Sáng kiến, giải pháp năm 2025: 2, yêu cầu: từ 1 — đạt"
    assert indiv[0].person.row == 8


def test_shared_verdicts_match_each_person_evaluated_alone(tmp_path):
    """The engine works a verdict out once for people with the same facts; what each person gets must be
    what evaluating that person alone gives: same rating and rows in two units, one with history."""
    def edit(data):
        gk = next(r for r in data["awards"]["rules"] if r["id"] == GK)
        gk["individual"] = {"all_of": [
            {"check": "rating_at_least", "rating": "HTTNV"},
            {"check": "unit_band_at_least", "band": "Tốt"},
        ]}

    c = edited_config(tmp_path, edit)
    same = dict(rating="HTXSNV", initiative="SK", decision="1/QĐ", level="co-so")
    units = [
        unit("VP", 85, 1, persons=[person("An", **same, row=8), person("Bình", **same, row=9), person("Chi", rating="HTTNV", row=10)]),
        unit("KHTC", 70, 2, persons=[person("Dũng", **same, row=8), person("Em", **same, row=9)]),
    ]
    history = MemoryHistory(persons={key("Bình", 1980, "VP"): {y: py(y, "VP") for y in (2022, 2023, 2024)}})
    noms = evaluate_awards(c, period="2025-06", milestone="tong-ket", units=units, history=history)
    rules, ms = rules_for(c, "2025-06", "tong-ket")
    scope = scope_for(c, "2025-06", ms)
    for u in units:
        for p in u.submission.persons:
            k = key(p.name, p.birth_year, u.code)
            alone = psubject(p, u, history.person_years(k), history.person_awards(k))
            for r in rules:
                if r.individual is None:
                    continue
                v = evaluate(c, r.individual.condition_for(True), alone, scope)  # no sharing
                n = find(noms, r.id, p.name)
                assert (n.eligible, n.reasons) == (v.value, list(v.reasons)), (p.name, r.id)
    # the unit's result is part of what is shared: same person facts, different units, different verdicts
    assert find(noms, GK, "An").eligible is True and find(noms, GK, "Dũng").eligible is False
    assert any("đơn vị KHTC" in r for r in find(noms, GK, "Em").reasons)
    # history is too: Bình's recorded years change the prime minister's and the province's checks
    assert find(noms, TTCP, "Bình").reasons != find(noms, TTCP, "An").reasons
