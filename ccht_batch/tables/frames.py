"""Helpers over columns that every table stage uses: object columns built without surprises, a scalar
function applied once per distinct value, Excel cell names for whole columns, rows split by a key.

A cell's value is interpreted by one scalar function (``values.parse_decimal``, ``norm_text``…); a month repeats
the same few hundred values, so each function runs once per distinct value and the results are spread back by
position (``map_distinct``, ``map_pairs``). Distinct means distinct in type too: a boolean cell is not the
number 1.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from ccht_batch.core.values import column_letter


def objects(values: Iterable[Any], count: int = -1) -> np.ndarray:
    """A one-dimensional object array of ``values`` as they are (a tuple stays one element)."""
    return np.fromiter(values, dtype=object, count=count)


def column(values: Sequence[Any]) -> pd.Series:
    """An object column (no inference: text stays Python ``str`` under pandas 3's string default too)."""
    return pd.Series(objects(values, len(values)), dtype=object)


def _kept(values: Any, index: pd.Index | None = None) -> Any:
    """Object arrays and lists as object Series (pandas 3 would make a column of strings its ``str`` dtype,
    where a missing value is NaN, not None); anything else as it is."""
    if isinstance(values, list) or (isinstance(values, np.ndarray) and values.dtype == object):
        array = values if isinstance(values, np.ndarray) else objects(values, len(values))
        return pd.Series(array, dtype=object, index=index)
    return values


def table(columns: dict[str, Any]) -> pd.DataFrame:
    """A DataFrame of ``columns``; object arrays and lists stay object columns."""
    return pd.DataFrame({name: _kept(values) for name, values in columns.items()})


def put(frame: pd.DataFrame, **columns: Any) -> pd.DataFrame:
    """Set ``columns`` of ``frame`` in place (and return it); object arrays and lists stay object columns."""
    for name, values in columns.items():
        frame[name] = _kept(values, frame.index)
    return frame


def factorize(values: Sequence[Any] | np.ndarray | pd.Series, cells: bool = False) -> tuple[np.ndarray, list[Any]]:
    """(codes, distinct values): ``values[i] == uniques[codes[i]]``. None and NaN are two values. Numbers of
    equal value (``2`` and ``2.0``) are one value, which every reading of a cell here treats alike; with
    ``cells`` (values as read from cells) a boolean is not the number 1, as ``True == 1`` would have it."""
    array = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else np.asarray(values, dtype=object)
    if array.ndim != 1:
        array = objects(values, len(values))
    codes, found = pd.factorize(array, use_na_sentinel=True)
    uniques = list(found)
    rekey = codes < 0  # None or NaN: kept apart
    if cells:
        suspect = [k for k, u in enumerate(uniques) if u.__class__ in (bool, int, float) and (u == 0 or u == 1)]
        if suspect:
            rekey |= np.isin(codes, suspect)
    if rekey.any():
        codes = codes.copy()
        extra: dict[tuple, int] = {}
        for i in np.flatnonzero(rekey).tolist():
            v = array[i]
            key = (v.__class__ is bool, v is None, v) if v == v else ("nan",)  # NaN is not equal to itself
            code = extra.get(key)
            if code is None:
                code = extra[key] = len(uniques)
                uniques.append(v)
            codes[i] = code
        used = np.unique(codes)
        if len(used) < len(uniques):  # a value now kept apart left its merged entry unused
            remap = np.zeros(len(uniques), dtype=codes.dtype)
            remap[used] = np.arange(len(used), dtype=codes.dtype)
            codes, uniques = remap[codes], [uniques[k] for k in used.tolist()]
    return codes, uniques


def map_distinct(values: Sequence[Any] | np.ndarray | pd.Series, fn: Callable[[Any], Any], cells: bool = False) -> np.ndarray:
    """``fn`` of every element, computed once per distinct value (``factorize``): an object array."""
    codes, uniques = factorize(values, cells)
    return objects((fn(u) for u in uniques), len(uniques))[codes] if len(codes) else np.empty(0, dtype=object)


def map_pairs(a: Sequence[Any] | np.ndarray, b: Sequence[Any] | np.ndarray, fn: Callable[[Any, Any], Any], cells: bool = False) -> np.ndarray:
    """``fn(a[i], b[i])`` of every pair, computed once per distinct pair (``b`` as ``factorize`` with ``cells``)."""
    if not len(a):
        return np.empty(0, dtype=object)
    ca, ua = factorize(a)
    cb, ub = factorize(b, cells)
    width = len(ub)
    codes, pairs = pd.factorize(ca.astype(np.int64) * width + cb)
    return objects((fn(ua[k // width], ub[k % width]) for k in pairs.tolist()), len(pairs))[codes]


_LETTERS = [column_letter(i) for i in range(256)]


def cell_names(rows: np.ndarray | pd.Series, cols: np.ndarray | pd.Series) -> np.ndarray:
    """Zero-based rows and columns → ``D14`` as Excel shows it, one shared string per distinct cell."""
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    keys = rows * 20_000 + cols
    codes, uniques = pd.factorize(keys)
    names = objects(
        (f"{_LETTERS[c] if c < len(_LETTERS) else column_letter(c)}{r + 1}" for r, c in (divmod(int(k), 20_000) for k in uniques)),
        len(uniques),
    )
    return names[codes] if len(codes) else np.empty(0, dtype=object)


def split_rows(keys: Sequence[Any], rows: list[Any]) -> dict[Any, list[Any]]:
    """``rows`` grouped by their ``keys`` (in the order they come), for a writer that goes unit by unit."""
    out: dict[Any, list[Any]] = {}
    for key, row in zip(keys, rows):
        group = out.get(key)
        if group is None:
            out[key] = [row]
        else:
            group.append(row)
    return out


def records(frame: pd.DataFrame, columns: Sequence[str]) -> list[tuple]:
    """The rows of ``columns`` as plain tuples, missing values as None (what writers and JSON take)."""
    if frame.empty:
        return []
    values = frame.loc[:, list(columns)].astype(object)
    values = values.where(values.notna(), None)
    return list(values.itertuples(index=False, name=None))
