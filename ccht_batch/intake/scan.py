"""Where a unit typed formulas: python-calamine shows a formula's cached value but not that there was a
formula, and a unit's formula in a score cell must be refused (DESIGN.md §5). So the sheet XML (.xlsx),
the ``content.xml`` (.ods) or the BIFF records (.xls) of the scanned sheets are searched for formula cells,
with a bytes test first, since most cells have none.
"""

from __future__ import annotations

import functools
import html
import io
import re
import struct
from pathlib import PurePosixPath
from typing import Any, Iterator, Mapping

import defusedxml.ElementTree as SafeET

from ccht_batch.intake import safety
from ccht_batch.intake.raw import nfc


class FormulaCells(Mapping):
    """(row, col) → formula text of one worksheet part; the text is only decoded for cells asked about.

    A cell holding an error value without a formula (``<c t="e"><v>#REF!</v>``, which python-calamine
    reads as empty) is listed too, with the error as its text: it starts with ``#``, a formula with ``=``.
    """

    def __init__(self, xml: bytes, offsets: dict[tuple[int, int], int | str]):
        self._xml = xml
        self._offsets = offsets  # an offset of the <f> tag, or the error value's text

    def get(self, key: tuple[int, int], default: Any = None) -> Any:
        offset = self._offsets.get(key)
        return default if offset is None else self._text(offset)

    def _text(self, offset: int | str) -> str:
        return offset if isinstance(offset, str) else _formula_text(self._xml, offset)

    def __getitem__(self, key: tuple[int, int]) -> str:
        return self._text(self._offsets[key])

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(self._offsets)

    def __len__(self) -> int:
        return len(self._offsets)


# ---------------------------------------------------------------------------------------------------
# .xlsx / .xlsm: sheet XML

_NS_SHEET = re.compile(r"\}sheet$")


def ooxml_sheet_parts(data: bytes, zf: safety.ZipIndex) -> dict[str, str]:
    """Sheet name (NFC) → its part inside the archive, from the workbook and its relationships.

    Files made from one template share these parts byte for byte, so the answer is remembered by the
    parts' declared checksums and sizes: the parts are inflated and parsed once per distinct structure.
    """
    key = tuple((e.CRC, e.file_size) if e else None for e in (zf.by_name.get(n) for n in _STRUCTURE_PARTS))
    cached = _PARTS_CACHE.get(key)
    if cached is not None:
        return cached
    root_rels = safety.read_member(data, zf, "_rels/.rels") or b""
    book_part = _office_document(root_rels)
    book = safety.read_member(data, zf, book_part)
    if book is None:
        raise safety.corrupt("thiếu phần workbook của bảng tính")
    rels = safety.read_member(data, zf, _rels_part(book_part)) or b""
    parts = dict(_sheet_parts(book_part, book, rels))
    if book_part == "xl/workbook.xml":
        if len(_PARTS_CACHE) > 32:
            _PARTS_CACHE.clear()
        _PARTS_CACHE[key] = parts
    return parts


_STRUCTURE_PARTS = ("_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels")


_PARTS_CACHE: dict[tuple, dict[str, str]] = {}


def _rels_part(part: str) -> str:
    path = PurePosixPath(part)
    return str(path.parent / "_rels" / (path.name + ".rels"))


@functools.lru_cache(maxsize=32)
def _office_document(root_rels: bytes) -> str:
    if root_rels:
        for rel in SafeET.fromstring(root_rels, forbid_dtd=True):
            if str(rel.get("Type", "")).endswith("/officeDocument") and rel.get("Target"):
                return _resolve("", rel.get("Target"))
    return "xl/workbook.xml"


