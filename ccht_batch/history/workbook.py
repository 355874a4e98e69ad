"""The history workbook: the template the Office fills with past years, and its strict reader.

Multi-year award rules need years the program never saw (2019–2021, or the years before it was used).
The Office types them into a workbook we generate (``_meta`` kind ``history``), with drop-downs for every
closed choice; the reader then checks every row like any other input and reports each problem by sheet
and cell. It returns rows or issues, never both: a file with one bad row imports nothing.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from ccht_batch.config.model import Config
from ccht_batch.core import issues, vocab
from ccht_batch.core.files import atomic_path, templates_dir
from ccht_batch.core.issues import Issue
from ccht_batch.core.records import (
    INITIATIVE,
    TASK,
    AwardRecord,
    InitiativeRecord,
    UnitYear,
    person_key,
)
from ccht_batch.core.values import (
    ParseError,
    cell_ref,
    fold_key,
    norm_text,
    parse_count,
    parse_date,
    parse_decimal,
    parse_year,
)
from ccht_batch.forms import layout as L
from ccht_batch.store.history import Move
from ccht_batch.xlsx.util import (
    HEADER_TINT,
    INPUT_TINT,
    Formats,
    fit_row,
    new_workbook,
    print_setup,
    write_guide,
    write_meta,
)

# Bump when the layout changes in a way this reader cannot follow.
HISTORY_TEMPLATE_VERSION = 1
TEMPLATE_FILE = "LichSu_mau.xlsx"
HEADER_ROW = 3  # zero-based: row 4 as Excel shows it
INPUT_ROWS = 300
YEAR_MIN, YEAR_MAX = 2000, 2100

SHEET_PERSON_YEARS = "Cá nhân theo năm"
SHEET_INITIATIVES = "Sáng kiến"
SHEET_AWARDS = "Khen thưởng"
SHEET_UNIT_YEARS = "Đơn vị theo năm"
SHEET_MOVES = "Chuyển đơn vị"

C_YEAR = "Năm"
C_UNIT = "Mã đơn vị"
C_NAME = "Họ và tên"
C_BIRTH = "Năm sinh"
C_RATING = "Xếp loại"
C_TITLE = "Danh hiệu"
C_INIT_TITLE = "Tên sáng kiến"
C_DECISION = "Số quyết định"
C_DECISION_DATE = "Ngày quyết định"
C_LEVEL = "Cấp công nhận"
C_SUBJECT = "Đối tượng"
C_AWARD = "Hình thức"
C_ISSUER = "Cơ quan ban hành"
C_TOTAL = "Tổng điểm"
C_RESULT = "Kết quả"
C_BAND = "Xếp loại"
C_RANK = "Hạng"
C_UNIT_RATING = "Xếp loại chất lượng"
C_UNIT_TITLE = "Danh hiệu tập thể"
C_FROM = "Từ đơn vị"
C_TO = "Đến đơn vị"
C_KIND = "Loại"
C_EQUIVALENT = "Tương đương hình thức"

SUBJECT_COLLECTIVE = "Tập thể"
SUBJECT_INDIVIDUAL = "Cá nhân"
KIND_INITIATIVE = "Sáng kiến"
KIND_TASK = "Đề tài, đề án KH&CN"

HEADERS: dict[str, tuple[str, ...]] = {
    SHEET_PERSON_YEARS: (C_YEAR, C_UNIT, C_NAME, C_BIRTH, C_RATING, C_TITLE, C_DECISION, C_DECISION_DATE),
    SHEET_INITIATIVES: (C_YEAR, C_UNIT, C_NAME, C_BIRTH, C_INIT_TITLE, C_DECISION, C_DECISION_DATE, C_LEVEL, C_KIND),
    SHEET_AWARDS: (C_YEAR, C_SUBJECT, C_UNIT, C_NAME, C_BIRTH, C_AWARD, C_DECISION, C_DECISION_DATE, C_ISSUER, C_EQUIVALENT),
    SHEET_UNIT_YEARS: (C_YEAR, C_UNIT, C_TOTAL, C_RESULT, C_BAND, C_RANK, C_UNIT_RATING, C_UNIT_TITLE),
    SHEET_MOVES: (C_NAME, C_BIRTH, C_FROM, C_TO, C_YEAR),
}
# Columns a workbook may lack (added after the first layout), per sheet; every other column is required.
OPTIONAL_HEADERS: dict[str, frozenset[str]] = {
    SHEET_PERSON_YEARS: frozenset({C_DECISION, C_DECISION_DATE}),
    SHEET_INITIATIVES: frozenset({C_KIND}),
    SHEET_AWARDS: frozenset({C_EQUIVALENT}),
    SHEET_UNIT_YEARS: frozenset({C_UNIT_RATING}),
    SHEET_MOVES: frozenset(),
}
SHEETS = tuple(HEADERS)

# Official abbreviations accepted beside the drop-down texts (they are unambiguous).
_TITLE_ABBREVIATIONS = {"LĐTT": "LDTT", "CSTĐCS": "CSTDCS", "TTLĐTT": "TTLDTT", "TTLĐXS": "TTLDXS"}


def template_path(config: Config) -> Path:
    return templates_dir(config.output_dir) / TEMPLATE_FILE


# ---------------------------------------------------------------------------------------------------
# Closed choices: the drop-down lists, and the readers' dictionaries built from the same texts


def _choices(config: Config) -> dict[str, list[str]]:
    return {
        "unit": [u.code for u in config.units],
        "rating": list(vocab.RATINGS.values()),
        "title": [vocab.TITLES[c] for c in vocab.INDIVIDUAL_TITLES],
        "level": list(vocab.INITIATIVE_LEVELS.values()),
        "subject": [SUBJECT_COLLECTIVE, SUBJECT_INDIVIDUAL],
        "award": [a.name for a in config.criteria.awards],
        "band": [b.name for b in config.criteria.bands],
        "unit_title": [vocab.TITLES[c] for c in vocab.COLLECTIVE_TITLES],
        "kind": [KIND_INITIATIVE, KIND_TASK],
    }


LOOKUP_TITLES = {
    "unit": C_UNIT,
    "rating": C_RATING,
    "title": C_TITLE,
    "level": C_LEVEL,
    "subject": C_SUBJECT,
    "award": C_AWARD,
    "band": "Xếp loại phong trào",
    "unit_title": C_UNIT_TITLE,
    "kind": C_KIND,
}

# sheet → column title → lookup list
DROPDOWNS: dict[str, dict[str, str]] = {
    SHEET_PERSON_YEARS: {C_UNIT: "unit", C_RATING: "rating", C_TITLE: "title"},
    SHEET_INITIATIVES: {C_UNIT: "unit", C_LEVEL: "level", C_KIND: "kind"},
    SHEET_AWARDS: {C_SUBJECT: "subject", C_UNIT: "unit", C_AWARD: "award", C_EQUIVALENT: "award"},
    SHEET_UNIT_YEARS: {C_UNIT: "unit", C_BAND: "band", C_UNIT_RATING: "rating", C_UNIT_TITLE: "unit_title"},
    SHEET_MOVES: {C_FROM: "unit", C_TO: "unit"},
}


# ---------------------------------------------------------------------------------------------------
# The template


def write_history_template(config: Config) -> Path:
    """Write ``output/templates/LichSu_mau.xlsx`` (replacing any earlier one) and return its path."""
    path = template_path(config)
    with atomic_path(path) as tmp:
        build_history_template(config, tmp)
    return path


def build_history_template(config: Config, path: Path) -> None:
    wb = new_workbook(path, title="Nhập lịch sử thi đua, khen thưởng các năm")
    fmt = Formats(wb)
    choices = _choices(config)
    keys = list(choices)
    guide = wb.add_worksheet(L.SHEET_GUIDE)
    data = {name: wb.add_worksheet(name) for name in SHEETS}
    lookup = wb.add_worksheet(L.SHEET_LOOKUP)
    meta = wb.add_worksheet(L.SHEET_META)

    for col, key in enumerate(keys):
        lookup.write_string(0, col, LOOKUP_TITLES[key], fmt(bold=True))
        for i, text in enumerate(choices[key], start=1):
            lookup.write_string(i, col, text)
        lookup.set_column(col, col, 36)
    lookup.hide()
    lookup.protect()

    def source(key: str) -> str:
        col = keys.index(key)
        n = max(len(choices[key]), 1)
        first = xl_rowcol_to_cell(1, col, row_abs=True, col_abs=True)
        last = xl_rowcol_to_cell(n, col, row_abs=True, col_abs=True)
        return f"='{L.SHEET_LOOKUP}'!{first}:{last}"

    notes = {
        SHEET_PERSON_YEARS: "Mỗi người một dòng cho mỗi năm. Xếp loại bắt buộc; Danh hiệu để trống nếu không có (Chiến sĩ thi đua cơ sở được tính cả Lao động tiên tiến). Ghi Số, Ngày quyết định công nhận xếp loại, danh hiệu nếu có; không ghi thì được coi là đơn vị tự khai.",
        SHEET_INITIATIVES: "Mỗi sáng kiến hoặc đề tài, đề án KH&CN một dòng (cột Loại; để trống là Sáng kiến). Sáng kiến chỉ được tính khi có Số quyết định và Cấp công nhận; đề tài ghi số quyết định nghiệm thu nếu có (Ngày quyết định dạng dd/mm/yyyy).",
        SHEET_AWARDS: "Khen thưởng đã nhận. Đối tượng Tập thể: bỏ trống Họ và tên, Năm sinh. Hình thức ngoài danh sách của phong trào (ví dụ Bằng khen của Bộ trưởng): ghi tên hình thức và chọn hình thức cùng cấp ở cột Tương đương hình thức.",
        SHEET_UNIT_YEARS: "Kết quả phong trào của đơn vị mỗi năm. Xếp loại để trống thì chương trình xếp theo Kết quả và các mức hiện hành.",
        SHEET_MOVES: "Cá nhân chuyển công tác giữa các đơn vị trong Sở: năm chuyển là năm đầu tiên làm việc ở đơn vị mới.",
    }
    widths = {
        C_YEAR: 8, C_UNIT: 12, C_NAME: 26, C_BIRTH: 10, C_RATING: 30, C_TITLE: 26, C_INIT_TITLE: 40, C_DECISION: 20,
        C_DECISION_DATE: 14, C_LEVEL: 14, C_SUBJECT: 12, C_AWARD: 36, C_ISSUER: 30, C_TOTAL: 11, C_RESULT: 11,
        C_RANK: 8, C_UNIT_RATING: 30, C_UNIT_TITLE: 30, C_FROM: 12, C_TO: 12, C_KIND: 20, C_EQUIVALENT: 36,
    }
    header_fmt = fmt(bold=True, align="center", text_wrap=True, border=1, bg_color=HEADER_TINT)
    text_in = fmt(text_wrap=True, border=1, bg_color=INPUT_TINT)
    number_in = fmt(align="center", border=1, num_format="0", bg_color=INPUT_TINT)
    score_in = fmt(align="center", border=1, num_format="0.00", bg_color=INPUT_TINT)
    date_in = fmt(align="center", border=1, num_format="dd/mm/yyyy", bg_color=INPUT_TINT)
    column_fmt = {C_YEAR: number_in, C_BIRTH: number_in, C_RANK: number_in, C_TOTAL: score_in, C_RESULT: score_in, C_DECISION_DATE: date_in}
    for name, ws in data.items():
        headers = HEADERS[name]
        last_col = len(headers) - 1
        sizes = [widths.get(title, 16) for title in headers]
        heading = f"LỊCH SỬ THI ĐUA, KHEN THƯỞNG — {name.upper()}"
        ws.merge_range(0, 0, 0, last_col, heading, fmt(bold=True, align="center", font_size=14, text_wrap=True))
        ws.merge_range(1, 0, 1, last_col, config.criteria.movement.name, fmt(italic=True, align="center", text_wrap=True))
        ws.merge_range(2, 0, 2, last_col, notes[name], fmt(italic=True, font_color="#C00000", text_wrap=True))
        fit_row(ws, 0, [(heading, sum(sizes))], 14, bold=True)
        fit_row(ws, 1, [(config.criteria.movement.name, sum(sizes))])
        fit_row(ws, 2, [(notes[name], sum(sizes))], minimum=32)
        for col, title in enumerate(headers):
            ws.write_string(HEADER_ROW, col, title, header_fmt)
            ws.set_column(col, col, sizes[col], column_fmt.get(title, text_in))
        fit_row(ws, HEADER_ROW, list(zip(headers, sizes)), bold=True, minimum=32)
        first, last = HEADER_ROW + 1, HEADER_ROW + INPUT_ROWS
        col_of = {t: i for i, t in enumerate(headers)}
        ws.data_validation(first, col_of[C_YEAR], last, col_of[C_YEAR], {
            "validate": "integer", "criteria": "between", "minimum": YEAR_MIN, "maximum": YEAR_MAX,
            "error_title": "Năm không hợp lệ", "error_message": f"Nhập năm 4 chữ số, từ {YEAR_MIN} đến {YEAR_MAX}.",
        })
        if C_BIRTH in col_of:
            ws.data_validation(first, col_of[C_BIRTH], last, col_of[C_BIRTH], {
                "validate": "integer", "criteria": "between", "minimum": L.BIRTH_YEAR_MIN, "maximum": L.BIRTH_YEAR_MAX,
                "error_title": "Năm sinh không hợp lệ", "error_message": f"Năm sinh phải là số từ {L.BIRTH_YEAR_MIN} đến {L.BIRTH_YEAR_MAX}.",
            })
        for title, key in DROPDOWNS[name].items():
            options = {
                "validate": "list", "source": source(key),
                "error_title": "Lựa chọn không hợp lệ", "error_message": "Chọn một giá trị trong danh sách thả xuống.",
            }
            if (name, title) == (SHEET_AWARDS, C_AWARD):  # a form outside the movement's may be typed
                options.update(error_type="information", error_title="Hình thức ngoài danh sách",
                               error_message=f"Hình thức không có trong danh sách: hãy chọn hình thức cùng cấp ở cột {C_EQUIVALENT}.")
            ws.data_validation(first, col_of[title], last, col_of[title], options)
        ws.freeze_panes(HEADER_ROW + 1, 0)
        print_setup(ws, repeat_rows=(HEADER_ROW, HEADER_ROW))

    _write_guide(guide, fmt, config)
    write_meta(meta, [(L.META_KIND, L.KIND_HISTORY), (L.META_TEMPLATE_VERSION, HISTORY_TEMPLATE_VERSION)])
    guide.activate()
    wb.close()




def _write_guide(ws: Worksheet, fmt: Formats, config: Config) -> None:
    lines: list[tuple[str, str]] = [
        ("title", "HƯỚNG DẪN NHẬP LỊCH SỬ THI ĐUA, KHEN THƯỞNG CÁC NĂM"),
        ("sub", f"{config.agency.name} — {config.criteria.movement.name}"),
        ("", ""),
        ("", "Tệp này dùng để nhập kết quả các năm trước (xếp loại, danh hiệu, sáng kiến, khen thưởng đã nhận, kết quả phong trào của đơn vị)"),
        ("", "mà các quy định khen thưởng cần xét (ví dụ: 2 năm liên tục hoàn thành xuất sắc nhiệm vụ; đã có Bằng khen của Chủ tịch UBND tỉnh)."),
        ("", "Nhập xong, chạy lệnh: ccht-batch history import <tên tệp>. Nếu có ô sai, chương trình liệt kê từng ô và không nhập dòng nào."),
        ("", "Nhập lại cùng một người (hoặc đơn vị) và năm thì bản mới thay bản cũ (bản cũ vẫn được lưu), không bị trùng."),
        ("", ""),
        ("head", "Cách ghi"),
        ("", f"- Năm: số 4 chữ số, từ {YEAR_MIN} đến {YEAR_MAX}. Năm sinh: từ {L.BIRTH_YEAR_MIN} đến {L.BIRTH_YEAR_MAX}."),
        ("", "- Một cá nhân được nhận diện bằng Họ và tên + Năm sinh + Mã đơn vị: ghi giống nhau ở mọi trang tính."),
        ("", "- Các cột có danh sách thả xuống: chọn trong danh sách, không gõ khác đi."),
        ("", "- Ngày: dạng dd/mm/yyyy, ví dụ 15/03/2023. Điểm: số, tối đa 2 chữ số thập phân (8,5 hoặc 8.5)."),
        ("", "- Cá nhân chuyển đơn vị: ghi ở trang \"Chuyển đơn vị\" để các năm ở đơn vị cũ vẫn được tính."),
        ("", "- Xếp loại, danh hiệu đã có quyết định công nhận: ghi Số, Ngày quyết định ở trang \"Cá nhân theo năm\"; không ghi thì được coi là đơn vị tự khai."),
        ("", f"- Hình thức khen thưởng ngoài danh sách dưới đây (ví dụ Bằng khen của Bộ trưởng): ghi tên hình thức và chọn hình thức cùng cấp ở cột \"{C_EQUIVALENT}\"."),
        ("", ""),
        ("head", "Mã đơn vị"),
    ]
    lines += [("", f"- {u.code}: {u.name}") for u in config.units]
    lines += [("", ""), ("head", "Hình thức khen thưởng")]
    lines += [("", f"- {a.name}") for a in config.criteria.awards]
    write_guide(ws, fmt, lines)


# ---------------------------------------------------------------------------------------------------
# Rows the reader returns


@dataclass(frozen=True)
class PersonRef:
    name: str
    birth_year: int | None
    unit_code: str

    @property
    def key(self) -> str:
        return person_key(self.name, self.birth_year, self.unit_code)


@dataclass(frozen=True)
class PersonYearRow:
    person: PersonRef
    year: int
    rating: str
    titles: frozenset[str]
    decision: str = ""  # the decision recognising the rating and titles; none: the unit's own declaration
    decision_date: dt.date | None = None


@dataclass(frozen=True)
class InitiativeRow:
    person: PersonRef
    year: int
    record: InitiativeRecord


@dataclass(frozen=True)
class AwardRow:
    kind: str  # collective | individual
    unit_code: str
    person: PersonRef | None
    record: AwardRecord


@dataclass
class HistoryRows:
    person_years: list[PersonYearRow] = field(default_factory=list)
    initiatives: list[InitiativeRow] = field(default_factory=list)
    awards: list[AwardRow] = field(default_factory=list)
    unit_years: list[UnitYear] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.person_years) + len(self.initiatives) + len(self.awards) + len(self.unit_years) + len(self.moves)


# ---------------------------------------------------------------------------------------------------
# Reading


class _Bad(Exception):
    """One cell's problem: the Vietnamese description that becomes the issue's detail."""


def _check_file(path: Path, config: Config) -> list[Issue]:
    """Size and zip limits before any parser sees the file (PITFALLS.md: zip bombs)."""
    lim = config.settings.limits
    name = path.name
    size = path.stat().st_size
    if size > lim.max_file_mb * 1024 * 1024:
        return [issues.make("file-too-large", file=name, size_mb=f"{size / 1048576:.1f}".replace(".", ","), limit_mb=lim.max_file_mb)]
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0") and path.suffix.lower() in (".xlsx", ".xlsm"):
        return [issues.make("file-encrypted", file=name)]
    if not zipfile.is_zipfile(path):
        return []
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        return [issues.make("file-corrupt", file=name, detail=str(exc))]
    if len(infos) > lim.max_zip_entries:
        return [issues.make("zip-too-many-entries", file=name, entries=len(infos), limit=lim.max_zip_entries)]
    total = sum(i.file_size for i in infos)
    if total > lim.max_uncompressed_mb * 1024 * 1024:
        return [issues.make("zip-too-large", file=name, size_mb=total // 1048576, limit_mb=lim.max_uncompressed_mb)]
    packed = sum(i.compress_size for i in infos) or 1
    if total / packed > lim.max_compression_ratio:
        return [issues.make("zip-ratio", file=name, ratio=int(total / packed), limit=lim.max_compression_ratio)]
    return []


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _shown(v: Any) -> str | None:
    if _blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dt.datetime, dt.date)):
        return v.strftime("%d/%m/%Y")
    return norm_text(v)


def read_history_workbook(config: Config, path: Path) -> tuple[HistoryRows, list[Issue]]:
    """Every row of a filled history workbook, or every problem found (and no rows)."""
    from python_calamine import CalamineWorkbook

    path = Path(path)
    name = path.name
    found = _check_file(path, config)
    if found:
        return HistoryRows(), found
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several types for unreadable or password-protected files
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            return HistoryRows(), [issues.make("file-encrypted", file=name)]
        return HistoryRows(), [issues.make("file-corrupt", file=name, detail="không phải bảng tính, hoặc bảng tính bị hỏng")]
    try:
        return _read(config, wb, name)
    finally:
        wb.close()


def _sheet_rows(wb: Any, sheet: str) -> list[list[Any]]:
    return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def _read(config: Config, wb: Any, name: str) -> tuple[HistoryRows, list[Issue]]:
    sheet_names = [norm_text(s) for s in wb.sheet_names]
    actual = dict(zip(sheet_names, wb.sheet_names))
    meta = {}
    if L.SHEET_META in actual:
        for row in _sheet_rows(wb, actual[L.SHEET_META]):
            if len(row) >= 2 and not _blank(row[0]):
                meta[norm_text(row[0])] = row[1]
    if norm_text(meta.get(L.META_KIND)) != L.KIND_HISTORY:
        return HistoryRows(), [issues.make("history-not-history-file", file=name)]
    version = _shown(meta.get(L.META_TEMPLATE_VERSION))
    if version != str(HISTORY_TEMPLATE_VERSION):
        return HistoryRows(), [issues.make("history-outdated-template", file=name, value=version or "?", expected=HISTORY_TEMPLATE_VERSION)]

    reader = _RowReader(config, name)
    for sheet in SHEETS:
        if sheet not in actual:
            reader.found.append(issues.make("sheet-missing", file=name, sheet=sheet, expected=sheet))
            continue
        rows = _sheet_rows(wb, actual[sheet])
        header_at, cols = _find_header(rows, HEADERS[sheet], OPTIONAL_HEADERS[sheet])
        if header_at is None:
            missing = next(t for t in HEADERS[sheet] if t not in cols and t not in OPTIONAL_HEADERS[sheet])
            reader.found.append(issues.make("header-missing", file=name, sheet=sheet, expected=missing))
            continue
        reader.sheet(sheet, rows, header_at, cols)
    if reader.found:
        return HistoryRows(), reader.found
    return reader.rows, []


def _find_header(rows: list[list[Any]], titles: tuple[str, ...], optional: frozenset[str] = frozenset()) -> tuple[int | None, dict[str, int]]:
    """The first row (within the first 10) holding every title but the ``optional`` ones; columns located
    by title, not position."""
    best: dict[str, int] = {}
    for r, row in enumerate(rows[: L.HEADER_SEARCH_ROWS]):
        cols: dict[str, int] = {}
        for c, v in enumerate(row):
            t = norm_text(v) if isinstance(v, str) else ""
            if t in titles and t not in cols:
                cols[t] = c
        if all(t in cols for t in titles if t not in optional):
            return r, cols
        if len(cols) > len(best):
            best = cols
    return None, best


class _RowReader:
    """Parses the data rows of each sheet, collecting every problem with its cell."""

    def __init__(self, config: Config, file_name: str):
        self.config = config
        self.file = file_name
        self.rows = HistoryRows()
        self.found: list[Issue] = []
        self.units = {u.code for u in config.units}
        self.seen: dict[tuple, int] = {}

    def sheet(self, sheet: str, rows: list[list[Any]], header_at: int, cols: dict[str, int]) -> None:
        handler: dict[str, Callable] = {
            SHEET_PERSON_YEARS: self._person_year,
            SHEET_INITIATIVES: self._initiative,
            SHEET_AWARDS: self._award,
            SHEET_UNIT_YEARS: self._unit_year,
            SHEET_MOVES: self._move,
        }
        for r in range(header_at + 1, len(rows)):
            row = rows[r]
            values = {t: (row[c] if c < len(row) else None) for t, c in cols.items()}
            if all(_blank(v) for v in values.values()):
                continue
            cell = _Cells(self, sheet, r, cols, values)
            handler[sheet](cell)

    def duplicate(self, cell: "_Cells", key: tuple, column: str, what: str) -> bool:
        first = self.seen.get(key)
        if first is not None:
            cell.problem(column, f"{what} đã có ở dòng {first} của trang này (mỗi dòng chỉ ghi một lần)")
            return True
        self.seen[key] = cell.r + 1
        return False

    # -- one handler per sheet; each returns early only after recording its problems

    def _person_ref(self, cell: "_Cells", unit_column: str = C_UNIT) -> PersonRef | None:
        unit = cell.unit(unit_column)
        name = cell.required_text(C_NAME, "Họ và tên")
        birth = cell.birth_year()
        if unit is None or name is None or birth is False:
            return None
        return PersonRef(name, birth, unit)  # type: ignore[arg-type]

    def _person_year(self, cell: "_Cells") -> None:
        year = cell.year(C_YEAR)
        person = self._person_ref(cell)
        rating = cell.choice(C_RATING, vocab.RATING_BY_TEXT, required=True, codes=vocab.RATING_CODES)
        title = cell.choice(C_TITLE, {vocab.TITLES[c]: c for c in vocab.INDIVIDUAL_TITLES}, codes=vocab.INDIVIDUAL_TITLES, abbreviations=_TITLE_ABBREVIATIONS)
        if year is None or person is None or self.duplicate(cell, ("py", person.key, year), C_NAME, f"Cá nhân '{person.name}' năm {year}"):
            return
        decision = cell.text(C_DECISION)
        date = cell.date(C_DECISION_DATE)
        if not decision and date is not None:
            cell.problem(C_DECISION, "Có Ngày quyết định nhưng thiếu Số quyết định công nhận xếp loại, danh hiệu")
        if cell.failed or rating is None:
            return
        titles = {title} if title else set()
        if title == "CSTDCS":  # a CSTĐCS is chosen among those who are LĐTT
            titles.add("LDTT")
        self.rows.person_years.append(PersonYearRow(person, year, rating, frozenset(titles), decision, date or None))

    def _initiative(self, cell: "_Cells") -> None:
        year = cell.year(C_YEAR)
        person = self._person_ref(cell)
        title = cell.required_text(C_INIT_TITLE, "Tên sáng kiến")
        decision = cell.text(C_DECISION)
        date = cell.date(C_DECISION_DATE)
        level = cell.choice(C_LEVEL, vocab.INITIATIVE_LEVEL_BY_TEXT, codes=vocab.INITIATIVE_LEVEL_CODES)
        kind = cell.choice(C_KIND, {KIND_INITIATIVE: INITIATIVE, KIND_TASK: TASK}) or INITIATIVE
        # Recognition needs a decision and a level together (Law art. 3.4); an S&T task, its acceptance.
        if kind == TASK:
            if not decision and not cell.blank(C_DECISION_DATE):
                cell.problem(C_DECISION, "Đề tài có Ngày quyết định nhưng thiếu Số quyết định nghiệm thu")
        elif decision and cell.blank(C_LEVEL):
            cell.problem(C_LEVEL, "Sáng kiến có Số quyết định nhưng chưa chọn Cấp công nhận")
        elif level and not decision:
            cell.problem(C_DECISION, "Sáng kiến có Cấp công nhận nhưng thiếu Số quyết định công nhận")
        elif not decision and not cell.blank(C_DECISION_DATE):
            cell.problem(C_DECISION, "Sáng kiến có Ngày quyết định nhưng thiếu Số quyết định công nhận")
        if year is None or person is None or title is None:
            return
        if self.duplicate(cell, ("init", person.key, year, fold_key(title)), C_INIT_TITLE, f"Sáng kiến '{title}' của '{person.name}' năm {year}"):
            return
        if cell.failed:
            return
        rec = InitiativeRecord(title=title, decision=decision, decision_date=date or None, level=level, kind=kind)
        self.rows.initiatives.append(InitiativeRow(person, year, rec))

    def _award(self, cell: "_Cells") -> None:
        year = cell.year(C_YEAR)
        subject = cell.choice(C_SUBJECT, {SUBJECT_COLLECTIVE: "collective", SUBJECT_INDIVIDUAL: "individual"}, required=True)
        awards = {a.name: a.id for a in self.config.criteria.awards}
        award, name = self._award_form(cell, awards)
        decision = cell.text(C_DECISION)
        date = cell.date(C_DECISION_DATE)
        issuer = cell.text(C_ISSUER)
        person: PersonRef | None = None
        unit: str | None = None
        if subject == "individual":
            person = self._person_ref(cell)
            unit = person.unit_code if person else None
        else:
            unit = cell.unit(C_UNIT)
        if year is None or subject is None or award is None or unit is None:
            return
        who = person.key if person else unit
        label = f"'{person.name}'" if person else f"đơn vị {unit}"
        if self.duplicate(cell, ("award", subject, who, award, year), C_AWARD, f"Khen thưởng này của {label} năm {year}") or cell.failed:
            return
        rec = AwardRecord(award=award, year=year, decision=decision, decision_date=date or None, issuer=issuer, name=name)
        self.rows.awards.append(AwardRow(subject, unit, person, rec))

    def _award_form(self, cell: "_Cells", awards: dict[str, str]) -> tuple[str | None, str]:
        """(the configured form, the form's own name when it is another one): a form of the movement is chosen
        from the list; another (a minister's Bằng khen, Law art. 73.1(b)) is typed with the configured form it
        ranks with in `Tương đương hình thức`."""
        typed = cell.text(C_AWARD)
        table = {fold_key(n): i for n, i in awards.items()} | {fold_key(i): i for i in awards.values()}
        if not typed:
            cell.problem(C_AWARD, f"Thiếu {C_AWARD}: chọn trong danh sách")
            return None, ""
        if fold_key(typed) in table:
            return table[fold_key(typed)], ""
        if cell.blank(C_EQUIVALENT):
            cell.problem(C_AWARD, f"Hình thức '{typed}' không có trong danh sách của phong trào: chọn trong danh sách, hoặc chọn hình thức cùng cấp ở cột {C_EQUIVALENT}")
            return None, ""
        return cell.choice(C_EQUIVALENT, awards, codes=tuple(awards.values())), typed

    def _unit_year(self, cell: "_Cells") -> None:
        year = cell.year(C_YEAR)
        unit = cell.unit(C_UNIT)
        total = cell.decimal(C_TOTAL)
        result = cell.decimal(C_RESULT)
        bands = {b.name: b.name for b in self.config.criteria.bands}
        band = cell.choice(C_BAND, bands)
        rank = cell.rank(C_RANK)
        rating = cell.choice(C_UNIT_RATING, vocab.RATING_BY_TEXT, codes=vocab.RATING_CODES)
        title = cell.choice(C_UNIT_TITLE, {vocab.TITLES[c]: c for c in vocab.COLLECTIVE_TITLES}, codes=vocab.COLLECTIVE_TITLES, abbreviations=_TITLE_ABBREVIATIONS)
        if not cell.failed and all(v is None for v in (total, result, band, rank, rating, title)):
            cell.problem(C_RESULT, "Dòng chưa có kết quả nào (Tổng điểm, Kết quả, Xếp loại, Hạng, Xếp loại chất lượng hoặc Danh hiệu tập thể)")
        if year is None or unit is None:
            return
        if self.duplicate(cell, ("unit", unit, year), C_UNIT, f"Đơn vị {unit} năm {year}") or cell.failed:
            return
        if band is None and result is not None:
            band = self.config.criteria.band_for(result)
        self.rows.unit_years.append(
            UnitYear(year=year, unit_code=unit, total=total, result=result, band=band, rank=rank, rating=rating, titles=frozenset({title} if title else ()))
        )

    def _move(self, cell: "_Cells") -> None:
        name = cell.required_text(C_NAME, "Họ và tên")
        birth = cell.birth_year()
        src = cell.unit(C_FROM)
        dst = cell.unit(C_TO)
        year = cell.year(C_YEAR)
        if not cell.failed and src == dst:
            cell.problem(C_TO, "Đơn vị chuyển đến trùng với đơn vị chuyển đi")
        if name is None or birth is False or src is None or dst is None:
            return
        key = person_key(name, birth, src)  # type: ignore[arg-type]
        if self.duplicate(cell, ("move", key, dst), C_NAME, f"Việc chuyển của '{name}' từ {src} sang {dst}") or cell.failed or year is None:
            return
        self.rows.moves.append(Move(name, birth, src, dst, year))  # type: ignore[arg-type]


class _Cells:
    """The cells of one data row: typed getters that record a problem at the cell instead of raising."""

    def __init__(self, reader: _RowReader, sheet: str, r: int, cols: dict[str, int], values: dict[str, Any]):
        self.reader = reader
        self.sheet = sheet
        self.r = r
        self.cols = cols
        self.values = values
        self.failed = False

    def problem(self, column: str, detail: str) -> None:
        self.failed = True
        self.reader.found.append(
            issues.make(
                "history-invalid",
                file=self.reader.file,
                sheet=self.sheet,
                cell=cell_ref(self.r, self.cols[column]),
                value=_shown(self.values.get(column)),
                detail=f"Trang '{self.sheet}', ô {cell_ref(self.r, self.cols[column])}: {detail}",
            )
        )

    def _get(self, column: str, parse: Callable[[Any], Any], detail: Callable[[Any], str]) -> Any:
        raw = self.values.get(column)
        try:
            return parse(raw)
        except (ParseError, _Bad) as exc:
            self.problem(column, str(exc) if isinstance(exc, _Bad) else detail(raw))
            return None

    def blank(self, column: str) -> bool:
        return _blank(self.values.get(column))

    def text(self, column: str) -> str:
        raw = self.values.get(column)
        if isinstance(raw, (dt.date, dt.datetime)):
            return raw.strftime("%d/%m/%Y")
        return norm_text(raw) if not _blank(raw) else ""

    def required_text(self, column: str, label: str) -> str | None:
        value = self.text(column)
        if not value:
            self.problem(column, f"Thiếu {label}")
            return None
        return value

    def year(self, column: str) -> int | None:
        def parse(raw: Any) -> int:
            if _blank(raw):
                raise _Bad(f"Thiếu {column.lower()}")
            y = parse_count(raw)
            if y is None or not YEAR_MIN <= y <= YEAR_MAX:
                raise ParseError("range")
            return y

        return self._get(column, parse, lambda raw: f"Năm '{_shown(raw)}' không hợp lệ: cần số năm 4 chữ số từ {YEAR_MIN} đến {YEAR_MAX}")

    def birth_year(self) -> int | None | bool:
        """The birth year, None when empty, False when wrong (the problem is recorded)."""
        raw = self.values.get(C_BIRTH)
        if _blank(raw):
            return None
        try:
            y = parse_year(raw)
        except ParseError:
            y = -1
        if y is None or not L.BIRTH_YEAR_MIN <= y <= L.BIRTH_YEAR_MAX:
            self.problem(C_BIRTH, f"Năm sinh '{_shown(raw)}' không hợp lệ: cần số năm từ {L.BIRTH_YEAR_MIN} đến {L.BIRTH_YEAR_MAX}")
            return False
        return y

    def unit(self, column: str) -> str | None:
        raw = self.values.get(column)
        code = norm_text(raw).upper() if not _blank(raw) else ""
        if not code:
            self.problem(column, f"Thiếu {column.lower()}")
            return None
        if code not in self.reader.units:
            self.problem(column, f"Mã đơn vị '{_shown(raw)}' không có trong danh sách đơn vị (config/units.yaml): " + ", ".join(sorted(self.reader.units)))
            return None
        return code

    def choice(
        self,
        column: str,
        options: dict[str, str],
        required: bool = False,
        codes: tuple[str, ...] = (),
        abbreviations: dict[str, str] | None = None,
    ) -> str | None:
        """A drop-down cell: the option's text (or its code, or an official abbreviation) → its code."""
        raw = self.values.get(column)
        if _blank(raw):
            if required:
                self.problem(column, f"Thiếu {column}: chọn trong danh sách")
            return None
        wanted = fold_key(raw)
        table = {fold_key(text): code for text, code in options.items()}
        table.update({fold_key(c): c for c in codes})
        table.update({fold_key(a): c for a, c in (abbreviations or {}).items() if c in options.values()})
        if wanted in table:
            return table[wanted]
        self.problem(column, f"'{_shown(raw)}' không phải lựa chọn hợp lệ của cột {column}; chọn một trong: " + "; ".join(options))
        return None

    def date(self, column: str) -> dt.date | None:
        return self._get(column, parse_date, lambda raw: f"Ngày '{_shown(raw)}' không hợp lệ: cần dạng dd/mm/yyyy, ví dụ 15/03/2023")

    def decimal(self, column: str) -> Decimal | None:
        def detail(raw: Any) -> str:
            return f"{column} '{_shown(raw)}' không phải số hợp lệ: cần số không âm, tối đa 2 chữ số thập phân (ví dụ 85,25)"

        return self._get(column, parse_decimal, detail)

    def rank(self, column: str) -> int | None:
        def parse(raw: Any) -> int | None:
            n = parse_count(raw)
            if n is not None and n < 1:
                raise ParseError("range")
            return n

        return self._get(column, parse, lambda raw: f"Hạng '{_shown(raw)}' không hợp lệ: cần số nguyên từ 1")
