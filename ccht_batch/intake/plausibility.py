"""Plausibility: figures a unit typed that parse and score, but cannot be true (warnings, DESIGN.md §5).

A plan dated 10/01/2019 in a 2025 workbook counts as on time, 15 tasks done out of 10 assigned is 150 %
and full marks, two recognised initiatives may rest on one decision cited twice, and one person may be
declared by two units. None of these refuses a file: each is a warning at the cell, with the reason, for
the unit and the appraiser to look at, and the file counts as it is.

Each check is a function over the checked values of every file at once, as tables (``intake.values``: the
indicators table — file, key, cell, value — and the persons table), and returns rows of the issues table;
no check depends on another. The per-file checks run when the period's files are checked (``file_checks``);
the check across units runs once per period, over every unit's counted submission
(``same_person_in_units``).
"""

from __future__ import annotations

import datetime as dt
from typing import Mapping

import numpy as np
import pandas as pd

from ccht_batch.config.model import Config
from ccht_batch.core.issues import Issue
from ccht_batch.core.records import Submission
from ccht_batch.core.values import fold_key
from ccht_batch.forms import layout as L
from ccht_batch.tables import issues as T
from ccht_batch.tables.frames import column, map_distinct, objects, put

PLAUSIBILITY = 9  # after every sheet's own issues in a file (``intake.values``)


def date_window(year: int, months_before: int) -> tuple[dt.date, dt.date]:
    """First and last plausible day of a deadline date for the template of ``year``: from ``months_before``
    months before 1 January of that year to its 31 December."""
    month = 1 - months_before
    first_year = year + (month - 1) // 12
    first = dt.date(first_year, (month - 1) % 12 + 1, 1)
    return first, dt.date(year, 12, 31)


def _issues(files: pd.DataFrame, rows: pd.DataFrame, code: str, group: int, **params) -> pd.DataFrame | None:
    """Issues of ``code`` at the `Số liệu` cells of ``rows`` (their ``file`` indexes ``files``)."""
    if rows.empty:
        return None
    at = rows["file"].to_numpy()
    out = T.issue_rows(
        code, len(rows), file=files["name"].reindex(at).to_numpy(), unit_code=files["unit_code"].reindex(at).to_numpy(),
        sheet=L.SHEET_INDICATORS, cell=rows["cell"].to_numpy(), **params,
    )
    return out.assign(at_file=at, at_sec=PLAUSIBILITY, at_group=group, at_check=0)


def _indicator(indicators: pd.DataFrame, files: pd.DataFrame, iid: str | None) -> pd.DataFrame:
    """The rows of indicator ``iid`` of the files in ``files`` (one per file at most), indexed by file."""
    if not iid:
        return indicators.iloc[0:0].set_index("file", drop=False)
    pick = (indicators["key"].to_numpy(dtype=object) == iid) & indicators["file"].isin(files.index).to_numpy()
    return indicators[pick].set_index("file", drop=False)


def _counts(values: pd.Series) -> np.ndarray:
    """Where a value is a count (an ``int``, never a date or a boolean)."""
    return np.fromiter((v.__class__ is int for v in values), dtype=bool, count=len(values))


def deadline_date_outside_year(files: pd.DataFrame, indicators: pd.DataFrame, config: Config) -> list[pd.DataFrame]:
    """A date read by a ``deadline`` criterion that falls outside the template's year (widened by
    ``plausibility.date_months_before``): a warning at the date's cell of `Số liệu`."""
    months = config.criteria.plausibility.date_months_before
    found = []
    for order, c in enumerate(config.criteria.criteria):
        if c.method != "deadline" or not c.indicator:
            continue
        rows = _indicator(indicators, files, c.indicator)
        rows = rows[np.fromiter((isinstance(v, dt.date) for v in rows["value"]), dtype=bool, count=len(rows))]
        if rows.empty:
            continue
        years = files["year"].reindex(rows["file"].to_numpy()).to_numpy(dtype=object)
        windows = map_distinct(years, lambda y: date_window(y, months))
        first = objects((w[0] for w in windows), len(rows))
        last = objects((w[1] for w in windows), len(rows))
        value = rows["value"].to_numpy(dtype=object)
        out = np.less(value, first) | np.greater(value, last)
        if out.any():
            rows = rows[out]
            fmt = lambda d: d.strftime("%d/%m/%Y")  # noqa: E731
            found.append(_issues(
                files, rows, "date-implausible", order,
                value=map_distinct(value[out], fmt), year=years[out], first=map_distinct(first[out], fmt), last=map_distinct(last[out], fmt), detail=c.id,
            ))
    return found


