"""The issue catalogue and the code agree: every code is raised somewhere, every raise names a code of the
catalogue, and every placeholder of a message is given a value where it is raised (read from the source)."""

from __future__ import annotations

import ast
import string
from pathlib import Path

from ccht_batch.core.issues import CATALOGUE

PACKAGE = Path(__file__).resolve().parent.parent / "ccht_batch"
MAKERS = {"make", "refuse"}
NOT_YET_RAISED: set[str] = set()  # issues.make(code, ...), safety.refuse(code, ...)


def _raises() -> list[tuple[str, str, set[str] | None]]:
    """(where, code, keyword names given — None when ``**kwargs`` hides them) for every literal raise."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            first = node.args[0]
            if name in MAKERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                names = None if any(k.arg is None for k in node.keywords) else {k.arg for k in node.keywords}
                found.append((f"{path.relative_to(PACKAGE)}:{node.lineno}", first.value, names))
    return found


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def test_every_raised_code_is_in_the_catalogue() -> None:
    assert [(where, code) for where, code, _ in _raises() if code not in CATALOGUE] == []


def test_every_catalogue_code_is_raised_somewhere() -> None:
    raised = {code for _, code, _ in _raises()}
    # codes built from a table of reasons rather than written literally at the raise
    sources = [p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py") if p.name != "issues.py"]
    indirect = {code for code in CATALOGUE if any(f'"{code}"' in text for text in sources)}
    assert sorted(set(CATALOGUE) - raised - indirect) == sorted(NOT_YET_RAISED)


def test_every_placeholder_is_given_where_the_issue_is_raised() -> None:
    missing = []
    for where, code, given in _raises():
        if given is None or code not in CATALOGUE:
            continue
        needed = _placeholders(CATALOGUE[code][1]) - {"value"}
        if needed - given:
            missing.append((where, code, sorted(needed - given)))
    assert missing == []
