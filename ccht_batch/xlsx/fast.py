"""Fast table bodies for large runs, on top of xlsxwriter.

A month of a thousand units writes a few hundred thousand cells and a thousand small workbooks, and
xlsxwriter spends about 10 µs a cell and 2 ms a workbook on its own. Two ways around that keep
xlsxwriter for everything but the rows: ``FastSheet`` (a worksheet whose table body is turned into XML in
one pass, about 1 µs a cell) and ``PatternBook`` (a layout built once by xlsxwriter, then filled with
each file's rows and zipped as zipfile would). Both write text cells inline and escaped, never parsed.
They override a few private xlsxwriter hooks, checked when this module is imported: where an
xlsxwriter release lacks one (``FAST`` is False, and a warning says so), every table is written cell by
cell through xlsxwriter's public API instead — the same values and formats, slower. tests/
test_outputs_xlsxutil.py compares both ways with xlsxwriter's own writing.
"""

from __future__ import annotations

import datetime as dt
import inspect
import io
import logging
import re
import struct
import sys
import zlib
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator, NamedTuple, Sequence
from zipfile import ZipFile

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ccht_batch.core.files import write_file
from ccht_batch.xlsx.util import cell_text, new_workbook

# ---------------------------------------------------------------------------------------------------
# The xlsxwriter internals this module relies on

_HOOKS = ("_write_sheet_data", "_write_dimension", "_write_rows", "_check_dimensions", "_xml_start_tag", "_xml_end_tag")
_STATE = ("table", "row_info", "comments", "dim_rowmin", "dim_rowmax", "dim_colmin", "dim_colmax")
_RANGE_DATA = ["self", "row_start", "col_start", "row_end", "col_end"]


def hooks_mismatch(worksheet_class: type = Worksheet) -> str | None:
    """None when ``worksheet_class`` has every internal ``FastSheet`` overrides or reads, as expected;
    else the first one that differs."""
    for name in _HOOKS:
        if not callable(getattr(worksheet_class, name, None)):
            return name
    sample = worksheet_class()
    for name in _STATE:
        if not hasattr(sample, name):
            return name
    get = getattr(worksheet_class, "_get_range_data", None)
    if get is None or list(inspect.signature(get).parameters) != _RANGE_DATA:
        return "_get_range_data"
    return None


_MISMATCH = hooks_mismatch()
FAST = _MISMATCH is None
if not FAST:
    logging.getLogger(__name__).warning(
        "xlsxwriter %s has no usable %s: tables are written cell by cell (same content, slower)", xlsxwriter.__version__, _MISMATCH
    )


_LINES: dict[tuple[str, int], int] = {}  # (text, characters per line) → lines


def _lines(text: str, per_line: int) -> int:
    key = (text, per_line)
    n = _LINES.get(key)
    if n is None:
        n = sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))
        if len(_LINES) > 200_000:
            _LINES.clear()
        _LINES[key] = n
    return n


def row_heights(rows: Sequence[Sequence[Any]], widths: Sequence[float], font_size: float, wrapped: Sequence[int]) -> list[float | None]:
    """``text_height`` of each row, looking only at the ``wrapped`` columns (the others never wrap).

    Same figures as ``text_height`` row by row; the per-column line lengths are worked out once and the
    line count of a long text is remembered (the same texts recur in every unit's rows).
    """
    per_unit = 1.05 * 11 / font_size
    limits = [(c, max(1, int(widths[c] * per_unit) - 1)) for c in wrapped]
    known = _LINES.get
    out: list[float | None] = []
    for values in rows:
        lines = 1
        count = len(values)
        for c, per_line in limits:
            if c >= count:
                continue
            value = values[c]
            kind = value.__class__
            if kind is Styled:
                value = value.value
                kind = value.__class__
            if kind is str and (len(value) > per_line or "\n" in value):
                n = known((value, per_line)) or _lines(value, per_line)
                if n > lines:
                    lines = n
        out.append(None if lines == 1 else round(lines * font_size * 1.3 + 2, 1))
    return out


