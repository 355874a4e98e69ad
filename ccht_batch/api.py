"""The analyst's API: a working folder's periods and history as pandas DataFrames, for a notebook.

    import ccht_batch as cb
    wd = cb.open_workdir("D:/ThiDua")
    wd.units("2025-11")                   # code, name, status, total, result, rank, rank_change, band
    wd.scores("2025-11")                  # unit_code, criterion_id, max, self_score, score, source
    wd.issues("2025-11")                  # the columns of `Lỗi`: file, unit_code, sheet, cell, severity, code, value, message
    wd.nominations("2025-11")             # award, kind, name, unit_code, eligible, selected, reasons
    wd.history(unit="VP"), wd.history(person="Trần Thị Lan")

Everything is read from the store as the last run of each period recorded it (``store.frames``, with
``pandas.read_sql``), so each frame has the values of that run's ``summary.json`` (**contract**, DESIGN.md
§2): numbers as JSON gives them (floats; missing as NaN), ranks as nullable integers, ``severity`` and
``status`` as codes, a tied candidate's ``selected`` as None. Nothing is written, nothing is locked: a
notebook may read while the clerk runs the month.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ccht_batch.batch import period_files
from ccht_batch.config.load import load_config
from ccht_batch.config.model import Config
from ccht_batch.core.periods import parse_period
from ccht_batch.core.records import SRC_NOT_APPLICABLE
from ccht_batch.core.values import json_number
from ccht_batch.core.vocab import TITLES
from ccht_batch.outputs.frames import file_issues
from ccht_batch.outputs.summary_json import sorted_files
from ccht_batch.store import frames as sf
from ccht_batch.store import runs as runstore
from ccht_batch.store.db import Store
from ccht_batch.store.guard import open_store
from ccht_batch.store.history import StoreHistory
from ccht_batch.tables.issues import ISSUE_COLUMNS

UNIT_COLUMNS = ["code", "name", "status", "total", "result", "rank", "rank_change", "band"]
SCORE_COLUMNS = ["unit_code", "criterion_id", "max", "self_score", "score", "source"]
NOMINATION_COLUMNS = ["award", "kind", "name", "unit_code", "eligible", "selected", "reasons"]


def open_workdir(path: str | Path) -> "Workdir":
    """A working folder (``ccht-batch init``) for reading: its configuration and its store."""
    return Workdir(load_config(Path(path)))


def _number(values) -> pd.Series:
    """Numbers as summary.json has them (a whole number as an integer, else the float that prints the same
    digits), in a float column: NaN where there is none."""
    return pd.Series([float(json_number(v)) if v is not None else float("nan") for v in values], dtype="float64")


class Workdir:
    """A working folder's results, read from its store each time a method is called."""

    def __init__(self, config: Config):
        self.config = config

    def _store(self) -> Store:
        return open_store(self.config)

    def periods(self) -> list[str]:
        """Every period with results, oldest first."""
        with self._store() as store:
            return sf.periods(store)

    def units(self, period: str) -> pd.DataFrame:
        """Each unit's result of ``period``, in the order of ``units.yaml`` (summary.json's ``units``)."""
        period = parse_period(period)  # a mistyped period is an error, not an empty table
        with self._store() as store:
            results = sf.period_results(store, period)
            previous = runstore.previous_ranks(store, period)
        names = {u.code: u.name for u in self.config.units}
        order = {u.code: i for i, u in enumerate(self.config.units)}
        results = results.iloc[sorted(range(len(results)), key=lambda i: (order.get(results["unit_code"].iat[i], len(order)), results["unit_code"].iat[i]))]
        ranks = results["rank"].tolist()
        frame = pd.DataFrame({
            "code": pd.Series(results["unit_code"].tolist(), dtype=object),
            "name": pd.Series([names.get(c, c) for c in results["unit_code"]], dtype=object),
            "status": pd.Series(results["status"].tolist(), dtype=object),
            "total": _number(results["total"]),
            "result": _number(results["result"]),
            "rank": pd.array(ranks, dtype="Int64"),
            "rank_change": pd.array([previous[c] - r if r is not None and previous.get(c) is not None else None for c, r in zip(results["unit_code"], ranks)], dtype="Int64"),
            "band": pd.Series(results["band"].tolist(), dtype=object),
        })
        return frame[UNIT_COLUMNS]

    def scores(self, period: str) -> pd.DataFrame:
        """Every scored row of every unit with a result in ``period`` (summary.json's ``units[].criteria``): the
        score that counts, None where the row does not apply."""
        period = parse_period(period)  # a mistyped period is an error, not an empty table
        units = self.units(period)
        with self._store() as store:
            results = sf.period_results(store, period).set_index("unit_code")
        rows = [(code, c["id"], c["max"], c["self_score"], None if c["source"] == SRC_NOT_APPLICABLE else c["score"], c["source"])
                for code in units["code"] for c in results.at[code, "criteria"]]
        frame = pd.DataFrame({name: pd.Series([r[i] for r in rows], dtype=object) for i, name in enumerate(SCORE_COLUMNS)})
        for name in ("max", "self_score", "score"):
            frame[name] = pd.Series([float("nan") if v is None else float(v) for v in frame[name]], dtype="float64")
        return frame

    def issues(self, period: str) -> pd.DataFrame:
        """Every issue of the period's files, as the consolidated workbook's `Lỗi` lists them: what reading found,
        from the store, and the scorer's warnings on the counted files, recomputed as every run recomputes them
        (the same as the last run's unless the configuration has changed since)."""
        period = parse_period(period)  # a mistyped period is an error, not an empty table
        frame = file_issues(sorted_files(period_files(self.config, period)))
        return frame[list(ISSUE_COLUMNS)].reset_index(drop=True)

    def nominations(self, period: str, milestone: str | None = None) -> pd.DataFrame:
        """The candidates checked against each reward form (summary.json's ``nominations``), of the period's last
        run, or of its run for ``milestone``."""
        period = parse_period(period)  # a mistyped period is an error, not an empty table
        with self._store() as store:
            milestone = milestone or runstore.last_run_milestone(store, period)
            return sf.nominations(store, period, milestone)[NOMINATION_COLUMNS]

    def history(self, unit: str | None = None, person: str | None = None) -> pd.DataFrame:
        """The yearly records the award rules read: every unit's (or ``unit``'s) years — total, result, band,
        rank, rating, titles, the awards received that year — or, for ``person`` (a name, matched as
        ``history show`` matches it), the person's years in every unit they served."""
        with self._store() as store:
            if person is not None:
                return self._person_history(StoreHistory(store), person, unit)
            years = sf.unit_years(store, unit)
            awards = sf.unit_awards(store, unit)
        received = awards.groupby(["unit_code", "year"], sort=False)["award"].agg(list) if len(awards) else pd.Series(dtype=object)
        keys = sorted(set(zip(years["unit_code"], years["year"])) | set(received.index))
        records = years.set_index(["unit_code", "year"])
        rows = []
        for code, year in keys:
            r = records.loc[(code, year)] if (code, year) in records.index else None
            rows.append({
                "unit_code": code, "year": year,
                "total": None if r is None else r["total"], "result": None if r is None else r["result"],
                "band": None if r is None else r["band"], "rank": None if r is None else r["rank"],
                "rating": None if r is None else r["rating"], "titles": [] if r is None else list(r["titles"]),
                "awards": list(received.get((code, year), [])),
            })
        frame = pd.DataFrame(rows, columns=["unit_code", "year", "total", "result", "band", "rank", "rating", "titles", "awards"])
        frame["total"], frame["result"] = _number(frame["total"]), _number(frame["result"])
        frame["rank"] = pd.array(frame["rank"].tolist(), dtype="Int64")
        frame["year"] = frame["year"].astype("int64")
        return frame

    def _person_history(self, history: StoreHistory, name: str, unit: str | None) -> pd.DataFrame:
        rows = []
        for ident in history.find_persons(name, unit):
            key = ident.keys[-1]
            received: dict[int, list[str]] = {}
            for a in history.person_awards(key):
                received.setdefault(a.year, []).append(a.award)
            years = history.person_years(key)
            for year in sorted(set(years) | set(received)):
                py = years.get(year)
                rows.append({
                    "name": ident.name, "birth_year": ident.birth_year, "year": year, "unit_code": py.unit_code if py else None,
                    "rating": py.rating if py else None, "titles": sorted(py.titles, key=lambda t: (t not in TITLES, list(TITLES).index(t) if t in TITLES else t)) if py else [],
                    "source": py.source if py else None, "decision": py.decision if py else "",
                    "initiatives": [i.title for i in py.initiatives] if py else [], "awards": received.get(year, []),
                })
        columns = ["name", "birth_year", "year", "unit_code", "rating", "titles", "source", "decision", "initiatives", "awards"]
        frame = pd.DataFrame(rows, columns=columns)
        frame["birth_year"] = pd.array(frame["birth_year"].tolist(), dtype="Int64")
        frame["year"] = frame["year"].astype("int64")
        return frame
