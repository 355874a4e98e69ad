"""Safe opening of untrusted spreadsheet files, before any parser sees them (DESIGN.md §9).

A submitted workbook is an attacker-controlled archive: a 500 KB zip can inflate to gigabytes inside a
reader. So the limits are checked first on what the archive declares, from its central directory alone —
file size, entry count, uncompressed total, compression ratio — before anything is inflated. A header
that lies about a size is caught where the entry is inflated: by ``read_member`` for the parts we read
ourselves (inflation stops at the declared size), and by python-calamine's zip reader for the others
(it refuses "a file larger than its declared uncompressed size"; tests/test_safety.py checks both). Parts
we inflate must not declare a DTD, and the ones we parse go through defusedxml; python-calamine's XML
reader does not expand entities.

Legacy ``.xls`` files and password-protected OOXML files are OLE compound files; ``OleFile`` is a small,
bounded reader of that container, enough to tell an encrypted package from a workbook and to hand the
BIFF stream to the formula scan.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ccht_batch.config.model import Limits
from ccht_batch.core.values import cell_ref

MB = 1024 * 1024
# Below this many bytes a high compression ratio is harmless (empty rows compress 50:1 and more).
RATIO_FLOOR = 1 * MB
# An XML prolog (declaration, comments) longer than this is not something a spreadsheet program writes.
PROLOG_LIMIT = 64 * 1024
INFLATE_CHUNK = 1 * MB

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


class Refused(Exception):
    """The file must not be parsed; ``problems`` are (issue code, message parameters) pairs."""

    def __init__(self, problems: list[tuple[str, dict[str, Any]]]):
        super().__init__("; ".join(code for code, _ in problems))
        self.problems = problems


def refuse(code: str, **params: Any) -> Refused:
    return Refused([(code, params)])


def corrupt(detail: str) -> Refused:
    return refuse("file-corrupt", detail=detail)


def _mb(size: int) -> str:
    return f"{size / MB:.1f}".replace(".", ",")


def check_file_size(size: int, limits: Limits) -> None:
    """Refuse before reading the bytes: a clerk's input folder may hold anything."""
    if size > limits.max_file_mb * MB:
        raise refuse("file-too-large", size_mb=_mb(size), limit_mb=limits.max_file_mb)


# ---------------------------------------------------------------------------------------------------
# How far a sheet's values reach, before any parser allocates for them

EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384


@dataclass
class Extent:
    """How far a sheet's values reach (1-based row and column of the farthest), and the first value
    found beyond Excel's limits. A parser allocates rows × columns for a sheet, from A1 to its farthest
    value, whatever lies between: one value at Z1048576 costs 27 million cells. Empty cells with only a
    style (LibreOffice writes them to the sheet's end) cost nothing and do not count."""

    rows: int = 0
    cols: int = 0
    beyond: tuple[int, int] | None = None

    def add(self, row: int, col: int) -> None:
        if row > self.rows:
            self.rows = row
        if col > self.cols:
            self.cols = col
        if self.beyond is None and (row > EXCEL_ROWS or col > EXCEL_COLUMNS):
            self.beyond = (row, col)


