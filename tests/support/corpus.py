"""A test corpus built in code: every kind of file a clerk may drop in ``input/``, and what must become of it.

``build_corpus`` writes the files into a folder and returns, for each file name, the expected status and
issues (code, sheet, cell). Cells are computed from the generated template itself (rows found by
criterion code, columns by header title), so the expectations follow the configuration rather than
hard-coded positions. Real-world files made by LibreOffice are in ``build_soffice_corpus`` (slow; only
where ``soffice`` is installed).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import os
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import openpyxl
import xlsxwriter

from ccht_batch.config.load import load_config
from ccht_batch.config.model import Config
from ccht_batch.config.workdir import init_workdir
from ccht_batch.core import vocab
from ccht_batch.core.records import ACCEPTED, DUPLICATE, IGNORED, REJECTED
from ccht_batch.core.values import column_letter
from ccht_batch.forms import layout as L
from ccht_batch.forms.filling import Formula, fill_template, header_map
from ccht_batch.forms.template import build_template
from ccht_batch.intake import safety, validate, values
from ccht_batch.intake.raw import RawBook, RawSheet
from ccht_batch.intake.read import open_book
from ccht_batch.intake.scan import ooxml_sheet_parts
from support.soffice import soffice_convert

PERIOD = "2025-11"
YEAR = 2025


@dataclass
class Expect:
    """What must become of one file. ``issues`` is compared as a sorted list of (code, sheet, cell)."""

    status: str
    issues: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    kind: str | None = None
    unit_code: str | None = None


# ---------------------------------------------------------------------------------------------------
# Templates and where their cells are


class Templates:
    """Blank templates per unit (built once) and the Excel address of every input cell."""

    def __init__(self, config: Config, folder: Path, year: int = YEAR):
        self.config = config
        self.folder = folder
        self.year = year
        self._paths: dict[str, Path] = {}
        self._layout: dict[str, tuple[dict[str, int], dict[str, int]]] = {}

    def path(self, unit: str) -> Path:
        if unit not in self._paths:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"{unit}_{self.year}.xlsx"
            build_template(self.config, self.config.unit(unit), self.year, path)
            self._paths[unit] = path
        return self._paths[unit]

    def _rows(self, unit: str) -> tuple[dict[str, int], dict[str, int]]:
        if unit not in self._layout:
            wb = openpyxl.load_workbook(self.path(unit))
            ws = wb[L.SHEET_SCORES]
            hrow, cols = header_map(ws, L.SCORE_HEADERS)
            rows = {str(ws.cell(r, cols[L.COL_CODE]).value): r for r in range(hrow + 1, ws.max_row + 1) if ws.cell(r, cols[L.COL_CODE]).value}
            wi = wb[L.SHEET_INDICATORS]
            ihrow, icols = header_map(wi, L.INDICATOR_HEADERS)
            irows = {str(wi.cell(r, icols[L.COL_IND_CODE]).value): r for r in range(ihrow + 1, wi.max_row + 1) if wi.cell(r, icols[L.COL_IND_CODE]).value}
            self._layout[unit] = (rows, irows)
        return self._layout[unit]

    def score(self, cid: str, unit: str = "QLKH", title: str = L.COL_SELF) -> str:
        """The cell of ``title`` (a `Tự chấm điểm` header) on criterion ``cid``'s row."""
        col = L.SCORE_HEADERS.index(title)
        return f"{column_letter(col)}{self._rows(unit)[0][cid]}"

    def score_row(self, cid: str, unit: str = "QLKH") -> int:
        return self._rows(unit)[0][cid]

    def indicator(self, iid: str, unit: str = "QLKH") -> str:
        return f"{column_letter(L.INDICATOR_HEADERS.index(L.COL_IND_VALUE))}{self._rows(unit)[1][iid]}"

    @staticmethod
    def person(index: int, title: str) -> str:
        """Person ``index`` (0-based, as filled by ``fill_template``) in column ``title``."""
        return f"{column_letter(L.PERSON_HEADERS.index(title))}{5 + index}"


