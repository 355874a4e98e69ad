"""Reading a workbook's structure in the reading worker: what it is (``_meta``), whether it is ours (its sheets,
header rows, criterion and indicator rows in order), and the raw values of its input cells.

Nothing stops at the first problem: each check reports at the cell as Excel shows it, with the value
found, and goes on, so a unit fixes its file in one round trip (PITFALLS.md, "what users ask for"). The
one exception is identification: a workbook that is not ours, another unit's, another year's or an
outdated template is refused on ``_meta`` alone, because its rows would not match the current criteria and
a hundred row errors would hide the one thing to do (download the new template).

Cells are found by header titles and criterion codes, never by position. What the values in the input
cells mean — numbers, choices, ranges, steps, dates, evidence, formulas in them, plausibility — is checked
afterwards in the main process, for every file of the period at once, as tables (``intake.values``): this
module hands over each input cell's value as read and its formula (``RawValues``), and imports no pandas,
so a reading child starts light. The council's workbook, whose cells are votes rather than entries, is read
here whole.

Text is compared after NFC normalisation, whitespace folding and case folding; numbers are parsed strictly
(``values``).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable

from ccht_batch.config.model import Config, Unit
from ccht_batch.core import issues
from ccht_batch.core.issues import Issue
from ccht_batch.core.periods import period_year
from ccht_batch.core.records import (
    COUNCIL_DECISIONS,
    REFUSE,
    Appraisal,
    Council,
    CouncilRow,
    CouncilVote,
    RawValues,
    Submission,
)
from ccht_batch.core.values import (
    ParseError,
    cell_id_text,
    column_letter,
    fmt_number,
    fold_key,
    norm_text,
    parse_count,
    parse_year,
)
from ccht_batch.forms import layout as L
from ccht_batch.intake.raw import RawBook, RawSheet, formula_rule

EMPTY_SHOWN = "(trống)"


@dataclass
class Outcome:
    """What one workbook turned out to be. From the reading worker, ``raw`` holds the input cells of a
    template or an appraisal, unchecked; ``intake.values`` turns them into ``submission`` or ``appraisal``."""

    kind: str | None
    unit_code: str | None = None
    year: int | None = None
    submission: Submission | None = None
    appraisal: Appraisal | None = None
    issues: list[Issue] = field(default_factory=list)
    council: Council | None = None
    raw: RawValues | None = None


class Collector:
    """Issues of one file: every one carries the file's name and, once known, its unit."""

    def __init__(self, file: str):
        self.file = file
        self.unit_code: str | None = None
        self.items: list[Issue] = []

    def add(self, code: str, *, sheet: str | None = None, cell: str | None = None, value: Any = None, **params: Any) -> None:
        self.items.append(issues.make(code, file=self.file, sheet=sheet, cell=cell, value=value, unit_code=self.unit_code, **params))

    @property
    def has_errors(self) -> bool:
        return issues.has_errors(self.items)


def fold(value: Any) -> str:
    return fold_key(value)


def shown(value: Any) -> str:
    """A cell's value as the user would recognise it in an issue."""
    if value == "" or value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y") if value.time() == dt.time() else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return text_of(value)


def text_of(value: Any) -> str:
    """``norm_text``, with its common cases first: an empty cell, or text already normalised."""
    if value == "" or value is None:
        return ""
    if type(value) is str and is_clean(value):
        return value
    return norm_text(value)


def is_clean(text: str) -> bool:
    """True when ``norm_text`` would return ``text`` unchanged (checked without building a new string)."""
    return (
        text.isprintable()  # no tab, newline or non-ASCII space
        and text[0] != " "
        and text[-1] != " "
        and "  " not in text
        and unicodedata.is_normalized("NFC", text)
    )


def code_of(value: Any) -> str:
    """``cell_id_text`` with the common case (a plain ASCII code such as ``3.2``) first."""
    if type(value) is str and value.isascii() and value.isprintable() and " " not in value:
        return value
    return cell_id_text(value)


