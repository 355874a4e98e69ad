"""A unit's feedback workbook ``PhanHoi/<unit code>.xlsx``: what happened to its file and what to fix.

The reader is a division head who sees only the template, this workbook and an e-mail, so it must answer
every question without a phone call: was the file taken, what counts, where it stands, why a score is not
the one typed, and which cell of which sheet to fix. The first sheet says it in sentences; the others list
the issues, the scored rows and the award checks.

Writing is split in two so a process pool can do the second half: ``outputs.frames.feedback_data`` (in the
parent) cuts each unit's plain values from the period's tables (numbers as floats: they cross a process
boundary and are written as Excel numbers anyway), and ``write_feedback_file`` (in any process, without
pandas) turns them into the workbook. A month has as many of these workbooks as units, all of one layout, so the layout is built
once per process (``xlsxfast.PatternBook``) and each file adds only its rows: about 1.5 ms a file instead
of about 10 ms. The same values always give the same bytes, whichever process writes them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ccht_batch.awards.shares import all_shares, declared_ratings
from ccht_batch.config.model import Config
from ccht_batch.core.issues import ERROR
from ccht_batch.core.periods import period_text
from ccht_batch.core.records import (
    CARRIED,
    FileRecord,
    UnitOutcome,
)
from ccht_batch.core.values import fmt_number
from ccht_batch.core.vocab import RATINGS
from ccht_batch.xlsx.fast import (
    FastSheet,
    PatternBook,
    SheetRows,
    Styled,
    row_heights,
    use_formats,
)
from ccht_batch.xlsx.util import HEADER_TINT, Formats, print_setup, text_height

FEEDBACK_DIR = "PhanHoi"
SHEET_RESULT = "Kết quả"
SHEET_FIX = "Cần sửa"
SHEET_SCORES = "Điểm"
SHEET_AWARDS = "Khen thưởng"
SHEETS = (SHEET_RESULT, SHEET_FIX, SHEET_SCORES, SHEET_AWARDS)

FIX_HEADERS = ("STT", "Tệp", "Trang tính", "Ô", "Mức độ", "Nội dung", "Giá trị đã nhập", "Mã lỗi")
SCORE_HEADERS = ("Mã tiêu chí", "Loại", "Nội dung", "Điểm tối đa", "Điểm tự chấm", "Điểm được tính", "Nguồn điểm", "Giải thích", "Tài liệu kiểm chứng")
AWARD_HEADERS = ("Đối tượng", "Họ và tên (tên tập thể)", "Hình thức khen thưởng", "Đơn vị đề nghị", "Kết quả xét", "Lý do", "Được đưa vào danh sách", "Ghi chú")
KIND_TEXT = {"criterion": "Tiêu chí", "bonus": "Điểm thưởng", "penalty": "Điểm trừ"}
CANDIDATE_TEXT = {"collective": "Tập thể", "individual": "Cá nhân"}
SELECTED_TEXT = {True: "Có", False: "Không", None: "Đồng hạng, chờ Hội đồng quyết định"}

RESULT_WIDTHS = (28, 90)
FIX_WIDTHS = (5, 26, 14, 7, 10, 70, 20, 20)
SCORE_WIDTHS = (9, 12, 44, 9, 9, 9, 14, 44, 30)
AWARD_WIDTHS = (10, 24, 26, 10, 16, 50, 12, 30)
FONT_SIZE = 12

EMPTY_FIX = "Không có lỗi hay cảnh báo nào."
EMPTY_SCORES = "Kỳ này đơn vị chưa có điểm vì chưa có tệp hợp lệ."
EMPTY_AWARDS = "Không có tập thể hay cá nhân nào của đơn vị được xét khen thưởng trong kỳ này."


def feedback_path(directory: Path, unit_code: str) -> Path:
    return Path(directory) / FEEDBACK_DIR / f"{unit_code}.xlsx"


def rank_change_text(rank: int | None, change: int | None) -> str:
    """``rank_change`` is the previous rank minus this one: positive means the unit moved up."""
    if rank is None:
        return "Chưa được xếp hạng trong kỳ này"
    if change is None:
        return "Chưa có hạng của kỳ trước để so sánh"
    if change > 0:
        return f"Tăng {change} bậc so với kỳ trước"
    if change < 0:
        return f"Giảm {-change} bậc so với kỳ trước"
    return "Giữ nguyên so với kỳ trước"


def rejected_facts(rec: FileRecord | None) -> dict[str, Any] | None:
    """What a unit is told about its latest file when it was refused: name, date sent, errors, and whether
    the errors point at cells (then the unit fixes that very file)."""
    if rec is None:
        return None
    errors = [i for i in rec.issues if i.severity == ERROR]
    return {
        "file": rec.name,
        "date": dt.date.fromtimestamp(rec.mtime).strftime("%d/%m/%Y") if rec.mtime > 0 else None,
        "errors": len(errors),
        "cells": any(i.cell for i in errors),
    }


def rejected_line(r: dict[str, Any]) -> str:
    sent = f" gửi ngày {r['date']}" if r["date"] else ""
    return f"Bảng tự chấm điểm đơn vị{sent} (tệp {r['file']}) bị trả lại vì {r['errors']} lỗi."


def counted_line(d: dict[str, Any]) -> str:
    """Which submission the period's result comes from, when the unit's latest file did not count."""
    when = period_text(d["period"])
    if not d["counted_file"]:
        return f"Kỳ này ({when}) đơn vị chưa có kết quả vì chưa có tệp hợp lệ."
    if d["counted_period"] == d["period"]:
        return f"Kết quả {when} tạm tính theo bảng đã tiếp nhận trước đó trong tháng (tệp {d['counted_file']})."
    return f"Kết quả {when} tạm tính theo bảng {period_text(d['counted_period'])} đã tiếp nhận (tệp {d['counted_file']})."


def rating_share(config: Config, unit: UnitOutcome) -> str:
    """The unit's share of the top rating among the ratings it declared, and a warning past the cap."""
    share = next((s for code, s in all_shares(config, declared_ratings([unit])) if code == unit.code), None)
    if share is None or share.base == 0:
        return ""
    rule = share.rule
    head = f"{share.summary()} người xếp loại {RATINGS[rule.rating]} trên số người từ {RATINGS[rule.base]} trở lên"
    return share.text() if share.exceeded else f"{head}, trong tỷ lệ tối đa {fmt_number(rule.max_percent)}%."


