"""Unattended runs (Task Scheduler): `--quiet` shows only problems, on stderr; every command leaves a log in
`output/logs/` (version, time, command line, every line, exit code, traceback if any); the crash log says
which version failed, when, and on what command."""

from __future__ import annotations

import re
import subprocess
import sys

from support.cli import run_in as run
from support.mail import (
    PERIOD,
    Recorder,
    make_workdir,
    point_mail_at,
    smtp_server,
    write_month,
)
from support.workdirs import GOOD, submit

from ccht_batch import __version__


def logs(workdir, command: str) -> list[str]:
    """The texts of the command's logs, oldest first."""
    return [p.read_text(encoding="utf-8") for p in sorted((workdir / "output" / "logs").glob(f"*_{command}*.log"))]


def test_quiet_run_shows_only_the_rejected_file_and_logs_everything(workdir):
    submit(workdir, "VP", "VP.xlsx")
    submit(workdir, "KHTC", "KHTC.xlsx", scores={**GOOD, "1.1": 7})  # over the criterion's maximum

    code, out, err = run(workdir, "run", "--period", "2025-10", "--quiet")

    assert code == 1  # done, a file rejected: what the guide tells the clerk a scheduler's 0x1 means
    assert out == ""
    assert err.splitlines() == ["Bị trả lại: KHTC.xlsx — 1 lỗi (xem PhanHoi/KHTC.xlsx)."]
    (log,) = logs(workdir, "run")
    assert log.startswith(f"ccht-batch {__version__}\ncommand: ccht-batch --workdir {workdir} run --period 2025-10 --quiet\n")
    assert f"workdir: {workdir.resolve()}\n" in log
    assert re.search(r"^started: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d\d:\d\d$", log, re.M)
    assert re.search(r"^finished: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d", log, re.M)
    assert "  Tệp: 2 — 1 tiếp nhận, 1 bị trả lại, 0 trùng, 0 bỏ qua." in log  # the summary the screen did not show
    assert "  Đọc tệp: xong 2/2." in log
    assert "! Bị trả lại: KHTC.xlsx — 1 lỗi (xem PhanHoi/KHTC.xlsx)." in log
    assert log.endswith("exit code: 1 (done, but something was refused (see the lines marked !))\n")


def test_quiet_before_the_command_and_a_clean_run_prints_nothing(workdir):
    submit(workdir, "VP", "VP.xlsx")
    code, out, err = run(workdir, "--quiet", "run", "--period", "2025-10")
    assert (code, out, err) == (0, "", "")
    (log,) = logs(workdir, "run")
    assert "  Kỳ tổng hợp: tháng 10/2025" in log and log.endswith("exit code: 0 (done)\n")


def test_results_on_stdout_and_problems_on_stderr_through_the_real_entry_point(workdir):
    submit(workdir, "KHTC", "KHTC.xlsx", scores={**GOOD, "1.1": 7})
    done = subprocess.run(
        [sys.executable, "-m", "ccht_batch", "--workdir", str(workdir), "run", "--period", "2025-10", "--milestone", "so-ket"],
        capture_output=True, encoding="utf-8", env={"PYTHONIOENCODING": "utf-8", "PATH": ""}, check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "Lưu ý: Sơ kết" in done.stderr  # a notice (not the review's period) is not a result
    assert "Bị trả lại: KHTC.xlsx" in done.stderr
    assert "Lưu ý" not in done.stdout and "Bị trả lại" not in done.stdout
    assert "Tệp: 1 — 0 tiếp nhận, 1 bị trả lại" in done.stdout and "Kết quả: " in done.stdout


def test_quiet_mail_send_shows_only_what_was_not_delivered(tmp_path, monkeypatch):
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    with smtp_server(Recorder(refuse=("khtc.skhcn@lamdong.gov.vn",))) as server:
        point_mail_at(monkeypatch, server.port)
        code, out, err = run(workdir, "mail", "--period", PERIOD, "--send", "--quiet")
    assert code == 1 and out == ""
    assert err.splitlines()[:2] == ["  3. [KHTC] Phòng Kế hoạch - Tài chính <khtc.skhcn@lamdong.gov.vn>", "     Tiêu đề: [CCHC] Bảng tự chấm điểm tháng 11/2025 bị trả lại - Phòng Kế hoạch - Tài chính"]
    assert "→ lỗi: máy chủ từ chối người nhận khtc.skhcn@lamdong.gov.vn" in err
    assert "Chạy lại đúng lệnh này" in err
    (log,) = logs(workdir, "mail")
    assert "  Kết quả: đã gửi 11; bỏ qua vì đã gửi 0; lỗi 1; chưa gửi 0; không gửi được 0." in log
    assert "! " + "     → lỗi: máy chủ từ chối người nhận khtc.skhcn@lamdong.gov.vn" in log


def test_a_failure_leaves_the_traceback_with_version_time_and_command(tmp_path):
    workdir = make_workdir(tmp_path)
    (workdir / "config" / "criteria.yaml").unlink()
    (workdir / "config" / "criteria.yaml").mkdir()  # reading it fails in the operating system
    code, out, err = run(workdir, "check")
    assert code == 3 and out == ""
    crash = (workdir / "output" / "ccht-batch-loi.log").read_text(encoding="utf-8")
    assert crash.startswith(f"ccht-batch {__version__}\ncommand: ccht-batch --workdir {workdir} check\n")
    assert re.search(r"^time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d", crash, re.M)
    assert "Traceback (most recent call last)" in crash and "IsADirectoryError" in crash
    (log,) = logs(workdir, "check")
    assert "Traceback (most recent call last)" in log and log.endswith("exit code: 3 (could not run, nothing committed)\n")
    assert "! Lỗi: không dùng được '" in log


def test_each_command_has_its_own_log_and_init_writes_none(tmp_path):
    workdir = make_workdir(tmp_path)
    assert run(workdir, "check")[0] == 0
    assert run(workdir, "check")[0] == 0
    assert run(workdir, "history", "template", "-q")[0] == 0
    assert len(logs(workdir, "check")) == 2 and len(logs(workdir, "history")) == 1
    assert all(p.name.endswith(".log") for p in (workdir / "output" / "logs").iterdir())
    fresh = tmp_path / "moi"
    assert run(tmp_path, "init", fresh)[0] == 0
    assert not (fresh / "output" / "logs").exists()