_LETTERS = [column_letter(i) for i in range(128)]


def cell_ref(row: int, col: int) -> str:
    """Zero-based row and column → ``D14`` as Excel shows it (``values.cell_ref``), one shared string per
    cell: every file of a template names the same cells."""
    key = (row, col)
    ref = _CELL_NAMES.get(key)
    if ref is None:
        ref = f"{_LETTERS[col] if col < 128 else column_letter(col)}{row + 1}"
        if len(_CELL_NAMES) < 65536:
            _CELL_NAMES[key] = ref
    return ref


_CELL_NAMES: dict[tuple[int, int], str] = {}


# ---------------------------------------------------------------------------------------------------
# What the configuration expects, computed once per Config


@dataclass
class Plan:
    expected_rows: list[str]  # every code of the score sheet in template order
    scored: list[str]  # ids of the criteria, bonus and penalty items in template order
    indicator_ids: list[str]
    awards: dict[str, str]  # award name (as written, and folded) → rule id
    units: dict[str, Unit]


_PLANS: dict[int, tuple[Config, Plan]] = {}


def options(by_text: dict[str, str]) -> dict[str, str]:
    """Choice text → code, keyed by the text as offered and by its folded form."""
    return {**{fold(text): code for text, code in by_text.items()}, **by_text}


def plan_for(config: Config) -> Plan:
    cached = _PLANS.get(id(config))
    if cached is not None and cached[0] is config:
        return cached[1]
    crit = config.criteria
    expected: list[str] = []
    for f in crit.fields:
        expected.append(f.id)
        expected += [c.id for c in f.criteria]
    expected += [c.id for c in crit.bonus_items] + [c.id for c in crit.penalty_items]
    plan = Plan(
        expected_rows=expected,
        scored=[c.id for c in crit.scored_rows],
        indicator_ids=[i.id for i in crit.indicators],
        awards=options({a.name: a.id for a in crit.awards}),
        units={u.code: u for u in config.units},
    )
    if len(_PLANS) > 8:
        _PLANS.clear()
    _PLANS[id(config)] = (config, plan)
    return plan


# ---------------------------------------------------------------------------------------------------
# Entry point


def read_book(book: RawBook, config: Config, period: str, file_name: str, sha256: str) -> Outcome:
    """Identify the workbook by ``_meta`` and read it as what it says it is: its structure checked, the raw
    values of a template's or an appraisal's input cells in ``raw``, a council's votes read whole."""
    out = Collector(file_name)
    meta = read_meta(book)
    kind = norm_text(meta.get(L.META_KIND)) if meta is not None else ""
    if kind == L.KIND_TEMPLATE:
        return _template(book, meta or {}, config, period, out)
    if kind == L.KIND_APPRAISAL:
        return _appraisal(book, meta or {}, config, period, out)
    if kind == L.KIND_COUNCIL:
        return _council(book, meta or {}, config, period, file_name, sha256, out)
    if kind == L.KIND_HISTORY:
        out.add("history-in-input")
        return Outcome(kind=L.KIND_HISTORY, issues=out.items)
    out.add("not-our-template")
    return Outcome(kind=None, issues=out.items)


def identify(book: RawBook, config: Config) -> tuple[str, str | None, int | None] | None:
    """(kind, unit code, year) from ``_meta`` alone: for a file refused before it could be read whole, so
    that its unit is still told why. None when ``_meta`` says nothing usable."""
    meta = read_meta(book)
    if meta is None:
        return None
    kind = norm_text(meta.get(L.META_KIND))
    if kind not in (L.KIND_TEMPLATE, L.KIND_APPRAISAL, L.KIND_COUNCIL):
        return None
    code = norm_text(meta.get(L.META_UNIT_CODE)) if kind == L.KIND_TEMPLATE else ""
    return kind, (code if code in plan_for(config).units else None), _int(meta.get(L.META_YEAR))


