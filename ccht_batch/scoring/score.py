"""Scoring as tables: the period's counted submissions (and the Office's appraisal) → the scores DESIGN.md §6
fixes, for every unit at once.

One table has a row per unit × scored row of ``criteria.yaml`` (the criteria, then bonus and penalty items),
joined with what the unit typed on that row and the indicators its method reads. Each method is one function
over the rows that use it (``METHODS``: self-score, yes/no and scale, deadline, ratio thresholds, count
thresholds), giving points, the explanation of each score ("Tỷ lệ 15/20 = 75% ≥ 70% → 2 điểm") and the
warnings about it in the same pass. Then, over whole columns: configured applicability, the appraisal (a
join that replaces the score wherever the Office appraised), a computed score replacing a different
self-score, missing evidence; and by ``groupby``, each unit's field scores, bonus (capped), penalties, total,
result and band. Whenever the program counts something other than what the unit typed, it says so twice —
in the row's ``why`` (with the figures) and as a warning issue at the cell concerned.

Scores stay ``Decimal`` throughout (object columns, summed exactly, never as floats); thresholds are compared
exactly (``num × 100 ≥ at_least × den``) so a ratio exactly on a threshold never falls under it through
rounding. ``Scored`` holds the tables; the records the award engine and the store read (``UnitScore``) are
made from them.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any, Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from ccht_batch.config.model import Config, Unit
from ccht_batch.core.issues import Issue
from ccht_batch.core.records import (
    SRC_APPRAISED,
    SRC_COMPUTED,
    SRC_NOT_APPLICABLE,
    SRC_SELF,
    AppraisedScore,
    CriterionScore,
    Submission,
    UnitScore,
)
from ccht_batch.core.values import fmt_number, round2
from ccht_batch.forms import layout
from ccht_batch.tables import issues as T
from ccht_batch.tables.criteria import applicable, criteria_frame
from ccht_batch.tables.frames import map_distinct, map_pairs, objects, put, table

ZERO = Decimal(0)
RESULT_FLOOR = Decimal("0.00")

# The rows table: one per unit × scored row, in unit order then template order.
ROW_COLUMNS = ("unit_code", "id", "kind", "field_id", "max", "applicable", "self_score", "computed", "appraised", "score", "source", "why", "evidence")


# ---------------------------------------------------------------------------------------------------
# The tables


@dataclass
class Scored:
    """The period's scores as tables: ``rows`` (``ROW_COLUMNS``), ``totals`` (one row per unit:
    ``unit_code``, ``criteria_sum``, ``applicable_max``, ``bonus``, ``bonus_counted``, ``penalty``, ``total``,
    ``result``, ``band``), ``fields`` (``unit_code``, ``field_id``, ``score``, ``max`` over the applicable
    criteria), and the scorer's warnings per unit (``issues``)."""

    rows: pd.DataFrame
    totals: pd.DataFrame
    fields: pd.DataFrame
    issues: dict[str, list[Issue]]

    def unit_scores(self) -> dict[str, UnitScore]:
        """The records the award engine, the appraisal workbook and the store read, one per unit."""
        r = self.rows
        made = [CriterionScore(*v) for v in zip(*(r[c].tolist() for c in _CRITERION_SCORE))]
        by_unit: dict[str, list[CriterionScore]] = {}
        for code, row in zip(r["unit_code"].tolist(), made):
            by_unit.setdefault(code, []).append(row)
        fields: dict[str, dict[str, tuple[Decimal, Decimal]]] = {}
        f = self.fields
        for code, fid, got, out_of in zip(f["unit_code"].tolist(), f["field_id"].tolist(), f["score"].tolist(), f["max"].tolist()):
            fields.setdefault(code, {})[fid] = (got, out_of)
        t = self.totals
        return {
            code: UnitScore(
                unit_code=code, criteria=by_unit.get(code, []), field_scores=fields.get(code, {}), criteria_sum=cs, applicable_max=am,
                bonus=b, bonus_counted=bc, penalty=p, total=total, result=result, band=band, issues=self.issues.get(code, []),
            )
            for code, cs, am, b, bc, p, total, result, band in zip(*(t[c].tolist() for c in TOTAL_COLUMNS))
        }

    def appraisal_changes(self) -> dict[str, int]:
        """unit code → how many rows an appraisal gave a score other than the one they would have had."""
        r = self.rows
        appraised = r["appraised"].to_numpy(dtype=object)
        before = _pick(pd.notna(r["computed"]).to_numpy(), r["computed"].to_numpy(dtype=object), r["self_score"].to_numpy(dtype=object))
        changed = np.fromiter((a is not None and a != b for a, b in zip(appraised, before)), dtype=bool, count=len(r))
        counts = r["unit_code"][changed].value_counts(sort=False)
        return dict(zip(counts.index.tolist(), counts.tolist()))

    @classmethod
    def from_records(cls, scores: Mapping[str, UnitScore], submissions: Mapping[str, Submission | None] | None = None) -> "Scored":
        """The tables of scores already made (unit code → its record, as an outcome built from records holds
        them): the same tables the scorer makes."""
        submissions = submissions or {}
        rows = []
        for code, s in scores.items():
            typed = submissions.get(code)
            entries = typed.scores if typed is not None else {}
            for c in s.criteria:
                entry = entries.get(c.id)
                rows.append((code, c.id, c.kind, None, c.max, c.applicable, c.self_score, c.computed, c.appraised, c.score, c.source, c.why,
                             entry.evidence if entry else ""))
        field_rows = [(code, fid, got, out_of) for code, s in scores.items() for fid, (got, out_of) in s.field_scores.items()]
        totals = [(code, *(getattr(s, c) for c in TOTAL_COLUMNS[1:])) for code, s in scores.items()]
        return cls(
            rows=_frame(ROW_COLUMNS, rows),
            totals=_frame(TOTAL_COLUMNS, totals),
            fields=_frame(("unit_code", "field_id", "score", "max"), field_rows),
            issues={code: list(s.issues) for code, s in scores.items()},
        )


