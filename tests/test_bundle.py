"""The offline install: `requirements.lock` agrees with pyproject.toml; `python -m ccht_batch.bundle` for Linux
installs into a fresh venv with pip kept off every index (`--no-index`, no configuration), and the demo runs
from it; the bundle for Windows has a wheel for every dependency the tool needs there."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

from ccht_batch.bundle import LOCK_NAME, read_lock
from ccht_batch.cli.bundle import main as bundle_main
from ccht_batch.cli.console import Console

REPO = Path(__file__).resolve().parents[1]
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
WINDOWS = {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "platform_machine": "AMD64",
           "python_version": PYTHON, "python_full_version": f"{PYTHON}.0", "implementation_name": "cpython",
           "platform_python_implementation": "CPython"}


def run_bundle(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = bundle_main([str(a) for a in argv], console=Console(out=out, err=err, interactive=False))
    return code, out.getvalue(), err.getvalue()


# ---------------------------------------------------------------------------------------------------
# the lock


def test_the_lock_pins_every_dependency_of_pyproject_within_its_bounds():
    lock = read_lock(REPO / LOCK_NAME)
    assert lock.python == PYTHON  # the lock is the versions the suite passes with, on this Python
    pins = {p.name: p for p in lock.pins}
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    wrong = []
    for text in declared:
        req = Requirement(text)
        pin = pins.get(canonicalize_name(req.name))
        if pin is None:
            wrong.append(f"{req.name}: in pyproject.toml, not in {LOCK_NAME} (run scripts/lock.py)")
        elif not req.specifier.contains(Version(pin.version), prereleases=True):
            wrong.append(f"{req.name}: locked {pin.version}, pyproject.toml wants {req.specifier}")
        elif pin.platform is not None and not (req.marker is not None and f'sys_platform == "{pin.platform}"' in str(req.marker)):
            wrong.append(f"{req.name}: a direct dependency locked for {pin.platform} only")
    assert wrong == []
    assert {p.platform for p in lock.pins} <= {None, "linux", "win32"}
    assert len(pins) == len(lock.pins)  # each package once


def test_a_lock_line_the_bundle_cannot_read_is_named(tmp_path):
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    (tmp_path / LOCK_NAME).write_text("# python: 3.11\npandas>=2\n", encoding="utf-8")
    code, out, err = run_bundle(tmp_path / "out", "--source", tmp_path)
    assert code == 2 and out == ""
    assert f"{LOCK_NAME}, dòng 2: 'pandas>=2' không đúng dạng" in err


# ---------------------------------------------------------------------------------------------------
# the bundles


@pytest.fixture(scope="module")
def linux_bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "BoCai-linux"
    code, stdout, stderr = run_bundle("--platform", "manylinux_2_28_x86_64", "--source", REPO, out)
    assert code == 0, stderr
    assert f"Đã tạo bộ cài cho manylinux_2_28_x86_64, Python {PYTHON}: {out}" in stdout
    return out


@pytest.fixture(scope="module")
def windows_bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "BoCai-ccht-batch"
    code, _, stderr = run_bundle("--platform", "win_amd64", "--python", PYTHON, "--source", REPO, out)
    assert code == 0, stderr  # a locked package without a Windows wheel would be named here
    return out


def offline_env(home: Path) -> dict[str, str]:
    """No pip configuration, no index, no cache: only the bundle's own files can be installed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV", "PYTHON"))}
    env.update({"PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1", "PIP_NO_CACHE_DIR": "1", "HOME": str(home),
                "PYTHON": sys.executable, "PYTHONIOENCODING": "utf-8"})
    return env


