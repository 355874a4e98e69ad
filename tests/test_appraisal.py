"""The appraisal workbook: written for the Office with one unlocked column, read back as the Office's scores
with every mistake reported at its cell."""

from __future__ import annotations

import hashlib
import unicodedata
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from ccht_batch.core.records import (
    ACCEPTED,
    REJECTED,
    CriterionScore,
    UnitOutcome,
    UnitScore,
)
from ccht_batch.forms import appraisal as A
from ccht_batch.forms import layout as L
from ccht_batch.forms.filling import Formula
from ccht_batch.intake.values import read_file

PERIOD = "2025-11"
D = Decimal


def _outcome(config, code: str, scored: bool = True) -> UnitOutcome:
    unit = config.unit(code)
    rows = []
    for c in config.criteria.scored_rows:
        applicable = config.applies(c, unit)
        computed = D("4.5") if c.is_computed and applicable else None
        rows.append(
            CriterionScore(
                id=c.id,
                max=c.max,
                applicable=applicable,
                self_score=c.max if applicable else None,
                computed=computed,
                appraised=None,
                score=(computed if computed is not None else c.max) if applicable else D(0),
                source="computed" if computed is not None else ("self" if applicable else "not-applicable"),
                kind=c.kind,
            )
        )
    score = UnitScore(code, rows, {}, D(90), D(100), D(0), D(0), D(0), D(90), D("90.00"), "Xuất sắc")
    return UnitOutcome(code=code, name=unit.name, email=unit.email, status="submitted", score=score if scored else None)


@pytest.fixture
def written(config, tmp_path):
    units = [_outcome(config, "VP"), _outcome(config, "TTRA"), _outcome(config, "KHTC", scored=False)]
    path = A.write_appraisal(config, PERIOD, units, A.appraisal_path(config, PERIOD))
    return path, units


def _rows(ws) -> list[dict]:
    header = [c.value for c in ws[A.HEADER_ROW + 1]]
    return [dict(zip(header, (c.value for c in row))) | {"_row": row[0].row} for row in ws.iter_rows(min_row=A.HEADER_ROW + 2) if row[0].value]


def test_layout_for_the_office(config, written):
    path, _ = written
    assert path == config.output_dir / PERIOD / "ThamDinh_2025-11.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [L.APPRAISAL_SHEET, L.SHEET_META] and wb[L.SHEET_META].sheet_state == "hidden"
    meta = {r[0].value: r[1].value for r in wb[L.SHEET_META].iter_rows()}
    assert meta == {"kind": "appraisal", "template_version": L.TEMPLATE_VERSION, "criteria_version": config.criteria_version, "period": PERIOD}
    ws = wb[L.APPRAISAL_SHEET]
    assert [c.value for c in ws[A.HEADER_ROW + 1]] == list(L.APPRAISAL_HEADERS)
    rows = _rows(ws)
    vp = [r for r in rows if r[L.A_UNIT] == "VP"]
    ttra = [r for r in rows if r[L.A_UNIT] == "TTRA"]
    assert len(vp) == len(config.criteria.scored_rows) and "3.2" not in {r[L.A_CODE] for r in ttra}
    assert not [r for r in rows if r[L.A_UNIT] == "KHTC"]  # no counted score: nothing to appraise
    r21 = next(r for r in vp if r[L.A_CODE] == "2.1")
    assert (r21[L.A_UNIT_NAME], r21[L.A_MAX], r21[L.A_SELF], r21[L.A_COMPUTED], r21[L.A_COUNTED]) == ("Văn phòng Sở", 6, 6, 4.5, 4.5)
    assert r21[L.A_CONTENT] == config.criteria.criterion("2.1").name and r21[L.A_APPRAISED] is None
    cell = ws.cell(r21["_row"], L.APPRAISAL_HEADERS.index(L.A_APPRAISED) + 1)
    assert cell.protection.locked is False and ws.protection.sheet
    assert ws.cell(r21["_row"], 1).protection.locked is not False
    rule = next(dv for dv in ws.data_validations.dataValidation if cell.coordinate in dv.sqref)
    c = cell.coordinate
    assert (rule.type, rule.formula1) == ("custom", f"AND(ISNUMBER({c}),{c}>=0,{c}<=6,MOD(ROUND({c}*4,6),1)=0)")  # range and step


def test_written_twice_byte_for_byte(config, written, tmp_path):
    path, units = written
    again = A.write_appraisal(config, PERIOD, units, tmp_path / "again.xlsx")
    assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(again.read_bytes()).digest()


