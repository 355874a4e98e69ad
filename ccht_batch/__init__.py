"""ccht-batch: the monthly batch of an administrative-reform emulation movement.

A library first; ``ccht_batch.cli`` is a thin layer over it. The public API, for a notebook or another
program::

    import ccht_batch as cb
    config = cb.load_config("D:/ThiDua")
    inbox = cb.collect(config)                        # the units' attachments from the mailbox into input/
    report = cb.run_batch(config, "2025-11")          # read input/, score, rank, awards, write outputs
    mail = cb.deliver(config, period="2025-11")       # preview the month's messages (send=True sends)
    wd = cb.open_workdir("D:/ThiDua")                 # the results as pandas DataFrames, for a notebook
    wd.units("2025-11"), wd.scores("2025-11"), wd.issues("2025-11"), wd.nominations("2025-11"), wd.history(unit="VP")

The stages, in the order a month flows through them, are subpackages: ``config`` → ``forms`` (templates)
→ ``intake`` (reading, validation) → ``scoring`` → ``awards`` → ``outputs`` → ``mail``; ``store`` keeps
the history, ``history`` and ``reports`` serve the years, ``batch`` runs a month. Names are imported on
first use, so ``import ccht_batch`` stays instant.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name → the module that defines it
_API: dict[str, str] = {
    "load_config": "ccht_batch.config.load",
    "Config": "ccht_batch.config.model",
    "ConfigError": "ccht_batch.config.model",
    "init_workdir": "ccht_batch.config.workdir",
    "write_templates": "ccht_batch.forms.template",
    "write_appraisal": "ccht_batch.forms.appraisal",
    "run_batch": "ccht_batch.batch",
    "RunReport": "ccht_batch.batch",
    "period_units": "ccht_batch.batch",
    "deliver": "ccht_batch.mail.deliver",
    "MailRun": "ccht_batch.mail.deliver",
    "collect": "ccht_batch.mail.collect",
    "CollectRun": "ccht_batch.mail.collect",
    "import_history": "ccht_batch.history.imports",
    "write_history_template": "ccht_batch.history.workbook",
    "plan_close_year": "ccht_batch.history.close_year",
    "apply_close_year": "ccht_batch.history.close_year",
    "write_report": "ccht_batch.reports.write",
    "run_demo": "ccht_batch.demo",
    "open_workdir": "ccht_batch.api",
    "Workdir": "ccht_batch.api",
    "Store": "ccht_batch.store.db",
    "UsageError": "ccht_batch.core.errors",
    "CannotRun": "ccht_batch.core.errors",
    "LockHeld": "ccht_batch.core.errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'ccht_batch' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
