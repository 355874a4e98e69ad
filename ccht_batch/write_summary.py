"""The consolidated workbook ``TongHop_<YYYY-MM>.xlsx`` (DESIGN.md §8, a contract) for leadership and the Office.

Every data sheet has its header in row 1 and nothing above it, so a person can filter and sort it and a
program can read it with ``header=0``; the titles go to the printed page header instead. Values are
numbers where they are numbers (2 decimals shown for totals) and text that came from a unit is always
written as text, so a unit's ``=HYPERLINK(...)`` is shown, never evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ccht_batch.config import Config
from ccht_batch.issues import SEVERITY_TEXT
from ccht_batch.model import CARRIED, MISSING, SOURCE_TEXT, SUBMITTED, UNIT_STATUS_TEXT, RunOutcome, UnitOutcome
from ccht_batch.periods import period_text
from ccht_batch.summary_json import considered_rules, file_issues, sorted_files, sorted_units
from ccht_batch.vocab import INITIATIVE_LEVELS, RATINGS
from ccht_batch.write_nominations import ELIGIBILITY_TEXT, person_nominations, text_height
from ccht_batch.xlsxutil import HEADER_TINT, Formats, atomic_path, new_workbook, print_setup, write_value

SHEET_SUMMARY = "Tổng hợp"
SHEET_DETAIL = "Chi tiết"
SHEET_PERSONS = "Cá nhân"
SHEET_ISSUES = "Lỗi"
SHEET_MISSING = "Chưa nộp"
SHEET_CHART = "Biểu đồ"
SHEETS = (SHEET_SUMMARY, SHEET_DETAIL, SHEET_PERSONS, SHEET_ISSUES, SHEET_MISSING, SHEET_CHART)

SUMMARY_HEADERS = ("Hạng", "Mã đơn vị", "Tên đơn vị", "Tổng điểm", "Kết quả", "Xếp loại", "Trạng thái")
ISSUE_HEADERS = ("Tệp", "Mã đơn vị", "Trang tính", "Ô", "Mức độ", "Mã lỗi", "Nội dung")
KIND_TEXT = {"criterion": "Tiêu chí", "bonus": "Điểm thưởng", "penalty": "Điểm trừ"}

# Band colours run from green (best band) to red (lowest), spread over however many bands the YAML has.
_BAND_ANCHORS = ((0xC6, 0xEF, 0xCE), (0xDD, 0xEB, 0xF7), (0xFF, 0xF2, 0xCC), (0xFC, 0xE4, 0xD6), (0xFF, 0xC7, 0xCE))

TWO_DECIMALS = "0.00"


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


# ---------------------------------------------------------------------------------------------------
# A data sheet: header in row 1, typed columns, filter, frozen header, printable


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    kind: str = "text"  # text | number (2 decimals) | score (as typed) | int


class _Sheets:
    def __init__(self, wb: Any, title: str):
        self.wb = wb
        self.title = title
        fm = Formats(wb, size=11)
        self.header = fm(bold=True, text_wrap=True, align="center", border=1, bg_color=HEADER_TINT)
        self.cell = {
            "text": fm(text_wrap=True, border=1, valign="top"),
            "number": fm(num_format=TWO_DECIMALS, border=1, valign="top"),
            "score": fm(num_format="General", border=1, valign="top"),
            "int": fm(num_format="0", border=1, valign="top", align="center"),
        }
        self.note = fm(italic=True)

    def table(self, name: str, columns: list[Column], rows: list[list[Any]], freeze_cols: int = 0) -> Any:
        ws = self.wb.add_worksheet(name)
        widths = [col.width for col in columns]
        for c, col in enumerate(columns):
            ws.set_column(c, c, col.width)
            ws.write_string(0, c, col.title, self.header)
        ws.set_row(0, text_height([c.title for c in columns], widths, 11))
        for r, values in enumerate(rows, start=1):
            for c, (col, value) in enumerate(zip(columns, values)):
                write_value(ws, r, c, value, self.cell[col.kind])
            height = text_height(values, widths, 11)
            if height:
                ws.set_row(r, height)
        ws.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
        ws.freeze_panes(1, freeze_cols)
        self.printable(ws, name)
        return ws

    def printable(self, ws: Any, name: str) -> None:
        print_setup(ws, repeat_rows=(0, 0))
        ws.set_header('&C&"Times New Roman,Bold"&12' + page_header_text(f"{self.title} - {name}"))
        ws.set_footer('&C&"Times New Roman,Regular"&10Trang &P/&N')


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


def _summary_sheet(s: _Sheets, config: Config, units: list[UnitOutcome]) -> None:
    fields = config.criteria.fields
    columns = [
        Column("Hạng", 7, "int"),
        Column("Mã đơn vị", 11),
        Column("Tên đơn vị", 34),
        Column("Tổng điểm", 10, "number"),
        Column("Kết quả", 10, "number"),
        Column("Xếp loại", 12),
        Column("Trạng thái", 16),
    ] + [Column(f"{f.id}. {f.name}", 16, "number") for f in fields]
    rows = []
    for u in units:
        fs = u.score.field_scores if u.score else {}
        rows.append(
            [u.rank, u.code, u.name, u.total, u.result, u.band, UNIT_STATUS_TEXT.get(u.status, u.status)]
            + [fs[f.id][0] if f.id in fs else None for f in fields]
        )
    ws = s.table(SHEET_SUMMARY, columns, rows, freeze_cols=3)
    if not rows:
        return
    band_col = SUMMARY_HEADERS.index("Xếp loại")
    letter = chr(ord("A") + band_col)
    for band, colour in zip(config.criteria.bands, band_colours(len(config.criteria.bands))):
        quoted = band.name.replace('"', '""')
        ws.conditional_format(
            1, 0, len(rows), len(columns) - 1,
            {"type": "formula", "criteria": f'=${letter}2="{quoted}"', "format": s.wb.add_format({"bg_color": colour})},
        )


def _detail_sheet(s: _Sheets, config: Config, units: list[UnitOutcome]) -> None:
    columns = [
        Column("Mã đơn vị", 11),
        Column("Tên đơn vị", 26),
        Column("Mã tiêu chí", 9),
        Column("Loại", 12),
        Column("Nội dung", 44),
        Column("Điểm tối đa", 9, "score"),
        Column("Điểm tự chấm", 9, "score"),
        Column("Điểm tính từ số liệu", 11, "score"),
        Column("Điểm thẩm định", 10, "score"),
        Column("Điểm được tính", 10, "score"),
        Column("Nguồn điểm", 14),
        Column("Giải thích", 44),
        Column("Tài liệu kiểm chứng", 30),
        Column("Ghi chú của đơn vị", 24),
    ]
    rows = []
    for u in units:
        if u.score is None:
            continue
        typed = u.submission.scores if u.submission else {}
        for c in u.score.criteria:
            row = config.criteria.criterion(c.id)
            entry = typed.get(c.id)
            rows.append([
                u.code, u.name, c.id, KIND_TEXT.get(c.kind, c.kind), row.name if row else "",
                c.max, c.self_score, c.computed, c.appraised, c.score if c.applicable else None,
                SOURCE_TEXT.get(c.source, c.source), c.why,
                entry.evidence if entry else "", entry.note if entry else "",
            ])
    s.table(SHEET_DETAIL, columns, rows, freeze_cols=3)


def considered_individual_rules(config: Config, outcome: RunOutcome) -> list:
    return [r for r in considered_rules(config, outcome) if r.individual is not None]


def _persons_sheet(s: _Sheets, config: Config, outcome: RunOutcome, units: list[UnitOutcome]) -> None:
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
        for p in u.submission.persons:
            found = person_nominations(outcome.unit_nominations(u.code), u.code, p)
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
    s.table(SHEET_PERSONS, columns, rows, freeze_cols=3)


def _issues_sheet(s: _Sheets, outcome: RunOutcome) -> None:
    columns = [Column("Tệp", 30), Column("Mã đơn vị", 11), Column("Trang tính", 14), Column("Ô", 7), Column("Mức độ", 10), Column("Mã lỗi", 22), Column("Nội dung", 80)]
    rows = []
    for f in sorted_files(outcome.all_period_files):
        for i in file_issues(outcome, f):
            rows.append([f.name, i.unit_code or f.unit_code, i.sheet, i.cell, SEVERITY_TEXT.get(i.severity, i.severity), i.code, i.message])
    s.table(SHEET_ISSUES, columns, rows, freeze_cols=1)


def _missing_sheet(s: _Sheets, config: Config, outcome: RunOutcome) -> None:
    columns = [Column("Mã đơn vị", 11), Column("Tên đơn vị", 36), Column("Trạng thái", 20), Column("Thư điện tử", 32), Column("Kỳ của bản được dùng", 18), Column("Tệp được dùng", 34)]
    rows = []
    for u in sorted_units(config, outcome.units):
        if u.status not in (MISSING, CARRIED):
            continue
        carried = u.status == CARRIED
        rows.append([
            u.code, u.name, UNIT_STATUS_TEXT[u.status], u.email,
            period_text(u.submission_period) if carried and u.submission_period else None,
            u.file_name if carried else None,
        ])
    s.table(SHEET_MISSING, columns, rows)


def _chart_sheet(s: _Sheets, outcome: RunOutcome, units: list[UnitOutcome]) -> None:
    """Results of the ranked units, read from `Tổng hợp` (they are its first rows, best first)."""
    ws = s.wb.add_worksheet(SHEET_CHART)
    s.printable(ws, SHEET_CHART)
    ranked = sum(1 for u in units if u.rank is not None)
    ws.write_string(0, 0, f"Kết quả chấm điểm cải cách hành chính {period_text(outcome.period)}", s.header)
    ws.set_column(0, 0, 60)
    if not ranked:
        ws.write_string(1, 0, "Chưa có đơn vị nào được xếp hạng trong kỳ này.", s.note)
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
    chart.set_title({"name": f"Kết quả theo đơn vị, {period_text(outcome.period)}", "name_font": {"name": "Times New Roman", "size": 13}})
    chart.set_y_axis({"reverse": True, "num_font": {"name": "Times New Roman"}})
    chart.set_x_axis({"min": 0, "num_font": {"name": "Times New Roman"}, "major_gridlines": {"visible": True}})
    chart.set_legend({"none": True})
    chart.set_size({"width": 960, "height": max(320, 60 + 32 * ranked)})
    ws.insert_chart(2, 0, chart)


# ---------------------------------------------------------------------------------------------------


def write_summary_workbook(config: Config, outcome: RunOutcome, path: Path) -> Path:
    title = f"TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM CẢI CÁCH HÀNH CHÍNH {period_text(outcome.period).upper()}"
    units = summary_order(config, outcome)
    with atomic_path(path) as tmp:
        wb = new_workbook(tmp, title=title)
        s = _Sheets(wb, title)
        _summary_sheet(s, config, units)
        _detail_sheet(s, config, units)
        _persons_sheet(s, config, outcome, units)
        _issues_sheet(s, outcome)
        _missing_sheet(s, config, outcome)
        _chart_sheet(s, outcome, units)
        wb.close()
    return path
