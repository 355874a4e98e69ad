"""Validation of `Cá nhân` and `Số liệu`: a person row with a problem is kept out of nominations with a
warning, the rest counts; an indicator of the wrong type rejects the file."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from support.corpus import Book, blank_sheets

from ccht_batch.core import vocab
from ccht_batch.forms import layout as L

P = L.SHEET_PERSONS
COL = {title: chr(ord("A") + i) for i, title in enumerate(L.PERSON_HEADERS)}


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    return blank_sheets(tmp_path_factory.mktemp("persons"))


def person(book: Book, index: int, **values) -> Book:
    titles = {"name": L.P_NAME, "birth": L.P_BIRTH, "gender": L.P_GENDER, "position": L.P_POSITION, "rating": L.P_RATING,
              "initiative": L.P_INITIATIVE, "decision": L.P_DECISION, "level": L.P_LEVEL, "proposal": L.P_PROPOSAL, "summary": L.P_SUMMARY,
              "tasks": L.P_TASKS}
    for key, value in values.items():
        book.set(P, f"{COL[titles[key]]}{5 + index}", value)
    return book


GOOD = {"name": "Nguyễn Văn An", "birth": 1980, "rating": vocab.RATINGS["HTXSNV"]}


def test_a_complete_person_is_read_as_codes(blank):
    config, _ = blank
    award = config.criteria.awards[0]
    book = person(Book(blank), 0, **GOOD, gender="Nữ", position="Phó trưởng phòng", initiative="Một cửa số",
                  decision="QĐ 5/QĐ-SKHCN ngày 01/02/2025", level="Tỉnh", proposal=unicodedata.normalize("NFD", award.name.upper()),
                  summary="  Hoàn thành   tốt ")
    out = book.run()
    assert out.issues == []
    p = out.submission.persons[0]
    assert (p.row, p.name, p.birth_year, p.gender, p.position) == (5, "Nguyễn Văn An", 1980, "Nữ", "Phó trưởng phòng")
    assert (p.rating, p.level, p.proposal, p.summary, p.valid) == ("HTXSNV", "tinh", award.id, "Hoàn thành tốt", True)
    assert p.initiative_recognised


def test_science_and_technology_tasks_are_the_last_column(blank):
    """Template version 2: `Đề tài, đề án KH&CN đã nghiệm thu, áp dụng` comes last (column L); several tasks
    are separated by ';'."""
    assert L.PERSON_HEADERS[-1] == L.P_TASKS and COL[L.P_TASKS] == "L" and L.TEMPLATE_VERSION == 2
    out = person(Book(blank), 0, **GOOD, tasks="Đề tài bản đồ số (QĐ nghiệm thu 5/QĐ-SKHCN);  Đề án số hóa hồ sơ ").run()
    assert out.issues == []
    p = out.submission.persons[0]
    assert p.task_titles == ("Đề tài bản đồ số (QĐ nghiệm thu 5/QĐ-SKHCN)", "Đề án số hóa hồ sơ")


def test_empty_rows_and_numbered_rows_are_skipped(blank):
    book = person(Book(blank), 3, **GOOD)
    out = book.run()
    assert [p.row for p in out.submission.persons] == [8]


@pytest.mark.parametrize(
    "values, code, column, valid",
    [
        ({"rating": ""}, "person-rating-missing", L.P_RATING, False),
        ({"rating": "Xuất sắc"}, "person-choice-unknown", L.P_RATING, False),
        ({"gender": "Khác"}, "person-choice-unknown", L.P_GENDER, False),
        ({"level": "Huyện"}, "person-choice-unknown", L.P_LEVEL, False),
        ({"proposal": "Huân chương"}, "person-choice-unknown", L.P_PROPOSAL, False),
        ({"birth": 1939}, "person-birth-year", L.P_BIRTH, False),
        ({"birth": 2011}, "person-birth-year", L.P_BIRTH, False),
        ({"birth": "1980.5"}, "person-birth-year", L.P_BIRTH, False),
        ({"birth": "năm 1980"}, "person-birth-year", L.P_BIRTH, False),
        ({"birth": ""}, "person-birth-year", L.P_BIRTH, False),
        ({"initiative": "Sáng kiến A"}, "person-initiative-no-decision", L.P_DECISION, True),
        ({"initiative": "Sáng kiến A", "decision": "QĐ 1"}, "person-initiative-no-decision", L.P_LEVEL, True),
    ],
)
def test_a_problem_in_a_row_is_a_warning_at_its_cell(blank, values, code, column, valid):
    out = person(Book(blank), 0, **{**GOOD, **values}).run()
    assert [(i.code, i.severity, i.sheet, i.cell) for i in out.issues] == [(code, "warning", P, f"{COL[column]}5")]
    assert out.submission.persons[0].valid is valid


def test_birth_year_as_text_or_float_is_a_year(blank):
    out = person(person(Book(blank), 0, **{**GOOD, "birth": " 1980 "}), 1, name="Lê Thị B", birth=1985.0, rating=vocab.RATINGS["HTNV"]).run()
    assert out.issues == [] and [p.birth_year for p in out.submission.persons] == [1980, 1985]


def test_the_same_person_twice_after_normalisation(blank):
    book = person(Book(blank), 0, **GOOD)
    person(book, 1, **{**GOOD, "name": unicodedata.normalize("NFD", " nguyễn  VĂN an "), "birth": "1980"})
    person(book, 2, **{**GOOD, "birth": 1981})  # same name, another birth year: another person
    out = book.run()
    assert [(i.code, i.cell, i.value) for i in out.issues] == [("person-duplicate", "B6", "nguyễn VĂN an")]
    assert "dòng 5" in out.issues[0].message
    assert [p.valid for p in out.submission.persons] == [True, False, True]


def test_a_row_without_a_name_is_not_a_person(blank):
    out = person(Book(blank), 0, position="Chuyên viên", rating=vocab.RATINGS["HTTNV"]).run()
    assert [(i.code, i.cell) for i in out.issues] == [("person-name-missing", "B5")]
    assert out.submission.persons == []


def test_person_problems_never_reject_the_file(blank):
    out = person(Book(blank), 0, name="A", birth="x", rating="y", gender="z").run()
    assert out.issues and all(i.severity == "warning" for i in out.issues) and out.submission is not None


# -- Số liệu

I = L.SHEET_INDICATORS


def ind(book: Book, iid: str, value) -> Book:
    rows = book.sheets[I].rows
    r = next(i for i, row in enumerate(rows) if row[0] == iid)
    return book.set(I, f"D{r + 1}", value)


def test_indicators_are_read_as_counts_and_dates(blank):
    book = Book(blank)
    ind(ind(ind(ind(book, "KH_NGAY", "15/01/2025"), "KH_NV_GIAO", 12.0), "KH_NV_XONG", " 11 "), "KT_TONTAI", 0)
    ind(book, "VB_GIAO", "")
    values = {k: v.value for k, v in book.run().submission.indicators.items()}
    assert values["KH_NGAY"] == dt.date(2025, 1, 15) and values["KH_NV_GIAO"] == 12 and values["KH_NV_XONG"] == 11
    assert values["KT_TONTAI"] == 0 and values["VB_GIAO"] is None


def test_a_real_date_cell_is_a_date(blank):
    out = ind(Book(blank), "KH_NGAY", dt.datetime(2025, 1, 20)).run()
    assert out.issues == [] and out.submission.indicators["KH_NGAY"].value == dt.date(2025, 1, 20)


@pytest.mark.parametrize(
    "iid, value, expected",
    [
        ("KH_NGAY", "2025-01-15", "ngày dạng dd/mm/yyyy"),
        ("KH_NGAY", "31/02/2025", "ngày dạng dd/mm/yyyy"),
        ("KH_NGAY", 45678, "ngày dạng dd/mm/yyyy"),
        ("KH_NV_GIAO", 2.5, "số nguyên từ 0"),
        ("KH_NV_GIAO", -3, "số nguyên từ 0"),
        ("KH_NV_GIAO", "10 nhiệm vụ", "số nguyên từ 0"),
        ("KH_NV_GIAO", dt.datetime(2025, 1, 1), "số nguyên từ 0"),
    ],
)
def test_an_indicator_of_the_wrong_type_rejects_the_file(blank, iid, value, expected):
    out = ind(Book(blank), iid, value).run()
    assert [(i.code, i.severity, i.sheet) for i in out.issues] == [("indicator-wrong-type", "error", I)]
    assert expected in out.issues[0].message


def test_indicator_rows_missing_added_or_repeated(blank):
    book = Book(blank)
    rows = book.sheets[I].rows
    r = next(i for i, row in enumerate(rows) if row[0] == "KH_NV_GIAO")
    rows[r][0] = "KH_MOI"
    rows.append(["KH_NGAY", "", "", "01/01/2025"])
    found = [(i.code, i.value, i.cell) for i in book.run().issues]
    assert found == [("row-added", "KH_MOI", f"A{r + 1}"), ("row-duplicate", "KH_NGAY", f"A{len(rows)}"), ("row-missing", "KH_NV_GIAO", f"A{r + 2}")]
