"""Shared ways of building workbooks with xlsxwriter: safe, printable, reproducible.

Every workbook the program writes goes through ``new_workbook``: text is never turned into formulas or
links (a unit's ``=HYPERLINK(...)`` stays text), the default font is Times New Roman (official documents,
Decree 30/2020), and the ``created`` property is fixed so the same inputs give byte-identical files.
Files are written under a temporary name and renamed when complete (``atomic_path``).

The fast table writers for large runs are in ``xlsx/fast.py``.
"""

from __future__ import annotations

import datetime as dt
import inspect
import io
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

from xlsxwriter.packager import Packager
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

FONT = "Times New Roman"
FIXED_CREATED = dt.datetime(2022, 1, 1, 0, 0, 0)
INPUT_TINT = "#FFF2CC"  # cells a person fills
HEADER_TINT = "#D9E1F2"
GROUP_TINT = "#EDEDED"


class Utf8Part(io.StringIO):
    """One XML part of a workbook kept in memory as UTF-8 pieces, not as one growing text.

    xlsxwriter (``in_memory``) writes every part of the workbook to a ``StringIO`` before it zips any,
    then encodes each whole: with Vietnamese text a ``StringIO`` holds two to four bytes a character, and
    a month of ten thousand units has sheets of a hundred thousand rows. These pieces hold about one, a
    ``FastSheet`` adds its rows already encoded (``write_utf8``), and ``getvalue()`` gives what the zip
    step asks of it (``.encode("utf-8")``) once, letting the pieces go. The bytes written are the same.
    """

    def __init__(self) -> None:
        super().__init__()
        self._pieces: list[bytes] = []
        self._texts: list[str] = []  # xlsxwriter's many small writes, encoded together every 64 KB or so
        self._size = 0

    def write(self, text: str) -> int:
        self._texts.append(text)
        self._size += len(text)
        if self._size > 65536:
            self._encode()
        return len(text)

    def write_utf8(self, data: bytes) -> None:
        self._encode()
        self._pieces.append(data)

    def getvalue(self) -> "_EncodedOnce":  # type: ignore[override]
        self._encode()
        return _EncodedOnce(self._pieces)

    def _encode(self) -> None:
        if self._texts:
            self._pieces.append("".join(self._texts).encode("utf-8"))
            self._texts.clear()
            self._size = 0


class _EncodedOnce:
    """The pieces of a ``Utf8Part``, joined when the zip step encodes them (once: then they are gone)."""

    def __init__(self, pieces: list[bytes]):
        self._pieces = pieces

    def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        data = b"".join(self._pieces)
        self._pieces.clear()
        return data


class _LeanPackager(Packager):
    def _filename(self, xml_filename):
        if not self.in_memory:
            return super()._filename(xml_filename)
        part = Utf8Part()
        self.filenames.append((part, xml_filename, False))
        return part


def _lean_packaging_usable() -> bool:
    """The zip step encodes each in-memory part with ``getvalue().encode("utf-8")``, and the packager
    names its parts in ``_filename``: as in xlsxwriter 3.x. Otherwise the usual packager is used."""
    try:
        store = inspect.getsource(Workbook._store_workbook)
        name = inspect.getsource(Packager._filename)
    except (OSError, TypeError, AttributeError):
        return False
    return (
        callable(getattr(Workbook, "_get_packager", None))
        and 'getvalue().encode("utf-8")' in store
        and "self.filenames.append((os_filename, xml_filename, False))" in name
    )


LEAN_PACKAGING = _lean_packaging_usable()


class _LeanWorkbook(Workbook):
    """A workbook whose in-memory parts are ``Utf8Part`` pieces (see there): same bytes, less memory."""

    def _get_packager(self):
        return _LeanPackager() if LEAN_PACKAGING else super()._get_packager()


def new_workbook(path: Path | str | io.BytesIO, title: str = "", in_memory: bool = True) -> Workbook:
    """A workbook with the program's safe options and fixed properties (``path`` may be a file object)."""
    wb = _LeanWorkbook(
        path if hasattr(path, "write") else str(path),
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "in_memory": in_memory,
        },
    )
    wb.set_properties({"title": title, "author": "ccht-batch", "company": "", "created": FIXED_CREATED})
    wb.formats[0].set_font_name(FONT)
    wb.formats[0].set_font_size(12)
    return wb


