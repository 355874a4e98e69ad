"""The criteria of ``criteria.yaml`` as a table, and the units of ``units.yaml``: what entries are joined with.

``criteria_frame``: one row per scored row of the template (criteria, then bonus, then penalty items), in
template order (``order``), with everything validation and scoring read from the YAML — points (``max``,
``step``, as ``Decimal``), the method and its parameters, applicability and the evidence rule. Built once per
configuration.
"""

from __future__ import annotations

import pandas as pd

from ccht_batch.config.model import Config
from ccht_batch.core.values import fold_key
from ccht_batch.tables.frames import column

CRITERIA_COLUMNS = (
    "id", "order", "kind", "field_id", "name", "max", "step", "method", "is_choice", "is_computed", "applies_to",
    "evidence_required", "choices", "indicator", "numerator", "denominator", "due_day", "due_month", "on_time",
    "late", "missing", "thresholds", "below", "zero_denominator",
)

_CACHE: dict[int, tuple[Config, pd.DataFrame, pd.DataFrame]] = {}


def criteria_frame(config: Config) -> pd.DataFrame:
    """The scored rows as a table (a shared frame: do not change it)."""
    return _frames(config)[0]


def units_frame(config: Config) -> pd.DataFrame:
    """``code``, ``name``, ``email``, ``handles_dossiers``, ``order`` of every unit of ``units.yaml``."""
    return _frames(config)[1]


def _frames(config: Config) -> tuple[pd.DataFrame, pd.DataFrame]:
    cached = _CACHE.get(id(config))
    if cached is not None and cached[0] is config:
        return cached[1], cached[2]
    rows = config.criteria.scored_rows
    data: dict[str, list] = {name: [] for name in CRITERIA_COLUMNS}
    for order, c in enumerate(rows):
        values = {
            "id": c.id, "order": order, "kind": c.kind, "field_id": c.field_id, "name": c.name, "max": c.max, "step": c.step,
            "method": c.method, "is_choice": c.is_choice, "is_computed": c.is_computed, "applies_to": c.applies_to,
            "evidence_required": c.evidence_required,
            # choice text (as offered, and folded) → choice
            "choices": {**{fold_key(ch.text): ch for ch in c.choices}, **{ch.text: ch for ch in c.choices}} if c.is_choice else None,
            "indicator": c.indicator, "numerator": c.numerator, "denominator": c.denominator, "due_day": c.due_day,
            "due_month": c.due_month, "on_time": c.on_time, "late": c.late, "missing": c.missing, "thresholds": c.thresholds,
            "below": c.below, "zero_denominator": c.zero_denominator,
        }
        for name in CRITERIA_COLUMNS:
            data[name].append(values[name])
    criteria = pd.DataFrame({name: column(values) for name, values in data.items()})
    criteria["order"] = criteria["order"].astype("int64")
    for flag in ("is_choice", "is_computed", "evidence_required"):
        criteria[flag] = criteria[flag].astype(bool)
    units = pd.DataFrame({
        "code": column([u.code for u in config.units]),
        "name": column([u.name for u in config.units]),
        "email": column([u.email for u in config.units]),
        "handles_dossiers": pd.Series([u.handles_dossiers for u in config.units], dtype=bool),
        "order": pd.Series(range(len(config.units)), dtype="int64"),
    })
    if len(_CACHE) > 8:
        _CACHE.clear()
    _CACHE[id(config)] = (config, criteria, units)
    return criteria, units


def applicable(criteria_applies_to: pd.Series, handles_dossiers: pd.Series) -> pd.Series:
    """``Config.applies`` for whole columns: ``all``, or ``handles_dossiers`` for a unit that handles dossiers."""
    kind = criteria_applies_to.to_numpy(dtype=object)
    handles = handles_dossiers.to_numpy(dtype=bool)
    return pd.Series((kind == "all") | ((kind == "handles_dossiers") & handles), index=criteria_applies_to.index)
