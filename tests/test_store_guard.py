"""The store is never silently lost, damaged or half-written: a missing, empty or damaged store stops every
command with what to do while the folder shows earlier runs; backups after each run and send; store check
and restore; a full disk, a read-only folder or a lock held by another program stop the run with a
Vietnamese reason naming the file, exit 3, and leave the period's previous outputs as they were.
Real SQLite files, real second processes, real small disks."""

from __future__ import annotations

import errno
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from support.cli import run_in as run
from support.disks import fill_up, make_read_only, small_disk
from support.mail import Recorder, point_mail_at, smtp_server
from support.workdirs import store_rows, submit, summary, units_by_code

from ccht_batch.config.load import load_config
from ccht_batch.config.workdir import init_workdir
from ccht_batch.store.guard import list_backups

STORE = Path("data") / "ccht-batch.sqlite"


def _outputs(workdir: Path, period: str = "2025-10") -> dict[str, bytes]:
    out = workdir / "output" / period
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _backups(workdir: Path) -> list[Path]:
    """Oldest first, as the program orders them (two taken in one second: ``…-083015.sqlite``, then
    ``…-083015-2.sqlite``)."""
    return list_backups(load_config(workdir))


@pytest.fixture
def month(workdir):
    """A working folder after one month: VP's file accepted, its outputs, a backup of the store."""
    submit(workdir, "VP", "VP.xlsx")
    code, _, err = run(workdir, "run", "--period", "2025-10")
    assert code == 0, err
    return workdir


def _damage(path: Path) -> None:
    """Overwrite the first page of the ``files`` table's b-tree: SQLite opens the file, the check fails."""
    with sqlite3.connect(path) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'files'").fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    data[(root - 1) * size : (root - 1) * size + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))


COMMANDS = [("run", "--period", "2025-10"), ("mail", "--period", "2025-10"), ("appraisal", "--period", "2025-10"), ("history", "show"), ("report", "--year", "2025")]


@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_a_lost_store_stops_every_command_with_what_to_do(month, how):
    store = month / STORE
    before = _outputs(month)
    if how == "deleted":
        store.unlink()
    else:
        store.write_bytes(b"")
    submit(month, "QLKH", "QLKH.xlsx")
    for argv in COMMANDS:
        code, out, err = run(month, *argv)
        assert code == 3, (argv, out, err)
        assert str(store) in err and "store restore --latest" in err and "2025-10" in err, argv
    assert _outputs(month) == before
    assert (month / "input" / "QLKH.xlsx").exists()
    assert (not store.exists()) if how == "deleted" else store.stat().st_size == 0  # not silently re-created
    code, out, _ = run(month, "store", "check")
    assert code == 3 and "store restore --latest" in out

    code, out, err = run(month, "store", "restore", "--latest")
    assert code == 0, err
    assert "Đã khôi phục kho dữ liệu" in out
    code, _, err = run(month, "run", "--period", "2025-10")
    assert code == 0, err
    units = units_by_code(summary(month, "2025-10"))
    assert units["VP"]["status"] == "submitted" and units["QLKH"]["status"] == "submitted"


def test_a_damaged_store_is_refused_checked_and_restored_keeping_the_damaged_file(month):
    store = month / STORE
    before = _outputs(month)
    _damage(store)
    code, _, err = run(month, "run", "--period", "2025-10")
    assert code == 3 and "bị hỏng" in err and str(store) in err and "store restore --latest" in err
    assert _outputs(month) == before
    code, out, _ = run(month, "store", "check")
    assert code == 3 and "BỊ HỎNG" in out

    code, out, err = run(month, "store", "restore", "--latest")
    assert code == 0, err
    kept = [p for p in store.parent.iterdir() if ".truoc-khoi-phuc-" in p.name]
    assert len(kept) == 1 and f"Đã giữ lại kho dữ liệu cũ: {kept[0]}" in out
    code, out, _ = run(month, "store", "check")
    assert code == 0 and "tốt" in out
    assert run(month, "run", "--period", "2025-10")[0] == 0


