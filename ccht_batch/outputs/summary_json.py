"""``summary.json`` (DESIGN.md §8, a contract), and the few facts every output of a run agrees on.

Programs read this file, so its shape is fixed and its order deterministic: files by name, units in the
order of ``units.yaml``, nominations as the award engine produced them. Every number is a JSON number
(``values.json_number``), never a string, and ``null`` where nothing counts.

The consolidated workbook, the feedback workbooks and this file must tell a unit the same story; the
helpers here (which files, which issues of a file, which units) are what they share.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ccht_batch.awards.select import rules_for
from ccht_batch.config.model import Config
from ccht_batch.core.files import atomic_path
from ccht_batch.core.records import FileRecord, RunOutcome, UnitOutcome
from ccht_batch.core.values import json_number

SUMMARY_NAME = "summary.json"


# ---------------------------------------------------------------------------------------------------
# Shared facts


def sorted_files(files: list[FileRecord]) -> list[FileRecord]:
    """By name (a stable sort keeps run order for a name sent twice): a folder listing's order differs by
    platform, and the same inputs must give the same bytes."""
    return sorted(files, key=lambda f: f.name)


def sorted_units(config: Config, units: list[UnitOutcome]) -> list[UnitOutcome]:
    """In the order of ``units.yaml`` (the order the Office knows), unknown codes last by code."""
    order = {u.code: i for i, u in enumerate(config.units)}
    return sorted(units, key=lambda u: (order.get(u.code, len(order)), u.code))


def considered_rules(config: Config, outcome: RunOutcome) -> list:
    """The reward forms this run considered. The award engine decides (``awards.rules_for``); every
    writer follows it, so a list never shows a form the engine did not check, or the reverse."""
    return rules_for(config, outcome.period, outcome.milestone)[0]


# ---------------------------------------------------------------------------------------------------
# summary.json


def _file_json(outcome: RunOutcome, record: FileRecord) -> dict[str, Any]:
    return {
        "name": record.name,
        "sha256": record.sha256,
        "status": record.status,
        "unit_code": record.unit_code,
        "issues": [i.to_json() for i in record.issues],
    }


def _unit_json(unit: UnitOutcome) -> dict[str, Any]:
    score = unit.score
    criteria = []
    if score is not None:
        criteria = [
            {
                "id": c.id,
                "max": json_number(c.max),
                "self_score": json_number(c.self_score),
                "score": json_number(c.score) if c.applicable else None,
                "source": c.source,
            }
            for c in score.criteria
        ]
    return {
        "code": unit.code,
        "name": unit.name,
        "status": unit.status,
        "total": json_number(unit.total),
        "result": json_number(unit.result),
        "rank": unit.rank,
        "rank_change": unit.rank_change,
        "band": unit.band,
        "criteria": criteria,
    }


def build_summary(config: Config, outcome: RunOutcome) -> dict[str, Any]:
    return {
        "period": outcome.period,
        "milestone": outcome.milestone,
        "files": [_file_json(outcome, f) for f in sorted_files(outcome.files)],
        "units": [_unit_json(u) for u in sorted_units(config, outcome.units)],
        "nominations": [n.to_json() for n in outcome.nominations],
    }


# One encoder for every entry: ``json.dumps`` with options builds a new encoder per call, which costs as
# much as encoding an entry (15,000 entries in a large month); the output is the same.
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def summary_text(config: Config, outcome: RunOutcome) -> str:
    """One entry of each list per line. json's indenting encoder is pure Python and an order of magnitude
    slower than its C encoder, which a thousand units notice; a line per entry still reads and diffs well."""
    data = build_summary(config, outcome)
    dump = _ENCODER.encode
    lines = ["{"]
    for i, (key, value) in enumerate(data.items()):
        comma = "," if i < len(data) - 1 else ""
        if isinstance(value, list) and value:
            lines.append(f"  {dump(key)}: [")
            lines += [f"    {dump(item)}," for item in value[:-1]] + [f"    {dump(value[-1])}"]
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {dump(key)}: {dump(value)}{comma}")
    return "\n".join(lines + ["}"]) + "\n"


def write_summary_json(config: Config, outcome: RunOutcome, path: Path) -> Path:
    with atomic_path(path) as tmp:
        # newline="\n": the same bytes on Windows as here.
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(summary_text(config, outcome))
    return path