# ---------------------------------------------------------------------------------------------------
# Table bodies written in one pass


class Styled(NamedTuple):
    """A value with its own format, for the one cell of a column that looks different."""

    value: Any
    fmt: Any


_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f]|_x[0-9a-fA-F]{4}_")
_LOOKS_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


_TEXT_TAILS: dict[str, str] = {}  # text → the rest of its cell element: the same texts recur in every unit's rows


def _text_tail(text: str) -> str:
    """What follows a text cell's reference and style: escaped as xlsxwriter escapes shared strings
    (control characters as ``_xHHHH_``), written inline: never parsed, so a unit's ``=HYPERLINK(...)`` or
    ``<r>...</r>`` stays text."""
    tail = _TEXT_TAILS.get(text)
    if tail is None:
        escaped = cell_text(text)
        if _NEEDS_ESCAPE.search(escaped):
            escaped = _LOOKS_ESCAPED.sub(r"_x005F\1", escaped)
            escaped = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", escaped)
            escaped = escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        space = ' xml:space="preserve"' if escaped[:1].isspace() or escaped[-1:].isspace() else ""
        tail = f' t="inlineStr"><is><t{space}>{escaped}</t></is></c>'
        if len(_TEXT_TAILS) > 200_000:
            _TEXT_TAILS.clear()
        _TEXT_TAILS[text] = tail
    return tail


def _style(fmt: Any) -> str:
    # the format's index in the styles part, as xlsxwriter numbers it when a cell first uses the format
    return f' s="{fmt._get_xf_index()}"' if fmt is not None else ""


def row_pieces(
    first_row: int,
    rows: Sequence[Sequence[Any]],
    formats: Sequence[Any],
    heights: Sequence[float | None] | None = None,
    blanks: bool = False,
    named: dict[str, Any] | None = None,
) -> Iterator[str]:
    """``<row>`` elements for ``rows`` from ``first_row`` (0-based), as xlsxwriter writes them, in
    pieces of some thousands of cells: a large sheet is never one list of its cells, nor one text.

    Values are typed as ``write_value`` types them; an empty value (None or "") leaves its cell unwritten,
    or, with ``blanks``, writes a formatted empty cell (borders). A ``Styled`` value always writes its
    cell; its format may be a key of ``named`` (plain data from another process names its formats).
    Heights are in points; an empty row without a height is left out.
    """
    ncols = max((len(r) for r in rows), default=0)
    heads = [f'<c r="{xl_col_to_name(c)}' for c in range(ncols)]
    styles = [_style(f) for f in formats] + [""] * max(0, ncols - len(formats))
    named_styles = {k: _style(f) for k, f in (named or {}).items()}
    tails = _TEXT_TAILS.get
    out: list[str] = []
    add = out.append
    for i, values in enumerate(rows):
        if len(out) > 20_000:
            yield "".join(out)
            out.clear()
        r = first_row + i + 1
        height = heights[i] if heights is not None else None
        if not values and height is None:
            continue
        if height is not None:
            add(f'<row r="{r}" ht="{int(height * 4.0 / 3.0 + 0.5) * 0.75:.16g}" customHeight="1">')
        else:
            add(f'<row r="{r}">')
        at = f'{r}"'
        for c, value in enumerate(values):
            kind = value.__class__
            if kind is str:
                if value:
                    add(f"{heads[c]}{at}{styles[c]}{tails(value) or _text_tail(value)}")
                elif blanks and styles[c]:
                    add(f"{heads[c]}{at}{styles[c]}/>")
                continue
            style = styles[c]
            keep = blanks
            if kind is Styled:
                style = named_styles[value.fmt] if value.fmt.__class__ is str else _style(value.fmt)
                value = value.value
                kind = value.__class__
                keep = True
            if kind is float or kind is int or kind is Decimal:
                add(f"{heads[c]}{at}{style}><v>{float(value):.16G}</v></c>")
            elif value is None or value == "":
                if keep and style:
                    add(f"{heads[c]}{at}{style}/>")
            elif kind is str:
                add(f"{heads[c]}{at}{style}{tails(value) or _text_tail(value)}")
            elif kind is bool:
                add(f"{heads[c]}{at}{style}{_text_tail('Có' if value else 'Không')}")
            elif isinstance(value, (dt.date, dt.datetime)):
                add(f"{heads[c]}{at}{style}{_text_tail(value.strftime('%d/%m/%Y'))}")
            elif isinstance(value, (int, float, Decimal)):
                add(f"{heads[c]}{at}{style}><v>{float(value):.16G}</v></c>")
            else:
                add(f"{heads[c]}{at}{style}{_text_tail(str(value))}")
        add("</row>")
    yield "".join(out)