_CRITERION_SCORE = ("id", "max", "applicable", "self_score", "computed", "appraised", "score", "source", "why", "kind")  # its fields, in order
TOTAL_COLUMNS = ("unit_code", "criteria_sum", "applicable_max", "bonus", "bonus_counted", "penalty", "total", "result", "band")


def _frame(columns: tuple[str, ...], rows: list[tuple]) -> pd.DataFrame:
    data = {name: [r[i] for r in rows] for i, name in enumerate(columns)}
    frame = table(data)
    if "applicable" in frame:
        frame["applicable"] = frame["applicable"].astype(bool)
    return frame


# ---------------------------------------------------------------------------------------------------
# Public API


def score_units(config: Config, counted: Iterable[tuple[Unit, Submission, Mapping[str, AppraisedScore] | None]]) -> Scored:
    """Score every unit's counted submission, with the appraised scores that apply to it (row id → the
    Office's score for this unit), as tables."""
    counted = list(counted)
    grid = _grid(config, counted)
    pts, why, computed, found = _methods(config, grid, counted)
    rows = _rows(config, grid, pts, why, computed, found)
    return _totals(config, grid, rows, found)


def score_unit(config: Config, unit: Unit, submission: Submission, appraised: Mapping[str, AppraisedScore] | None = None) -> UnitScore:
    """One unit's scores (``score_units`` for one)."""
    return score_units(config, [(unit, submission, appraised)]).unit_scores()[unit.code]


# ---------------------------------------------------------------------------------------------------
# Units × scored rows, with what each unit typed and the indicators each method reads


