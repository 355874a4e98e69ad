"""A unit's feedback workbook ``PhanHoi/<unit code>.xlsx``: what happened to its file and what to fix.

The reader is a division head who sees only the template, this workbook and an e-mail, so it must answer
every question without a phone call: was the file taken, what counts, where it stands, why a score is not
the one typed, and which cell of which sheet to fix. The first sheet says it in sentences; the others list
the issues, the scored rows and the award checks.

Writing is split in two so a process pool can do the second half: ``feedback_data`` (in the parent)
reduces the run to this unit's plain values, and ``write_feedback_file`` (in any process) turns them into
the workbook. The same values always give the same bytes, whichever process writes them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ccht_batch.config import Config
from ccht_batch.issues import ERROR, SEVERITY_TEXT, WARNING
from ccht_batch.model import CARRIED, FILE_STATUS_TEXT, REJECTED, SOURCE_TEXT, UNIT_REJECTED, UNIT_STATUS_TEXT, RunOutcome, UnitOutcome
from ccht_batch.periods import period_text
from ccht_batch.summary_json import file_issues, sorted_files
from ccht_batch.write_nominations import ELIGIBILITY_TEXT, text_height
from ccht_batch.xlsxutil import HEADER_TINT, Formats, atomic_path, new_workbook, print_setup, write_value

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


# ---------------------------------------------------------------------------------------------------
# The unit's plain values (crosses a process boundary)


def feedback_data(config: Config, outcome: RunOutcome, unit: UnitOutcome) -> dict[str, Any]:
    files = sorted_files(unit.files)
    # Errors first: they decide whether the file counts.
    found = sorted(((f.name, i) for f in files for i in file_issues(outcome, f)), key=lambda x: 0 if x[1].severity == ERROR else 1)
    rows = []
    if unit.score is not None:
        typed = unit.submission.scores if unit.submission else {}
        for c in unit.score.criteria:
            row = config.criteria.criterion(c.id)
            entry = typed.get(c.id)
            rows.append((
                c.id, KIND_TEXT.get(c.kind, c.kind), row.name if row else "", c.max, c.self_score,
                c.score if c.applicable else None, SOURCE_TEXT.get(c.source, c.source), c.why,
                entry.evidence if entry else "",
            ))
    noms = [
        (
            CANDIDATE_TEXT.get(n.kind, n.kind), n.name, n.award_name, "Có" if n.proposed else "",
            ELIGIBILITY_TEXT[n.eligible], "; ".join(n.reasons), "Có" if n.selected else "Không", n.note,
        )
        for n in outcome.unit_nominations(unit.code)
    ]
    contact = config.settings.contact
    return {
        "period": outcome.period,
        "movement": config.criteria.movement.name,
        "code": unit.code,
        "name": unit.name,
        "status": unit.status,
        "status_text": UNIT_STATUS_TEXT.get(unit.status, unit.status),
        "files": [
            (f.name, FILE_STATUS_TEXT.get(f.status, f.status), sum(1 for i in file_issues(outcome, f) if i.severity == ERROR), f.status)
            for f in files
        ],
        "counted_file": unit.file_name if unit.score is not None else None,
        "carried_from": unit.submission_period if unit.status == CARRIED else None,
        "total": unit.total,
        "result": unit.result,
        "band": unit.band,
        "rank": unit.rank,
        "ranked": outcome.ranked_count,
        "rank_change": unit.rank_change,
        "issues": [
            (name, i.sheet, i.cell, SEVERITY_TEXT.get(i.severity, i.severity), i.message, i.value, i.code, i.severity)
            for name, i in found
        ],
        "rows": rows,
        "nominations": noms,
        "contact": f"{contact.name} ({contact.title}), điện thoại {contact.phone}, thư điện tử {contact.email}",
        "deadline_day": config.settings.deadline_day,
    }


def _advice(d: dict[str, Any]) -> str:
    errors = sum(1 for i in d["issues"] if i[7] == ERROR)
    warnings = sum(1 for i in d["issues"] if i[7] == WARNING)
    rejected = [f[0] for f in d["files"] if f[3] == REJECTED]
    parts = []
    if rejected:
        parts.append(
            f"Tệp {', '.join(rejected)} bị trả lại vì có {errors} lỗi. Hãy mở trang 'Cần sửa', sửa đúng các ô được nêu "
            "trong tệp của đơn vị (không tạo tệp mới) rồi gửi lại cho Văn phòng Sở."
        )
        if d["status"] == CARRIED:
            parts.append(f"Trong khi chờ, kỳ này dùng bản {period_text(d['carried_from'])} của đơn vị để tính điểm." if d["carried_from"] else "Trong khi chờ, kỳ này dùng bản đã nộp trước đây của đơn vị để tính điểm.")
        elif d["status"] == UNIT_REJECTED:
            parts.append("Kỳ này đơn vị chưa có điểm vì chưa có tệp hợp lệ.")
    elif d["counted_file"]:
        parts.append("Tệp của đơn vị đã được tiếp nhận và tính điểm.")
    if warnings:
        parts.append(
            f"Có {warnings} cảnh báo (trang 'Cần sửa'): tệp vẫn được tính, điểm đã được điều chỉnh như nêu ở từng dòng; "
            "hãy bổ sung, sửa trong bản gửi kỳ sau."
        )
    if not errors and not warnings:
        parts.append("Không có lỗi hay cảnh báo nào.")
    parts.append(f"Hằng tháng, đơn vị cập nhật và gửi lại tệp chậm nhất ngày {d['deadline_day']}.")
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------------
# The workbook


class _Book:
    def __init__(self, wb: Any, unit_line: str):
        self.wb = wb
        fm = Formats(wb, size=12)
        self.fm = fm
        self.unit_line = unit_line
        self.header = fm(bold=True, text_wrap=True, align="center", border=1, bg_color=HEADER_TINT)
        self.text = fm(text_wrap=True, border=1, valign="top")
        self.score = fm(border=1, valign="top", num_format="General")
        self.centre = fm(border=1, valign="top", align="center")
        self.note = fm(italic=True)

    def table(self, name: str, headers: tuple[str, ...], widths: tuple[float, ...], rows: list[tuple], numeric: tuple[int, ...] = (), empty: str = "") -> Any:
        ws = self.wb.add_worksheet(name)
        for c, (h, w) in enumerate(zip(headers, widths)):
            ws.set_column(c, c, w)
            ws.write_string(0, c, h, self.header)
        ws.set_row(0, text_height(list(headers), widths, 12))
        for r, values in enumerate(rows, start=1):
            for c, v in enumerate(values):
                write_value(ws, r, c, v, self.score if c in numeric else self.text)
            height = text_height(list(values), widths, 12)
            if height:
                ws.set_row(r, height)
        if not rows and empty:
            ws.write_string(1, 0, empty, self.note)
        ws.freeze_panes(1, 0)
        self.printable(ws, name)
        return ws

    def printable(self, ws: Any, name: str) -> None:
        # The result sheet reads like a letter (portrait); the tables are wide (landscape).
        table = name != SHEET_RESULT
        print_setup(ws, repeat_rows=(0, 0) if table else None, landscape=table)
        ws.set_header('&C&"Times New Roman,Bold"&11' + f"{self.unit_line} - {name}".replace("&", "&&"))


def _result_sheet(b: _Book, d: dict[str, Any]) -> None:
    ws = b.wb.add_worksheet(SHEET_RESULT)
    f = b.fm
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 16)
    ws.set_column(2, 2, 70)
    ws.merge_range(0, 0, 0, 2, "", f(bold=True, font_size=14, align="center"))
    ws.write_string(0, 0, "PHẢN HỒI KẾT QUẢ TỰ CHẤM ĐIỂM CẢI CÁCH HÀNH CHÍNH", f(bold=True, font_size=14, align="center"))
    ws.merge_range(1, 0, 1, 2, "", f(italic=True, align="center", text_wrap=True))
    ws.write_string(1, 0, f"{d['movement']} - {period_text(d['period'])}", f(italic=True, align="center", text_wrap=True))
    label = f(bold=True, border=1, valign="top", text_wrap=True)
    wide = f(border=1, valign="top", text_wrap=True)
    number = f(border=1, valign="top", num_format="0.00", align="left")
    whole = f(border=1, valign="top", num_format="0", align="left")
    files = "; ".join(f"{name} ({status}{f', {n} lỗi' if n else ''})" for name, status, n, _ in d["files"]) or "(không có)"
    counted = d["counted_file"] or "(chưa có tệp hợp lệ)"
    if d["carried_from"] and d["counted_file"]:
        counted += f" (bản {period_text(d['carried_from'])})"
    lines: list[tuple[str, Any, Any, str]] = [
        ("Đơn vị", f"{d['name']} (mã {d['code']})", None, ""),
        ("Trạng thái", d["status_text"], None, ""),
        ("Tệp nhận được trong kỳ", files, None, ""),
        ("Bản được tính điểm", counted, None, ""),
        ("Tổng điểm", d["total"], number, ""),
        ("Kết quả (thang 100)", d["result"], number, ""),
        ("Xếp loại", d["band"], None, ""),
        ("Xếp hạng", d["rank"], whole, f"trên {d['ranked']} đơn vị được xếp hạng" if d["rank"] is not None else ""),
        ("Thay đổi thứ hạng", rank_change_text(d["rank"], d["rank_change"]), None, ""),
        ("Việc cần làm", _advice(d), None, ""),
        ("Liên hệ", d["contact"], None, ""),
    ]
    for r, (name, value, fmt, extra) in enumerate(lines, start=3):
        ws.write_string(r, 0, name, label)
        if fmt is None:
            ws.merge_range(r, 1, r, 2, "", wide)
            write_value(ws, r, 1, value if value is not None else "", wide)
        else:
            write_value(ws, r, 1, value, fmt)
            write_value(ws, r, 2, extra, wide)
        height = text_height([value, extra] if fmt is not None else [value], [16, 70] if fmt is not None else [86], 12)
        if height:
            ws.set_row(r, height)
    b.printable(ws, SHEET_RESULT)


def write_feedback_file(path: str | Path, d: dict[str, Any]) -> str:
    """Top-level (picklable) so a process pool can run it; returns the path written."""
    path = Path(path)
    unit_line = f"{d['name']} - {period_text(d['period'])}"
    with atomic_path(path) as tmp:
        wb = new_workbook(tmp, title=f"Phản hồi {unit_line}")
        b = _Book(wb, unit_line)
        _result_sheet(b, d)
        b.table(
            SHEET_FIX, FIX_HEADERS, (5, 26, 14, 7, 10, 70, 20, 20),
            [(n, *i[:7]) for n, i in enumerate(d["issues"], start=1)],
            numeric=(0,), empty="Không có lỗi hay cảnh báo nào.",
        )
        b.table(
            SHEET_SCORES, SCORE_HEADERS, (9, 12, 44, 9, 9, 9, 14, 44, 30), d["rows"],
            numeric=(3, 4, 5), empty="Kỳ này đơn vị chưa có điểm vì chưa có tệp hợp lệ.",
        )
        b.table(
            SHEET_AWARDS, AWARD_HEADERS, (10, 24, 26, 10, 16, 50, 12, 30), d["nominations"],
            empty="Không có tập thể hay cá nhân nào của đơn vị được xét khen thưởng trong kỳ này.",
        )
        wb.close()
    return str(path)
