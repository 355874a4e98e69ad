"""The offline bundle: everything a computer without Internet needs to install ccht-batch, in one folder.

``python -m ccht_batch.bundle --platform win_amd64 --python 3.11 OUT``, run from the source folder on a
computer with Internet, writes into ``OUT``:

- ``wheels/``: the tool's own wheel, built from the source, and a wheel of every runtime dependency at the
  version in ``requirements.lock`` (the versions the tests passed with), for the target platform and Python;
- ``install.cmd`` (Windows) and ``install.sh`` (Linux): create ``.venv`` beside them and install with
  ``pip install --no-index --find-links wheels`` — nothing is fetched from a network;
- ``HUONG-DAN.md`` (the clerk's guide) and ``requirements.lock``.

The lock covers two platforms (Linux x86_64, Windows 64-bit) and one Python version; a line marked
``; sys_platform == "…"`` is needed on that platform only. Wheels only (``--only-binary=:all:``): a package
without a wheel for the target cannot be installed offline, and the bundle says which.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from ccht_batch.core.errors import CannotRun, UsageError

LOCK_NAME = "requirements.lock"
GUIDE_NAME = "HUONG-DAN.md"
WHEELS_DIR = "wheels"

_PIN = re.compile(r'^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)\s*(?:;\s*sys_platform\s*==\s*"(linux|win32)"\s*)?$')
_PYTHON = re.compile(r"^#\s*python:\s*(\d+\.\d+)\s*$")
_MANYLINUX = re.compile(r"^manylinux_2_(\d+)_(x86_64|aarch64)$")


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    platform: str | None  # "linux" or "win32" when needed there only


@dataclass(frozen=True)
class Lock:
    python: str
    pins: tuple[Pin, ...]

    def for_platform(self, sys_platform: str) -> list[Pin]:
        return [p for p in self.pins if p.platform in (None, sys_platform)]


@dataclass(frozen=True)
class Bundle:
    folder: Path
    platform: str
    python: str
    wheels: tuple[Path, ...]  # the dependencies' wheels, then the tool's own


def canonical(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(path: Path) -> Lock:
    if not path.is_file():
        raise UsageError(f"không tìm thấy {path}: cần chạy từ thư mục mã nguồn của công cụ (thư mục có pyproject.toml và {LOCK_NAME})")
    python = None
    pins = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.strip()
        if not text:
            continue
        if text.startswith("#"):
            if m := _PYTHON.match(text):
                python = m.group(1)
            continue
        m = _PIN.match(text)
        if m is None:
            raise UsageError(f"{path.name}, dòng {number}: '{text}' không đúng dạng 'tên==phiên_bản [; sys_platform == \"linux\"|\"win32\"]'")
        pins.append(Pin(canonical(m.group(1)), m.group(2), m.group(3)))
    if python is None:
        raise UsageError(f"{path.name} thiếu dòng '# python: X.Y' (phiên bản Python đã kiểm thử)")
    return Lock(python, tuple(pins))


def platform_tags(platform: str) -> tuple[str, list[str]]:
    """(``sys_platform`` of the target, the wheel platform tags pip may take for it)."""
    if platform == "win_amd64":
        return "win32", ["win_amd64"]
    if m := _MANYLINUX.match(platform):
        glibc, arch = int(m.group(1)), m.group(2)
        legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
        tags = []
        for minor in range(glibc, 4, -1):  # pip takes no older glibc's wheels by itself when --platform is given
            tags.append(f"manylinux_2_{minor}_{arch}")
            if minor in legacy and arch == "x86_64":
                tags.append(f"{legacy[minor]}_{arch}")
        return "linux", tags
    raise UsageError(f"nền tảng '{platform}' không được hỗ trợ: chọn win_amd64 (Windows 64 bit) hoặc manylinux_2_28_x86_64 (Linux 64 bit)")


def source_folder(start: Path | None = None) -> Path:
    """The source folder of the tool (``pyproject.toml`` and the lock): ``start``, else the one this package
    was installed from in development mode."""
    for folder in ([Path(start)] if start else [Path.cwd(), Path(__file__).resolve().parents[2]]):
        if (folder / "pyproject.toml").is_file() and (folder / LOCK_NAME).is_file():
            return folder
    where = start or Path.cwd()
    raise UsageError(
        f"'{where}' không phải thư mục mã nguồn của công cụ (thư mục có pyproject.toml và {LOCK_NAME}): "
        "chuyển vào thư mục đó rồi chạy lại, hoặc ghi thư mục sau --source"
    )


def make_bundle(
    out: Path,
    platform: str = "win_amd64",
    python: str | None = None,
    source: Path | None = None,
    say: Callable[[str], None] = lambda text: None,
    pip: Sequence[str] = (sys.executable, "-m", "pip"),
) -> Bundle:
    """Write the offline bundle for ``platform`` and ``python`` (default: the lock's) into ``out``."""
    source = source_folder(source)
    lock = read_lock(source / LOCK_NAME)
    python = python or lock.python
    if python != lock.python:
        raise UsageError(f"{LOCK_NAME} ghi các phiên bản đã kiểm thử với Python {lock.python}, không phải Python {python}: hãy chọn --python {lock.python}")
    sys_platform, tags = platform_tags(platform)
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"'{out}' đã có và không phải thư mục trống: hãy chọn một thư mục mới cho bộ cài")
    wheels = out / WHEELS_DIR
    wheels.mkdir(parents=True, exist_ok=True)

    pins = lock.for_platform(sys_platform)
    say(f"Tải {len(pins)} thư viện ({platform}, Python {python}) theo {LOCK_NAME}...")
    platform_args = [arg for tag in tags for arg in ("--platform", tag)]
    _pip(
        pip,
        ["download", "--no-deps", "--only-binary=:all:", *platform_args, "--python-version", python, "--implementation", "cp",
         "--dest", str(wheels), *[f"{p.name}=={p.version}" for p in pins]],
        what=f"các thư viện cho {platform}",
    )
    found = {canonical(w.name.split("-")[0]): w for w in wheels.glob("*.whl")}
    missing = [f"{p.name}=={p.version}" for p in pins if p.name not in found]
    if missing:
        raise CannotRun(f"không có bản cài sẵn (wheel) cho {platform} của: {', '.join(missing)}")

    say("Đóng gói công cụ ccht-batch từ mã nguồn...")
    # With the build backend at hand (a developer's venv) nothing is fetched; else pip fetches it to build.
    backend = ["--no-build-isolation"] if importlib.util.find_spec("hatchling") else []
    _pip(pip, ["wheel", "--no-deps", *backend, "--wheel-dir", str(wheels), str(source)], what="công cụ ccht-batch")
    own = sorted(wheels.glob("ccht_batch-*.whl"))
    if not own:
        raise CannotRun("không đóng gói được công cụ ccht-batch (không thấy tệp ccht_batch-*.whl)")

    (out / "install.cmd").write_bytes(install_cmd(python).encode("utf-8"))
    script = out / "install.sh"
    script.write_text(install_sh(python), encoding="utf-8", newline="\n")
    script.chmod(0o755)
    for name in (GUIDE_NAME, LOCK_NAME):
        if (source / name).is_file():
            shutil.copyfile(source / name, out / name)
    return Bundle(out, platform, python, tuple(found[p.name] for p in pins) + tuple(own))