def _grid(config: Config, counted: list[tuple[Unit, Submission, Mapping[str, AppraisedScore] | None]]) -> pd.DataFrame:
    crit = criteria_frame(config)
    n_units, n_rows = len(counted), len(crit)
    at_unit = np.repeat(np.arange(n_units, dtype=np.int64), n_rows)
    at_row = np.tile(np.arange(n_rows, dtype=np.int64), n_units)
    grid = crit.iloc[at_row].reset_index(drop=True)
    ids = crit["id"].tolist()
    entries = [sub.scores.get(cid) for _, sub, _ in counted for cid in ids]
    appraised = [(a or {}).get(cid) for _, _, a in counted for cid in ids]
    n = len(entries)
    put(
        grid,
        unit=at_unit,
        unit_code=objects((u.code for u, _, _ in counted for _ in range(n_rows)), n),
        handles_dossiers=np.repeat(np.array([u.handles_dossiers for u, _, _ in counted], dtype=bool), n_rows),
        year=np.repeat(np.array([s.year for _, s, _ in counted], dtype=np.int64), n_rows),
        file_name=objects((s.file_name for _, s, _ in counted for _ in range(n_rows)), n),
        self_score=objects((e.value if e else None for e in entries), n),
        text=objects((e.text if e else "" for e in entries), n),
        cell=objects((e.cell if e else None for e in entries), n),
        evidence=objects((e.evidence if e else "" for e in entries), n),
        evidence_cell=objects((e.evidence_cell if e else None for e in entries), n),
        note=objects((e.note if e else "" for e in entries), n),
        appraised=objects((a.score if a else None for a in appraised), n),
        appraisal_note=objects((a.note if a else "" for a in appraised), n),
    )
    put(grid, applicable=applicable(grid["applies_to"], grid["handles_dossiers"]).to_numpy())
    # the indicators each method reads: (value, cell) of the unit's `Số liệu` row, (None, None) without one
    for column in ("indicator", "numerator", "denominator"):
        wanted = grid[column].tolist()
        found = [counted[u][1].indicators.get(iid) if iid else None for u, iid in zip(at_unit.tolist(), wanted)]
        put(grid, **{f"{column}_value": objects((e.value if e else None for e in found), n), f"{column}_cell": objects((e.cell if e else None for e in found), n)})
    return grid


# ---------------------------------------------------------------------------------------------------
# Methods: points, why and warnings for the rows that use each


class _Found:
    """The scorer's warnings as issues tables, each row with its place (unit, scored row, step)."""

    def __init__(self, config: Config):
        self.config = config
        self.frames: list[pd.DataFrame] = []

    def add(self, code: str, rows: pd.DataFrame, step: int, *, sheet: str, cell: Any, **params: Any) -> None:
        if rows.empty:
            return
        frame = T.issue_rows(
            code, len(rows), file=rows["file_name"].to_numpy(), unit_code=rows["unit_code"].to_numpy(), sheet=sheet,
            cell=[c or None for c in cell], detail=rows["id"].to_numpy(), **params,
        )
        frame["at"] = rows.index.to_numpy()
        frame["step"] = step
        self.frames.append(frame)

    def missing_indicator(self, rows: pd.DataFrame, column: str, step: int) -> None:
        """``indicator-missing`` at the `Số liệu` cell of ``column``'s indicator (none when the row is absent)."""
        def name(iid: Any) -> str:
            known = self.config.criteria.indicator(iid or "")
            return f"{iid} - {known.name}" if known else str(iid)

        self.add("indicator-missing", rows, step, sheet=layout.SHEET_INDICATORS, cell=rows[f"{column}_cell"].tolist(), expected=map_distinct(rows[column], name))


def _points(value: Decimal) -> str:
    return f"{fmt_number(value)} điểm"


