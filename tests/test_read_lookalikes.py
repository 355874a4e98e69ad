"""Things that look like numbers and are not: Excel's error values (``#REF!``, which python-calamine reads as
an empty cell) and digits that are not 0-9 (fullwidth ``８``, Arabic-Indic ``٨``, pasted from elsewhere).
Each is an error at its cell with its own Vietnamese reason, in a real workbook of each format."""

from __future__ import annotations

import pytest
from conftest import needs_soffice
from support.corpus import PERIOD, Templates, fill
from support.soffice import soffice_convert

from ccht_batch.core.values import (
    LOOK_ALIKE,
    ParseError,
    parse_count,
    parse_date,
    parse_decimal,
)
from ccht_batch.forms import layout as L
from ccht_batch.intake.values import read_file


@pytest.mark.parametrize("typed", ["８", "８,５", "８．５", "٨", "۸,۵", "२"])
def test_non_ascii_digits_are_look_alikes_never_numbers(typed):
    with pytest.raises(ParseError) as caught:
        parse_decimal(typed)
    assert caught.value.code == LOOK_ALIKE
    with pytest.raises(ParseError) as caught:
        parse_count("１０")
    assert caught.value.code == LOOK_ALIKE
    with pytest.raises(ParseError) as caught:
        parse_date("１５/０１/２０２５")
    assert caught.value.code == LOOK_ALIKE


def test_other_text_keeps_its_reason():
    for typed, code in (("abc", "not-a-number"), ("8.500", "ambiguous-number"), ("８ điểm", "not-a-number")):
        with pytest.raises(ParseError) as caught:
            parse_decimal(typed)
        assert caught.value.code == code


@pytest.fixture
def templates(config, tmp_path):
    return Templates(config, tmp_path / "templates")


def _bad(templates, dest):
    return fill(
        templates,
        dest,
        unit="QLKH",
        scores={"2.1": "#REF!", "2.2": "８,５", "4.1": "#DIV/0!"},
        indicators={"TT_TIN_BAI": "١٢", "VB_GIAO": "#VALUE!"},
    )


def _found(rec):
    return sorted((i.code, i.sheet, i.cell, i.value) for i in rec.issues)


def _expected(t):
    S, I = L.SHEET_SCORES, L.SHEET_INDICATORS
    return sorted(
        [
            ("error-value", S, t.score("2.1"), "#REF!"),
            ("number-look-alike", S, t.score("2.2"), "８,５"),
            ("error-value", S, t.score("4.1"), "#DIV/0!"),
            ("number-look-alike", I, t.indicator("TT_TIN_BAI"), "١٢"),
            ("error-value", I, t.indicator("VB_GIAO"), "#VALUE!"),
        ]
    )


def test_error_values_and_look_alikes_in_a_real_workbook_are_errors_at_their_cells(config, templates, tmp_path):
    rec = read_file(_bad(templates, tmp_path / "loi.xlsx"), config, PERIOD)
    assert rec.status == "rejected"
    assert _found(rec) == _expected(templates)
    by_value = {i.value: i for i in rec.issues}
    assert "giá trị lỗi của Excel (#REF!)" in by_value["#REF!"].message
    assert "chữ số 0-9" in by_value["８,５"].message


@needs_soffice
@pytest.mark.soffice
def test_the_same_after_libreoffice_saves_it(config, templates, tmp_path):
    """LibreOffice writes an error value as a formula (``<f>#REF!</f>``): still the error's reason."""
    src = _bad(templates, tmp_path / "src" / "loi.xlsx")
    rec = read_file(soffice_convert(src, "xlsx", tmp_path / "lo"), config, PERIOD)
    assert rec.status == "rejected"
    assert _found(rec) == _expected(templates)


@needs_soffice
@pytest.mark.soffice
def test_a_legacy_xls_error_value_is_refused_at_its_cell(config, templates, tmp_path):
    """In .xls, LibreOffice saves the error as a formula record whose text is not kept: a formula there."""
    src = _bad(templates, tmp_path / "src" / "loi.xlsx")
    rec = read_file(soffice_convert(src, "xls", tmp_path / "xls"), config, PERIOD)
    assert rec.status == "rejected"
    assert _found(rec) == sorted(
        ("formula-in-number-cell", s, cell, "=…") if code == "error-value" else (code, s, cell, value) for code, s, cell, value in _expected(templates)
    )
