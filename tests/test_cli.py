"""The command line speaks Vietnamese and keeps the exit-code contract (DESIGN.md §9, §10).

Help is checked for every command and sub-command by walking the real parser, so a command added later
without a help text, or an argparse word left in English, fails here.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.cli import run_cli as run

from ccht_batch import __version__
from ccht_batch.cli.parser import build_parser

REPO = Path(__file__).resolve().parents[1]
ENGLISH = ("usage:", "show this help message", "positional arguments", "options:", "optional arguments", "error:", "invalid choice", "required:")


def workdir_with_config(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "config", tmp_path / "config")
    return tmp_path


# ---------------------------------------------------------------------------------------------------
# help and version


def _commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    """Every (command path, parser) pair, the root included."""
    yield prefix, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, prefix + (name,))


def test_every_command_and_option_has_a_help_text():
    missing = []
    for path, parser in _commands(build_parser()):
        where = " ".join(("ccht-batch",) + path)
        if path and not parser.description:
            missing.append(f"{where}: no description")
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                helped = {a.dest for a in action._choices_actions if a.help}
                missing += [f"{where} {name}: no help" for name in action.choices if name not in helped]
            elif action.help in (None, "", argparse.SUPPRESS):
                missing.append(f"{where} {'/'.join(action.option_strings) or action.dest}: no help")
    assert not missing, missing


def test_the_walk_sees_every_contract_command():
    paths = {" ".join(p) for p, _ in _commands(build_parser())}
    expected = {"init", "check", "templates", "run", "appraisal", "mail", "history", "history template", "history import", "history show", "close-year", "report", "menu", "demo"}
    assert expected <= paths


@pytest.mark.parametrize("path", [p for p, _ in _commands(build_parser())], ids=lambda p: " ".join(p) or "(root)")
def test_help_is_vietnamese_for_every_command(path):
    code, out, err = run(*path, "--help")
    assert code == 0 and err == ""
    assert out.startswith("Cách dùng: ccht-batch")
    assert "hiện hướng dẫn này rồi thoát" in out
    for word in ENGLISH:
        assert word not in out, (path, word)


def test_root_help_lists_the_commands_and_the_exit_codes():
    code, out, _ = run("--help")
    assert code == 0
    assert "Các lệnh" in out and "Tùy chọn" in out
    for name in ("init", "check", "templates", "run", "appraisal", "mail", "history", "close-year", "report", "demo"):
        assert f"\n    {name} " in out
    assert "Mã thoát: 0 xong" in out


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag):
    code, out, err = run(flag)
    assert (code, out, err) == (0, f"ccht-batch {__version__}\n", "")


def test_vietnamese_words_do_not_leak_into_other_argparse_users():
    run("--help")
    run("bogus")
    other = argparse.ArgumentParser(prog="other")
    assert other.format_help().startswith("usage: other")
    assert "show this help message and exit" in other.format_help()


# ---------------------------------------------------------------------------------------------------
# usage errors: exit 2, Vietnamese, nothing done


USAGE_ERRORS = [
    (("run", "--period", "2025-13"), ("tham số --period", "kỳ '2025-13' không hợp lệ", "YYYY-MM")),
    (("appraisal", "--period", "11/2025"), ("kỳ '11/2025' không hợp lệ",)),
    (("mail", "--period", "2025-00"), ("kỳ '2025-00' không hợp lệ",)),
    (("templates", "--year", "25"), ("năm '25' không hợp lệ",)),
    (("run", "--jobs", "0"), ("cần một số nguyên dương",)),
    (("bogus",), ("lựa chọn không hợp lệ: 'bogus'", "'init'")),
    (("history",), ("thiếu tham số bắt buộc",)),
    (("history", "import"), ("thiếu tham số bắt buộc: TỆP",)),
    (("report",), ("cần một trong các tham số --year --milestone",)),
    (("report", "--year", "2025", "--milestone", "tong-ket"), ("không dùng cùng tham số",)),
    (("check", "--verbose"), ("tham số không nhận ra: --verbose",)),
    (("run", "--period"), ("cần một giá trị",)),
    ((), ("thiếu tham số bắt buộc: LỆNH",)),
]


@pytest.mark.parametrize("argv, words", USAGE_ERRORS, ids=[" ".join(a) or "(no command)" for a, _ in USAGE_ERRORS])
def test_usage_error_exits_2_with_a_vietnamese_message(tmp_path, argv, words):
    before = sorted(tmp_path.iterdir())
    code, out, err = run("--workdir", str(tmp_path), *argv)
    assert code == 2
    assert out == ""
    assert "Cách dùng: ccht-batch" in err and ": lỗi: " in err
    assert "--help" in err  # says where to read more
    for word in words:
        assert word in err, err
    for word in ENGLISH:
        assert word not in err, (word, err)
    assert sorted(tmp_path.iterdir()) == before


def test_a_missing_working_folder_is_a_usage_error(tmp_path):
    code, out, err = run("--workdir", str(tmp_path / "khong-co"), "check")
    assert code == 2 and out == ""
    assert "không tồn tại" in err and "ccht-batch init" in err
    assert not (tmp_path / "khong-co").exists()


# ---------------------------------------------------------------------------------------------------
# bad configuration: exit 2 (the cases themselves are in test_config.py)


def test_check_exit_codes_through_the_real_entry_point(tmp_path):
    workdir = workdir_with_config(tmp_path)
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}  # a legacy console: diacritics must not crash
    ok = subprocess.run([sys.executable, "-m", "ccht_batch", "--workdir", str(workdir), "check"], capture_output=True, env=env, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr.decode("utf-8", "replace")
    assert "Cấu hình hợp lệ." in ok.stdout.decode("utf-8")

    path = workdir / "config" / "units.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("code: TTRA", "code: CON"), encoding="utf-8")
    bad = subprocess.run([sys.executable, "-m", "ccht_batch", "--workdir", str(workdir), "check"], capture_output=True, env=env, cwd=tmp_path)
    assert bad.returncode == 2
    assert "config/units.yaml, dòng 29, khóa units[1].code: giá trị 'CON'" in bad.stderr.decode("utf-8")
    assert bad.stdout == b""


# ---------------------------------------------------------------------------------------------------
# a failure inside a command: exit 3, Vietnamese, nothing recorded


def test_an_unreadable_config_file_exits_3(tmp_path):
    # criteria.yaml is a folder (an archive unpacked in the wrong place): reading it fails in the OS.
    workdir = workdir_with_config(tmp_path)
    (workdir / "config" / "criteria.yaml").unlink()
    (workdir / "config" / "criteria.yaml").mkdir()
    code, out, err = run("--workdir", str(workdir), "check")
    assert code == 3
    assert out == ""
    first = err.splitlines()[0]
    assert first.startswith("Lỗi: không dùng được '") and "criteria.yaml" in first
    assert "đây là một thư mục, không phải tệp" in first or "không có quyền truy cập" in first
    assert "chưa ghi nhận kết quả nào" in err
    log = workdir / "output" / "ccht-batch-loi.log"
    assert log.is_file() and "Traceback" in log.read_text(encoding="utf-8")


def test_init_over_a_file_named_input_exits_3(tmp_path):
    (tmp_path / "input").write_text("không phải thư mục", encoding="utf-8")
    code, out, err = run("init", str(tmp_path))
    assert code == 3
    assert f"'{tmp_path / 'input'}'" in err
    assert "đã có một tệp trùng tên ở đó" in err
    assert (tmp_path / "input").read_text(encoding="utf-8") == "không phải thư mục"
