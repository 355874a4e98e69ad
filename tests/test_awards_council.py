"""Ties at a quota's last places are left to the council, and the council's votes decide (awards/select.py).

Nobody is cut by code or name (Law art. 5): candidates with the same figures that a quota's last places
split are all listed as tied (``selected`` None) with the tie stated; the council's workbook then approves
(more than the configured share of the members present) or refuses, and ties among the approved are
resolved by their votes. Checked at every quota: collectives' total, individuals' total, individuals per
unit.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from support.awards import (
    GK,
    GK_NAME,
    REPO,
    UBND,
    UBND_NAME,
    edited_config,
    find,
    key,
    person,
    py,
    recognised,
    unit,
)
from support.history import MemoryHistory

from ccht_batch.awards.select import council_verdict, evaluate_awards
from ccht_batch.config.load import load_config
from ccht_batch.core.records import Council, CouncilRow, CouncilVote, UnitYear

D = Decimal


@pytest.fixture(scope="module")
def cfg():
    return load_config(REPO)


def so_ket_units(*ranked: tuple[str, str, int]) -> tuple[list, MemoryHistory]:
    """Units (code, result, rank) at the sơ kết of 2023, each "Xuất sắc" and ranked in 2022."""
    units = [unit(code, result, rank) for code, result, rank in ranked]
    hist = MemoryHistory(units={u.code: {2022: UnitYear(2022, u.code, band="Xuất sắc", rank=1)} for u in units})
    return units, hist


def council(*rows: tuple[str, str, str, int, int, str | None], period="2023-12", milestone="so-ket") -> Council:
    """Council rows (award, kind, unit code or 'name|unit', present, votes for, decision)."""
    out = []
    for award, kind, who, present, votes, decision in rows:
        if kind == "collective":
            out.append(CouncilRow(award, kind, who, f"Đơn vị {who}", None, CouncilVote(present, votes, decision)))
        else:
            name, code = who.split("|")
            out.append(CouncilRow(award, kind, code, name, 1980, CouncilVote(present, votes, decision)))
    return Council(period, milestone, "HoiDong.xlsx", "0" * 64, out)


# ---------------------------------------------------------------------------------------------------
# Ties


def test_three_units_tied_for_two_places_all_wait_for_the_council(cfg):
    units, hist = so_ket_units(("VP", "101", 1), ("QLKH", "101", 1), ("CCTDC", "101", 1), ("TTRA", "91.8", 4))
    noms = evaluate_awards(cfg, period="2023-12", milestone="so-ket", units=units, history=hist)
    tied = [n for n in noms if n.award == UBND and n.kind == "collective" and n.eligible]
    assert [(n.unit_code, n.selected) for n in tied] == [("CCTDC", None), ("QLKH", None), ("VP", None)]
    text = (f"Đồng hạng tại ngưỡng chỉ tiêu 2 tập thể của {UBND_NAME}: Đơn vị CCTDC, Đơn vị QLKH, Đơn vị VP cùng xếp hạng 1, "
            "kết quả 101 điểm; còn 2 suất cho 3 tập thể — Hội đồng quyết định")
    assert all(n.tie_note == text and n.note == text for n in tied)
    # none of them is put on a lower list meanwhile; the next unit takes its place there
    for code in ("VP", "QLKH", "CCTDC"):
        gk = find(noms, GK, f"Đơn vị {code}")
        assert gk.eligible is True and gk.selected is False
        assert gk.note == f"Đang chờ Hội đồng quyết định {UBND_NAME} (đồng hạng tại ngưỡng chỉ tiêu)"
    assert find(noms, GK, "Đơn vị TTRA").selected is True
    assert [n.to_json()["selected"] for n in tied] == [None, None, None]


def test_a_large_tie_names_ten_and_counts_the_others_so_the_cell_stays_readable(cfg):
    # Forty units tied for two places: each note names ten of them and counts the rest (the list's tie block
    # names all), instead of forty names in every one of forty cells (Excel holds 32,767 characters a cell).
    codes = [f"U{i:02d}" for i in range(40)]
    units, hist = so_ket_units(*[(code, "101", 1) for code in codes])
    noms = evaluate_awards(cfg, period="2023-12", milestone="so-ket", units=units, history=hist)
    tied = [n for n in noms if n.award == UBND and n.kind == "collective" and n.selected is None]
    assert len(tied) == 40
    names = ", ".join(f"Đơn vị {c}" for c in codes[:10])
    text = (f"Đồng hạng tại ngưỡng chỉ tiêu 2 tập thể của {UBND_NAME}: {names} và 30 tập thể khác (có tên trong danh sách) "
            "cùng xếp hạng 1, kết quả 101 điểm; còn 2 suất cho 40 tập thể — Hội đồng quyết định")
    assert {n.tie_note for n in tied} == {text}


def test_a_tie_inside_the_quota_or_beyond_it_is_no_tie(cfg):
    # ranks 1, 1 for 2 places: both on the list
    units, hist = so_ket_units(("VP", "99", 1), ("QLKH", "99", 1), ("CCTDC", "97", 3))
    noms = evaluate_awards(cfg, period="2023-12", milestone="so-ket", units=units, history=hist)
    assert [(n.unit_code, n.selected) for n in noms if n.award == UBND] == [("QLKH", True), ("VP", True), ("CCTDC", False)]
    # ranks 1, 2, 3, 3: the two at rank 3 come after the last place, both cut
    units, hist = so_ket_units(("VP", "99", 1), ("QLKH", "98", 2), ("CCTDC", "97", 3), ("TTRA", "97", 3))
    noms = evaluate_awards(cfg, period="2023-12", milestone="so-ket", units=units, history=hist)
    assert [(n.unit_code, n.selected) for n in noms if n.award == UBND] == [("VP", True), ("QLKH", True), ("CCTDC", False), ("TTRA", False)]
    assert find(noms, UBND, "Đơn vị TTRA").note.startswith(f"Vượt chỉ tiêu 2 tập thể của {UBND_NAME}; thứ 4")


def test_the_last_place_split_between_two_after_a_clear_first(cfg):
    units, hist = so_ket_units(("VP", "96", 1), ("QLKH", "93.5", 2), ("KHTC", "93.5", 2))
    noms = evaluate_awards(cfg, period="2023-12", milestone="so-ket", units=units, history=hist)
    assert [(n.unit_code, n.selected) for n in noms if n.award == UBND] == [("VP", True), ("KHTC", None), ("QLKH", None)]
    assert find(noms, UBND, "Đơn vị QLKH").tie_note.endswith("cùng xếp hạng 2, kết quả 93,5 điểm; còn 1 suất cho 2 tập thể — Hội đồng quyết định")


def _gk_quota(total=None, per_unit=None):
    def edit(data):
        gk = next(r for r in data["awards"]["rules"] if r["id"] == GK)
        quota = {k: v for k, v in (("max_total", total), ("max_per_unit", per_unit)) if v is not None}
        gk["individual"] = {"regular": {"check": "rating_at_least", "rating": "HTXSNV"},
                            "thematic": {"check": "rating_at_least", "rating": "HTXSNV"}, "quota": quota}
    return edit


def test_persons_tied_at_the_total_quota(tmp_path):
    c = edited_config(tmp_path, _gk_quota(total=2))
    units = [
        unit("VP", 95, 1, persons=[person("An", proposal=GK)]),
        unit("QLKH", 95, 1, persons=[person("Bình", proposal=GK)]),
        unit("TTRA", 95, 1, persons=[person("Chi", proposal=GK)]),
    ]
    noms = evaluate_awards(c, period="2025-06", milestone=None, units=units, history=MemoryHistory())
    gk = [n for n in noms if n.award == GK and n.kind == "individual"]
    assert [(n.name, n.selected) for n in gk] == [("An", None), ("Bình", None), ("Chi", None)]
    assert gk[0].tie_note == (
        f"Đồng hạng tại ngưỡng chỉ tiêu 2 cá nhân của {GK_NAME}: An (VP), Bình (QLKH), Chi (TTRA) cùng kết quả đơn vị 95 điểm, "
        "xếp loại Hoàn thành xuất sắc nhiệm vụ, 0 sáng kiến được công nhận; còn 2 suất cho 3 cá nhân — Hội đồng quyết định"
    )
    # a better figure (a recognised initiative) is no tie: it goes first
    units[2] = unit("TTRA", 95, 1, persons=[recognised("Chi", proposal=GK)])
    noms = evaluate_awards(c, period="2025-06", milestone=None, units=units, history=MemoryHistory())
    assert [(n.name, n.selected) for n in noms if n.award == GK and n.kind == "individual"] == [("Chi", True), ("An", None), ("Bình", None)]


def test_persons_tied_at_the_per_unit_quota(cfg):
    """The Chairman's Certificate: one person per unit. Two equals in VP: the council chooses."""
    a, b = recognised("Bùi Văn Tâm", proposal=UBND, row=8), recognised("Âu Thị Lan", proposal=UBND, row=9)
    c = recognised("Cao Văn Minh", proposal=UBND)
    units = [unit("VP", 95, 1, persons=[a, b]), unit("QLKH", 90, 2, persons=[c])]
    hist = MemoryHistory(persons={key(p.name, 1980, code): {y: py(y, code) for y in (2022, 2023, 2024)} for p, code in ((a, "VP"), (b, "VP"), (c, "QLKH"))})
    noms = evaluate_awards(cfg, period="2025-12", milestone="tong-ket", units=units, history=hist)
    ubnd = [n for n in noms if n.award == UBND and n.kind == "individual"]
    assert [(n.name, n.selected) for n in ubnd] == [("Bùi Văn Tâm", None), ("Âu Thị Lan", None), ("Cao Văn Minh", True)]
    assert ubnd[0].tie_note.startswith(f"Đồng hạng tại ngưỡng chỉ tiêu 1 cá nhân mỗi đơn vị của {UBND_NAME} (đơn vị VP): Bùi Văn Tâm (VP), Âu Thị Lan (VP)")
    assert ubnd[0].tie_note.endswith("còn 1 suất cho 2 cá nhân — Hội đồng quyết định")
    # the council approves both, Lan with more votes: Tâm is cut by the unit's quota, and his note says why
    votes = council((UBND, "individual", "Bùi Văn Tâm|VP", 7, 5, "Đồng ý"), (UBND, "individual", "Âu Thị Lan|VP", 7, 6, "Đồng ý"),
                    period="2025-12", milestone="tong-ket")
    noms = evaluate_awards(cfg, period="2025-12", milestone="tong-ket", units=units, history=hist, council=votes)
    tam, lan = find(noms, UBND, "Bùi Văn Tâm"), find(noms, UBND, "Âu Thị Lan")
    assert (lan.selected, tam.selected) == (True, False)
    assert tam.note.startswith(f"Vượt chỉ tiêu 1 cá nhân mỗi đơn vị của {UBND_NAME}; xếp thứ 2 trong đơn vị VP "
                               "(cùng số liệu với trường hợp được chọn; Hội đồng đồng ý với tỷ lệ 5/7 phiếu đồng ý, thấp hơn)")


