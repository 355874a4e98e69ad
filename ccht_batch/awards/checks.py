"""Award conditions evaluated over one candidate: True, False or None ("cannot tell"), with reasons.

Why three values: the Law rewards only proven achievements and every nomination must show its grounds
(RULES.md §1). A year absent from the history is not a "no": it is "cannot tell", and the reason names
the year so the Office knows what to import. A year that is recorded but lacks the rating, band or
title asked for is a "no". Every reason is written in words — what was looked at, the figures, what is
required, the verdict — and names the years (and, for this year, the period) it looked at:
"Xếp hạng tháng 11/2025: 7, yêu cầu: từ hạng 2 trở lên — không đạt".

The current year (the period's year) comes from this period's data — the unit's score and rank, the
person's `Cá nhân` row — because the yearly history is only closed after the year ends; earlier years
come from the history. A rating decided by the head of the agency (imported with its decision) wins
over the unit's own declaration, for the current year too; where only a declaration exists the reason
says "theo tự khai của đơn vị". Titles are never in the `Cá nhân` sheet, so they come from the history
for every year. A milestone is judged over its years (``Scope.every_years``), and a unit only over the
years it existed (``units.yaml`` ``from_year``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Callable, Iterable

from ccht_batch.config.model import WITHIN_MOVEMENT, Condition, Config
from ccht_batch.core import vocab
from ccht_batch.core.periods import period_text
from ccht_batch.core.records import (
    TASK,
    AwardRecord,
    PersonEntry,
    PersonYear,
    UnitOutcome,
    UnitYear,
)
from ccht_batch.core.values import fmt_number

PASS = "đạt"
FAIL = "không đạt"
CANNOT_TELL = "chưa xác định được"
SELF_DECLARED_NOTE = "theo tự khai của đơn vị"


@dataclass(frozen=True)
class Verdict:
    value: bool | None  # None: cannot tell
    reasons: tuple[str, ...]
    missing: frozenset[int] = frozenset()  # years whose absence made (or could make) it "cannot tell"


@dataclass(frozen=True)
class Scope:
    """The years a run looks at: ``year`` is the period's year; ``every_years`` the milestone's years (the
    movement's years up to the milestone); ``period`` the period whose figures stand for this year."""

    year: int
    every_years: tuple[int, ...]
    period: str = ""

    @property
    def current(self) -> str:
        """How this year's figures are named: by the period they come from."""
        return period_text(self.period) if self.period else f"năm {self.year}"


@dataclass(frozen=True)
class UnitSubject:
    outcome: UnitOutcome
    years: dict[int, UnitYear]
    awards: tuple[AwardRecord, ...]
    from_year: int | None = None  # the unit's first year, when created during the movement


@dataclass(frozen=True)
class PersonSubject:
    """One person of a unit's counted submission; ``rows`` are their `Cá nhân` rows (usually one)."""

    key: str
    name: str
    unit: UnitOutcome
    rows: tuple[PersonEntry, ...]
    years: dict[int, PersonYear]
    awards: tuple[AwardRecord, ...]

    @property
    def rating(self) -> str | None:
        return next((r.rating for r in self.rows if r.rating), None)

    @property
    def proposal(self) -> str | None:
        return next((r.proposal for r in self.rows if r.proposal), None)

    @property
    def recognised_count(self) -> int:
        return sum(1 for r in self.rows if r.initiative_recognised)

    @cached_property
    def facts(self) -> tuple:
        """Everything about the person the individual checks read (not the unit): people with the same
        facts get the same verdicts, so ``evaluate`` works each verdict out once."""
        rows = tuple((bool(r.initiative), r.initiative_recognised, r.level, r.task_titles) for r in self.rows)
        return (self.rating, rows, tuple(sorted(self.years.items())), self.awards)


# ---------------------------------------------------------------------------------------------------
# Wording


def years_span(years: Iterable[int]) -> str:
    ys = sorted(years)
    if not ys:
        return ""
    return str(ys[0]) if ys[0] == ys[-1] else f"{ys[0]} - {ys[-1]}"


def missing_text(years: Iterable[int]) -> str:
    return "chưa có dữ liệu năm " + ", ".join(str(y) for y in sorted(years))


def _line(what: str, figures: str, requirement: str, value: bool | None, missing: Iterable[int] = (), missing_note: str = "") -> str:
    """One reason in words: "<what>: <figures>, yêu cầu: <requirement> — <verdict>"."""
    missing = sorted(set(missing))
    gap = missing_note or (missing_text(missing) if missing else "")
    if value is None:
        tail = f"{CANNOT_TELL} ({gap})" if gap else CANNOT_TELL
    else:
        tail = PASS if value else FAIL
        if value is False and gap:
            figures = f"{figures}; {gap}" if figures else gap
    head = f"{what}: {figures}" if figures else what
    return f"{head}, yêu cầu: {requirement} — {tail}"


def _rating_text(code: str | None) -> str:
    return vocab.RATINGS.get(code, code) if code else "(chưa ghi xếp loại)"


def _or_better(text: str, is_top: bool) -> str:
    return text if is_top else f"{text} trở lên"


def _rating_required(code: str) -> str:
    return _or_better(vocab.RATINGS[code], vocab.rating_rank(code) == 0)


def _level_text(code: str) -> str:
    return vocab.INITIATIVE_LEVELS.get(code, code)


def _band_required(config: Config, band: str) -> str:
    return f"xếp loại {band}" if _is_top_band(config, band) else f"xếp loại từ {band} trở lên"


def _self_declared(years: Iterable[int], shown: Iterable[int]) -> str:
    """Which of the ``shown`` years rest on the unit's own declaration: all of them, or some named."""
    ys = sorted(set(years))
    if not ys:
        return ""
    return SELF_DECLARED_NOTE if ys == sorted(set(shown)) else f"năm {', '.join(str(y) for y in ys)} {SELF_DECLARED_NOTE}"


def _with_note(text: str, note: str) -> str:
    return f"{text} ({note})" if note else text


def _per_year(counts: dict[int, int | None]) -> str:
    known = [f"năm {y}: {n}" for y, n in counts.items() if n is not None]
    return f" ({', '.join(known)})" if known else ""


# ---------------------------------------------------------------------------------------------------
# Comparisons that never raise on a value outside the vocabulary (such a value is not "at least")


def _rating_ok(code: str | None, required: str) -> bool:
    if code not in vocab.RATINGS:
        return False
    return vocab.rating_rank(code) <= vocab.rating_rank(required)


def _level_ok(code: str | None, required: str) -> bool:
    if code not in vocab.INITIATIVE_LEVELS:
        return False
    return vocab.level_rank(code) >= vocab.level_rank(required)


def _band_ok(config: Config, name: str | None, required: str) -> bool:
    names = [b.name for b in config.criteria.bands]
    if name not in names:
        return False
    return config.criteria.band_rank(name) <= config.criteria.band_rank(required)


def _is_top_band(config: Config, band: str) -> bool:
    return config.criteria.band_rank(band) == 0


def _all(values: list[bool | None]) -> bool | None:
    return False if False in values else (None if None in values else True)


# ---------------------------------------------------------------------------------------------------
# Combination


def combine(kind: str, verdicts: list[Verdict]) -> Verdict:
    """``all_of``: any False → False, else any None → None, else True. ``any_of`` the mirror image."""
    values = [v.value for v in verdicts]
    if kind == "all_of":
        value = _all(values)
        reasons = tuple(r for v in verdicts for r in v.reasons)
    else:
        value = True if True in values else (None if None in values else False)
        # Alternatives read as such: an alternative after the first opens with "Hoặc:", and the further
        # lines of an alternative that has several (an all_of) with "và", one reason per line still.
        reasons = tuple(
            ("Hoặc: " if i and j == 0 else "và " if j else "") + r
            for i, v in enumerate(verdicts)
            for j, r in enumerate(v.reasons)
        )
    missing = frozenset(y for v in verdicts for y in v.missing)
    return Verdict(value, reasons, missing)


# Individual checks that read the person's unit, not only the person
_READS_UNIT = frozenset({"unit_band_at_least"})


def _reads_unit(cond: Condition) -> bool:
    return cond.check in _READS_UNIT or any(_reads_unit(c) for c in cond.of or ())


def evaluate(config: Config, cond: Condition, subject: UnitSubject | PersonSubject, scope: Scope, memo: dict | None = None) -> Verdict:
    """The verdict of ``cond`` for ``subject``. With ``memo`` (a dict the caller keeps for one run of one
    configuration), a person's verdict is reused for every person with the same facts (rating, rows,
    history, and the unit's result where the condition reads it): thousands of people share a handful
    of situations, and the wording of the reasons is most of the work."""
    if memo is not None and isinstance(subject, PersonSubject):
        reads_unit = memo.get(("reads-unit", id(cond)))
        if reads_unit is None:
            reads_unit = memo[("reads-unit", id(cond))] = _reads_unit(cond)
        unit = subject.unit
        key = (id(cond), scope, subject.facts, (unit.code, unit.score is None, unit.result, unit.band) if reads_unit else None)
        verdict = memo.get(key)
        if verdict is None:
            verdict = memo[key] = evaluate(config, cond, subject, scope)
        return verdict
    if cond.check in ("all_of", "any_of"):
        return combine(cond.check, [evaluate(config, c, subject, scope) for c in cond.of])
    table = UNIT_CHECKS if isinstance(subject, UnitSubject) else PERSON_CHECKS
    check = table.get(cond.check)
    if check is None:  # config.py only lets known checks through; a new one must be added here
        return Verdict(None, (f"Điều kiện '{cond.check}' chưa được chương trình hỗ trợ: {CANNOT_TELL}",))
    return check(config, cond, subject, scope)


# ---------------------------------------------------------------------------------------------------
# Collective checks over this period


NO_RESULT = "chưa có kết quả được tính"


def band_at_least(config: Config, cond: Condition, s: UnitSubject, scope: Scope) -> Verdict:
    score = s.outcome.score
    if score is None:  # a review held after its years: this period has nothing to say
        return Verdict(False, (_line(f"Kết quả {scope.current}", NO_RESULT, _band_required(config, cond.band), False),))
    ok = _band_ok(config, score.band, cond.band)
    figures = f"{fmt_number(score.result)} điểm, xếp loại {score.band}"
    return Verdict(ok, (_line(f"Kết quả {scope.current}", figures, _band_required(config, cond.band), ok),))


def rank_at_most(config: Config, cond: Condition, s: UnitSubject, scope: Scope) -> Verdict:
    rank = s.outcome.rank
    ok = rank is not None and rank <= cond.rank
    shown = str(rank) if rank is not None else "chưa được xếp hạng"
    return Verdict(ok, (_line(f"Xếp hạng {scope.current}", shown, _rank_required(cond.rank), ok),))


def _rank_required(rank: int) -> str:
    return "hạng 1" if rank == 1 else f"từ hạng {rank} trở lên"


def score_at_least(config: Config, cond: Condition, s: UnitSubject, scope: Scope) -> Verdict:
    score = s.outcome.score
    field = config.criteria.field(cond.criterion)
    required = f"từ {fmt_number(cond.points)} điểm"
    if score is None:
        return Verdict(False, (_line(f"Điểm {cond.criterion} {scope.current}", NO_RESULT, required, False),))
    if field is not None and cond.criterion in score.field_scores:
        got = score.field_scores[cond.criterion][0]
        what = f"Điểm lĩnh vực {cond.criterion} {scope.current}"
    else:
        cs = score.criterion(cond.criterion)
        what = f"Điểm tiêu chí {cond.criterion} {scope.current}"
        if cs is None or not cs.applicable:
            return Verdict(False, (_line(what, "không áp dụng cho đơn vị", required, False),))
        got = cs.score
    ok = got >= cond.points
    return Verdict(ok, (_line(what, f"{fmt_number(got)} điểm", required, ok),))


# ---------------------------------------------------------------------------------------------------
# Collective checks over the milestone's years


def unit_years_in(s: UnitSubject, scope: Scope) -> tuple[int, ...]:
    """The milestone's years the unit existed in (a unit created in 2025 is judged on 2025 only)."""
    return tuple(y for y in scope.every_years if s.from_year is None or y >= s.from_year)


def _years_head(what: str, s: UnitSubject, years: tuple[int, ...], scope: Scope) -> str:
    if not years:
        return f"{what} các năm {years_span(scope.every_years)} (đơn vị có từ năm {s.from_year})"
    head = f"{what} các năm {years_span(years)}"
    if s.from_year is not None and s.from_year > scope.every_years[0]:
        head += f" (đơn vị có từ năm {s.from_year})"
    return head


@dataclass(frozen=True)
class _UnitFigures:
    """One year of a unit: known (recorded, or this year), and its result, band and rank."""

    known: bool
    result: Decimal | None = None
    band: str | None = None
    rank: int | None = None
    current: bool = False


def unit_figures(config: Config, s: UnitSubject, year: int, scope: Scope) -> _UnitFigures:
    """A year's figures: from the history (a closed or imported year, this one included once closed), else
    for this year the period's (``current``: the reasons name the period)."""
    if year > scope.year:
        return _UnitFigures(False)
    rec = s.years.get(year)
    if year == scope.year and rec is None:
        o = s.outcome
        return _UnitFigures(o.score is not None, o.result, o.band, o.rank, current=True)
    if rec is None:
        return _UnitFigures(False)
    band = rec.band or (config.criteria.band_for(rec.result) if rec.result is not None else None)
    return _UnitFigures(True, rec.result, band, rec.rank)


def _current_mark(f: _UnitFigures, scope: Scope) -> str:
    return f" ({scope.current})" if f.current and scope.period else ""


def _unless_missing(values: list[bool | None]) -> bool | None:
    """A requirement over several years: "cannot tell" while any year is missing, even when a known year
    falls short (that year's figure says so); never "no" for want of data."""
    return None if None in values else _all(values)


def _short(detail: str, ok: bool | None, value: bool | None) -> str:
    """A year's figure, marked when it falls short although the verdict waits for missing years."""
    if value is not None or ok is not False:
        return detail
    return f"{detail[:-1]}, {FAIL})" if detail.endswith(")") else f"{detail} ({FAIL})"


def _every_year(config: Config, s: UnitSubject, scope: Scope, what: str, required: str, judge) -> Verdict:
    """A figure required in every year the check looks at: ``judge(figures, year)`` gives the year's detail
    and whether it meets the requirement; a year without figures makes it "cannot tell", never "no"."""
    years = unit_years_in(s, scope)
    judged, missing, values = [], [], []
    for y in years:
        f = unit_figures(config, s, y, scope)
        if not f.known:
            missing.append(y)
            values.append(None)
            continue
        detail, ok = judge(f, y)
        judged.append((detail + _current_mark(f, scope), ok))
        values.append(ok)
    value = _unless_missing(values) if years else False
    details = [_short(detail, ok, value) for detail, ok in judged]
    return Verdict(value, (_line(_years_head(what, s, years, scope), ", ".join(details), required, value, missing),), frozenset(missing))


def band_every_year(config: Config, cond: Condition, s: UnitSubject, scope: Scope) -> Verdict:
    def judge(f: _UnitFigures, y: int) -> tuple[str, bool | None]:
        if f.band is None:
            return f"năm {y} chưa ghi xếp loại", _band_ok(config, f.band, cond.band)
        shown = f"năm {y} {f.band}" + (f" ({fmt_number(f.result)} điểm)" if f.result is not None and not f.current else "")
        return shown, _band_ok(config, f.band, cond.band)

    return _every_year(config, s, scope, "Xếp loại", f"{_band_required(config, cond.band)} mọi năm", judge)


def rank_every_year(config: Config, cond: Condition, s: UnitSubject, scope: Scope) -> Verdict:
    def judge(f: _UnitFigures, y: int) -> tuple[str, bool | None]:
        shown = f"năm {y} hạng {f.rank}" if f.rank is not None else f"năm {y} chưa ghi hạng"
        return shown, f.rank is not None and f.rank <= cond.rank

    return _every_year(config, s, scope, "Xếp hạng", f"{_rank_required(cond.rank)} mọi năm", judge)


def average_result_at_least(config: Config, cond: Condition, s: UnitSubject, scope: Scope) -> Verdict:
    years = unit_years_in(s, scope)
    details, missing, results = [], [], []
    blank = False
    for y in years:
        f = unit_figures(config, s, y, scope)
        if not f.known:
            missing.append(y)
            continue
        if f.result is None:
            blank = True
            details.append(f"năm {y} chưa ghi kết quả")
            continue
        results.append(f.result)
        details.append(f"năm {y} {fmt_number(f.result)} điểm" + _current_mark(f, scope))
    required = f"bình quân từ {fmt_number(cond.points)} điểm"
    what = _years_head("Kết quả", s, years, scope)
    if missing or blank or not results:
        value = False if blank or not years else None  # a recorded year without its result is a "no" (module docstring)
        return Verdict(value, (_line(what, ", ".join(details), required, value, missing),), frozenset(missing))
    average = (sum(results, Decimal(0)) / len(results)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    ok = average >= cond.points
    figures = f"{', '.join(details)}; bình quân {fmt_number(average)} điểm"
    return Verdict(ok, (_line(what, figures, required, ok),))


# ---------------------------------------------------------------------------------------------------
# A reward already received (both kinds of candidate)


def _prior_award(config: Config, cond: Condition, records: Iterable[AwardRecord], recorded_years: Iterable[int], scope: Scope) -> Verdict:
    """Received ``cond.award`` (or a form recorded as ranking with it) early enough: before this year, or,
    with ``years_after``, at least that many years before it — the years the rule's other conditions
    count must follow the award (Law art. 73.1(b): "05 năm tiếp theo")."""
    name = config.criteria.award_name(cond.award)
    cutoff = scope.year - (cond.years_after or 1)  # the latest year the award may be from
    records = list(records)
    held = sorted((r for r in records if r.award == cond.award), key=lambda r: (r.year, r.decision))
    in_time = [r for r in held if r.year <= cutoff]
    what = f"Đã được tặng {name}"
    required = f"đã được tặng từ năm {cutoff} trở về trước" if cond.years_after else f"đã được tặng trước năm {scope.year}"
    if in_time:
        return Verdict(True, (_line(what, _award_text(config, in_time[-1]), required, True),))
    if held:
        return Verdict(False, (_line(what, _award_text(config, held[-1]), required, False),))
    known = bool(records) or any(y <= cutoff for y in recorded_years)
    if not known:
        note = f"chưa có dữ liệu năm {cutoff} trở về trước"
        return Verdict(None, (_line(what, "", required, None, missing_note=note),), frozenset({cutoff}))
    return Verdict(False, (_line(what, "chưa có theo dữ liệu khen thưởng đã nhập", required, False),))


def _award_text(config: Config, r: AwardRecord) -> str:
    form = f"{r.name} (tương đương {config.criteria.award_name(r.award)}), " if r.name else ""
    return form + (f"QĐ số {r.decision}, năm {r.year}" if r.decision else f"năm {r.year}")


def unit_prior_award(config: Config, cond: Condition, s: UnitSubject, scope: Scope) -> Verdict:
    return _prior_award(config, cond, s.awards, s.years, scope)


def person_prior_award(config: Config, cond: Condition, p: PersonSubject, scope: Scope) -> Verdict:
    return _prior_award(config, cond, p.awards, p.years, scope)


# ---------------------------------------------------------------------------------------------------
# Individual checks


@dataclass(frozen=True)
class _Rating:
    known: bool
    rating: str | None = None
    self_declared: bool = False


def person_rating(p: PersonSubject, year: int, scope: Scope) -> _Rating:
    """A person's rating of one year: a decided one (history) first; this year else the `Cá nhân` row (the
    unit's declaration), earlier years else the history's declared one."""
    if year > scope.year:
        return _Rating(False)
    rec = p.years.get(year)
    if rec is not None and rec.decided:
        return _Rating(True, rec.rating)
    if year == scope.year:
        return _Rating(True, p.rating, self_declared=True)
    if rec is None:
        return _Rating(False)
    return _Rating(True, rec.rating, self_declared=True)


def _ratings_over(p: PersonSubject, years: Iterable[int], rating: str, scope: Scope) -> tuple[bool | None, str, list[int]]:
    judged, missing, values, declared, shown = [], [], [], [], []
    for y in years:
        r = person_rating(p, y, scope)
        if not r.known:
            missing.append(y)
            values.append(None)
            continue
        ok = _rating_ok(r.rating, rating)
        judged.append((f"năm {y} {_rating_text(r.rating)}", ok))
        shown.append(y)
        if r.self_declared:
            declared.append(y)
        values.append(ok)
    value = _unless_missing(values)
    figures = _with_note(", ".join(_short(detail, ok, value) for detail, ok in judged), _self_declared(declared, shown))
    return value, figures, missing


def _achievements_in(p: PersonSubject, year: int, scope: Scope, level: str, recognised: bool, initiatives: bool, tasks: bool) -> int | None:
    """Initiatives (recognised at ``level`` or higher, or any when not ``recognised``) and/or S&T tasks of one
    year; None when the year is unknown. This year: the `Cá nhân` rows; earlier years: the history."""
    if year > scope.year:
        return None
    if year == scope.year:
        n = 0
        for r in p.rows:
            if initiatives and r.initiative and (not recognised or (r.initiative_recognised and _level_ok(r.level, level))):
                n += 1
            if tasks:
                n += len(r.task_titles)
        return n
    rec = p.years.get(year)
    if rec is None:
        return None
    n = 0
    for i in rec.initiatives:
        if i.kind == TASK:
            n += 1 if tasks else 0
        elif initiatives and (not recognised or (i.recognised and _level_ok(i.level, level))):
            n += 1
    return n


def _count_over(p: PersonSubject, years: list[int], scope: Scope, needed: int, what: str, **kinds) -> Verdict:
    counts = {y: _achievements_in(p, y, scope, **kinds) for y in years}
    unknown = [y for y, n in counts.items() if n is None]
    total = sum(n for n in counts.values() if n)
    value = True if total >= needed else (None if unknown else False)
    return Verdict(value, (_line(what, f"{total}{_per_year(counts)}", f"từ {needed}", value, unknown),), frozenset(unknown))


def _initiatives_label(level: str, recognised: bool) -> str:
    if not recognised:
        return "Sáng kiến, giải pháp"
    top = vocab.level_rank(level) == len(vocab.INITIATIVE_LEVELS) - 1
    return f"Sáng kiến được công nhận {_or_better(f'cấp {_level_text(level)}', top)}"


TASKS_LABEL = "Đề tài, đề án KH&CN đã nghiệm thu, áp dụng"


def rating_at_least(config: Config, cond: Condition, p: PersonSubject, scope: Scope) -> Verdict:
    r = person_rating(p, scope.year, scope)
    ok = _rating_ok(r.rating, cond.rating)
    figures = _with_note(_rating_text(r.rating), SELF_DECLARED_NOTE if r.self_declared else "")
    return Verdict(ok, (_line(f"Xếp loại năm {scope.year}", figures, _rating_required(cond.rating), ok),))


def initiatives_at_least(config: Config, cond: Condition, p: PersonSubject, scope: Scope) -> Verdict:
    if cond.recognised:
        n = sum(1 for r in p.rows if r.initiative_recognised)
        what = f"Sáng kiến được công nhận năm {scope.year}"
    else:
        n = sum(1 for r in p.rows if r.initiative)
        what = f"Sáng kiến, giải pháp năm {scope.year}"
    ok = n >= cond.count
    return Verdict(ok, (_line(what, str(n), f"từ {cond.count}", ok),))


def _movement_years(scope: Scope) -> list[int]:
    return [y for y in scope.every_years if y <= scope.year]


def rating_years(config: Config, cond: Condition, p: PersonSubject, scope: Scope) -> Verdict:
    years = list(range(scope.year - cond.years + 1, scope.year + 1))
    required = f"{_rating_required(cond.rating)} {cond.years} năm liên tiếp"
    if cond.within == WITHIN_MOVEMENT:
        inside = _movement_years(scope)
        if not set(years) <= set(inside):
            what = f"Xếp loại trong các năm của phong trào ({years_span(inside)})"
            figures = f"phong trào mới có {len(inside)} năm đến năm {scope.year}"
            return Verdict(False, (_line(what, figures, required, False),))
    value, figures, missing = _ratings_over(p, years, cond.rating, scope)
    verdicts = [Verdict(value, (_line(f"Xếp loại các năm {years_span(years)}", figures, required, value, missing),), frozenset(missing))]
    if cond.initiatives:
        what = f"{_initiatives_label(cond.level, True)} trong {years_span(years)}"
        verdicts.append(_count_over(p, years, scope, cond.initiatives, what, level=cond.level, recognised=True, initiatives=True, tasks=False))
    if cond.tasks:
        what = f"{TASKS_LABEL} trong {years_span(years)}"
        verdicts.append(_count_over(p, years, scope, cond.tasks, what, level=cond.level, recognised=True, initiatives=False, tasks=True))
    return combine("all_of", verdicts)


def title_years(config: Config, cond: Condition, p: PersonSubject, scope: Scope) -> Verdict:
    title = vocab.TITLES.get(cond.title, cond.title)
    if cond.within == WITHIN_MOVEMENT:
        window = _movement_years(scope)
        span = f"các năm của phong trào {years_span(window)}"
        required = f"{cond.years} lần trong các năm của phong trào"
    else:
        within = cond.within or cond.years
        # This year's titles are decided after the year: without them, the window ends last year.
        shifted = scope.year not in p.years
        end = scope.year - 1 if shifted else scope.year
        window = list(range(end - within + 1, end + 1))
        span = years_span(window)
        if shifted:
            span += f" (chưa có dữ liệu danh hiệu năm {scope.year} nên xét đến năm {end})"
        required = f"{cond.years} năm liên tiếp" if cond.years == within else f"{cond.years} lần trong {within} năm"
    have = [y for y in window if y in p.years and cond.title in p.years[y].titles]
    missing = [y for y in window if y not in p.years]
    value = True if len(have) >= cond.years else (None if len(have) + len(missing) >= cond.years else False)
    declared = [y for y in have if not p.years[y].decided]
    figures = f"{len(have)} lần" + (f" (năm {', '.join(str(y) for y in have)})" if have else "")
    figures = _with_note(figures, _self_declared(declared, have))
    return Verdict(value, (_line(f"Danh hiệu {title} trong {span}", figures, required, value, missing),), frozenset(missing))


def rating_every_year(config: Config, cond: Condition, p: PersonSubject, scope: Scope) -> Verdict:
    years = list(scope.every_years)
    value, figures, missing = _ratings_over(p, years, cond.rating, scope)
    required = f"{_rating_required(cond.rating)} mọi năm"
    return Verdict(value, (_line(f"Xếp loại các năm {years_span(years)}", figures, required, value, missing),), frozenset(missing))


def initiatives_in_movement(config: Config, cond: Condition, p: PersonSubject, scope: Scope) -> Verdict:
    years = list(scope.every_years)
    label = _initiatives_label(cond.level, cond.recognised)
    if cond.include_tasks:
        label += f" hoặc {TASKS_LABEL[0].lower()}{TASKS_LABEL[1:]}"
    what = f"{label} trong các năm {years_span(years)}"
    return _count_over(p, years, scope, cond.count, what, level=cond.level, recognised=cond.recognised, initiatives=True, tasks=cond.include_tasks)


def unit_band_at_least(config: Config, cond: Condition, p: PersonSubject, scope: Scope) -> Verdict:
    what = f"Kết quả của đơn vị {p.unit.code} {scope.current}"
    required = _band_required(config, cond.band)
    if p.unit.score is None:
        return Verdict(False, (_line(what, NO_RESULT, required, False),))
    ok = _band_ok(config, p.unit.band, cond.band)
    return Verdict(ok, (_line(what, f"{fmt_number(p.unit.result)} điểm, xếp loại {p.unit.band}", required, ok),))


Check = Callable[[Config, Condition, object, Scope], Verdict]

UNIT_CHECKS: dict[str, Check] = {
    "band_at_least": band_at_least,
    "rank_at_most": rank_at_most,
    "band_every_year": band_every_year,
    "rank_every_year": rank_every_year,
    "average_result_at_least": average_result_at_least,
    "prior_award": unit_prior_award,
    "score_at_least": score_at_least,
}

PERSON_CHECKS: dict[str, Check] = {
    "rating_at_least": rating_at_least,
    "initiatives_at_least": initiatives_at_least,
    "rating_years": rating_years,
    "title_years": title_years,
    "rating_every_year": rating_every_year,
    "initiatives_in_movement": initiatives_in_movement,
    "prior_award": person_prior_award,
    "unit_band_at_least": unit_band_at_least,
}

__all__ = [
    "Verdict",
    "Scope",
    "UnitSubject",
    "PersonSubject",
    "combine",
    "evaluate",
    "years_span",
    "missing_text",
    "unit_figures",
    "unit_years_in",
]
