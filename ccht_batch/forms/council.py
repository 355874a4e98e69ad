"""The council workbook ``HoiDong_<period>.xlsx``: the emulation council's votes, read back like the appraisal.

The Law leaves the choice among eligible candidates, and every tie, to the Hội đồng Thi đua - Khen thưởng,
which deliberates and votes (RULES.md §3). The program writes one row per candidate and reward form the
council may decide on — every eligible collective, and every eligible person at the form their unit
proposed or a lower one — with the eligibility, its grounds, what the lists say now (on the list, tied at a
quota, cut) and three cells for the Office to fill from the minutes: members present, votes for, and the
decision (`Đồng ý` / `Không đồng ý`). Dropped in ``input/``, the workbook (``_meta`` kind ``council``)
is read by ``validate`` into ``records.Council`` and applied by the next run of its period and milestone.
Votes already applied are written back in, so a workbook made again after a second meeting keeps them.
"""

from __future__ import annotations

from pathlib import Path

from ccht_batch.config.model import Config
from ccht_batch.core.files import atomic_path, period_dir
from ccht_batch.core.periods import period_text
from ccht_batch.core.records import COUNCIL_DECISIONS, Nomination
from ccht_batch.forms import layout as L
from ccht_batch.xlsx.util import (
    INPUT_TINT,
    Formats,
    new_workbook,
    print_setup,
    text_height,
    write_header,
    write_meta,
)

HEADER_ROW = 3  # zero-based: row 4 as Excel shows it
WIDTHS = (5, 26, 9, 9, 26, 8, 14, 60, 18, 40, 11, 11, 14)
ELIGIBLE_TEXT = {True: "Đủ điều kiện", False: "Không đủ điều kiện", None: "Chưa xác định được"}
STATE_TEXT = {True: "Trong danh sách", None: "Đồng hạng — Hội đồng quyết định", False: "Chưa đưa vào danh sách"}


def council_path(config: Config, period: str) -> Path:
    return period_dir(config.output_dir, period) / f"HoiDong_{period}.xlsx"


def council_rows(config: Config, nominations: list[Nomination]) -> list[Nomination]:
    """What the council decides on: eligible collectives, and eligible persons at the form their unit
    proposed or a lower one (a person the unit did not propose is not the council's to reward)."""
    rows = []
    for n in nominations:
        if n.eligible is not True:
            continue
        if n.kind == "individual":
            proposed = config.criteria.award(n.person.proposal) if n.person is not None and n.person.proposal else None
            rule = config.criteria.award(n.award)
            if proposed is None or rule is None or rule.level > proposed.level:
                continue
        rows.append(n)
    return rows


def write_council(config: Config, period: str, milestone: str | None, nominations: list[Nomination], path: Path) -> Path:
    """Write the council workbook at ``path`` (replaced as a whole); return ``path``."""
    path = Path(path)
    with atomic_path(path) as tmp:
        _build(config, period, milestone, council_rows(config, nominations), tmp)
    return path


