"""A run killed part-way (SIGKILL of a child process) loses nothing; the next run completes the job."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.cli import run_in as run
from support.seams import pause_marker
from support.workdirs import submit, summary, units_by_code

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


def _kill_at(workdir: Path, stage: str) -> None:
    tests = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tests.parent), str(tests)])}
    proc = subprocess.Popen(
        [sys.executable, str(tests / "support" / "seams.py"), str(workdir), "2025-10", stage],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    marker = pause_marker(workdir, stage)
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, "the run ended before reaching the pause"
        assert time.monotonic() < deadline, "the run never reached the pause"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    marker.unlink()


def _files(workdir: Path) -> list[tuple]:
    path = workdir / "data" / "ccht-batch.sqlite"
    if not path.exists():
        return []
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT name, status, moved_at IS NOT NULL FROM files ORDER BY name").fetchall()


def _inputs(workdir: Path) -> list[str]:
    return sorted(p.name for p in (workdir / "input").iterdir() if p.is_file())


@pytest.mark.parametrize("stage", ["before-commit", "before-moves"])
def test_killed_run_then_rerun_accounts_every_file_once(workdir, stage):
    submit(workdir, "VP", "VP.xlsx")
    submit(workdir, "QLKH", "QLKH.xlsx", scores={"1.1": "abc"})
    (workdir / "input" / "~$VP.xlsx").write_bytes(b"lock")

    _kill_at(workdir, stage)
    if stage == "before-commit":
        # nothing committed, nothing moved
        assert _files(workdir) == []
        assert _inputs(workdir) == ["QLKH.xlsx", "VP.xlsx", "~$VP.xlsx"]
    else:
        # committed, not moved: every file recorded once, still in input/
        assert _files(workdir) == [("QLKH.xlsx", "rejected", 0), ("VP.xlsx", "accepted", 0), ("~$VP.xlsx", "ignored", 0)]
        assert _inputs(workdir) == ["QLKH.xlsx", "VP.xlsx", "~$VP.xlsx"]

    code, _, err = run(workdir, "run", "--period", "2025-10", "--jobs", "1")
    assert code == 1, err  # QLKH.xlsx is rejected, whether this run reads it again or completes the killed one
    assert _files(workdir) == [("QLKH.xlsx", "rejected", 1), ("VP.xlsx", "accepted", 1), ("~$VP.xlsx", "ignored", 0)]
    assert _inputs(workdir) == ["~$VP.xlsx"]
    assert (workdir / "input" / "processed" / "2025-10" / "VP.xlsx").exists()
    assert (workdir / "input" / "rejected" / "2025-10" / "QLKH.xlsx").exists()
    s = summary(workdir, "2025-10")
    assert {f["name"] for f in s["files"]} >= {"VP.xlsx", "QLKH.xlsx"}
    assert units_by_code(s)["VP"]["status"] == "submitted" and units_by_code(s)["QLKH"]["status"] == "rejected"
    # no staging or half-replaced output folder left behind
    assert sorted(p.name for p in (workdir / "output").iterdir() if p.name.startswith(".")) == []


def test_a_swap_interrupted_between_its_renames_is_recovered(workdir):
    submit(workdir, "VP", "VP.xlsx")
    assert run(workdir, "run", "--period", "2025-10")[0] == 0
    out = workdir / "output" / "2025-10"
    (out / "ThamDinh_2025-10.xlsx").write_bytes(b"the Office's appraisal, being filled")
    # as if a run died after moving the outputs aside and before putting the new ones in place
    os.replace(out, workdir / "output" / ".old-2025-10-deadbeef")
    (workdir / "output" / ".staging-2025-10-cafebabe").mkdir()
    assert run(workdir, "run", "--period", "2025-10")[0] == 0
    assert (out / "ThamDinh_2025-10.xlsx").read_bytes() == b"the Office's appraisal, being filled"
    assert (out / "summary.json").exists()
    assert [p.name for p in (workdir / "output").iterdir() if p.name.startswith(".")] == []


def test_a_new_file_under_a_pending_files_name_is_read_not_moved_blind(workdir):
    submit(workdir, "VP", "VP.xlsx")
    _kill_at(workdir, "before-moves")
    assert _files(workdir) == [("VP.xlsx", "accepted", 0)]
    # the clerk takes the file away and drops the unit's corrected file under the same name
    (workdir / "input" / "VP.xlsx").unlink()
    new = submit(workdir, "VP", "VP.xlsx", scores={"1.1": 2})
    new_sha = hashlib.sha256(new.read_bytes()).hexdigest()

    code, _, err = run(workdir, "run", "--period", "2025-10", "--jobs", "1")
    assert code == 0, err
    s = summary(workdir, "2025-10")
    assert [(f["name"], f["sha256"], f["status"]) for f in s["files"]] == [("VP.xlsx", new_sha, "accepted")]
    assert _files(workdir) == [("VP.xlsx", "accepted", 1), ("VP.xlsx", "accepted", 1)]
    assert _inputs(workdir) == []
    assert (workdir / "input" / "processed" / "2025-10" / "VP.xlsx").exists()


def test_a_kill_between_two_moves_is_completed_with_every_file_of_the_job_and_its_exit_code(workdir):
    """Killed after moving the refused QLKH.xlsx and before moving VP.xlsx: the next run completes the
    job, lists both files in summary.json (the one moved before the kill too) and exits 1 for the
    refused one."""
    submit(workdir, "VP", "VP.xlsx")
    submit(workdir, "QLKH", "QLKH.xlsx", scores={"1.1": "abc"})
    _kill_at(workdir, "before-move:VP.xlsx")
    assert _inputs(workdir) == ["VP.xlsx"]
    assert (workdir / "input" / "rejected" / "2025-10" / "QLKH.xlsx").exists()

    code, out, err = run(workdir, "run", "--period", "2025-10", "--jobs", "1")
    assert code == 1, err
    s = summary(workdir, "2025-10")
    assert [(f["name"], f["status"]) for f in s["files"]] == [("QLKH.xlsx", "rejected"), ("VP.xlsx", "accepted")]
    assert "hoàn tất lần chạy trước" in out
    assert _files(workdir) == [("QLKH.xlsx", "rejected", 1), ("VP.xlsx", "accepted", 1)]
    assert _inputs(workdir) == []
    # a later run of the period has nothing of that job left to complete
    assert run(workdir, "run", "--period", "2025-10", "--jobs", "1")[0] == 0


def test_a_kill_after_the_commit_before_the_swap_keeps_the_previous_outputs_until_the_rerun(workdir):
    submit(workdir, "VP", "VP.xlsx")
    assert run(workdir, "run", "--period", "2025-10")[0] == 0
    out = workdir / "output" / "2025-10"
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    submit(workdir, "QLKH", "QLKH.xlsx")
    _kill_at(workdir, "before-swap")
    # the store has the run; the previous outputs are where they were, untouched
    assert _files(workdir) == [("QLKH.xlsx", "accepted", 0), ("VP.xlsx", "accepted", 1)]
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before

    code, _, err = run(workdir, "run", "--period", "2025-10", "--jobs", "1")
    assert code == 0, err
    s = summary(workdir, "2025-10")
    assert units_by_code(s)["QLKH"]["status"] == "submitted"
    assert [f["name"] for f in s["files"]] == ["QLKH.xlsx"]
    assert _inputs(workdir) == [] and _files(workdir) == [("QLKH.xlsx", "accepted", 1), ("VP.xlsx", "accepted", 1)]
    assert [p.name for p in (workdir / "output").iterdir() if p.name.startswith(".")] == []
