"""The monthly batch end to end: statuses across runs, accounting of every file, moves, lock, exit codes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
from filelock import FileLock
from support.cli import run_in as run
from support.workdirs import (
    EVIDENCE,
    GOOD,
    store_rows,
    submit,
    summary,
    units_by_code,
)

from ccht_batch.core.lock import LOCK_NAME
from ccht_batch.forms import layout as L


def test_two_months_statuses_moves_and_accounting(workdir):
    submit(workdir, "VP", "VP_thang10.xlsx", mtime=1_760_000_000)
    submit(workdir, "QLKH", "QLKH_thang10.xlsx", scores={**GOOD, "1.1": 2})
    submit(workdir, "TTRA", "TTRA.xlsx")
    (workdir / "input" / "~$VP_thang10.xlsx").write_bytes(b"lock")
    (workdir / "input" / "ghi-chu.txt").write_text("không phải bảng tính", encoding="utf-8")

    code, out, err = run(workdir, "run", "--period", "2025-10", "--jobs", "1")
    assert code == 0, err
    s = summary(workdir, "2025-10")
    files = {f["name"]: f for f in s["files"]}
    assert {n: f["status"] for n, f in files.items()} == {
        "VP_thang10.xlsx": "accepted", "QLKH_thang10.xlsx": "accepted", "TTRA.xlsx": "accepted",
        "~$VP_thang10.xlsx": "ignored", "ghi-chu.txt": "ignored",
    }
    units = units_by_code(s)
    assert units["VP"]["status"] == "submitted" and units["CDS"]["status"] == "missing"
    assert units["CDS"]["rank"] is None and units["VP"]["rank"] is not None
    assert (workdir / "input" / "processed" / "2025-10" / "VP_thang10.xlsx").exists()
    assert (workdir / "input" / "~$VP_thang10.xlsx").exists() and (workdir / "input" / "ghi-chu.txt").exists()
    assert "Đơn vị: 3 đã nộp" in out

    # November: VP sends a new file and its October file again; QLKH sends nothing; TTRA's only file is
    # rejected (it has an accepted October file: carried); KHTC's only file ever is rejected.
    shutil.copy(workdir / "input" / "processed" / "2025-10" / "VP_thang10.xlsx", workdir / "input" / "VP_lai.xlsx")
    submit(workdir, "VP", "VP_thang11.xlsx", scores={**GOOD, "1.1": 2.5})
    submit(workdir, "TTRA", "TTRA_thang11.xlsx", scores={**GOOD, "1.1": "8.500"})
    submit(workdir, "KHTC", "KHTC.xlsx", scores={**GOOD, "1.1": 7})
    code, out, err = run(workdir, "run", "--period", "2025-11", "--jobs", "2")
    assert code == 1  # files were rejected
    s = summary(workdir, "2025-11")
    files = {f["name"]: f for f in s["files"]}
    assert files["VP_lai.xlsx"]["status"] == "duplicate"
    assert [i["code"] for i in files["VP_lai.xlsx"]["issues"]] == ["duplicate-file"]
    assert files["TTRA_thang11.xlsx"]["status"] == "rejected"
    bad = next(i for i in files["TTRA_thang11.xlsx"]["issues"] if i["code"] == "score-ambiguous-number")
    assert bad["sheet"] == L.SHEET_SCORES and bad["value"] == "8.500" and bad["severity"] == "error"
    units = units_by_code(s)
    assert units["VP"]["status"] == "submitted"
    assert units["QLKH"]["status"] == "carried" and units["QLKH"]["result"] is not None
    assert units["TTRA"]["status"] == "carried"
    assert units["KHTC"]["status"] == "rejected" and units["KHTC"]["result"] is None
    assert units["CDS"]["status"] == "missing"
    assert (workdir / "input" / "rejected" / "2025-11" / "KHTC.xlsx").exists()
    assert (workdir / "input" / "processed" / "2025-11" / "VP_lai.xlsx").exists()
    # rank change is previous rank minus current rank
    assert all(u["rank_change"] is None or isinstance(u["rank_change"], int) for u in s["units"])
    # TongHop reads the same states
    ws = openpyxl.load_workbook(workdir / "output" / "2025-11" / "TongHop_2025-11.xlsx")["Tổng hợp"]
    header = [c.value for c in ws[1]]
    status = {r[header.index("Mã đơn vị")]: r[header.index("Trạng thái")] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert status["QLKH"] == "Dùng bản tháng trước" and status["KHTC"] == "Bị trả lại" and status["CDS"] == "Chưa nộp"
    # every file is in the store exactly once (ignored files are not recorded twice)
    names = [r[0] for r in store_rows(workdir, "SELECT name FROM files")]
    assert sorted(names) == sorted(set(names))
    assert not [n for n in os.listdir(workdir / "input") if n.endswith(".xlsx") and not n.startswith("~$")]


def test_newest_file_of_a_unit_counts_and_others_are_duplicates(workdir):
    submit(workdir, "VP", "a_cu.xlsx", mtime=1_760_000_000, scores={**GOOD, "1.1": 1})
    submit(workdir, "VP", "b_moi.xlsx", mtime=1_760_100_000, scores={**GOOD, "1.1": 2})
    code, _, err = run(workdir, "run", "--period", "2025-10", "--jobs", "1")
    assert code == 0, err
    s = summary(workdir, "2025-10")
    files = {f["name"]: f for f in s["files"]}
    assert files["a_cu.xlsx"]["status"] == "duplicate" and files["b_moi.xlsx"]["status"] == "accepted"
    assert any(i["code"] == "superseded-file" for i in files["a_cu.xlsx"]["issues"])
    vp = units_by_code(s)["VP"]
    assert next(c for c in vp["criteria"] if c["id"] == "1.1")["self_score"] == 2


def test_same_results_whatever_the_number_of_jobs(tmp_path):
    from ccht_batch.config.workdir import init_workdir

    first = tmp_path / "wd1"
    init_workdir(first)
    for i, code in enumerate(["VP", "QLKH", "TTRA", "CDS"]):
        submit(first, code, f"{code}.xlsx", mtime=1_760_000_000 + i, scores={**GOOD, "1.1": 1 + i * 0.5})
    second = tmp_path / "wd2"
    init_workdir(second)
    for path in (first / "input").iterdir():
        shutil.copy2(path, second / "input" / path.name)  # the same bytes and times
    outputs = []
    for wd, jobs in ((first, "1"), (second, "2")):
        code, _, err = run(wd, "run", "--period", "2025-10", "--jobs", jobs)
        assert code == 0, err
        out = wd / "output" / "2025-10"
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0].keys() == outputs[1].keys()
    assert outputs[0] == outputs[1]


def test_a_second_run_while_one_holds_the_lock_exits_3(workdir):
    lock = FileLock(str(workdir / LOCK_NAME), timeout=0)
    with lock:
        proc = subprocess.run(
            [sys.executable, "-m", "ccht_batch", "--workdir", str(workdir), "run", "--period", "2025-10"],
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )
    assert proc.returncode == 3
    assert "Một lần chạy khác" in proc.stderr
    assert not (workdir / "output" / "2025-10").exists()


def test_unknown_milestone_is_a_usage_error(workdir):
    code, _, err = run(workdir, "run", "--period", "2025-10", "--milestone", "giua-ky")
    assert code == 2 and "giua-ky" in err


def test_a_file_that_cannot_be_moved_stays_and_the_next_run_moves_it(workdir):
    submit(workdir, "VP", "VP.xlsx")
    blocker = workdir / "input" / "processed" / "2025-10"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("a file where the folder should be", encoding="utf-8")  # mkdir fails, like a locked file
    code, out, err = run(workdir, "run", "--period", "2025-10")
    assert code == 0
    assert (workdir / "input" / "VP.xlsx").exists() and "Chưa chuyển được VP.xlsx" in err
    blocker.unlink()
    code, out, _ = run(workdir, "run", "--period", "2025-10")
    assert code == 0
    assert (workdir / "input" / "processed" / "2025-10" / "VP.xlsx").exists()
    assert store_rows(workdir, "SELECT name, status, moved_at IS NOT NULL FROM files") == [("VP.xlsx", "accepted", 1)]
    assert units_by_code(summary(workdir, "2025-10"))["VP"]["status"] == "submitted"


def test_an_output_folder_held_open_exits_3_with_what_to_do_and_commits_nothing(workdir, monkeypatch):
    submit(workdir, "VP", "VP.xlsx")
    assert run(workdir, "run", "--period", "2025-10")[0] == 0
    submit(workdir, "QLKH", "QLKH.xlsx")
    out_dir = workdir / "output" / "2025-10"
    real_replace = os.replace

    def windows_replace(src, dst):  # Windows refuses to rename a folder with a file open in it
        if Path(src) == out_dir:
            raise PermissionError(13, "The process cannot access the file because it is being used by another process", str(src))
        return real_replace(src, dst)

    monkeypatch.setattr("ccht_batch.batch.os.replace", windows_replace)
    code, _, err = run(workdir, "run", "--period", "2025-10")
    assert code == 3
    assert f"Không thay được thư mục kết quả {out_dir}" in err and "Hãy đóng các tệp" in err
    assert (workdir / "input" / "QLKH.xlsx").exists()
    assert store_rows(workdir, "SELECT name FROM files ORDER BY id") == [("VP.xlsx",)]
    assert units_by_code(summary(workdir, "2025-10"))["QLKH"]["status"] == "missing"


def test_evidence_formula_text_stays_text_everywhere(workdir):
    evil = '=HYPERLINK("http://x","y")'
    person = {L.P_NAME: "Nguyễn Văn An", L.P_BIRTH: 1980, L.P_GENDER: "Nam", L.P_POSITION: "Chuyên viên", L.P_RATING: "Hoàn thành tốt nhiệm vụ", L.P_SUMMARY: evil}
    submit(workdir, "VP", "VP.xlsx", evidence={**EVIDENCE, "1.3": evil}, persons=[person])
    assert run(workdir, "run", "--period", "2025-10")[0] == 0
    out = workdir / "output" / "2025-10"
    for path in [out / "TongHop_2025-10.xlsx", out / "PhanHoi" / "VP.xlsx"]:
        wb = openpyxl.load_workbook(path)
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == evil]
        assert cells and all(c.data_type == "s" for c in cells), path.name


def test_run_records_are_the_stores_json():
    """runstore writes with one shared encoder; the text must be store.dumps's, byte for byte."""
    from decimal import Decimal

    from ccht_batch.store import runs as runstore
    from ccht_batch.store.db import dumps

    value = {"z": [1, 2.5, None, True], "a": "Tiếng Việt \x01 <&>", "d": Decimal("8.25"), "n": {"b": 1, "a": [{}]}}
    assert runstore._dumps(value) == dumps(value)
