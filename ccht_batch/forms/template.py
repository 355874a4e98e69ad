"""The self-assessment workbook each unit fills, one per unit and year, generated from the YAML.

Its layout is a contract (DESIGN.md §4): outside tests and the reader find sheets, header titles and
drop-down texts by name. Drop-down choices live on a hidden lookup sheet because an inline list longer than
255 characters corrupts the file in Excel, and Vietnamese award names reach that limit quickly. Formulas are
only for the unit's eyes; the program recomputes everything from the typed values.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from ccht_batch.config.model import Config, Criterion, Unit
from ccht_batch.core import vocab
from ccht_batch.core.files import atomic_path, templates_dir
from ccht_batch.core.values import fmt_number
from ccht_batch.forms import layout as L
from ccht_batch.xlsx.util import (
    GROUP_TINT,
    INPUT_TINT,
    Formats,
    fit_row,
    new_workbook,
    print_setup,
    write_guide,
    write_header,
    write_meta,
)

SCORE_HEADER_ROW = 3  # zero-based: row 4 as Excel shows it
SCORE_WIDTHS = (10, 70, 10, 13, 40, 30, 11)  # the contract's six columns and the points column
INDICATOR_WIDTHS = (16, 75, 16, 16)
IND_HEADER_ROW = 3
PERSON_HEADER_ROW = 3
POINTS_TITLE = "Điểm quy đổi"  # an extra, locked column after the contract's six: points of each row

# Lookup lists: column on the hidden sheet → (title, values)
LOOKUP_YES_NO = 0
LOOKUP_SCALE = 1
LOOKUP_GENDER = 2
LOOKUP_RATING = 3
LOOKUP_LEVEL = 4
LOOKUP_AWARD = 5


def template_path(config: Config, unit_code: str, year: int) -> Path:
    return templates_dir(config.output_dir) / f"{unit_code}_{year}.xlsx"


def template_years(config: Config) -> list[int]:
    """The years for which ``output/templates/`` holds a configured unit's template, oldest first."""
    codes = {u.code for u in config.units}
    years = set()
    for path in templates_dir(config.output_dir).glob("*_*.xlsx"):
        code, _, year = path.stem.rpartition("_")
        if code in codes and year.isdigit() and len(year) == 4:
            years.add(int(year))
    return sorted(years)


def template_is_current(config: Config, path: Path) -> bool:
    """Whether a template file on disk matches the configuration (criteria and layout versions), so an
    outdated one is never mailed to a unit; an unreadable file is not current."""
    from python_calamine import CalamineWorkbook

    try:
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(L.SHEET_META).to_python(skip_empty_area=False)
    except Exception:  # calamine raises its own error types for missing or damaged files
        return False
    meta = {str(r[0]): r[1] for r in rows if len(r) >= 2}
    version = meta.get(L.META_TEMPLATE_VERSION)
    return meta.get(L.META_CRITERIA_VERSION) == config.criteria_version and version not in (None, "") and int(version) == L.TEMPLATE_VERSION


def write_templates(config: Config, year: int, unit_codes: list[str] | None = None) -> list[Path]:
    """Write ``output/templates/<code>_<year>.xlsx`` for every unit (or those named); return the paths."""
    units = list(config.units) if not unit_codes else [config.unit(c) for c in unit_codes]
    unknown = [c for c, u in zip(unit_codes or [], units) if u is None]
    if unknown:
        raise ValueError("mã đơn vị không có trong config/units.yaml: " + ", ".join(unknown))
    paths = []
    for unit in units:
        assert unit is not None
        path = template_path(config, unit.code, year)
        with atomic_path(path) as tmp:
            build_template(config, unit, year, tmp)
        paths.append(path)
    return paths


def build_template(config: Config, unit: Unit, year: int, path: Path) -> None:
    wb = new_workbook(path, title=f"Tự chấm điểm {year} - {unit.name}")
    fmt = Formats(wb)
    lookups = _lookup_lists(config)
    guide = wb.add_worksheet(L.SHEET_GUIDE)
    scores = wb.add_worksheet(L.SHEET_SCORES)
    indicators = wb.add_worksheet(L.SHEET_INDICATORS) if config.criteria.indicators else None
    persons = wb.add_worksheet(L.SHEET_PERSONS)
    meta = wb.add_worksheet(L.SHEET_META)
    lookup = wb.add_worksheet(L.SHEET_LOOKUP)

    _write_lookup(lookup, fmt, lookups)
    _write_scores(scores, fmt, config, unit, year, lookups)
    if indicators is not None:
        _write_indicators(indicators, fmt, config, unit, year)
    _write_persons(persons, fmt, config, unit, year, lookups)
    _write_guide(guide, fmt, config, unit, year)
    _write_meta(meta, fmt, config, unit, year)
    scores.activate()
    wb.close()


