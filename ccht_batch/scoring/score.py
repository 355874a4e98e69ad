"""Scoring: one unit's submission (and the Office's appraisal) → the scores DESIGN.md §6 fixes.

Pure functions over model records and the typed Config, without I/O: the run, the feedback workbook and
the tests all see the same numbers for the same inputs. Whenever the program counts something other than
what the unit typed, it says so twice — in the row's ``why`` (with the figures) and as a warning issue at
the cell concerned — so a unit can always see why its number is not the one it typed.

Scores stay ``Decimal`` throughout; thresholds are compared exactly (``num × 100 ≥ at_least × den``) so a
ratio exactly on a threshold never falls under it through rounding.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Callable

from ccht_batch.config.model import Config, Criterion, Unit
from ccht_batch.core import issues
from ccht_batch.core.issues import Issue
from ccht_batch.core.records import (
    SRC_APPRAISED,
    SRC_COMPUTED,
    SRC_NOT_APPLICABLE,
    SRC_SELF,
    AppraisedScore,
    CriterionScore,
    IndicatorEntry,
    ScoreEntry,
    Submission,
    UnitScore,
)
from ccht_batch.core.values import fmt_number, round2
from ccht_batch.forms import layout

ZERO = Decimal(0)
RESULT_FLOOR = Decimal("0.00")


# ---------------------------------------------------------------------------------------------------
# Public API


def score_unit(
    config: Config,
    unit: Unit,
    submission: Submission,
    appraised: dict[str, AppraisedScore] | None = None,
) -> UnitScore:
    """Score every row of ``config.criteria.scored_rows`` and add them up as the contract says.

    ``appraised`` maps a row id to the Office's score for this unit (``Appraisal.for_unit``).
    """
    appraised = appraised or {}
    ctx = _Context(config, unit, submission)
    rows: list[CriterionScore] = []
    found: list[Issue] = []
    for criterion in config.criteria.scored_rows:
        row, row_issues = _score_row(ctx, criterion, appraised.get(criterion.id))
        rows.append(row)
        found.extend(row_issues)
    return _totals(config, unit, rows, found)


# ---------------------------------------------------------------------------------------------------
# One row


@dataclass(frozen=True)
class _Context:
    """What every issue of one submission repeats: file and unit."""

    config: Config
    unit: Unit
    submission: Submission

    def issue(self, code: str, *, sheet: str, cell: str | None, criterion: Criterion, value: object = None, **params: object) -> Issue:
        return issues.make(
            code,
            file=self.submission.file_name,
            sheet=sheet,
            cell=cell or None,
            value=value,
            unit_code=self.unit.code,
            detail=criterion.id,
            **params,
        )


@dataclass
class _Method:
    """What a scoring method concluded, before evidence and appraisal.

    ``points`` None means the method itself found the row not applicable (a zero denominator configured
    as ``not_applicable``): the row then leaves both the score and the maximum.
    """

    points: Decimal | None
    why: str
    issues: list[Issue] = field(default_factory=list)


def _score_row(ctx: _Context, c: Criterion, appraisal: AppraisedScore | None) -> tuple[CriterionScore, list[Issue]]:
    entry = ctx.submission.scores.get(c.id)
    self_score = entry.value if entry else None

    if not ctx.config.applies(c, ctx.unit):
        # Configured applicability is fixed for the unit: an appraised score cannot bring the row back.
        return _not_applicable(c, self_score, "Không áp dụng cho đơn vị"), []

    outcome = _METHODS[c.method](ctx, c, entry)
    computed = outcome.points if c.is_computed else None

    if appraisal is not None:
        # The appraiser has seen the documents: the appraised score replaces everything, including a
        # score zeroed for missing evidence, and the warnings about how the program adjusted it no
        # longer describe what counts.
        why = _appraised_why(appraisal, self_score, computed)
        return _row(c, self_score, appraisal.score, SRC_APPRAISED, why, computed=computed, appraised=appraisal.score), []

    if outcome.points is None:
        return _not_applicable(c, self_score, outcome.why), []

    score = outcome.points
    why = outcome.why
    found = list(outcome.issues)
    cell = entry.cell if entry else None

    if c.is_computed and self_score is not None and self_score != score:
        why += f" (tự chấm {fmt_number(self_score)})"
        found.append(
            ctx.issue(
                "self-score-differs",
                sheet=layout.SHEET_SCORES,
                cell=cell,
                criterion=c,
                value=fmt_number(self_score),
                expected=fmt_number(score),
            )
        )

    evidence = (entry.evidence if entry else "").strip()
    if c.evidence_required and not evidence and score > 0:
        note = (entry.note if entry else "").strip()
        evidence_cell = entry.evidence_cell if entry else None
        if ctx.config.criteria.evidence_explanation_allowed and note:
            why += f"; chưa có tài liệu kiểm chứng, đã giải trình ở Ghi chú → tạm tính {_points(score)}"
            found.append(ctx.issue("evidence-explained", sheet=layout.SHEET_SCORES, cell=evidence_cell, criterion=c))
        else:
            why += "; thiếu tài liệu kiểm chứng → 0 điểm"
            score = ZERO
            found.append(ctx.issue("evidence-missing", sheet=layout.SHEET_SCORES, cell=evidence_cell, criterion=c))

    return _row(c, self_score, score, SRC_COMPUTED if c.is_computed else SRC_SELF, why, computed=computed), found


def _row(
    c: Criterion, self_score: Decimal | None, score: Decimal, source: str, why: str, *, computed: Decimal | None = None, appraised: Decimal | None = None
) -> CriterionScore:
    return CriterionScore(
        id=c.id,
        max=c.max,
        applicable=source != SRC_NOT_APPLICABLE,
        self_score=self_score,
        computed=computed,
        appraised=appraised,
        score=score,
        source=source,
        why=why,
        kind=c.kind,
    )


def _not_applicable(c: Criterion, self_score: Decimal | None, why: str) -> CriterionScore:
    return _row(c, self_score, ZERO, SRC_NOT_APPLICABLE, why)


def _appraised_why(appraisal: AppraisedScore, self_score: Decimal | None, computed: Decimal | None) -> str:
    seen = [f"tự chấm {fmt_number(self_score)}" if self_score is not None else "chưa tự chấm"]
    if computed is not None:
        seen.append(f"tính từ số liệu {fmt_number(computed)}")
    why = f"Thẩm định: {_points(appraisal.score)} ({'; '.join(seen)})"
    note = appraisal.note.strip()
    return f"{why}. {note}" if note else why


# ---------------------------------------------------------------------------------------------------
# Methods


_SELF_WORDS = {
    # kind: (empty, typed)
    "criterion": ("Chưa tự chấm → 0 điểm", "Tự chấm {}"),
    "bonus": ("Không có điểm thưởng", "Điểm thưởng tự chấm: {}"),
    "penalty": ("Không có điểm trừ", "Điểm trừ tự khai: {}"),
}


def _self(ctx: _Context, c: Criterion, entry: ScoreEntry | None) -> _Method:
    empty, typed = _SELF_WORDS.get(c.kind, _SELF_WORDS["criterion"])
    if entry is None or entry.value is None:
        return _Method(ZERO, empty)
    return _Method(entry.value, typed.format(_points(entry.value)))


def _choice(ctx: _Context, c: Criterion, entry: ScoreEntry | None) -> _Method:
    # The reader has already turned the chosen text into its points (DESIGN.md §4).
    if entry is None or entry.value is None:
        return _Method(ZERO, "Chưa chọn → 0 điểm")
    text = entry.text or fmt_number(entry.value)
    return _Method(entry.value, f"Chọn '{text}' → {_points(entry.value)}")


def _deadline(ctx: _Context, c: Criterion, entry: ScoreEntry | None) -> _Method:
    due = _due_date(ctx.submission.year, c.due_month or 1, c.due_day or 1)
    ind = _indicator(ctx, c.indicator)
    value = ind.value if ind else None
    if not isinstance(value, dt.date):
        missing = c.missing if c.missing is not None else ZERO
        issue = _missing_indicator(ctx, c, c.indicator, ind)
        return _Method(missing, f"Chưa có ngày (hạn {_date(due)}) → {_points(missing)}", [issue])
    if value <= due:
        pts = c.on_time if c.on_time is not None else c.max
        return _Method(pts, f"Ngày {_date(value)}, đúng hạn {_date(due)} → {_points(pts)}")
    pts = c.late if c.late is not None else ZERO
    return _Method(pts, f"Ngày {_date(value)}, sau hạn {_date(due)} → {_points(pts)}")


def _ratio(ctx: _Context, c: Criterion, entry: ScoreEntry | None) -> _Method:
    num_entry = _indicator(ctx, c.numerator)
    den_entry = _indicator(ctx, c.denominator)
    num = _count_of(num_entry)
    den = _count_of(den_entry)
    if den == 0:
        # A zero denominator decides on its own: with nothing to count, an empty numerator can only be 0.
        mode = c.zero_denominator or "zero"
        if mode == "full":
            return _Method(c.max, f"Mẫu số {c.denominator} = 0 → đủ điểm: {_points(c.max)}")
        if mode == "not_applicable":
            return _Method(None, f"Mẫu số {c.denominator} = 0 → không áp dụng, không tính vào điểm tối đa")
        return _Method(ZERO, f"Mẫu số {c.denominator} = 0 → 0 điểm")
    if num is None or den is None:
        missing = [(iid, e) for iid, e, v in ((c.numerator, num_entry, num), (c.denominator, den_entry, den)) if v is None]
        found = [_missing_indicator(ctx, c, iid, e) for iid, e in missing]
        ids = ", ".join(str(iid) for iid, _ in missing)
        return _Method(c.below, f"Chưa nhập số liệu {ids} → {_points(c.below)}", found)
    # Exact: num × 100 ≥ at_least × den, so 19/20 is exactly 95 % and never 94.999…
    for t in c.thresholds:
        if Decimal(num) * 100 >= t.at_least * den:
            return _Method(t.points, f"Tỷ lệ {num}/{den} = {_percent(num, den)}% ≥ {fmt_number(t.at_least)}% → {_points(t.points)}")
    lowest = c.thresholds[-1].at_least if c.thresholds else ZERO
    return _Method(c.below, f"Tỷ lệ {num}/{den} = {_percent(num, den)}% < {fmt_number(lowest)}% → {_points(c.below)}")


def _count(ctx: _Context, c: Criterion, entry: ScoreEntry | None) -> _Method:
    ind = _indicator(ctx, c.indicator)
    n = _count_of(ind)
    if n is None:
        return _Method(c.below, f"Chưa nhập số liệu {c.indicator} → {_points(c.below)}", [_missing_indicator(ctx, c, c.indicator, ind)])
    for t in c.thresholds:
        if n >= t.at_least:
            return _Method(t.points, f"Số lượng {n} ≥ {fmt_number(t.at_least)} → {_points(t.points)}")
    lowest = c.thresholds[-1].at_least if c.thresholds else ZERO
    return _Method(c.below, f"Số lượng {n} < {fmt_number(lowest)} → {_points(c.below)}")


_METHODS: dict[str, Callable[[_Context, Criterion, ScoreEntry | None], _Method]] = {
    "self": _self,
    "yes_no": _choice,
    "scale": _choice,
    "deadline": _deadline,
    "ratio": _ratio,
    "count": _count,
}


# ---------------------------------------------------------------------------------------------------
# Indicators


def _indicator(ctx: _Context, indicator_id: str | None) -> IndicatorEntry | None:
    return ctx.submission.indicators.get(indicator_id) if indicator_id else None


def _count_of(entry: IndicatorEntry | None) -> int | None:
    """A count indicator's value; None when empty (a date here would have been refused by validation)."""
    if entry is None or isinstance(entry.value, dt.date) or entry.value is None:
        return None
    return int(entry.value)