def read_meta(book: RawBook) -> dict[str, Any] | None:
    """``_meta`` as key → value (column A → column B); None when the sheet is absent."""
    sheet = book.sheet(L.SHEET_META)
    if sheet is None:
        return None
    meta: dict[str, Any] = {}
    for line in sheet.rows:
        if len(line) >= 2:
            key = norm_text(line[0])
            if key and key not in meta:
                meta[key] = line[1]
    return meta


def _int(value: Any) -> int | None:
    text = cell_id_text(value)
    return int(text) if text.isdigit() else None


# ---------------------------------------------------------------------------------------------------
# Self-assessment workbooks


def _template(book: RawBook, meta: dict[str, Any], config: Config, period: str, out: Collector) -> Outcome:
    plan = plan_for(config)
    code = norm_text(meta.get(L.META_UNIT_CODE))
    unit = plan.units.get(code)
    if unit is None:
        out.add("unknown-unit", value=code or EMPTY_SHOWN)
    else:
        out.unit_code = code
    year = _int(meta.get(L.META_YEAR))
    want_year = period_year(period)
    if year != want_year:
        out.add("wrong-year", value=year if year is not None else shown(meta.get(L.META_YEAR)) or EMPTY_SHOWN, year=want_year)
    version = norm_text(meta.get(L.META_CRITERIA_VERSION))
    layout_version = _int(meta.get(L.META_TEMPLATE_VERSION))
    if version != config.criteria_version:
        out.add("outdated-template", value=version or EMPTY_SHOWN, expected=config.criteria_version)
    elif layout_version != L.TEMPLATE_VERSION:
        out.add("outdated-template", value=f"{version}, bố cục {layout_version}", expected=f"{config.criteria_version}, bố cục {L.TEMPLATE_VERSION}")
    outcome = Outcome(kind=L.KIND_TEMPLATE, unit_code=out.unit_code, year=year, issues=out.items)
    if out.has_errors or unit is None or year is None:
        return outcome
    raw = RawValues(kind=L.KIND_TEMPLATE)
    for section in (_score_cells, _indicator_cells, _person_cells):
        section(book, plan, raw, out)
        raw.ends.append(len(out.items))
    outcome.raw = raw
    return outcome


def _formula(sheet: RawSheet, row: int, col: int) -> str | None:
    """The formula (or error value) of a cell, if it holds one: checked with the cell's value, as tables."""
    return sheet.formulas.get((row, col)) if (row, col) in sheet.formula_cells else None


TITLE_MAX = 120  # header titles are short; longer cells (instructions) are not looked at


def sheet_table(book: RawBook, name: str, titles: Iterable[str], out: Collector) -> tuple[RawSheet, int, dict[str, int]] | None:
    """A table of the workbook: its sheet, header row and columns by title; None (reported: the sheet or a
    title missing) when it is not there."""
    sheet = book.sheet(name)
    if sheet is None:
        out.add("sheet-missing", expected=name)
        return None
    header = find_header(sheet, titles, out)
    if header is None:
        return None
    return (sheet, *header)


def find_header(sheet: RawSheet, titles: Iterable[str], out: Collector) -> tuple[int, dict[str, int]] | None:
    """The header row within the first rows, by titles; report each title it lacks."""
    titles = tuple(titles)
    best: tuple[int, dict[str, int]] | None = None
    for r in range(min(L.HEADER_SEARCH_ROWS, sheet.height)):
        cols = _titles_in(titles, sheet.rows[r])
        if cols and (best is None or len(cols) > len(best[1])):
            best = (r, cols)
            if len(cols) == len(titles):
                break
    found = best[1] if best else {}
    missing = [t for t in titles if t not in found]
    for title in missing:
        out.add("header-missing", sheet=sheet.name, expected=title)
    if missing or best is None:
        return None
    return best