def _advice(d: dict[str, Any]) -> str:
    errors = sum(1 for i in d["issues"] if i[7] == ERROR)
    parts = []
    r = d["rejected"]
    if r:
        parts += [rejected_line(r), counted_line(d)]
        fix = "sửa đúng các ô được nêu trong chính tệp đã gửi (không tạo tệp mới)" if r["cells"] else "xử lý theo các mục được nêu"
        parts.append(f"Đề nghị đơn vị mở trang '{SHEET_FIX}', {fix} rồi gửi lại cho Văn phòng Sở.")
    elif d["status"] == CARRIED:
        parts.append(
            f"Tháng này Văn phòng Sở chưa nhận được bảng mới của đơn vị; kết quả được tính theo bảng {period_text(d['carried_from'])} "
            f"đã tiếp nhận (tệp {d['counted_file']})." if d["carried_from"] else "Tháng này Văn phòng Sở chưa nhận được bảng mới của đơn vị."
        )
    elif d["counted_file"]:
        parts.append("Tệp của đơn vị đã được tiếp nhận và tính điểm.")
        if errors:
            parts.append(f"Các tệp bị trả lại trước đó trong kỳ (trang '{SHEET_FIX}') đã được thay bằng tệp này.")
    if d["counted_warnings"]:
        parts.append(
            f"Tệp được tính điểm có {d['counted_warnings']} cảnh báo (trang '{SHEET_FIX}'): tệp vẫn được tính, điểm đã được điều chỉnh như nêu ở "
            "từng dòng; đề nghị đơn vị bổ sung, sửa trong bản gửi kỳ sau."
        )
    if not d["issues"]:
        parts.append("Không có lỗi hay cảnh báo nào.")
    if d["appraisal"]:
        parts.append(d["appraisal"] + ".")
    parts.append(f"Hằng tháng, đề nghị đơn vị cập nhật và gửi lại tệp chậm nhất ngày {d['deadline_day']}.")
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------------
# The layout, built once per process


