"""Award conditions evaluated over one candidate: True, False or None ("cannot tell"), with reasons.

Why three values: the Law rewards only proven achievements and every nomination must show its grounds
(RULES.md §1). A year absent from the history is not a "no": it is "cannot tell", and the reason names
the year so the Office knows what to import. A year that is recorded but lacks the rating, band or
title asked for is a "no". Every reason states the figures and the years it looked at.

The current year (the period's year) comes from this period's data — the unit's score and rank, the
person's `Cá nhân` row — because the yearly history is only closed after the year ends; earlier years
come from the history. Titles are never in the `Cá nhân` sheet, so they come from the history for
every year.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterable

from ccht_batch.config.model import Condition, Config
from ccht_batch.core import vocab
from ccht_batch.core.records import (
    AwardRecord,
    PersonEntry,
    PersonYear,
    UnitOutcome,
    UnitYear,
)
from ccht_batch.core.values import fmt_number

PASS = "đạt"
FAIL = "không đạt"


@dataclass(frozen=True)
class Verdict:
    value: bool | None  # None: cannot tell
    reasons: tuple[str, ...]
    missing: frozenset[int] = frozenset()  # years whose absence made (or could make) it "cannot tell"


@dataclass(frozen=True)
class Scope:
    """The years a run looks at: ``year`` is the period's year; ``every_years`` the milestone's years."""

    year: int
    every_years: tuple[int, ...]


@dataclass(frozen=True)
class UnitSubject:
    outcome: UnitOutcome
    years: dict[int, UnitYear]
    awards: tuple[AwardRecord, ...]


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
        rows = tuple((bool(r.initiative), r.initiative_recognised, r.level) for r in self.rows)
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


def _line(head: str, details: list[str], value: bool | None, missing: Iterable[int] = ()) -> str:
    missing = sorted(set(missing))
    body = [d for d in details if d]
    if value is None:
        tail = missing_text(missing)
    else:
        tail = PASS if value else FAIL
        if value is False and missing:
            body.append(missing_text(missing))
    return f"{head}: {'; '.join(body)}: {tail}" if body else f"{head}: {tail}"


def _rating_text(code: str | None) -> str:
    return vocab.RATINGS.get(code, code) if code else "(chưa ghi xếp loại)"


def _or_better(text: str, is_top: bool) -> str:
    return text if is_top else f"{text} trở lên"


def _level_text(code: str) -> str:
    return vocab.INITIATIVE_LEVELS.get(code, code)


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


# ---------------------------------------------------------------------------------------------------
# Combination


def combine(kind: str, verdicts: list[Verdict]) -> Verdict:
    """``all_of``: any False → False, else any None → None, else True. ``any_of`` the mirror image."""
    values = [v.value for v in verdicts]
    if kind == "all_of":
        value = False if False in values else (None if None in values else True)
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
        return Verdict(None, (f"Điều kiện '{cond.check}' chưa được chương trình hỗ trợ: chưa xác định được",))
    return check(config, cond, subject, scope)


# ---------------------------------------------------------------------------------------------------
# Collective checks


def _result_band(outcome: UnitOutcome) -> str:
    score = outcome.score
    assert score is not None
    return f"Kết quả {fmt_number(score.result)} điểm, xếp loại {score.band}"


def band_at_least(config: Config, cond: Condition, s: UnitSubject, scope: Scope) -> Verdict:
    ok = _band_ok(config, s.outcome.band, cond.band)
    return Verdict(ok, (_line(f"{_result_band(s.outcome)} ≥ {cond.band}", [], ok),))


def rank_at_most(config: Config, cond: Condition, s: UnitSubject, scope: Scope) -> Verdict:
    rank = s.outcome.rank
    ok = rank is not None and rank <= cond.rank
    shown = str(rank) if rank is not None else "(chưa xếp hạng)"
    return Verdict(ok, (_line(f"Xếp hạng {shown} ≤ {cond.rank}", [], ok),))


def _unit_band_in(config: Config, s: UnitSubject, year: int, scope: Scope) -> tuple[bool, str | None, str]:
    """(known, band, how it reads) of a unit for one year."""
    if year > scope.year:
        return False, None, ""
    if year == scope.year:
        return True, s.outcome.band, f"năm {year} {s.outcome.band}"
    rec = s.years.get(year)
    if rec is None:
        return False, None, ""
    if rec.band:
        return True, rec.band, f"năm {year} {rec.band}"
    if rec.result is not None:  # the band follows from the recorded result under the configured bands
        band = config.criteria.band_for(rec.result)
        return True, band, f"năm {year} {band} ({fmt_number(rec.result)} điểm)"
    return True, None, f"năm {year} chưa ghi xếp loại"


def band_every_year(config: Config, cond: Condition, s: UnitSubject, scope: Scope) -> Verdict:
    years = scope.every_years
    details, missing, values = [], [], []
    for y in years:
        known, band, text = _unit_band_in(config, s, y, scope)
        if not known:
            missing.append(y)
            values.append(None)
            continue
        details.append(text)
        values.append(_band_ok(config, band, cond.band))
    value = False if False in values else (None if None in values else True)
    head = f"Xếp loại {_or_better(cond.band, _is_top_band(config, cond.band))} mọi năm ({years_span(years)})"
    return Verdict(value, (_line(head, [", ".join(details)], value, missing),), frozenset(missing))


def _prior_award(config: Config, award: str, records: Iterable[AwardRecord], scope: Scope) -> Verdict:
    name = config.criteria.award_name(award)
    held = sorted((r for r in records if r.award == award and r.year < scope.year), key=lambda r: (r.year, r.decision))
    if held:
        last = held[-1]
        what = f"QĐ số {last.decision}, năm {last.year}" if last.decision else f"năm {last.year}"
        return Verdict(True, (f"Đã được tặng {name} ({what}): {PASS}",))
    return Verdict(False, (f"Chưa được tặng {name} trước năm {scope.year} (theo dữ liệu khen thưởng đã nhập): {FAIL}",))


def unit_prior_award(config: Config, cond: Condition, s: UnitSubject, scope: Scope) -> Verdict:
    return _prior_award(config, cond.award, s.awards, scope)


def score_at_least(config: Config, cond: Condition, s: UnitSubject, scope: Scope) -> Verdict:
    score = s.outcome.score
    assert score is not None
    field = config.criteria.field(cond.criterion)
    if field is not None and cond.criterion in score.field_scores:
        got = score.field_scores[cond.criterion][0]
        head = f"Điểm lĩnh vực {cond.criterion}"
    else:
        cs = score.criterion(cond.criterion)
        head = f"Điểm tiêu chí {cond.criterion}"
        if cs is None or not cs.applicable:
            return Verdict(False, (_line(head, ["không áp dụng cho đơn vị"], False),))
        got = cs.score
    ok = got >= cond.points
    return Verdict(ok, (_line(f"{head} {fmt_number(got)} ≥ {fmt_number(cond.points)}", [], ok),))


# ---------------------------------------------------------------------------------------------------
# Individual checks


def _person_rating_in(p: PersonSubject, year: int, scope: Scope) -> tuple[bool, str | None]:
    """(known, rating) for one year: this year from the `Cá nhân` row, earlier years from the history."""
    if year > scope.year:
        return False, None
    if year == scope.year:
        return True, p.rating
    rec = p.years.get(year)
    return (True, rec.rating) if rec is not None else (False, None)


def _person_initiatives_in(p: PersonSubject, year: int, scope: Scope, level: str) -> int | None:
    """Recognised initiatives at ``level`` or higher in one year; None when the year is unknown."""
    if year > scope.year:
        return None
    if year == scope.year:
        return sum(1 for r in p.rows if r.initiative_recognised and _level_ok(r.level, level))
    rec = p.years.get(year)
    if rec is None:
        return None
    return sum(1 for i in rec.initiatives if i.recognised and _level_ok(i.level, level))


def rating_at_least(config: Config, cond: Condition, p: PersonSubject, scope: Scope) -> Verdict:
    ok = _rating_ok(p.rating, cond.rating)
    head = f"Xếp loại năm {scope.year} {_rating_text(p.rating)} ≥ {vocab.RATINGS[cond.rating]}"
    return Verdict(ok, (_line(head, [], ok),))


def initiatives_at_least(config: Config, cond: Condition, p: PersonSubject, scope: Scope) -> Verdict:
    if cond.recognised:
        n = sum(1 for r in p.rows if r.initiative_recognised)
        head = f"Sáng kiến được công nhận năm {scope.year}"
    else:
        n = sum(1 for r in p.rows if r.initiative)
        head = f"Sáng kiến, giải pháp năm {scope.year}"
    ok = n >= cond.count
    return Verdict(ok, (_line(f"{head}: {n} ≥ {cond.count}", [], ok),))


def _ratings_over(p: PersonSubject, years: Iterable[int], rating: str, scope: Scope) -> tuple[bool | None, list[str], list[int]]:
    details, missing, values = [], [], []
    for y in years:
        known, r = _person_rating_in(p, y, scope)
        if not known:
            missing.append(y)
            values.append(None)
            continue
        details.append(f"năm {y} {_rating_text(r)}")
        values.append(_rating_ok(r, rating))
    value = False if False in values else (None if None in values else True)
    return value, details, missing


def rating_years(config: Config, cond: Condition, p: PersonSubject, scope: Scope) -> Verdict:
    years = list(range(scope.year - cond.years + 1, scope.year + 1))
    value, details, missing = _ratings_over(p, years, cond.rating, scope)
    rating = _or_better(vocab.RATINGS[cond.rating], vocab.rating_rank(cond.rating) == 0)
    head = f"Xếp loại {rating} {cond.years} năm liên tiếp ({years_span(years)})"
    verdicts = [Verdict(value, (_line(head, [", ".join(details)], value, missing),), frozenset(missing))]
    if cond.initiatives:
        counts = {y: _person_initiatives_in(p, y, scope, cond.level) for y in years}
        unknown = [y for y, n in counts.items() if n is None]
        total = sum(n for n in counts.values() if n)
        ivalue = True if total >= cond.initiatives else (None if unknown else False)
        level = _or_better(f"cấp {_level_text(cond.level)}", vocab.level_rank(cond.level) == len(vocab.INITIATIVE_LEVELS) - 1)
        per_year = ", ".join(f"năm {y}: {n}" for y, n in counts.items() if n is not None)
        figure = f"{total} ≥ {cond.initiatives}" + (f" ({per_year})" if per_year else "")
        ihead = f"Sáng kiến được công nhận {level} trong {years_span(years)}"
        verdicts.append(Verdict(ivalue, (_line(ihead, [figure], ivalue, unknown),), frozenset(unknown)))
    return combine("all_of", verdicts)


def title_years(config: Config, cond: Condition, p: PersonSubject, scope: Scope) -> Verdict:
    within = cond.within or cond.years
    shifted = scope.year not in p.years
    end = scope.year - 1 if shifted else scope.year
    window = list(range(end - within + 1, end + 1))
    have = [y for y in window if y in p.years and cond.title in p.years[y].titles]
    missing = [y for y in window if y not in p.years]
    value = True if len(have) >= cond.years else (None if len(have) + len(missing) >= cond.years else False)
    title = vocab.TITLES.get(cond.title, cond.title)
    span = years_span(window)
    if shifted:
        span += f"; chưa có dữ liệu danh hiệu năm {scope.year} nên xét đến năm {end}"
    if cond.years == within:
        head = f"Danh hiệu {title} {cond.years} năm liên tiếp ({span})"
    else:
        head = f"Danh hiệu {title} {cond.years} lần trong {within} năm ({span})"
    figure = f"{len(have)} lần" + (f" (năm {', '.join(str(y) for y in have)})" if have else "") + f" ≥ {cond.years}"
    return Verdict(value, (_line(head, [figure], value, missing),), frozenset(missing))


def rating_every_year(config: Config, cond: Condition, p: PersonSubject, scope: Scope) -> Verdict:
    years = scope.every_years
    value, details, missing = _ratings_over(p, years, cond.rating, scope)
    rating = _or_better(vocab.RATINGS[cond.rating], vocab.rating_rank(cond.rating) == 0)
    head = f"Xếp loại {rating} mọi năm ({years_span(years)})"
    return Verdict(value, (_line(head, [", ".join(details)], value, missing),), frozenset(missing))


def person_prior_award(config: Config, cond: Condition, p: PersonSubject, scope: Scope) -> Verdict:
    return _prior_award(config, cond.award, p.awards, scope)


def unit_band_at_least(config: Config, cond: Condition, p: PersonSubject, scope: Scope) -> Verdict:
    if p.unit.score is None:
        return Verdict(False, (_line(f"Đơn vị {p.unit.code} chưa có kết quả được tính ≥ {cond.band}", [], False),))
    ok = _band_ok(config, p.unit.band, cond.band)
    head = f"Đơn vị {p.unit.code}: kết quả {fmt_number(p.unit.result)} điểm, xếp loại {p.unit.band} ≥ {cond.band}"
    return Verdict(ok, (_line(head, [], ok),))


Check = Callable[[Config, Condition, object, Scope], Verdict]

UNIT_CHECKS: dict[str, Check] = {
    "band_at_least": band_at_least,
    "rank_at_most": rank_at_most,
    "band_every_year": band_every_year,
    "prior_award": unit_prior_award,
    "score_at_least": score_at_least,
}

PERSON_CHECKS: dict[str, Check] = {
    "rating_at_least": rating_at_least,
    "initiatives_at_least": initiatives_at_least,
    "rating_years": rating_years,
    "title_years": title_years,
    "rating_every_year": rating_every_year,
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
]
