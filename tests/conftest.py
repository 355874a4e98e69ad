"""Shared fixtures: a fresh working folder with the shipped configuration, and its loaded Config."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/support

from support.soffice import SOFFICE  # noqa: E402

from ccht_batch.config.load import load_config  # noqa: E402
from ccht_batch.config.workdir import init_workdir  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A working folder made by ``init`` (the shipped defaults), as a clerk would have it."""
    wd = tmp_path / "wd"
    init_workdir(wd)
    return wd


@pytest.fixture
def config(workdir: Path):
    return load_config(workdir)


needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