class FastSheet(Worksheet):
    """A worksheet whose table body is written in one pass when the workbook closes.

    xlsxwriter spends about 10 µs on every cell (argument checks when it is written, an attribute list
    and escaping when the file is assembled), and a month of a thousand units is a few hundred thousand
    cells. Rows given to ``add_rows`` are turned into XML at once (``row_pieces``: the same elements
    xlsxwriter writes, text inline) for about a microsecond a cell. Everything else — columns, panes,
    filters, page set-up, cells written the usual way — stays xlsxwriter's. Cells written the usual way
    must lie above the added rows; row heights of the added rows come with them, not from ``set_row``.
    Create with ``wb.add_worksheet(name, worksheet_class=FastSheet)``.

    It overrides three of xlsxwriter's internal steps (``_write_sheet_data``, ``_write_dimension``,
    ``_get_range_data``) and reads its cell table; tests/test_outputs_xlsxutil.py compares the result
    with xlsxwriter's own writing, so an xlsxwriter upgrade that changes them fails there first.
    """

    def __init__(self) -> None:
        super().__init__()
        self._bulk: list[bytes] = []  # the rows' XML, UTF-8: half the memory of text
        self._bulk_first: int | None = None
        self._bulk_next = 0
        self._bulk_values: dict[int, Sequence[Any]] = {}

    def add_rows(
        self,
        first_row: int,
        rows: Sequence[Sequence[Any]],
        formats: Sequence[Any],
        heights: Sequence[float | None] | None = None,
        blanks: bool = False,
        named: dict[str, Any] | None = None,
    ) -> None:
        """Append ``rows`` from ``first_row`` (0-based, below any earlier added row); ``formats`` is one
        format per column, a ``Styled`` value overrides it for its cell (see ``row_pieces``)."""
        if not rows:
            return
        if not FAST:
            write_rows_plainly(self, first_row, rows, formats, heights, blanks, named)
            return
        if self._bulk_first is None:
            self._bulk_first = first_row
        elif first_row < self._bulk_next:
            raise ValueError(f"rows must be added top to bottom (row {first_row} < {self._bulk_next})")
        width = max(len(r) for r in rows)
        self._bulk += [p.encode("utf-8") for p in row_pieces(first_row, rows, formats, heights, blanks, named)]
        self._bulk_next = first_row + len(rows)
        self._check_dimensions(first_row, 0)
        self._check_dimensions(self._bulk_next - 1, max(width - 1, 0))
        for i, values in enumerate(rows):  # kept for charts that read their cached values from the sheet
            self._bulk_values[first_row + i] = values

    def _write_sheet_data(self) -> None:
        if not FAST or (not self._bulk and not self.pattern):
            super()._write_sheet_data()
            return
        above = [r for r in set(self.table) | set(self.row_info) | set(self.comments) if self.table.get(r) or r in self.row_info or r in self.comments]
        if above and self._bulk_first is not None and max(above) >= self._bulk_first:
            raise ValueError(f"cells written the usual way at or below row {self._bulk_first + 1}, where the added rows start")
        self._xml_start_tag("sheetData")
        if above:
            last = self.dim_rowmax
            self.dim_rowmax = max(above)
            try:
                self._write_rows()
            finally:
                self.dim_rowmax = last
        if self.pattern:
            self.fh.write(_ROWS_MARK)
        else:
            write_utf8 = getattr(self.fh, "write_utf8", None)  # a Utf8Part takes the pieces as they are
            for piece in self._bulk:  # piece by piece: a large sheet's XML is not copied whole once more
                if write_utf8 is not None:
                    write_utf8(piece)
                else:
                    self.fh.write(piece.decode("utf-8"))
            self._bulk = []  # written: its memory goes back before the next sheet's
        self._xml_end_tag("sheetData")

    def _get_range_data(self, row_start, col_start, row_end, col_end):
        if not self._bulk_values:
            return super()._get_range_data(row_start, col_start, row_end, col_end)
        data: list[Any] = []
        for r in range(row_start, row_end + 1):
            values = self._bulk_values.get(r)
            if values is None:
                data += super()._get_range_data(r, col_start, r, col_end)
                continue
            for c in range(col_start, col_end + 1):
                v = values[c] if c < len(values) else None
                if v.__class__ is Styled:
                    v = v.value
                if v is None or v == "":
                    data.append(None)
                elif isinstance(v, bool):
                    data.append("Có" if v else "Không")
                elif isinstance(v, (int, float, Decimal)):
                    data.append(f"{float(v):.16g}")
                elif isinstance(v, (dt.date, dt.datetime)):
                    data.append(v.strftime("%d/%m/%Y"))
                else:
                    data.append(str(v))
        return data

    # -- pattern mode (see PatternBook): marks where each file's dimension and rows go

    pattern = False

    def _write_dimension(self) -> None:
        if self.pattern and FAST:
            self.fh.write(f'<dimension ref="{_DIM_MARK}"/>')
        else:
            super()._write_dimension()


