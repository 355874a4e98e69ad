"""``summary.json`` (DESIGN.md §8, a contract): its name, and the few facts every output of a run agrees on.

Programs read this file, so its shape is fixed and its order deterministic: files by name, units in the
order of ``units.yaml``, nominations as the award engine produced them. Every number is a JSON number
(``values.json_number``), never a string, and ``null`` where nothing counts. It is written from the period's
tables (``outputs.frames.write_summary_json``).

The consolidated workbook, the feedback workbooks and this file must tell a unit the same story; the
helpers here (which files, which units, which reward forms) are what they share.
"""

from __future__ import annotations

from ccht_batch.awards.select import rules_for
from ccht_batch.config.model import Config
from ccht_batch.core.records import FileRecord, RunOutcome, UnitOutcome

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