HEADER_CODES = '&C&"Times New Roman,Bold"&11'
HEADER_LIMIT = 255  # characters in a page header, Excel's limit


def header_unit(unit_line: str) -> str:
    """The unit's line for the page headers (``&`` doubled: a control character there), shortened if a
    header would pass Excel's limit."""
    budget = HEADER_LIMIT - len(HEADER_CODES) - len(" - ") - max(len(n) for n in SHEETS)
    text = unit_line.replace("&", "&&")
    if len(text) <= budget:
        return text
    while len(unit_line.replace("&", "&&")) > budget - 1:
        unit_line = unit_line[:-1]
    return unit_line.replace("&", "&&") + "…"


class _Layout:
    """The formats of the feedback layout; made while the pattern workbook is built."""

    def __init__(self, wb: Any):
        fm = Formats(wb, size=FONT_SIZE)
        self.header = fm(bold=True, text_wrap=True, align="center", border=1, bg_color=HEADER_TINT)
        self.text = fm(text_wrap=True, border=1, valign="top")
        self.score = fm(border=1, valign="top", num_format="General")
        self.note = fm(italic=True)
        self.title = fm(bold=True, font_size=14)
        self.subtitle = fm(italic=True)
        self.label = fm(bold=True, border=1, valign="top", text_wrap=True)
        self.wide = fm(border=1, valign="top", text_wrap=True)
        self.number = fm(border=1, valign="top", num_format="0.00", align="left")
        self.whole = fm(border=1, valign="top", num_format="0", align="left")
        use_formats(self.text, self.score, self.note, self.title, self.subtitle, self.label, self.wide, self.number, self.whole)

    def sheet(self, wb: Any, name: str, widths: tuple[float, ...], headers: tuple[str, ...] = ()) -> Any:
        ws = wb.add_worksheet(name, worksheet_class=FastSheet)
        ws.pattern = True
        for c, w in enumerate(widths):
            ws.set_column(c, c, w)
        for c, h in enumerate(headers):
            ws.write_string(0, c, h, self.header)
        table = bool(headers)
        if table:
            ws.set_row(0, text_height(list(headers), widths, FONT_SIZE))
            ws.freeze_panes(1, 0)
        # The result sheet reads like a letter (portrait); the tables are wide (landscape).
        print_setup(ws, repeat_rows=(0, 0) if table else None, landscape=table)
        ws.set_header(HEADER_CODES + "{{unit}} - " + name.replace("&", "&&"))
        return ws


_PATTERN: tuple[PatternBook, _Layout] | None = None


def _pattern() -> tuple[PatternBook, _Layout]:
    global _PATTERN
    if _PATTERN is None:
        made: list[_Layout] = []

        def build(wb: Any) -> None:
            layout = _Layout(wb)
            if not made:  # the pattern's layout (without FAST, build runs again for each file)
                made.append(layout)
            layout.sheet(wb, SHEET_RESULT, RESULT_WIDTHS)
            layout.sheet(wb, SHEET_FIX, FIX_WIDTHS, FIX_HEADERS)
            layout.sheet(wb, SHEET_SCORES, SCORE_WIDTHS, SCORE_HEADERS)
            layout.sheet(wb, SHEET_AWARDS, AWARD_WIDTHS, AWARD_HEADERS)

        book = PatternBook(build)
        _PATTERN = (book, made[0])
    return _PATTERN