def write_rows_plainly(
    ws: Worksheet,
    first_row: int,
    rows: Sequence[Sequence[Any]],
    formats: Sequence[Any],
    heights: Sequence[float | None] | None = None,
    blanks: bool = False,
    named: dict[str, Any] | None = None,
    remap: dict[int, Any] | None = None,
) -> None:
    """What ``row_pieces`` writes, cell by cell through xlsxwriter's public API (when ``FAST`` is False).
    ``remap`` maps a format (by ``id``) to its twin in this workbook (``PatternBook``'s fallback)."""

    def fmt(f: Any) -> Any:
        f = named[f] if f.__class__ is str and named else f
        return remap.get(id(f), f) if remap and f is not None else f

    column_formats = [fmt(f) for f in formats]
    for i, values in enumerate(rows):
        r = first_row + i
        if heights is not None and heights[i] is not None:
            ws.set_row(r, heights[i])
        for c, value in enumerate(values):
            style = column_formats[c] if c < len(column_formats) else None
            keep = blanks
            if value.__class__ is Styled:
                style, value, keep = fmt(value.fmt), value.value, True
            if value is None or value == "":
                if keep and style is not None:
                    ws.write_blank(r, c, None, style)
            elif isinstance(value, bool):
                ws.write_string(r, c, "Có" if value else "Không", style)
            elif isinstance(value, (int, float, Decimal)):
                ws.write_number(r, c, float(value), style)
            elif isinstance(value, (dt.date, dt.datetime)):
                ws.write_string(r, c, value.strftime("%d/%m/%Y"), style)
            else:
                ws.write_string(r, c, cell_text(str(value)), style)


def use_formats(*formats: Any) -> None:
    """Give formats their index now: a format only ``add_rows`` uses is otherwise left out of the styles."""
    for f in formats:
        f._get_xf_index()


# ---------------------------------------------------------------------------------------------------
# Many workbooks of one layout


_DIM_MARK = "\x00dim\x00"
_ROWS_MARK = "\x00rows\x00"
_MARKS = re.compile(r"(\x00\w+\x00|\{\{\w+\}\})")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


