"""Workbooks people fill, as Excel and LibreOffice show them: every wrapped row tall enough for its text, and
every score cell refusing by itself a score off its criterion's step (a file the program would reject).

LibreOffice is the judge: it re-saves each workbook, renders it to PDF, and its formula engine evaluates
the template's own validation formulas. A row too short for its wrapped text shows in the PDF as words
drawn over the neighbouring row's words, or crossed by a cell border (``support.render``).
"""

from __future__ import annotations

import csv
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from support.render import (
    PDFTOPPM,
    PDFTOTEXT,
    crossed_by_lines,
    horizontal_lines,
    overlapping,
    words,
)
from support.scoring import full_submission
from support.soffice import SOFFICE, soffice_convert_many

from ccht_batch.config.load import load_config
from ccht_batch.config.workdir import init_workdir
from ccht_batch.core.records import UnitOutcome
from ccht_batch.forms import layout as L
from ccht_batch.forms.appraisal import appraisal_path, write_appraisal
from ccht_batch.forms.template import write_templates
from ccht_batch.history.workbook import write_history_template
from ccht_batch.scoring.score import score_unit

needs_rendering = pytest.mark.skipif(
    SOFFICE is None or PDFTOTEXT is None or PDFTOPPM is None, reason="LibreOffice and poppler-utils (pdftotext, pdftoppm) are needed"
)


def _scored_units(config) -> list[UnitOutcome]:
    units = []
    for u in config.units:
        sub = full_submission(config, u.code)
        units.append(UnitOutcome(code=u.code, name=u.name, email=u.email, status="submitted", submission=sub, score=score_unit(config, u, sub)))
    return units


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A unit's template (one that handles dossiers and one that does not), the appraisal workbook, and the
    history workbook, as the program writes them."""
    wd = tmp_path_factory.mktemp("forms") / "wd"
    init_workdir(wd)
    config = load_config(wd)
    dossiers = next(u.code for u in config.units if u.handles_dossiers)
    other = next(u.code for u in config.units if not u.handles_dossiers)
    paths = write_templates(config, 2025, [dossiers, other])
    paths.append(write_appraisal(config, "2025-11", _scored_units(config), appraisal_path(config, "2025-11")))
    paths.append(write_history_template(config))
    return config, paths


@needs_rendering
def test_libreoffice_renders_every_row_of_every_fillable_workbook_fully(made, tmp_path):
    _, paths = made
    resaved = soffice_convert_many(paths, "xlsx", tmp_path / "resaved")  # as a unit's LibreOffice would save it
    pdfs = soffice_convert_many(resaved, "pdf", tmp_path / "pdf")
    for pdf in pdfs:
        found = words(pdf)
        assert len(found) > 100, pdf.name
        over = overlapping(found)
        assert not over, f"{pdf.name}: text drawn over text: " + "; ".join(f"p{a.page + 1} '{a.text}' / '{b.text}'" for a, b in over[:5])
        crossed = crossed_by_lines(found, horizontal_lines(pdf, tmp_path / "pages" / pdf.stem))
        assert not crossed, f"{pdf.name}: text across a cell border: " + "; ".join(f"p{w.page + 1} '{w.text}'" for w, _ in crossed[:5])
    # and the check sees the fault it is for: the same template with its row heights taken out overprints
    bare = _without_row_heights(resaved[0], tmp_path / "bare" / resaved[0].name)
    (pdf,) = soffice_convert_many([bare], "pdf", tmp_path / "bare-pdf")
    found = words(pdf)
    assert overlapping(found) and crossed_by_lines(found, horizontal_lines(pdf, tmp_path / "pages" / "bare"))


def _without_row_heights(src: Path, dest: Path) -> Path:
    """``src`` with every stored row height removed (what the templates were before), byte for byte else."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'(<row [^>]*?) ht="[\d.]+"', rb"\1", data)
                data = data.replace(b'customHeight="true"', b'customHeight="false"').replace(b'customHeight="1"', b'customHeight="0"')
            zout.writestr(info, data)
    return dest


def _score_cells(ws) -> dict[str, tuple[str, int]]:
    """Criterion id → (address of its `Điểm tự chấm` cell, row), read by header titles."""
    header = next(r for r in range(1, 11) if ws.cell(r, 1).value == L.COL_CODE)
    col = next(c for c in range(1, 12) if ws.cell(header, c).value == L.COL_SELF)
    return {str(ws.cell(r, 1).value): (f"{get_column_letter(col)}{r}", r) for r in range(header + 1, ws.max_row + 1) if ws.cell(r, 1).value}


def _validation_of(ws, cell: str):
    return next(dv for dv in ws.data_validations.dataValidation if any(cell in rng for rng in dv.sqref.ranges))


def _expected(cell: str, maximum: Decimal, step: Decimal) -> str:
    """The validation formula a score cell must carry, built here from the YAML's numbers alone."""
    per = 1 / step
    scaled = f"{cell}*{per.normalize():f}" if per == int(per) else f"{cell}/{step.normalize():f}"
    return f"AND(ISNUMBER({cell}),{cell}>=0,{cell}<={maximum.normalize():f},MOD(ROUND({scaled},6),1)=0)"