@functools.lru_cache(maxsize=32)
def _sheet_parts(book_part: str, book: bytes, rels: bytes) -> tuple[tuple[str, str], ...]:
    """Parsed once per distinct workbook structure: files from one template share it byte for byte."""
    base = str(PurePosixPath(book_part).parent)
    targets: dict[str, str] = {}
    if rels:
        for rel in SafeET.fromstring(rels, forbid_dtd=True):
            if rel.get("Id") and rel.get("Target"):
                targets[rel.get("Id")] = _resolve(base, rel.get("Target"))
    parts: list[tuple[str, str]] = []
    for elem in SafeET.fromstring(book, forbid_dtd=True).iter():
        if isinstance(elem.tag, str) and (elem.tag == "sheet" or _NS_SHEET.search(elem.tag)):
            rid = next((v for k, v in elem.attrib.items() if k == "id" or k.endswith("}id")), None)
            if rid in targets and elem.get("name") is not None:
                parts.append((nfc(elem.get("name")), targets[rid]))
    return tuple(parts)


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = [p for p in base.split("/") if p] if base else []
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


_FORMULA_TAG = re.compile(rb"<(?:[\w.-]+:)?f[\s/>]")


_FORMULA_TEXT = re.compile(rb"<(?:[\w.-]+:)?f\b[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?f>)", re.S)


_CELL_REF = re.compile(rb'\sr="([A-Z]{1,3})(\d{1,7})"')


_ROW_REF = re.compile(rb'(?:^|\s)r="(\d{1,7})"')


_TOKEN = re.compile(rb"<(?:[\w.-]+:)?(row|c)\b([^>]*?)(/?)>")


_CELL_END = re.compile(rb"</(?:[\w.-]+:)?c>")


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def sheet_extent(xml: bytes) -> safety.Extent:
    """How far the values of a worksheet part reach (``safety.Extent``).

    A cell with a value is one that is not self-closing (``<c r="A1" s="3"/>`` is a styled empty cell).
    The fast path reads the addresses of such cells with one regular expression; cells without an
    address of their own (their position follows from the row and the cells before) take the walk."""
    extent = safety.Extent()
    if not xml:
        return extent
    data_at = xml.find(b"<sheetData")
    data_end = xml.rfind(b"</sheetData>")
    if data_at < 0 or data_end < data_at:
        return _extent_walk(xml, extent)
    cells = xml.count(b"<c ", data_at, data_end) + xml.count(b"<c>", data_at, data_end)
    if cells != xml.count(b'<c r="', data_at, data_end):
        return _extent_walk(xml, extent)
    found = _VALUE_CELL.findall(xml, data_at, data_end)
    if found:
        letters = {col for col, _ in found}
        extent.add(max(int(row) for _, row in found), max(_col_index(col) for col in letters) + 1)
        if extent.beyond is not None:  # say which cell, not the corner of the range
            extent.beyond = next((int(r), _col_index(c) + 1) for c, r in found if int(r) > safety.EXCEL_ROWS or _col_index(c) >= safety.EXCEL_COLUMNS)
    return extent


_VALUE_CELL = re.compile(rb'<c r="([A-Z]+)([0-9]+)"[^>]*(?<!/)>')


@functools.lru_cache(maxsize=8)
def _outside(digits: int) -> re.Pattern:
    """A cell whose address is beyond columns A-Z or rows of ``digits`` digits, or a cell without its
    own address first (its position must be worked out)."""
    return re.compile(rb'<c (?:r="(?:[A-Z]{2}|[A-Z][0-9]{%d})|(?!r="))|<c>' % digits)


