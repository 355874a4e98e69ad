"""Re-saving and converting files with LibreOffice, as a unit or the Office would.

"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def soffice_convert(src: Path, fmt: str, outdir: Path) -> Path:
    """Convert (re-save) ``src`` with LibreOffice headless into ``outdir``; a private profile per call."""
    return soffice_convert_all([src], fmt, outdir)[0]


def soffice_convert_all(sources: list[Path], fmt: str, outdir: Path) -> list[Path]:
    """``soffice_convert`` for several files in one start of LibreOffice (a start costs seconds)."""
    assert SOFFICE, "soffice not available"
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path(os.environ.get("TMPDIR", "/tmp")) / f"ccht-lo-{uuid.uuid4().hex}"
    try:
        subprocess.run(
            [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to", fmt, "--outdir", str(outdir),
             *map(str, sources)],
            check=True,
            capture_output=True,
            timeout=300,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    outs = [outdir / (src.stem + "." + fmt.split(":")[0]) for src in sources]
    for out in outs:
        assert out.exists(), f"LibreOffice did not write {out}"
    return outs
