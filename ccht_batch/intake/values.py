"""The values of the period's files, checked as tables: entries joined with the criteria, issues as a table.

The reading workers hand over each template's and appraisal's input cells as read (``RawValues``). Here they
become one *entries* table for all the files of a run (``entries_frame``: file, section, cell, key, the raw
value and its formula), joined with the criteria of ``criteria.yaml`` (``tables.criteria``), and every check
of DESIGN.md §5 runs over whole columns: the formula rule (a formula or an error value in a number cell is
refused; a formula without a cached value in a text cell reads as empty), the number grammar (``8,5`` and
``8.5``; ``8.500`` is ambiguous; look-alike digits refused), range and step, choices, applicability, the
`Số liệu` types, the rows of `Cá nhân` (birth year, closed choices, duplicates), the appraisal's rows, and the
plausibility warnings (``plausibility``). Each interpretation of a cell is one scalar function of
``core.values`` applied once per distinct value (``tables.frames.map_distinct``).

Every check yields rows of one *issues* table (``tables.issues``), with its place in the file (section,
row, check), so a file's issues read in the order of its sheets and cells, as a unit fixes them, and the
structural issues its reader found (``ends``) keep their place. Then each file gets its final status, and an
accepted one its ``Submission`` or ``Appraisal``: the records the store, the scorer and the award engine
take.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from ccht_batch.config.model import Config
from ccht_batch.core import issues as catalogue
from ccht_batch.core import vocab
from ccht_batch.core.records import (
    ACCEPTED,
    REJECTED,
    Appraisal,
    AppraisedScore,
    FileRecord,
    IndicatorEntry,
    PersonEntry,
    RawValues,
    ScoreEntry,
    Submission,
)
from ccht_batch.core.values import (
    LOOK_ALIKE,
    ParseError,
    fmt_number,
    fold_key,
    parse_count,
    parse_date,
    parse_decimal,
    parse_year,
)
from ccht_batch.forms import layout as L
from ccht_batch.intake import plausibility
from ccht_batch.intake.plausibility import PLAUSIBILITY
from ccht_batch.intake.raw import RawBook, formula_rule
from ccht_batch.intake.read import read_raw
from ccht_batch.intake.validate import (
    EMPTY_SHOWN,
    PERSON_INPUTS,
    Outcome,
    code_of,
    options,
    read_book,
    shown,
    text_of,
)
from ccht_batch.tables import issues as T
from ccht_batch.tables.criteria import applicable, criteria_frame, units_frame
from ccht_batch.tables.frames import (
    cell_names,
    map_distinct,
    map_pairs,
    objects,
    put,
    table,
)

SCORES, INDICATORS, PERSONS, APPRAISAL = RawValues.SCORES, RawValues.INDICATORS, RawValues.PERSONS, RawValues.APPRAISAL
SHEETS = {SCORES: L.SHEET_SCORES, INDICATORS: L.SHEET_INDICATORS, PERSONS: L.SHEET_PERSONS, APPRAISAL: L.APPRAISAL_SHEET}
ORDER = ("at_file", "at_sec", "at_group", "at_check")  # where an issue goes among its file's issues

EXPECTED_TYPE = {"count": "số nguyên từ 0", "date": "ngày dạng dd/mm/yyyy"}
NOT_APPLICABLE = fold_key(vocab.NOT_APPLICABLE)
SCORE_PARSE_ISSUE = {"ambiguous-number": "score-ambiguous-number", LOOK_ALIKE: "number-look-alike"}


# ---------------------------------------------------------------------------------------------------
# Entry points


def validate_values(records: list[FileRecord], config: Config, period: str, keep_rejected: bool = False) -> list[FileRecord]:
    """Check the raw values of every record that has some, at once; give each its issues in file order, its
    final status and, when accepted, its submission or appraisal (also when rejected, with ``keep_rejected``:
    what a single workbook's check shows). ``records`` are changed in place (and returned); records without
    raw values are left as they are."""
    todo = [r for r in records if r.raw is not None]
    if not todo:
        return records
    checked = check_entries(entries_frame(todo), files_frame(todo), config, period)
    by_file = checked.issues_by_file()
    for i, rec in enumerate(todo):
        raw = rec.raw
        found, start = [], 0
        values = by_file.get(i, {})
        for sec, end in zip(_sections(raw.kind), raw.ends):
            found += rec.issues[start:end] + values.get(sec, [])
            start = end
        rec.issues = found + rec.issues[start:] + values.get(PLAUSIBILITY, [])
        rec.raw = None
        rec.status = REJECTED if catalogue.has_errors(rec.issues) else ACCEPTED
        if rec.status != ACCEPTED and not keep_rejected:
            continue
        if raw.kind == L.KIND_TEMPLATE:
            rec.submission = checked.submission(i, rec)
        elif raw.kind == L.KIND_APPRAISAL:
            rec.appraisal = Appraisal(period=period, file_name=rec.name, sha256=rec.sha256 or "", scores=checked.appraised.get(i, []), basis=raw.basis)
    return records


def _sections(kind: str) -> tuple[int, ...]:
    return (SCORES, INDICATORS, PERSONS) if kind == L.KIND_TEMPLATE else (APPRAISAL,)


def read_file(path: Path, config: Config, period: str) -> FileRecord:
    """One file read and checked in this process (``read.read_raw``, then its values): for tests and tools."""
    return validate_values([read_raw(Path(path), config, period)], config, period)[0]


def validate_book(book: RawBook, config: Config, period: str, file_name: str, sha256: str) -> Outcome:
    """One workbook's raw sheets read and checked in this process: what it is, its issues, its values."""
    outcome = read_book(book, config, period, file_name, sha256)
    record = FileRecord(
        name=file_name, sha256=sha256, size=0, mtime=0.0, status=ACCEPTED, kind=outcome.kind, unit_code=outcome.unit_code,
        year=outcome.year, issues=list(outcome.issues), council=outcome.council, raw=outcome.raw,
    )
    validate_values([record], config, period, keep_rejected=True)
    outcome.issues, outcome.raw = record.issues, None
    outcome.submission, outcome.appraisal = record.submission, record.appraisal
    return outcome


# ---------------------------------------------------------------------------------------------------
# The tables


def entries_frame(records: list[FileRecord]) -> pd.DataFrame:
    """One row per input cell of every record's raw values: ``file`` (the record's position), ``sec``,
    ``part``, ``key``, ``row``, ``col``, ``cell`` (as Excel shows it), ``raw``, ``formula`` (None for most),
    ``pos`` (the cell's place in its file, which orders the issues)."""
    counts = [len(r.raw) for r in records]
    total = sum(counts)
    sec, part = bytearray(), bytearray()
    key: list[str] = []
    row: list[int] = []
    col: list[int] = []
    raw: list[Any] = []
    formula = np.full(total, None, dtype=object)
    for rec in records:
        rv = rec.raw
        base = len(raw)
        for at, text in rv.formula.items():
            formula[base + at] = text
        sec += rv.sec
        part += rv.part
        key += rv.key
        row += rv.row
        col += rv.col
        raw += rv.raw
    starts = np.cumsum([0] + counts[:-1])
    files = np.repeat(np.arange(len(records), dtype=np.int64), counts)
    rows = np.asarray(row, dtype=np.int64)
    cols = np.asarray(col, dtype=np.int64)
    return table({
        "file": files,
        "sec": np.frombuffer(bytes(sec), dtype=np.uint8).astype(np.int64),
        "part": np.frombuffer(bytes(part), dtype=np.uint8).astype(np.int64),
        "key": objects(key, total),
        "row": rows,
        "col": cols,
        "cell": cell_names(rows, cols),
        "raw": objects(raw, total),
        "formula": formula,
        "pos": np.arange(total, dtype=np.int64) - np.repeat(starts, counts),
    })


def files_frame(records: list[FileRecord]) -> pd.DataFrame:
    """``name``, ``unit_code``, ``year``, ``sha256``, ``kind`` of each record, by its position."""
    return table({
        "name": objects((r.name for r in records), len(records)),
        "unit_code": objects((r.unit_code for r in records), len(records)),
        "year": objects((r.year for r in records), len(records)),
        "sha256": objects((r.sha256 for r in records), len(records)),
        "kind": objects((r.raw.kind for r in records), len(records)),
    })


@dataclass
class Checked:
    """What the checks found: the issues table (with where each goes) and the typed values."""

    files: pd.DataFrame
    issues: pd.DataFrame
    scores: pd.DataFrame  # file, key, cell, value, text, evidence, evidence_cell, note
    indicators: pd.DataFrame  # file, key, cell, value
    persons: pd.DataFrame  # file, row, cell, name, birth_year, ... valid
    appraised: dict[int, list[AppraisedScore]]

    def issues_by_file(self) -> dict[int, dict[int, list[catalogue.Issue]]]:
        """file → section → its issues in order."""
        if self.issues.empty:
            return {}
        ordered = self.issues.sort_values(list(ORDER), kind="stable")
        out: dict[int, dict[int, list[catalogue.Issue]]] = {}
        for (f, sec), rows in zip(zip(ordered["at_file"].tolist(), ordered["at_sec"].tolist()), T.to_records(ordered)):
            out.setdefault(f, {}).setdefault(sec, []).append(rows)
        return out

    def submission(self, i: int, rec: FileRecord) -> Submission:
        """The records of file ``i``'s typed values (what the store, the scorer and the award engine take)."""
        return Submission(
            unit_code=rec.unit_code or "",
            year=rec.year or 0,
            file_name=rec.name,
            sha256=rec.sha256 or "",
            scores={e.id: e for e in self._scores.get(i, ())},
            indicators={e.id: e for e in self._indicators.get(i, ())},
            persons=list(self._persons.get(i, ())),
        )

    def __post_init__(self) -> None:
        s, n, p = self.scores, self.indicators, self.persons
        self._scores = _by_file(s["file"], list(map(ScoreEntry, *(s[c].tolist() for c in SCORE_ENTRY))))
        self._indicators = _by_file(n["file"], list(map(IndicatorEntry, *(n[c].tolist() for c in ("key", "cell", "value")))))
        self._persons = _by_file(p["file"], list(map(PersonEntry, *(p[c].tolist() for c in PERSON_FIELDS))))


SCORE_ENTRY = ("key", "cell", "value", "text", "evidence", "evidence_cell", "note")  # ScoreEntry's fields, in order
PERSON_FIELDS = ("row", "name", "birth_year", "gender", "position", "rating", "initiative", "decision", "level", "proposal", "summary", "valid", "cell", "tasks")


def _by_file(files: pd.Series, items: list) -> dict[int, list]:
    """``items`` (in file order) by file: one slice per file."""
    at = files.to_numpy()
    if not len(at):
        return {}
    starts = np.flatnonzero(np.r_[True, at[1:] != at[:-1]]).tolist()
    ends = starts[1:] + [len(at)]
    return {int(at[a]): items[a:b] for a, b in zip(starts, ends)}


def check_entries(entries: pd.DataFrame, files: pd.DataFrame, config: Config, period: str) -> Checked:
    """Every value check over the entries of ``files``."""
    e = entries
    at = e["file"].to_numpy()
    put(e, unit_code=files["unit_code"].to_numpy(dtype=object)[at], file_name=files["name"].to_numpy(dtype=object)[at])
    found: list[pd.DataFrame] = []
    scores = _scores(e[e["sec"].to_numpy() == SCORES], config, found)
    indicators = _indicators(e[e["sec"].to_numpy() == INDICATORS], config, found)
    persons = _persons(e[e["sec"].to_numpy() == PERSONS], config, found)
    appraised = _appraisal(e[e["sec"].to_numpy() == APPRAISAL], config, found)
    templates = files.index[files["kind"] == L.KIND_TEMPLATE]
    found.append(plausibility.file_checks(files.loc[templates], indicators, persons, config))
    return Checked(files, T.concat(found), scores, indicators, persons, appraised)


# ---------------------------------------------------------------------------------------------------
# Issues at cells


def issues_at(rows: pd.DataFrame, code: str, check: Any, *, cell: Any = None, group: Any = None, **params: Any) -> pd.DataFrame | None:
    """Issues of ``code`` at ``rows`` of the entries (their file, unit, sheet and cell unless ``cell`` is given),
    ordered in the file by section, ``group`` (default: the row's first cell) and ``check`` (one for all, or
    one per row); None for no rows."""
    n = len(rows)
    if not n:
        return None
    sec = rows["sec"].to_numpy()
    out = T.issue_rows(
        code, n,
        file=rows["file_name"].to_numpy(),
        unit_code=rows["unit_code"].to_numpy(),
        sheet=objects((SHEETS[s] for s in sec.tolist()), n),
        cell=rows["cell"].to_numpy() if cell is None else cell,
        **params,
    )
    out["at_file"] = rows["file"].to_numpy()
    out["at_sec"] = sec
    out["at_group"] = (rows["pos"] - rows["part"]).to_numpy() if group is None else group
    out["at_check"] = check
    return out


def resolve_formulas(cells: pd.DataFrame, numeric: np.ndarray, checks: np.ndarray, found: list[pd.DataFrame]) -> tuple[np.ndarray, np.ndarray]:
    """The formula rule (DESIGN.md §5) over ``cells``: (their values, usable). A number cell holding a formula
    or an error value is refused and unusable; a text cell holding a formula without a cached value reads as
    empty, with a warning; a text cell shows an error value's cached value (as read)."""
    raw = cells["raw"].to_numpy(dtype=object).copy()
    usable = np.ones(len(cells), dtype=bool)
    formula = cells["formula"].to_numpy(dtype=object)
    held = np.flatnonzero(pd.notna(formula))
    if not len(held):
        return raw, usable
    # few cells hold a formula: the one rule (``raw.formula_rule``) cell by cell, its issues as tables
    verdicts = [formula_rule(f, v, bool(n)) for f, v, n in zip(formula[held], raw[held], numeric[held])]
    codes = np.array([v.code for v in verdicts], dtype=object)
    shown = np.array([v.shown for v in verdicts], dtype=object)
    sub, check = cells.iloc[held], checks[held]
    for code in ("error-value", "formula-in-number-cell", "formula-in-text-cell"):
        pick = codes == code
        found.append(issues_at(sub[pick], code, check[pick], value=shown[pick]))
    raw[held] = objects((v.value for v in verdicts), len(verdicts))
    usable[held] = [v.usable for v in verdicts]
    return raw, usable


def _empty(values: np.ndarray) -> np.ndarray:
    return np.fromiter((v is None or v == "" for v in values), dtype=bool, count=len(values))


def _texts(values: np.ndarray, fn: Callable[[Any], str] = shown) -> np.ndarray:
    """The text of cells (``shown``: as a unit recognises it in an issue)."""
    return map_distinct(values, fn, cells=True)


# ---------------------------------------------------------------------------------------------------
# Numbers typed as scores (the score sheet, the appraisal)


def _parse_number(raw: Any) -> tuple[Decimal | None, str, str | None]:
    """(value, its text, None) of a score cell, or (None, "", the parse error's code)."""
    try:
        value = parse_decimal(raw)
    except ParseError as exc:
        return None, "", exc.code
    if value is None:
        return None, "", None
    return value, text_of(raw) if isinstance(raw, str) else fmt_number(value), None


def nearest_step(value: Decimal, step: Decimal, top: Decimal) -> Decimal:
    below = (value // step) * step
    above = min(below + step, top)
    return above if above - value < value - below else below


def check_numbers(rows: pd.DataFrame, raw: np.ndarray, top: np.ndarray, step: np.ndarray, check: int, found: list[pd.DataFrame]) -> tuple[np.ndarray, np.ndarray]:
    """A score typed as a number: strict parsing, then [0, max], then the step (DESIGN.md §5). Returns the
    value (None where empty or refused) and its text, per row."""
    n = len(rows)
    value = np.full(n, None, dtype=object)
    text = np.full(n, "", dtype=object)
    if not n:
        return value, text
    parsed = map_distinct(raw, _parse_number, cells=True)
    got = objects((p[0] for p in parsed), n)
    code = objects((p[2] for p in parsed), n)
    bad = np.fromiter((c is not None for c in code), dtype=bool, count=n)
    if bad.any():
        issue = objects((SCORE_PARSE_ISSUE.get(c, "score-not-a-number") for c in code[bad]), int(bad.sum()))
        sub, seen = rows[bad], _texts(raw[bad])
        for name in dict.fromkeys(issue.tolist()):
            pick = issue == name
            found.append(issues_at(sub[pick], name, check, value=seen[pick]))
    have = np.flatnonzero(np.fromiter((v is not None for v in got), dtype=bool, count=n))
    if not len(have):
        return value, text
    v, mx, st = got[have], top[have], step[have]
    out = np.less(v, 0) | np.greater(v, mx)
    if out.any():
        found.append(issues_at(rows.iloc[have[out]], "score-out-of-range", check, value=map_distinct(v[out], fmt_number), max=map_distinct(mx[out], fmt_number)))
    off = ~out & np.not_equal(np.remainder(v, st), 0)
    if off.any():
        examples = [nearest_step(a, s, m) for a, s, m in zip(v[off], st[off], mx[off])]
        found.append(issues_at(
            rows.iloc[have[off]], "score-off-step", check,
            value=map_distinct(v[off], fmt_number), step=map_distinct(st[off], fmt_number), example=[fmt_number(x) for x in examples],
        ))
    ok = have[~out & ~off]
    value[ok] = got[ok]
    text[ok] = objects((p[1] for p in parsed[ok]), len(ok))
    return value, text


# ---------------------------------------------------------------------------------------------------
# Tự chấm điểm


def _scores(s: pd.DataFrame, config: Config, found: list[pd.DataFrame]) -> pd.DataFrame:
    """Each scored row's three cells (score, evidence, note; the reader gives them in that order)."""
    rows, evidence, note = s.iloc[0::3].reset_index(drop=True), s.iloc[1::3].reset_index(drop=True), s.iloc[2::3].reset_index(drop=True)
    crit = criteria_frame(config).set_index("id").reindex(rows["key"].to_numpy())
    units = units_frame(config).set_index("code")["handles_dossiers"]
    handles = units.reindex(rows["unit_code"].to_numpy()).fillna(False).astype(bool)
    applies = applicable(crit["applies_to"].reset_index(drop=True), handles.reset_index(drop=True)).to_numpy()
    choice = crit["is_choice"].to_numpy(dtype=bool)
    n = len(rows)
    raw, usable = resolve_formulas(rows, applies & ~choice, np.zeros(n, dtype=np.int64), found)
    ev_raw, _ = resolve_formulas(evidence, np.zeros(n, dtype=bool), np.ones(n, dtype=np.int64), found)
    note_raw, _ = resolve_formulas(note, np.zeros(n, dtype=bool), np.full(n, 2, dtype=np.int64), found)
    value = np.full(n, None, dtype=object)
    text = np.full(n, "", dtype=object)
    typed = usable & ~_empty(raw)

    na = np.flatnonzero(typed & ~applies)
    if len(na):
        seen = _texts(raw[na])
        folded = map_distinct(seen, fold_key)
        pick = (seen != "") & (folded != NOT_APPLICABLE)
        found.append(issues_at(rows.iloc[na[pick]], "score-not-applicable", 3, value=seen[pick]))

    ch = np.flatnonzero(typed & applies & choice)
    if len(ch):
        seen = _texts(raw[ch])
        keys = rows["key"].to_numpy(dtype=object)[ch]
        chosen = map_pairs(keys, seen, lambda cid, t: _choice(config, cid, t))
        missing = np.fromiter((c is None for c in chosen), dtype=bool, count=len(ch))
        if missing.any():
            expected = objects((", ".join(c.text for c in config.criteria.criterion(k).choices) for k in keys[missing]), int(missing.sum()))
            found.append(issues_at(rows.iloc[ch[missing]], "score-not-a-choice", 3, value=seen[missing], expected=expected))
        ok = ch[~missing]
        value[ok] = [c.points for c in chosen[~missing]]
        text[ok] = [c.text for c in chosen[~missing]]

    num = np.flatnonzero(typed & applies & ~choice)
    if len(num):
        v, t = check_numbers(rows.iloc[num], raw[num], crit["max"].to_numpy(dtype=object)[num], crit["step"].to_numpy(dtype=object)[num], 3, found)
        value[num], text[num] = v, t

    return table({
        "file": rows["file"].to_numpy(),
        "key": rows["key"].to_numpy(dtype=object),
        "cell": rows["cell"].to_numpy(dtype=object),
        "value": value,
        "text": text,
        "evidence": _texts(ev_raw, text_of),
        "evidence_cell": evidence["cell"].to_numpy(dtype=object),
        "note": _texts(note_raw, text_of),
    })


def _choice(config: Config, cid: str, text: str) -> Any:
    choices = _CHOICES.get((id(config), cid))
    if choices is None:
        c = config.criteria.criterion(cid)
        choices = _CHOICES[(id(config), cid)] = {**{fold_key(ch.text): ch for ch in c.choices}, **{ch.text: ch for ch in c.choices}}
    return choices.get(text) or choices.get(fold_key(text))


_CHOICES: dict[tuple[int, str], dict] = {}


# ---------------------------------------------------------------------------------------------------
# Số liệu


def _indicator_value(kind: str, raw: Any) -> Any:
    """An indicator's value (a count, or a date for ``kind`` date), or the parse error's code as a ParseError."""
    try:
        return parse_date(raw) if kind == "date" else parse_count(raw)
    except ParseError as exc:
        return exc


def _indicators(s: pd.DataFrame, config: Config, found: list[pd.DataFrame]) -> pd.DataFrame:
    rows = s.reset_index(drop=True)
    n = len(rows)
    raw, usable = resolve_formulas(rows, np.ones(n, dtype=bool), np.zeros(n, dtype=np.int64), found)
    value = np.full(n, None, dtype=object)
    typed = np.flatnonzero(usable & ~_empty(raw))
    if len(typed):
        kinds = objects((config.criteria.indicator(k).type for k in rows["key"].to_numpy(dtype=object)[typed]), len(typed))
        got = map_pairs(kinds, raw[typed], _indicator_value, cells=True)
        bad = np.fromiter((isinstance(g, ParseError) for g in got), dtype=bool, count=len(typed))
        value[typed[~bad]] = got[~bad]
        if bad.any():
            look = np.fromiter((g.code == LOOK_ALIKE for g in got[bad]), dtype=bool, count=int(bad.sum()))
            where, seen = typed[bad], _texts(raw[typed[bad]])
            found.append(issues_at(rows.iloc[where[look]], "number-look-alike", 1, value=seen[look]))
            found.append(issues_at(
                rows.iloc[where[~look]], "indicator-wrong-type", 1, value=seen[~look],
                expected=objects((EXPECTED_TYPE.get(k, k) for k in kinds[bad][~look]), int((~look).sum())),
            ))
    return table({"file": rows["file"].to_numpy(), "key": rows["key"].to_numpy(dtype=object), "cell": rows["cell"].to_numpy(dtype=object), "value": value})


# ---------------------------------------------------------------------------------------------------
# Cá nhân

_P = {title: i for i, title in enumerate(PERSON_INPUTS)}
_GENDERS = options({g: g for g in vocab.GENDERS})
_RATINGS = options({text: code for code, text in vocab.RATINGS.items()})
_LEVELS = options({text: code for code, text in vocab.INITIATIVE_LEVELS.items()})


def _persons(s: pd.DataFrame, config: Config, found: list[pd.DataFrame]) -> pd.DataFrame:
    """The filled rows of `Cá nhân` (each row's cells come in column order), one row per person."""
    width = len(PERSON_INPUTS)
    n = len(s) // width
    cells = s.reset_index(drop=True)
    raw, _ = resolve_formulas(cells, np.zeros(len(cells), dtype=bool), cells["part"].to_numpy(), found)
    texts = _texts(raw).reshape(n, width) if n else np.empty((0, width), dtype=object)
    raws = raw.reshape(n, width) if n else np.empty((0, width), dtype=object)
    first = cells.iloc[0::width].reset_index(drop=True)  # the row's first cell: file, row, group
    filled = np.fromiter((any(t != "" for t in line) for line in texts), dtype=bool, count=n)
    keep = np.flatnonzero(filled)
    texts, raws, first = texts[keep], raws[keep], first.iloc[keep].reset_index(drop=True)
    cols = cells["col"].to_numpy().reshape(n, width)[keep] if n else np.empty((0, width), dtype=np.int64)

    def at(title: str) -> np.ndarray:
        return cell_names(first["row"].to_numpy(), cols[:, _P[title]]) if len(first) else np.empty(0, dtype=object)

    def text(title: str) -> np.ndarray:
        return texts[:, _P[title]] if len(first) else np.empty(0, dtype=object)

    name = text(L.P_NAME)
    nameless = name == ""
    found.append(issues_at(first[nameless], "person-name-missing", 20, cell=at(L.P_NAME)[nameless]))
    keep = np.flatnonzero(~nameless)
    texts, raws, first, cols = texts[keep], raws[keep], first.iloc[keep].reset_index(drop=True), cols[keep]
    m = len(first)
    name = text(L.P_NAME)
    valid = np.ones(m, dtype=bool)

    def problem(pick: np.ndarray, code: str, check: int, title: str, **params: Any) -> None:
        found.append(issues_at(first[pick], code, check, cell=at(title)[pick], **params))
        valid[pick] = False

    years = map_distinct(raws[:, _P[L.P_BIRTH]] if m else np.empty(0, dtype=object), _birth_year, cells=True)
    birth_ok = np.fromiter((y is not None for y in years), dtype=bool, count=m)
    birth_text = text(L.P_BIRTH)
    problem(~birth_ok, "person-birth-year", 21, L.P_BIRTH, value=[t or EMPTY_SHOWN for t in birth_text[~birth_ok]], min=L.BIRTH_YEAR_MIN, max=L.BIRTH_YEAR_MAX)

    def choice(title: str, by_text: dict[str, str], listed: list[str], check: int) -> np.ndarray:
        value = text(title)
        code = map_distinct(value, lambda t: (by_text.get(t) or by_text.get(fold_key(t))) if t else None)
        unknown = (value != "") & np.fromiter((c is None for c in code), dtype=bool, count=m)
        problem(unknown, "person-choice-unknown", check, title, value=value[unknown], detail=title, expected=", ".join(listed))
        return code

    gender = choice(L.P_GENDER, _GENDERS, list(vocab.GENDERS), 22)
    rated = text(L.P_RATING) != ""
    rating = np.full(m, None, dtype=object)
    if rated.any():
        rating = choice(L.P_RATING, _RATINGS, list(vocab.RATINGS.values()), 23)
    problem(~rated, "person-rating-missing", 23, L.P_RATING, value=name[~rated])
    level = choice(L.P_LEVEL, _LEVELS, list(vocab.INITIATIVE_LEVELS.values()), 24)
    awards = options({a.name: a.id for a in config.criteria.awards})
    proposal = choice(L.P_PROPOSAL, awards, [a.name for a in config.criteria.awards], 25)
    initiative, decision = text(L.P_INITIATIVE), text(L.P_DECISION)
    no_level = np.fromiter((v is None for v in level), dtype=bool, count=m)
    undecided = (initiative != "") & ((decision == "") | no_level)
    where = np.where(decision == "", at(L.P_DECISION), at(L.P_LEVEL)) if m else np.empty(0, dtype=object)
    found.append(issues_at(first[undecided], "person-initiative-no-decision", 26, cell=where[undecided], value=name[undecided]))

    birth = np.where(birth_ok, years, None) if m else np.empty(0, dtype=object)
    keys = table({"file": first["file"].to_numpy(), "name": map_distinct(name, fold_key), "birth": pd.Series(birth, dtype=object)})
    repeated = keys.duplicated(keep="first").to_numpy()
    if repeated.any():
        origin = first["row"].to_numpy() + 1
        first_row = pd.Series(origin).groupby([keys["file"], keys["name"], keys["birth"]], dropna=False, sort=False).transform("first").to_numpy()
        problem(repeated, "person-duplicate", 27, L.P_NAME, value=name[repeated], detail=first_row[repeated])

    return table({
        "file": first["file"].to_numpy(),
        "row": first["row"].to_numpy() + 1,
        "cell": at(L.P_NAME),
        "name": name,
        "birth_year": birth,
        "gender": np.array([g or "" for g in gender], dtype=object) if m else np.empty(0, dtype=object),
        "position": text(L.P_POSITION),
        "rating": rating,
        "initiative": initiative,
        "decision": decision,
        "level": level,
        "proposal": proposal,
        "summary": text(L.P_SUMMARY),
        "valid": valid,
        "tasks": text(L.P_TASKS),
    })


def _birth_year(raw: Any) -> int | None:
    try:
        year = parse_year(raw)
    except ParseError:
        return None
    return year if year is not None and L.BIRTH_YEAR_MIN <= year <= L.BIRTH_YEAR_MAX else None


# ---------------------------------------------------------------------------------------------------
# Appraisal workbooks


def _appraisal(s: pd.DataFrame, config: Config, found: list[pd.DataFrame]) -> dict[int, list[AppraisedScore]]:
    """The Office's rows (unit, criterion, appraised score, note; the reader gives them in that order)."""
    if s.empty:
        return {}
    cells = s.reset_index(drop=True)
    unit, code, score, note = (cells.iloc[k::4].reset_index(drop=True) for k in range(4))
    n = len(score)
    raw, usable = resolve_formulas(score, np.ones(n, dtype=bool), np.zeros(n, dtype=np.int64), found)
    shown_score = _texts(raw)
    go = usable & (shown_score != "")
    units = {u.code: u for u in config.units}
    unit_code = _texts(unit["raw"].to_numpy(dtype=object), text_of)
    cid = _texts(code["raw"].to_numpy(dtype=object), code_of)
    known_unit = np.fromiter((u in units for u in unit_code), dtype=bool, count=n)
    known_criterion = np.fromiter((config.criteria.criterion(c) is not None for c in cid), dtype=bool, count=n)
    pick = go & ~known_unit
    found.append(issues_at(unit[pick], "appraisal-unknown-unit", 1, value=[u or EMPTY_SHOWN for u in unit_code[pick]]))
    pick = go & ~known_criterion
    found.append(issues_at(code[pick], "appraisal-unknown-criterion", 2, value=[c or EMPTY_SHOWN for c in cid[pick]]))
    go &= known_unit & known_criterion
    rows = np.flatnonzero(go)
    criteria = [config.criteria.criterion(c) for c in cid[rows]]
    value, _ = check_numbers(
        score.iloc[rows], raw[rows], objects((c.max for c in criteria), len(rows)), objects((c.step for c in criteria), len(rows)), 3, found
    )
    # An appraisal row counts for a criterion that applies to the unit, once per unit and criterion (the first).
    counted: list[tuple[int, AppraisedScore]] = []
    seen: set[tuple[int, str, str]] = set()
    for i, v, c in zip(rows.tolist(), value, criteria):
        if v is None:
            continue
        f, u = int(score["file"].iat[i]), units[unit_code[i]]
        if not config.applies(c, u):
            found.append(issues_at(score.iloc[[i]], "score-not-applicable", 4, value=fmt_number(v)))
            continue
        if (f, u.code, c.id) in seen:
            found.append(issues_at(code.iloc[[i]], "row-duplicate", 5, value=f"{u.code} {c.id}"))
            continue
        seen.add((f, u.code, c.id))
        counted.append((i, AppraisedScore(unit_code=u.code, criterion_id=c.id, score=v, cell=score["cell"].iat[i])))
    out: dict[int, list[AppraisedScore]] = {}
    if counted:
        at = [i for i, _ in counted]
        notes, _ = resolve_formulas(note.iloc[at], np.zeros(len(at), dtype=bool), np.full(len(at), 6, dtype=np.int64), found)
        for (i, a), text in zip(counted, _texts(notes, text_of)):
            a.note = text
            out.setdefault(int(score["file"].iat[i]), []).append(a)
    return out
