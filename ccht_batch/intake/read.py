"""Reading one submitted file in a reading worker: safe opening, python-calamine values, where the formulas
are, and the record that crosses back to the main process.

``read_raw`` is what a reading worker runs for each file in ``input/``. It opens the file once: the bytes
are read once (and hashed as they are), checked by ``safety``, then python-calamine reads only the sheets
validation needs into plain Python lists. python-calamine shows a formula's cached value but not that
there was a formula, and a unit's formula in a score cell must be refused (DESIGN.md §5), so the sheet XML
of those sheets is scanned for formula cells too — a bytes test first, since most cells have none.
``validate`` reads the structure and hands over the raw values of the input cells; what they mean is
checked in the main process, for all files at once (``intake.values``). Nothing here imports pandas.

A record crosses the process boundary as plain nested tuples (``pack``/``unpack``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
from pathlib import Path
from typing import Any, Callable, Mapping

from python_calamine import CalamineWorkbook

from ccht_batch.config.model import Config, Limits
from ccht_batch.core import issues
from ccht_batch.core.files import hash_stream
from ccht_batch.core.records import ACCEPTED, IGNORED, REJECTED, FileRecord, RawValues
from ccht_batch.forms import layout
from ccht_batch.intake import safety, validate
from ccht_batch.intake.raw import RawBook, RawSheet, nfc
from ccht_batch.intake.scan import (
    biff_extents,
    fits_quickly,
    ooxml_sheet_parts,
    scan_biff,
    scan_ods,
    scan_sheet_xml,
    sheet_extent,
)

# Sheets whose input cells may hold a unit's formula (the appraisal sheet is the Office's input).
SCANNED_SHEETS = (layout.SHEET_SCORES, layout.SHEET_INDICATORS, layout.SHEET_PERSONS, layout.APPRAISAL_SHEET, layout.COUNCIL_SHEET)


# ---------------------------------------------------------------------------------------------------
# One file → FileRecord


def read_raw(path: Path, config: Config, period: str) -> FileRecord:
    """Read one file and check its structure; never raises (a surprise becomes issue ``file-corrupt``).

    A template's or an appraisal's input cells come back unchecked in ``raw``: its status is final only once
    ``intake.values`` has checked them (an error among them rejects it too)."""

    path = Path(path)
    record = FileRecord(name=path.name, sha256=None, size=0, mtime=0.0, status=REJECTED)
    found: list[issues.Issue] = []
    book: RawBook | None = None
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
        outcome = validate.read_book(book, config, period, path.name, record.sha256)
        if changed_since(path, stat) or len(data) != stat.st_size:
            return being_copied(record)
        record.kind, record.unit_code, record.year = outcome.kind, outcome.unit_code, outcome.year
        record.council, record.raw = outcome.council, outcome.raw
        found = outcome.issues
    except safety.Refused as refused:
        if record.size and changed_since(path, None, record.size, record.mtime):
            return being_copied(record)  # a copy that had not finished reads as a broken archive
        # a sheet was refused, not the file: its _meta may still say whose it is
        whose = _whose(lambda: book, config) if book is not None else None
        if whose is not None:
            record.kind, record.unit_code, record.year = whose
        params_unit = {"unit_code": record.unit_code} if record.unit_code else {}
        found = [issues.make(code, file=path.name, **{**params_unit, **params}) for code, params in refused.problems]
    except PermissionError:  # Windows: a file another program is writing cannot be opened
        record.issues = [issues.make("file-locked", file=path.name)]
        record.status = IGNORED
        return record
    except MemoryError:  # the reading process's memory ceiling (isolate)
        record.raw = None
        whose = _whose(lambda: book, config) if book is not None and record.unit_code is None else None
        if whose is not None:
            record.kind, record.unit_code, record.year = whose
        found = [issues.make("file-too-complex", file=path.name, unit_code=record.unit_code, detail="đọc tệp cần quá nhiều bộ nhớ")]
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # noqa: BLE001 — pyo3 panics derive from BaseException
        detail = f"lỗi không mong đợi khi đọc; chi tiết kỹ thuật cho người bảo trì: {type(exc).__name__}: {exc}"
        found = found + [issues.make("file-corrupt", file=path.name, unit_code=record.unit_code, detail=detail[:300])]
        record.raw = record.council = None
    record.issues = found
    record.status = REJECTED if issues.has_errors(found) else ACCEPTED
    if record.status == REJECTED:
        record.council = None
    return record


def identify_file(config: Config, path: Path) -> tuple[str, str | None, int | None] | None:
    """(kind, unit code, year) of a file from its ``_meta`` alone, or None: for a file whose reading child
    died or was stopped, so that its unit still hears why. Run in a child of its own (``isolate``)."""
    path = Path(path)

    def book() -> RawBook:
        safety.check_file_size(path.stat().st_size, config.settings.limits)
        return open_book(path.read_bytes(), config, path)

    return _whose(book, config)


def _whose(book: Callable[[], RawBook], config: Config) -> tuple[str, str | None, int | None] | None:
    """``validate.identify`` of a refused file's book, or None when even its ``_meta`` cannot be read safely
    (the file then stays anonymous)."""
    try:
        return validate.identify(book(), config)
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException:  # noqa: BLE001 — whatever stops _meta too: not knowing whose is the answer
        return None


def changed_since(path: Path, before: os.stat_result | None, size: int = 0, mtime: float = 0.0) -> bool:
    """True when ``path`` is no longer the file that was read (its size or time moved on: a copy still
    being written, or a save in progress), or is gone."""
    try:
        now = os.stat(path)
    except OSError:
        return True
    if before is not None:
        return (now.st_size, now.st_mtime_ns) != (before.st_size, before.st_mtime_ns)
    return (now.st_size, now.st_mtime) != (size, mtime)


def being_copied(record: FileRecord) -> FileRecord:
    """``record`` as a file still being copied into ``input/``: ignored this time, left where it is, read
    by the next run."""
    record.status = IGNORED
    record.kind = record.unit_code = record.year = None
    record.submission = record.appraisal = record.raw = None
    record.issues = [issues.make("file-being-copied", file=record.name)]
    return record


# ---------------------------------------------------------------------------------------------------
# Records across the process boundary
#
# A record is sent as nested tuples of its field values, in field order: no field names, no per-object
# dictionaries, the raw values as the lists they already are. Field lists come from the dataclasses, so a
# field added to the model travels without a change here.


def _names(cls: type, *nested: str) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if f.name not in nested)


_RECORD = _names(FileRecord, "issues", "submission", "appraisal", "raw")
_ISSUE = _names(issues.Issue)
_RAW = _names(RawValues)


def pack(record: FileRecord) -> tuple:
    """A ``FileRecord`` from a reading worker as plain nested tuples (``unpack`` makes it again, equal in every
    field; a worker's record has no submission or appraisal yet)."""
    raw = record.raw
    return (
        tuple([getattr(record, n) for n in _RECORD]),
        [tuple([getattr(i, n) for n in _ISSUE]) for i in record.issues],
        None if raw is None else tuple([getattr(raw, n) for n in _RAW]),
    )


def unpack(packed: tuple) -> FileRecord:
    head, found, raw = packed
    record = FileRecord(**dict(zip(_RECORD, head)), issues=[issues.Issue(*i) for i in found])
    if raw is not None:
        record.raw = RawValues(*raw)
    return record


Reader = Callable[[Path, Config, str], FileRecord]  # ``read_raw``, or a test's stand-in


def read_packed(read: Reader, config: Config, period: str, path: Path) -> tuple:
    """What a reading child runs for each path (top-level: ``spawn`` imports only this module's chain)."""
    return pack(read(path, config, period))


# ---------------------------------------------------------------------------------------------------
# Bytes → RawBook


def open_book(data: bytes, config: Config, path: Path | None = None) -> RawBook:
    """Check the container, open it with python-calamine, and attach the formula scan of each format.

    Before python-calamine allocates for a sheet, how far its values reach is checked from the sheet's
    own XML or records (``safety.check_extent``): python-calamine reads every sheet of an .ods or .xls
    when it opens the file, so those are checked first, and an .xlsx sheet when it is loaded.
    ``path``, when given, is the file ``data`` was read from: python-calamine opens it by path (its
    fastest way) when the extension matches the content, and from the bytes otherwise.
    """
    limits = config.settings.limits
    kind = safety.sniff(data)
    if kind == "empty":
        raise safety.corrupt("tệp rỗng (0 byte)")
    if kind == "other":
        raise safety.refuse("not-a-workbook", detail="nội dung không phải định dạng bảng tính Excel/LibreOffice")
    sheet_xml: Callable[[str], bytes] | None = None  # .xlsx: a sheet's XML, checked and scanned in ``load``
    scanner: Callable[[str], Mapping[tuple[int, int], str]] = lambda name: {}
    if kind == "zip":
        zf = safety.open_zip(data, limits)
        container = safety.zip_kind(zf, data)
        if container == "ooxml":
            parts = ooxml_sheet_parts(data, zf)
            sheet_xml = lambda name: safety.read_member(data, zf, parts.get(nfc(name), "")) or b""
        elif container == "ods":
            if safety.ods_encrypted(data, zf):
                raise safety.refuse("file-encrypted")
            extents: dict[str, safety.Extent] = {}
            ods = scan_ods(safety.read_member(data, zf, "content.xml") or b"", _SCANNED_NFC, extents)
            _check_extents(extents, limits)
            scanner = lambda name: ods.get(nfc(name), {})
        elif container == "xlsb":
            raise safety.refuse("xlsb-not-supported")
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
        _check_extents(biff_extents(stream), limits)
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
        scanned = nfc(name) in _SCANNED_NFC
        formulas: Mapping[tuple[int, int], str] = {}
        if sheet_xml is not None:
            xml = sheet_xml(name)
            if not fits_quickly(xml, limits.max_sheet_cells):
                safety.check_extent(nfc(name), sheet_extent(xml), limits)
            if scanned:
                formulas = scan_sheet_xml(xml)
        elif scanned:
            formulas = scanner(name)
        try:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:
            raise _calamine_refusal(exc) from None
        return RawSheet(name=nfc(name), rows=rows, formulas=formulas)

    return RawBook(names, load)


def _check_extents(extents: Mapping[str, safety.Extent], limits: Limits) -> None:
    problems = []
    for name, extent in extents.items():
        try:
            safety.check_extent(name, extent, limits)
        except safety.Refused as refused:
            problems += refused.problems
    if problems:
        raise safety.Refused(problems)


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
