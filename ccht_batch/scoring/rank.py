"""Ranking by result (DESIGN.md §6): competition numbering (1, 2, 2, 4), separated by configured tie-breaks,
as a table.

Each unit's key is its result, then its share of each tie-break's applicable maximum (a field or a criterion,
in the configured order). Shares are exact fractions, so 2/3 of one field and 4/6 of another are equal, not
separated by a rounding digit; a field or criterion with nothing applicable ranks lowest. The key's columns
are ranked densely one after another into one ordinal, and ``rank(method="min")`` of that ordinal is the
competition rank: units with equal keys share a rank, and the next rank skips accordingly. Nothing depends on
the order units were read in.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

from ccht_batch.config.model import Config
from ccht_batch.core.records import UnitScore
from ccht_batch.scoring.score import Scored

# Below any real share (a share is ≥ 0): a field or criterion with nothing applicable ranks lowest.
_NO_SHARE = Fraction(-1)


def rank_keys(config: Config, scored: Scored) -> pd.DataFrame:
    """One row per unit: ``result``, then one column per tie-break (its share, exact), higher is better."""
    units = pd.Index(scored.totals["unit_code"].to_numpy(dtype=object), dtype=object)
    keys = pd.DataFrame({"result": pd.Series([Fraction(r) for r in scored.totals["result"]], index=units, dtype=object)})
    for n, tie_break in enumerate(config.criteria.tie_breaks):
        if config.criteria.field(tie_break) is not None:
            f = scored.fields[scored.fields["field_id"] == tie_break]
            got, out_of = f["score"].to_numpy(dtype=object), f["max"].to_numpy(dtype=object)
            share = pd.Series([_ratio(a, b) for a, b in zip(got, out_of)], index=pd.Index(f["unit_code"].to_numpy(dtype=object), dtype=object), dtype=object)
        else:
            r = scored.rows[scored.rows["id"] == tie_break]
            share = pd.Series(
                [_ratio(s, m) if ok else _NO_SHARE for s, m, ok in zip(r["score"], r["max"], r["applicable"])],
                index=pd.Index(r["unit_code"].to_numpy(dtype=object), dtype=object), dtype=object,
            )
        keys[f"tie_break_{n}"] = share.reindex(keys.index).where(lambda s: s.notna(), _NO_SHARE).astype(object)
    return keys


def _ratio(got: Decimal, out_of: Decimal) -> Fraction:
    return Fraction(got) / Fraction(out_of) if out_of > 0 else _NO_SHARE


def ranks(keys: pd.DataFrame) -> pd.Series:
    """Competition ranks of the rows of ``keys`` (every column: higher is better)."""
    if keys.empty:
        return pd.Series([], dtype="int64", index=keys.index)
    ordinal = np.zeros(len(keys), dtype=np.int64)
    for name in keys.columns:
        dense = keys[name].rank(method="dense", ascending=False).to_numpy(dtype=np.int64)
        ordinal = pd.Series(ordinal * (int(dense.max()) + 1) + dense).rank(method="dense").to_numpy(dtype=np.int64)
    return pd.Series(ordinal, index=keys.index).rank(method="min").astype("int64")


def rank_units(config: Config, scores: Scored | dict[str, UnitScore]) -> dict[str, int]:
    """unit code → rank, for every unit scored (the caller leaves out units with nothing counted), best first
    (then by code: the order never depends on the order units were read in)."""
    scored = scores if isinstance(scores, Scored) else Scored.from_records(scores)
    ranked = ranks(rank_keys(config, scored))
    return dict(sorted(zip(ranked.index.tolist(), ranked.tolist()), key=lambda item: (item[1], item[0])))


def rank_changes(current: dict[str, int], previous: dict[str, int]) -> dict[str, int | None]:
    """unit code → previous rank − current rank (positive: moved up); None without a previous rank."""
    return {code: (previous[code] - rank if previous.get(code) is not None else None) for code, rank in current.items()}