def _titles_in(titles: tuple[str, ...], line: list[Any]) -> dict[str, int]:
    """title → column of its first cell in ``line`` (after normalisation). Remembered per row content:
    every file of a template repeats the same header rows."""
    key = (titles, tuple(line))
    try:
        found = _TITLE_ROWS.get(key)
    except TypeError:
        key, found = None, None
    if found is None:
        found = {}
        for c, value in enumerate(line):
            if not isinstance(value, str) or not value or len(value) > TITLE_MAX:
                continue
            text = value if value in titles else text_of(value)
            if text in titles and text not in found:
                found[text] = c
        if key is not None:
            if len(_TITLE_ROWS) > 1024:
                _TITLE_ROWS.clear()
            _TITLE_ROWS[key] = found
    return dict(found)


_TITLE_ROWS: dict[tuple, dict[str, int]] = {}


def check_rows(
    found: list[tuple[str, int]], expected: list[str], sheet: str, col: int, out: Collector, ordered: bool = True
) -> dict[str, int]:
    """Rows against the expected codes: added, duplicated, missing and (if ``ordered``) moved.

    Returns code → row of each expected code's first occurrence. A moved row is one outside the longest
    run of rows already in order, so one row dragged elsewhere is one issue, not one per row it passed.
    """
    if len(found) == len(expected) and all(code == want for (code, _), want in zip(found, expected)):
        return dict(found)  # the usual case: the template's rows, untouched
    wanted = _positions(expected)
    first: dict[str, int] = {}
    known: list[tuple[str, int]] = []
    for code, row in found:
        if code not in wanted:
            out.add("row-added", sheet=sheet, cell=cell_ref(row, col), value=code)
        elif code in first:
            out.add("row-duplicate", sheet=sheet, cell=cell_ref(row, col), value=code)
        else:
            first[code] = row
            known.append((code, row))
    last_row = max((row for _, row in found), default=0)
    for i, code in enumerate(expected):
        if code in first:
            continue
        following = next((first[c] for c in expected[i + 1 :] if c in first), None)
        where = following if following is not None else last_row + 1
        out.add("row-missing", sheet=sheet, cell=cell_ref(where, col), value=code)
    if ordered:
        actual = [wanted[code] for code, _ in known]
        keep = _longest_increasing(actual)
        target = sorted(actual)
        for i, (code, row) in enumerate(known):
            if i not in keep:
                out.add("row-order", sheet=sheet, cell=cell_ref(row, col), value=code, expected=expected[target[i]])
    return first


_POSITIONS: dict[tuple[str, ...], dict[str, int]] = {}


def _positions(expected: list[str]) -> dict[str, int]:
    key = tuple(expected)
    found = _POSITIONS.get(key)
    if found is None:
        if len(_POSITIONS) > 16:
            _POSITIONS.clear()
        found = _POSITIONS[key] = {code: i for i, code in enumerate(expected)}
    return found


def codes_below(sheet: RawSheet, hrow: int, col: int) -> list[tuple[str, int]]:
    """(code, row) of every row under the header whose code cell is not empty."""
    found = []
    for r in range(hrow + 1, sheet.height):
        line = sheet.rows[r]
        value = line[col] if col < len(line) else ""
        if value != "" and value is not None:
            code = code_of(value)
            if code:
                found.append((code, r))
    return found


def _longest_increasing(seq: list[int]) -> set[int]:
    """Indices of the rows to keep as "in order": a longest increasing subsequence of ``seq``.

    Among equally long ones, the one with most rows already at their own place wins, so two swapped
    rows are the two reported, not a neighbour that never moved.
    """
    n = len(seq)
    if all(seq[i] < seq[i + 1] for i in range(n - 1)):
        return set(range(n))  # the usual case: every row in order
    target = sorted(seq)
    in_place = [1 if seq[i] == target[i] else 0 for i in range(n)]
    best = [(1, in_place[i]) for i in range(n)]
    prev = [-1] * n
    for i in range(n):
        for j in range(i):
            if seq[j] < seq[i]:
                cand = (best[j][0] + 1, best[j][1] + in_place[i])
                if cand > best[i]:
                    best[i], prev[i] = cand, j
    i = max(range(n), key=lambda k: (best[k], -k))
    keep = set()
    while i >= 0:
        keep.add(i)
        i = prev[i]
    return keep