# ---------------------------------------------------------------------------------------------------
# The council's decision


def test_the_council_resolves_a_tie_and_a_refused_unit_falls_to_the_next_form(cfg):
    units, hist = so_ket_units(("VP", "101", 1), ("QLKH", "101", 1), ("CCTDC", "101", 1))
    votes = council((UBND, "collective", "VP", 7, 7, "Đồng ý"), (UBND, "collective", "QLKH", 7, 6, "Đồng ý"),
                    (UBND, "collective", "CCTDC", 7, 2, "Không đồng ý"))
    noms = evaluate_awards(cfg, period="2023-12", milestone="so-ket", units=units, history=hist, council=votes)
    vp, qlkh, cctdc = (find(noms, UBND, f"Đơn vị {c}") for c in ("VP", "QLKH", "CCTDC"))
    assert (vp.selected, qlkh.selected, cctdc.selected) == (True, True, False)
    assert vp.note == "Hội đồng đồng ý đề nghị (7/7 phiếu đồng ý)" and vp.vote == CouncilVote(7, 7, "Đồng ý")
    assert cctdc.reasons[-1] == f"Hội đồng không thống nhất đề nghị {UBND_NAME} (2/7 phiếu đồng ý)"
    assert cctdc.note == f"Hội đồng không thống nhất đề nghị (2/7 phiếu đồng ý); chuyển xét {GK_NAME}"
    gk = find(noms, GK, "Đơn vị CCTDC")
    assert gk.selected is True and gk.note == f"Chuyển xét do Hội đồng không thống nhất đề nghị {UBND_NAME}; Chưa được Hội đồng biểu quyết"


