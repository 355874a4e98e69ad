"""Validation: the raw sheets of one workbook → a ``Submission`` or an ``Appraisal``, and every issue.

Nothing stops at the first problem: each check reports at the cell as Excel shows it, with the value
found, and goes on, so a unit fixes its file in one round trip (PITFALLS.md, "what users ask for"). The
one exception is identification: a workbook that is not ours, another unit's, another year's or an
outdated template is refused on ``_meta`` alone, because its rows would not match the current criteria and
a hundred row errors would hide the one thing to do (download the new template).

Cells are found by header titles and criterion codes, never by position. Text is compared after NFC
normalisation, whitespace folding and case folding; numbers are parsed strictly (``values``). A formula
in an input cell is seen through ``RawSheet.formulas``: in a number cell it is refused, in a text cell
its cached value is read (or nothing, with a warning).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from ccht_batch.config.model import Choice, Config, Criterion, Indicator, Unit
from ccht_batch.core import issues, vocab
from ccht_batch.core.issues import Issue
from ccht_batch.core.periods import period_year
from ccht_batch.core.records import (
    COUNCIL_DECISIONS,
    REFUSE,
    Appraisal,
    AppraisedScore,
    Council,
    CouncilRow,
    CouncilVote,
    IndicatorEntry,
    PersonEntry,
    ScoreEntry,
    Submission,
)
from ccht_batch.core.values import (
    LOOK_ALIKE,
    ParseError,
    cell_id_text,
    column_letter,
    fmt_number,
    fold_key,
    norm_text,
    parse_count,
    parse_date,
    parse_decimal,
    parse_year,
)
from ccht_batch.forms import layout as L
from ccht_batch.intake.plausibility import file_checks
from ccht_batch.intake.raw import RawBook, RawSheet

EMPTY_SHOWN = "(trống)"


@dataclass
class Outcome:
    """What one workbook turned out to be."""

    kind: str | None
    unit_code: str | None = None
    year: int | None = None
    submission: Submission | None = None
    appraisal: Appraisal | None = None
    issues: list[Issue] = field(default_factory=list)
    council: Council | None = None


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
    cell: every file of a template names the same cells, and a month of records keeps them all."""
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
    scored: list[Criterion]  # criteria, bonus and penalty items in template order
    choices: dict[str, dict[str, Choice]]  # criterion id → choice text (as written, and folded) → choice
    indicators: list[Indicator]
    indicator_ids: list[str]
    genders: dict[str, str]  # choice text (as offered, and folded) → what is stored
    ratings: dict[str, str]
    levels: dict[str, str]
    awards: dict[str, str]  # folded award name → rule id
    award_names: list[str]
    units: dict[str, Unit]


_PLANS: dict[int, tuple[Config, Plan]] = {}


def _options(by_text: dict[str, str]) -> dict[str, str]:
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
        scored=list(crit.scored_rows),
        choices={c.id: {**{fold(ch.text): ch for ch in c.choices}, **{ch.text: ch for ch in c.choices}} for c in crit.scored_rows if c.is_choice},
        indicators=list(crit.indicators),
        indicator_ids=[i.id for i in crit.indicators],
        genders=_options({g: g for g in vocab.GENDERS}),
        ratings=_options({text: code for code, text in vocab.RATINGS.items()}),
        levels=_options({text: code for code, text in vocab.INITIATIVE_LEVELS.items()}),
        awards=_options({a.name: a.id for a in crit.awards}),
        award_names=[a.name for a in crit.awards],
        units={u.code: u for u in config.units},
    )
    if len(_PLANS) > 8:
        _PLANS.clear()
    _PLANS[id(config)] = (config, plan)
    return plan


# ---------------------------------------------------------------------------------------------------
# Entry point


def validate_book(book: RawBook, config: Config, period: str, file_name: str, sha256: str) -> Outcome:
    """Identify the workbook by ``_meta`` and validate it as what it says it is."""
    out = Collector(file_name)
    meta = read_meta(book)
    kind = norm_text(meta.get(L.META_KIND)) if meta is not None else ""
    if kind == L.KIND_TEMPLATE:
        return _template(book, meta or {}, config, period, file_name, sha256, out)
    if kind == L.KIND_APPRAISAL:
        return _appraisal(book, meta or {}, config, period, file_name, sha256, out)
    if kind == L.KIND_COUNCIL:
        return _council(book, meta or {}, config, period, file_name, sha256, out)
    if kind == L.KIND_HISTORY:
        out.add("history-in-input")
        return Outcome(kind=L.KIND_HISTORY, issues=out.items)
    out.add("not-our-template")
    return Outcome(kind=None, issues=out.items)


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


