"""Test seams: stand-ins the tests hand to the library where a real fault must happen at a chosen point.

Each is a top-level function (or a partial of one), so that worker processes can be given it.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
import time
from pathlib import Path

from python_calamine import CalamineWorkbook

from ccht_batch.config.model import Config
from ccht_batch.core.records import FileRecord
from ccht_batch.intake.read import read_raw


def dies_on(name: str, path: Path, config: Config, period: str) -> FileRecord:
    """Read like ``read_raw``, but die like a native crash would when reading the file named ``name``
    (use ``functools.partial(dies_on, name)``)."""
    if path.name == name:
        os._exit(70)
    return read_raw(path, config, period)


def sleeps_on(name: str, path: Path, config: Config, period: str) -> FileRecord:
    """Read like ``read_raw``, but hang (an endless loop in a reader) on the file named ``name``."""
    if path.name == name:
        time.sleep(3600)
    return read_raw(path, config, period)


def parses_unchecked(path: Path, config: Config, period: str) -> FileRecord:
    """Load every sheet with python-calamine first, without the pre-checks: what a native reader does with
    a crafted file (the memory ceiling is then all that stands between it and the machine)."""
    workbook = CalamineWorkbook.from_path(str(path))
    for name in workbook.sheet_names:
        workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return read_raw(path, config, period)


def run_reading(workdir: str, period: str, reader: str, name: str) -> None:
    """Run the month in ``workdir`` with the reader ``reader`` of this module given ``name`` (a test kills
    the process while its children read: ``python tests/support/seams.py read ...``)."""
    from ccht_batch.batch import run_batch
    from ccht_batch.config.load import load_config

    run_batch(load_config(workdir), period, jobs=2, reader=functools.partial(globals()[reader], name))


def pause_marker(workdir: Path, stage: str) -> Path:
    return Path(workdir) / f".ccht-pause-{stage}"


def run_paused(workdir: str, period: str, stage: str) -> None:
    """Run the month in ``workdir`` and stop at ``stage`` for ten minutes, after writing a marker file, so
    that a test can kill the process there (``python -c`` from tests/test_batch_crash.py)."""
    from ccht_batch.batch import run_batch
    from ccht_batch.config.load import load_config

    def checkpoint(reached: str) -> None:
        if reached == stage:
            pause_marker(Path(workdir), stage).write_text(str(os.getpid()), encoding="utf-8")
            time.sleep(600)

    run_batch(load_config(workdir), period, jobs=1, checkpoint=checkpoint)


def collect_paused(workdir: str, stage: str, nth: int) -> None:
    """Collect the mailbox of ``workdir`` (the environment points at the server) and stop the ``nth`` time
    it reaches ``stage``, after writing a marker file, so that a test can kill the process there."""
    from ccht_batch.config.load import load_config
    from ccht_batch.mail.collect import collect

    seen = 0

    def checkpoint(reached: str) -> None:
        nonlocal seen
        if reached == stage:
            seen += 1
            if seen == nth:
                pause_marker(Path(workdir), stage).write_text(str(os.getpid()), encoding="utf-8")
                time.sleep(600)

    collect(load_config(workdir), since=dt.date(2025, 11, 1), checkpoint=checkpoint)


if __name__ == "__main__":
    if sys.argv[1] == "read":
        run_reading(*sys.argv[2:6])
    else:
        run_paused(*sys.argv[1:4])


HEAVY = ("pandas", "numpy")


def reports_modules(path: Path, config: Config, period: str) -> FileRecord:
    """Read like ``read_raw``, and note in the record which of ``HEAVY`` the reading process has loaded."""
    record = read_raw(path, config, period)
    record.note = ",".join(m for m in HEAVY if m in sys.modules)
    return record
