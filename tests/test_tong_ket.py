"""The final review over four closed years: the demo's 2022 - 2024 (imported) and 2025 (closed by
`close-year`), reviewed in January 2026. Every collective reason names the years; none rests on a month."""

from __future__ import annotations

import json
import re

from support.cli import run_cli, run_in


def run_summary(wd, *args: str) -> dict:
    """Run a command in ``wd`` (it must succeed), then the period's summary.json (``--period`` of ``args``)."""
    code, out, err = run_in(wd, *args)
    assert code == 0, out + err
    period = args[args.index("--period") + 1]
    return json.loads((wd / "output" / period / "summary.json").read_text(encoding="utf-8"))


def close_2025(wd) -> None:
    code, out, err = run_in(wd, "close-year", "--year", "2025", "--yes")
    assert code == 0, out + err


def test_a_tong_ket_over_four_closed_years_cites_the_years_and_never_a_month(tmp_path):
    wd = tmp_path / "demo"
    assert run_cli("demo", wd)[0] == 0
    close_2025(wd)
    s = run_summary(wd, "run", "--period", "2026-01", "--milestone", "tong-ket")
    collective = [n for n in s["nominations"] if n["kind"] == "collective"]
    assert collective
    for n in collective:
        for r in n["reasons"]:
            assert re.search(r"các năm (2022 - 2025|2025 \(đơn vị có từ năm 2025\))", r), r
            assert "tháng" not in r, r
    by = {(n["award"], n["unit_code"]): n for n in collective}
    # VP, QLKH and CCTDC: "Xuất sắc" and in the first three every year — and still tied, on 2025's closed rank
    assert [by[("bang-khen-ubnd", c)]["selected"] for c in ("VP", "QLKH", "CCTDC")] == [None, None, None]
    assert "2022 - 2025" in by[("bang-khen-ubnd", "VP")]["reasons"][0]
    # a unit that joined in 2025 is judged on 2025 alone
    assert by[("giay-khen-giam-doc", "CDS")]["reasons"][0].startswith("Xếp loại các năm 2025 (đơn vị có từ năm 2025): năm 2025 Trung bình")


def test_a_tong_ket_in_december_after_close_year_reads_the_closed_year_not_the_month(tmp_path):
    # The README's review: close 2025, then `run --period 2025-12 --milestone tong-ket`. The closed year's
    # figures stand for 2025 (before close-year the reasons say "tháng 12/2025", as the period's figures).
    wd = tmp_path / "demo"
    assert run_cli("demo", wd)[0] == 0
    before = run_summary(wd, "run", "--period", "2025-12", "--milestone", "tong-ket")
    vp = next(n for n in before["nominations"] if n["award"] == "bang-khen-ubnd" and n["unit_code"] == "VP")
    assert "năm 2025 hạng 1 (tháng 12/2025)" in vp["reasons"][1]
    close_2025(wd)
    s = run_summary(wd, "run", "--period", "2025-12", "--milestone", "tong-ket")
    collective = [n for n in s["nominations"] if n["kind"] == "collective"]
    assert len(collective) == len({n["unit_code"] for n in collective}) * 3
    for n in collective:
        for r in n["reasons"]:
            assert re.search(r"các năm (2022 - 2025|2025 \(đơn vị có từ năm 2025\))", r), r
            assert "tháng" not in r, r
    vp = next(n for n in collective if n["award"] == "bang-khen-ubnd" and n["unit_code"] == "VP")
    assert "năm 2022 hạng 1, năm 2023 hạng 2, năm 2024 hạng 1, năm 2025 hạng 1, yêu cầu" in vp["reasons"][1]
    # the individuals of the units' latest workbooks are judged too
    assert any(n["kind"] == "individual" for n in s["nominations"])
