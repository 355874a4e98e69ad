"""The appraisal workbook (thẩm định): the Office's way to return its own score for any criterion.

The program writes one workbook per period listing, for every unit with a counted score, each applicable
scored row with the self-score, the computed score and the score that counts now; the Office types its
score in the one unlocked column and drops the workbook in ``input/`` like a unit's file. Its ``_meta``
kind ``appraisal`` is how the reader tells it from a submission; ``validate.validate_book`` reads it back
into ``model.Appraisal``. Its sheet and column names are in ``layout``, which the reader reads too.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from xlsxwriter.utility import xl_rowcol_to_cell

from ccht_batch.config.model import Config
from ccht_batch.core.files import atomic_path, period_dir
from ccht_batch.core.periods import period_text
from ccht_batch.core.records import UnitOutcome
from ccht_batch.core.values import fmt_number
from ccht_batch.forms import layout as L
from ccht_batch.forms.template import step_formula
from ccht_batch.xlsx.util import (
    GROUP_TINT,
    INPUT_TINT,
    Formats,
    fit_row,
    new_workbook,
    print_setup,
    write_header,
    write_meta,
)

HEADER_ROW = 3  # zero-based: row 4 as Excel shows it

WIDTHS = (11, 30, 10, 60, 10, 11, 13, 11, 12, 40)


def appraisal_path(config: Config, period: str) -> Path:
    return period_dir(config.output_dir, period) / f"ThamDinh_{period}.xlsx"


def write_appraisal(config: Config, period: str, units: list[UnitOutcome], path: Path) -> Path:
    """Write the period's appraisal workbook at ``path`` (replaced as a whole); return ``path``."""
    path = Path(path)
    with atomic_path(path) as tmp:
        _build(config, period, units, tmp)
    return path


def _build(config: Config, period: str, units: list[UnitOutcome], path: Path) -> None:
    wb = new_workbook(path, title=f"Thẩm định {period_text(period)}")
    fmt = Formats(wb)
    ws = wb.add_worksheet(L.APPRAISAL_SHEET)
    meta = wb.add_worksheet(L.SHEET_META)
    last = len(L.APPRAISAL_HEADERS) - 1

    width = sum(WIDTHS)
    title = f"BẢNG THẨM ĐỊNH KẾT QUẢ TỰ CHẤM ĐIỂM {period_text(period).upper()}"
    note = (
        f"Nhập điểm thẩm định vào cột \"{L.A_APPRAISED}\" (ô có tô màu vàng) cho tiêu chí cần điều chỉnh; để trống nếu giữ điểm đang tính. "
        f"Lưu tệp rồi đặt vào thư mục input và chạy lại: ccht-batch run --period {period}. Thẩm định áp dụng cho bảng của đơn vị "
        "đang được tính điểm, kể cả các tháng sau nếu đơn vị chưa gửi bảng mới."
    )
    ws.merge_range(0, 0, 0, last, title, fmt(bold=True, align="center", font_size=14, text_wrap=True))
    ws.merge_range(1, 0, 1, last, config.criteria.movement.name, fmt(italic=True, align="center", text_wrap=True))
    ws.merge_range(2, 0, 2, last, note, fmt(italic=True, font_color="#C00000", text_wrap=True))
    fit_row(ws, 0, [(title, width)], 14, bold=True, minimum=24)
    fit_row(ws, 1, [(config.criteria.movement.name, width)])
    fit_row(ws, 2, [(note, width)])
    write_header(ws, fmt, HEADER_ROW, L.APPRAISAL_HEADERS)
    fit_row(ws, HEADER_ROW, list(zip(L.APPRAISAL_HEADERS, WIDTHS)), bold=True, minimum=32)

    code = fmt(align="center", border=1, locked=True)
    text = fmt(text_wrap=True, border=1, locked=True)
    number = fmt(align="center", border=1, locked=True)
    counted = fmt(align="center", border=1, locked=True, bold=True, bg_color=GROUP_TINT)
    inp_number = fmt(align="center", border=1, locked=False, bg_color=INPUT_TINT)
    inp_text = fmt(text_wrap=True, border=1, locked=False, bg_color=INPUT_TINT)

    row = HEADER_ROW + 1
    for unit in units:
        if unit.score is None:
            continue
        for cs in unit.score.criteria:
            if not cs.applicable:
                continue
            criterion = config.criteria.criterion(cs.id)
            ws.write_string(row, 0, unit.code, code)
            ws.write_string(row, 1, unit.name, text)
            ws.write_string(row, 2, cs.id, code)
            ws.write_string(row, 3, criterion.name if criterion else "", text)
            fit_row(ws, row, [(unit.name, WIDTHS[1]), (criterion.name if criterion else "", WIDTHS[3])])
            _number(ws, row, 4, cs.max, number)
            _number(ws, row, 5, cs.self_score, number)
            _number(ws, row, 6, cs.computed, number)
            _number(ws, row, 7, cs.score, counted)
            ws.write_blank(row, 8, None, inp_number)
            ws.write_blank(row, 9, None, inp_text)
            step = criterion.step if criterion else Decimal("0.01")
            ws.data_validation(
                row, 8, row, 8,
                {
                    "validate": "custom",
                    "value": step_formula(xl_rowcol_to_cell(row, 8), cs.max, step),
                    "input_title": "Điểm thẩm định",
                    "input_message": f"Số từ 0 đến {fmt_number(cs.max)}, bước {fmt_number(step)} điểm; để trống nếu giữ điểm đang tính.",
                    "error_title": "Điểm không hợp lệ",
                    "error_message": f"Điểm thẩm định phải là số từ 0 đến {fmt_number(cs.max)} và là bội số của {fmt_number(step)}.",
                },
            )
            row += 1

    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width)
    ws.freeze_panes(HEADER_ROW + 1, 3)
    if row > HEADER_ROW + 1:
        ws.autofilter(HEADER_ROW, 0, row - 1, last)
    print_setup(ws, repeat_rows=(HEADER_ROW, HEADER_ROW))
    ws.protect("", {"autofilter": True, "sort": True, "format_columns": True, "format_rows": True})
    ws.activate()

    rows = [
        (L.META_KIND, L.KIND_APPRAISAL),
        (L.META_TEMPLATE_VERSION, L.TEMPLATE_VERSION),
        (L.META_CRITERIA_VERSION, config.criteria_version),
        (L.META_PERIOD, period),
    ]
    # the submission each unit is appraised on: the appraisal follows it, and ends with a newer one
    rows += [(L.META_BASIS + u.code, u.submission.sha256) for u in units if u.score is not None and u.submission is not None]
    write_meta(meta, rows)
    wb.close()


def _number(ws, row: int, col: int, value, fmt) -> None:
    if value is None:
        ws.write_blank(row, col, None, fmt)
    else:
        ws.write_number(row, col, float(value), fmt)