def test_a_new_working_folder_starts_a_store_and_a_backup_is_taken_after_each_run_keeping_the_newest(workdir):
    settings = workdir / "config" / "settings.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("  keep: 30", "  keep: 2"), encoding="utf-8")
    for i, code in enumerate(("VP", "QLKH", "TTRA")):
        submit(workdir, code, f"{code}.xlsx")
        rc, out, err = run(workdir, "run", "--period", "2025-10")
        assert rc == 0, err
        assert "Đã sao lưu kho dữ liệu:" in out
    backups = _backups(workdir)
    assert len(backups) == 2
    with sqlite3.connect(backups[-1]) as conn:  # the newest holds the last run, consistently
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 3
    code, out, _ = run(workdir, "store", "check")
    assert code == 0 and "3 lần chạy, 3 tệp đã ghi nhận" in out and backups[-1].name in out


def test_restore_of_a_chosen_backup_lists_the_files_it_does_not_know(month):
    first = _backups(month)[-1]
    submit(month, "QLKH", "QLKH.xlsx")
    assert run(month, "run", "--period", "2025-10")[0] == 0
    code, out, err = run(month, "store", "restore", str(first))
    assert code == 0, err
    assert "input/processed/2025-10/QLKH.xlsx" in out and "input/processed/2025-10/VP.xlsx" not in out
    assert store_rows(month, "SELECT name FROM files") == [("VP.xlsx",)]


def test_restore_refuses_a_damaged_backup_and_changes_nothing(month, tmp_path):
    bad = tmp_path / "hong.sqlite"
    bad.write_bytes((month / STORE).read_bytes())
    _damage(bad)
    before = (month / STORE).read_bytes()
    code, _, err = run(month, "store", "restore", str(bad))
    assert code == 2 and "bị hỏng" in err
    assert (month / STORE).read_bytes() == before


def test_starting_over_with_an_empty_store_is_explicit(month):
    (month / STORE).unlink()
    assert run(month, "run", "--period", "2025-10")[0] == 3
    code, out, err = run(month, "store", "restore", "--empty")
    assert code == 0, err
    assert "Đã tạo kho dữ liệu trống" in out
    assert run(month, "run", "--period", "2025-10")[0] == 0


# ---------------------------------------------------------------------------------------------------
# Faults while writing: a lock held by another program, a full disk, a read-only folder


def test_a_store_locked_by_another_process_exits_3_and_keeps_the_previous_outputs(month, monkeypatch):
    monkeypatch.setattr("ccht_batch.store.db.BUSY_TIMEOUT_SECONDS", 1.0)
    before = _outputs(month)
    submit(month, "QLKH", "QLKH.xlsx")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys, time\nc = sqlite3.connect(sys.argv[1], isolation_level=None)\nc.execute('BEGIN IMMEDIATE')\nprint('locked', flush=True)\ntime.sleep(120)", str(month / STORE)],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout.readline() == b"locked\n"
        code, _, err = run(month, "run", "--period", "2025-10")
    finally:
        holder.kill()
        holder.wait()
    assert code == 3
    assert f"Kho dữ liệu {month / STORE} đang bị một chương trình khác khóa" in err
    assert _outputs(month) == before and (month / "input" / "QLKH.xlsx").exists()
    assert store_rows(month, "SELECT name FROM files") == [("VP.xlsx",)]
    assert run(month, "run", "--period", "2025-10")[0] == 0


def test_a_full_disk_under_the_store_exits_3_in_vietnamese_and_keeps_everything(workdir, tmp_path):
    with small_disk(tmp_path / "o-kho", size_mb=1) as disk:
        settings = workdir / "config" / "settings.yaml"
        settings.write_text(settings.read_text(encoding="utf-8").replace("store: data/ccht-batch.sqlite", f"store: {disk.as_posix()}/ccht.sqlite"), encoding="utf-8")
        submit(workdir, "VP", "VP.xlsx")
        assert run(workdir, "run", "--period", "2025-10")[0] == 0
        before = _outputs(workdir)
        submit(workdir, "QLKH", "QLKH.xlsx")
        filler = fill_up(disk)
        code, _, err = run(workdir, "run", "--period", "2025-10")
        assert code == 3
        assert f"Không ghi được vào kho dữ liệu {disk / 'ccht.sqlite'}: ổ đĩa đã đầy" in err
        assert "OperationalError" not in err and "rollback" not in err
        assert _outputs(workdir) == before and (workdir / "input" / "QLKH.xlsx").exists()
        filler.unlink()
        assert run(workdir, "run", "--period", "2025-10")[0] == 0
        assert units_by_code(summary(workdir, "2025-10"))["QLKH"]["status"] == "submitted"