def _result_rows(lay: _Layout, d: dict[str, Any]) -> SheetRows:
    files = "; ".join(f"{name} ({status}{f', {n} lỗi' if n else ''})" for name, status, n, _ in d["files"]) or "(không có)"
    counted = d["counted_file"] or "(chưa có tệp hợp lệ)"
    if d["carried_from"] and d["counted_file"]:
        counted += f" (bản {period_text(d['carried_from'])})"
    lines: list[tuple[str, Any]] = [
        ("Đơn vị", f"{d['name']} (mã {d['code']})"),
        ("Trạng thái", d["status_text"]),
    ]
    if d["rejected"]:
        lines.append(("Tệp bị trả lại", rejected_line(d["rejected"]) + f" Xem trang '{SHEET_FIX}'."))
    lines += [
        ("Tệp nhận được trong kỳ", files),
        ("Bản được tính điểm", counted),
        ("Tổng điểm", Styled(d["total"], lay.number)),
        ("Kết quả (thang 100)" + (", tạm tính" if d["rejected"] and d["result"] is not None else ""), Styled(d["result"], lay.number)),
        ("Xếp loại", d["band"]),
        ("Xếp hạng", Styled(d["rank"], lay.whole)),
        ("Số đơn vị được xếp hạng", Styled(d["ranked"], lay.whole)),
        ("Thay đổi thứ hạng", rank_change_text(d["rank"], d["rank_change"])),
    ]
    if d["appraisal"]:
        lines.append(("Thẩm định", d["appraisal"]))
    if d["rating_share"]:
        lines.append(("Tỷ lệ xếp loại cá nhân", d["rating_share"]))
    lines += [
        ("Việc cần làm", _advice(d)),
        ("Liên hệ", d["contact"]),
    ]
    rows: list[tuple[Any, ...]] = [
        (Styled("PHẢN HỒI KẾT QUẢ TỰ CHẤM ĐIỂM CẢI CÁCH HÀNH CHÍNH", lay.title),),
        (Styled(f"{d['movement']} - {period_text(d['period'])}", lay.subtitle),),
        (),
    ]
    rows += lines
    heights = [None, None, None] + row_heights(lines, RESULT_WIDTHS, FONT_SIZE, (1,))
    return SheetRows.of(0, rows, (lay.label, lay.wide), heights, blanks=True)


def _table_rows(lay: _Layout, rows: list[tuple], widths: tuple[float, ...], numeric: tuple[int, ...], empty: str) -> SheetRows:
    if not rows:
        return SheetRows.of(1, [(Styled(empty, lay.note),)], ())
    formats = [lay.score if c in numeric else lay.text for c in range(len(widths))]
    wrapped = [c for c in range(len(widths)) if c not in numeric]
    return SheetRows.of(1, rows, formats, row_heights(rows, widths, FONT_SIZE, wrapped), blanks=True)


def write_feedback_file(path: str | Path, d: dict[str, Any], atomic: bool = True) -> str:
    """Top-level (picklable) so a process pool can run it; returns the path written. ``atomic=False``
    writes in place, for a staging folder swapped in whole (``xlsxutil.write_file``)."""
    book, lay = _pattern()
    unit_line = f"{d['name']} - {period_text(d['period'])}"
    sheets = [
        _result_rows(lay, d),
        _table_rows(lay, [(n, *i[:7]) for n, i in enumerate(d["issues"], start=1)], FIX_WIDTHS, (0,), EMPTY_FIX),
        _table_rows(lay, d["rows"], SCORE_WIDTHS, (3, 4, 5), EMPTY_SCORES),
        _table_rows(lay, d["nominations"], AWARD_WIDTHS, (), EMPTY_AWARDS),
    ]
    book.write(path, sheets, {"title": f"Phản hồi {unit_line}", "unit": header_unit(unit_line)}, atomic)
    return str(path)


def write_feedback_files(items: list[tuple[str, dict[str, Any]]], atomic: bool = True) -> list[str]:
    """Several units' workbooks in one task: a pool gets chunks, not one task per unit."""
    return [write_feedback_file(path, d, atomic) for path, d in items]