def numerator_above_denominator(files: pd.DataFrame, indicators: pd.DataFrame, config: Config) -> list[pd.DataFrame]:
    """A ``ratio`` criterion whose numerator (done) is above its denominator (assigned): a warning at the
    numerator's cell of `Số liệu`."""
    names = {i.id: i.name for i in config.criteria.indicators}
    found = []
    for order, c in enumerate(config.criteria.criteria):
        if c.method != "ratio" or not c.numerator or not c.denominator:
            continue
        top = _indicator(indicators, files, c.numerator)
        top = top[_counts(top["value"])]
        bottom = _indicator(indicators, files, c.denominator)
        bottom = bottom[_counts(bottom["value"])]["value"].reindex(top.index)
        both = pd.notna(bottom).to_numpy()
        pair = put(top[both].copy(), value_total=bottom[both].to_numpy(dtype=object))
        pair = pair[np.greater(pair["value"].to_numpy(dtype=object), pair["value_total"].to_numpy(dtype=object)).astype(bool)] if len(pair) else pair
        if pair.empty:
            continue
        top_name, bottom_name = names.get(c.numerator, c.numerator), names.get(c.denominator, c.denominator)
        found.append(_issues(
            files, pair, "ratio-above-total", 1000 + order,
            value=list(pair["value"]), name=top_name, expected=bottom_name, total=pair["value_total"].to_numpy(dtype=object), detail=c.id,
        ))
    return found


def initiatives_above_decisions(files: pd.DataFrame, indicators: pd.DataFrame, persons: pd.DataFrame, config: Config) -> list[pd.DataFrame]:
    """The count of recognised initiatives (``plausibility.initiative_indicator``) above the number of
    distinct recognition decisions cited on the valid rows of `Cá nhân`: a warning at the count's cell.

    Only when `Cá nhân` cites some decision: the sheet lists the persons proposed for an award, not every
    author, so a count with no decision listed says nothing; one decision cited twice for a count of two
    is the double count this check is for."""
    rows = _indicator(indicators, files, config.criteria.plausibility.initiative_indicator)
    rows = rows[_counts(rows["value"])]
    rows = rows[np.greater(rows["value"].to_numpy(dtype=object), 0).astype(bool)] if len(rows) else rows
    if rows.empty:
        return []
    recognised = persons[persons["valid"].to_numpy(dtype=bool) & (persons["initiative"] != "").to_numpy()
                         & (persons["decision"] != "").to_numpy() & pd.notna(persons["level"]).to_numpy()]
    cited = put(recognised.copy(), fold=map_distinct(recognised["decision"], fold_key)).drop_duplicates(["file", "fold"])
    decisions = cited.groupby("file", sort=False)["decision"].agg(list)
    listed = decisions.reindex(rows["file"].to_numpy())
    count = np.fromiter((len(d) if isinstance(d, list) else 0 for d in listed), dtype=np.int64, count=len(rows))
    over = (count > 0) & np.greater(rows["value"].to_numpy(dtype=object), count).astype(bool)
    if not over.any():
        return []
    return [_issues(
        files, rows[over], "initiatives-above-decisions", 2000,
        value=rows["value"].to_numpy(dtype=object)[over], count=count[over], listed=[": " + "; ".join(d) for d in listed[over]],
    )]


def file_checks(files: pd.DataFrame, indicators: pd.DataFrame, persons: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Every per-file check over the templates ``files`` (indexed by their position among the checked files)."""
    if files.empty:
        return T.empty_issues()
    return T.concat(
        deadline_date_outside_year(files, indicators, config)
        + numerator_above_denominator(files, indicators, config)
        + initiatives_above_decisions(files, indicators, persons, config)
    )


def same_person_in_units(subs: Mapping[str, Submission]) -> dict[str, list[Issue]]:
    """The same person (name folded, and birth year) on the `Cá nhân` rows of two units' counted
    submissions in one period: for each unit, a warning at the person's name cell naming the other units.
    Rows without a birth year are not compared (a common name alone proves nothing)."""
    rows = [(code, sub.file_name, p.name, p.birth_year, p.cell or None) for code, sub in subs.items() for p in sub.persons if p.name and p.birth_year]
    if not rows:
        return {}
    people = pd.DataFrame({name: column(values) for name, values in zip(("unit", "file", "name", "birth", "cell"), zip(*rows))})
    put(people, key=map_distinct(people["name"], fold_key))
    groups = people.groupby(["key", "birth"], sort=False)["unit"]
    counts = groups.transform("nunique").to_numpy()
    sel = people[counts > 1]
    if sel.empty:
        return {}
    # Each group's units, sorted and joined once; a member's list is that text without its own unit.
    listed: dict[tuple, tuple[str, dict[str, tuple[int, int]]]] = {}
    for key, units in sel.groupby(["key", "birth"], sort=False)["unit"]:
        names = sorted(set(units))
        text = ", ".join(names)
        spans, at = {}, 0
        for u in names:
            spans[u] = (at, at + len(u))
            at += len(u) + 2
        listed[key] = (text, spans)

    def others(key: tuple, own: str) -> str:
        text, spans = listed[key]
        start, end = spans[own]
        return text[:start] + text[end + 2:] if end + 2 <= len(text) else text[:max(start - 2, 0)]

    detail = ["đơn vị " + others(k, u) for k, u in zip(zip(sel["key"], sel["birth"]), sel["unit"])]
    frame = T.issue_rows(
        "person-in-two-units", len(sel), file=sel["file"].to_numpy(), unit_code=sel["unit"].to_numpy(), sheet=L.SHEET_PERSONS,
        cell=sel["cell"].to_numpy(), value=sel["name"].to_numpy(), year=sel["birth"].to_numpy(), detail=detail,
    )
    out: dict[str, list[Issue]] = {}
    for unit, issue in zip(sel["unit"].tolist(), T.to_records(frame)):
        out.setdefault(unit, []).append(issue)
    return out