@pytest.mark.slow
def test_the_linux_bundle_installs_without_an_index_and_the_demo_runs(linux_bundle, tmp_path):
    assert sorted(p.name for p in linux_bundle.iterdir()) == ["HUONG-DAN.md", "install.cmd", "install.sh", "requirements.lock", "wheels"]
    env = offline_env(tmp_path / "home")
    done = subprocess.run(["sh", str(linux_bundle / "install.sh")], env=env, capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ccht-batch 0.1.0" in done.stdout and "Đã cài xong: " in done.stdout
    venv = linux_bundle / ".venv"

    installed = subprocess.run([venv / "bin" / "python", "-m", "pip", "list", "--format=freeze"], env=env, capture_output=True, text=True, check=True)
    versions = {canonicalize_name(line.split("==")[0]): line.split("==")[1] for line in installed.stdout.splitlines() if "==" in line}
    for pin in read_lock(REPO / LOCK_NAME).for_platform("linux"):
        assert versions.get(pin.name) == pin.version, pin  # exactly the locked versions

    demo = tmp_path / "ChayThu"
    ran = subprocess.run([venv / "bin" / "ccht-batch", "demo", demo], env=env, capture_output=True, text=True, encoding="utf-8", cwd=tmp_path)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "Chạy thử xong" in ran.stdout
    assert (demo / "output" / "2025-11" / "TongHop_2025-11.xlsx").is_file()
    where = subprocess.run([venv / "bin" / "python", "-c", "import ccht_batch; print(ccht_batch.__file__)"], env=env, capture_output=True, text=True, check=True, cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(venv)  # the bundle's install, not the source checkout


def _requirements(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        message = Parser().parsestr(z.read(meta).decode("utf-8"))
    return [Requirement(r) for r in message.get_all("Requires-Dist") or []]


@pytest.mark.slow
def test_the_windows_bundle_has_a_wheel_for_every_dependency(windows_bundle):
    wheels = {}
    for path in (windows_bundle / "wheels").glob("*.whl"):
        name, version, _, tags = parse_wheel_filename(path.name)
        assert {t.platform for t in tags} <= {"any", "win_amd64"}, path.name
        ours = f"cp{PYTHON.replace('.', '')}"
        stable = {t.interpreter for t in tags if t.abi == "abi3" and t.interpreter.startswith("cp3") and int(t.interpreter[3:]) <= int(ours[3:])}
        assert {t.interpreter for t in tags} & {"py3", "py2", ours} or stable, path.name
        wheels[canonicalize_name(name)] = (version, path)
    # walk the tool's requirements as pip will on Windows: each one met by a wheel of the bundle
    todo, seen, unmet = [Requirement("ccht-batch")], set(), []
    while todo:
        req = todo.pop()
        if req.marker is not None and not req.marker.evaluate({**WINDOWS, "extra": ""}):
            continue
        name = canonicalize_name(req.name)
        if name in seen:
            continue
        seen.add(name)
        if name not in wheels or not req.specifier.contains(wheels[name][0], prereleases=True):
            unmet.append(str(req))
            continue
        todo += _requirements(wheels[name][1])
    assert unmet == []
    assert "pywin32-ctypes" in seen and "secretstorage" not in seen  # the keyring's Windows backend, not Linux's
    assert seen == {p.name for p in read_lock(REPO / LOCK_NAME).for_platform("win32")} | {"ccht-batch"}

    text = (windows_bundle / "install.cmd").read_bytes().decode("utf-8")
    assert text.startswith("@echo off\r\nchcp 65001 >nul\r\n") and "\n" not in text.replace("\r\n", "")
    assert r".venv\Scripts\python.exe -m pip install --no-index --find-links wheels --upgrade ccht-batch" in text
    assert f"py -{PYTHON} -c" in text and "Không tìm thấy Python" in text


@pytest.mark.parametrize(
    "argv, words",
    [
        (("--platform", "macosx_11_0_arm64"), ("nền tảng 'macosx_11_0_arm64' không được hỗ trợ", "win_amd64")),
        (("--python", "3.12"), ("không phải Python 3.12", f"--python {PYTHON}")),
    ],
)
def test_bundle_refusals_exit_2_and_write_nothing(tmp_path, argv, words):
    code, out, err = run_bundle(*argv, "--source", REPO, tmp_path / "out")
    assert code == 2 and out == ""
    for word in words:
        assert word in err
    assert not (tmp_path / "out").exists()


def test_bundle_refuses_a_folder_with_files_and_a_folder_that_is_not_the_source(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "cu.txt").write_text("x", encoding="utf-8")
    code, _, err = run_bundle("--source", REPO, tmp_path / "out")
    assert code == 2 and "không phải thư mục trống" in err
    code, _, err = run_bundle("--source", tmp_path, tmp_path / "moi")
    assert code == 2 and "không phải thư mục mã nguồn của công cụ" in err


def test_bundle_help_is_vietnamese():
    done = subprocess.run([sys.executable, "-m", "ccht_batch.bundle", "--help"], capture_output=True, text=True, encoding="utf-8",
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert done.returncode == 0
    assert done.stdout.startswith("Cách dùng: python -m ccht_batch.bundle") and "Tạo bộ cài ngoại tuyến" in done.stdout
    assert "usage:" not in done.stdout
