"""Strict parsing of what people type into cells, and text normalisation.

Never guess: ``8,5`` and ``8.5`` are 8.5, but ``8.500`` could be eight and a half or eight thousand five
hundred, so it is refused and the cell reported. Digits are the ASCII ones only: fullwidth ``８`` or
Arabic-Indic ``٨`` (pasted from another document) look like numbers but are refused as look-alikes, with
their own reason. Vietnamese text arrives in NFC or NFD and with stray spaces; every comparison goes
through ``norm_text`` first.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

_SPACES = re.compile(r"\s+")
# re.ASCII: ``\d`` is 0-9 only (in Python it matches every Unicode decimal digit otherwise)
_NUMBER = re.compile(r"^\d+([.,]\d{1,2})?$", re.ASCII)
_GROUPED = re.compile(r"^\d{1,3}([.,\s]\d{3})+([.,]\d+)?$|^\d+[.,]\d{3,}$", re.ASCII)
_INTEGER = re.compile(r"^\d+$", re.ASCII)
_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$", re.ASCII)

HUNDREDTH = Decimal("0.01")


def norm_text(value: Any) -> str:
    """NFC, whitespace collapsed to single spaces, trimmed; None → ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFC", str(value))
    return _SPACES.sub(" ", text).strip()


def fold_key(value: Any) -> str:
    """A comparison key for names: normalised and case-folded ("Nguyễn  Văn A" == "nguyễn văn a")."""
    return unicodedata.normalize("NFC", norm_text(value).casefold())


def cell_id_text(value: Any) -> str:
    """An id cell as text: 1 and 1.0 → '1', 1.1 → '1.1', ' 3.2 ' → '3.2'."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return norm_text(value)


class ParseError(ValueError):
    """A cell value that cannot be read; ``code`` says how (``not-a-number``, ``ambiguous-number``,
    ``look-alike``...)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


LOOK_ALIKE = "look-alike"


def _ascii_lookalike(text: str) -> str:
    """``text`` with fullwidth forms folded (NFKC) and every other decimal digit written 0-9."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(str(unicodedata.decimal(ch)) if not ch.isascii() and ch.isdecimal() else ch for ch in folded)


def _refuse(text: str, code: str, *patterns: re.Pattern) -> ParseError:
    """The error for ``text`` that matched none of ``patterns``: a look-alike when only its characters
    are wrong (``８,５``, ``٨``), else ``code``."""
    if not text.isascii():
        plain = _ascii_lookalike(text)
        if plain != text and any(p.match(plain) for p in patterns):
            return ParseError(LOOK_ALIKE)
    return ParseError(code)


def parse_decimal(value: Any) -> Decimal | None:
    """A score as typed. None for an empty cell; ``ParseError`` for anything unclear.

    A real number cell is taken as it is; text must match ``^\\d+([.,]\\d{1,2})?$`` after trimming.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ParseError("not-a-number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ParseError("not-a-number")
        return Decimal(repr(value)).normalize() if not value.is_integer() else Decimal(int(value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        raise ParseError("not-a-number")
    text = norm_text(value)
    if not text:
        return None
    if _NUMBER.match(text):
        return Decimal(text.replace(",", "."))
    if _GROUPED.match(text):
        raise ParseError("ambiguous-number")
    raise _refuse(text, "not-a-number", _NUMBER, _GROUPED)


def parse_count(value: Any) -> int | None:
    """A whole number ≥ 0 (an indicator count)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ParseError("not-a-whole-number")
    if isinstance(value, int):
        if value < 0:
            raise ParseError("not-a-whole-number")
        return value
    if isinstance(value, float):
        if value != value or not value.is_integer() or value < 0:
            raise ParseError("not-a-whole-number")
        return int(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        raise ParseError("not-a-whole-number")
    text = norm_text(value)
    if not text:
        return None
    if _INTEGER.match(text):
        return int(text)
    raise _refuse(text, "not-a-whole-number", _INTEGER)


def parse_date(value: Any) -> dt.date | None:
    """A date: a real date cell, or ``dd/mm/yyyy`` text (day first, always)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (bool, int, float, dt.time, dt.timedelta)):
        raise ParseError("not-a-date")
    text = norm_text(value)
    if not text:
        return None
    m = _DATE.match(text)
    if not m:
        raise _refuse(text, "not-a-date", _DATE)
    day, month, year = (int(g) for g in m.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ParseError("not-a-date") from None


def parse_year(value: Any) -> int | None:
    """A birth year typed as a number or as text."""
    try:
        d = parse_decimal(value)
    except ParseError:
        raise ParseError("not-a-year") from None
    if d is None:
        return None
    if d != d.to_integral_value():
        raise ParseError("not-a-year")
    return int(d)


def round2(value: Decimal) -> Decimal:
    """Two decimals, half up, as the contract's ``result``."""
    return value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def fmt_number(value: Decimal | int | None) -> str:
    """A score for people: ``8.25`` → ``8,25``; ``6`` → ``6``; None → ''."""
    if value is None:
        return ""
    d = Decimal(value)
    if d == d.to_integral_value():
        return str(int(d))
    text = format(d.normalize(), "f")
    return text.replace(".", ",")


def json_number(value: Decimal | None) -> int | float | None:
    """A Decimal for JSON: whole numbers as int, others as the float that prints the same digits."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """Zero-based row and column → ``D14`` as Excel shows it."""
    return f"{column_letter(col)}{row + 1}"
