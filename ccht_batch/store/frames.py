"""The store read as tables (``pandas.read_sql``): what the trend sheet, the multi-year award checks and the
analyst's API (``ccht_batch.open_workdir``) read. The SQL stays here; callers get DataFrames.

Numbers the store keeps as text (totals and results, exact to the hundredth) come back as ``Decimal``.
pandas is imported by this module only, never by the store's other modules: ``check`` and ``mail`` open the
store without it.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pandas as pd

from ccht_batch.core.periods import period_year
from ccht_batch.core.records import AwardRecord, UnitYear
from ccht_batch.store.db import Store
from ccht_batch.store.history import COLLECTIVE, StoreHistory


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


def _objects(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as Python objects, None where SQL said NULL (whatever dtype pandas inferred)."""
    out = frame.astype(object)
    return out.where(out.notna(), None)


def _int(value) -> int | None:
    return None if value is None else int(value)


# ---------------------------------------------------------------------------------------------------
# The yearly history the multi-year award checks read


def unit_years(store: Store, unit_code: str | None = None) -> pd.DataFrame:
    """The current yearly record of every unit (or of ``unit_code``): ``unit_code``, ``year``, ``total``,
    ``result`` (``Decimal``), ``band``, ``rank``, ``rating``, ``titles`` (a list), ``source``."""
    where, params = ("AND unit_code = ?", (unit_code,)) if unit_code else ("", ())
    frame = _objects(_read(
        store,
        f"SELECT unit_code, year, total, result, band, rank, rating, titles_json, source FROM unit_years WHERE current = 1 {where} ORDER BY unit_code, year, id",
        params,
    ))
    frame["year"] = pd.Series([int(y) for y in frame["year"]], index=frame.index, dtype=object)
    frame["total"], frame["result"] = _decimals(frame["total"]), _decimals(frame["result"])
    frame["rank"] = pd.Series([_int(r) for r in frame["rank"]], index=frame.index, dtype=object)
    frame["titles"] = pd.Series([sorted(json.loads(t or "[]")) for t in frame.pop("titles_json")], index=frame.index, dtype=object)
    return frame


def unit_awards(store: Store, unit_code: str | None = None) -> pd.DataFrame:
    """The awards received by every unit as a collective (or by ``unit_code``): ``unit_code``, ``award``,
    ``year``, ``decision``, ``decision_date``, ``issuer``, ``name``."""
    where, params = ("AND unit_code = ?", (COLLECTIVE, unit_code)) if unit_code else ("", (COLLECTIVE,))
    frame = _objects(_read(
        store,
        f"SELECT unit_code, award, year, decision, decision_date, issuer, name FROM awards_received WHERE subject_kind = ? {where} ORDER BY unit_code, year, id",
        params,
    ))
    frame["year"] = pd.Series([int(y) for y in frame["year"]], index=frame.index, dtype=object)
    return frame


class FrameHistory(StoreHistory):
    """``StoreHistory`` whose units' yearly records and awards are read once for every unit, as tables: what
    the award engine's multi-year checks read for each unit (persons, followed across units by their moves,
    are read one by one as ``StoreHistory`` reads them)."""

    def __init__(self, store: Store):
        super().__init__(store)
        self._years: dict[str, dict[int, UnitYear]] = {}
        for r in unit_years(store).to_dict("records"):
            self._years.setdefault(r["unit_code"], {})[r["year"]] = UnitYear(
                year=r["year"], unit_code=r["unit_code"], total=r["total"], result=r["result"], band=r["band"], rank=r["rank"],
                rating=r["rating"], titles=frozenset(r["titles"]),
            )
        self._awards: dict[str, list[AwardRecord]] = {}
        for r in unit_awards(store).to_dict("records"):
            self._awards.setdefault(r["unit_code"], []).append(AwardRecord(
                award=r["award"], year=r["year"], decision=r["decision"], decision_date=dt.date.fromisoformat(r["decision_date"]) if r["decision_date"] else None,
                issuer=r["issuer"], name=r["name"],
            ))

    def unit_years(self, unit_code: str) -> dict[int, UnitYear]:
        return dict(self._years.get(unit_code, {}))

    def unit_awards(self, unit_code: str) -> list[AwardRecord]:
        return list(self._awards.get(unit_code, []))


# ---------------------------------------------------------------------------------------------------
# A period as the last run recorded it (the analyst's API)


def periods(store: Store) -> list[str]:
    """Every period with results, oldest first."""
    return _read(store, "SELECT DISTINCT period FROM period_results ORDER BY period")["period"].astype(object).tolist()


def period_results(store: Store, period: str) -> pd.DataFrame:
    """Each unit's recorded result of ``period``: ``unit_code``, ``status``, ``total``, ``result`` (``Decimal``),
    ``band``, ``rank``, ``criteria`` (the scored rows as recorded: id, max, self_score, score, source)."""
    frame = _objects(_read(
        store, "SELECT unit_code, status, total, result, band, rank, criteria_json FROM period_results WHERE period = ? ORDER BY rowid", (period,)
    ))
    frame["total"], frame["result"] = _decimals(frame["total"]), _decimals(frame["result"])
    frame["rank"] = pd.Series([_int(r) for r in frame["rank"]], index=frame.index, dtype=object)
    frame["criteria"] = pd.Series([json.loads(c or "[]") for c in frame.pop("criteria_json")], index=frame.index, dtype=object)
    return frame


def nominations(store: Store, period: str, milestone: str | None) -> pd.DataFrame:
    """The nominations of the run of ``period`` and ``milestone``, in the award engine's order: ``award``, ``kind``,
    ``name``, ``unit_code``, ``eligible`` (True, False, None: cannot tell), ``selected`` (None: tied, for the
    council), ``reasons`` (a list), ``note``."""
    frame = _objects(_read(
        store,
        "SELECT award, kind, name, unit_code, eligible, selected, tied, reasons_json, note FROM nominations WHERE period = ? AND milestone IS ? ORDER BY id",
        (period, milestone),
    ))
    frame["eligible"] = pd.Series([None if e is None else bool(e) for e in frame["eligible"]], index=frame.index, dtype=object)
    frame["selected"] = pd.Series([None if t else bool(s) for s, t in zip(frame["selected"], frame.pop("tied"))], index=frame.index, dtype=object)
    frame["reasons"] = pd.Series([json.loads(r or "[]") for r in frame.pop("reasons_json")], index=frame.index, dtype=object)
    return frame[["award", "kind", "name", "unit_code", "eligible", "selected", "reasons", "note"]]
