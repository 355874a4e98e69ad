"""The house rules, checked on the source: stages as layers, no import cycles, a CLI nothing imports, no
test hooks in product code (ISSUE: the house).

Layers, lowest first: a module may import its own subpackage and any lower layer, never a higher one.
A function-level import is allowed only where a heavy import is deferred on purpose, and the line says
so with a ``# deferred:`` comment.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "ccht_batch"

LAYERS: dict[str, int] = {
    "core": 0,
    "config": 1,
    "xlsx": 2,
    "store": 2,
    "tables": 2,
    "official": 3,
    "forms": 3,
    "scoring": 4,
    "awards": 4,
    "intake": 5,
    "outputs": 5,
    "history": 6,
    "mail": 6,
    "reports": 7,
    "documents": 7,
    "batch": 8,
    "demo": 9,
    "bundle": 9,
    "api": 9,
    "__init__": 9,
    "cli": 10,
    "__main__": 11,
}


def _modules() -> dict[str, Path]:
    mods = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(rel[:-1] if rel[-1] == "__init__" else rel)
        mods[name] = path
    return mods


def _imports(path: Path, mods: dict[str, Path]) -> list[tuple[str, int, bool]]:
    """(imported module, line, at module level) for every import of a module of the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(n) for n in tree.body}
    top |= {id(n) for s in tree.body if isinstance(s, (ast.If, ast.Try)) for n in ast.walk(s)}
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in mods else node.module for a in node.names]
        for name in names:
            if name in mods and name != "ccht_batch":
                found.append((name, node.lineno, id(node) in top))
    return found


def _layer(module: str) -> tuple[str, int]:
    part = module.split(".")[1] if "." in module else "__init__"
    return part, LAYERS[part]


def test_every_subpackage_has_a_layer() -> None:
    for name in _modules():
        _layer(name)


def test_no_module_imports_a_higher_layer() -> None:
    mods = _modules()
    wrong = []
    for name, path in mods.items():
        part, level = _layer(name)
        for target, line, _ in _imports(path, mods):
            tpart, tlevel = _layer(target)
            if tpart != part and tlevel >= level and not name.endswith("__main__"):
                wrong.append(f"{name}:{line} imports {target}")
    assert wrong == []


def test_no_import_cycle() -> None:
    mods = _modules()
    graph = {name: sorted({t for t, _, _ in _imports(path, mods)}) for name, path in mods.items()}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [node, nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, path + [node])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    assert cycles == []


def test_function_level_imports_are_deliberate() -> None:
    mods = _modules()
    undeclared = []
    for name, path in mods.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for _, line, at_top in _imports(path, mods):
            said = lines[line - 1] + (lines[line - 2] if line > 1 else "")
            if not at_top and "# deferred:" not in said:
                undeclared.append(f"{name}:{line}")
    assert undeclared == []


def test_no_test_hooks_in_product_code() -> None:
    hooked = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if "CCHT_TEST_" in p.read_text(encoding="utf-8")]
    assert hooked == []


def test_the_public_api_names_resolve_and_import_lazily() -> None:
    import subprocess
    import sys

    import ccht_batch

    for name in ccht_batch.__all__:
        assert getattr(ccht_batch, name) is not None, name
    # importing the package itself loads no stage (start-up of `--help`, `check`)
    code = "import sys, ccht_batch; print(sorted(m for m in sys.modules if m.startswith('ccht_batch.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


SQL_START = ("SELECT ", "INSERT ", "UPDATE ", "DELETE ", "CREATE ", "ALTER ", "PRAGMA ", "BEGIN", "WITH ")


def test_sql_lives_in_the_store() -> None:
    """Every statement is in ``ccht_batch/store/``: the schema and its queries change in one place."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        if path.relative_to(PACKAGE).parts[0] == "store":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            parts = node.values if isinstance(node, ast.JoinedStr) else [node]
            for part in parts[:1]:
                if isinstance(part, ast.Constant) and isinstance(part.value, str) and part.value.lstrip().startswith(SQL_START):
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert found == []
