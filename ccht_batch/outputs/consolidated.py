"""The consolidated workbook ``TongHop_<YYYY-MM>.xlsx`` (DESIGN.md §8, a contract) for leadership and the Office.

Every data sheet has its header in row 1 and nothing above it, so a person can filter and sort it and a
program can read it with ``header=0``; the titles go to the printed page header instead. Values are
numbers where they are numbers (2 decimals shown for totals) and text that came from a unit is always
written as text, so a unit's ``=HYPERLINK(...)`` is shown, never evaluated.

A month of a thousand units is a large workbook, so writing is split like the feedback workbooks':
``summary_data`` (in the parent) reduces the run to plain rows, and ``write_summary_file`` (in any
process, e.g. a pool worker beside the feedback chunks) writes them, the table bodies in one pass
(``xlsxfast.FastSheet``). `Chi tiết` is one row per unit and a few columns per criterion (self-score,
appraised score when the period has any, counted score), numbers only: the long layout (one row per unit
and criterion, with texts) was twenty times the cells, and each unit's feedback workbook and
``summary.json`` already carry the sources and explanations.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from ccht_batch.awards.shares import all_shares, declared_ratings
from ccht_batch.config.model import Config
from ccht_batch.core.files import write_file
from ccht_batch.core.periods import period_text, period_year
from ccht_batch.core.records import (
    CARRIED,
    MISSING,
    REJECTED,
    SUBMITTED,
    UNIT_STATUS_TEXT,
    FileRecord,
    RunOutcome,
    UnitOutcome,
)
from ccht_batch.core.vocab import INITIATIVE_LEVELS, RATINGS
from ccht_batch.outputs.nominations import (
    ELIGIBILITY_TEXT,
    person_nominations,
)
from ccht_batch.outputs.summary_json import considered_rules
from ccht_batch.xlsx.fast import FastSheet, row_heights
from ccht_batch.xlsx.util import (
    GROUP_TINT,
    HEADER_TINT,
    Formats,
    new_workbook,
    print_legibly,
    print_setup,
    text_height,
)

SHEET_SUMMARY = "Tổng hợp"
SHEET_DETAIL = "Chi tiết"
SHEET_PERSONS = "Cá nhân"
SHEET_ISSUES = "Lỗi"
SHEET_MISSING = "Chưa nộp"
SHEET_NOTES = "Ghi chú xử lý"
SHEET_CHART = "Biểu đồ"
SHEET_SHARES = "Tỷ lệ xếp loại"
SHARES_NOTE = (
    "Tỷ lệ cá nhân xếp loại cao nhất trên số người xếp loại từ mức cơ sở trở lên, theo xếp loại đơn vị tự khai trong kỳ "
    "(config/criteria.yaml, mục rating_share). Vượt tỷ lệ tối đa chỉ là cảnh báo, không loại ai khỏi danh sách."
)
SHEET_TREND = "Xu hướng"
SHEETS = (SHEET_SUMMARY, SHEET_DETAIL, SHEET_PERSONS, SHEET_ISSUES, SHEET_MISSING, SHEET_NOTES, SHEET_SHARES, SHEET_CHART, SHEET_TREND)
TREND_SERIES_MAX = 20  # lines in the trend chart (the best ranked units); the table lists every unit

SUMMARY_HEADERS = ("Hạng", "Mã đơn vị", "Tên đơn vị", "Tổng điểm", "Kết quả", "Xếp loại", "Trạng thái")
ISSUE_HEADERS = ("Tệp", "Mã đơn vị", "Trang tính", "Ô", "Mức độ", "Mã lỗi", "Nội dung")

# `Chi tiết`: the columns of each criterion, and how its cells look
DETAIL_SELF = "Tự chấm"
DETAIL_APPRAISED = "Thẩm định"
DETAIL_COUNTED = "Được tính"
NOT_APPLICABLE = "na"  # grey, empty: the criterion does not apply to the unit
REPLACED = "replaced"  # tinted: the counted score is not the self-score (computed or appraised)
REPLACED_TINT = "#DDEBF7"
DETAIL_NOTE = (
    "Mỗi tiêu chí có các cột: Tự chấm (điểm đơn vị tự chấm), Thẩm định (nếu có), Được tính (điểm tính vào kết quả). "
    "Ô có tô màu xanh: điểm được tính khác điểm tự chấm (tính từ số liệu hoặc thẩm định). Ô có tô màu xám: tiêu chí không "
    "áp dụng cho đơn vị. Nguồn điểm và giải thích từng tiêu chí: xem tệp phản hồi PhanHoi/<mã đơn vị>.xlsx của đơn vị."
)

# Band colours run from green (best band) to red (lowest), spread over however many bands the YAML has.
_BAND_ANCHORS = ((0xC6, 0xEF, 0xCE), (0xDD, 0xEB, 0xF7), (0xFF, 0xF2, 0xCC), (0xFC, 0xE4, 0xD6), (0xFF, 0xC7, 0xCE))

TWO_DECIMALS = "0.00"
FONT_SIZE = 11


def summary_name(period: str) -> str:
    return f"TongHop_{period}.xlsx"


def band_colours(count: int) -> list[str]:
    """``count`` fills, best band first, interpolated over the anchors so any number of bands works."""
    if count <= 1:
        return ["#%02X%02X%02X" % _BAND_ANCHORS[0]][:count]
    out = []
    span = len(_BAND_ANCHORS) - 1
    for i in range(count):
        pos = i * span / (count - 1)
        lo = min(int(pos), span - 1)
        t = pos - lo
        rgb = [round(a + (b - a) * t) for a, b in zip(_BAND_ANCHORS[lo], _BAND_ANCHORS[lo + 1])]
        out.append("#%02X%02X%02X" % tuple(rgb))
    return out


def page_header_text(text: str) -> str:
    """Text for an Excel page header/footer: ``&`` is a control character there."""
    return text.replace("&", "&&")


def _num(value: Decimal | None) -> float | None:
    """Numbers cross to the writing process as floats (Excel stores doubles; 8.25 stays 8.25)."""
    return None if value is None else float(value)


# ---------------------------------------------------------------------------------------------------
# A data sheet: header in row 1, typed columns, filter, frozen header, printable


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    kind: str = "text"  # text | number (2 decimals) | score (as typed) | int


@dataclass
class Table:
    """One data sheet as plain values (picklable): what ``write_summary_file`` lays out."""

    name: str
    columns: list[Column]
    rows: list[list[Any]]
    freeze_cols: int = 0
    wide: bool = False  # too wide for one page: printed across pages, the first ``freeze_cols`` columns repeated
    note: str = ""  # a comment on the first column after the frozen ones (what its cells mean)
    bands: list[tuple[str, str]] = field(default_factory=list)  # (band, fill) of the `Xếp loại` column


class _Sheets:
    def __init__(self, wb: Any, title: str):
        self.wb = wb
        self.title = title
        fm = Formats(wb, size=FONT_SIZE)
        self.header = fm(bold=True, text_wrap=True, align="center", border=1, bg_color=HEADER_TINT)
        self.cell = {
            "text": fm(text_wrap=True, border=1, valign="top"),
            "number": fm(num_format=TWO_DECIMALS, border=1, valign="top"),
            "score": fm(num_format="General", border=1, valign="top"),
            "int": fm(num_format="0", border=1, valign="top", align="center"),
        }
        # a wide matrix has no cell borders (the gridlines show, and print): only written cells would
        # have them, and most of its empty cells stay unwritten
        self.matrix = {
            "text": fm(valign="top", text_wrap=True),
            "number": fm(num_format=TWO_DECIMALS, valign="top"),
            "score": fm(num_format="General", valign="top"),
            "int": fm(num_format="0", valign="top", align="center"),
        }
        self.named = {
            NOT_APPLICABLE: fm(num_format="General", valign="top", bg_color=GROUP_TINT),
            REPLACED: fm(num_format="General", valign="top", bg_color=REPLACED_TINT),
        }
        self.note = fm(italic=True)

    def table(self, t: Table) -> Any:
        ws = self.wb.add_worksheet(t.name, worksheet_class=FastSheet)
        widths = [col.width for col in t.columns]
        for c, col in enumerate(t.columns):
            ws.set_column(c, c, col.width)
            ws.write_string(0, c, col.title, self.header)
        ws.set_row(0, text_height([c.title for c in t.columns], widths, FONT_SIZE))
        if t.note and len(t.columns) > t.freeze_cols:
            ws.write_comment(0, t.freeze_cols, t.note, {"x_scale": 3, "y_scale": 2, "font_name": "Times New Roman"})
        wrapped = [c for c, col in enumerate(t.columns) if col.kind == "text"]
        heights = row_heights(t.rows, widths, FONT_SIZE, wrapped)
        if t.wide:
            ws.add_rows(1, t.rows, [self.matrix[col.kind] for col in t.columns], heights, named=self.named)
        else:
            ws.add_rows(1, t.rows, [self.cell[col.kind] for col in t.columns], heights, blanks=True, named=self.named)
        ws.autofilter(0, 0, max(len(t.rows), 1), len(t.columns) - 1)
        ws.freeze_panes(1, t.freeze_cols)
        print_legibly(ws, widths, FONT_SIZE, keep_cols=t.freeze_cols, repeat_rows=(0, 0))
        if t.wide:
            ws.hide_gridlines(0)  # no borders on these cells: the printed grid comes from the gridlines
        self.page_texts(ws, t.name)
        return ws

    def page_texts(self, ws: Any, name: str) -> None:
        ws.set_header('&C&"Times New Roman,Bold"&12' + page_header_text(f"{self.title} - {name}"))
        ws.set_footer('&C&"Times New Roman,Regular"&10Trang &P/&N')

    def printable(self, ws: Any, name: str) -> None:
        print_setup(ws)
        self.page_texts(ws, name)


# ---------------------------------------------------------------------------------------------------
# Sheets


def summary_order(config: Config, outcome: RunOutcome) -> list[UnitOutcome]:
    """Ranked units by rank, then the others by code; a configured unit the run did not mention is shown
    as not submitted rather than left out."""
    units = list(outcome.units)
    known = {u.code for u in units}
    units += [UnitOutcome(code=u.code, name=u.name, email=u.email, status=MISSING) for u in config.units if u.code not in known]
    ranked = sorted((u for u in units if u.rank is not None), key=lambda u: (u.rank, u.code))
    others = sorted((u for u in units if u.rank is None), key=lambda u: u.code)
    return ranked + others


def _band_formats(s: _Sheets, ws: Any, t: Table) -> None:
    if not t.rows:
        return
    letter = chr(ord("A") + SUMMARY_HEADERS.index("Xếp loại"))
    for band, colour in t.bands:
        quoted = band.replace('"', '""')
        ws.conditional_format(
            1, 0, len(t.rows), len(t.columns) - 1,
            {"type": "formula", "criteria": f'=${letter}2="{quoted}"', "format": s.wb.add_format({"bg_color": colour})},
        )


def considered_individual_rules(config: Config, outcome: RunOutcome) -> list:
    return [r for r in considered_rules(config, outcome) if r.individual is not None]


def persons_table(config: Config, outcome: RunOutcome, units: list[UnitOutcome]) -> Table:
    rules = considered_individual_rules(config, outcome)
    columns = [
        Column("Mã đơn vị", 11),
        Column("Tên đơn vị", 24),
        Column("Họ và tên", 24),
        Column("Năm sinh", 8, "int"),
        Column("Giới tính", 8),
        Column("Chức vụ", 18),
        Column("Xếp loại", 22),
        Column("Sáng kiến, giải pháp", 28),
        Column("Số, ngày quyết định công nhận sáng kiến", 20),
        Column("Cấp công nhận sáng kiến", 11),
        Column("Hình thức đề nghị", 22),
        Column("Tóm tắt thành tích", 36),
    ] + [Column(r.name, 18) for r in rules] + [Column("Hình thức được chọn", 22), Column("Ghi chú", 36)]
    rows = []
    for u in units:
        if u.submission is None or u.status not in (SUBMITTED, CARRIED):
            continue
        nominations = outcome.unit_nominations(u.code)
        for p in u.submission.persons:
            found = person_nominations(nominations, u.code, p)
            by_award = {n.award: n for n in found}
            selected = next((n for n in found if n.selected), None)
            proposed = next((n for n in found if n.proposed), None)
            proposal = config.criteria.award(p.proposal) if p.proposal else None
            note = (selected or proposed).note if (selected or proposed) else ""
            if not p.valid and not note:
                note = "Dòng có lỗi: không được xét khen thưởng (xem trang Lỗi)."
            rows.append(
                [
                    u.code, u.name, p.name, p.birth_year, p.gender, p.position,
                    RATINGS.get(p.rating or "", p.rating or ""), p.initiative, p.decision,
                    INITIATIVE_LEVELS.get(p.level or "", p.level or ""),
                    proposal.name if proposal else (p.proposal or ""), p.summary,
                ]
                + [ELIGIBILITY_TEXT[by_award[r.id].eligible] if r.id in by_award else "" for r in rules]
                + [selected.award_name if selected else "", note]
            )
    return Table(SHEET_PERSONS, columns, rows, freeze_cols=3)


def shares_table(config: Config, units: list[UnitOutcome]) -> Table | None:
    """Each unit's share of the top rating among its declared ratings, and the agency's (``rating_share``)."""
    shares = all_shares(config, declared_ratings(units))
    if not shares:
        return None
    rule = config.criteria.rating_share
    columns = [
        Column("Mã đơn vị", 11),
        Column("Đơn vị", 36),
        Column(f"Số người xếp loại từ {RATINGS[rule.base]} trở lên", 18, "int"),
        Column(f"Số người xếp loại {RATINGS[rule.rating]}", 18, "int"),
        Column("Tỷ lệ (%)", 10, "score"),
        Column("Tỷ lệ tối đa (%)", 10, "score"),
        Column("Cảnh báo", 70),
    ]
    rows = [
        [code or "", share.label, share.base, share.top, float(share.percent), float(rule.max_percent), share.text() if share.exceeded else ""]
        for code, share in shares
    ]
    return Table(SHEET_SHARES, columns, rows, freeze_cols=2, note=SHARES_NOTE)


def tally_text(statuses: Iterable[str], files: Iterable[FileRecord]) -> str:
    """The units by status and the files refused in the period (``files``: the period's files, all runs):
    what leadership reads before the ranking, in TongHop and in its e-mail alike."""
    statuses = list(statuses)
    counts = "; ".join(f"{text.lower()} {statuses.count(s)}" for s, text in UNIT_STATUS_TEXT.items())
    refused = {(f.name, f.sha256): f for f in files if f.status == REJECTED}
    codes = sorted({f.unit_code for f in refused.values() if f.unit_code})
    return f"Số đơn vị: {counts}. Tệp bị trả lại trong kỳ: {len(refused)}" + (f" (đơn vị {', '.join(codes)})." if codes else ".")


def _chart_sheet(s: _Sheets, period: str, ranked: int, tally: str) -> None:
    """Results of the ranked units, read from `Tổng hợp` (they are its first rows, best first)."""
    ws = s.wb.add_worksheet(SHEET_CHART)
    s.printable(ws, SHEET_CHART)
    ws.write_string(0, 0, f"Kết quả chấm điểm cải cách hành chính {period_text(period)}", s.header)
    ws.write_string(1, 0, tally, s.note)
    ws.set_column(0, 0, 60)
    if not ranked:
        ws.write_string(2, 0, "Chưa có đơn vị nào được xếp hạng trong kỳ này.", s.note)
        return
    result_col = SUMMARY_HEADERS.index("Kết quả")
    name_col = SUMMARY_HEADERS.index("Tên đơn vị")
    chart = s.wb.add_chart({"type": "bar"})
    chart.add_series({
        "name": "Kết quả",
        "categories": [SHEET_SUMMARY, 1, name_col, ranked, name_col],
        "values": [SHEET_SUMMARY, 1, result_col, ranked, result_col],
        "data_labels": {"value": True, "num_format": TWO_DECIMALS},
        "fill": {"color": "#4472C4"},
    })
    chart.set_title({"name": f"Kết quả theo đơn vị, {period_text(period)}", "name_font": {"name": "Times New Roman", "size": 13}})
    chart.set_y_axis({"reverse": True, "num_font": {"name": "Times New Roman"}})
    chart.set_x_axis({"min": 0, "num_font": {"name": "Times New Roman"}, "major_gridlines": {"visible": True}})
    chart.set_legend({"none": True})
    chart.set_size({"width": 960, "height": max(320, 60 + 32 * ranked)})
    ws.insert_chart(3, 0, chart)


def _trend_chart(s: _Sheets, ws: Any, t: Table, period: str) -> None:
    """Lines of the best ranked units' results over the year's periods, under the table."""
    periods = len(t.columns) - 2
    lines = [i for i, row in enumerate(t.rows[:TREND_SERIES_MAX]) if any(v is not None for v in row[2:])]
    if not lines:
        return
    chart = s.wb.add_chart({"type": "line"})
    for i in lines:
        chart.add_series({
            "name": [SHEET_TREND, 1 + i, 1],
            "categories": [SHEET_TREND, 0, 2, 0, 1 + periods],
            "values": [SHEET_TREND, 1 + i, 2, 1 + i, 1 + periods],
            "marker": {"type": "circle", "size": 5},
        })
    chart.set_title({"name": f"Kết quả các tháng năm {period_year(period)}", "name_font": {"name": "Times New Roman", "size": 13}})
    chart.set_x_axis({"num_font": {"name": "Times New Roman"}})
    chart.set_y_axis({"min": 0, "num_font": {"name": "Times New Roman"}, "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "right", "font": {"name": "Times New Roman"}})
    chart.show_blanks_as("gap")
    chart.set_size({"width": 960, "height": 360})  # with the table, one landscape page for a small Sở
    ws.insert_chart(len(t.rows) + 2, 0, chart)


# ---------------------------------------------------------------------------------------------------


def write_summary_file(path: Path | str, data: dict[str, Any], atomic: bool = True) -> str:
    """Top-level (picklable) so a process pool can run it; returns the path written. ``atomic=False``
    writes in place, for a staging folder swapped in whole (``xlsxutil.write_file``)."""
    path = Path(path)
    buf = io.BytesIO()
    wb = new_workbook(buf, title=data["title"])
    s = _Sheets(wb, data["title"])
    for t in data["tables"]:
        ws = s.table(t)
        if t.bands:
            _band_formats(s, ws, t)
    _chart_sheet(s, data["period"], data["ranked"], data["tally"])
    trend = data["trend"]
    _trend_chart(s, s.table(trend), trend, data["period"])
    wb.close()
    write_file(path, buf.getbuffer(), atomic)  # the zip's bytes as they lie, not a copy
    return str(path)
