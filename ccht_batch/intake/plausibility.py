"""Plausibility: figures a unit typed that parse and score, but cannot be true (warnings, DESIGN.md §5).

A plan dated 10/01/2019 in a 2025 workbook counts as on time, 15 tasks done out of 10 assigned is 150 %
and full marks, two recognised initiatives may rest on one decision cited twice, and one person may be
declared by two units. None of these refuses a file: each is a warning at the cell, with the reason, for
the unit and the appraiser to look at, and the file counts as it is.

Each check is one pure function over validated records and the configuration and returns its issues; no
check depends on another or reads a workbook, so each can be moved on its own (for instance onto tables).
The per-file checks run when a file is read (``file_checks``); the check across units runs once per period,
over every unit's counted submission (``same_person_in_units``).
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Mapping

from ccht_batch.config.model import Config
from ccht_batch.core import issues
from ccht_batch.core.issues import Issue
from ccht_batch.core.records import Submission
from ccht_batch.core.values import fold_key
from ccht_batch.forms import layout as L


def date_window(year: int, months_before: int) -> tuple[dt.date, dt.date]:
    """First and last plausible day of a deadline date for the template of ``year``: from ``months_before``
    months before 1 January of that year to its 31 December."""
    month = 1 - months_before
    first_year = year + (month - 1) // 12
    first = dt.date(first_year, (month - 1) % 12 + 1, 1)
    return first, dt.date(year, 12, 31)


def deadline_date_outside_year(sub: Submission, config: Config) -> list[Issue]:
    """A date read by a ``deadline`` criterion that falls outside the template's year (widened by
    ``plausibility.date_months_before``): a warning at the date's cell of `Số liệu`."""
    first, last = date_window(sub.year, config.criteria.plausibility.date_months_before)
    found = []
    for c in config.criteria.criteria:
        if c.method != "deadline" or not c.indicator:
            continue
        entry = sub.indicators.get(c.indicator)
        value = entry.value if entry else None
        if isinstance(value, dt.date) and not first <= value <= last:
            found.append(issues.make(
                "date-implausible", file=sub.file_name, unit_code=sub.unit_code, sheet=L.SHEET_INDICATORS, cell=entry.cell,
                value=value.strftime("%d/%m/%Y"), year=sub.year, first=first.strftime("%d/%m/%Y"), last=last.strftime("%d/%m/%Y"),
                detail=c.id,
            ))
    return found


def numerator_above_denominator(sub: Submission, config: Config) -> list[Issue]:
    """A ``ratio`` criterion whose numerator (done) is above its denominator (assigned): a warning at the
    numerator's cell of `Số liệu`."""
    names = {i.id: i.name for i in config.criteria.indicators}
    found = []
    for c in config.criteria.criteria:
        if c.method != "ratio" or not c.numerator or not c.denominator:
            continue
        top, bottom = sub.indicators.get(c.numerator), sub.indicators.get(c.denominator)
        if top is None or bottom is None or not isinstance(top.value, int) or not isinstance(bottom.value, int):
            continue
        if top.value > bottom.value:
            found.append(issues.make(
                "ratio-above-total", file=sub.file_name, unit_code=sub.unit_code, sheet=L.SHEET_INDICATORS, cell=top.cell,
                value=f"'{names.get(c.numerator, c.numerator)}' ({top.value})", expected=f"'{names.get(c.denominator, c.denominator)}'",
                total=bottom.value, detail=c.id,
            ))
    return found


def initiatives_above_decisions(sub: Submission, config: Config) -> list[Issue]:
    """The count of recognised initiatives (``plausibility.initiative_indicator``) above the number of
    distinct recognition decisions cited on the valid rows of `Cá nhân`: a warning at the count's cell.

    Only when `Cá nhân` cites some decision: the sheet lists the persons proposed for an award, not every
    author, so a count with no decision listed says nothing; one decision cited twice for a count of two
    is the double count this check is for."""
    indicator = config.criteria.plausibility.initiative_indicator
    entry = sub.indicators.get(indicator) if indicator else None
    if entry is None or not isinstance(entry.value, int) or isinstance(entry.value, bool) or entry.value <= 0:
        return []
    decisions: dict[str, str] = {}
    for p in sub.persons:
        if p.valid and p.initiative_recognised:
            decisions.setdefault(fold_key(p.decision), p.decision)
    if not decisions or entry.value <= len(decisions):
        return []
    listed = ": " + "; ".join(decisions.values())
    return [issues.make(
        "initiatives-above-decisions", file=sub.file_name, unit_code=sub.unit_code, sheet=L.SHEET_INDICATORS, cell=entry.cell,
        value=entry.value, count=len(decisions), listed=listed,
    )]


FILE_CHECKS: tuple[Callable[[Submission, Config], list[Issue]], ...] = (
    deadline_date_outside_year,
    numerator_above_denominator,
    initiatives_above_decisions,
)


def file_checks(sub: Submission, config: Config) -> list[Issue]:
    """Every per-file check over one validated submission."""
    return [issue for check in FILE_CHECKS for issue in check(sub, config)]


def same_person_in_units(subs: Mapping[str, Submission]) -> dict[str, list[Issue]]:
    """The same person (name folded, and birth year) on the `Cá nhân` rows of two units' counted
    submissions in one period: for each unit, a warning at the person's name cell naming the other units.
    Rows without a birth year are not compared (a common name alone proves nothing)."""
    seen: dict[tuple[str, int], list[str]] = {}
    for code, sub in subs.items():
        for key in {(fold_key(p.name), p.birth_year) for p in sub.persons if p.name and p.birth_year}:
            seen.setdefault(key, []).append(code)
    found: dict[str, list[Issue]] = {}
    for code, sub in subs.items():
        for p in sub.persons:
            others = seen.get((fold_key(p.name), p.birth_year), []) if p.birth_year else []
            others = [c for c in others if c != code]
            if p.name and others:
                found.setdefault(code, []).append(issues.make(
                    "person-in-two-units", file=sub.file_name, unit_code=code, sheet=L.SHEET_PERSONS, cell=p.cell or None,
                    value=p.name, year=p.birth_year, detail="đơn vị " + ", ".join(sorted(others)),
                ))
    return found