def test_every_numeric_score_cell_validates_range_and_step_and_says_its_step(made):
    config, paths = made
    for path in paths[:2]:
        wb = openpyxl.load_workbook(path)
        ws = wb[L.SHEET_SCORES]
        cells = _score_cells(ws)
        unit = config.unit(wb[L.SHEET_META]["B5"].value)
        checked = 0
        for c in config.criteria.scored_rows:
            if c.is_choice or not config.applies(c, unit):
                continue
            cell, _ = cells[c.id]
            dv = _validation_of(ws, cell)
            assert dv.type == "custom" and dv.formula1 == _expected(cell, c.max, c.step), (c.id, dv.formula1)
            step = f"{c.step.normalize():f}".replace(".", ",")
            assert f"bước {step} điểm" in dv.prompt and f"bội số của {step}" in dv.error, (c.id, dv.prompt)
            assert dv.showErrorMessage and dv.errorStyle in (None, "stop")  # Excel refuses, it does not just warn
            checked += 1
        assert checked >= 10
    # the penalties have their own steps (points per event), and their cells say so
    ws = openpyxl.load_workbook(paths[0])[L.SHEET_SCORES]
    tr1 = _validation_of(ws, _score_cells(ws)["TR1"][0])
    assert "bước 2 điểm" in tr1.prompt and "MOD(ROUND(" in tr1.formula1 and "/2," in tr1.formula1


def test_the_appraisal_workbook_validates_the_step_too(made):
    config, paths = made
    ws = openpyxl.load_workbook(paths[2])[L.APPRAISAL_SHEET]
    header = next(r for r in range(1, 11) if ws.cell(r, 1).value == L.A_UNIT)
    cols = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1)}
    seen = 0
    for r in range(header + 1, ws.max_row + 1):
        c = config.criteria.criterion(str(ws.cell(r, cols[L.A_CODE]).value))
        cell = f"{get_column_letter(cols[L.A_APPRAISED])}{r}"
        dv = _validation_of(ws, cell)
        assert dv.type == "custom" and dv.formula1 == _expected(cell, c.max, c.step)
        seen += 1
    assert seen > 100


@needs_rendering
def test_libreoffice_refuses_an_off_step_score_with_the_templates_own_validation(made, tmp_path):
    """Each distinct validation formula of the template, evaluated by LibreOffice's formula engine on
    scores a unit might type: the right ones pass, an off-step one (3,3 where the step is 0,25) does not."""
    config, paths = made
    ws = openpyxl.load_workbook(paths[0])[L.SHEET_SCORES]
    cells = _score_cells(ws)
    cases: list[tuple[str, object, bool]] = []  # (criterion, value typed, accepted)
    probe = openpyxl.Workbook()
    sheet = probe.active
    for c in config.criteria.scored_rows:
        if c.is_choice or c.id not in cells:
            continue
        formula = _validation_of(ws, cells[c.id][0]).formula1
        for value, ok in ((float(c.max), True), (float(c.step), True), (0, True), (float(c.max - c.step / 2), False),
                          (float(c.max + c.step), False), (-float(c.step), False), ("2,5", False)):
            row = len(cases) + 1
            sheet.cell(row, 1).value = value
            sheet.cell(row, 2).value = "=" + formula.replace(cells[c.id][0], f"A{row}")
            cases.append((c.id, value, ok))
    # the issue's own case: 3,3 typed where the maximum is 3,5 and the step 0,25
    row = len(cases) + 1
    sheet.cell(row, 1).value = 3.3
    sheet.cell(row, 2).value = "=" + _expected(f"A{row}", Decimal("3.5"), Decimal("0.25"))
    cases.append(("3,3", 3.3, False))
    src = tmp_path / "probe.xlsx"
    probe.save(src)  # openpyxl stores no cached result: LibreOffice computes every formula
    (out,) = soffice_convert_many([src], "csv", tmp_path / "csv")
    with open(out, encoding="utf-8") as f:
        results = [r[1] for r in csv.reader(f)]
    assert len(results) == len(cases)
    for (cid, value, ok), got in zip(cases, results):
        assert (got == "TRUE") is ok, (cid, value, got)


def test_the_guide_lists_the_steps_that_differ_and_the_deadline_as_chậm_nhất(made):
    config, paths = made
    guide = [c.value for row in openpyxl.load_workbook(paths[0])[L.SHEET_GUIDE].iter_rows() for c in row if c.value]
    text = "\n".join(map(str, guide))
    own = [c for c in config.criteria.scored_rows if not c.is_choice and c.step != config.criteria.default_step]
    assert own, "the shipped penalties have their own steps"
    for c in own:
        assert f"{c.id} bước {f'{c.step.normalize():f}'.replace('.', ',')} điểm" in text
    assert f"chậm nhất ngày {config.settings.deadline_day}" in text and "trước ngày" not in text
    assert "ô có tô màu vàng" in text.lower()


def test_every_wrapped_row_has_a_stored_height(made):
    """What LibreOffice is shown above, at the source: a row whose wrapped text needs two lines or more has
    its height stored (neither program grows a row of a file it did not lay out)."""
    _, paths = made
    wb = openpyxl.load_workbook(paths[0])
    ws = wb[L.SHEET_SCORES]
    names = {r: ws.cell(r, 2).value for r in range(5, ws.max_row + 1) if ws.cell(r, 2).value}
    long = [r for r, name in names.items() if len(name) > 75]
    assert long
    for r in long:
        assert ws.row_dimensions[r].height and ws.row_dimensions[r].height >= 30, (r, names[r])
    guide = wb[L.SHEET_GUIDE]
    for row in guide.iter_rows():
        text = row[0].value
        if text and len(text) > 140:
            assert guide.row_dimensions[row[0].row].height >= 30, text
