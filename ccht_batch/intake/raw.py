"""The neutral raw form of a workbook: its sheets as plain values, indexed as Excel shows them, and where
formulas were typed. Reading (``read``) makes it from a file; validation (``validate``) reads only this.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, NamedTuple


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


ERROR_LITERAL = re.compile(r"^=?#[A-Z0-9/!?]+$")  # an error value (#REF!), alone or as LibreOffice saves it (=#REF!)


class FormulaVerdict(NamedTuple):
    """What the formula rule makes of one cell: the issue to report (or None), what it shows, and the value."""

    code: str | None
    shown: str
    value: Any
    usable: bool


def formula_rule(formula: str, raw: Any, numeric: bool) -> FormulaVerdict:
    """The formula rule of DESIGN.md §5 for one cell holding ``formula`` (its cached value ``raw``): a number
    cell holding a formula or an error value is refused and unusable; a text cell holding a formula without
    a cached value reads as empty, with a warning; a text cell shows an error value's cached value. One rule
    for the templates' cells (as tables, ``intake.values``) and the council's (``intake.validate``)."""
    if ERROR_LITERAL.match(formula):
        return FormulaVerdict("error-value", formula.lstrip("="), raw, False) if numeric else FormulaVerdict(None, formula, raw, True)
    if numeric:
        return FormulaVerdict("formula-in-number-cell", formula, raw, False)
    if raw is None or raw == "":
        return FormulaVerdict("formula-in-text-cell", formula, "", True)
    return FormulaVerdict(None, formula, raw, True)


@dataclass
class RawSheet:
    """A sheet as plain values, indexed as Excel shows them (row 0 is row 1, column 0 is A)."""

    name: str
    rows: list[list[Any]]
    # (row, col) → formula text ("=…"), or the error value ("#REF!…") of a cell that holds one without a formula
    formulas: Mapping[tuple[int, int], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.set_formulas(self.formulas)

    def set_formulas(self, formulas: Mapping[tuple[int, int], str]) -> None:
        self.formulas = formulas
        self.formula_cells: frozenset[tuple[int, int]] = frozenset(formulas) if formulas else frozenset()
        self.has_formulas = bool(self.formula_cells)

    def value(self, row: int, col: int) -> Any:
        try:
            return self.rows[row][col]  # indices are never negative here
        except IndexError:
            return ""

    @property
    def height(self) -> int:
        return len(self.rows)


class RawBook:
    """The sheets of one workbook, loaded on demand and looked up by NFC name."""

    def __init__(self, names: list[str], loader: Callable[[str], RawSheet]):
        self._names = {nfc(n): n for n in names}
        self._loader = loader
        self._cache: dict[str, RawSheet] = {}

    @classmethod
    def from_sheets(cls, sheets: list[RawSheet]) -> "RawBook":
        """A book built in memory (tests, and callers that already hold the values)."""
        by_name = {s.name: s for s in sheets}
        return cls(list(by_name), lambda name: by_name[name])

    @property
    def sheet_names(self) -> list[str]:
        return list(self._names.values())

    def has(self, name: str) -> bool:
        return nfc(name) in self._names

    def sheet(self, name: str) -> RawSheet | None:
        actual = self._names.get(nfc(name))
        if actual is None:
            return None
        if actual not in self._cache:
            self._cache[actual] = self._loader(actual)
        return self._cache[actual]