# -- Tự chấm điểm


def _score_cells(book: RawBook, plan: Plan, raw: RawValues, out: Collector) -> None:
    """Each scored row's `Điểm tự chấm`, `Tài liệu kiểm chứng` and `Ghi chú` (parts 0, 1, 2), in template order."""
    found = sheet_table(book, L.SHEET_SCORES, L.SCORE_HEADERS, out)
    if found is None:
        return
    sheet, hrow, cols = found
    code_col = cols[L.COL_CODE]
    rows = check_rows(codes_below(sheet, hrow, code_col), plan.expected_rows, sheet.name, code_col, out)
    cells = (cols[L.COL_SELF], cols[L.COL_EVIDENCE], cols[L.COL_NOTE])
    formulas = sheet.has_formulas
    for cid in plan.scored:
        r = rows.get(cid)
        if r is None:
            continue
        line = sheet.rows[r]
        width = len(line)
        for part, c in enumerate(cells):
            raw.add(RawValues.SCORES, part, cid, r, c, line[c] if c < width else "", _formula(sheet, r, c) if formulas else None)


# -- Số liệu


def _indicator_cells(book: RawBook, plan: Plan, raw: RawValues, out: Collector) -> None:
    if not plan.indicator_ids:
        return
    found = sheet_table(book, L.SHEET_INDICATORS, L.INDICATOR_HEADERS, out)
    if found is None:
        return
    sheet, hrow, cols = found
    code_col, value_col = cols[L.COL_IND_CODE], cols[L.COL_IND_VALUE]
    rows = check_rows(codes_below(sheet, hrow, code_col), plan.indicator_ids, sheet.name, code_col, out, ordered=False)
    for iid in plan.indicator_ids:
        r = rows.get(iid)
        if r is not None:
            raw.add(RawValues.INDICATORS, 0, iid, r, value_col, sheet.value(r, value_col), _formula(sheet, r, value_col))


# -- Cá nhân

PERSON_INPUTS = L.PERSON_HEADERS[1:]  # every column but `STT`
EMPTY_CELLS = frozenset(("", None))


def _person_cells(book: RawBook, plan: Plan, raw: RawValues, out: Collector) -> None:
    """The input cells of every row of `Cá nhân` that has something in them (part: the column's index in
    ``PERSON_INPUTS``)."""
    found = sheet_table(book, L.SHEET_PERSONS, L.PERSON_HEADERS, out)
    if found is None:
        return
    sheet, hrow, cols = found
    input_cols = [cols[t] for t in PERSON_INPUTS]
    lo, hi = min(input_cols), max(input_cols) + 1
    formula_rows = {r for r, _ in sheet.formula_cells}
    for r in range(hrow + 1, sheet.height):
        line = sheet.rows[r]
        has_formula = r in formula_rows
        if not has_formula and EMPTY_CELLS.issuperset(line[lo:hi]):
            continue  # an empty row: most of them
        width = len(line)
        for part, c in enumerate(input_cols):
            raw.add(RawValues.PERSONS, part, "", r, c, line[c] if c < width else "", _formula(sheet, r, c) if has_formula else None)


# ---------------------------------------------------------------------------------------------------
# Appraisal workbooks

APPRAISAL_INPUTS = (L.A_UNIT, L.A_CODE, L.A_APPRAISED, L.A_NOTE)  # parts 0-3 of an appraisal row


