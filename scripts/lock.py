"""Write ``requirements.lock``: every runtime dependency of ccht-batch, pinned at the version installed in the
environment running this script — the project's venv, after the test suite passed in it.

Run it from that venv after changing a dependency (``.venv/bin/python scripts/lock.py``), then run the
tests again: CI installs with the lock as constraints, and ``python -m ccht_batch.bundle`` downloads exactly
these versions for the offline install. ``tests/test_bundle.py`` fails when the lock and ``pyproject.toml``
disagree.

The lock serves two platforms, Linux x86_64 and Windows 64-bit, for one Python version. A package needed on
one of them only carries a ``sys_platform`` marker. A package needed on a platform other than this one and
not installed here (``pywin32-ctypes`` for the keyring on Windows) is pinned at the newest release that fits,
read from its wheel for that platform.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import tomllib
import zipfile
from email.parser import Parser
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"

# Marker environments of the two platforms (the Python version is the running one).
TARGETS: dict[str, dict[str, str]] = {
    "linux": {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix", "platform_machine": "x86_64"},
    "win32": {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "platform_machine": "AMD64"},
}
WHEEL_PLATFORM = {"linux": "manylinux_2_28_x86_64", "win32": "win_amd64"}
COMMON = {
    "python_version": PYTHON,
    "python_full_version": f"{PYTHON}.0",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "extra": "",
}

HEADER = f"""\
# The runtime dependencies of ccht-batch at the versions its tests passed with: Python {PYTHON}, Linux x86_64
# and Windows 64-bit. Written by `python scripts/lock.py` from the project's venv; do not edit by hand.
# CI installs with this file as constraints (.ci/run); `python -m ccht_batch.bundle` downloads these versions.
# python: {PYTHON}
"""


def project_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in project["dependencies"]]


def _from_wheel(name: str, req: Requirement, target: str, cache: Path) -> tuple[str, list[str]]:
    """Version and requirements of the newest wheel of ``req`` for ``target`` (a package not installed here)."""
    folder = cache / target / name
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "--platform", WHEEL_PLATFORM[target],
         "--python-version", PYTHON, "--implementation", "cp", "-d", str(folder), str(req).split(";")[0]],
        check=True,
    )
    (wheel,) = folder.glob("*.whl")
    version = str(parse_wheel_filename(wheel.name)[1])
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        message = Parser().parsestr(z.read(meta).decode("utf-8"))
    return version, message.get_all("Requires-Dist") or []


def resolve(target: str, cache: Path) -> dict[str, str]:
    """name → version of every package ccht-batch needs on ``target``."""
    env = {**COMMON, **TARGETS[target]}
    pins: dict[str, str] = {}
    queue: list[tuple[Requirement, frozenset[str]]] = [(r, frozenset()) for r in project_requirements()]
    while queue:
        req, extras = queue.pop(0)
        if req.marker is not None and not any(req.marker.evaluate({**env, "extra": e}) for e in (extras or {""})):
            continue
        name = canonicalize_name(req.name)
        if name in pins:
            continue
        try:
            dist = metadata.distribution(req.name)
            version, requires = dist.version, dist.requires or []
        except metadata.PackageNotFoundError:
            version, requires = _from_wheel(name, req, target, cache)
        if req.specifier and not req.specifier.contains(version, prereleases=True):
            sys.exit(f"{name} {version} does not satisfy {req}: reinstall the venv first")
        pins[name] = version
        queue += [(Requirement(r), frozenset(req.extras)) for r in requires]
    return pins


def lock_text() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        per_target = {t: resolve(t, Path(tmp)) for t in TARGETS}
    lines = []
    for name in sorted(set().union(*per_target.values())):
        where = [t for t in TARGETS if name in per_target[t]]
        versions = {per_target[t][name] for t in where}
        assert len(versions) == 1, (name, versions)
        marker = "" if len(where) == len(TARGETS) else f' ; sys_platform == "{where[0]}"'
        lines.append(f"{name}=={versions.pop()}{marker}")
    return HEADER + "\n".join(lines) + "\n"


if __name__ == "__main__":
    LOCK.write_text(lock_text(), encoding="utf-8")
    print(LOCK.read_text(encoding="utf-8"), end="")
