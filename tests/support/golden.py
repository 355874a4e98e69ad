"""The golden scenario: the demo's month and year, through every command that writes a file.

``python tests/support/golden.py DIR`` builds the scenario in DIR and prints one line per file it wrote
(SHA-256 and path); ``--update`` rewrites ``tests/golden/manifest.txt``. ``tests/test_golden.py`` compares.

The bytes of a workbook, a JSON file or a report are the product's, so they are hashed as they are. An
``.eml`` preview carries a fresh Date, Message-ID and MIME boundary by design; those three are masked.
The store, the logs and the units' filled inputs (written by openpyxl with the clock) are not outputs.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE.parent / "golden" / "manifest.txt"

# (argv after --workdir DIR); the demo itself is run first, into DIR.
STEPS: list[list[str]] = [
    ["mail", "--period", "2025-11"],
    ["mail", "templates", "--year", "2025"],
    ["appraisal", "--period", "2025-11"],
    ["council", "--period", "2025-11"],
    ["documents", "--period", "2025-11"],
    ["history", "template"],
    ["close-year", "--year", "2025", "--yes"],
    ["report", "--year", "2025"],
    ["report", "--milestone", "tong-ket"],
]

_EML_MASKS = [
    (re.compile(rb"^Date: .*$", re.M), b"Date: <masked>"),
    (re.compile(rb"^Message-ID: .*$", re.M | re.I), b"Message-ID: <masked>"),
]
_BOUNDARY = re.compile(rb'boundary="([^"]+)"')


# The libraries whose versions the bytes depend on: xlsxwriter and python-docx write the outputs; openpyxl
# writes the demo's inputs, whose SHA-256 summary.json reports.
WRITERS = ("openpyxl", "python-docx", "xlsxwriter")


def writers() -> str:
    from importlib.metadata import version

    return "# writers: " + " ".join(f"{name}={version(name)}" for name in WRITERS)


def recorded_writers() -> str:
    first = MANIFEST.read_text(encoding="utf-8").splitlines()[0]
    return first if first.startswith("# writers:") else ""


def normalised(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".eml":
        for pattern, repl in _EML_MASKS:
            data = pattern.sub(repl, data)
        for i, boundary in enumerate(dict.fromkeys(_BOUNDARY.findall(data))):
            data = data.replace(boundary, b"BOUNDARY-%d" % i)
    return data


def build(target: Path) -> list[tuple[str, int]]:
    """Run the scenario in ``target`` (must not exist); the exit code of each step."""
    import contextlib
    import io

    from ccht_batch.cli.main import main

    codes = []
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        codes.append(("demo", main(["demo", str(target)])))
        for step in STEPS:
            codes.append((" ".join(step), main(["--workdir", str(target), *step])))
    return codes


def manifest(target: Path) -> list[str]:
    out = target / "output"
    lines = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(target).as_posix()
        if rel.startswith("output/logs/") or path.name.endswith(".log"):
            continue
        lines.append(f"{hashlib.sha256(normalised(path)).hexdigest()}  {rel}")
    return lines


def main_cli(argv: list[str]) -> int:
    update = "--update" in argv
    args = [a for a in argv if a != "--update"]
    target = Path(args[0]) if args else Path("golden-scenario")
    codes = build(target)
    for step, code in codes:
        print(f"# {code}  {step}", file=sys.stderr)
    lines = manifest(target)
    text = "\n".join([writers(), *lines]) + "\n"
    if update:
        MANIFEST.parent.mkdir(parents=True, exist_ok=True)
        MANIFEST.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent.parent))
    raise SystemExit(main_cli(sys.argv[1:]))