def _appraisal(book: RawBook, meta: dict[str, Any], config: Config, period: str, out: Collector) -> Outcome:
    """The Office's appraisal: its rows with an appraised score (or a formula there), as raw values."""
    found_period = shown(meta.get(L.META_PERIOD))
    if found_period != period:
        out.add("appraisal-wrong-period", value=found_period or EMPTY_SHOWN, expected=period)
    version = norm_text(meta.get(L.META_CRITERIA_VERSION))
    if version != config.criteria_version:
        out.add("outdated-template", value=version or EMPTY_SHOWN, expected=config.criteria_version)
    outcome = Outcome(kind=L.KIND_APPRAISAL, issues=out.items)
    if out.has_errors:
        return outcome
    found = sheet_table(book, L.APPRAISAL_SHEET, L.APPRAISAL_READ_HEADERS, out)
    if found is None:
        return outcome
    sheet, hrow, cols = found
    raw = RawValues(kind=L.KIND_APPRAISAL)
    raw.basis = {key[len(L.META_BASIS):]: norm_text(value) for key, value in meta.items() if key.startswith(L.META_BASIS) and norm_text(value)}
    c_unit, c_code, c_score, c_note = (cols[t] for t in APPRAISAL_INPUTS)
    for r in range(hrow + 1, sheet.height):
        score, formula = sheet.value(r, c_score), _formula(sheet, r, c_score)
        if formula is None and (score == "" or score is None):
            continue
        raw.add(RawValues.APPRAISAL, 0, "", r, c_unit, sheet.value(r, c_unit))
        raw.add(RawValues.APPRAISAL, 1, "", r, c_code, sheet.value(r, c_code))
        raw.add(RawValues.APPRAISAL, 2, "", r, c_score, score, formula)
        raw.add(RawValues.APPRAISAL, 3, "", r, c_note, sheet.value(r, c_note), _formula(sheet, r, c_note))
    raw.ends.append(len(out.items))
    outcome.raw = raw
    return outcome


# ---------------------------------------------------------------------------------------------------
# Council workbooks


FORMULA = object()  # a number cell holding a formula: already reported, value unusable


def _input(sheet: RawSheet, row: int, col: int, numeric: bool, out: Collector) -> Any:
    """A council cell's value, after the formula rule (``raw.formula_rule``; the entries of templates and
    appraisals follow the same rule as tables, ``intake.values``)."""
    raw = sheet.value(row, col)
    if (row, col) not in sheet.formula_cells:
        return raw
    verdict = formula_rule(sheet.formulas[(row, col)], raw, numeric)
    if verdict.code is not None:
        out.add(verdict.code, sheet=sheet.name, cell=cell_ref(row, col), value=verdict.shown)
    return verdict.value if verdict.usable else FORMULA