# ---------------------------------------------------------------------------------------------------
# Lookup sheet


def _lookup_lists(config: Config) -> dict[int, tuple[str, list[str]]]:
    return {
        LOOKUP_YES_NO: ("Có/Không", list(vocab.YES_NO)),
        LOOKUP_SCALE: ("Mức đánh giá", list(vocab.SCALE)),
        LOOKUP_GENDER: (L.P_GENDER, list(vocab.GENDERS)),
        LOOKUP_RATING: (L.P_RATING, list(vocab.RATINGS.values())),
        LOOKUP_LEVEL: (L.P_LEVEL, list(vocab.INITIATIVE_LEVELS.values())),
        LOOKUP_AWARD: (L.P_PROPOSAL, [a.name for a in config.criteria.awards]),
    }


def _write_lookup(ws: Worksheet, fmt: Formats, lookups: dict[int, tuple[str, list[str]]]) -> None:
    for col, (title, values) in lookups.items():
        ws.write_string(0, col, title, fmt(bold=True))
        for i, value in enumerate(values, start=1):
            ws.write_string(i, col, value)
        ws.set_column(col, col, 40)
    ws.hide()
    ws.protect()


def _list_source(lookups: dict[int, tuple[str, list[str]]], col: int) -> str:
    """A validation source pointing at the lookup sheet (never an inline list)."""
    n = len(lookups[col][1])
    first = xl_rowcol_to_cell(1, col, row_abs=True, col_abs=True)
    last = xl_rowcol_to_cell(n, col, row_abs=True, col_abs=True)
    return f"='{L.SHEET_LOOKUP}'!{first}:{last}"