def _pip(pip: Sequence[str], args: list[str], what: str) -> None:
    done = subprocess.run([*pip, *args, "--disable-pip-version-check", "--quiet"], capture_output=True, text=True, encoding="utf-8", errors="replace")
    if done.returncode != 0:
        detail = " ".join(line.strip() for line in done.stderr.splitlines() if line.strip().startswith("ERROR"))[-600:]
        raise CannotRun(
            f"không tải hoặc đóng gói được {what}: không có bản cài sẵn (wheel) cho nền tảng này, hoặc không kết nối được "
            f"kho thư viện. Chi tiết từ pip: {detail or done.stderr.strip()[-600:]}"
        )


def install_cmd(python: str) -> str:
    """``install.cmd``: double-clicked in the bundle's folder, installs the tool into ``.venv`` there."""
    lines = [
        "@echo off",
        "chcp 65001 >nul",
        "rem Cài công cụ ccht-batch từ các tệp trong thư mục này, không cần kết nối Internet.",
        "title Cài đặt ccht-batch",
        'cd /d "%~dp0"',
        f'set "PY=py -{python}"',
        f"py -{python} -c \"import sys\" >nul 2>nul",
        'if errorlevel 1 set "PY=python"',
        f"%PY% -c \"import sys; sys.exit(sys.version_info[:2] != ({python.replace('.', ', ')}))\" >nul 2>nul",
        "if errorlevel 1 goto nopython",
        "echo Tạo môi trường .venv...",
        "%PY% -m venv .venv",
        "if errorlevel 1 goto fail",
        "echo Cài công cụ và các thư viện từ thư mục wheels...",
        r".venv\Scripts\python.exe -m pip install --no-index --find-links wheels --upgrade ccht-batch",
        "if errorlevel 1 goto fail",
        r".venv\Scripts\ccht-batch.exe --version",
        "if errorlevel 1 goto fail",
        "echo.",
        r"echo Đã cài xong: %~dp0.venv\Scripts\ccht-batch.exe",
        "echo Tiếp theo, tạo thư mục làm việc (ví dụ D:\\ThiDua) bằng lệnh:",
        r'echo     "%~dp0.venv\Scripts\ccht-batch.exe" init D:\ThiDua',
        r"echo rồi nhấp đúp tệp D:\ThiDua\ThiDua.cmd để mở thực đơn. Xem HUONG-DAN.md, mục 2 và 3.",
        "pause",
        "exit /b 0",
        ":nopython",
        "echo.",
        f"echo Không tìm thấy Python {python} (64 bit). Đề nghị cài Python {python} cho Windows 64 bit rồi chạy lại tệp này.",
        "pause",
        "exit /b 1",
        ":fail",
        "echo.",
        "echo Cài đặt không thành công (xem thông báo ở trên). Đề nghị kiểm tra đã chép đủ thư mục bộ cài.",
        "pause",
        "exit /b 1",
    ]
    return "\r\n".join(lines) + "\r\n"


def install_sh(python: str) -> str:
    """``install.sh``: the same on Linux (``PYTHON`` may name the interpreter)."""
    return f"""#!/bin/sh
# Cài công cụ ccht-batch từ các tệp trong thư mục này, không cần kết nối Internet.
set -e
cd "$(dirname "$0")"
PY="${{PYTHON:-python{python}}}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
"$PY" -c 'import sys; sys.exit(sys.version_info[:2] != ({python.replace('.', ', ')}))' || {{ echo "Cần Python {python}." >&2; exit 1; }}
"$PY" -m venv .venv
.venv/bin/python -m pip install --no-index --find-links wheels --upgrade ccht-batch
.venv/bin/ccht-batch --version
echo "Đã cài xong: $(pwd)/.venv/bin/ccht-batch"
"""