def _appraise(written, dest: Path, scores: dict[tuple[str, str], object], notes=None, meta=None, edit=None) -> Path:
    path, _ = written
    wb = openpyxl.load_workbook(path)
    ws = wb[L.APPRAISAL_SHEET]
    col = {t: i + 1 for i, t in enumerate(L.APPRAISAL_HEADERS)}
    for r in _rows(ws):
        key = (r[L.A_UNIT], r[L.A_CODE])
        if key in scores:
            value = scores[key]
            ws.cell(r["_row"], col[L.A_APPRAISED]).value = str(value) if isinstance(value, Formula) else value
        if notes and key in notes:
            ws.cell(r["_row"], col[L.A_NOTE]).value = notes[key]
    if edit:
        edit(ws)
    for row in wb[L.SHEET_META].iter_rows():
        if meta and row[0].value in meta:
            row[1].value = meta[row[0].value]
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dest)
    return dest


def test_appraised_scores_are_read_back_exactly(config, written, tmp_path):
    note = unicodedata.normalize("NFD", "  Đã xem   biên bản ")
    path = _appraise(written, tmp_path / "input" / "td.xlsx", {("VP", "2.1"): "5,5", ("VP", "1.3"): 0, ("TTRA", "T1"): 2.25}, notes={("VP", "2.1"): note})
    rec = read_file(path, config, PERIOD)
    assert (rec.status, rec.kind, rec.unit_code, rec.issues) == (ACCEPTED, "appraisal", None, [])
    got = {(s.unit_code, s.criterion_id): (s.score, s.note) for s in rec.appraisal.scores}
    assert got == {("VP", "2.1"): (D("5.5"), "Đã xem biên bản"), ("VP", "1.3"): (D(0), ""), ("TTRA", "T1"): (D("2.25"), "")}
    assert rec.appraisal.period == PERIOD and rec.appraisal.sha256 == rec.sha256
    assert rec.appraisal.for_unit("VP")["2.1"].cell.startswith("I")


def test_an_appraisal_of_another_period_is_refused(config, written, tmp_path):
    path = _appraise(written, tmp_path / "td.xlsx", {("VP", "2.1"): 5}, meta={"period": "2025-10"})
    rec = read_file(path, config, PERIOD)
    assert rec.status == REJECTED and [i.code for i in rec.issues] == ["appraisal-wrong-period"]
    assert "ccht-batch appraisal --period 2025-11" in rec.issues[0].message


def test_an_appraisal_of_older_criteria_is_refused(config, written, tmp_path):
    rec = read_file(_appraise(written, tmp_path / "td.xlsx", {}, meta={"criteria_version": "abc"}), config, PERIOD)
    assert [i.code for i in rec.issues] == ["outdated-template"]


def test_every_mistake_is_reported_at_its_cell(config, written, tmp_path):
    def edit(ws):
        col = {t: i + 1 for i, t in enumerate(L.APPRAISAL_HEADERS)}
        last = ws.max_row
        extra = [("ZZ", "2.1", 1), ("VP", "9.9", 1), ("VP", "2.1", 3), ("TTRA", "3.2", 4)]
        for i, (unit, code, value) in enumerate(extra, start=1):
            ws.cell(last + i, col[L.A_UNIT]).value = unit
            ws.cell(last + i, col[L.A_CODE]).value = code
            ws.cell(last + i, col[L.A_APPRAISED]).value = value

    scores = {("VP", "2.1"): 2, ("VP", "2.2"): "abc", ("VP", "3.1"): 7, ("VP", "3.3"): "1.3", ("VP", "4.1"): Formula("=2+1"), ("VP", "5.1"): "1.000"}
    rec = read_file(_appraise(written, tmp_path / "td.xlsx", scores, edit=edit), config, PERIOD)
    codes = [(i.code, i.severity, i.cell[0] if i.cell else None) for i in rec.issues]
    assert codes == [
        ("score-not-a-number", "error", "I"),
        ("score-out-of-range", "error", "I"),
        ("score-off-step", "error", "I"),
        ("formula-in-number-cell", "error", "I"),
        ("score-ambiguous-number", "error", "I"),
        ("appraisal-unknown-unit", "error", "A"),
        ("appraisal-unknown-criterion", "error", "C"),
        ("row-duplicate", "error", "C"),
        ("score-not-applicable", "warning", "I"),
    ]
    assert rec.status == REJECTED and rec.appraisal is None


def test_an_appraisal_record_crosses_the_process_boundary_unchanged(config, written, tmp_path):
    from ccht_batch.intake.read import pack, read_raw, unpack
    from ccht_batch.intake.values import validate_values

    path = _appraise(written, tmp_path / "td.xlsx", {("VP", "2.1"): "5,5"}, notes={("VP", "2.1"): "xem lại"})
    rec = read_raw(path, config, PERIOD)  # what a reading child sends back: the rows' raw values
    assert rec.raw is not None and unpack(pack(rec)) == rec
    checked = validate_values([unpack(pack(rec))], config, PERIOD)[0]
    assert checked == read_file(path, config, PERIOD) and [(a.unit_code, a.criterion_id, a.score, a.note) for a in checked.appraisal.scores] == [
        ("VP", "2.1", Decimal("5.5"), "xem lại")
    ]