def valid_values(config: Config, unit_code: str) -> dict[str, Any]:
    """A complete, valid filling for one unit: every applicable score, evidence, indicators, persons."""
    unit = config.unit(unit_code)
    scores: dict[str, Any] = {}
    evidence: dict[str, str] = {}
    for i, c in enumerate(config.criteria.scored_rows):
        if not config.applies(c, unit):
            continue
        if c.is_choice:
            scores[c.id] = c.choices[0].text
        elif c.kind == "penalty":
            scores[c.id] = 0
        elif c.kind == "bonus":
            scores[c.id] = "1,5" if c.id == "T1" else 0
        else:
            scores[c.id] = float(c.max)
        evidence[c.id] = f"Văn bản số {i + 1}/QĐ-{unit_code} ngày 10/01/{YEAR}"
    indicators: dict[str, Any] = {}
    for ind in config.criteria.indicators:
        indicators[ind.id] = f"15/01/{YEAR}" if ind.type == "date" else 10
    if config.criteria.plausibility.initiative_indicator:
        indicators[config.criteria.plausibility.initiative_indicator] = 1  # the one decision cited on `Cá nhân`
    persons = [
        {
            L.P_NAME: "Nguyễn Văn An",
            L.P_BIRTH: 1980,
            L.P_GENDER: "Nam",
            L.P_POSITION: "Trưởng phòng",
            L.P_RATING: vocab.RATINGS["HTXSNV"],
            L.P_INITIATIVE: "Số hóa hồ sơ một cửa",
            L.P_DECISION: f"Quyết định số 12/QĐ-SKHCN ngày 05/03/{YEAR}",
            L.P_LEVEL: vocab.INITIATIVE_LEVELS["co-so"],
            L.P_PROPOSAL: config.criteria.awards[-1].name,
            L.P_SUMMARY: "Hoàn thành xuất sắc nhiệm vụ được giao",
        },
        {L.P_NAME: "Trần Thị Bình", L.P_BIRTH: 1990, L.P_GENDER: "Nữ", L.P_POSITION: "Chuyên viên", L.P_RATING: vocab.RATINGS["HTTNV"]},
    ]
    return {"scores": scores, "evidence": evidence, "indicators": indicators, "persons": persons}


def fill(t: Templates, dest: Path, unit: str = "QLKH", **changes: Any) -> Path:
    """A valid filling of ``unit``'s template with ``changes`` merged in (None deletes a key)."""
    values = valid_values(t.config, unit)
    for key, change in changes.items():
        if key == "persons":
            values["persons"] = change
        elif key == "meta":
            values["meta"] = change
        else:
            merged = dict(values.get(key, {}))
            for k, v in change.items():
                if v is None:
                    merged.pop(k, None)
                else:
                    merged[k] = v
            values[key] = merged
    return fill_template(t.path(unit), dest, **values)


# ---------------------------------------------------------------------------------------------------
# Byte-level makers: archives, encryption, macros