class SheetRows(NamedTuple):
    """One sheet's rows for ``PatternBook.write``: their XML (``row_pieces``), where they start, how many
    rows and columns they span; without ``FAST``, the values themselves instead of the XML."""

    xml: str
    first_row: int
    rows: int
    cols: int
    plain: tuple | None = None  # (rows, formats, heights, blanks) when not FAST

    @classmethod
    def of(cls, first_row: int, rows: Sequence[Sequence[Any]], formats: Sequence[Any], heights: Sequence[float | None] | None = None, blanks: bool = False) -> "SheetRows":
        cols = max((len(r) for r in rows), default=0)
        if not FAST:
            return cls("", first_row, len(rows), cols, (rows, formats, heights, blanks))
        return cls("".join(row_pieces(first_row, rows, formats, heights, blanks)), first_row, len(rows), cols)


def _ref(row_min: int, col_min: int, row_max: int, col_max: int) -> str:
    first = f"{xl_col_to_name(col_min)}{row_min + 1}"
    return first if (row_min, col_min) == (row_max, col_max) else f"{first}:{xl_col_to_name(col_max)}{row_max + 1}"


# A zip as ``zipfile`` writes it (what xlsxwriter uses), with the parts that never change compressed once.
_ZIP_CREATE_SYSTEM = 0 if sys.platform == "win32" else 3  # as zipfile.ZipInfo
_ZIP_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, xlsxwriter's fixed part date; time 00:00:00
_ZIP_ATTR = 0o600 << 16  # zipfile's default for written data


class ZipPart(NamedTuple):
    """One compressed part of a zip: its name, CRC, size and deflated bytes."""

    name: bytes
    crc: int
    size: int
    data: bytes

    @classmethod
    def of(cls, name: str, raw: bytes, level: int = zlib.Z_DEFAULT_COMPRESSION) -> "ZipPart":
        """``level`` as zlib's; the default is zipfile's (``ZIP_DEFLATED``)."""
        deflate = zlib.compressobj(level, zlib.DEFLATED, -15)
        return cls(name.encode("ascii"), zlib.crc32(raw), len(raw), deflate.compress(raw) + deflate.flush())


FAST_DEFLATE = 1