def _clip(text: str, limit: int) -> str:
    """Excel refuses validation titles over 32 and messages over 255 characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------------
# Tự chấm điểm


def _title_rows(ws: Worksheet, fmt: Formats, title: str, subtitle: str, last_col: int, width: float) -> None:
    """The title and subtitle across the table (``width``: the table's width, for wrapping)."""
    ws.merge_range(0, 0, 0, last_col, title, fmt(bold=True, align="center", font_size=14, text_wrap=True))
    ws.merge_range(1, 0, 1, last_col, subtitle, fmt(italic=True, align="center", text_wrap=True))
    fit_row(ws, 0, [(title, width)], 14, bold=True, minimum=24)
    fit_row(ws, 1, [(subtitle, width)])


def _write_scores(ws: Worksheet, fmt: Formats, config: Config, unit: Unit, year: int, lookups) -> None:
    crit = config.criteria
    headers = list(L.SCORE_HEADERS) + [POINTS_TITLE]
    last_col = len(headers) - 1
    _title_rows(
        ws,
        fmt,
        f"BẢNG TỰ CHẤM ĐIỂM PHONG TRÀO THI ĐUA NĂM {year}",
        f"Đơn vị: {unit.name} (mã {unit.code}) — {crit.movement.name}",
        last_col,
        sum(SCORE_WIDTHS),
    )
    note = "Nhập vào các ô có tô màu vàng. Không thêm, xóa hay sắp xếp lại dòng; không đổi tên trang tính."
    ws.merge_range(2, 0, 2, last_col, note, fmt(italic=True, font_color="#C00000", text_wrap=True))
    fit_row(ws, 2, [(note, sum(SCORE_WIDTHS))])
    write_header(ws, fmt, SCORE_HEADER_ROW, headers)
    fit_row(ws, SCORE_HEADER_ROW, list(zip(headers, SCORE_WIDTHS)), bold=True, minimum=32)

    text = fmt(text_wrap=True, border=1, locked=True)
    code = fmt(align="center", border=1, locked=True)
    number = fmt(align="center", border=1, num_format="0.##", locked=True)
    group_text = fmt(bold=True, text_wrap=True, border=1, bg_color=GROUP_TINT, locked=True)
    group_code = fmt(bold=True, align="center", border=1, bg_color=GROUP_TINT, locked=True)
    group_number = fmt(bold=True, align="center", border=1, bg_color=GROUP_TINT, num_format="0.##", locked=True)
    inp_number = fmt(align="center", border=1, num_format="0.##", locked=False, bg_color=INPUT_TINT)
    inp_text = fmt(text_wrap=True, border=1, locked=False, bg_color=INPUT_TINT)
    not_applicable = fmt(italic=True, align="center", border=1, locked=True, font_color="#7F7F7F")

    row = SCORE_HEADER_ROW + 1
    field_total_cells: list[str] = []
    col_self, col_points = 3, 6

    def points_formula(c: Criterion, r: int) -> str:
        cell = xl_rowcol_to_cell(r, col_self)
        if c.is_choice:
            parts = "0"
            for ch in reversed(c.choices):
                parts = f'IF({cell}="{ch.text}",{_num(ch.points)},{parts})'
            return "=" + parts
        return f"=IF(ISNUMBER({cell}),{cell},0)"

    def scored_row(c: Criterion, r: int, applicable: bool, sign: str = "") -> None:
        ws.write_string(r, 0, c.id, code)
        ws.write_string(r, 1, c.name, text)
        fit_row(ws, r, [(c.name, SCORE_WIDTHS[1])])
        ws.write_number(r, 2, float(c.max), number)
        if not applicable:
            ws.write_string(r, col_self, vocab.NOT_APPLICABLE, not_applicable)
            ws.write_blank(r, 4, None, text)
            ws.write_blank(r, 5, None, text)
            ws.write_number(r, col_points, 0, number)
            return
        ws.write_blank(r, col_self, None, inp_number if not c.is_choice else inp_text)
        ws.write_blank(r, 4, None, inp_text)
        ws.write_blank(r, 5, None, inp_text)
        ws.write_formula(r, col_points, points_formula(c, r), number, 0)
        _score_validation(ws, r, col_self, c, lookups, sign)

    def group_line(r: int, code_text: str, label: str, max_points: Decimal | None) -> None:
        """A locked group line: its code (fields only), label and maximum (when it has one)."""
        if code_text:
            ws.write_string(r, 0, code_text, group_code)
        else:
            ws.write_blank(r, 0, None, group_code)
        ws.write_string(r, 1, label, group_text)
        fit_row(ws, r, [(label, SCORE_WIDTHS[1])], bold=True)
        if max_points is None:
            ws.write_blank(r, 2, None, group_number)
        else:
            ws.write_number(r, 2, float(max_points), group_number)
        for col in (3, 4, 5):
            ws.write_blank(r, col, None, group_text)

    def block(r: int, code_text: str, label: str, max_points: Decimal | None, items, subtotal: str, sign: str = "") -> int:
        """A group line, its scored rows, and the group's live subtotal (``subtotal`` wraps the SUM);
        returns the next free row."""
        group_line(r, code_text, label, max_points)
        first = r + 1
        for i, c in enumerate(items):
            scored_row(c, first + i, config.applies(c, unit), sign)
        if items:
            rng = f"{xl_rowcol_to_cell(first, col_points)}:{xl_rowcol_to_cell(first + len(items) - 1, col_points)}"
            ws.write_formula(r, col_points, "=" + subtotal.format(f"SUM({rng})"), group_number, 0)
        else:
            ws.write_number(r, col_points, 0, group_number)
        return first + len(items)

    for f in crit.fields:
        field_total_cells.append(xl_rowcol_to_cell(row, col_points))
        row = block(row, f.id, f.name, f.max, f.criteria, "{}")

    total_row = row
    group_line(row, "", f"{L.TOTAL_LABEL} điểm các lĩnh vực", crit.total_max)
    ws.write_formula(row, col_points, "=" + "+".join(field_total_cells) if field_total_cells else "=0", group_number, 0)
    row += 1

    bonus_row = row
    row = block(row, "", f"{L.BONUS_GROUP} (tối đa {fmt_number(crit.bonus_cap)} điểm)", crit.bonus_cap, crit.bonus_items, f"MIN({{}},{_num(crit.bonus_cap)})")
    penalty_row = row
    row = block(row, "", f"{L.PENALTY_GROUP} (nhập số điểm bị trừ, là số dương)", None, crit.penalty_items, "{}", sign="trừ")

    group_line(row, "", "Tổng điểm tự chấm (các lĩnh vực + điểm thưởng − điểm trừ; chương trình tự tính lại)", None)
    ws.write_formula(
        row,
        col_points,
        f"={xl_rowcol_to_cell(total_row, col_points)}+{xl_rowcol_to_cell(bonus_row, col_points)}-{xl_rowcol_to_cell(penalty_row, col_points)}",
        group_number,
        0,
    )

    for col, width in enumerate(SCORE_WIDTHS):
        ws.set_column(col, col, width)
    ws.freeze_panes(SCORE_HEADER_ROW + 1, 0)
    print_setup(ws, repeat_rows=(SCORE_HEADER_ROW, SCORE_HEADER_ROW))
    ws.set_footer("&C&\"Times New Roman\"Trang &P/&N")
    ws.protect("", {"format_columns": True, "format_rows": True})


def _num(d: Decimal) -> str:
    return format(d.normalize(), "f")


def _score_validation(ws: Worksheet, r: int, col: int, c: Criterion, lookups, sign: str) -> None:
    if c.is_choice:
        source_col = LOOKUP_YES_NO if c.method == "yes_no" else LOOKUP_SCALE
        points = "; ".join(f"{ch.text}: {fmt_number(ch.points)} điểm" for ch in c.choices)
        ws.data_validation(
            r,
            col,
            r,
            col,
            {
                "validate": "list",
                "source": _list_source(lookups, source_col),
                "input_title": _clip("Chọn trong danh sách", 32),
                "input_message": _clip(f"Chọn một mức: {points}.", 255),
                "error_title": _clip("Lựa chọn không hợp lệ", 32),
                "error_message": _clip("Đề nghị đơn vị chọn một giá trị trong danh sách thả xuống.", 255),
            },
        )
        return
    step = fmt_number(c.step)
    what = "số điểm bị trừ" if sign else "điểm tự chấm"
    example = fmt_number(c.step * 2 if c.step * 2 <= c.max else c.step)
    message = f"Nhập {what}: số từ 0 đến {fmt_number(c.max)}, bước {step} điểm (ví dụ {example})."
    if c.is_computed:
        message += " Chương trình tính điểm từ trang Số liệu; ô này để đơn vị đối chiếu."
    ws.data_validation(
        r,
        col,
        r,
        col,
        {
            "validate": "custom",
            "value": step_formula(xl_rowcol_to_cell(r, col), c.max, c.step),
            "input_title": _clip("Điểm tự chấm" if not sign else "Điểm trừ", 32),
            "input_message": _clip(message, 255),
            "error_title": _clip("Điểm không hợp lệ", 32),
            "error_message": _clip(f"Điểm phải là số từ 0 đến {fmt_number(c.max)} và là bội số của {step} (ví dụ {example}).", 255),
        },
    )


def step_formula(cell: str, maximum: Decimal, step: Decimal) -> str:
    """The validation of a score cell: a number from 0 to ``maximum`` in steps of ``step``, e.g.
    ``=AND(ISNUMBER(D6),D6>=0,D6<=3,MOD(ROUND(D6*4,6),1)=0)``. The division by the step is rounded so that
    binary fractions (0,1 × 10) do not refuse a right score."""
    inverse = 1 / step
    scaled = f"{cell}*{_num(inverse)}" if inverse == inverse.to_integral_value() else f"{cell}/{_num(step)}"
    return f"=AND(ISNUMBER({cell}),{cell}>=0,{cell}<={_num(maximum)},MOD(ROUND({scaled},6),1)=0)"


# ---------------------------------------------------------------------------------------------------
# Số liệu


def _write_indicators(ws: Worksheet, fmt: Formats, config: Config, unit: Unit, year: int) -> None:
    last_col = len(L.INDICATOR_HEADERS) - 1
    _title_rows(ws, fmt, f"SỐ LIỆU TÍNH ĐIỂM NĂM {year}", f"Đơn vị: {unit.name} (mã {unit.code})", last_col, sum(INDICATOR_WIDTHS))
    note = "Số lượng: số nguyên từ 0; ngày: dạng dd/mm/yyyy. Để trống nếu chưa có."
    ws.merge_range(2, 0, 2, last_col, note, fmt(italic=True, font_color="#C00000", text_wrap=True))
    fit_row(ws, 2, [(note, sum(INDICATOR_WIDTHS))])
    write_header(ws, fmt, IND_HEADER_ROW, L.INDICATOR_HEADERS)
    fit_row(ws, IND_HEADER_ROW, list(zip(L.INDICATOR_HEADERS, INDICATOR_WIDTHS)), bold=True)
    text = fmt(text_wrap=True, border=1, locked=True)
    code = fmt(align="center", border=1, locked=True)
    unit_text = fmt(align="center", border=1, locked=True, text_wrap=True)
    inp_count = fmt(align="center", border=1, num_format="0", locked=False, bg_color=INPUT_TINT)
    inp_date = fmt(align="center", border=1, num_format="dd/mm/yyyy", locked=False, bg_color=INPUT_TINT)
    readers: dict[str, list[str]] = {}
    for c in config.criteria.criteria:
        for ind in c.indicators_read():
            readers.setdefault(ind, []).append(c.id)
    for i, ind in enumerate(config.criteria.indicators):
        r = IND_HEADER_ROW + 1 + i
        ws.write_string(r, 0, ind.id, code)
        ws.write_string(r, 1, ind.name, text)
        ws.write_string(r, 2, ind.unit, unit_text)
        fit_row(ws, r, [(ind.id, INDICATOR_WIDTHS[0]), (ind.name, INDICATOR_WIDTHS[1]), (ind.unit, INDICATOR_WIDTHS[2])])
        used_by = ", ".join(readers.get(ind.id, []))
        if ind.type == "date":
            ws.write_blank(r, 3, None, inp_date)
            ws.data_validation(
                r, 3, r, 3,
                {
                    "validate": "date",
                    "criteria": "between",
                    "minimum": dt.date(2000, 1, 1),
                    "maximum": dt.date(2100, 12, 31),
                    "input_title": "Ngày",
                    "input_message": _clip(f"Nhập ngày dạng dd/mm/yyyy, ví dụ 15/01/{year}. Dùng cho tiêu chí {used_by}.", 255),
                    "error_title": "Ngày không hợp lệ",
                    "error_message": "Đề nghị đơn vị nhập ngày dạng dd/mm/yyyy.",
                },
            )
        else:
            ws.write_blank(r, 3, None, inp_count)
            ws.data_validation(
                r, 3, r, 3,
                {
                    "validate": "integer",
                    "criteria": ">=",
                    "value": 0,
                    "input_title": "Số lượng",
                    "input_message": _clip(f"Nhập số nguyên từ 0 ({ind.unit}). Dùng cho tiêu chí {used_by}.", 255),
                    "error_title": "Số lượng không hợp lệ",
                    "error_message": "Đề nghị đơn vị nhập số nguyên không âm.",
                },
            )
    for col, width in enumerate(INDICATOR_WIDTHS):
        ws.set_column(col, col, width)
    ws.freeze_panes(IND_HEADER_ROW + 1, 0)
    print_setup(ws, repeat_rows=(IND_HEADER_ROW, IND_HEADER_ROW))
    ws.protect("", {"format_columns": True, "format_rows": True})


# ---------------------------------------------------------------------------------------------------
# Cá nhân


PERSON_WIDTHS = {
    L.P_NO: 6, L.P_NAME: 26, L.P_BIRTH: 9, L.P_GENDER: 9, L.P_POSITION: 22, L.P_RATING: 28, L.P_INITIATIVE: 34, L.P_DECISION: 28,
    L.P_LEVEL: 14, L.P_PROPOSAL: 34, L.P_SUMMARY: 45, L.P_TASKS: 40,
}
PERSON_WIDTH_OTHER = 30  # a column the layout adds later


def _write_persons(ws: Worksheet, fmt: Formats, config: Config, unit: Unit, year: int, lookups) -> None:
    headers = L.PERSON_HEADERS
    last_col = len(headers) - 1
    widths = [PERSON_WIDTHS.get(h, PERSON_WIDTH_OTHER) for h in headers]
    _title_rows(ws, fmt, f"DANH SÁCH CÁ NHÂN NĂM {year}", f"Đơn vị: {unit.name} (mã {unit.code})", last_col, sum(widths))
    note = (
        "Mỗi người một dòng. Chọn Giới tính, Xếp loại, Cấp công nhận sáng kiến, Hình thức đề nghị trong danh sách; "
        "để trống Hình thức đề nghị nếu không đề nghị."
    )
    ws.merge_range(2, 0, 2, last_col, note, fmt(italic=True, font_color="#C00000", text_wrap=True))
    fit_row(ws, 2, [(note, sum(widths))], minimum=30)
    write_header(ws, fmt, PERSON_HEADER_ROW, headers)
    fit_row(ws, PERSON_HEADER_ROW, list(zip(headers, widths)), bold=True, minimum=45)
    no_fmt = fmt(align="center", border=1, locked=True)
    inp = fmt(text_wrap=True, border=1, locked=False, bg_color=INPUT_TINT)
    inp_year = fmt(align="center", border=1, num_format="0", locked=False, bg_color=INPUT_TINT)
    n = config.settings.individual_rows
    first, last = PERSON_HEADER_ROW + 1, PERSON_HEADER_ROW + n
    for i in range(n):
        r = first + i
        ws.write_number(r, 0, i + 1, no_fmt)
        for col in range(1, len(headers)):
            ws.write_blank(r, col, None, inp_year if headers[col] == L.P_BIRTH else inp)
    col_of = {title: i for i, title in enumerate(headers)}
    ws.data_validation(
        first, col_of[L.P_BIRTH], last, col_of[L.P_BIRTH],
        {
            "validate": "integer",
            "criteria": "between",
            "minimum": L.BIRTH_YEAR_MIN,
            "maximum": L.BIRTH_YEAR_MAX,
            "input_title": "Năm sinh",
            "input_message": f"Nhập năm sinh, số từ {L.BIRTH_YEAR_MIN} đến {L.BIRTH_YEAR_MAX}.",
            "error_title": "Năm sinh không hợp lệ",
            "error_message": f"Năm sinh phải là số từ {L.BIRTH_YEAR_MIN} đến {L.BIRTH_YEAR_MAX}.",
        },
    )
    for title, lookup_col in ((L.P_GENDER, LOOKUP_GENDER), (L.P_RATING, LOOKUP_RATING), (L.P_LEVEL, LOOKUP_LEVEL), (L.P_PROPOSAL, LOOKUP_AWARD)):
        col = col_of[title]
        ws.data_validation(
            first, col, last, col,
            {
                "validate": "list",
                "source": _list_source(lookups, lookup_col),
                "input_title": _clip(title, 32),
                "input_message": _clip("Chọn trong danh sách thả xuống." + (" Để trống nếu không đề nghị." if title == L.P_PROPOSAL else ""), 255),
                "error_title": "Lựa chọn không hợp lệ",
                "error_message": "Đề nghị đơn vị chọn một giá trị trong danh sách thả xuống.",
            },
        )
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.freeze_panes(PERSON_HEADER_ROW + 1, 2)
    print_setup(ws, repeat_rows=(PERSON_HEADER_ROW, PERSON_HEADER_ROW))
    ws.protect("", {"format_columns": True, "format_rows": True})


# ---------------------------------------------------------------------------------------------------
# Hướng dẫn and _meta


def _write_guide(ws: Worksheet, fmt: Formats, config: Config, unit: Unit, year: int) -> None:
    s = config.settings
    c = config.criteria
    computed = [x for x in c.criteria if x.is_computed]
    choice = [x for x in c.criteria if x.is_choice]
    evidence = [x.id for x in c.scored_rows if x.evidence_required]
    not_applicable = [x.id for x in c.criteria if not config.applies(x, unit)]
    own_steps = [x for x in c.scored_rows if not x.is_choice and x.step != c.default_step]
    contact = s.contact
    lines: list[tuple[str, str]] = [
        ("title", f"HƯỚNG DẪN TỰ CHẤM ĐIỂM NĂM {year}"),
        ("sub", c.movement.name),
        ("sub", f"Đơn vị: {unit.name} (mã {unit.code}) — {config.agency.name}"),
        ("", ""),
        ("head", "1. Gửi tệp khi nào, cho ai"),
        ("", f"- Hằng tháng, chậm nhất ngày {s.deadline_day}, đề nghị đơn vị cập nhật tệp này và gửi lại cho Văn phòng Sở (gửi cả năm một tệp, cập nhật dần)."),
        ("", f"- Liên hệ: {contact.name}" + (f", {contact.title}" if contact.title else "") + (f"; điện thoại {contact.phone}" if contact.phone else "") + (f"; thư điện tử {contact.email}" if contact.email else "") + "."),
        ("", "- Giữ nguyên tên trang tính, thứ tự dòng và tiêu đề cột; tên tệp có thể đổi tùy ý (chương trình nhận diện đơn vị từ nội dung tệp)."),
        ("", ""),
        ("head", f"2. Trang \"{L.SHEET_SCORES}\""),
        ("", f"- {L.COL_CODE}, {L.COL_CONTENT}, {L.COL_MAX}: do Văn phòng Sở lập, không sửa."),
        ("", f"- {L.COL_SELF}: nhập số điểm từ 0 đến điểm tối đa, bước {fmt_number(c.default_step)} điểm (ví dụ 2,5 hoặc 2.5; không dùng dấu phân cách hàng nghìn)."
         + (" Bước điểm riêng: " + "; ".join(f"{x.id} bước {fmt_number(x.step)} điểm" for x in own_steps) + "." if own_steps else "")),
        ("", f"- {L.COL_EVIDENCE}: ghi số, ký hiệu, ngày văn bản hoặc đường dẫn tài liệu chứng minh."
         + (f" Bắt buộc với: {', '.join(evidence)} — để trống thì tiêu chí được 0 điểm" + (" (trừ khi giải trình ở cột Ghi chú)." if c.evidence_explanation_allowed else ".") if evidence else "")),
        ("", f"- {L.COL_NOTE}: giải trình, thuyết minh nếu cần."),
        ("", "- Ô có tô màu vàng là ô nhập; các ô khác đã khóa. Ô điểm chỉ nhận số đúng bước điểm của mục đó. Công thức trong tệp chỉ để đơn vị theo dõi, chương trình tự tính lại."),
    ]
    if choice:
        lines.append(("", "- Tiêu chí chọn trong danh sách (Có/Không; Tốt/Đạt/Chưa đạt): " + ", ".join(x.id for x in choice) + "."))
    if computed:
        lines.append(("", f"- Tiêu chí chương trình tính từ trang \"{L.SHEET_INDICATORS}\": " + ", ".join(x.id for x in computed) + ". Điểm tự chấm khác điểm tính được sẽ được nhắc để đối chiếu."))
    if not_applicable:
        lines.append(("", "- Không áp dụng với đơn vị: " + ", ".join(not_applicable) + " (ghi \"Không áp dụng\"; không tính vào điểm và điểm tối đa)."))
    lines += [
        ("", f"- {L.BONUS_GROUP}: cộng tối đa {fmt_number(c.bonus_cap)} điểm. {L.PENALTY_GROUP}: nhập số điểm bị trừ (số dương), là bội số của số điểm trừ mỗi trường hợp."),
        ("", ""),
        ("head", f"3. Trang \"{L.SHEET_INDICATORS}\""),
        ("", "- Nhập số liệu của năm tính đến thời điểm gửi: số lượng là số nguyên từ 0; ngày nhập dạng dd/mm/yyyy."),
        ("", ""),
        ("head", f"4. Trang \"{L.SHEET_PERSONS}\""),
        ("", "- Mỗi cá nhân một dòng: họ và tên, năm sinh, giới tính, chức vụ, xếp loại năm."),
        ("", "- Sáng kiến chỉ được tính khi có số, ngày quyết định công nhận và cấp công nhận."),
        ("", f"- {L.P_TASKS}: tên đề tài, đề án, công trình KH&CN kèm số, ngày quyết định nghiệm thu; nhiều đề tài thì cách nhau bằng dấu chấm phẩy (;)."),
        ("", f"- {L.P_PROPOSAL}: chọn hình thức khen thưởng đề nghị, để trống nếu không đề nghị."),
        ("", ""),
        ("head", "5. Cách tính kết quả"),
        ("", "- Kết quả = tổng điểm các tiêu chí áp dụng ÷ tổng điểm tối đa áp dụng × 100 + điểm thưởng − điểm trừ."),
        ("", "- Xếp loại: " + "; ".join(f"{b.name} từ {fmt_number(b.min)} điểm" for b in c.bands) + "."),
    ]
    write_guide(ws, fmt, lines)


def _write_meta(ws: Worksheet, fmt: Formats, config: Config, unit: Unit, year: int) -> None:
    rows = [
        (L.META_KIND, L.KIND_TEMPLATE),
        (L.META_TEMPLATE_VERSION, L.TEMPLATE_VERSION),
        (L.META_CRITERIA_VERSION, config.criteria_version),
        (L.META_YEAR, year),
        (L.META_UNIT_CODE, unit.code),
        (L.META_UNIT_NAME, unit.name),
    ]
    write_meta(ws, rows)
