"""Ranking by result (DESIGN.md §6): competition numbering (1, 2, 2, 4), separated by configured tie-breaks.

A rank must not depend on the order units were read in: units are sorted by their key (then code, for a
stable order only), and a unit's rank is one plus the number of units before it, unless its key equals the
previous unit's, when it shares that rank; the next rank then skips accordingly. Shares are compared as exact fractions, so 2/3 of one field and 4/6
of another are equal, not separated by a rounding digit.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from ccht_batch.config.model import Config
from ccht_batch.core.records import UnitScore

# Below any real share (a share is ≥ 0): a field or criterion with nothing applicable ranks lowest.
_NO_SHARE = Fraction(-1)


def rank_units(config: Config, scores: dict[str, UnitScore]) -> dict[str, int]:
    """unit code → rank, for every unit in ``scores`` (the caller leaves out units with nothing counted)."""
    keys = {code: _key(config, score) for code, score in scores.items()}
    ordered = sorted(keys.items(), key=lambda item: (tuple(-k for k in item[1]), item[0]))
    ranks: dict[str, int] = {}
    for position, (code, key) in enumerate(ordered):
        previous = ordered[position - 1] if position else None
        ranks[code] = ranks[previous[0]] if previous is not None and previous[1] == key else position + 1
    return ranks


def rank_changes(current: dict[str, int], previous: dict[str, int]) -> dict[str, int | None]:
    """unit code → previous rank − current rank (positive: moved up); None without a previous rank."""
    return {code: (previous[code] - rank if previous.get(code) is not None else None) for code, rank in current.items()}


def _key(config: Config, score: UnitScore) -> tuple[Fraction, ...]:
    """Higher is better: the result, then the share of each tie-break's applicable maximum, in order."""
    return (Fraction(score.result),) + tuple(_share(config, score, tid) for tid in config.criteria.tie_breaks)


def _share(config: Config, score: UnitScore, tie_break: str) -> Fraction:
    if config.criteria.field(tie_break) is not None:
        got, out_of = score.field_scores.get(tie_break, (Decimal(0), Decimal(0)))
        return _ratio(got, out_of)
    row = score.criterion(tie_break)
    if row is None or not row.applicable:
        return _NO_SHARE
    return _ratio(row.score, row.max)


def _ratio(got: Decimal, out_of: Decimal) -> Fraction:
    return Fraction(got) / Fraction(out_of) if out_of > 0 else _NO_SHARE