def rewrite_zip(src: Path, dest: Path, transform: Callable[[str, bytes], bytes] | None = None, extra: dict[str, bytes] | None = None) -> Path:
    """Copy an archive entry by entry, changing entries with ``transform`` and adding ``extra``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info.filename, transform(info.filename, data) if transform else data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return dest


def nfd_copy(src: Path, dest: Path) -> Path:
    """The same workbook with every text (cells, shared strings, sheet names) in Unicode NFD."""

    def to_nfd(name: str, data: bytes) -> bytes:
        if name.endswith(".xml"):
            return unicodedata.normalize("NFD", data.decode("utf-8")).encode("utf-8")
        return data

    return rewrite_zip(src, dest, to_nfd)


def encrypt(src: Path, dest: Path, password: str = "matkhau") -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(src, "rb") as fh:
        out = io.BytesIO()
        OOXMLFile(fh).encrypt(password, out)
    dest.write_bytes(out.getvalue())
    return dest


def _local_and_central(name: str, raw: bytes, crc: int, usize: int, offset: int) -> tuple[bytes, bytes]:
    n = name.encode("utf-8")
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, 8, 0, 0x21, crc, len(raw), usize, len(n), 0) + n + raw
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x800, 8, 0, 0x21, crc, len(raw), usize, len(n), 0, 0, 0, 0, 0, offset) + n
    return local, central


def zip_with_bomb(src: Path, dest: Path, megabytes: int, name: str = "xl/media/image1.bin") -> Path:
    """``src`` plus one entry of ``megabytes`` MB of zeros, truthfully declared; the file stays small.

    The zeros are deflated once per megabyte with a full flush (so blocks are independent) and the
    block is repeated: a real deflate stream, made in a fraction of the time of compressing it all.
    """
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = co.compress(b"\0" * (1 << 20)) + co.flush(zlib.Z_FULL_FLUSH)
    raw = block * megabytes + b"\x03\x00"  # an empty final block ends the stream
    crc = 0
    zero = b"\0" * (1 << 20)
    for _ in range(megabytes):
        crc = zlib.crc32(zero, crc)
    entries: list[tuple[str, bytes, int, int]] = []
    with zipfile.ZipFile(src) as zin:
        for info in zin.infolist():
            data = zin.read(info)
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            entries.append((info.filename, c.compress(data) + c.flush(), zlib.crc32(data), len(data)))
    entries.append((name, raw, crc, megabytes << 20))
    body, directory = b"", b""
    for entry_name, packed, entry_crc, usize in entries:
        local, central = _local_and_central(entry_name, packed, entry_crc, usize, len(body))
        body += local
        directory += central
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), len(body), 0)
    dest.write_bytes(body + directory + eocd)
    return dest


def zip_lying_about(src: Path, dest: Path, part: str, padding_mb: float = 5) -> Path:
    """``src`` with ``part`` grown by ``padding_mb`` MB of spaces while its headers keep the old size."""
    padding = b" " * int(padding_mb * (1 << 20))
    rewrite_zip(src, dest, lambda name, data: data + padding if name == part else data)
    with zipfile.ZipFile(src) as z:
        honest = z.getinfo(part).file_size
    data = bytearray(dest.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo(part)
    struct.pack_into("<I", data, info.header_offset + 22, honest)
    pos = bytes(data).find(b"PK\x01\x02")
    while pos >= 0:
        n = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46 : pos + 46 + n]) == part.encode():
            struct.pack_into("<I", data, pos + 24, honest)
        pos = bytes(data).find(b"PK\x01\x02", pos + 4)
    dest.write_bytes(bytes(data))
    return dest


def with_far_cell(src: Path, dest: Path, sheet: str, ref: str, value: str = "1") -> Path:
    """The workbook with one more value, at ``ref`` of ``sheet`` (e.g. ``XFD1048576``): a few bytes that
    make a reader allocate rows × columns from A1."""
    data = src.read_bytes()
    part = ooxml_sheet_parts(data, safety.read_directory(data))[unicodedata.normalize("NFC", sheet)]
    row = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    extra = f'<row r="{row}"><c r="{ref}"><v>{value}</v></c></row></sheetData>'.encode()
    return rewrite_zip(src, dest, lambda name, body: body.replace(b"</sheetData>", extra) if name == part else body)


def ods_with_repeats(src: Path, dest: Path, table: str, rows: int, columns: int) -> Path:
    """An .ods whose ``table`` gains one row holding a value, repeated ``rows`` times over ``columns``
    columns (``number-rows-repeated`` × ``number-columns-repeated``): kilobytes on disk, gigabytes in a
    reader."""
    bomb = (
        f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell office:value-type="string" '
        f'table:number-columns-repeated="{columns}"><text:p>x</text:p></table:table-cell></table:table-row>'
    ).encode()

    def change(name: str, body: bytes) -> bytes:
        if name != "content.xml":
            return body
        start = body.index(f'table:name="{table}"'.encode())
        at = body.index(b"<table:table-row", start)
        return body[:at] + bomb + body[at:]

    return rewrite_zip(src, dest, change)


def ovba_compress(data: bytes) -> bytes:
    """MS-OVBA compression with literal tokens only (valid, if not small): a VBA module's source."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        chunk = data[start : start + 4096]
        body = bytearray()
        for i in range(0, len(chunk), 8):
            body += b"\x00" + chunk[i : i + 8]
        size = len(body) + 2
        out += struct.pack("<H", (size - 3) | (0b011 << 12) | 0x8000) + body
    return bytes(out)


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (version 3) holding ``streams`` ("VBA/dir" makes a storage "VBA").

    Every stream is padded to at least 4096 bytes so it lives in regular sectors (no mini stream).
    """
    sector = 512
    nodes: list[dict[str, Any]] = [{"name": "Root Entry", "type": 5, "children": [], "data": b""}]
    storages = {"": 0}
    for path, data in streams.items():
        parts = path.split("/")
        parent = ""
        for depth, part in enumerate(parts[:-1]):
            key = "/".join(parts[: depth + 1])
            if key not in storages:
                nodes.append({"name": part, "type": 1, "children": [], "data": b""})
                storages[key] = len(nodes) - 1
                nodes[storages[parent]]["children"].append(storages[key])
            parent = key
        padded = data + b"\0" * max(0, 4096 - len(data))
        nodes.append({"name": parts[-1], "type": 2, "children": [], "data": padded})
        nodes[storages[parent]]["children"].append(len(nodes) - 1)
    stream_sectors = [(len(n["data"]) + sector - 1) // sector for n in nodes]
    dir_sectors = (len(nodes) * 128 + sector - 1) // sector
    fat_sectors = 1
    while fat_sectors * 128 < fat_sectors + dir_sectors + sum(stream_sectors):
        fat_sectors += 1
    fat = [0xFFFFFFFD] * fat_sectors
    first_dir = len(fat)
    fat += [len(fat) + i + 1 for i in range(dir_sectors - 1)] + [0xFFFFFFFE]
    starts = []
    for count in stream_sectors:
        if count == 0:
            starts.append(0xFFFFFFFE)
            continue
        starts.append(len(fat))
        fat += [len(fat) + i + 1 for i in range(count - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (fat_sectors * 128 - len(fat))

    def key(i: int) -> tuple[int, str]:
        return (len(nodes[i]["name"]), nodes[i]["name"].upper())

    right = {}
    child = {}
    for i, node in enumerate(nodes):
        kids = sorted(node["children"], key=key)
        child[i] = kids[0] if kids else 0xFFFFFFFF
        for a, b in zip(kids, kids[1:]):
            right[a] = b
    directory = b""
    for i, node in enumerate(nodes):
        name = (node["name"] + "\0").encode("utf-16-le")
        directory += (
            name.ljust(64, b"\0")
            + struct.pack("<HBB", len(name), node["type"], 1)
            + struct.pack("<III", 0xFFFFFFFF, right.get(i, 0xFFFFFFFF), child[i])
            + b"\0" * 16
            + struct.pack("<I", 0)
            + b"\0" * 16
            + struct.pack("<II", starts[i] if node["data"] else 0xFFFFFFFE, len(node["data"]))
            + b"\0" * 4
        )
    directory = directory.ljust(dir_sectors * sector, b"\0")
    header = (
        bytes.fromhex("d0cf11e0a1b11ae1")
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 10
        + struct.pack("<IIIIIIII", fat_sectors, first_dir, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    )
    difat = [i for i in range(fat_sectors)] + [0xFFFFFFFF] * (109 - fat_sectors)
    header += struct.pack("<109I", *difat)
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    body = b"".join(n["data"].ljust(c * sector, b"\0") for n, c in zip(nodes, stream_sectors))
    return header + fat_bytes + directory + body


VBA_SOURCE = 'Attribute VB_Name = "Module1"\r\nSub Auto_Open()\r\n    Shell "cmd.exe /c echo pwned > pwned.txt"\r\nEnd Sub\r\n'


def vba_project() -> bytes:
    """A vbaProject.bin part: a compound file with the streams Excel writes, and a module that would
    run a command if anything executed it."""
    return compound_file(
        {
            "PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\nModule=Module1\r\nName="VBAProject"\r\n',
            "PROJECTwm": b"Module1\0M\0o\0d\0u\0l\0e\0\x31\0\0\0\0\0",
            "VBA/_VBA_PROJECT": b"\xcc\x61\xff\xff\x00\x00\x00",
            "VBA/dir": ovba_compress(b"\x01\x00\x04\x00\x00\x00\x01\x00\x00\x00" + b"\x19\x00\x07\x00\x00\x00Module1"),
            "VBA/Module1": ovba_compress(VBA_SOURCE.encode("ascii")),
        }
    )


def make_xlsm(src: Path, dest: Path) -> Path:
    """``src`` turned into a macro-enabled workbook with a real vbaProject.bin part."""

    def macro_enabled(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            text = data.decode("utf-8")
            text = text.replace("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
            text = text.replace("<Default ", '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default ', 1)
            return text.encode("utf-8")
        if name == "xl/_rels/workbook.xml.rels":
            rel = '<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
            return data.decode("utf-8").replace("</Relationships>", rel + "</Relationships>").encode("utf-8")
        return data

    return rewrite_zip(src, dest, macro_enabled, extra={"xl/vbaProject.bin": vba_project()})


def plain_workbook(dest: Path) -> Path:
    """A workbook that is not our template (someone's own table)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["STT", "Nội dung", "Điểm"])
    ws.append([1, "Tự chấm", 8.5])
    wb.save(dest)
    return dest


def history_workbook(dest: Path) -> Path:
    wb = xlsxwriter.Workbook(str(dest))
    wb.add_worksheet("Cá nhân")
    meta = wb.add_worksheet(L.SHEET_META)
    meta.write_string(0, 0, L.META_KIND)
    meta.write_string(0, 1, L.KIND_HISTORY)
    wb.close()
    return dest


def word_document(dest: Path) -> Path:
    import docx

    doc = docx.Document()
    doc.add_paragraph("Báo cáo kết quả tự chấm điểm")
    doc.save(str(dest))
    return dest


def edit(src: Path, dest: Path, change: Callable[[Any], None]) -> Path:
    """Open a filled workbook with openpyxl, change it, save as ``dest``."""
    wb = openpyxl.load_workbook(src)
    change(wb)
    wb.save(dest)
    return dest


# ---------------------------------------------------------------------------------------------------
# Raw sheets in memory, for validation tests without a file round trip

SHEETS = (L.SHEET_META, L.SHEET_SCORES, L.SHEET_INDICATORS, L.SHEET_PERSONS)


def blank_sheets(root: Path) -> tuple[Config, dict[str, dict[str, RawSheet]]]:
    """config, and the raw sheets of two units' blank templates as python-calamine reads them."""
    init_workdir(root / "wd")
    config = load_config(root / "wd")
    sheets = {}
    for unit in ("QLKH", "TTRA"):
        path = root / f"{unit}.xlsx"
        build_template(config, config.unit(unit), 2025, path)
        book = open_book(path.read_bytes(), config, path)
        sheets[unit] = {name: book.sheet(name) for name in SHEETS}
    return config, sheets


def _pos(cell: str) -> tuple[int, int]:
    letters, digits = re.fullmatch(r"([A-Z]+)(\d+)", cell).groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits) - 1, col - 1