def _template(book: RawBook, meta: dict[str, Any], config: Config, period: str, file_name: str, sha256: str, out: Collector) -> Outcome:
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
    scores = _scores(book, config, plan, unit, out)
    indicators = _indicators(book, plan, out)
    persons = _persons(book, plan, out)
    outcome.submission = Submission(
        unit_code=unit.code,
        year=year,
        file_name=file_name,
        sha256=sha256,
        scores=scores,
        indicators=indicators,
        persons=persons,
    )
    out.items.extend(file_checks(outcome.submission, config))
    return outcome


FORMULA = object()  # a number cell holding a formula: already reported, value unusable
_ERROR_LITERAL = re.compile(r"^=?#[A-Z0-9/!?]+$")


def _input(sheet: RawSheet, row: int, col: int, numeric: bool, out: Collector) -> Any:
    """An input cell's value, after the formula rule of DESIGN.md §5."""
    raw = sheet.value(row, col)
    if (row, col) not in sheet.formula_cells:
        return raw
    formula = sheet.formulas.get((row, col))
    if _ERROR_LITERAL.match(formula):  # an error value (#REF!), alone or as LibreOffice saves it (=#REF!)
        if numeric:
            out.add("error-value", sheet=sheet.name, cell=cell_ref(row, col), value=formula.lstrip("="))
            return FORMULA
        return raw
    if numeric:
        out.add("formula-in-number-cell", sheet=sheet.name, cell=cell_ref(row, col), value=formula)
        return FORMULA
    if raw is None or raw == "":
        out.add("formula-in-text-cell", sheet=sheet.name, cell=cell_ref(row, col), value=formula)
        return ""
    return raw


TITLE_MAX = 120  # header titles are short; longer cells (instructions) are not looked at


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


def _scores(book: RawBook, config: Config, plan: Plan, unit: Unit, out: Collector) -> dict[str, ScoreEntry]:
    sheet = book.sheet(L.SHEET_SCORES)
    if sheet is None:
        out.add("sheet-missing", expected=L.SHEET_SCORES)
        return {}
    header = find_header(sheet, L.SCORE_HEADERS, out)
    if header is None:
        return {}
    hrow, cols = header
    code_col = cols[L.COL_CODE]
    rows = check_rows(codes_below(sheet, hrow, code_col), plan.expected_rows, sheet.name, code_col, out)
    cells = (cols[L.COL_SELF], cols[L.COL_EVIDENCE], cols[L.COL_NOTE])
    entries: dict[str, ScoreEntry] = {}
    for criterion in plan.scored:
        r = rows.get(criterion.id)
        if r is not None:
            entries[criterion.id] = _score_entry(sheet, r, cells, criterion, config.applies(criterion, unit), plan, out)
    return entries


def _score_entry(sheet: RawSheet, r: int, cells: tuple[int, int, int], c: Criterion, applicable: bool, plan: Plan, out: Collector) -> ScoreEntry:
    """One scored row: the score as points (or None), evidence and note, with the cells they came from."""
    c_self, c_evidence, c_note = cells
    line = sheet.rows[r]
    width = len(line)
    raw = line[c_self] if c_self < width else ""
    evidence = line[c_evidence] if c_evidence < width else ""
    note = line[c_note] if c_note < width else ""
    formulas = sheet.formula_cells
    if formulas:
        if (r, c_self) in formulas:
            raw = _input(sheet, r, c_self, applicable and not c.is_choice, out)
        if (r, c_evidence) in formulas:
            evidence = _input(sheet, r, c_evidence, False, out)
        if (r, c_note) in formulas:
            note = _input(sheet, r, c_note, False, out)
    entry = ScoreEntry(
        id=c.id, cell=cell_ref(r, c_self), value=None, evidence=text_of(evidence), evidence_cell=cell_ref(r, c_evidence), note=text_of(note)
    )
    if raw is FORMULA or raw == "" or raw is None:
        return entry
    if not applicable:
        text = shown(raw)
        if text and fold(text) != _NOT_APPLICABLE:
            out.add("score-not-applicable", sheet=sheet.name, cell=entry.cell, value=text)
    elif c.is_choice:
        text = shown(raw)
        choices = plan.choices[c.id]
        choice = choices.get(text) or choices.get(fold(text))
        if choice is None:
            out.add("score-not-a-choice", sheet=sheet.name, cell=entry.cell, value=text, expected=", ".join(ch.text for ch in c.choices))
        else:
            entry.value, entry.text = choice.points, choice.text
    else:
        value = check_number(raw, c, sheet.name, entry.cell, out)
        if value is not None:
            entry.value, entry.text = number_of(raw)
    return entry