def _count(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def check_extent(sheet: str, extent: Extent, limits: Limits) -> None:
    """Refuse a sheet whose values reach beyond Excel's limits, or whose used range is too large."""
    if extent.beyond is not None:
        ref = cell_ref(extent.beyond[0] - 1, extent.beyond[1] - 1)
        raise refuse("cell-beyond-excel", sheet=sheet, cell=ref, value=ref)
    cells = extent.rows * extent.cols
    if cells > limits.max_sheet_cells:
        ref = cell_ref(extent.rows - 1, extent.cols - 1)
        raise refuse("sheet-too-large", sheet=sheet, cell=ref, value=ref, cells=_count(cells), limit=_count(limits.max_sheet_cells))


def sniff(data: bytes) -> str:
    """What the bytes are, whatever the file's name says: ``zip``, ``ole``, ``empty`` or ``other``."""
    if not data:
        return "empty"
    if data.startswith(ZIP_MAGIC) or data.startswith(EMPTY_ZIP_MAGIC):
        return "zip"
    if data.startswith(OLE_MAGIC):
        return "ole"
    return "other"


# ---------------------------------------------------------------------------------------------------
# Zip containers (.xlsx, .xlsm, .ods)


class ZipEntry(NamedTuple):
    """One central-directory record (attribute names as ``zipfile.ZipInfo``)."""

    filename: str
    flag_bits: int
    compress_type: int
    CRC: int
    compress_size: int
    file_size: int
    header_offset: int

    def is_dir(self) -> bool:
        return self.filename.endswith("/")


class ZipIndex:
    """The central directory of an archive held in memory: names → entries, nothing inflated."""

    def __init__(self, entries: list[ZipEntry]):
        self.entries = entries
        self.by_name = {e.filename: e for e in entries}

    def infolist(self) -> list[ZipEntry]:
        return self.entries

    def namelist(self) -> list[str]:
        return [e.filename for e in self.entries]

    def getinfo(self, name: str) -> ZipEntry:
        return self.by_name[name]


_EOCD = struct.Struct("<IHHHHIIH")
_CDIR = struct.Struct("<IHHHHHHIIIHHHHHII")


def read_directory(data: bytes) -> ZipIndex:
    """The central directory, parsed directly (zip64 and odd archives go through ``zipfile``)."""
    eocd = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if eocd < 0 or eocd + 22 > len(data):
        raise corrupt("tệp nén bị hỏng hoặc không đầy đủ (không thấy mục lục)")
    _, disk, cd_disk, _, count, cd_size, cd_offset, _ = _EOCD.unpack_from(data, eocd)
    if count == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF or disk or cd_disk:
        return _directory_by_zipfile(data)
    shift = eocd - cd_size - cd_offset  # bytes prepended to the archive, as zipfile allows
    pos = cd_offset + shift
    entries: list[ZipEntry] = []
    for _ in range(count):
        if pos < 0 or pos + 46 > len(data) or data[pos : pos + 4] != b"PK\x01\x02":
            raise corrupt("tệp nén bị hỏng hoặc không đầy đủ (mục lục hỏng)")
        (_, _, _, flags, method, _, _, crc, csize, usize, nlen, elen, clen, _, _, _, offset) = _CDIR.unpack_from(data, pos)
        if 0xFFFFFFFF in (csize, usize, offset):
            return _directory_by_zipfile(data)
        raw = data[pos + 46 : pos + 46 + nlen]
        name = raw.decode("utf-8" if flags & 0x800 else "cp437", errors="replace")
        entries.append(ZipEntry(name, flags, method, crc, csize, usize, offset + shift))
        pos += 46 + nlen + elen + clen
    return ZipIndex(entries)


def _directory_by_zipfile(data: bytes) -> ZipIndex:
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise corrupt(f"tệp nén bị hỏng hoặc không đầy đủ: {exc}") from None
    return ZipIndex(
        [ZipEntry(i.filename, i.flag_bits, i.compress_type, i.CRC, i.compress_size, i.file_size, i.header_offset) for i in infos]
    )


def open_zip(data: bytes, limits: Limits) -> ZipIndex:
    """The archive's directory, checked against the declared limits; nothing is inflated yet."""
    zf = read_directory(data)
    infos = zf.infolist()
    for i in infos:
        if i.compress_type == zipfile.ZIP_DEFLATED and i.compress_size > i.file_size + i.file_size // 100 + 1024:
            # deflate never grows data by more than a few bytes per block: the header understates the
            # real size, the mark of a forged archive
            raise corrupt(f"kích thước khai báo của phần {i.filename} không khớp dữ liệu nén (tệp nén giả mạo)")
    problems: list[tuple[str, dict[str, Any]]] = []
    if len(infos) > limits.max_zip_entries:
        problems.append(("zip-too-many-entries", {"entries": len(infos), "limit": limits.max_zip_entries}))
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_mb * MB:
        problems.append(("zip-too-large", {"size_mb": _mb(total), "limit_mb": limits.max_uncompressed_mb}))
    ratio = _worst_ratio(infos)
    if ratio > limits.max_compression_ratio:
        problems.append(("zip-ratio", {"ratio": int(ratio), "limit": limits.max_compression_ratio}))
    if problems:
        raise Refused(problems)
    return zf


def _worst_ratio(infos: list[ZipEntry]) -> float:
    """The highest ratio among the archive as a whole and its large entries."""
    worst = 0.0
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if total > RATIO_FLOOR:
        worst = total / max(packed, 1)
    for i in infos:
        if i.file_size > RATIO_FLOOR:
            worst = max(worst, i.file_size / max(i.compress_size, 1))
    return worst


def read_member(data: bytes, zf: ZipIndex, name: str) -> bytes | None:
    """One entry, inflated by us with a cap at its declared size, and refused if it declares a DTD."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    body = _inflate(data, info)
    if _looks_xml(body) and _prolog_has_dtd(body):
        raise corrupt(f"phần {name} có khai báo DTD/ENTITY, không được phép trong bảng tính")
    return body


def _inflate(data: bytes, info: ZipEntry) -> bytes:
    """The entry's bytes, never more than its declared size (a lying header stops the inflation)."""
    if info.flag_bits & 0x1:
        raise refuse("file-encrypted")
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != ZIP_MAGIC:
        raise corrupt(f"phần {info.filename} không đọc được")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    start = offset + 30 + name_len + extra_len
    packed = data[start : start + info.compress_size]
    if len(packed) != info.compress_size:
        raise corrupt(f"phần {info.filename} bị cắt cụt")
    if info.compress_type == zipfile.ZIP_STORED:
        if info.file_size != info.compress_size:
            raise corrupt(f"kích thước khai báo của phần {info.filename} không đúng")
        return packed
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise corrupt(f"phần {info.filename} dùng kiểu nén không hỗ trợ ({info.compress_type})")
    inflater = zlib.decompressobj(-15)
    pieces: list[bytes] = []
    total = 0
    pending = packed
    try:
        while True:
            out = inflater.decompress(pending, INFLATE_CHUNK)
            total += len(out)
            if total > info.file_size:
                # The header lied: stop inflating at once, whatever the real size would be.
                raise corrupt(f"phần {info.filename} lớn hơn kích thước khai báo (tệp nén giả mạo)")
            pieces.append(out)
            pending = inflater.unconsumed_tail
            if inflater.eof or (not pending and len(out) < INFLATE_CHUNK):
                break
        if not inflater.eof:
            out = inflater.flush()
            total += len(out)
            pieces.append(out)
    except zlib.error as exc:
        raise corrupt(f"phần {info.filename} bị hỏng ({exc})") from None
    if total != info.file_size or not inflater.eof:
        raise corrupt(f"kích thước khai báo của phần {info.filename} không đúng")
    return b"".join(pieces)


def _looks_xml(body: bytes) -> bool:
    head = body[:8].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") or body[:2] in (b"\xff\xfe", b"\xfe\xff")


def _prolog_has_dtd(body: bytes) -> bool:
    """True when the part declares a DTD (or hides its prolog beyond any honest length).

    A DTD can only appear in the prolog, before the root element, so reading the prolog is enough: no
    need to parse the whole part.
    """
    if body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = body[:PROLOG_LIMIT].decode("utf-16", errors="replace").encode("utf-8", errors="replace")
    else:
        text = body[:PROLOG_LIMIT]
    i = 3 if text.startswith(b"\xef\xbb\xbf") else 0
    n = len(text)
    while i < n:
        while i < n and text[i] in b" \t\r\n":
            i += 1
        if text.startswith(b"<?", i):
            end, closer = text.find(b"?>", i), 2
        elif text.startswith(b"<!--", i):
            end, closer = text.find(b"-->", i + 4), 3
        elif text.startswith(b"<!", i):
            return True  # <!DOCTYPE or any other declaration
        else:
            return False  # the root element (or no markup at all)
        if end < 0:
            return True
        i = end + closer
    return len(body) > PROLOG_LIMIT


def zip_kind(zf: ZipIndex, data: bytes) -> str:
    """``ooxml`` (a workbook), ``ods``, or what else it is (``xlsb``, ``docx``, ``pptx``, ``odf``, ``zip``)."""
    names = zf.by_name
    if "mimetype" in names:
        mimetype = (read_member(data, zf, "mimetype") or b"").strip()
        if mimetype == ODS_MIMETYPE:
            return "ods"
        return "odf"
    if "[Content_Types].xml" in names:
        if "xl/workbook.bin" in names:
            return "xlsb"
        if any(n.startswith("xl/") for n in names):
            return "ooxml"
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("ppt/") for n in names):
            return "pptx"
    return "zip"