def _missing_indicator(ctx: _Context, c: Criterion, indicator_id: str | None, entry: IndicatorEntry | None) -> Issue:
    known = ctx.config.criteria.indicator(indicator_id or "")
    name = f"{indicator_id} - {known.name}" if known else str(indicator_id)
    return ctx.issue("indicator-missing", sheet=layout.SHEET_INDICATORS, cell=entry.cell if entry else None, criterion=c, expected=name)


def _due_date(year: int, month: int, day: int) -> dt.date:
    """A due date in the submission's year; 29/02 falls back to 28/02 in a common year."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------------------------------------------
# Totals


def _totals(config: Config, unit: Unit, rows: list[CriterionScore], found: list[Issue]) -> UnitScore:
    criteria = [r for r in rows if r.kind == "criterion"]
    counted = [r for r in criteria if r.applicable]
    criteria_sum = sum((r.score for r in counted), ZERO)
    applicable_max = sum((r.max for r in counted), ZERO)
    bonus = sum((r.score for r in rows if r.kind == "bonus"), ZERO)
    bonus_counted = min(bonus, config.criteria.bonus_cap)
    penalty = sum((r.score for r in rows if r.kind == "penalty"), ZERO)

    by_id = {r.id: r for r in criteria}
    field_scores: dict[str, tuple[Decimal, Decimal]] = {}
    for f in config.criteria.fields:
        mine = [by_id[c.id] for c in f.criteria if c.id in by_id and by_id[c.id].applicable]
        field_scores[f.id] = (sum((r.score for r in mine), ZERO), sum((r.max for r in mine), ZERO))

    with localcontext() as dc:
        dc.prec = 28
        # A unit for which no criterion applies has no share to compute; only bonus and penalty remain.
        share = criteria_sum * 100 / applicable_max if applicable_max else ZERO
        raw = round2(share + bonus_counted - penalty)
        result = raw if raw > 0 else RESULT_FLOOR  # never below 0, and never "-0.00"

    return UnitScore(
        unit_code=unit.code,
        criteria=rows,
        field_scores=field_scores,
        criteria_sum=criteria_sum,
        applicable_max=applicable_max,
        bonus=bonus,
        bonus_counted=bonus_counted,
        penalty=penalty,
        total=criteria_sum + bonus_counted - penalty,
        result=result,
        band=config.criteria.band_for(result),
        issues=found,
    )


# ---------------------------------------------------------------------------------------------------
# Wording


def _points(value: Decimal) -> str:
    return f"{fmt_number(value)} điểm"


def _date(value: dt.date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _percent(num: int, den: int) -> str:
    with localcontext() as dc:
        dc.prec = 28
        return fmt_number(round2(Decimal(num) * 100 / Decimal(den)))
