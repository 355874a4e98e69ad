"""`ccht-batch init [DIR]`: a working folder from the shipped defaults, never overwriting the clerk's files."""

from __future__ import annotations

from pathlib import Path

from support.cli import run_cli as run

from ccht_batch.config.load import load_config
from ccht_batch.config.model import CONFIG_FILES
from ccht_batch.config.workdir import init_workdir

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
    assert sorted(p.name for p in target.iterdir()) == ["config", "input", "output"]
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
    assert sorted(p.name for p in written) == ["criteria.yaml", "units.yaml"]
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