class Formats:
    """Formats made on demand and cached by their properties (xlsxwriter wants each made once)."""

    def __init__(self, wb: Workbook, size: int = 12):
        self.wb = wb
        self.size = size
        self._cache: dict[tuple, Any] = {}

    def __call__(self, **props: Any) -> Any:
        props = {"font_name": FONT, "font_size": self.size, "valign": "vcenter", **props}
        key = tuple(sorted(props.items()))
        fmt = self._cache.get(key)
        if fmt is None:
            fmt = self._cache[key] = self.wb.add_format(props)
        return fmt


def write_header(ws: Worksheet, fmt: Formats, row: int, titles: tuple[str, ...] | list[str], height: float | None = None) -> None:
    """A table's header row: bold, centred, wrapped, bordered, tinted — the look of every fillable table."""
    header = fmt(bold=True, align="center", text_wrap=True, border=1, bg_color=HEADER_TINT)
    for col, title in enumerate(titles):
        ws.write_string(row, col, title, header)
    if height is not None:
        ws.set_row(row, height)


CELL_MAX = 32767  # UTF-16 code units a cell holds in Excel; a longer text makes Excel "repair" the file
CUT_MARK = " …"


def cell_text(text: str) -> str:
    """``text``, or, beyond what a cell holds, its beginning with `` …`` (marked, never cut silently)."""
    if len(text) <= CELL_MAX // 2 or len(text.encode("utf-16-le")) // 2 <= CELL_MAX:
        return text
    keep = CELL_MAX - len(CUT_MARK)
    cut = text.encode("utf-16-le")[: 2 * keep].decode("utf-16-le", errors="ignore")  # never half a pair
    return cut + CUT_MARK


def write_value(ws: Worksheet, row: int, col: int, value: Any, fmt: Any = None) -> None:
    """Write a value by its Python type; every str is written as text, never parsed (and never beyond
    what a cell holds: ``cell_text``)."""
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, "Có" if value else "Không", fmt)
    elif isinstance(value, Decimal):
        ws.write_number(row, col, float(value), fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, (dt.date, dt.datetime)):
        ws.write_string(row, col, value.strftime("%d/%m/%Y"), fmt)
    else:
        ws.write_string(row, col, cell_text(str(value)), fmt)


def write_meta(ws: Worksheet, rows: list[tuple[str, Any]]) -> None:
    """The hidden ``_meta`` sheet of a workbook people fill: keys in column A, values in column B
    (numbers as numbers, so ``year`` reads back as 2025), hidden and protected."""
    for r, (key, value) in enumerate(rows):
        ws.write_string(r, 0, key)
        if isinstance(value, int) and not isinstance(value, bool):
            ws.write_number(r, 1, value)
        else:
            ws.write_string(r, 1, str(value))
    ws.set_column(0, 1, 24)
    ws.hide()
    ws.protect()


def print_setup(ws: Worksheet, repeat_rows: tuple[int, int] | None = None, landscape: bool = True, fit_width: bool = True) -> None:
    """A4, landscape by default, margins for binding, header rows repeated on each page."""
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(left=0.6, right=0.4, top=0.6, bottom=0.6)
    if repeat_rows is not None:
        ws.repeat_rows(*repeat_rows)
    if fit_width:
        ws.fit_to_pages(1, 0)
    ws.center_horizontally()


# Printing wide tables: shrink to the page width only while the text stays legible.
PAGE_WIDTH_PT = {True: 841.9, False: 595.3}  # A4, landscape and portrait
MARGINS_PT = (0.6 + 0.4) * 72  # print_setup's left and right margins
MIN_FIT_PT = 8  # a table is fitted to the page width only if its text stays at least this size
SPREAD_PT = 9  # a table printed over several pages is shrunk to this size, no smaller


