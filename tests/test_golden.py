"""The demo's month and year give exactly the recorded bytes (tests/golden/manifest.txt).

A refactoring must keep every output byte-identical. A change that alters an output on purpose
regenerates the manifest (``python tests/support/golden.py /tmp/golden --update``) in the same commit,
and its message says which outputs changed and why.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.golden import MANIFEST, build, manifest, recorded_writers, writers


@pytest.mark.slow
def test_demo_outputs_match_the_golden_manifest(tmp_path: Path) -> None:
    if recorded_writers() != writers():
        pytest.skip(f"the manifest was recorded with other writer versions ({recorded_writers()}; here {writers()})")
    codes = build(tmp_path / "scenario")
    assert all(code == 0 for _, code in codes), codes
    expected = MANIFEST.read_text(encoding="utf-8").splitlines()[1:]
    got = manifest(tmp_path / "scenario")
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    assert (missing, extra) == ([], []), "outputs differ from the golden manifest"
