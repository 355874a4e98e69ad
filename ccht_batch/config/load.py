"""Loading a working folder's configuration, and the version of the criteria a template is built on.

``load_config`` reads the three YAML files (``yamlsource``), checks them (``parse``) and either returns one
frozen ``Config`` or raises one ``ConfigError`` listing every problem, before any file is touched.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ccht_batch.config.model import (
    CONFIG_DIR,
    CONFIG_FILES,
    CRITERIA_FILE,
    SETTINGS_FILE,
    UNITS_FILE,
    Config,
    ConfigError,
    Criteria,
    Criterion,
    Documents,
    _num,
)
from ccht_batch.config.parse import (
    Reader,
    parse_criteria,
    parse_documents,
    parse_settings,
    parse_units,
)
from ccht_batch.config.yamlsource import load_yaml


def compute_criteria_version(criteria: Criteria) -> str:
    """A short hash of what scoring and the template's rows depend on.

    Included: ids, points, steps, methods and their parameters, applicability, indicators (id, type),
    bonus and penalty items. Excluded: names and wording, evidence rules, bands, ranking, awards and
    quotas — changing those must not outdate every unit's file.
    """

    def crit(c: Criterion) -> dict:
        return {
            "id": c.id,
            "max": _num(c.max),
            "step": _num(c.step),
            "method": c.method,
            "kind": c.kind,
            "applies_to": c.applies_to,
            "choices": [[ch.text, _num(ch.points)] for ch in c.choices],
            "indicator": c.indicator,
            "numerator": c.numerator,
            "denominator": c.denominator,
            "due": [c.due_day, c.due_month],
            "deadline_points": [_num(x) if x is not None else None for x in (c.on_time, c.late, c.missing)],
            "thresholds": [[_num(t.at_least), _num(t.points)] for t in c.thresholds],
            "below": _num(c.below),
            "zero_denominator": c.zero_denominator,
        }

    payload = {
        "fields": [{"id": f.id, "max": _num(f.max), "criteria": [crit(c) for c in f.criteria]} for f in criteria.fields],
        "bonus": {"cap": _num(criteria.bonus_cap), "items": [crit(c) for c in criteria.bonus_items]},
        "penalties": [crit(c) for c in criteria.penalty_items],
        "indicators": [[i.id, i.type] for i in criteria.indicators],
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:12]


def load_config(workdir: Path | str = ".") -> Config:
    """Load and check ``<workdir>/config/*.yaml``; raise ``ConfigError`` listing every problem."""
    workdir = Path(workdir)
    cdir = workdir / CONFIG_DIR
    readers = {name: Reader(load_yaml(cdir / name), f"{CONFIG_DIR}/{name}") for name in CONFIG_FILES}
    criteria = None
    agency, units, settings = None, (), None
    documents = Documents()
    if readers[CRITERIA_FILE].src.data is not None:
        criteria = parse_criteria(readers[CRITERIA_FILE])
    if readers[UNITS_FILE].src.data is not None:
        agency, units = parse_units(readers[UNITS_FILE])
        documents = parse_documents(readers[UNITS_FILE], tuple(a.id for a in criteria.awards) if criteria else None)
    if readers[SETTINGS_FILE].src.data is not None:
        settings = parse_settings(readers[SETTINGS_FILE])
    problems = [p for r in readers.values() for p in r.problems]
    if problems or criteria is None or agency is None or settings is None:
        raise ConfigError(problems)
    return Config(
        workdir=workdir,
        criteria=criteria,
        agency=agency,
        units=units,
        settings=settings,
        criteria_version=compute_criteria_version(criteria),
        documents=documents,
    )


def default_config_dir() -> Path:
    """The shipped defaults: inside the installed wheel, or ``config/`` of a source checkout."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "default_config"
    if packaged.is_dir():
        return packaged
    return package.parent / CONFIG_DIR