def test_a_full_disk_under_the_outputs_exits_3_naming_the_folder_and_keeps_the_previous_ones(tmp_path):
    with small_disk(tmp_path / "o-dia", size_mb=4) as disk:
        workdir = disk / "wd"
        init_workdir(workdir)
        submit(workdir, "VP", "VP.xlsx")
        assert run(workdir, "run", "--period", "2025-10")[0] == 0
        before = _outputs(workdir)
        submit(workdir, "QLKH", "QLKH.xlsx")
        filler = fill_up(disk)
        code, _, err = run(workdir, "run", "--period", "2025-10")
        assert code == 3
        assert "ổ đĩa đã đầy" in err and str(workdir / "output") in err and "kết quả cũ được giữ nguyên" in err
        assert _outputs(workdir) == before and (workdir / "input" / "QLKH.xlsx").exists()
        assert [p.name for p in (workdir / "output").iterdir() if p.name.startswith(".")] == []
        filler.unlink()
        assert run(workdir, "run", "--period", "2025-10")[0] == 0


def test_a_read_only_store_folder_exits_3_naming_it(workdir, tmp_path):
    with small_disk(tmp_path / "o-kho", size_mb=2) as disk:
        settings = workdir / "config" / "settings.yaml"
        settings.write_text(settings.read_text(encoding="utf-8").replace("store: data/ccht-batch.sqlite", f"store: {disk.as_posix()}/ccht.sqlite"), encoding="utf-8")
        submit(workdir, "VP", "VP.xlsx")
        assert run(workdir, "run", "--period", "2025-10")[0] == 0
        before = _outputs(workdir)
        submit(workdir, "QLKH", "QLKH.xlsx")
        make_read_only(disk)
        code, _, err = run(workdir, "run", "--period", "2025-10")
        assert code == 3
        assert f"Không ghi được vào kho dữ liệu {disk / 'ccht.sqlite'}" in err and "chỉ cho đọc" in err
        assert "readonly" not in err.lower()
        assert _outputs(workdir) == before and (workdir / "input" / "QLKH.xlsx").exists()


def test_a_read_only_working_folder_exits_3_naming_it(tmp_path):
    with small_disk(tmp_path / "o-dia", size_mb=4) as disk:
        workdir = disk / "wd"
        init_workdir(workdir)
        submit(workdir, "VP", "VP.xlsx")
        assert run(workdir, "run", "--period", "2025-10")[0] == 0
        before = _outputs(workdir)
        make_read_only(disk)
        code, _, err = run(workdir, "run", "--period", "2025-10")
        assert code == 3
        assert f"Thư mục làm việc {workdir} phải ghi được" in err and "chỉ cho đọc" in err
        assert _outputs(workdir) == before


def test_a_full_disk_at_a_workbook_write_is_said_and_nothing_is_replaced(month, monkeypatch):
    """Where no small disk can be mounted, the same fault at the write call itself: ENOSPC from the
    consolidated workbook's write, with no file name (as a failed write() gives it)."""

    def full(path, data, atomic=True):
        raise OSError(errno.ENOSPC, "No space left on device")

    before = _outputs(month)
    submit(month, "QLKH", "QLKH.xlsx")
    monkeypatch.setattr("ccht_batch.outputs.consolidated.write_file", full)
    code, _, err = run(month, "run", "--period", "2025-10")
    assert code == 3
    assert f"Không ghi được kết quả vào thư mục {month / 'output'}: ổ đĩa đã đầy" in err and "kết quả cũ được giữ nguyên" in err
    assert _outputs(month) == before and (month / "input" / "QLKH.xlsx").exists()
    assert store_rows(month, "SELECT name FROM files") == [("VP.xlsx",)]


def test_mail_on_a_full_store_disk_sends_nothing(workdir, tmp_path, monkeypatch):
    with small_disk(tmp_path / "o-kho", size_mb=1) as disk:
        settings = workdir / "config" / "settings.yaml"
        settings.write_text(settings.read_text(encoding="utf-8").replace("store: data/ccht-batch.sqlite", f"store: {disk.as_posix()}/ccht.sqlite"), encoding="utf-8")
        submit(workdir, "VP", "VP.xlsx")
        assert run(workdir, "run", "--period", "2025-10")[0] == 0
        fill_up(disk)
        handler = Recorder()
        with smtp_server(handler) as server:
            point_mail_at(monkeypatch, server.port)
            code, _, err = run(workdir, "mail", "--period", "2025-10", "--send")
        assert code == 3 and "ổ đĩa đã đầy" in err and str(disk / "ccht.sqlite") in err
        assert handler.messages == []