def _build(config: Config, period: str, milestone: str | None, rows: list[Nomination], path: Path) -> None:
    ms = config.criteria.movement.milestone(milestone) if milestone else None
    review = ms.name if ms else f"danh sách dự kiến {period_text(period)}"
    wb = new_workbook(path, title=f"Biểu quyết của Hội đồng Thi đua - Khen thưởng {period_text(period)}")
    fmt = Formats(wb)
    ws = wb.add_worksheet(L.COUNCIL_SHEET)
    meta = wb.add_worksheet(L.SHEET_META)
    last = len(L.COUNCIL_HEADERS) - 1

    ws.merge_range(0, 0, 0, last, "KẾT QUẢ BIỂU QUYẾT CỦA HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG", fmt(bold=True, align="center", font_size=14))
    ws.merge_range(1, 0, 1, last, f"{review} — {config.criteria.movement.name}", fmt(italic=True, align="center"))
    run = f"ccht-batch run --period {period}" + (f" --milestone {milestone}" if milestone else "")
    ws.merge_range(
        2, 0, 2, last,
        f"Sau cuộc họp, ghi theo biên bản vào các ô màu vàng: \"{L.C_PRESENT}\", \"{L.C_VOTES}\" và \"{L.C_DECISION}\" "
        f"({' / '.join(COUNCIL_DECISIONS)}); đề nghị được thông qua khi số phiếu đồng ý vượt quá "
        f"{config.criteria.council_approval_percent.normalize():f}% số thành viên có mặt. Dòng để trống là Hội đồng chưa xét. "
        f"Lưu tệp, chép vào thư mục input rồi chạy lại: {run}.",
        fmt(italic=True, font_color="#C00000", text_wrap=True),
    )
    ws.set_row(0, 24)
    ws.set_row(2, 48)
    write_header(ws, fmt, HEADER_ROW, L.COUNCIL_HEADERS, 45)

    centred = fmt(align="center", valign="top", border=1, locked=True)
    text = fmt(text_wrap=True, valign="top", border=1, locked=True)
    number_in = fmt(align="center", valign="top", border=1, locked=False, bg_color=INPUT_TINT, num_format="0")
    choice_in = fmt(align="center", valign="top", border=1, locked=False, bg_color=INPUT_TINT)

    r = HEADER_ROW
    for i, n in enumerate(rows, start=1):
        r = HEADER_ROW + i
        birth = n.person.birth_year if n.kind == "individual" and n.person is not None else None
        reasons = "\n".join(n.reasons)
        values = [n.award_name, L.KIND_TEXTS.get(n.kind, n.kind), n.unit_code, n.name, "", ELIGIBLE_TEXT[n.eligible], reasons, STATE_TEXT[n.selected], n.note]
        ws.write_number(r, 0, i, centred)
        for col, value in enumerate(values, start=1):
            ws.write_string(r, col, value, centred if col in (2, 3, 5, 6) else text)
        if birth is not None:
            ws.write_number(r, 5, birth, centred)
        vote = n.vote
        for col, value in ((10, vote.present if vote else None), (11, vote.votes_for if vote else None)):
            if value is None:
                ws.write_blank(r, col, None, number_in)
            else:
                ws.write_number(r, col, value, number_in)
        if vote is not None and vote.decision:
            ws.write_string(r, 12, vote.decision, choice_in)
        else:
            ws.write_blank(r, 12, None, choice_in)
        height = text_height([reasons, n.note, n.name], [WIDTHS[7], WIDTHS[9], WIDTHS[4]])
        if height:
            ws.set_row(r, height)
    if rows:
        first = HEADER_ROW + 1
        ws.data_validation(first, 10, r, 11, {
            "validate": "integer", "criteria": ">=", "value": 0,
            "error_title": "Số không hợp lệ", "error_message": "Nhập số nguyên: số thành viên có mặt, số phiếu đồng ý.",
        })
        ws.data_validation(first, 12, r, 12, {
            "validate": "list", "source": list(COUNCIL_DECISIONS),
            "error_title": "Lựa chọn không hợp lệ", "error_message": "Chọn Đồng ý hoặc Không đồng ý.",
        })
    else:
        ws.merge_range(HEADER_ROW + 1, 0, HEADER_ROW + 1, last, "Không có tập thể, cá nhân nào đủ điều kiện để Hội đồng xét.", fmt(italic=True, align="center"))

    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width)
    ws.freeze_panes(HEADER_ROW + 1, 5)
    print_setup(ws, repeat_rows=(HEADER_ROW, HEADER_ROW))
    ws.protect("", {"autofilter": True, "sort": True, "format_columns": True, "format_rows": True})
    ws.activate()

    write_meta(meta, [
        (L.META_KIND, L.KIND_COUNCIL),
        (L.META_TEMPLATE_VERSION, L.COUNCIL_VERSION),
        (L.META_PERIOD, period),
        (L.META_MILESTONE, milestone or ""),
    ])
    wb.close()
