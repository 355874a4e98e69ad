"""Fill a generated template the way a unit would: openpyxl writing values into the input cells.

The demo uses it to make realistic submissions, and the tests to exercise the contract: cells are found
by sheet name and header title only, exactly as outside tests and real units do.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl

from ccht_batch.forms import layout as L


class Formula(str):
    """A value to write as a formula (``Formula("=SUM(D6:D9)")``); every other string is written as text,
    even one that starts with ``=`` — as a unit typing ``'=HYPERLINK(...)`` in Excel would get."""


def _put(cell: Any, value: Any) -> None:
    cell.value = str(value) if isinstance(value, Formula) else value
    if isinstance(value, str) and not isinstance(value, Formula) and value.startswith("="):
        cell.data_type = "s"


def header_map(ws, titles: tuple[str, ...], search_rows: int = L.HEADER_SEARCH_ROWS) -> tuple[int, dict[str, int]]:
    """Find the header row holding ``titles``; return (row number, {title: column number}), 1-based."""
    for row in ws.iter_rows(min_row=1, max_row=search_rows):
        found = {str(c.value).strip(): c.column for c in row if c.value is not None}
        if all(t in found for t in titles):
            return row[0].row, {t: found[t] for t in titles}
    raise AssertionError(f"header {titles} not found in {ws.title}")


def fill_template(
    template: Path,
    dest: Path,
    scores: dict[str, Any] | None = None,
    evidence: dict[str, str] | None = None,
    notes: dict[str, str] | None = None,
    indicators: dict[str, Any] | None = None,
    persons: list[dict[str, Any]] | None = None,
    meta: dict[str, Any] | None = None,
) -> Path:
    """Write values into a copy of ``template`` by criterion id / indicator id / header title.

    ``scores``, ``evidence`` and ``notes`` are keyed by `Mã tiêu chí`; ``indicators`` by `Mã chỉ số`;
    ``persons`` rows are dicts keyed by the `Cá nhân` header titles; ``meta`` overrides `_meta` values.
    """
    wb = openpyxl.load_workbook(template)
    ws = wb[L.SHEET_SCORES]
    hrow, cols = header_map(ws, L.SCORE_HEADERS)
    rows = {str(ws.cell(r, cols[L.COL_CODE]).value).strip(): r for r in range(hrow + 1, ws.max_row + 1) if ws.cell(r, cols[L.COL_CODE]).value is not None}
    for values, col in ((scores, L.COL_SELF), (evidence, L.COL_EVIDENCE), (notes, L.COL_NOTE)):
        for cid, value in (values or {}).items():
            _put(ws.cell(rows[cid], cols[col]), value)
    if indicators:
        wi = wb[L.SHEET_INDICATORS]
        hrow, icols = header_map(wi, L.INDICATOR_HEADERS)
        irows = {str(wi.cell(r, icols[L.COL_IND_CODE]).value): r for r in range(hrow + 1, wi.max_row + 1)}
        for iid, value in indicators.items():
            _put(wi.cell(irows[iid], icols[L.COL_IND_VALUE]), value)
    if persons:
        wp = wb[L.SHEET_PERSONS]
        hrow, pcols = header_map(wp, L.PERSON_HEADERS)
        for i, person in enumerate(persons):
            for title, value in person.items():
                _put(wp.cell(hrow + 1 + i, pcols[title]), value)
    if meta:
        wm = wb[L.SHEET_META]
        for r in range(1, wm.max_row + 1):
            key = wm.cell(r, 1).value
            if key in meta:
                _put(wm.cell(r, 2), meta[key])
    dest.parent.mkdir(parents=True, exist_ok=True)
    save_reproducibly(wb, dest)
    return dest


def fill_appraisal(workbook: Path, dest: Path, scores: dict[tuple[str, str], tuple[Any, str]]) -> Path:
    """Type the Office's scores and notes into a copy of an appraisal workbook (``ccht-batch appraisal``):
    ``scores`` maps (unit code, criterion id) to (score, note); rows are found by header titles."""
    wb = openpyxl.load_workbook(workbook)
    ws = wb[L.APPRAISAL_SHEET]
    hrow, cols = header_map(ws, L.APPRAISAL_HEADERS)
    for r in range(hrow + 1, ws.max_row + 1):
        key = (str(ws.cell(r, cols[L.A_UNIT]).value), str(ws.cell(r, cols[L.A_CODE]).value))
        if key in scores:
            score, note = scores[key]
            _put(ws.cell(r, cols[L.A_APPRAISED]), float(score))
            _put(ws.cell(r, cols[L.A_NOTE]), note)
    dest.parent.mkdir(parents=True, exist_ok=True)
    save_reproducibly(wb, dest)
    return dest


FIXED_TIME = dt.datetime(2025, 1, 1)


def save_reproducibly(wb: Any, dest: Path) -> None:
    """Save ``wb`` so that the same values give the same bytes: openpyxl stamps the clock into the
    document properties and into every zip entry, which would change a filled file's SHA-256 (and so the
    demo's ``summary.json``) from one run to the next."""
    wb.properties.created = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            out.writestr(fixed, data)