_NOT_APPLICABLE = fold_key(vocab.NOT_APPLICABLE)


def check_number(raw: Any, c: Criterion, sheet: str, cell: str, out: Collector) -> Decimal | None:
    """A score typed as a number: strict parsing, then [0, max], then the step. None if empty or bad."""
    try:
        value = number_of(raw)[0]
    except ParseError as exc:
        out.add(_SCORE_PARSE_ISSUE.get(exc.code, "score-not-a-number"), sheet=sheet, cell=cell, value=shown(raw))
        return None
    if value is None:
        return None
    if value < 0 or value > c.max:
        out.add("score-out-of-range", sheet=sheet, cell=cell, value=fmt_number(value), max=fmt_number(c.max))
        return None
    if value % c.step != 0:
        out.add("score-off-step", sheet=sheet, cell=cell, value=fmt_number(value), step=fmt_number(c.step), example=fmt_number(_nearest_step(value, c)))
        return None
    return value


_SCORE_PARSE_ISSUE = {"ambiguous-number": "score-ambiguous-number", LOOK_ALIKE: "number-look-alike"}


_NUMBERS: dict[tuple[type, Any], tuple[Decimal | None, str] | str] = {}


def number_of(raw: Any) -> tuple[Decimal | None, str]:
    """``values.parse_decimal`` of a cell, with the text to show for it (the text as typed, or the number
    written the Vietnamese way). Remembered per distinct value: a month's files repeat the same few
    scores, and turning a float into an exact Decimal is the slow part."""
    key = (type(raw), raw)
    try:
        known = _NUMBERS.get(key)
    except TypeError:  # an unhashable value cannot come from a cell, but never crash on one
        known = None
    if known is None:
        try:
            value = parse_decimal(raw)
            known = (value, text_of(raw) if isinstance(raw, str) else fmt_number(value))
        except ParseError as exc:
            known = exc.code
        if len(_NUMBERS) > 4096:
            _NUMBERS.clear()
        try:
            _NUMBERS[key] = known
        except TypeError:
            pass
    if isinstance(known, str):
        raise ParseError(known)
    return known


