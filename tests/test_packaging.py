"""The wheel carries the default configuration, so `init` works from a plain, non-editable install.

The wheel is built offline with the project's own backend (hatchling, already in the environment), then
unpacked and imported from the unpacked folder only, away from the source checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ccht_batch.config.model import CONFIG_FILES

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "--no-cache-dir", "-q", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    (path,) = out.glob("ccht_batch-*.whl")
    return path


def test_wheel_contains_the_default_config(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for name in CONFIG_FILES:
            member = f"ccht_batch/default_config/{name}"
            assert member in names
            assert z.read(member) == (REPO / "config" / name).read_bytes()
        assert "ccht_batch/__init__.py" in names and "ccht_batch/cli/main.py" in names
        assert not any(n.startswith(("tests/", "config/")) for n in names)


def test_init_and_check_work_from_the_unpacked_wheel(wheel, tmp_path):
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONIOENCODING": "utf-8"}
    script = (
        "import sys, ccht_batch\n"
        "from pathlib import Path\n"
        "from ccht_batch.config.load import default_config_dir\n"
        "from ccht_batch.config.workdir import init_workdir\n"
        "print(Path(ccht_batch.__file__).resolve().parent)\n"
        "print(default_config_dir().resolve())\n"
        "written, kept = init_workdir(Path(sys.argv[1]))\n"
        "print(len(written), len(kept))\n"
    )
    target = tmp_path / "ThuMucMoi"
    done = subprocess.run([sys.executable, "-c", script, str(target)], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    package_dir, defaults_dir, counts = done.stdout.splitlines()
    assert Path(package_dir) == (site / "ccht_batch").resolve()  # not the source checkout
    assert Path(defaults_dir) == (site / "ccht_batch" / "default_config").resolve()
    assert counts == "4 0"  # the three configuration files and ThiDua.cmd
    for name in CONFIG_FILES:
        assert (target / "config" / name).read_bytes() == (REPO / "config" / name).read_bytes()
    assert (target / "input").is_dir() and (target / "output").is_dir()

    check = subprocess.run(
        [sys.executable, "-m", "ccht_batch", "--workdir", str(target), "check"], cwd=elsewhere, env=env, capture_output=True
    )
    assert check.returncode == 0, check.stderr.decode("utf-8", "replace")
    assert "Cấu hình hợp lệ." in check.stdout.decode("utf-8")
