"""The next movement, 2026 - 2030, by editing the YAML only: its milestones are judged over its own years.

The history workbook carries 2024 - 2025 (the previous movement, already rewarded: a unit ranked low, a
person with two CSTĐCS titles) and 2026 - 2027. The sơ kết of 2028 must read 2026 - 2028 only (Law art. 5:
one achievement, one reward), and a regular window limited to the movement (`within: movement`) must not
reach back into 2024 - 2025 either.
"""

from __future__ import annotations

import pytest
from support.awards import person as row
from support.awards import unit
from support.cli import run_in
from support.history import (
    CSTDCS,
    HTXSNV,
    fill_history,
    make_workdir,
    person_row,
    unit_row,
)
from support.workdirs import submit, summary

from ccht_batch.awards.checks import PersonSubject, Scope, evaluate
from ccht_batch.config.load import load_config
from ccht_batch.config.model import Condition
from ccht_batch.core.records import person_key
from ccht_batch.forms import layout as L
from ccht_batch.store.db import Store
from ccht_batch.store.history import StoreHistory

HTNV = "Hoàn thành nhiệm vụ"
UBND = "bang-khen-ubnd"
AN = "Nguyễn Thị An"


def next_movement(wd):
    path = wd / "config" / "criteria.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in (
        ("giai đoạn 2022 - 2025", "giai đoạn 2026 - 2030"),
        ("2022 - 2025", "2026 - 2030"),
        ("2022 - 2023", "2026 - 2028"),
        ("start_year: 2022", "start_year: 2026"),
        ("end_year: 2025", "end_year: 2030"),
        ("year: 2023", "year: 2028"),
        ("year: 2025", "year: 2030"),
        ("from_year: 2022", "from_year: 2026"),
    ):
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def movement(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("m2026")
    wd, _ = make_workdir(tmp)
    next_movement(wd)
    config = load_config(wd)
    assert [(m.id, m.years) for m in config.criteria.movement.milestones] == [("so-ket", (2026, 2027, 2028)), ("tong-ket", (2026, 2027, 2028, 2029, 2030))]
    sheets = {
        "Đơn vị theo năm": [
            unit_row(2024, "VP", 40, 40, "Yếu", 9), unit_row(2025, "VP", 45, 45, "Yếu", 9),  # the previous movement
            unit_row(2026, "VP", 95, 95, "Xuất sắc", 1), unit_row(2027, "VP", 96, 96, "Xuất sắc", 1),
            unit_row(2026, "QLKH", 91, 91, "Xuất sắc", 2), unit_row(2027, "QLKH", 92, 92, "Xuất sắc", 2),
        ],
        "Cá nhân theo năm": [
            person_row(2024, "VP", AN, 1985, HTNV, CSTDCS), person_row(2025, "VP", AN, 1985, HTNV, CSTDCS),
            {**person_row(2026, "VP", AN, 1985, HTXSNV), "Số quyết định": "201/QĐ-SKHCN", "Ngày quyết định": "28/12/2026"},
            person_row(2027, "VP", AN, 1985, HTXSNV),
        ],
    }
    code, out, err = run_in(wd, "history", "import", fill_history(config, tmp / "lich-su.xlsx", sheets))
    assert code == 0, out + err
    code, out, err = run_in(wd, "templates", "--year", "2028")
    assert code == 0, err
    person = {L.P_NAME: AN, L.P_BIRTH: 1985, L.P_GENDER: "Nữ", L.P_RATING: HTXSNV, L.P_INITIATIVE: "Số hóa hồ sơ",
              L.P_DECISION: "12/QĐ-SKHCN ngày 10/10/2028", L.P_LEVEL: "Cơ sở", L.P_PROPOSAL: "Bằng khen của Chủ tịch UBND tỉnh"}
    submit(wd, "VP", "vp.xlsx", year=2028, persons=[person])
    submit(wd, "QLKH", "qlkh.xlsx", year=2028)
    code, out, err = run_in(wd, "run", "--period", "2028-12", "--milestone", "so-ket")
    assert code == 0, out + err
    return wd, config, summary(wd, "2028-12")


def test_the_so_ket_reads_the_movements_years_only(movement):
    _, _, s = movement
    noms = [n for n in s["nominations"] if n["award"] == UBND]
    vp = next(n for n in noms if n["kind"] == "collective" and n["unit_code"] == "VP")
    assert vp["eligible"] is True, vp["reasons"]
    for r in vp["reasons"]:
        assert "các năm 2026 - 2028" in r and "2024" not in r and "2025" not in r, r
    an = next(n for n in noms if n["kind"] == "individual")
    assert an["name"] == AN and an["eligible"] is True and an["proposed"], an["reasons"]
    assert an["reasons"][0].startswith("Xếp loại các năm 2026 - 2028: năm 2026 Hoàn thành xuất sắc nhiệm vụ, năm 2027")
    assert "(năm 2027, 2028 theo tự khai của đơn vị)" in an["reasons"][0]  # 2026 was decided
    assert not any("2024" in r or "2025" in r for r in an["reasons"])


def test_a_regular_window_limited_to_the_movement_does_not_reach_the_previous_one(movement):
    wd, config, _ = movement
    with Store(config.store_path) as store:
        history = StoreHistory(store)
        key = person_key(AN, 1985, "VP")
        years = history.person_years(key)
    assert sorted(years) == [2024, 2025, 2026, 2027]
    # a provisional run in 2026, before that year's record: the plain window shifts back to 2024 - 2025
    scope = Scope(2026, (2026, 2027, 2028), "2026-06")
    years = {y: r for y, r in years.items() if y < 2026}
    subject = PersonSubject(key, AN, unit("VP", 95, 1), (row(AN, birth=1985),), years, ())
    plain = evaluate(config, Condition("title_years", title="CSTDCS", years=2, within=2), subject, scope)
    assert plain.value is True and "2024 - 2025" in plain.reasons[0]  # the previous movement's titles, counted again
    limited = evaluate(config, Condition("title_years", title="CSTDCS", years=2, within="movement"), subject, scope)
    assert limited.value is False and "các năm của phong trào 2026: 0 lần" in limited.reasons[0]  # 2 titles cannot fit in one year
    ratings = evaluate(config, Condition("rating_years", rating="HTXSNV", years=2, within="movement"), subject, scope)
    assert ratings.value is False and ratings.reasons[0].startswith("Xếp loại trong các năm của phong trào (2026)")
