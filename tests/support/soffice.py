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
    assert SOFFICE, "soffice not available"
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path(os.environ.get("TMPDIR", "/tmp")) / f"ccht-lo-{uuid.uuid4().hex}"
    try:
        subprocess.run(
            [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to", fmt, "--outdir", str(outdir), str(src)],
            check=True,
            capture_output=True,
            timeout=180,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = outdir / (src.stem + "." + fmt.split(":")[0])
    assert out.exists(), f"LibreOffice did not write {out}"
    return out