def test_votes_order_the_approved_and_equal_votes_leave_the_tie(cfg):
    units, hist = so_ket_units(("VP", "101", 1), ("QLKH", "101", 1), ("CCTDC", "101", 1))
    votes = council(*[(UBND, "collective", c, 7, n, "Đồng ý") for c, n in (("VP", 7), ("QLKH", 6), ("CCTDC", 5))])
    noms = evaluate_awards(cfg, period="2023-12", milestone="so-ket", units=units, history=hist, council=votes)
    assert [find(noms, UBND, f"Đơn vị {c}").selected for c in ("VP", "QLKH", "CCTDC")] == [True, True, False]
    # the one cut says why: its figures equal the chosen ones', and the council's share for it was lower
    assert find(noms, UBND, "Đơn vị CCTDC").note.startswith(
        f"Vượt chỉ tiêu 2 tập thể của {UBND_NAME}; thứ 3 trong số được xét hình thức này "
        "(cùng số liệu với trường hợp được chọn; Hội đồng đồng ý với tỷ lệ 5/7 phiếu đồng ý, thấp hơn); chuyển xét")
    # all approved with the same votes: still more than the places, still the council's to settle
    votes = council(*[(UBND, "collective", c, 7, 6, "Đồng ý") for c in ("VP", "QLKH", "CCTDC")])
    noms = evaluate_awards(cfg, period="2023-12", milestone="so-ket", units=units, history=hist, council=votes)
    tied = [find(noms, UBND, f"Đơn vị {c}") for c in ("VP", "QLKH", "CCTDC")]
    assert [n.selected for n in tied] == [None, None, None]
    assert ", cùng được Hội đồng đồng ý với tỷ lệ 6/7 phiếu đồng ý; còn 2 suất cho 3 tập thể" in tied[0].tie_note
    # an approved candidate goes before the undecided ones it ties with
    votes = council((UBND, "collective", "CCTDC", 7, 5, "Đồng ý"))
    noms = evaluate_awards(cfg, period="2023-12", milestone="so-ket", units=units, history=hist, council=votes)
    assert [find(noms, UBND, f"Đơn vị {c}").selected for c in ("CCTDC", "QLKH", "VP")] == [True, None, None]