def _date(value: dt.date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _pick(condition: np.ndarray, yes: np.ndarray, no: np.ndarray) -> np.ndarray:
    """``np.where`` over object arrays (keeps the objects as they are)."""
    out = no.copy()
    out[condition] = yes[condition]
    return out


def _fill(values: np.ndarray, default: Any) -> np.ndarray:
    return objects((default if v is None else v for v in values), len(values))


_SELF_WORDS = {
    # kind: (empty, typed)
    "criterion": ("Chưa tự chấm → 0 điểm", "Tự chấm {}"),
    "bonus": ("Không có điểm thưởng", "Điểm thưởng tự chấm: {}"),
    "penalty": ("Không có điểm trừ", "Điểm trừ tự khai: {}"),
}


def _self(g: pd.DataFrame, found: _Found) -> tuple[np.ndarray, np.ndarray]:
    value = g["self_score"].to_numpy(dtype=object)
    words = map_pairs(g["kind"].to_numpy(dtype=object), value, lambda kind, v: _self_why(kind, v))
    return _fill(value, ZERO), words


def _self_why(kind: str, value: Decimal | None) -> str:
    empty, typed = _SELF_WORDS.get(kind, _SELF_WORDS["criterion"])
    return empty if value is None else typed.format(_points(value))


def _choice(g: pd.DataFrame, found: _Found) -> tuple[np.ndarray, np.ndarray]:
    # The reader has already turned the chosen text into its points (DESIGN.md §4).
    value = g["self_score"].to_numpy(dtype=object)
    words = map_pairs(g["text"].to_numpy(dtype=object), value, lambda text, v: "Chưa chọn → 0 điểm" if v is None else f"Chọn '{text or fmt_number(v)}' → {_points(v)}")
    return _fill(value, ZERO), words


def _deadline(g: pd.DataFrame, found: _Found) -> tuple[np.ndarray, np.ndarray]:
    n = len(g)
    value = g["indicator_value"].to_numpy(dtype=object)
    dated = np.fromiter((isinstance(v, dt.date) for v in value), dtype=bool, count=n)
    due = map_pairs(g["year"].to_numpy(), objects(zip(g["due_month"], g["due_day"]), n), lambda y, md: _due_date(int(y), md[0] or 1, md[1] or 1))
    in_time = np.zeros(n, dtype=bool)
    in_time[dated] = np.less_equal(value[dated], due[dated]).astype(bool)
    on_time = _pick(g["on_time"].notna().to_numpy(), g["on_time"].to_numpy(dtype=object), g["max"].to_numpy(dtype=object))
    late, missing = _fill(g["late"].to_numpy(dtype=object), ZERO), _fill(g["missing"].to_numpy(dtype=object), ZERO)
    pts = _pick(~dated, missing, _pick(in_time, on_time, late))
    why = objects(
        (f"Chưa có ngày (hạn {_date(d)}) → {_points(p)}" if not ok else f"Ngày {_date(v)}, {'đúng' if t else 'sau'} hạn {_date(d)} → {_points(p)}"
         for v, d, p, ok, t in zip(value, due, pts, dated, in_time)),
        n,
    )
    found.missing_indicator(g[~dated], "indicator", 0)
    return pts, why


def _counts(values: np.ndarray) -> np.ndarray:
    """A count indicator's value, None when empty (a date here would have been refused by validation)."""
    return objects((None if v is None or isinstance(v, dt.date) else int(v) for v in values), len(values))


def _thresholds(g: pd.DataFrame, reached: Callable[[Any, np.ndarray], np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row, the first threshold of its criterion that ``reached(at_least, rows)`` says is met: (met,
    at_least, points); the lowest threshold and ``below`` where none is."""
    n = len(g)
    met = np.zeros(n, dtype=bool)
    at = np.full(n, None, dtype=object)
    pts = g["below"].to_numpy(dtype=object).copy()
    for cid, index in g.groupby("id", sort=False).indices.items():
        thresholds = g["thresholds"].iat[index[0]]
        at[index] = thresholds[-1].at_least if thresholds else ZERO
        for t in thresholds:
            todo = index[~met[index]]
            if not len(todo):
                break
            hit = todo[reached(t.at_least, todo)]
            met[hit] = True
            at[hit] = t.at_least
            pts[hit] = t.points
    return met, at, pts


def _ratio(g: pd.DataFrame, found: _Found) -> tuple[np.ndarray, np.ndarray]:
    n = len(g)
    num, den = _counts(g["numerator_value"].to_numpy(dtype=object)), _counts(g["denominator_value"].to_numpy(dtype=object))
    top = g["max"].to_numpy(dtype=object)
    below = g["below"].to_numpy(dtype=object)
    denominator = g["denominator"].to_numpy(dtype=object)
    zero = np.fromiter((d == 0 for d in den), dtype=bool, count=n)
    no_num = np.fromiter((v is None for v in num), dtype=bool, count=n)
    no_den = np.fromiter((v is None for v in den), dtype=bool, count=n)
    blank = ~zero & (no_num | no_den)
    known = ~zero & ~blank
    # Exact: num × 100 ≥ at_least × den, so 19/20 is exactly 95 % and never 94.999…
    hundred = map_distinct(num, lambda v: None if v is None else Decimal(v) * 100)

    def reached(at_least: Decimal, rows: np.ndarray) -> np.ndarray:
        out = known[rows].copy()
        out[out] = np.greater_equal(hundred[rows[out]], at_least * den[rows[out]]).astype(bool)
        return out

    met, at, pts = _thresholds(g, reached)
    # A zero denominator decides on its own: with nothing to count, an empty numerator can only be 0.
    mode = _fill(g["zero_denominator"].to_numpy(dtype=object), "zero")
    pts = _pick(zero & (mode == "full"), top, _pick(zero & (mode == "not_applicable"), np.full(n, None, dtype=object), _pick(zero, np.full(n, ZERO, dtype=object), pts)))
    pts = _pick(blank, below, pts)
    percent = map_pairs(num, den, lambda a, b: _percent(a, b) if a is not None and b else "")
    why = objects((_ratio_why(*v) for v in zip(zero, mode, denominator, blank, no_num, no_den, g["numerator"], num, den, percent, met, at, pts)), n)
    found.missing_indicator(g[blank & no_num], "numerator", 0)
    found.missing_indicator(g[blank & no_den], "denominator", 1)
    return pts, why


def _ratio_why(zero, mode, denominator, blank, no_num, no_den, numerator, num, den, percent, met, at, pts) -> str:
    if zero:
        if mode == "full":
            return f"Mẫu số {denominator} = 0 → đủ điểm: {_points(pts)}"
        if mode == "not_applicable":
            return f"Mẫu số {denominator} = 0 → không áp dụng, không tính vào điểm tối đa"
        return f"Mẫu số {denominator} = 0 → 0 điểm"
    if blank:
        ids = ", ".join(str(i) for i, gone in ((numerator, no_num), (denominator, no_den)) if gone)
        return f"Chưa nhập số liệu {ids} → {_points(pts)}"
    return f"Tỷ lệ {num}/{den} = {percent}% {'≥' if met else '<'} {fmt_number(at)}% → {_points(pts)}"


def _count(g: pd.DataFrame, found: _Found) -> tuple[np.ndarray, np.ndarray]:
    n = len(g)
    count = _counts(g["indicator_value"].to_numpy(dtype=object))
    blank = np.fromiter((v is None for v in count), dtype=bool, count=n)
    met, at, pts = _thresholds(g, lambda at_least, rows: np.fromiter((v is not None and v >= at_least for v in count[rows]), dtype=bool, count=len(rows)))
    why = objects(
        (f"Chưa nhập số liệu {iid} → {_points(p)}" if b else f"Số lượng {c} {'≥' if m else '<'} {fmt_number(a)} → {_points(p)}"
         for iid, b, c, m, a, p in zip(g["indicator"], blank, count, met, at, pts)),
        n,
    )
    found.missing_indicator(g[blank], "indicator", 0)
    return pts, why


METHODS: dict[str, Callable[[pd.DataFrame, _Found], tuple[np.ndarray, np.ndarray]]] = {
    "self": _self,
    "yes_no": _choice,
    "scale": _choice,
    "deadline": _deadline,
    "ratio": _ratio,
    "count": _count,
}


def _methods(config: Config, grid: pd.DataFrame, counted: list) -> tuple[np.ndarray, np.ndarray, np.ndarray, _Found]:
    """Each method over the applicable rows that use it: points (None: the method found the row not
    applicable — a zero denominator configured so), why, and the computed score."""
    n = len(grid)
    pts = np.full(n, None, dtype=object)
    why = np.full(n, "", dtype=object)
    found = _Found(config)
    for method, index in grid[grid["applicable"].to_numpy()].groupby("method", sort=False).indices.items():
        rows = np.flatnonzero(grid["applicable"].to_numpy())[index]
        p, w = METHODS[method](grid.iloc[rows], found)
        pts[rows], why[rows] = p, w
    computed = _pick(grid["is_computed"].to_numpy(dtype=bool), pts, np.full(n, None, dtype=object))
    return pts, why, computed, found


def _due_date(year: int, month: int, day: int) -> dt.date:
    """A due date in the submission's year; 29/02 falls back to 28/02 in a common year."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _percent(num: int, den: int) -> str:
    with localcontext() as dc:
        dc.prec = 28
        return fmt_number(round2(Decimal(num) * 100 / Decimal(den)))


# ---------------------------------------------------------------------------------------------------
# What counts on each row


def _rows(config: Config, g: pd.DataFrame, pts: np.ndarray, why: np.ndarray, computed: np.ndarray, found: _Found) -> pd.DataFrame:
    n = len(g)
    applies = g["applicable"].to_numpy(dtype=bool)
    appraised = g["appraised"].to_numpy(dtype=object)
    self_score = g["self_score"].to_numpy(dtype=object)
    by_office = applies & np.fromiter((a is not None for a in appraised), dtype=bool, count=n)
    method_na = applies & ~by_office & np.fromiter((p is None for p in pts), dtype=bool, count=n)
    counts = applies & ~by_office & ~method_na
    source = np.full(n, SRC_NOT_APPLICABLE, dtype=object)
    source[counts] = np.where(g["is_computed"].to_numpy(dtype=bool)[counts], SRC_COMPUTED, SRC_SELF)
    source[by_office] = SRC_APPRAISED
    score = np.full(n, ZERO, dtype=object)
    score[counts] = pts[counts]
    score[by_office] = appraised[by_office]
    why = why.copy()
    # Configured applicability is fixed for the unit: an appraised score cannot bring the row back.
    why[~applies] = "Không áp dụng cho đơn vị"
    # The appraiser has seen the documents: the appraised score replaces everything, including a score zeroed
    # for missing evidence, and the warnings about how the program adjusted it no longer describe what counts.
    why[by_office] = objects((_appraised_why(*v) for v in zip(appraised[by_office], self_score[by_office], computed[by_office], g["appraisal_note"].to_numpy(dtype=object)[by_office])), int(by_office.sum()))

    # A computed score other than the one typed: the computed one counts, and the unit is told.
    differs = counts & g["is_computed"].to_numpy(dtype=bool) & np.fromiter((s is not None and s != p for s, p in zip(self_score, pts)), dtype=bool, count=n)
    if differs.any():
        why[differs] = [f"{w} (tự chấm {fmt_number(s)})" for w, s in zip(why[differs], self_score[differs])]
        found.add("self-score-differs", g[differs], 2, sheet=layout.SHEET_SCORES, cell=g["cell"].to_numpy(dtype=object)[differs],
                  value=map_distinct(self_score[differs], fmt_number), expected=map_distinct(score[differs], fmt_number))

    # Required evidence left empty: the row scores 0, unless the note explains it and the configuration allows that.
    unproven = counts & g["evidence_required"].to_numpy(dtype=bool) & np.fromiter((not e.strip() for e in g["evidence"]), dtype=bool, count=n)
    unproven &= np.fromiter((s > 0 for s in score), dtype=bool, count=n)
    explained = unproven & np.fromiter((bool(t.strip()) for t in g["note"]), dtype=bool, count=n) if config.criteria.evidence_explanation_allowed else np.zeros(n, dtype=bool)
    zeroed = unproven & ~explained
    evidence_cell = g["evidence_cell"].to_numpy(dtype=object)
    if explained.any():
        why[explained] = [f"{w}; chưa có tài liệu kiểm chứng, đã giải trình ở Ghi chú → tạm tính {_points(s)}" for w, s in zip(why[explained], score[explained])]
        found.add("evidence-explained", g[explained], 3, sheet=layout.SHEET_SCORES, cell=evidence_cell[explained])
    if zeroed.any():
        why[zeroed] = [f"{w}; thiếu tài liệu kiểm chứng → 0 điểm" for w in why[zeroed]]
        score[zeroed] = ZERO
        found.add("evidence-missing", g[zeroed], 3, sheet=layout.SHEET_SCORES, cell=evidence_cell[zeroed])

    # The method's own warnings (an indicator missing) stand only where its points count.
    found.frames = [f[counts[f["at"].to_numpy()] | (f["step"].to_numpy() >= 2)] for f in found.frames]
    return table({
        "unit_code": g["unit_code"].to_numpy(dtype=object),
        "id": g["id"].to_numpy(dtype=object),
        "kind": g["kind"].to_numpy(dtype=object),
        "field_id": g["field_id"].to_numpy(dtype=object),
        "max": g["max"].to_numpy(dtype=object),
        "applicable": counts | by_office,
        "self_score": self_score,
        "computed": _pick(by_office | counts, computed, np.full(n, None, dtype=object)),
        "appraised": _pick(by_office, appraised, np.full(n, None, dtype=object)),
        "score": score,
        "source": source,
        "why": why,
        "evidence": g["evidence"].to_numpy(dtype=object),
    })


def _appraised_why(score: Decimal, self_score: Decimal | None, computed: Decimal | None, note: str) -> str:
    seen = [f"tự chấm {fmt_number(self_score)}" if self_score is not None else "chưa tự chấm"]
    if computed is not None:
        seen.append(f"tính từ số liệu {fmt_number(computed)}")
    why = f"Thẩm định: {_points(score)} ({'; '.join(seen)})"
    note = note.strip()
    return f"{why}. {note}" if note else why


# ---------------------------------------------------------------------------------------------------
# Totals


def _sum(values: pd.Series, keys: pd.Series | list[pd.Series], index: pd.Index) -> np.ndarray:
    """Exact sums of ``values`` (Decimal objects, added as objects) per key of ``index``, ZERO for a key
    without any."""
    summed = values.groupby(keys, sort=False).sum() if len(values) else pd.Series(dtype=object)
    return _fill(summed.reindex(index).astype(object).where(lambda s: s.notna(), None).to_numpy(dtype=object), ZERO)


def _totals(config: Config, g: pd.DataFrame, rows: pd.DataFrame, found: _Found) -> Scored:
    units = pd.Index(pd.unique(rows["unit_code"].to_numpy(dtype=object)), dtype=object)
    kind = rows["kind"].to_numpy(dtype=object)
    counted = rows[(kind == "criterion") & rows["applicable"].to_numpy(dtype=bool)]
    criteria_sum = _sum(counted["score"], counted["unit_code"], units)
    applicable_max = _sum(counted["max"], counted["unit_code"], units)
    bonus = _sum(rows["score"][kind == "bonus"], rows["unit_code"][kind == "bonus"], units)
    penalty = _sum(rows["score"][kind == "penalty"], rows["unit_code"][kind == "penalty"], units)
    cap = config.criteria.bonus_cap
    bonus_counted = objects((cap if cap < b else b for b in bonus), len(units))

    field_ids = [f.id for f in config.criteria.fields]
    keys = pd.MultiIndex.from_product([units, field_ids], names=["unit_code", "field_id"])
    by = [counted["unit_code"], counted["field_id"]]
    fields = table({
        "unit_code": objects(keys.get_level_values(0), len(keys)),
        "field_id": objects(keys.get_level_values(1), len(keys)),
        "score": _sum(counted["score"], by, keys),
        "max": _sum(counted["max"], by, keys),
    })

    cs, am, p = criteria_sum, applicable_max, penalty
    with localcontext() as dc:
        dc.prec = 28
        # A unit for which no criterion applies has no share to compute; only bonus and penalty remain.
        share = objects((s * 100 / m if m else ZERO for s, m in zip(cs, am)), len(units))
        raw = map_distinct(share + bonus_counted - p, round2)
    result = objects((r if r > 0 else RESULT_FLOOR for r in raw), len(units))  # never below 0, and never "-0.00"
    totals = table({
        "unit_code": objects(units, len(units)),
        "criteria_sum": cs,
        "applicable_max": am,
        "bonus": bonus,
        "bonus_counted": bonus_counted,
        "penalty": p,
        "total": cs + bonus_counted - p,
        "result": result,
        "band": map_distinct(result, config.criteria.band_for),
    })
    return Scored(rows=rows, totals=totals, fields=fields, issues=_issues(g, found))


def _issues(g: pd.DataFrame, found: _Found) -> dict[str, list[Issue]]:
    """Each unit's warnings, row by row in template order, each row's in the order they arise."""
    frame = T.concat(found.frames)
    if frame.empty:
        return {}
    frame = frame.sort_values(["at", "step"], kind="stable")
    out: dict[str, list[Issue]] = {}
    for code, issue in zip(frame["unit_code"].tolist(), T.to_records(frame)):
        out.setdefault(code, []).append(issue)
    return out
