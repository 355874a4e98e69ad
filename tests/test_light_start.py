"""pandas where the tables are, nowhere else: `--help`, `check` and `mail` start without it, `run` loads it
once in its own process, and the reading children (started as on Windows) never do."""

from __future__ import annotations

import functools
import json
import multiprocessing
import subprocess
import sys
from pathlib import Path

import pytest
from support.cli import run_in
from support.seams import HEAVY, reports_modules
from support.workdirs import submit

from ccht_batch.config.load import load_config
from ccht_batch.config.workdir import init_workdir
from ccht_batch.intake import parallel as intake

ROOT = Path(__file__).resolve().parent.parent

# What a command left loaded, in a fresh interpreter: the heavy packages and the stages that use them.
PROBE = """
import json, sys
from ccht_batch.cli.main import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "loaded": sorted(m for m in sys.modules if m.split(".")[0] in %r or m.startswith("ccht_batch.tables"))}))
""" % (HEAVY,)


def _loaded(*argv: str | Path) -> tuple[int, list[str]]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *map(str, argv)], capture_output=True, text=True, encoding="utf-8", cwd=ROOT)
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    return report["code"], report["loaded"]


@pytest.fixture(scope="module")
def month(tmp_path_factory) -> Path:
    """A working folder with a month run (so `mail` has something to compose)."""
    workdir = tmp_path_factory.mktemp("light") / "wd"
    init_workdir(workdir)
    submit(workdir, "VP", "VP.xlsx")
    code, _, err = run_in(workdir, "run", "--period", "2025-11")
    assert code == 0, err
    return workdir


def test_help_check_and_mail_start_without_pandas(month):
    assert _loaded("--help") == (0, [])
    assert _loaded("--workdir", month, "check") == (0, [])
    code, loaded = _loaded("--workdir", month, "mail", "--period", "2025-11")
    assert (code, loaded) == (0, [])
    assert (month / "output" / "2025-11" / "outbox").is_dir()  # it did compose the month's messages


def test_run_loads_pandas_in_its_own_process(month):
    submit(month, "TTRA", "TTRA.xlsx")
    code, loaded = _loaded("--workdir", month, "run", "--period", "2025-11")
    assert code == 0 and {"pandas", "numpy", "ccht_batch.tables.frames"} <= set(loaded)


def test_reading_children_never_load_pandas(tmp_path):
    workdir = tmp_path / "wd"
    init_workdir(workdir)
    paths = [submit(workdir, "VP", f"vp_{i:02d}.xlsx") for i in range(intake.FILES_PER_WORKER * 2)]
    config = load_config(workdir)
    spawn = multiprocessing.get_context("spawn")  # as on Windows: each child imports only what reading needs
    records = intake.read_files(paths, config, "2025-11", jobs=2, mp_context=spawn, read=functools.partial(reports_modules))
    assert [r.status for r in records] == ["accepted"] * len(paths)
    assert {r.note for r in records} == {""}  # neither pandas nor numpy in any reading child
    assert records[0].submission is not None and records[0].submission.scores["1.1"].value is not None  # checked here, as tables