def column_points(width: float) -> float:
    """A column width (in characters, as ``set_column`` takes it) in points on paper: Excel counts the
    default font's digit width, about 8 pixels for Times New Roman 12, plus 5 pixels of padding."""
    return (width * 8 + 5) * 0.75


def fit_scale(widths: Sequence[float], landscape: bool = True) -> float:
    """The print scale (at most 1) that fits columns of ``widths`` on one page width."""
    total = sum(column_points(w) for w in widths)
    return min(1.0, (PAGE_WIDTH_PT[landscape] - MARGINS_PT) / total) if total else 1.0


def print_legibly(ws: Worksheet, widths: Sequence[float], font_size: float, keep_cols: int = 0, repeat_rows: tuple[int, int] | None = None) -> bool:
    """A4 landscape; fitted to one page width when the text stays at least ``MIN_FIT_PT`` points, else
    printed across several pages at ``SPREAD_PT`` points (or full size, if smaller) with the first
    ``keep_cols`` columns repeated on each. Returns whether it is fitted."""
    scale = fit_scale(widths)
    fitted = scale * font_size >= MIN_FIT_PT
    print_setup(ws, repeat_rows=repeat_rows, fit_width=fitted)
    if not fitted:
        ws.set_print_scale(max(10, min(100, int(100 * SPREAD_PT / font_size))))
        ws.print_across()
        if keep_cols:
            ws.repeat_columns(0, keep_cols - 1)
    return fitted


# ---------------------------------------------------------------------------------------------------
# Row heights for wrapped text


def text_height(values: list[Any], widths: tuple[float, ...] | list[float], font_size: float = 12) -> float | None:
    """The row height that shows every wrapped text of a row, or None when one line is enough.

    Neither Excel nor LibreOffice grows a row for wrapped text in a file they did not lay out themselves
    (and never for merged cells), so a printed list would cut its longest lines. The estimate is coarse
    (characters per line from the column width) but a pure function of the text, so bytes stay stable.
    """
    lines = 1
    per_unit = 1.05 * 11 / font_size
    for value, width in zip(values, widths):
        if value.__class__ is not str:
            continue
        per_line = max(1, int(width * per_unit) - 1)
        if len(value) <= per_line and "\n" not in value:
            continue  # the common case: one line
        lines = max(lines, sum(max(1, -(-len(part) // per_line)) for part in value.split("\n")))
    return None if lines == 1 else round(lines * font_size * 1.3 + 2, 1)


BOLD_WIDTH = 0.9  # bold glyphs are wider: a column holds about a tenth fewer bold characters


def fit_row(ws: Worksheet, row: int, texts: Sequence[tuple[Any, float]], font_size: float = 12, bold: bool = False, minimum: float | None = None) -> None:
    """Give ``row`` the height its wrapped texts need (``text_height``): ``texts`` pairs each text with the
    width of its column (or of its merged range). Rows that one line fits keep the default height."""
    factor = BOLD_WIDTH if bold else 1.0
    height = text_height([t for t, _ in texts], [w * factor for _, w in texts], font_size)
    if height is not None or minimum is not None:
        ws.set_row(row, max(height or 0, minimum or 0))


GUIDE_WIDTH = 130  # the one column of an instructions sheet


def write_guide(ws: Worksheet, fmt: Formats, lines: Sequence[tuple[str, str]]) -> None:
    """An instructions sheet (``Hướng dẫn``): one column of lines, each ``(kind, text)`` with kind ``title``,
    ``sub``, ``head`` or ``""`` (body); every row as tall as its wrapped text needs; printed landscape."""
    formats = {
        "title": fmt(bold=True, font_size=14, text_wrap=True),
        "sub": fmt(italic=True, text_wrap=True),
        "head": fmt(bold=True, text_wrap=True),
        "": fmt(text_wrap=True),
    }
    for i, (kind, text) in enumerate(lines):
        if text:
            ws.write_string(i, 0, text, formats[kind])
            fit_row(ws, i, [(text, GUIDE_WIDTH)], 14 if kind == "title" else 12, bold=kind in ("title", "head"))
    ws.set_column(0, 0, GUIDE_WIDTH)
    print_setup(ws, landscape=True)
