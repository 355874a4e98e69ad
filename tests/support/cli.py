"""One way for tests to run the command line: in this process, through the public entry point, capturing
what a clerk would read on screen (stdout and stderr apart) and the exit code."""

from __future__ import annotations

import io
from pathlib import Path

from ccht_batch.cli.console import Console
from ccht_batch.cli.main import main


def run_cli(*argv: str | Path) -> tuple[int, str, str]:
    """``ccht-batch ARGV...`` → (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], console=Console(out=out, err=err, interactive=False))
    return code, out.getvalue(), err.getvalue()


def run_in(workdir: Path, *argv: str | Path) -> tuple[int, str, str]:
    """``ccht-batch --workdir WORKDIR ARGV...`` → (exit code, stdout, stderr)."""
    return run_cli("--workdir", workdir, *argv)
