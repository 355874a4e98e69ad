"""Identification from `_meta`: our template, of a known unit, of the period's year, of the current criteria
— or refused with what to do, without a flood of row errors from a layout that is not today's."""

from __future__ import annotations

import pytest
from support.corpus import Book, blank_sheets

from ccht_batch.forms import layout as L
from ccht_batch.intake import values
from ccht_batch.intake.raw import RawBook, RawSheet


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    return blank_sheets(tmp_path_factory.mktemp("meta"))


def _codes(out) -> list[str]:
    return [i.code for i in out.issues]


def test_meta_values_typed_as_numbers_or_text_are_the_same(blank):
    out = Book(blank).meta(L.META_YEAR, "2025").meta(L.META_TEMPLATE_VERSION, float(L.TEMPLATE_VERSION)).meta(L.META_UNIT_CODE, " QLKH ").run()
    assert out.issues == [] and out.year == 2025 and out.unit_code == "QLKH"


def test_a_template_of_the_first_layout_is_outdated(blank):
    """Layout 1 had no S&T task column: refused as outdated, with the catalogue's message (what to do)."""
    out = Book(blank).meta(L.META_TEMPLATE_VERSION, 1).run()
    assert _codes(out) == ["outdated-template"] and out.submission is None
    assert "bố cục 1" in out.issues[0].value and "tải tệp mẫu mới" in out.issues[0].message


def test_unknown_unit(blank):
    out = Book(blank).meta(L.META_UNIT_CODE, "PHONG_X").run()
    assert _codes(out) == ["unknown-unit"] and out.unit_code is None and out.submission is None
    assert out.issues[0].value == "PHONG_X" and out.issues[0].cell is None and out.issues[0].sheet is None


def test_wrong_year_says_which_template_to_download(blank):
    out = Book(blank).meta(L.META_YEAR, 2024).run()
    assert _codes(out) == ["wrong-year"] and out.unit_code == "QLKH" and out.year == 2024
    assert "năm 2025" in out.issues[0].message and out.issues[0].unit_code == "QLKH"


def test_outdated_criteria_says_download_the_new_template(blank):
    book = Book(blank).meta(L.META_CRITERIA_VERSION, "000000000000")
    book.score("2.1", "abc")  # not reported: the rows of an old template are not today's
    out = book.run()
    assert _codes(out) == ["outdated-template"] and out.submission is None
    assert "tải tệp mẫu mới" in out.issues[0].message


def test_outdated_layout_version(blank):
    out = Book(blank).meta(L.META_TEMPLATE_VERSION, L.TEMPLATE_VERSION + 1).run()
    assert _codes(out) == ["outdated-template"]


def test_every_identification_problem_is_reported_together(blank):
    out = Book(blank).meta(L.META_UNIT_CODE, "ZZ").meta(L.META_YEAR, 2023).meta(L.META_CRITERIA_VERSION, "x").run()
    assert _codes(out) == ["unknown-unit", "wrong-year", "outdated-template"]


@pytest.mark.parametrize("kind", ["", "mau", None])
def test_not_our_template(blank, kind):
    out = Book(blank).meta(L.META_KIND, kind).run()
    assert _codes(out) == ["not-our-template"] and out.kind is None


def test_a_workbook_without_meta_is_not_ours(blank):
    config, _ = blank
    book = RawBook.from_sheets([RawSheet("Sheet1", [["Mã tiêu chí", "Điểm"], ["1.1", 3]])])
    out = values.validate_book(book, config, "2025-11", "x.xlsx", "0" * 64)
    assert _codes(out) == ["not-our-template"] and "tải tệp mẫu" in out.issues[0].message


def test_the_period_year_decides(blank):
    assert Book(blank).run(period="2025-01").issues == []
    assert _codes(Book(blank).run(period="2026-01")) == ["wrong-year"]
