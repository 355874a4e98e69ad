"""Ranking (DESIGN.md §6): competition numbering, configured tie-breaks, rank changes."""

from __future__ import annotations

import itertools
from decimal import Decimal

from support.scoring import (
    D,
    default_config,
    full_submission,
    small_config,
    submission,
    write_config,
)

from ccht_batch.core.records import CriterionScore, UnitScore
from ccht_batch.scoring.rank import rank_changes, rank_units
from ccht_batch.scoring.score import score_unit


def unit_score(code: str, result: str, fields: dict[str, tuple[int, int]] | None = None, criteria: list[CriterionScore] | None = None) -> UnitScore:
    """A UnitScore with only what ranking reads: the result, field shares, criterion rows."""
    fs = {fid: (D(a), D(b)) for fid, (a, b) in (fields or {}).items()}
    r = D(result)
    return UnitScore(
        unit_code=code,
        criteria=criteria or [],
        field_scores=fs,
        criteria_sum=r,
        applicable_max=D(100),
        bonus=D(0),
        bonus_counted=D(0),
        penalty=D(0),
        total=r,
        result=r,
        band="",
    )


def no_tie_breaks(tmp_path):
    def edit(data):
        data["ranking"]["tie_breaks"] = []

    return write_config(tmp_path, edit)


def test_equal_results_share_a_rank_and_the_next_rank_skips(tmp_path):
    cfg = no_tie_breaks(tmp_path)
    scores = {c: unit_score(c, r) for c, r in (("VP", "95.5"), ("TTRA", "90.00"), ("KHTC", "90"), ("QLKH", "80.25"))}
    assert rank_units(cfg, scores) == {"VP": 1, "KHTC": 2, "TTRA": 2, "QLKH": 4}


def test_result_decides_before_any_tie_break():
    cfg = default_config()  # tie-breaks: field 3, then field 5
    scores = {
        "VP": unit_score("VP", "90.01", {"3": (10, 45), "5": (0, 15)}),
        "TTRA": unit_score("TTRA", "90.00", {"3": (32, 32), "5": (15, 15)}),
    }
    assert rank_units(cfg, scores) == {"VP": 1, "TTRA": 2}


def test_first_tie_break_separates_equal_results():
    cfg = default_config()
    scores = {
        "VP": unit_score("VP", "90", {"3": (40, 45), "5": (15, 15)}),
        "TTRA": unit_score("TTRA", "90", {"3": (30, 32), "5": (10, 15)}),  # 93.75 % of field 3 beats 88.9 %
        "KHTC": unit_score("KHTC", "95", {"3": (0, 32), "5": (0, 15)}),
    }
    assert rank_units(cfg, scores) == {"KHTC": 1, "TTRA": 2, "VP": 3}


def test_second_tie_break_separates_when_the_first_is_equal():
    cfg = default_config()
    scores = {
        "VP": unit_score("VP", "90", {"3": (36, 45), "5": (12, 15)}),
        "TTRA": unit_score("TTRA", "90", {"3": (32, 40), "5": (13, 15)}),  # 80 % = 80 %; then 13 > 12
    }
    assert rank_units(cfg, scores) == {"TTRA": 1, "VP": 2}


def test_units_equal_after_every_tie_break_share_the_rank():
    cfg = default_config()
    scores = {
        "VP": unit_score("VP", "92", {"3": (45, 45), "5": (15, 15)}),
        "TTRA": unit_score("TTRA", "90", {"3": (2, 3), "5": (12, 15)}),
        "KHTC": unit_score("KHTC", "90", {"3": (4, 6), "5": (12, 15)}),  # 2/3 = 4/6 exactly
        "QLKH": unit_score("QLKH", "90", {"3": (1, 3), "5": (15, 15)}),
        "CDS": unit_score("CDS", "50", {"3": (45, 45), "5": (15, 15)}),
    }
    assert rank_units(cfg, scores) == {"VP": 1, "KHTC": 2, "TTRA": 2, "QLKH": 4, "CDS": 5}


def test_ranking_does_not_depend_on_dict_order():
    cfg = default_config()
    items = [
        ("VP", unit_score("VP", "90", {"3": (40, 45), "5": (15, 15)})),
        ("TTRA", unit_score("TTRA", "90", {"3": (40, 45), "5": (15, 15)})),
        ("KHTC", unit_score("KHTC", "90", {"3": (41, 45), "5": (1, 15)})),
        ("QLKH", unit_score("QLKH", "99", {"3": (0, 45), "5": (0, 15)})),
    ]
    expected = {"QLKH": 1, "KHTC": 2, "TTRA": 3, "VP": 3}
    for perm in itertools.permutations(items):
        ranked = rank_units(cfg, dict(perm))
        assert ranked == expected
        assert list(ranked.items()) == [("QLKH", 1), ("KHTC", 2), ("TTRA", 3), ("VP", 3)]


