"""Builders shared by the scoring and ranking tests: submissions from plain dicts, and small configs.

Submissions are built the way the reader hands them over (choice texts already turned into points), with
cell addresses laid out like the template so issue cells can be asserted.
"""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ccht_batch.config.load import load_config
from ccht_batch.config.model import Config
from ccht_batch.core.records import IndicatorEntry, ScoreEntry, Submission

REPO = Path(__file__).resolve().parents[2]
YEAR = 2025
FIRST_SCORE_ROW = 8  # the first scored row's sheet row in these fixtures
FIRST_INDICATOR_ROW = 5

D = Decimal


@lru_cache(maxsize=1)
def default_config() -> Config:
    """The shipped configuration (immutable, so one load serves every test of a worker)."""
    return load_config(REPO)


def score_cell(config: Config, cid: str) -> str:
    return f"D{FIRST_SCORE_ROW + _row_index(config, cid)}"


def evidence_cell(config: Config, cid: str) -> str:
    return f"E{FIRST_SCORE_ROW + _row_index(config, cid)}"


def indicator_cell(config: Config, iid: str) -> str:
    ids = [i.id for i in config.criteria.indicators]
    return f"D{FIRST_INDICATOR_ROW + ids.index(iid)}"


def _row_index(config: Config, cid: str) -> int:
    return [c.id for c in config.criteria.scored_rows].index(cid)


def submission(
    config: Config,
    unit_code: str,
    scores: dict[str, Any] | None = None,
    indicators: dict[str, Any] | None = None,
    *,
    evidence: dict[str, str] | None = None,
    notes: dict[str, str] | None = None,
    default_evidence: str = "Văn bản số 01/KH-ĐV",
    year: int = YEAR,
) -> Submission:
    """A submission with every scored row present (empty unless given) and every indicator row.

    ``scores`` values are numbers (points) or, for choice rows, the option text. Every criterion row, and
    every bonus or penalty row given a score, gets ``default_evidence`` unless ``evidence`` says otherwise
    (``""`` for none): a computed criterion needs evidence whether or not the unit typed a self-score.
    """
    scores = scores or {}
    indicators = indicators or {}
    evidence = evidence or {}
    notes = notes or {}
    entries: dict[str, ScoreEntry] = {}
    for c in config.criteria.scored_rows:
        raw = scores.get(c.id)
        value: Decimal | None
        if raw is None:
            value, text = None, ""
        elif isinstance(raw, str) and c.is_choice:
            value, text = c.choice_points(raw), raw
            assert value is not None, f"'{raw}' is not a choice of {c.id}"
        else:
            value, text = Decimal(str(raw)), str(raw)
        ev = evidence.get(c.id, default_evidence if (raw is not None or c.kind == "criterion") else "")
        entries[c.id] = ScoreEntry(
            id=c.id,
            cell=score_cell(config, c.id),
            value=value,
            text=text,
            evidence=ev,
            evidence_cell=evidence_cell(config, c.id),
            note=notes.get(c.id, ""),
        )
    inds: dict[str, IndicatorEntry] = {}
    for ind in config.criteria.indicators:
        raw = indicators.get(ind.id)
        if isinstance(raw, str):
            day, month, yr = (int(x) for x in raw.split("/"))
            raw = dt.date(yr, month, day)
        inds[ind.id] = IndicatorEntry(id=ind.id, cell=indicator_cell(config, ind.id), value=raw)
    return Submission(unit_code=unit_code, year=year, file_name=f"{unit_code}_{year}.xlsx", sha256="0" * 64, scores=entries, indicators=inds)


# Indicators that give every computed criterion of the default config its maximum.
FULL_INDICATORS: dict[str, Any] = {
    "KH_NGAY": "15/01/2025",
    "KH_NV_GIAO": 20,
    "KH_NV_XONG": 20,
    "KT_TONTAI": 4,
    "KT_KHACPHUC": 4,
    "TT_HINHTHUC": 5,
    "TT_TIN_BAI": 12,
    "VB_GIAO": 3,
    "VB_DUNGHAN": 3,
    "HS_TIEPNHAN": 100,
    "HS_DUNGHAN": 100,
    "VBDI_TONG": 200,
    "VBDI_KYSO": 200,
    "DX_VANBAN": 3,
    "SK_CONGNHAN": 2,
    "BC_PHAINOP": 6,
    "BC_DUNGHAN": 6,
}


def full_self_scores(config: Config) -> dict[str, Any]:
    """What a unit types on every criterion row to claim the maximum (choice rows: the best option)."""
    out: dict[str, Any] = {}
    for c in config.criteria.criteria:
        if c.is_choice:
            out[c.id] = max(c.choices, key=lambda ch: ch.points).text
        else:
            out[c.id] = c.max
    return out


def full_submission(config: Config, unit_code: str, **overrides: Any) -> Submission:
    """Every criterion at its maximum, with evidence; ``scores``/``indicators`` given are merged over it."""
    scores = {**full_self_scores(config), **overrides.pop("scores", {})}
    indicators = {**FULL_INDICATORS, **overrides.pop("indicators", {})}
    return submission(config, unit_code, scores, indicators, **overrides)


def write_config(tmp_path: Path, edit) -> Config:
    """Copy the shipped config into ``tmp_path``, let ``edit(criteria_dict)`` change criteria.yaml, load it."""
    cdir = tmp_path / "config"
    cdir.mkdir(parents=True, exist_ok=True)
    for name in ("criteria.yaml", "units.yaml", "settings.yaml"):
        shutil.copyfile(REPO / "config" / name, cdir / name)
    data = yaml.safe_load((cdir / "criteria.yaml").read_text(encoding="utf-8"))
    edit(data)
    (cdir / "criteria.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_config(tmp_path)


def small_config(
    tmp_path: Path,
    fields: list[dict],
    *,
    indicators: list[dict] | None = None,
    bonus: dict | None = None,
    penalties: dict | None = None,
    tie_breaks: list[str] | None = None,
    scoring: dict | None = None,
) -> Config:
    """The shipped config with its criteria tree replaced: for cases the default tree cannot show."""

    def edit(data: dict) -> None:
        data["indicators"] = indicators or []
        data["fields"] = fields
        data["bonus"] = bonus if bonus is not None else {"cap": 0, "items": []}
        data["penalties"] = penalties if penalties is not None else {"items": []}
        data["ranking"] = {"tie_breaks": tie_breaks or []}
        data.pop("plausibility", None)  # its indicator may not be among these
        if scoring is not None:
            data["scoring"].update(scoring)

    return write_config(tmp_path, edit)


def issue_at(score, code: str) -> list[tuple[str | None, str | None]]:
    """(sheet, cell) of every issue ``code`` of a UnitScore: compact to assert."""
    return [(i.sheet, i.cell) for i in score.issues if i.code == code]
