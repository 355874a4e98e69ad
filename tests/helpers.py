"""Test helpers: fill a generated template the way a unit would, and re-save files with LibreOffice.

Filling goes through openpyxl and finds cells by sheet name and header title only (the contract), so the
tests exercise the same layout outside tests rely on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

from ccht_batch.forms.filling import fill_template, header_map  # noqa: F401  (re-exported for tests)

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