def _nearest_step(value: Decimal, c: Criterion) -> Decimal:
    below = (value // c.step) * c.step
    above = min(below + c.step, c.max)
    return above if above - value < value - below else below


# -- Số liệu

EXPECTED_TYPE = {"count": "số nguyên từ 0", "date": "ngày dạng dd/mm/yyyy"}


def _indicators(book: RawBook, plan: Plan, out: Collector) -> dict[str, IndicatorEntry]:
    if not plan.indicators:
        return {}
    sheet = book.sheet(L.SHEET_INDICATORS)
    if sheet is None:
        out.add("sheet-missing", expected=L.SHEET_INDICATORS)
        return {}
    header = find_header(sheet, L.INDICATOR_HEADERS, out)
    if header is None:
        return {}
    hrow, cols = header
    code_col, value_col = cols[L.COL_IND_CODE], cols[L.COL_IND_VALUE]
    found = codes_below(sheet, hrow, code_col)
    rows = check_rows(found, plan.indicator_ids, sheet.name, code_col, out, ordered=False)
    entries: dict[str, IndicatorEntry] = {}
    for ind in plan.indicators:
        r = rows.get(ind.id)
        if r is None:
            continue
        cell = cell_ref(r, value_col)
        entry = IndicatorEntry(id=ind.id, cell=cell, value=None)
        entries[ind.id] = entry
        raw = _input(sheet, r, value_col, True, out)
        if raw is FORMULA or raw == "" or raw is None:
            continue
        try:
            entry.value = indicator_of(raw, ind.type)
        except ParseError as exc:
            if exc.code == LOOK_ALIKE:
                out.add("number-look-alike", sheet=sheet.name, cell=cell, value=shown(raw))
            else:
                out.add("indicator-wrong-type", sheet=sheet.name, cell=cell, value=shown(raw), expected=EXPECTED_TYPE.get(ind.type, ind.type))
    return entries


_INDICATORS: dict[tuple[str, type, Any], Any] = {}


def indicator_of(raw: Any, kind: str) -> Any:
    """An indicator's value (a count, or a date for ``kind`` date), remembered per distinct cell value."""
    key = (kind, type(raw), raw)
    known = _INDICATORS.get(key, _INDICATORS)
    if known is _INDICATORS:
        try:
            known = parse_date(raw) if kind == "date" else parse_count(raw)
        except ParseError as exc:
            known = exc
        if len(_INDICATORS) > 4096:
            _INDICATORS.clear()
        _INDICATORS[key] = known
    if isinstance(known, ParseError):
        raise ParseError(known.code)
    return known


# -- Cá nhân

PERSON_INPUTS = L.PERSON_HEADERS[1:]  # every column but `STT`
_BIRTH_AT = PERSON_INPUTS.index(L.P_BIRTH)
EMPTY_CELLS = frozenset(("", None))


def _persons(book: RawBook, plan: Plan, out: Collector) -> list[PersonEntry]:
    sheet = book.sheet(L.SHEET_PERSONS)
    if sheet is None:
        out.add("sheet-missing", expected=L.SHEET_PERSONS)
        return []
    header = find_header(sheet, L.PERSON_HEADERS, out)
    if header is None:
        return []
    hrow, cols = header
    persons: list[PersonEntry] = []
    seen: dict[tuple[str, int | None], int] = {}
    input_cols = [cols[t] for t in PERSON_INPUTS]
    lo, hi = min(input_cols), max(input_cols) + 1
    formula_rows = {r for r, _ in sheet.formula_cells}
    for r in range(hrow + 1, sheet.height):
        line = sheet.rows[r]
        if r in formula_rows:
            raw = [_input(sheet, r, c, False, out) for c in input_cols]
        elif EMPTY_CELLS.issuperset(line[lo:hi]):
            continue  # an empty row: most of them
        else:
            width = len(line)
            raw = [line[c] if c < width else "" for c in input_cols]
        text = dict(zip(PERSON_INPUTS, map(shown, raw)))
        if not any(text.values()):
            continue
        person = _person(sheet, r, cols, raw[_BIRTH_AT], text, plan, out)
        if person is None:
            continue
        key = (fold(person.name), person.birth_year)
        if key in seen:
            out.add("person-duplicate", sheet=sheet.name, cell=cell_ref(r, cols[L.P_NAME]), value=person.name, detail=seen[key])
            person.valid = False
        else:
            seen[key] = person.row
        persons.append(person)
    return persons


def _person(sheet: RawSheet, r: int, cols: dict[str, int], birth: Any, text: dict[str, str], plan: Plan, out: Collector) -> PersonEntry | None:
    """One filled row of `Cá nhân`; ``birth`` is the birth-year cell as read (a number or text)."""
    name = text[L.P_NAME]
    if not name:
        out.add("person-name-missing", sheet=sheet.name, cell=cell_ref(r, cols[L.P_NAME]))
        return None
    person = PersonEntry(
        row=r + 1,
        cell=cell_ref(r, cols[L.P_NAME]),
        name=name,
        position=text[L.P_POSITION],
        initiative=text[L.P_INITIATIVE],
        decision=text[L.P_DECISION],
        summary=text[L.P_SUMMARY],
        tasks=text[L.P_TASKS],
    )

    def problem(code: str, title: str, **params: Any) -> None:
        out.add(code, sheet=sheet.name, cell=cell_ref(r, cols[title]), **params)
        person.valid = False

    def choice(title: str, options: dict[str, str], listed: Iterable[str]) -> str | None:
        value = text[title]
        if not value:
            return None
        found = options.get(value) or options.get(fold(value))
        if found is None:
            problem("person-choice-unknown", title, value=value, detail=title, expected=", ".join(listed))
        return found

    try:
        year = parse_year(birth)
    except ParseError:
        year = None
    if year is not None and L.BIRTH_YEAR_MIN <= year <= L.BIRTH_YEAR_MAX:
        person.birth_year = year
    else:
        problem("person-birth-year", L.P_BIRTH, value=text[L.P_BIRTH] or EMPTY_SHOWN, min=L.BIRTH_YEAR_MIN, max=L.BIRTH_YEAR_MAX)
    person.gender = choice(L.P_GENDER, plan.genders, vocab.GENDERS) or ""
    if text[L.P_RATING]:
        person.rating = choice(L.P_RATING, plan.ratings, vocab.RATINGS.values())
    else:
        problem("person-rating-missing", L.P_RATING, value=name)
    person.level = choice(L.P_LEVEL, plan.levels, vocab.INITIATIVE_LEVELS.values())
    person.proposal = choice(L.P_PROPOSAL, plan.awards, plan.award_names)
    if person.initiative and (not person.decision or person.level is None):
        where = L.P_DECISION if not person.decision else L.P_LEVEL
        out.add("person-initiative-no-decision", sheet=sheet.name, cell=cell_ref(r, cols[where]), value=name)
    return person


# ---------------------------------------------------------------------------------------------------
# Appraisal workbooks


def _appraisal(book: RawBook, meta: dict[str, Any], config: Config, period: str, file_name: str, sha256: str, out: Collector) -> Outcome:
    plan = plan_for(config)
    found_period = shown(meta.get(L.META_PERIOD))
    if found_period != period:
        out.add("appraisal-wrong-period", value=found_period or EMPTY_SHOWN, expected=period)
    version = norm_text(meta.get(L.META_CRITERIA_VERSION))
    if version != config.criteria_version:
        out.add("outdated-template", value=version or EMPTY_SHOWN, expected=config.criteria_version)
    outcome = Outcome(kind=L.KIND_APPRAISAL, issues=out.items)
    if out.has_errors:
        return outcome
    sheet = book.sheet(L.APPRAISAL_SHEET)
    if sheet is None:
        out.add("sheet-missing", expected=L.APPRAISAL_SHEET)
        return outcome
    header = find_header(sheet, L.APPRAISAL_READ_HEADERS, out)
    if header is None:
        return outcome
    hrow, cols = header
    scores: list[AppraisedScore] = []
    seen: set[tuple[str, str]] = set()
    for r in range(hrow + 1, sheet.height):
        cell = cell_ref(r, cols[L.A_APPRAISED])
        raw = _input(sheet, r, cols[L.A_APPRAISED], True, out)
        if raw is FORMULA or shown(raw) == "":
            continue
        unit_code = text_of(sheet.value(r, cols[L.A_UNIT]))
        cid = code_of(sheet.value(r, cols[L.A_CODE]))
        unit = plan.units.get(unit_code)
        criterion = config.criteria.criterion(cid)
        if unit is None:
            out.add("appraisal-unknown-unit", sheet=sheet.name, cell=cell_ref(r, cols[L.A_UNIT]), value=unit_code or EMPTY_SHOWN)
        if criterion is None:
            out.add("appraisal-unknown-criterion", sheet=sheet.name, cell=cell_ref(r, cols[L.A_CODE]), value=cid or EMPTY_SHOWN)
        if unit is None or criterion is None:
            continue
        value = check_number(raw, criterion, sheet.name, cell, out)
        if value is None:
            continue
        if not config.applies(criterion, unit):
            out.add("score-not-applicable", sheet=sheet.name, cell=cell, value=fmt_number(value))
            continue
        if (unit.code, criterion.id) in seen:
            out.add("row-duplicate", sheet=sheet.name, cell=cell_ref(r, cols[L.A_CODE]), value=f"{unit.code} {criterion.id}")
            continue
        seen.add((unit.code, criterion.id))
        note = text_of(_input(sheet, r, cols[L.A_NOTE], False, out))
        scores.append(AppraisedScore(unit_code=unit.code, criterion_id=criterion.id, score=value, note=note, cell=cell))
    basis = {key[len(L.META_BASIS):]: norm_text(value) for key, value in meta.items() if key.startswith(L.META_BASIS) and norm_text(value)}
    outcome.appraisal = Appraisal(period=period, file_name=file_name, sha256=sha256, scores=scores, basis=basis)
    return outcome


# ---------------------------------------------------------------------------------------------------
# Council workbooks


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
    sheet = book.sheet(L.COUNCIL_SHEET)
    if sheet is None:
        out.add("sheet-missing", expected=L.COUNCIL_SHEET)
        return outcome
    header = find_header(sheet, L.COUNCIL_READ_HEADERS, out)
    if header is None:
        return outcome
    hrow, cols = header
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
