"""Reading one submitted file: safe opening, python-calamine values, and where the formulas are.

``read_file`` is what a reading worker runs for each file in ``input/``. It opens the file once: the bytes
are read once (and hashed as they are), checked by ``safety``, then python-calamine reads only the sheets
validation needs into plain Python lists. python-calamine shows a formula's cached value but not that
there was a formula, and a unit's formula in a score cell must be refused (DESIGN.md §5), so the sheet XML
of those sheets is scanned for formula cells too — a bytes test first, since most cells have none.
Everything about what the values mean is in ``validate``; this module only turns a file into a
``RawBook``.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import os
import re
import struct
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterator, Mapping

import defusedxml.ElementTree as SafeET
from python_calamine import CalamineWorkbook

from ccht_batch.config.model import Config
from ccht_batch.core import issues
from ccht_batch.core.files import hash_stream
from ccht_batch.core.records import ACCEPTED, REJECTED, FileRecord
from ccht_batch.forms import layout
from ccht_batch.forms.appraisal import SHEET as APPRAISAL_SHEET
from ccht_batch.intake import safety

# Sheets whose input cells may hold a unit's formula (the appraisal sheet is the Office's input).
SCANNED_SHEETS = (layout.SHEET_SCORES, layout.SHEET_INDICATORS, layout.SHEET_PERSONS, APPRAISAL_SHEET)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


class FormulaCells(Mapping):
    """(row, col) → formula text of one worksheet part; the text is only decoded for cells asked about."""

    def __init__(self, xml: bytes, offsets: dict[tuple[int, int], int]):
        self._xml = xml
        self._offsets = offsets

    def get(self, key: tuple[int, int], default: Any = None) -> Any:
        offset = self._offsets.get(key)
        return default if offset is None else _formula_text(self._xml, offset)

    def __getitem__(self, key: tuple[int, int]) -> str:
        return _formula_text(self._xml, self._offsets[key])

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(self._offsets)

    def __len__(self) -> int:
        return len(self._offsets)


@dataclass
class RawSheet:
    """A sheet as plain values, indexed as Excel shows them (row 0 is row 1, column 0 is A)."""

    name: str
    rows: list[list[Any]]
    formulas: Mapping[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → formula text

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


# ---------------------------------------------------------------------------------------------------
# One file → FileRecord


def read_file(path: Path, config: Config, period: str) -> FileRecord:
    """Read, check and validate one file; never raises (a surprise becomes issue ``file-corrupt``)."""
    from ccht_batch.intake import validate  # validate imports this module's RawBook

    path = Path(path)
    record = FileRecord(name=path.name, sha256=None, size=0, mtime=0.0, status=REJECTED)
    found: list[issues.Issue] = []
    try:
        with open(path, "rb") as fh:
            stat = os.fstat(fh.fileno())
            record.size, record.mtime = stat.st_size, stat.st_mtime
            try:
                safety.check_file_size(stat.st_size, config.settings.limits)
            except safety.Refused:
                record.sha256 = hash_stream(fh)
                raise
            data = fh.read()
        record.sha256 = hashlib.sha256(data).hexdigest()
        book = open_book(data, config, path)
        outcome = validate.validate_book(book, config, period, path.name, record.sha256)
        after = os.stat(path)
        if (after.st_size, after.st_mtime_ns) != (stat.st_size, stat.st_mtime_ns) or len(data) != stat.st_size:
            raise safety.corrupt("tệp bị thay đổi trong lúc đọc (đang được chép hoặc lưu?); hãy chạy lại khi tệp đã lưu xong")
        record.kind, record.unit_code, record.year = outcome.kind, outcome.unit_code, outcome.year
        record.submission, record.appraisal = outcome.submission, outcome.appraisal
        found = outcome.issues
    except safety.Refused as refused:
        found = [issues.make(code, file=path.name, **params) for code, params in refused.problems]
    except PermissionError:
        found = [issues.make("file-corrupt", file=path.name, detail="không có quyền đọc, hoặc tệp đang mở trong chương trình khác")]
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # noqa: BLE001 — pyo3 panics derive from BaseException
        detail = f"lỗi không mong đợi khi đọc; chi tiết kỹ thuật cho người bảo trì: {type(exc).__name__}: {exc}"
        found = found + [issues.make("file-corrupt", file=path.name, unit_code=record.unit_code, detail=detail[:300])]
        record.submission = record.appraisal = None
    record.issues = found
    record.status = REJECTED if issues.has_errors(found) else ACCEPTED
    if record.status == REJECTED:
        record.submission = record.appraisal = None
    return record


# ---------------------------------------------------------------------------------------------------
# Bytes → RawBook


def open_book(data: bytes, config: Config, path: Path | None = None) -> RawBook:
    """Check the container, open it with python-calamine, and attach the formula scan of each format.

    ``path``, when given, is the file ``data`` was read from: python-calamine opens it by path (its
    fastest way) when the extension matches the content, and from the bytes otherwise.
    """
    limits = config.settings.limits
    kind = safety.sniff(data)
    if kind == "empty":
        raise safety.corrupt("tệp rỗng (0 byte)")
    if kind == "other":
        raise safety.refuse("not-a-workbook", detail="nội dung không phải định dạng bảng tính Excel/LibreOffice")
    scanner: Callable[[str], Mapping[tuple[int, int], str]]
    if kind == "zip":
        zf = safety.open_zip(data, limits)
        container = safety.zip_kind(zf, data)
        if container == "ooxml":
            parts = _ooxml_sheet_parts(data, zf)
            scanner = lambda name: scan_sheet_xml(safety.read_member(data, zf, parts.get(nfc(name), "")) or b"")
        elif container == "ods":
            if safety.ods_encrypted(data, zf):
                raise safety.refuse("file-encrypted")
            ods = _Lazy(lambda: scan_ods(safety.read_member(data, zf, "content.xml") or b"", _SCANNED_NFC))
            scanner = lambda name: ods().get(nfc(name), {})
        else:
            raise safety.refuse("not-a-workbook", detail=_OTHER_ZIP.get(container, _OTHER_ZIP["zip"]))
    else:
        container = "xls"
        ole = safety.OleFile.parse(data)
        if ole.encrypted_package:
            raise safety.refuse("file-encrypted")
        stream_name = ole.workbook_stream
        if stream_name is None:
            raise safety.refuse("not-a-workbook", detail="tệp Office cũ (Word/PowerPoint), không phải bảng tính")
        stream = ole.stream(stream_name, limits.max_uncompressed_mb * safety.MB) or b""
        if safety.biff_encrypted(stream):
            raise safety.refuse("file-encrypted")
        biff = _Lazy(lambda: scan_biff(stream, _SCANNED_NFC) if stream_name == "Workbook" else {})
        scanner = lambda name: biff().get(nfc(name), {})
    try:
        if path is not None and path.suffix.lower() in _SUFFIXES[container]:
            workbook = CalamineWorkbook.from_path(str(path))
        else:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(workbook.sheet_names)
    except Exception as exc:  # CalamineError, PasswordError, XmlError, ZipError...
        raise _calamine_refusal(exc) from None

    def load(name: str) -> RawSheet:
        try:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:
            raise _calamine_refusal(exc) from None
        return RawSheet(name=nfc(name), rows=rows, formulas=scanner(name) if nfc(name) in _SCANNED_NFC else {})

    return RawBook(names, load)


def _calamine_refusal(exc: Exception) -> safety.Refused:
    if type(exc).__name__ == "PasswordError":
        return safety.refuse("file-encrypted")
    # calamine's own words are English and mean nothing to a unit; they say the same thing anyway
    return safety.corrupt("nội dung bảng tính bị hỏng hoặc không đúng định dạng")


_SUFFIXES = {"ooxml": (".xlsx", ".xlsm"), "ods": (".ods",), "xls": (".xls",)}
_SCANNED_NFC = {nfc(s) for s in SCANNED_SHEETS}
_OTHER_ZIP = {
    "docx": "tệp Word (.docx) được đổi đuôi",
    "pptx": "tệp PowerPoint (.pptx) được đổi đuôi",
    "odf": "tài liệu OpenDocument không phải bảng tính",
    "zip": "tệp nén không chứa bảng tính",
}


class _Lazy:
    """Compute once, on first use: a file whose kind needs no scan never pays for it."""

    def __init__(self, fn: Callable[[], Any]):
        self._fn = fn
        self._done = False
        self._value: Any = None

    def __call__(self) -> Any:
        if not self._done:
            self._value, self._done = self._fn(), True
        return self._value


# ---------------------------------------------------------------------------------------------------
# .xlsx / .xlsm: sheet XML

_NS_SHEET = re.compile(r"\}sheet$")


def _ooxml_sheet_parts(data: bytes, zf: safety.ZipIndex) -> dict[str, str]:
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
    offsets: dict[tuple[int, int], int] = {}
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


def _formula_offsets_walk(xml: bytes) -> dict[tuple[int, int], int]:
    offsets: dict[tuple[int, int], int] = {}
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
    return offsets


# ---------------------------------------------------------------------------------------------------
# .ods: content.xml

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
REPEAT_CAP = 1000  # a formula repeated over more rows or columns than this is recorded once per row


def scan_ods(content: bytes, wanted: set[str]) -> dict[str, dict[tuple[int, int], str]]:
    """Formula cells of the wanted tables (sheets) of an ODS document, positions as Excel shows them."""
    if not content or b"formula" not in content:
        return {}
    out: dict[str, dict[tuple[int, int], str]] = {}
    current: dict[tuple[int, int], str] | None = None
    row, col, row_repeat, depth = -1, 0, 1, 0
    for event, elem in SafeET.iterparse(io.BytesIO(content), events=("start", "end"), forbid_dtd=True):
        tag = elem.tag
        if event == "start":
            if tag == _TABLE + "table":
                depth += 1
                if depth == 1:
                    name = nfc(elem.get(_TABLE + "name") or "")
                    current = out.setdefault(name, {}) if name in wanted else None
                    row = -1
            elif current is not None and depth == 1 and tag == _TABLE + "table-row":
                row += 1
                col = 0
                row_repeat = _int(elem.get(_TABLE + "number-rows-repeated"))
            elif current is not None and depth == 1 and tag in (_TABLE + "table-cell", _TABLE + "covered-table-cell"):
                repeat = _int(elem.get(_TABLE + "number-columns-repeated"))
                formula = elem.get(_TABLE + "formula")
                if formula:
                    text = formula.split(":", 1)[1] if formula.startswith("of:") else formula
                    for dr in range(min(row_repeat, REPEAT_CAP)):
                        for dc in range(min(repeat, REPEAT_CAP)):
                            current[(row + dr, col + dc)] = text[:80]
                col += repeat
        else:
            if tag == _TABLE + "table":
                depth -= 1
                if depth == 0:
                    current = None
            elif tag == _TABLE + "table-row" and depth == 1:
                row += row_repeat - 1
                row_repeat = 1
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


def scan_biff(stream: bytes, wanted: set[str]) -> dict[str, dict[tuple[int, int], str]]:
    """Formula cells of the wanted sheets of a BIFF8 workbook stream (FORMULA records)."""
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
    out: dict[str, dict[tuple[int, int], str]] = {}
    for offset, name in sheets:
        if name not in wanted:
            continue
        cells: dict[tuple[int, int], str] = {}
        pos = offset
        while pos + 4 <= n:
            rtype, size = struct.unpack_from("<HH", stream, pos)
            if rtype == BIFF_FORMULA and size >= 4:
                r, c = struct.unpack_from("<HH", stream, pos + 4)
                cells[(r, c)] = "=…"
            elif rtype == BIFF_EOF:
                break
            pos += 4 + size
        if cells:
            out[name] = cells
    return out