class Book:
    """A copy of a blank template's raw sheets to change cell by cell."""

    def __init__(self, blank, unit: str = "QLKH"):
        self.config, sheets = blank
        self.sheets = {n: RawSheet(s.name, copy.deepcopy(s.rows), dict(s.formulas)) for n, s in sheets[unit].items()}

    def set(self, sheet: str, cell: str, value) -> "Book":
        r, c = _pos(cell)
        rows = self.sheets[sheet].rows
        while len(rows) <= r:
            rows.append([""] * len(rows[0]))
        rows[r][c] = value
        return self

    def formula(self, sheet: str, cell: str, text: str, cached="") -> "Book":
        s = self.sheets[sheet]
        s.set_formulas({**s.formulas, _pos(cell): text})
        return self.set(sheet, cell, cached)

    def meta(self, key: str, value) -> "Book":
        rows = self.sheets[L.SHEET_META].rows
        next(r for r in rows if r[0] == key)[1] = value
        return self

    def row_of(self, cid: str) -> int:
        rows = self.sheets[L.SHEET_SCORES].rows
        return next(i for i, r in enumerate(rows) if validate.code_of(r[0]) == cid) + 1

    def score(self, cid: str, value) -> "Book":
        return self.set(L.SHEET_SCORES, f"D{self.row_of(cid)}", value)

    def run(self, period: str = PERIOD) -> validate.Outcome:
        book = RawBook.from_sheets(list(self.sheets.values()))
        return values.validate_book(book, self.config, period, "tep.xlsx", "0" * 64)


