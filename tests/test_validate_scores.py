"""Validation of the score sheet, cell by cell, on the raw values of a real template (no file round trip):
strict numbers, choices, applicability, rows missing/added/moved, headers found by title, formulas."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest
from support.corpus import Book, blank_sheets

from ccht_batch.forms import layout as L


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    return blank_sheets(tmp_path_factory.mktemp("validate"))


def _issues(outcome) -> list[tuple[str, str | None, str | None]]:
    return [(i.code, i.cell, i.value) for i in outcome.issues]


def test_the_blank_template_is_valid_and_empty(blank):
    out = Book(blank).run()
    assert out.issues == [] and out.kind == "template" and out.unit_code == "QLKH" and out.year == 2025
    sub = out.submission
    assert all(e.value is None for e in sub.scores.values()) and sub.persons == []
    assert all(e.value is None for e in sub.indicators.values())
    assert sub.scores["1.1"].cell == "D6" and sub.scores["1.1"].evidence_cell == "E6"


@pytest.mark.parametrize(
    "typed, value",
    [
        ("2,5", Decimal("2.5")),
        ("2.5", Decimal("2.5")),
        (" 2.75 ", Decimal("2.75")),
        ("2.50", Decimal("2.5")),
        (2.5, Decimal("2.5")),
        (6, Decimal(6)),
        (0, Decimal(0)),
        ("0", Decimal(0)),
    ],
)
def test_numbers_accepted_exactly(blank, typed, value):
    out = Book(blank).score("3.1", typed).run()
    assert out.issues == []
    assert out.submission.scores["3.1"].value == value and isinstance(out.submission.scores["3.1"].value, Decimal)


def test_a_quarter_point_stays_exact(blank):
    out = Book(blank).score("5.1", 8.25).score("T1", "2,75").run()
    assert out.submission.scores["5.1"].value == Decimal("8.25") and str(out.submission.scores["5.1"].value) == "8.25"
    assert out.submission.scores["T1"].value == Decimal("2.75") and out.submission.scores["T1"].text == "2,75"


@pytest.mark.parametrize(
    "typed, code, shown",
    [
        ("8.500", "score-ambiguous-number", "8.500"),
        ("1,234.5", "score-ambiguous-number", "1,234.5"),
        ("1.234,5", "score-ambiguous-number", "1.234,5"),
        ("abc", "score-not-a-number", "abc"),
        ("2,5 điểm", "score-not-a-number", "2,5 điểm"),
        ("-1", "score-not-a-number", "-1"),
        (True, "score-not-a-number", "TRUE"),
        (dt.datetime(2025, 1, 2), "score-not-a-number", "02/01/2025"),
        (-0.25, "score-out-of-range", "-0,25"),
        (6.25, "score-out-of-range", "6,25"),
        ("7", "score-out-of-range", "7"),
        (2.3, "score-off-step", "2,3"),
        ("2,1", "score-off-step", "2,1"),
    ],
)
def test_numbers_refused_at_their_cell(blank, typed, code, shown):
    book = Book(blank)
    out = book.score("3.1", typed).run()
    cell = f"D{book.row_of('3.1')}"
    assert _issues(out) == [(code, cell, shown)]
    assert out.issues[0].severity == "error" and out.issues[0].sheet == L.SHEET_SCORES and out.submission is not None


def test_off_step_message_gives_the_step_and_a_nearby_example(blank):
    out = Book(blank).score("3.1", 2.6).score("TR1", 3).run()
    messages = [i.message for i in out.issues]
    assert "bước chấm 0,25 (ví dụ 2,5)" in messages[0]
    assert "bước chấm 2 (ví dụ 2)" in messages[1] or "bước chấm 2 (ví dụ 4)" in messages[1]
    out = Book(blank).score("3.1", 7).run()
    assert "0 - 6" in out.issues[0].message


@pytest.mark.parametrize("typed", ["Có", "có", "  CÓ  ", unicodedata.normalize("NFD", "Có")])
def test_choices_match_after_nfc_and_case_folding(blank, typed):
    out = Book(blank).score("1.3", typed).run()
    entry = out.submission.scores["1.3"]
    assert out.issues == [] and entry.value == Decimal(3) and entry.text == "Có"


@pytest.mark.parametrize("typed", ["Co", "Yes", 3, "Đạt"])
def test_a_choice_not_in_the_list_is_refused(blank, typed):
    book = Book(blank)
    out = book.score("1.3", typed).run()
    assert [i.code for i in out.issues] == ["score-not-a-choice"]
    assert "Có, Không" in out.issues[0].message


def test_scale_choices_have_their_configured_points(blank):
    out = Book(blank).score("3.3", "Đạt").score("3.5", "Chưa đạt").run()
    assert out.submission.scores["3.3"].value == Decimal(2) and out.submission.scores["3.5"].value == Decimal(0)


@pytest.mark.parametrize("typed", ["Không áp dụng", "không  áp dụng", "", None])
def test_not_applicable_rows_accept_their_own_text(blank, typed):
    out = Book(blank, "TTRA").score("3.2", typed).run()
    assert out.issues == [] and out.submission.scores["3.2"].value is None


def test_a_number_typed_in_a_not_applicable_row_is_a_warning(blank):
    book = Book(blank, "TTRA")
    out = book.score("3.8", "Tốt").score("3.2", 5).run()
    assert [(i.code, i.severity, i.cell) for i in out.issues] == [
        ("score-not-applicable", "warning", f"D{book.row_of('3.2')}"),
        ("score-not-applicable", "warning", f"D{book.row_of('3.8')}"),
    ]
    assert out.submission.scores["3.2"].value is None and out.submission.scores["3.8"].value is None


def test_texts_are_normalised(blank):
    book = Book(blank)
    row = book.row_of("1.1")
    book.set(L.SHEET_SCORES, f"E{row}", "  QĐ   12/QĐ-VP\n ngày 10/01 ").set(L.SHEET_SCORES, f"F{row}", unicodedata.normalize("NFD", "Đã giải trình"))
    entry = book.run().submission.scores["1.1"]
    assert entry.evidence == "QĐ 12/QĐ-VP ngày 10/01" and entry.note == "Đã giải trình"


def test_an_inserted_column_moves_every_cell_but_nothing_is_lost(blank):
    book = Book(blank)
    for row in book.sheets[L.SHEET_SCORES].rows:
        row.insert(2, "")
    book.sheets[L.SHEET_SCORES].set_formulas({})
    book.set(L.SHEET_SCORES, f"E{book.row_of('2.1')}", "4,5")
    out = book.run()
    assert out.issues == [] and out.submission.scores["2.1"].value == Decimal("4.5")
    assert out.submission.scores["2.1"].cell == f"E{book.row_of('2.1')}"


def test_a_renamed_header_is_reported_by_title(blank):
    book = Book(blank)
    book.set(L.SHEET_SCORES, "E4", "Tài liệu")
    out = book.run()
    assert [(i.code, i.sheet) for i in out.issues] == [("header-missing", L.SHEET_SCORES)]
    assert "'Tài liệu kiểm chứng'" in out.issues[0].message


def test_a_deleted_sheet_is_reported(blank):
    book = Book(blank)
    del book.sheets[L.SHEET_INDICATORS]
    out = book.run()
    assert [i.code for i in out.issues] == ["sheet-missing"] and L.SHEET_INDICATORS in out.issues[0].message


def test_one_row_dragged_far_is_one_issue(blank):
    book = Book(blank)
    rows = book.sheets[L.SHEET_SCORES].rows
    moved = rows.pop(book.row_of("1.2") - 1)
    rows.insert(book.row_of("4.1") - 1, moved)
    out = book.run()
    assert [(i.code, i.value) for i in out.issues] == [("row-order", "1.2")]


def test_all_issues_of_a_file_are_collected(blank):
    book = Book(blank)
    book.score("2.1", "abc").score("1.3", "x").score("4.1", 99)
    book.set(L.SHEET_INDICATORS, "D6", "nhiều")
    book.set(L.SHEET_PERSONS, "B5", "Nguyễn Văn A")
    codes = [i.code for i in book.run().issues]
    assert codes == ["score-not-a-choice", "score-not-a-number", "score-out-of-range", "indicator-wrong-type", "person-birth-year", "person-rating-missing"]


def test_a_formula_in_a_number_cell_is_refused_even_with_a_value(blank):
    book = Book(blank)
    out = book.formula(L.SHEET_SCORES, f"D{book.row_of('2.1')}", "=2+2", cached=4).run()
    assert _issues(out) == [("formula-in-number-cell", f"D{book.row_of('2.1')}", "=2+2")]


def test_a_formula_in_a_text_cell_is_read_as_its_cached_value(blank):
    book = Book(blank)
    row = book.row_of("1.1")
    book.formula(L.SHEET_SCORES, f"E{row}", '="QĐ "&"01"', cached="QĐ 01").formula(L.SHEET_SCORES, f"D{book.row_of('1.3')}", '="Có"', cached="Có")
    book.formula(L.SHEET_SCORES, f"F{row}", "=A1")
    out = book.run()
    assert _issues(out) == [("formula-in-text-cell", f"F{row}", "=A1")] and out.issues[0].severity == "warning"
    assert out.submission.scores["1.1"].evidence == "QĐ 01" and out.submission.scores["1.3"].value == Decimal(3)
    assert out.submission.scores["1.1"].note == ""


def test_the_template_own_formulas_are_not_the_unit_s(blank):
    book = Book(blank)
    assert book.sheets[L.SHEET_SCORES].formulas  # column `Điểm quy đổi` and the totals
    assert book.run().issues == []
