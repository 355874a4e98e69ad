"""The command line on a real pseudo-terminal, as the clerk has it in a console window: ``pexpect`` types,
reads the screen and sees what is echoed (a password typed at a no-echo prompt never is)."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pexpect


def keyring_env(folder: Path) -> dict[str, str]:
    """Environment giving a child process a file keyring in ``folder`` (never the developer's real one)."""
    return {"PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring", "XDG_DATA_HOME": str(folder)}


def keyring_file(folder: Path) -> Path:
    """Where that file keyring keeps its passwords."""
    return folder / "python_keyring" / "keyring_pass.cfg"


def spawn(*argv: str | Path, env: dict[str, str] | None = None, timeout: int = 120) -> pexpect.spawn:
    """``python -m ccht_batch ARGV...`` on a pseudo-terminal; ``child.transcript`` holds every byte it showed."""
    child_env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    child_env.update({"PYTHONIOENCODING": "utf-8", "COLUMNS": "200", "LINES": "50"})
    child_env.update(env or {})
    child = pexpect.spawn(
        sys.executable,
        ["-m", "ccht_batch", *[str(a) for a in argv]],
        env=child_env,
        encoding="utf-8",
        codec_errors="replace",
        timeout=timeout,
        dimensions=(50, 200),
    )
    child.transcript = io.StringIO()  # type: ignore[attr-defined]
    child.logfile_read = child.transcript
    return child


def finish(child: pexpect.spawn) -> tuple[int, str]:
    """Wait for the end; (exit code, everything the terminal showed, line ends as ``\\n``)."""
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, child.transcript.getvalue().replace("\r\n", "\n")  # type: ignore[attr-defined]
