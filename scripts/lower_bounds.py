"""Print the runtime dependencies of pyproject.toml pinned at their declared lower bounds (``name==min``),
one per line: a constraints file for ``pip install -c``, so that CI proves each lower bound honest."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lower_bounds() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = []
    for requirement in project["dependencies"]:
        m = re.match(r"^\s*([A-Za-z0-9_.-]+)(\[[^\]]*\])?\s*([^;#]*)", requirement)
        name, spec = m.group(1), m.group(3)
        low = re.search(r">=\s*([0-9][^,\s]*)", spec)
        if low is None:
            sys.exit(f"{name}: no lower bound in pyproject.toml")
        pins.append(f"{name}=={low.group(1)}")
    return pins


if __name__ == "__main__":
    print("\n".join(lower_bounds()))