def test_a_share_of_votes_not_above_the_threshold_refuses(cfg):
    assert cfg.criteria.council_approval_percent == 50
    assert council_verdict(cfg, CouncilVote(6, 4, "Đồng ý")) is True
    assert council_verdict(cfg, CouncilVote(6, 3, "Đồng ý")) is False  # half is not more than half
    assert council_verdict(cfg, CouncilVote(6, 6, "Không đồng ý")) is False
    assert council_verdict(cfg, CouncilVote(6, 4, None)) is True  # the votes decide when no decision is written
    assert council_verdict(cfg, None) is None
    units, hist = so_ket_units(("VP", "99", 1))
    noms = evaluate_awards(cfg, period="2023-12", milestone="so-ket", units=units, history=hist,
                           council=council((UBND, "collective", "VP", 6, 3, "Đồng ý")))
    vp = find(noms, UBND, "Đơn vị VP")
    assert vp.selected is False
    assert vp.reasons[-1] == f"Hội đồng không thống nhất đề nghị {UBND_NAME} (3/6 phiếu đồng ý, chưa vượt quá 50% số thành viên có mặt)"


def test_a_refusal_frees_a_place_for_the_next_candidate_who_is_marked_not_voted(cfg):
    units, hist = so_ket_units(("VP", "99", 1), ("QLKH", "98", 2), ("CCTDC", "97", 3))
    votes = council((UBND, "collective", "VP", 7, 7, "Đồng ý"), (UBND, "collective", "QLKH", 7, 1, "Không đồng ý"))
    noms = evaluate_awards(cfg, period="2023-12", milestone="so-ket", units=units, history=hist, council=votes)
    assert [find(noms, UBND, f"Đơn vị {c}").selected for c in ("VP", "QLKH", "CCTDC")] == [True, False, True]
    assert find(noms, UBND, "Đơn vị CCTDC").note == "Chưa được Hội đồng biểu quyết"


def test_the_council_decides_persons_tied_in_their_unit(cfg):
    a, b = recognised("Bùi Văn Tâm", proposal=UBND, row=8), recognised("Âu Thị Lan", proposal=UBND, row=9)
    units = [unit("VP", 95, 1, persons=[a, b])]
    hist = MemoryHistory(persons={key(p.name, 1980, "VP"): {y: py(y, "VP") for y in (2022, 2023, 2024)} for p in (a, b)})
    votes = council((UBND, "individual", "Bùi Văn Tâm|VP", 9, 8, "Đồng ý"), (UBND, "individual", "Âu Thị Lan|VP", 9, 4, "Không đồng ý"),
                    period="2025-12", milestone="tong-ket")
    noms = evaluate_awards(cfg, period="2025-12", milestone="tong-ket", units=units, history=hist, council=votes)
    assert find(noms, UBND, "Bùi Văn Tâm").selected is True and find(noms, UBND, "Âu Thị Lan").selected is False
    assert find(noms, GK, "Âu Thị Lan").selected is True  # falls to the Giấy khen
