"""The store read as tables (``pandas.read_sql``): what the trend sheet, the multi-year award checks and the
analyst's API (``ccht_batch.open_workdir``) read. The SQL stays here; callers get DataFrames.

Numbers the store keeps as text (totals and results, exact to the hundredth) come back as ``Decimal``.
pandas is imported by this module only, never by the store's other modules: ``check`` and ``mail`` open the
store without it.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from ccht_batch.core.periods import period_year
from ccht_batch.store.db import Store


def _read(store: Store, sql: str, params: tuple = ()) -> pd.DataFrame:
    return pd.read_sql(sql, store.conn, params=params, coerce_float=False)


def _decimals(values: pd.Series) -> pd.Series:
    return pd.Series([Decimal(v) if isinstance(v, str) and v != "" else None for v in values], index=values.index, dtype=object)


def year_results(store: Store, period: str) -> pd.DataFrame:
    """Each unit's result in the periods of ``period``'s year before it: ``period``, ``unit_code``, ``result``
    (``Decimal``, None where the unit had none)."""
    frame = _read(
        store,
        "SELECT period, unit_code, result FROM period_results WHERE substr(period, 1, 4) = ? AND period < ? ORDER BY period, unit_code",
        (str(period_year(period)), period),
    )
    frame["result"] = _decimals(frame["result"])
    return frame