def ods_encrypted(data: bytes, zf: ZipIndex) -> bool:
    manifest = read_member(data, zf, "META-INF/manifest.xml") or b""
    return b"encryption-data" in manifest


# ---------------------------------------------------------------------------------------------------
# OLE compound files (.xls, and encrypted OOXML packages)

FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
MAXREGSECT = 0xFFFFFFFA


@dataclass
class OleEntry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    start: int
    size: int


@dataclass
class OleFile:
    """A read-only view of an OLE compound file: its directory and its streams, bounds-checked."""

    data: bytes
    sector_size: int = 512
    mini_size: int = 64
    mini_cutoff: int = 4096
    fat: list[int] = field(default_factory=list)
    minifat: list[int] = field(default_factory=list)
    entries: list[OleEntry] = field(default_factory=list)
    _ministream: bytes | None = None

    @classmethod
    def parse(cls, data: bytes) -> "OleFile":
        if len(data) < 512 or not data.startswith(OLE_MAGIC):
            raise corrupt("tệp Office (OLE) không đầy đủ")
        shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise corrupt("tệp Office (OLE) có cấu trúc lạ")
        (n_fat, first_dir, _, cutoff, first_minifat, n_minifat, first_difat, n_difat) = struct.unpack_from("<IIIIIIII", data, 0x2C)
        ole = cls(data=data, sector_size=1 << shift, mini_size=1 << mini_shift, mini_cutoff=cutoff)
        n_sectors = max(0, (len(data) - ole.sector_size) // ole.sector_size + 1)
        difat = [s for s in struct.unpack_from("<109I", data, 0x4C) if s <= MAXREGSECT]
        sect, seen = first_difat, 0
        per = ole.sector_size // 4 - 1
        while sect <= MAXREGSECT and seen < n_difat and seen <= n_sectors:
            block = ole._sector(sect)
            values = struct.unpack(f"<{per + 1}I", block)
            difat += [s for s in values[:per] if s <= MAXREGSECT]
            sect = values[per]
            seen += 1
        fat_bytes = b"".join(ole._sector(s) for s in difat[:n_fat])
        ole.fat = list(struct.unpack(f"<{len(fat_bytes) // 4}I", fat_bytes))
        directory = ole._chain_bytes(first_dir)
        for off in range(0, len(directory) - 127, 128):
            raw = directory[off : off + 128]
            name_len = struct.unpack_from("<H", raw, 64)[0]
            kind = raw[66]
            if kind not in (1, 2, 5):
                continue
            name = raw[: max(0, min(name_len, 64) - 2)].decode("utf-16-le", errors="replace")
            start, size = struct.unpack_from("<IQ", raw, 116)
            if ole.sector_size == 512:
                size &= 0xFFFFFFFF
            ole.entries.append(OleEntry(name, kind, start, size))
        if first_minifat <= MAXREGSECT and n_minifat:
            mf = ole._chain_bytes(first_minifat)
            ole.minifat = list(struct.unpack(f"<{len(mf) // 4}I", mf))
        return ole

    def _sector(self, index: int) -> bytes:
        start = (index + 1) * self.sector_size
        block = self.data[start : start + self.sector_size]
        if len(block) != self.sector_size:
            raise corrupt("tệp Office (OLE) bị cắt cụt")
        return block

    def _chain(self, table: list[int], start: int) -> list[int]:
        chain, sect = [], start
        while sect <= MAXREGSECT:
            if sect >= len(table) or len(chain) > len(table):
                raise corrupt("tệp Office (OLE) có chuỗi dữ liệu hỏng")
            chain.append(sect)
            sect = table[sect]
        return chain

    def _chain_bytes(self, start: int) -> bytes:
        return b"".join(self._sector(s) for s in self._chain(self.fat, start))

    def names(self) -> list[str]:
        return [e.name for e in self.entries]

    def entry(self, name: str) -> OleEntry | None:
        return next((e for e in self.entries if e.kind == 2 and e.name.lower() == name.lower()), None)

    def stream(self, name: str, limit: int) -> bytes | None:
        """A stream's bytes, refused when it claims more than ``limit`` bytes."""
        e = self.entry(name)
        if e is None:
            return None
        if e.size > limit:
            raise refuse("zip-too-large", size_mb=_mb(e.size), limit_mb=limit // MB)
        if e.size < self.mini_cutoff:
            if self._ministream is None:
                root = next((x for x in self.entries if x.kind == 5), None)
                self._ministream = self._chain_bytes(root.start) if root else b""
            body = b"".join(
                self._ministream[s * self.mini_size : (s + 1) * self.mini_size] for s in self._chain(self.minifat, e.start)
            )
        else:
            body = self._chain_bytes(e.start)
        if len(body) < e.size:
            raise corrupt(f"luồng {name} bị cắt cụt")
        return body[: e.size]

    @property
    def encrypted_package(self) -> bool:
        """An OOXML workbook saved with a password (ECMA-376 agile or standard encryption)."""
        return self.entry("EncryptedPackage") is not None or self.entry("EncryptionInfo") is not None

    @property
    def workbook_stream(self) -> str | None:
        for name in ("Workbook", "Book"):
            if self.entry(name) is not None:
                return name
        return None


BIFF_BOF = 0x0809
BIFF_FILEPASS = 0x002F


def biff_encrypted(stream: bytes) -> bool:
    """A FILEPASS record in the workbook globals: the .xls was saved with a password."""
    pos, n = 0, len(stream)
    while pos + 4 <= n:
        rtype, size = struct.unpack_from("<HH", stream, pos)
        if rtype == BIFF_FILEPASS:
            return True
        if rtype == 0x000A and pos > 0:  # EOF of the globals
            return False
        pos += 4 + size
    return False
