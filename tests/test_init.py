"""`ccht-batch init [DIR]`: a working folder from the shipped defaults and the Windows launcher ThiDua.cmd,
never overwriting the clerk's files."""

from __future__ import annotations

import sys
from pathlib import Path

from support.cli import run_cli as run

from ccht_batch.config.load import load_config
from ccht_batch.config.model import CONFIG_FILES
from ccht_batch.config.workdir import LAUNCHER, init_workdir

REPO = Path(__file__).resolve().parents[1]


def test_init_writes_the_default_config_and_empty_folders(tmp_path):
    target = tmp_path / "ThiDua 2025"
    code, out, err = run("init", str(target))
    assert code == 0 and err == ""
    for name in CONFIG_FILES:
        assert (target / "config" / name).read_bytes() == (REPO / "config" / name).read_bytes()
        assert f"đã tạo  {target / 'config' / name}" in out
    assert (target / "input").is_dir() and list((target / "input").iterdir()) == []
    assert (target / "output").is_dir() and list((target / "output").iterdir()) == []
    assert sorted(p.name for p in target.iterdir()) == ["ThiDua.cmd", "config", "input", "output"]
    assert f"đã tạo  {target / 'ThiDua.cmd'}" in out and "nhấp đúp tệp ThiDua.cmd" in out
    assert "ccht-batch check" in out
    assert load_config(target).criteria.total_max == 100


def test_init_then_check_exits_0(tmp_path):
    assert run("init", str(tmp_path))[0] == 0
    code, out, _ = run("--workdir", str(tmp_path), "check")
    assert code == 0 and "Cấu hình hợp lệ." in out


def test_init_never_overwrites_an_edited_file(tmp_path):
    assert run("init", str(tmp_path))[0] == 0
    units = tmp_path / "config" / "units.yaml"
    edited = units.read_text(encoding="utf-8").replace('name: "Văn phòng Sở"', 'name: "Văn phòng Sở (đã sửa)"')
    units.write_text(edited, encoding="utf-8")
    (tmp_path / "input" / "VP_2025.xlsx").write_bytes(b"unit file")

    code, out, err = run("init", str(tmp_path))
    assert code == 0 and err == ""
    assert units.read_text(encoding="utf-8") == edited
    assert (tmp_path / "input" / "VP_2025.xlsx").read_bytes() == b"unit file"
    assert "đã tạo" not in out
    assert f"giữ nguyên (đã có)  {units}" in out


def test_init_completes_a_partial_folder(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "settings.yaml").write_text("# của tôi\n", encoding="utf-8")
    written, kept = init_workdir(tmp_path)
    assert sorted(p.name for p in written) == ["ThiDua.cmd", "criteria.yaml", "units.yaml"]
    assert [p.name for p in kept] == ["settings.yaml"]
    assert (tmp_path / "config" / "settings.yaml").read_text(encoding="utf-8") == "# của tôi\n"


def test_init_without_dir_uses_workdir(tmp_path):
    target = tmp_path / "moi"
    code, _, _ = run("--workdir", str(target), "init")
    assert code == 0
    assert all((target / "config" / name).is_file() for name in CONFIG_FILES)
    assert (target / "input").is_dir() and (target / "output").is_dir()


def test_init_dir_wins_over_workdir(tmp_path):
    code, _, _ = run("--workdir", str(tmp_path / "a"), "init", str(tmp_path / "b"))
    assert code == 0
    assert (tmp_path / "b" / "config" / "criteria.yaml").is_file()
    assert not (tmp_path / "a").exists()


def test_init_on_a_file_is_a_usage_error(tmp_path):
    target = tmp_path / "ghi-chu.txt"
    target.write_text("x", encoding="utf-8")
    code, out, err = run("init", str(target))
    assert code == 2 and out == ""
    assert "là một tệp, không phải thư mục" in err
    assert target.read_text(encoding="utf-8") == "x"


def test_init_writes_a_launcher_that_opens_the_menu_with_this_python(tmp_path):
    target = tmp_path / "Thi Đua"
    assert run("init", str(target))[0] == 0
    data = (target / LAUNCHER).read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")  # no BOM: cmd.exe would read it as part of the first command
    lines = data.decode("utf-8").split("\r\n")
    assert lines[-1] == "" and "\n" not in "".join(lines)  # CRLF line ends only
    assert lines[:2] == ["@echo off", "chcp 65001 >nul"]  # UTF-8 before any non-ASCII line
    assert data.split(b"chcp 65001")[0].isascii()
    assert f'set "CCHT_PYTHON={sys.executable}"' in lines  # the interpreter that has ccht-batch installed
    assert '"%CCHT_PYTHON%" -m ccht_batch menu' in lines
    assert 'cd /d "%~dp0"' in lines  # the folder of the launcher, wherever it was moved
    assert "ccht-batch menu" in lines and "where ccht-batch >nul 2>nul" in lines  # else the one on PATH
    labels = {line[1:] for line in lines if line.startswith(":")}
    gotos = {line.split("goto ")[1] for line in lines if "goto " in line}
    assert gotos == labels == {"onpath", "done", "notfound"}
    assert not any(line.rstrip().endswith("(") for line in lines)  # no block a ")" in a path could end


def test_init_keeps_an_existing_launcher(tmp_path):
    (tmp_path / LAUNCHER).write_bytes(b"@echo off\r\nrem sua tay\r\n")
    written, kept = init_workdir(tmp_path, python="C:\\khac\\python.exe")
    assert tmp_path / LAUNCHER in kept
    assert (tmp_path / LAUNCHER).read_bytes() == b"@echo off\r\nrem sua tay\r\n"
    other = tmp_path / "b"
    init_workdir(other, python="C:\\ccht-batch\\.venv\\Scripts\\python.exe")
    assert 'set "CCHT_PYTHON=C:\\ccht-batch\\.venv\\Scripts\\python.exe"' in (other / LAUNCHER).read_text(encoding="utf-8")
