"""HUONG-DAN.md, the clerk's guide, keeps up with the program: every command of `ccht-batch --help` (sub-commands
included) has its row in the guide's command table, every option is explained somewhere, and the text is
Vietnamese in NFC, self-contained (no file outside the project)."""

from __future__ import annotations

import argparse
import re
import unicodedata
from pathlib import Path

from ccht_batch.cli.parser import build_parser

REPO = Path(__file__).resolve().parents[1]
GUIDE = (REPO / "HUONG-DAN.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| `ccht-batch ([^`]+)` \|", re.M)


def command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> set[str]:
    """Every command a clerk can type: leaves of the sub-command tree, and the word choices of an optional
    positional (``mail templates``, ``mail password``)."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if subs:
        return {p for a in subs for name, sub in a.choices.items() for p in command_paths(sub, prefix + (name,))}
    paths = {" ".join(prefix)}
    for action in parser._actions:
        if not action.option_strings and action.choices and action.nargs == "?":
            paths |= {" ".join(prefix + (choice,)) for choice in action.choices}
    return paths


def options(parser: argparse.ArgumentParser) -> set[str]:
    found = {o for a in parser._actions for o in a.option_strings if o.startswith("--")}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= options(sub)
    return found


def test_every_command_of_the_parser_has_a_row_in_the_guide():
    rows = set(ROW.findall(GUIDE))
    commands = command_paths(build_parser())
    assert {"run", "mail", "mail templates", "mail password", "menu", "history import"} <= commands  # the walk works
    assert sorted(commands - rows) == []


def test_every_option_is_explained_in_the_guide():
    assert sorted(o for o in options(build_parser()) if f"`{o}" not in GUIDE and f" {o}" not in GUIDE) == []


def test_the_guide_is_vietnamese_nfc_and_self_contained():
    assert unicodedata.is_normalized("NFC", GUIDE)
    words = re.findall(r"[^\W\d_]+", re.sub(r"`[^`]*`|```.*?```", " ", GUIDE, flags=re.S))
    vietnamese = [w for w in words if re.search(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", w, re.I)]
    assert len(vietnamese) > len(words) / 3  # Vietnamese prose, not an English text with Vietnamese headings
    for outside in ("DESIGN.md", "PITFALLS", "RULES.md", "shared/"):
        assert outside not in GUIDE and outside not in (REPO / "README.md").read_text(encoding="utf-8")
    assert "HUONG-DAN.md" in (REPO / "README.md").read_text(encoding="utf-8")


def test_the_guide_and_the_readme_name_no_command_the_parser_lacks():
    """The other way round: a command in the guide's table or in the README's tables is one the program has
    (the contract's list, DESIGN.md §10, as built)."""
    commands = command_paths(build_parser())
    tops = {c.split()[0] for c in commands}
    assert sorted(set(ROW.findall(GUIDE)) - commands) == []
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    named = {m.split()[0] for m in re.findall(r"`ccht-batch (?:--workdir \S+ )?([a-z][a-z-]*(?: [a-z]+)?)", readme)}
    assert named and sorted(named - tops) == []
    contract = {"init", "check", "templates", "run", "appraisal", "mail", "history", "close-year", "report", "council",
                "documents", "collect", "store", "menu", "demo"}
    assert contract <= tops