def test_no_units_no_ranks():
    assert rank_units(default_config(), {}) == {}


def _dossier_config(tmp_path, tie_break: str):
    """Field 2 is one criterion that only dossier-handling units have."""
    return small_config(
        tmp_path,
        [
            {"id": "1", "name": "Chung", "max": 10, "criteria": [{"id": "1.1", "name": "Tự chấm", "max": 10, "method": "self"}]},
            {
                "id": "2",
                "name": "Hồ sơ",
                "max": 5,
                "criteria": [{"id": "2.1", "name": "Hồ sơ đúng hạn", "max": 5, "method": "self", "applies_to": "handles_dossiers"}],
            },
        ],
        tie_breaks=[tie_break],
    )


def test_tie_break_on_a_field_that_does_not_apply_counts_lowest(tmp_path):
    cfg = _dossier_config(tmp_path, "2")
    vp = score_unit(cfg, cfg.unit("VP"), submission(cfg, "VP", {"1.1": "7.5", "2.1": 0}))  # 7.5 / 15 → 50
    ttra = score_unit(cfg, cfg.unit("TTRA"), submission(cfg, "TTRA", {"1.1": 5}))  # 5 / 10 → 50
    assert (vp.result, ttra.result) == (D("50.00"), D("50.00"))
    assert ttra.field_scores["2"] == (D(0), D(0))
    # a 0 share of an applicable field still beats a field that does not apply
    assert rank_units(cfg, {"TTRA": ttra, "VP": vp}) == {"VP": 1, "TTRA": 2}


def test_tie_break_on_a_criterion_that_does_not_apply_counts_lowest(tmp_path):
    cfg = _dossier_config(tmp_path, "2.1")
    vp = score_unit(cfg, cfg.unit("VP"), submission(cfg, "VP", {"1.1": "7.5", "2.1": 0}))
    ttra = score_unit(cfg, cfg.unit("TTRA"), submission(cfg, "TTRA", {"1.1": 5}))
    assert rank_units(cfg, {"TTRA": ttra, "VP": vp}) == {"VP": 1, "TTRA": 2}


def test_tie_break_on_a_criterion_from_real_scores(tmp_path):
    def edit(data):
        data["ranking"]["tie_breaks"] = ["1.2"]

    cfg = write_config(tmp_path, edit)
    # VP loses 2 on 1.2 (19/20 → 4); QLKH loses 2 on 3.3 ("Đạt" → 2): both 98.
    vp = score_unit(cfg, cfg.unit("VP"), full_submission(cfg, "VP", scores={"1.2": 4}, indicators={"KH_NV_XONG": 19}))
    qlkh = score_unit(cfg, cfg.unit("QLKH"), full_submission(cfg, "QLKH", scores={"3.3": "Đạt"}))
    assert (vp.result, qlkh.result) == (D("98.00"), D("98.00"))
    assert rank_units(cfg, {"VP": vp, "QLKH": qlkh}) == {"QLKH": 1, "VP": 2}


def test_tie_break_reads_the_share_not_the_points():
    # Field 3: 32/32 for a unit without dossiers beats 40/45 for one with them.
    cfg = default_config()
    scores = {
        "VP": unit_score("VP", "90", {"3": (40, 45), "5": (15, 15)}),
        "TTRA": unit_score("TTRA", "90", {"3": (32, 32), "5": (0, 15)}),
    }
    assert rank_units(cfg, scores) == {"TTRA": 1, "VP": 2}


def test_rank_changes_positive_when_moving_up_and_none_without_a_previous_rank():
    current = {"VP": 1, "TTRA": 2, "KHTC": 2, "QLKH": 4}
    previous = {"VP": 3, "TTRA": 2, "KHTC": 1, "CDS": 1}
    assert rank_changes(current, previous) == {"VP": 2, "TTRA": 0, "KHTC": -1, "QLKH": None}
    assert rank_changes(current, {}) == {"VP": None, "TTRA": None, "KHTC": None, "QLKH": None}


def test_ranks_and_changes_with_real_scores():
    cfg = default_config()
    subs = {
        "VP": full_submission(cfg, "VP"),
        "TTRA": full_submission(cfg, "TTRA", scores={"TR1": 2}),
        "KHTC": full_submission(cfg, "KHTC", scores={"T2": 1}),
    }
    scores = {code: score_unit(cfg, cfg.unit(code), sub) for code, sub in subs.items()}
    assert [scores[c].result for c in ("KHTC", "VP", "TTRA")] == [Decimal("101.00"), Decimal("100.00"), Decimal("98.00")]
    ranks = rank_units(cfg, scores)
    assert ranks == {"KHTC": 1, "VP": 2, "TTRA": 3}
    assert rank_changes(ranks, {"VP": 1, "TTRA": 3}) == {"KHTC": None, "VP": -1, "TTRA": 0}
