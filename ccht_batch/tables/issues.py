"""Issues as a table: one row per issue, with the columns of ``Lỗi`` (file, unit, sheet, cell, severity, code,
value, message), and the catalogue's messages filled for whole columns at once.

``issue_rows`` is ``core.issues.make`` for many issues of one code: each placeholder of the code's template is
a column (or one value for all), the message is the template's literal parts joined with those columns. The
same rules as ``make``: ``value`` is shown as text (empty when there is none), a placeholder without a value
reads ``…``. ``to_records`` turns the table into the ``Issue`` records files carry (the store, the e-mails);
``issues_frame`` goes the other way, for the outputs.
"""

from __future__ import annotations

import string
from typing import Any, Iterable

import numpy as np
import pandas as pd

from ccht_batch.core.issues import CATALOGUE, Issue
from ccht_batch.tables.frames import column, objects

ISSUE_COLUMNS = ("file", "unit_code", "sheet", "cell", "severity", "code", "value", "message")
_RECORD_FIELDS = ("code", "severity", "message", "file", "sheet", "cell", "value", "unit_code")

_PARTS: dict[str, list[tuple[str, str | None]]] = {}


def _parts(code: str) -> list[tuple[str, str | None]]:
    """The template of ``code`` as (literal text, placeholder or None)."""
    found = _PARTS.get(code)
    if found is None:
        found = _PARTS[code] = [(literal, name) for literal, name, _, _ in string.Formatter().parse(CATALOGUE[code][1])]
    return found


def _as_text(value: Any) -> np.ndarray | str:
    """A placeholder's column (or one value for all) as text, as ``str.format`` shows it."""
    if isinstance(value, (pd.Series, np.ndarray, list)):
        return objects((v if v.__class__ is str else str(v) for v in value), len(value))
    return value if isinstance(value, str) else str(value)


def issue_rows(code: str, n: int, *, value: Any = None, **columns: Any) -> pd.DataFrame:
    """``n`` issues of ``code``. ``value`` and each keyword are a column of ``n`` items or one value for all:
    ``file``, ``unit_code``, ``sheet``, ``cell`` go to their columns; the others fill the message."""
    severity = CATALOGUE[code][0]
    frame = {name: columns.pop(name, None) for name in ("file", "unit_code", "sheet", "cell")}
    if isinstance(value, (pd.Series, np.ndarray, list)):
        shown = objects((None if v is None else (v if v.__class__ is str else str(v)) for v in value), len(value))
        fill_value: Any = objects(("" if v is None else v for v in shown), len(shown))
    else:
        shown = None if value is None else str(value)
        fill_value = "" if shown is None else shown
    message: Any = ""
    for literal, name in _parts(code):
        message = message + literal if literal else message
        if name is None:
            continue
        if name == "value":
            part = fill_value
        elif name in columns:
            part = _as_text(columns[name])
        else:
            part = "…"
        message = message + part
    out = {
        "file": frame["file"],
        "unit_code": frame["unit_code"],
        "sheet": frame["sheet"],
        "cell": frame["cell"],
        "severity": severity,
        "code": code,
        "value": shown,
        "message": message,
    }
    return pd.DataFrame({name: _broadcast(out[name], n) for name in ISSUE_COLUMNS})


def _broadcast(value: Any, n: int) -> pd.Series:
    """A column of ``n`` objects: the values given, or one value repeated."""
    if isinstance(value, (pd.Series, np.ndarray, list)):
        return pd.Series(objects(value, len(value)), dtype=object)
    return pd.Series(np.full(n, value, dtype=object), dtype=object)


def empty_issues() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series([], dtype=object) for name in ISSUE_COLUMNS})


def to_records(frame: pd.DataFrame) -> list[Issue]:
    """The rows as ``Issue`` records, in order."""
    if frame.empty:
        return []
    cols = []
    for name in _RECORD_FIELDS:
        values = frame[name].to_numpy(dtype=object)
        missing = pd.isna(values)
        if missing.any():  # pd.concat may turn a column of None into NaN
            values = values.copy()
            values[missing] = None
        cols.append(values)
    return [Issue(*values) for values in zip(*cols)]


def issues_frame(items: Iterable[tuple[str, str | None, Issue]]) -> pd.DataFrame:
    """(file name, the file's unit, issue) → the table, in order; an issue without its own unit takes the
    file's (as ``Lỗi`` shows it)."""
    rows = [(name, issue.unit_code or unit, issue.sheet, issue.cell, issue.severity, issue.code, issue.value, issue.message) for name, unit, issue in items]
    if not rows:
        return empty_issues()
    return pd.DataFrame({name: column(values) for name, values in zip(ISSUE_COLUMNS, zip(*rows))})


def concat(frames: Iterable[pd.DataFrame | None]) -> pd.DataFrame:
    """Issue tables (and any extra columns they share) one after another; None stands for none."""
    frames = [f for f in frames if f is not None and not f.empty]
    if not frames:
        return empty_issues()
    return pd.concat(frames, ignore_index=True)