# ---------------------------------------------------------------------------------------------------
# The corpus


def build_corpus(config: Config, folder: Path, templates: Templates) -> dict[str, Expect]:
    """Write every case into ``folder`` (the input folder); return file name → what must happen."""
    folder.mkdir(parents=True, exist_ok=True)
    t = templates
    S, I, P = L.SHEET_SCORES, L.SHEET_INDICATORS, L.SHEET_PERSONS
    cases: dict[str, Expect] = {}
    work = folder.parent / "corpus-work"
    work.mkdir(exist_ok=True)

    # -- valid files
    fill(t, folder / "01_hop_le.xlsx")
    cases["01_hop_le.xlsx"] = Expect(ACCEPTED, kind="template", unit_code="QLKH")

    fill(t, folder / "02_khong_ap_dung.xlsx", unit="TTRA", scores={"3.2": 5}, evidence={"1.1": '=HYPERLINK("http://vanban.vn/12")'})
    cases["02_khong_ap_dung.xlsx"] = Expect(ACCEPTED, [("score-not-applicable", S, t.score("3.2", "TTRA"))], "template", "TTRA")

    base = fill(t, work / "nfd_base.xlsx", unit="KHTC", scores={"3.3": "Tốt", "1.3": "Có"})
    nfd_copy(base, folder / "03_nfd.xlsx")
    cases["03_nfd.xlsx"] = Expect(ACCEPTED, kind="template", unit_code="KHTC")

    # -- score cells
    fill(
        t,
        folder / "10_diem_sai.xlsx",
        unit="BCVT",
        scores={"2.1": "abc", "2.2": "1.500", "4.1": "1,234.5", "1.1": 7, "3.1": "2.3", "1.3": "Yes", "3.3": "  tốt ", "TR1": 3, "5.1": -1},
    )
    cases["10_diem_sai.xlsx"] = Expect(
        REJECTED,
        [
            ("score-not-a-number", S, t.score("2.1", "BCVT")),
            ("score-ambiguous-number", S, t.score("2.2", "BCVT")),
            ("score-ambiguous-number", S, t.score("4.1", "BCVT")),
            ("score-out-of-range", S, t.score("1.1", "BCVT")),
            ("score-off-step", S, t.score("3.1", "BCVT")),
            ("score-not-a-choice", S, t.score("1.3", "BCVT")),
            ("score-off-step", S, t.score("TR1", "BCVT")),
            ("score-out-of-range", S, t.score("5.1", "BCVT")),
        ],
        "template",
        "BCVT",
    )

    # -- rows of the score sheet
    def delete_row(cid: str) -> Callable[[Any], None]:
        return lambda wb: wb[S].delete_rows(t.score_row(cid, "CDS"))

    fill(t, work / "rows_base.xlsx", unit="CDS")
    edit(work / "rows_base.xlsx", folder / "11_thieu_dong.xlsx", delete_row("2.2"))
    # after the deletion, the row that held 2.2 holds the next code, field "3"
    cases["11_thieu_dong.xlsx"] = Expect(REJECTED, [("row-missing", S, f"A{t.score_row('2.2', 'CDS')}")], "template", "CDS")

    def add_rows(wb: Any) -> None:
        ws = wb[S]
        r = t.score_row("2.2", "CDS") + 1
        ws.insert_rows(r, 2)
        ws.cell(r, 1).value = "2.3"
        ws.cell(r + 1, 1).value = "2.2"

    edit(work / "rows_base.xlsx", folder / "12_them_dong.xlsx", add_rows)
    r = t.score_row("2.2", "CDS") + 1
    cases["12_them_dong.xlsx"] = Expect(REJECTED, [("row-added", S, f"A{r}"), ("row-duplicate", S, f"A{r + 1}")], "template", "CDS")

    def swap(wb: Any) -> None:
        ws = wb[S]
        a, b = t.score_row("3.1", "CDS"), t.score_row("3.3", "CDS")
        for col in range(1, 8):
            ws.cell(a, col).value, ws.cell(b, col).value = ws.cell(b, col).value, ws.cell(a, col).value

    edit(work / "rows_base.xlsx", folder / "13_dao_dong.xlsx", swap)
    cases["13_dao_dong.xlsx"] = Expect(REJECTED, [("row-order", S, f"A{t.score_row('3.1', 'CDS')}"), ("row-order", S, f"A{t.score_row('3.3', 'CDS')}")], "template", "CDS")

    # -- indicators
    fill(
        t,
        folder / "14_so_lieu.xlsx",
        unit="TTUD",
        indicators={"KH_NGAY": "32/01/2025", "KH_NV_GIAO": "mười", "KH_NV_XONG": -1, "TT_HINHTHUC": 2.5, "VB_GIAO": dt.datetime(2025, 3, 1), "KT_TONTAI": " 12 "},
    )
    cases["14_so_lieu.xlsx"] = Expect(
        REJECTED,
        [("indicator-wrong-type", I, t.indicator(i, "TTUD")) for i in ("KH_NGAY", "KH_NV_GIAO", "KH_NV_XONG", "TT_HINHTHUC", "VB_GIAO")],
        "template",
        "TTUD",
    )

    # -- persons
    rating = vocab.RATINGS["HTTNV"]
    persons = [
        {L.P_NAME: "Lê Văn Cường", L.P_BIRTH: 1975, L.P_RATING: rating},
        {L.P_NAME: "Phạm Thị Dung", L.P_BIRTH: 1985},
        {L.P_NAME: "Hoàng Văn Em", L.P_BIRTH: 1988, L.P_RATING: "Xuất sắc"},
        {L.P_NAME: "Vũ Thị Phương", L.P_BIRTH: 1900, L.P_RATING: rating},
        {L.P_NAME: unicodedata.normalize("NFD", "  lê  văn   cường "), L.P_BIRTH: "1975", L.P_RATING: rating},
        {L.P_NAME: "Đỗ Văn Giang", L.P_BIRTH: 1979, L.P_RATING: rating, L.P_INITIATIVE: "Phần mềm theo dõi văn bản"},
        {L.P_POSITION: "Chuyên viên"},
        {L.P_NAME: "Ngô Thị Hà", L.P_BIRTH: 1992, L.P_RATING: rating, L.P_GENDER: "Khác"},
        {L.P_NAME: "Bùi Văn Khánh", L.P_BIRTH: 1970, L.P_RATING: rating, L.P_PROPOSAL: "Huân chương Lao động"},
    ]
    fill(t, folder / "15_ca_nhan.xlsx", unit="VP", persons=persons)
    cases["15_ca_nhan.xlsx"] = Expect(
        ACCEPTED,
        [
            ("person-rating-missing", P, t.person(1, L.P_RATING)),
            ("person-choice-unknown", P, t.person(2, L.P_RATING)),
            ("person-birth-year", P, t.person(3, L.P_BIRTH)),
            ("person-duplicate", P, t.person(4, L.P_NAME)),
            ("person-initiative-no-decision", P, t.person(5, L.P_DECISION)),
            ("person-name-missing", P, t.person(6, L.P_NAME)),
            ("person-choice-unknown", P, t.person(7, L.P_GENDER)),
            ("person-choice-unknown", P, t.person(8, L.P_PROPOSAL)),
        ],
        "template",
        "VP",
    )

    # -- formulas in input cells (openpyxl writes no cached value)
    fill(
        t,
        folder / "16_cong_thuc.xlsx",
        unit="QLCN",
        scores={"2.1": Formula("=1+2")},
        evidence={"1.1": Formula('="QĐ "&"01"')},
        indicators={"TT_TIN_BAI": Formula("=3*4")},
    )
    cases["16_cong_thuc.xlsx"] = Expect(
        REJECTED,
        [
            ("formula-in-number-cell", S, t.score("2.1", "QLCN")),
            ("formula-in-text-cell", S, t.score("1.1", "QLCN", L.COL_EVIDENCE)),
            ("formula-in-number-cell", I, t.indicator("TT_TIN_BAI", "QLCN")),
        ],
        "template",
        "QLCN",
    )

    # -- identification from _meta
    fill(t, folder / "20_don_vi_la.xlsx", unit="CCTDC", meta={L.META_UNIT_CODE: "XYZ"})
    cases["20_don_vi_la.xlsx"] = Expect(REJECTED, [("unknown-unit", None, None)], "template", None)
    fill(t, folder / "21_sai_nam.xlsx", unit="CCTDC", meta={L.META_YEAR: 2024})
    cases["21_sai_nam.xlsx"] = Expect(REJECTED, [("wrong-year", None, None)], "template", "CCTDC")
    fill(t, folder / "22_mau_cu.xlsx", unit="CCTDC", meta={L.META_CRITERIA_VERSION: "0123456789ab"})
    cases["22_mau_cu.xlsx"] = Expect(REJECTED, [("outdated-template", None, None)], "template", "CCTDC")
    plain_workbook(folder / "23_bang_khac.xlsx")
    cases["23_bang_khac.xlsx"] = Expect(REJECTED, [("not-our-template", None, None)])
    history_workbook(folder / "24_lich_su.xlsx")
    cases["24_lich_su.xlsx"] = Expect(REJECTED, [("history-in-input", None, None)], "history")

    # -- files that must not be parsed
    encrypt(fill(t, work / "enc_base.xlsx", unit="CCTDC"), folder / "30_mat_khau.xlsx")
    cases["30_mat_khau.xlsx"] = Expect(REJECTED, [("file-encrypted", None, None)])
    whole = (folder / "01_hop_le.xlsx").read_bytes()
    (folder / "31_hong.xlsx").write_bytes(whole[: len(whole) // 2])
    cases["31_hong.xlsx"] = Expect(REJECTED, [("file-corrupt", None, None)])
    (folder / "32_rong.xlsx").write_bytes(b"")
    cases["32_rong.xlsx"] = Expect(REJECTED, [("file-corrupt", None, None)])
    zip_with_bomb(folder / "01_hop_le.xlsx", folder / "33_bom_zip.xlsx", megabytes=120)
    cases["33_bom_zip.xlsx"] = Expect(REJECTED, [("zip-too-large", None, None), ("zip-ratio", None, None)])
    zip_with_bomb(folder / "01_hop_le.xlsx", folder / "34_bom_ty_le.xlsx", megabytes=8)
    cases["34_bom_ty_le.xlsx"] = Expect(REJECTED, [("zip-ratio", None, None)])
    zip_lying_about(folder / "01_hop_le.xlsx", folder / "35_bom_khai_gian.xlsx", "xl/worksheets/sheet2.xml")
    # one sheet lies about its size; _meta reads safely, so the refusal still goes to its unit
    cases["35_bom_khai_gian.xlsx"] = Expect(REJECTED, [("file-corrupt", None, None)], kind="template", unit_code="QLKH")
    make_xlsm(fill(t, work / "macro_base.xlsx", unit="QLCN"), folder / "36_macro.xlsm")
    cases["36_macro.xlsm"] = Expect(ACCEPTED, kind="template", unit_code="QLCN")
    word_document(folder / "37_bao_cao.xlsx")
    cases["37_bao_cao.xlsx"] = Expect(REJECTED, [("not-a-workbook", None, None)])
    (folder / "38_ghi_chu.xls").write_bytes("Đây là ghi chú, không phải bảng tính.\n".encode("utf-8"))
    cases["38_ghi_chu.xls"] = Expect(REJECTED, [("not-a-workbook", None, None)])

    # -- files that are ignored and stay
    (folder / "~$01_hop_le.xlsx").write_bytes(b"\x0bNguyen Van A" + b"\x20" * 40)
    cases["~$01_hop_le.xlsx"] = Expect(IGNORED, [("ignored-lock-file", None, None)])
    (folder / ".~lock.01_hop_le.xlsx#").write_bytes(b"Nguyen Van A,may-tinh,01.01.2025 08:00,")
    cases[".~lock.01_hop_le.xlsx#"] = Expect(IGNORED, [("ignored-lock-file", None, None)])
    fill(t, folder / ".an.xlsx", unit="QLKH")
    cases[".an.xlsx"] = Expect(IGNORED, [("ignored-hidden-file", None, None)])
    (folder / "ghi_chu.txt").write_text("Nhớ gửi lại tệp của Thanh tra.", encoding="utf-8")
    cases["ghi_chu.txt"] = Expect(IGNORED, [("ignored-not-spreadsheet", None, None)])
    (folder / "processed").mkdir(exist_ok=True)
    fill(t, folder / "processed" / "cu.xlsx", unit="QLKH")  # a sub-folder: never looked at

    # -- several files from one unit: the newest counts
    old = fill(t, folder / "40_bcvt_ban_dau.xlsx", unit="BCVT", scores={"T1": 1})
    new = fill(t, folder / "41_bcvt_cap_nhat.xlsx", unit="BCVT", scores={"T1": 2})
    os.utime(old, (1_700_000_000, 1_700_000_000))
    os.utime(new, (1_700_000_500, 1_700_000_500))
    # 10_diem_sai.xlsx is also BCVT's, but rejected: it does not compete
    cases["40_bcvt_ban_dau.xlsx"] = Expect(DUPLICATE, [("superseded-file", None, None)], "template", "BCVT")
    cases["41_bcvt_cap_nhat.xlsx"] = Expect(ACCEPTED, kind="template", unit_code="BCVT")
    for name in ("42_ttra_a.xlsx", "43_ttra_b.xlsx"):
        os.utime(fill(t, folder / name, unit="TTRA"), (1_700_000_000, 1_700_000_000))
    # equal times: the later name counts; 02_khong_ap_dung.xlsx (TTRA, fresh mtime) is newer still
    cases["42_ttra_a.xlsx"] = Expect(DUPLICATE, [("superseded-file", None, None)], "template", "TTRA")
    cases["43_ttra_b.xlsx"] = Expect(DUPLICATE, [("superseded-file", None, None)], "template", "TTRA")
    return cases


def build_soffice_corpus(config: Config, folder: Path, templates: Templates) -> dict[str, Expect]:
    """Files really saved by LibreOffice: a re-saved .xlsx, the same as .ods and .xls, with a formula
    in a text cell (LibreOffice stores its value) and one in a number cell."""
    t = templates
    work = folder.parent / "soffice-work"
    work.mkdir(parents=True, exist_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    src = fill(t, work / "50_lo.xlsx", unit="QLKH", evidence={"1.1": Formula('="QĐ "&"01/QĐ-QLKH"')}, scores={"3.1": Formula("=2*2")})
    S = L.SHEET_SCORES
    cases: dict[str, Expect] = {}
    for fmt, name in (("xlsx", "50_lo.xlsx"), ("ods", "50_lo.ods"), ("xls", "50_lo.xls")):
        out = soffice_convert(src, fmt, work / fmt)
        (folder / name).write_bytes(out.read_bytes())
        cases[name] = Expect(REJECTED, [("formula-in-number-cell", S, t.score("3.1"))], "template", "QLKH")
    return cases
