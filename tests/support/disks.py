"""Real disk faults for tests: a small tmpfs that fills up, or that is made read-only.

Mounting needs privileges: where the system refuses (an unprivileged CI runner, Windows), the tests that
need a real disk are skipped with the reason.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Iterator

import pytest


@contextlib.contextmanager
def small_disk(mountpoint: Path, size_mb: int = 4) -> Iterator[Path]:
    """A tmpfs of ``size_mb`` MB at ``mountpoint`` for the block; skips the test where it cannot mount."""
    mountpoint.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None:
        pytest.skip("no mount command here")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(mountpoint)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.decode(errors='replace').strip()})")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True)


def fill_up(folder: Path) -> Path:
    """Fill the disk holding ``folder`` to the last byte; the filler file (delete it to free the space)."""
    filler = folder / "day-o-dia.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        for size in (1 << 16, 4096, 512, 1):
            try:
                while os.write(fd, b"\0" * size):
                    pass
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler


def make_read_only(mountpoint: Path) -> None:
    done = subprocess.run(["mount", "-o", "remount,ro", str(mountpoint)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot remount read-only here ({done.stderr.decode(errors='replace').strip()})")
