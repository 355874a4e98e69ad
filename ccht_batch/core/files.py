"""Files of the working folder: where each output lives, how a file is written whole or not at all, and
a file's SHA-256 (the identity of a submission: the same bytes count once).
"""

from __future__ import annotations

import glob
import hashlib
import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator


def write_file(path: Path, data: bytes, atomic: bool = True) -> None:
    """Write ``data`` under a temporary name and rename it (``atomic_path``), or, with ``atomic=False``,
    straight to ``path``: for a staging folder that is itself swapped in whole when complete, where a
    temporary name per file only doubles the file-system work (a thousand feedback workbooks notice)."""
    if atomic:
        with atomic_path(path) as tmp:
            tmp.write_bytes(data)
    else:
        Path(path).write_bytes(data)


@contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; rename it over ``final`` only if the block succeeds."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f".{final.stem}.{uuid.uuid4().hex[:8]}.tmp{final.suffix}")
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()


def leftovers(final: Path) -> list[Path]:
    """Temporary files ``atomic_path`` left beside ``final`` when its process was killed mid-write."""
    final = Path(final)
    if not final.parent.is_dir():
        return []
    return sorted(final.parent.glob(f".{glob.escape(final.stem)}.*.tmp{glob.escape(final.suffix)}"))


HASH_CHUNK = 1024 * 1024


def hash_file(path: Path) -> str | None:
    """sha256 of a file read in chunks (large or ignored files are never held in memory)."""
    try:
        with open(path, "rb") as fh:
            return hash_stream(fh)
    except OSError:
        return None


def hash_stream(fh: Any) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: fh.read(HASH_CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def period_dir(output_dir: Path, period: str) -> Path:
    return output_dir / period


def templates_dir(output_dir: Path) -> Path:
    return output_dir / "templates"


def reports_dir(output_dir: Path) -> Path:
    return output_dir / "reports"