def fits_quickly(xml: bytes, max_cells: int) -> bool:
    """True when every cell of the part lies within columns A-Z and rows short enough that the whole
    box holds at most ``max_cells``: then no value can reach farther, and ``sheet_extent`` need not
    look at each cell. One search in C, where a template's sheet always fits; False means: look."""
    digits = len(str(max_cells // 26 + 1))  # rows of fewer digits than this stay below max_cells / 26
    data_at = xml.find(b"<sheetData")
    if data_at < 0:
        return not xml  # a prefixed namespace (<x:sheetData>): look
    return _outside(digits).search(xml, data_at) is None


def _extent_walk(xml: bytes, extent: safety.Extent) -> safety.Extent:
    row, col = 0, 0  # 1-based; 0 before the first
    for m in _TOKEN.finditer(xml):
        tag, attrs, empty = m.groups()
        if tag == b"row":
            ref = _ANY_ROW_REF.search(attrs)
            row = int(ref.group(1)) if ref else row + 1
            col = 0
            continue
        ref = _ANY_CELL_REF.search(b" " + attrs)
        if ref:
            row, col = int(ref.group(2)), _col_index(ref.group(1)) + 1
        else:
            col += 1
        if not empty:
            extent.add(max(row, 1), col)
    return extent


_ANY_CELL_REF = re.compile(rb'\sr="([A-Z]+)([0-9]+)"')
_ANY_ROW_REF = re.compile(rb'(?:^|\s)r="([0-9]+)"')


def _formula_text(xml: bytes, pos: int) -> str:
    m = _FORMULA_TEXT.match(xml, pos)
    body = m.group(1) if m else None
    if not body:
        return "=…"
    text = "=" + html.unescape(body.decode("utf-8", errors="replace"))
    return text if len(text) <= 80 else text[:79] + "…"


def scan_sheet_xml(xml: bytes) -> Mapping[tuple[int, int], str]:
    """Cells of a worksheet part that hold a formula: (row, col) zero-based → the formula's text.

    Formulas are rare, so the fast path looks for ``<f`` tags only (one pass in C) and reads the
    address of the cell each one opens (``<f>`` is always a cell's first child). A cell that does not
    write its address first, or a namespace prefix on every tag, sends the scan down the general walk.
    """
    if not xml:
        return {}
    data_at = xml.find(b"<sheetData")
    if data_at < 0:
        return FormulaCells(xml, _formula_offsets_walk(xml)) if _FORMULA_TAG.search(xml) else {}
    data_end = xml.rfind(b"</sheetData>")
    if data_end < data_at:
        data_end = len(xml)
    offsets: dict[tuple[int, int], int | str] = {}
    if xml.find(b't="e"', data_at, data_end) >= 0:  # error values: rarer still
        found = 0
        for m in _ERROR_CELL.finditer(xml, data_at, data_end):
            found += 1
            if not _FORMULA_TAG.search(m.group(3)):
                offsets[(int(m.group(2)) - 1, _col_index(m.group(1)))] = _error_text(m.group(3))
        if found != xml.count(b't="e"', data_at, data_end):
            return FormulaCells(xml, _formula_offsets_walk(xml))
    for m in _FORMULA_START.finditer(xml, data_at, data_end):
        pos = m.start()
        start = xml.rfind(b"<c", data_at, pos)
        if start < 0 or not xml.startswith(b'<c r="', start):
            return FormulaCells(xml, _formula_offsets_walk(xml))
        end = xml.find(b'"', start + 6, pos)
        ref = xml[start + 6 : end]
        letters = ref.rstrip(b"0123456789")
        digits = ref[len(letters) :]
        if not digits or not letters or not letters.isalpha():
            return FormulaCells(xml, _formula_offsets_walk(xml))
        offsets[(int(digits) - 1, _col_index(letters))] = pos
    return FormulaCells(xml, offsets) if offsets else {}


_FORMULA_START = re.compile(rb"<f[\s/>]")
_ERROR_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"[^>]*?\st="e"[^>/]*>(.*?)</c>', re.S)
_ERROR_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>([^<]{1,16})</(?:[\w.-]+:)?v>")


def _error_text(body: bytes) -> str:
    m = _ERROR_VALUE.search(body)
    return "#" + m.group(1).decode("ascii", errors="replace").lstrip("#") if m else "#ERROR"


def _formula_offsets_walk(xml: bytes) -> dict[tuple[int, int], int | str]:
    offsets: dict[tuple[int, int], int | str] = {}
    row, col = -1, -1
    for m in _TOKEN.finditer(xml):
        tag, attrs, empty = m.groups()
        if tag == b"row":
            ref = _ROW_REF.search(attrs)
            row = int(ref.group(1)) - 1 if ref else row + 1
            col = -1
            continue
        ref = _CELL_REF.search(b" " + attrs)
        if ref:
            row, col = int(ref.group(2)) - 1, _col_index(ref.group(1))
        else:
            col += 1
        if empty:
            continue
        end = _CELL_END.search(xml, m.end())
        stop = end.start() if end else len(xml)
        f = _FORMULA_TAG.search(xml, m.end(), stop)
        if f:
            offsets[(row, col)] = f.start()
        elif _ERROR_TYPE.search(attrs):
            offsets[(row, col)] = _error_text(xml[m.end() : stop])
    return offsets


_ERROR_TYPE = re.compile(rb'(?:^|\s)t="e"')


# ---------------------------------------------------------------------------------------------------
# .ods: content.xml

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


REPEAT_CAP = 1000  # a formula repeated over more rows or columns than this is recorded once per row


def scan_ods(content: bytes, wanted: set[str], extents: dict[str, safety.Extent] | None = None) -> dict[str, dict[tuple[int, int], str]]:
    """Formula cells of the wanted tables (sheets) of an ODS document, positions as Excel shows them.

    With ``extents``, also fill it with how far each table's values reach (``safety.Extent``), every
    repeat counted: a cell with a value repeated over 60 columns in a row repeated 500,000 times is 30
    million cells for a parser. LibreOffice's repeated empty rows and columns to the sheet's end hold no
    value and do not count."""
    if not content or (extents is None and b"formula" not in content):
        return {}
    out: dict[str, dict[tuple[int, int], str]] = {}
    current: dict[tuple[int, int], str] | None = None
    extent: safety.Extent | None = None
    row, col, row_repeat, depth = -1, 0, 1, 0
    cell_at = (0, 0, 1)  # the open cell's first column, its repeat, and the row's repeat
    cells = (_TABLE + "table-cell", _TABLE + "covered-table-cell")
    for event, elem in SafeET.iterparse(io.BytesIO(content), events=("start", "end"), forbid_dtd=True):
        tag = elem.tag
        if event == "start":
            if tag == _TABLE + "table":
                depth += 1
                if depth == 1:
                    name = nfc(elem.get(_TABLE + "name") or "")
                    current = out.setdefault(name, {}) if name in wanted else None
                    extent = extents.setdefault(name, safety.Extent()) if extents is not None else None
                    row = -1
            elif depth == 1 and tag == _TABLE + "table-row":
                row += 1
                col = 0
                row_repeat = _int(elem.get(_TABLE + "number-rows-repeated"))
            elif depth == 1 and tag in cells:
                repeat = _int(elem.get(_TABLE + "number-columns-repeated"))
                formula = elem.get(_TABLE + "formula")
                if formula and current is not None:
                    text = formula.split(":", 1)[1] if formula.startswith("of:") else formula
                    for dr in range(min(row_repeat, REPEAT_CAP)):
                        for dc in range(min(repeat, REPEAT_CAP)):
                            current[(row + dr, col + dc)] = text[:80]
                cell_at = (col, repeat, row_repeat)
                col += repeat
        else:
            if tag == _TABLE + "table":
                depth -= 1
                if depth == 0:
                    current = extent = None
            elif tag == _TABLE + "table-row" and depth == 1:
                row += row_repeat - 1
                row_repeat = 1
            elif extent is not None and depth == 1 and tag in cells and (len(elem) or elem.get(_OFFICE + "value-type") or elem.get(_TABLE + "formula")):
                first, repeat, rows = cell_at
                extent.add(row + rows, first + repeat)
            if tag in (_TABLE + "table-row", _TABLE + "table"):
                elem.clear()
    return {k: v for k, v in out.items() if v}


def _int(text: str | None) -> int:
    try:
        return max(1, int(text)) if text else 1
    except ValueError:
        return 1


# ---------------------------------------------------------------------------------------------------
# .xls: BIFF8 records

BIFF_EOF = 0x000A


BIFF_BOUNDSHEET = 0x0085


BIFF_FORMULA = 0x0006


BIFF_BOOLERR = 0x0205
BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!", 0x2A: "#N/A"}


# Records of cells that hold a value (row and column first); MULRK holds several (its last column last).
_BIFF_VALUE_CELLS = {0x0006, 0x00FD, 0x0203, 0x0204, 0x0205, 0x027E, 0x00D6}
BIFF_MULRK = 0x00BD


def _biff_sheets(stream: bytes) -> list[tuple[int, str]]:
    """(offset, NFC name) of each sheet's substream, from the workbook globals."""
    n = len(stream)
    sheets: list[tuple[int, str]] = []
    pos = 0
    while pos + 4 <= n:
        rtype, size = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + size]
        if rtype == BIFF_BOUNDSHEET and len(body) >= 8:
            offset, cch, flags = struct.unpack_from("<I", body, 0)[0], body[6], body[7]
            raw = body[8 : 8 + cch * (2 if flags & 1 else 1)]
            name = raw.decode("utf-16-le" if flags & 1 else "latin-1", errors="replace")
            sheets.append((offset, nfc(name)))
        elif rtype == BIFF_EOF and pos > 0:
            break
        pos += 4 + size
    return sheets


def biff_extents(stream: bytes) -> dict[str, safety.Extent]:
    """How far each sheet's values reach in a BIFF8 workbook stream (``safety.Extent``)."""
    n = len(stream)
    out: dict[str, safety.Extent] = {}
    for offset, name in _biff_sheets(stream):
        extent = out.setdefault(name, safety.Extent())
        pos = offset
        while pos + 4 <= n:
            rtype, size = struct.unpack_from("<HH", stream, pos)
            if rtype in _BIFF_VALUE_CELLS and size >= 4 and pos + 8 <= n:
                r, c = struct.unpack_from("<HH", stream, pos + 4)
                extent.add(r + 1, c + 1)
            elif rtype == BIFF_MULRK and size >= 6 and pos + 4 + size <= n:
                r = struct.unpack_from("<H", stream, pos + 4)[0]
                last = struct.unpack_from("<H", stream, pos + 4 + size - 2)[0]
                extent.add(r + 1, last + 1)
            elif rtype == BIFF_EOF:
                break
            pos += 4 + size
    return out


def scan_biff(stream: bytes, wanted: set[str]) -> dict[str, dict[tuple[int, int], str]]:
    """Formula cells of the wanted sheets of a BIFF8 workbook stream (FORMULA records), and error values
    (BOOLERR records holding an error)."""
    n = len(stream)
    out: dict[str, dict[tuple[int, int], str]] = {}
    for offset, name in _biff_sheets(stream):
        if name not in wanted:
            continue
        cells: dict[tuple[int, int], str] = {}
        pos = offset
        while pos + 4 <= n:
            rtype, size = struct.unpack_from("<HH", stream, pos)
            if rtype == BIFF_FORMULA and size >= 4:
                r, c = struct.unpack_from("<HH", stream, pos + 4)
                cells[(r, c)] = "=…"
            elif rtype == BIFF_BOOLERR and size >= 8 and stream[pos + 11] == 1:  # an error value, not a boolean
                r, c = struct.unpack_from("<HH", stream, pos + 4)
                cells[(r, c)] = BIFF_ERRORS.get(stream[pos + 10], "#ERROR")
            elif rtype == BIFF_EOF:
                break
            pos += 4 + size
        if cells:
            out[name] = cells
    return out