def zip_bytes(parts: Sequence[ZipPart]) -> bytes:
    """The bytes ``zipfile`` writes for these parts (``ZIP_DEFLATED``, 1980-01-01 dates); small archives
    only (no zip64). Tested against ``zipfile`` byte for byte."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for p in parts:
        local = struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, 0, 8, 0, _ZIP_DOS_DATE, p.crc, len(p.data), p.size, len(p.name), 0)
        central.append(
            struct.pack(
                "<4s4B4HL2L5H2L", b"PK\x01\x02", 20, _ZIP_CREATE_SYSTEM, 20, 0, 0, 8, 0, _ZIP_DOS_DATE,
                p.crc, len(p.data), p.size, len(p.name), 0, 0, 0, 0, _ZIP_ATTR, offset,
            )
            + p.name
        )
        out += (local, p.name, p.data)
        offset += len(local) + len(p.name) + len(p.data)
    directory = b"".join(central)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(directory), offset, 0)
    return b"".join(out) + directory + end


class PatternBook:
    """Workbooks of one layout: xlsxwriter builds the layout once, each file adds only its rows.

    A thousand feedback workbooks share everything but their rows and a few texts, and xlsxwriter
    spends about 2 ms a file assembling styles, theme, properties and sheet set-up that never change.
    ``build`` lays the workbook out once, with ``FastSheet`` sheets in pattern mode, constant cells (the
    table headers) written the usual way and ``{{name}}`` marks in the texts that vary (the title is
    ``{{title}}``); ``write`` then fills each file's rows and texts into the parts and zips them as
    xlsxwriter does, so the bytes are what xlsxwriter would write with inline text.
    """

    def __init__(self, build: Any):
        self._build = build
        buf = io.BytesIO()
        wb = new_workbook(buf, title="{{title}}")
        build(wb)
        sheets = wb.worksheets()
        for ws in sheets:
            if not isinstance(ws, FastSheet) or not ws.pattern:
                raise TypeError("every sheet of a pattern is a FastSheet with pattern = True")
        self._formats = list(wb.formats)  # the layout's formats, in the order ``build`` makes them
        if not FAST:
            return  # each file is built whole by xlsxwriter (``_write_plainly``)
        wb.close()
        self._normal = [
            (ws.dim_rowmin, ws.dim_colmin, ws.dim_rowmax, ws.dim_colmax) if ws.dim_rowmin is not None else None for ws in sheets
        ]
        self._parts: list[tuple[str, list[str] | ZipPart]] = []
        with ZipFile(buf) as z:
            for info in z.infolist():
                data = z.read(info)
                text = data.decode("utf-8") if info.filename.endswith((".xml", ".rels")) else None
                if text is not None and ("\x00" in text or "{{" in text):
                    self._parts.append((info.filename, _MARKS.split(text)))
                else:
                    self._parts.append((info.filename, ZipPart.of(info.filename, data)))
        self._sheet_part = {f"xl/worksheets/sheet{i + 1}.xml": i for i in range(len(sheets))}

    def _dimension(self, index: int, rows: SheetRows | None) -> str:
        normal = self._normal[index]
        dims = [normal] if normal else []
        if rows is not None and rows.rows:
            dims.append((rows.first_row, 0, rows.first_row + rows.rows - 1, max(rows.cols - 1, 0)))
        if not dims:
            return "A1"
        return _ref(min(d[0] for d in dims), min(d[1] for d in dims), max(d[2] for d in dims), max(d[3] for d in dims))

    def write(self, path: Path | str, sheets: Sequence[SheetRows | None], texts: dict[str, str], atomic: bool = True) -> Path:
        """Write one workbook: ``sheets`` in sheet order, ``texts`` for the ``{{name}}`` marks (plain
        text; escaped here). ``atomic=False`` writes in place (see ``write_file``)."""
        path = Path(path)
        if not FAST:
            return self._write_plainly(path, sheets, texts, atomic)
        values = {f"{{{{{k}}}}}": v.translate(_XML_ESCAPES) for k, v in texts.items()}
        parts: list[ZipPart] = []
        for name, part in self._parts:
            if isinstance(part, ZipPart):
                parts.append(part)
                continue
            index = self._sheet_part.get(name)
            fill = values
            if index is not None:
                rows = sheets[index] if index < len(sheets) else None
                if rows is not None and rows.rows and self._normal[index] and rows.first_row <= self._normal[index][2]:
                    raise ValueError(f"rows of sheet {index + 1} start at row {rows.first_row + 1}, over the layout's own cells")
                fill = {**values, _DIM_MARK: self._dimension(index, rows), _ROWS_MARK: rows.xml if rows is not None else ""}
            try:
                text = "".join(fill[p] if i % 2 else p for i, p in enumerate(part))
            except KeyError as exc:
                raise KeyError(f"no text for the mark {exc} of {name}") from None
            # parts that differ per file: zlib's fastest level (about twice as fast, some 10 % bigger)
            parts.append(ZipPart.of(name, text.encode("utf-8"), FAST_DEFLATE))
        write_file(path, zip_bytes(parts), atomic)
        return path

    def _write_plainly(self, path: Path, sheets: Sequence[SheetRows | None], texts: dict[str, str], atomic: bool) -> Path:
        """Without ``FAST``: build the whole workbook with xlsxwriter, the layout's formats mapped to their
        twins in the new workbook (``build`` makes them in the same order) and the marks filled in."""
        buf = io.BytesIO()
        wb = new_workbook(buf, title=texts.get("title", ""))
        self._build(wb)
        twins = {id(old): new for old, new in zip(self._formats, wb.formats)}
        for ws, rows in zip(wb.worksheets(), sheets):
            ws.pattern = False
            for key, text in texts.items():
                ws.header = ws.header.replace(f"{{{{{key}}}}}", text)
                ws.footer = ws.footer.replace(f"{{{{{key}}}}}", text)
            if rows is not None and rows.plain is not None:
                values, formats, heights, blanks = rows.plain
                write_rows_plainly(ws, rows.first_row, values, formats, heights, blanks, remap=twins)
        wb.close()
        write_file(path, buf.getvalue(), atomic)
        return path
