"""The working folder: ``config/``, ``input/``, ``output/`` and the store, and how a new one is made.

The repository root is itself a working folder; ``init`` makes another one from the defaults packaged in
the wheel, and never overwrites a file that is already there (the clerk may have edited it).
"""

from __future__ import annotations

from pathlib import Path

from ccht_batch.config.load import default_config_dir
from ccht_batch.config.model import CONFIG_DIR, CONFIG_FILES


def init_workdir(target: Path) -> tuple[list[Path], list[Path]]:
    """Create ``target`` with the default config and empty ``input/``, ``output/``.

    Returns (written, kept): the files written, and the existing ones left untouched. A file is created
    with exclusive mode, so even a file appearing meanwhile is never overwritten.
    """
    target = Path(target)
    source = default_config_dir()
    written: list[Path] = []
    kept: list[Path] = []
    (target / CONFIG_DIR).mkdir(parents=True, exist_ok=True)
    for name in CONFIG_FILES:
        dest = target / CONFIG_DIR / name
        content = (source / name).read_bytes()
        try:
            with open(dest, "xb") as out:
                out.write(content)
        except FileExistsError:
            kept.append(dest)
            continue
        written.append(dest)
    for folder in ("input", "output"):
        (target / folder).mkdir(parents=True, exist_ok=True)
    return written, kept