def _council(book: RawBook, meta: dict[str, Any], config: Config, period: str, file_name: str, sha256: str, out: Collector) -> Outcome:
    """The council's votes: rows without votes for and without a decision are undecided and left out. The
    milestone is the workbook's own; the batch applies it to the runs of that milestone."""
    plan = plan_for(config)
    found_period = shown(meta.get(L.META_PERIOD))
    if found_period != period:
        out.add("council-wrong-period", value=found_period or EMPTY_SHOWN, expected=period)
    milestone = norm_text(meta.get(L.META_MILESTONE)) or None
    if milestone is not None and config.criteria.movement.milestone(milestone) is None:
        out.add("council-invalid", sheet=L.SHEET_META, value=milestone, detail=f"Đợt xét '{milestone}' không có trong cấu hình")
    outcome = Outcome(kind=L.KIND_COUNCIL, issues=out.items)
    if out.has_errors:
        return outcome
    found = sheet_table(book, L.COUNCIL_SHEET, L.COUNCIL_READ_HEADERS, out)
    if found is None:
        return outcome
    sheet, hrow, cols = found
    kinds = {fold(text): kind for kind, text in L.KIND_TEXTS.items()}
    decisions = {fold(d): d for d in COUNCIL_DECISIONS}
    rows: list[CouncilRow] = []
    seen: set[tuple[str, str, str]] = set()
    for r in range(hrow + 1, sheet.height):

        def cell(title: str) -> str:
            return cell_ref(r, cols[title])

        def bad(title: str, detail: str) -> None:
            out.add("council-invalid", sheet=sheet.name, cell=cell(title), value=shown(sheet.value(r, cols[title])) or EMPTY_SHOWN, detail=detail)

        raw_present = _input(sheet, r, cols[L.C_PRESENT], True, out)
        raw_votes = _input(sheet, r, cols[L.C_VOTES], True, out)
        raw_decision = text_of(_input(sheet, r, cols[L.C_DECISION], False, out))
        if (raw_votes is FORMULA or shown(raw_votes) == "") and not raw_decision:
            continue  # no vote on this row (members present alone, typed down the column, decide nothing)
        award = plan.awards.get(text_of(sheet.value(r, cols[L.C_AWARD]))) or plan.awards.get(fold(sheet.value(r, cols[L.C_AWARD])))
        kind = kinds.get(fold(sheet.value(r, cols[L.C_KIND])))
        unit_code = text_of(sheet.value(r, cols[L.C_UNIT]))
        name = text_of(sheet.value(r, cols[L.C_NAME]))
        if award is None:
            bad(L.C_AWARD, "Hình thức khen thưởng không có trong cấu hình (config/criteria.yaml)")
        if kind is None:
            bad(L.C_KIND, f"Đối tượng cần là {' hoặc '.join(L.KIND_TEXTS.values())}")
        if unit_code not in plan.units:
            out.add("appraisal-unknown-unit", sheet=sheet.name, cell=cell(L.C_UNIT), value=unit_code or EMPTY_SHOWN)
        if not name:
            bad(L.C_NAME, "Thiếu họ và tên (tên tập thể)")
        birth = None
        raw_birth = sheet.value(r, cols[L.C_BIRTH])
        if kind == "individual" and shown(raw_birth):
            try:
                birth = parse_year(raw_birth)
            except ParseError:
                bad(L.C_BIRTH, "Năm sinh không hợp lệ")
        present = _count(raw_present, 1, sheet, cell(L.C_PRESENT), L.C_PRESENT, out)
        votes = _count(raw_votes, 0, sheet, cell(L.C_VOTES), L.C_VOTES, out)
        decision = decisions.get(fold(raw_decision)) if raw_decision else None
        if raw_decision and decision is None:
            bad(L.C_DECISION, f"Quyết định cần là {' hoặc '.join(COUNCIL_DECISIONS)}")
        if present is None or votes is None:
            if (present is None and shown(raw_present) == "") or (votes is None and shown(raw_votes) == ""):
                out.add("council-votes-missing", sheet=sheet.name, cell=cell(L.C_DECISION), value=raw_decision or EMPTY_SHOWN)
            continue
        if votes > present:
            out.add("council-votes-over", sheet=sheet.name, cell=cell(L.C_VOTES), value=votes, expected=present)
            continue
        if award is None or kind is None or unit_code not in plan.units or not name:
            continue
        row = CouncilRow(award, kind, unit_code, name, birth, CouncilVote(present, votes, decision), cell(L.C_DECISION))
        if (award, kind, row.subject) in seen:
            out.add("row-duplicate", sheet=sheet.name, cell=cell(L.C_NAME), value=f"{name} ({unit_code})")
            continue
        seen.add((award, kind, row.subject))
        if decision != REFUSE and votes * 100 <= config.criteria.council_approval_percent * present:
            out.add("council-below-threshold", sheet=sheet.name, cell=cell(L.C_VOTES), value=f"{votes}/{present}", expected=fmt_number(config.criteria.council_approval_percent))
        rows.append(row)
    outcome.council = Council(period=period, milestone=milestone, file_name=file_name, sha256=sha256, rows=rows)
    return outcome


def _count(raw: Any, minimum: int, sheet: RawSheet, cell: str, title: str, out: Collector) -> int | None:
    """A whole number of members or votes; None (reported) when not one, None (silent) when empty."""
    if raw is FORMULA or shown(raw) == "":
        return None
    try:
        n = parse_count(raw)
    except ParseError:
        n = None
    if n is None or n < minimum:
        out.add("council-invalid", sheet=sheet.name, cell=cell, value=shown(raw), detail=f"{title} cần là số nguyên từ {minimum}")
        return None
    return n
