"""Official pages in a workbook (xlsxwriter): the Decree 30 header with its three rules, the signer block,
the page set-up (A4, margins in range, page numbers centred at the top from page 2, each sheet counted on
its own).

The rules are drawn shapes, one line each, sized to the text they underline and centred under it: a cell
border spans whole cells, never the text. xlsxwriter places a shape by its own column model (Calibri 11,
7 pixels a character) while Excel and LibreOffice measure the columns with the workbook's default font
(Times New Roman 12, 8 pixels a character); ``OfficialWorksheet`` sizes columns the readers' way, so a line
lands where the text is.

xlsxwriter cannot leave the first page without a header; ``OfficialWorksheet`` writes the header with
``differentFirst`` (an empty first-page header), as Excel does for "Different first page".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ccht_batch.official.text import (
    AGENCY_PT,
    DATE_PT,
    FONT,
    MARGINS_MM,
    MOTTO,
    MOTTO_PT,
    NATION,
    NATION_PT,
    PAGE_NUMBER_PT,
    RECEIVERS_HEAD_PT,
    RECEIVERS_PT,
    RULE_SHARE,
    SIGNER_PT,
    TABLE_PT,
    rule_width_pt,
    text_width_pt,
)
from ccht_batch.xlsx.util import Formats, text_height, write_value

DIGIT_PX = 8  # the width of a digit of Times New Roman 12 at 96 dpi: what one unit of column width is
PX_PER_PT = 96 / 72
RULE_PX = 1  # a drawn line: one pixel high, 0.75 pt
PAGE_HEADER = f'&C&"{FONT},Regular"&{PAGE_NUMBER_PT}&P'
HEADER_MARGIN_IN = 0.4  # the page number sits in the top margin, about 10 mm from the edge
NONE_LINE = "(Không có)"


def _inches(mm: float) -> float:
    """A margin in inches as the sheet stores it (4 decimals), rounded up: never under the decree's minimum."""
    return math.ceil(mm / 25.4 * 10_000) / 10_000


class OfficialWorksheet(Worksheet):
    """A worksheet whose header skips the first page and whose shapes sit where the reader sees them."""

    def _size_col(self, col: int, anchor: int = 0):  # type: ignore[override]
        return super()._size_col(col, anchor) * DIGIT_PX / getattr(self, "max_digit_width", 7)

    def _write_header_footer(self) -> None:
        if not self.header_footer_changed:
            return super()._write_header_footer()
        attributes: list[tuple[str, Any]] = [("differentFirst", 1)]
        if not self.header_footer_scales:
            attributes.append(("scaleWithDoc", 0))
        if not self.header_footer_aligns:
            attributes.append(("alignWithMargins", 0))
        self._xml_start_tag("headerFooter", attributes)
        if self.header:
            self._write_odd_header()
        if self.footer:
            self._write_odd_footer()
        self._xml_end_tag("headerFooter")


def add_official_sheet(wb: Workbook, name: str) -> Worksheet:
    return wb.add_worksheet(name, worksheet_class=OfficialWorksheet)


def page_setup(ws: Worksheet, *, landscape: bool = True, repeat_rows: tuple[int, int] | None = None, fit_width: bool = True) -> None:
    """A4, the decree's margins, the page number from page 2 centred at the top, numbered from 1 on every
    sheet (LibreOffice would otherwise count the pages of the whole workbook)."""
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    m = MARGINS_MM
    ws.set_margins(left=_inches(m.left), right=_inches(m.right), top=_inches(m.top), bottom=_inches(m.bottom))
    ws.set_header(PAGE_HEADER, {"margin": HEADER_MARGIN_IN})
    ws.set_start_page(1)
    if repeat_rows is not None:
        ws.repeat_rows(*repeat_rows)
    if fit_width:
        ws.fit_to_pages(1, 0)
    ws.center_horizontally()


def column_pt(width: float) -> float:
    """The printed width of a column set to ``width`` characters: xlsxwriter stores whole pixels of its
    model plus padding; readers give each stored character the width of a digit."""
    return (int(width * 7 + 0.5) + 5) / 7 * DIGIT_PX / PX_PER_PT


def draw_rule(ws: Worksheet, row: int, widths: Sequence[float], span: tuple[int, int], length_pt: float, drop_px: float = 2) -> None:
    """A solid line ``length_pt`` long, centred under the columns ``span``, at the top of ``row``."""
    width_pt = sum(column_pt(w) for w in widths[span[0]:span[1] + 1])
    left_pt = sum(column_pt(w) for w in widths[:span[0]])
    length_pt = min(length_pt, width_pt)
    start_px = (left_pt + (width_pt - length_pt) / 2) * PX_PER_PT
    ws.insert_textbox(row, 0, "", {
        "x_offset": start_px,  # the readers' pixels, as ``_size_col`` counts them
        "y_offset": drop_px,
        "width": length_pt * PX_PER_PT,
        "height": RULE_PX,
        "line": {"none": True},
        "fill": {"color": "black"},
        "object_position": 2,  # moves with the cells, keeps its length
        "description": "Đường kẻ",
    })


@dataclass(frozen=True)
class Spans:
    left: tuple[int, int]  # the agency block
    right: tuple[int, int]  # the national block, the date, the signer
    full: tuple[int, int]


class OfficialSheet:
    """One printed page set written top to bottom: header, title, table, signer block."""

    def __init__(self, wb: Workbook, fm: Formats, name: str, widths: tuple[float, ...], spans: Spans):
        self.ws = add_official_sheet(wb, name)
        self.fm = fm
        self.spans = spans
        self.row = 0
        self.widths = widths
        self.header_row: int | None = None
        for c, w in enumerate(widths):
            self.ws.set_column(c, c, w)

    def _span_width(self, span: tuple[int, int]) -> float:
        return sum(self.widths[span[0]:span[1] + 1])

    def text(self, row: int, span: tuple[int, int], text: str, fmt: Any) -> None:
        """Merged cells get their text by ``write_string`` (never parsed as a formula)."""
        if span[0] != span[1]:
            self.ws.merge_range(row, span[0], row, span[1], "", fmt)
        self.ws.write_string(row, span[0], text, fmt)

    def line(self, text: str, fmt: Any, span: tuple[int, int] | None = None, height: float | None = None, font_size: float = 12) -> None:
        span = span or self.spans.full
        self.text(self.row, span, text, fmt)
        height = text_height([text], [self._span_width(span)], font_size) or height
        if height:
            self.ws.set_row(self.row, height)
        self.row += 1

    def letterhead(self, parent: str, issuer: str, place_date: str, number: str = "") -> None:
        """Rows 1–4: the superior body and the issuing body (a rule beneath) beside the Quốc hiệu and the
        Tiêu ngữ (a rule beneath as long as it); the number beside the place and date."""
        f, s = self.fm, self.spans
        self.text(0, s.left, parent.upper(), f(align="center", font_size=AGENCY_PT))
        self.text(0, s.right, NATION, f(align="center", bold=True, font_size=NATION_PT))
        self.text(1, s.left, issuer.upper(), f(align="center", bold=True, font_size=AGENCY_PT, valign="bottom"))
        self.text(1, s.right, MOTTO, f(align="center", bold=True, font_size=MOTTO_PT, valign="bottom"))
        for r in (0, 1):
            self.ws.set_row(r, 17)
        self.ws.set_row(2, 9)
        draw_rule(self.ws, 2, self.widths, s.left, rule_width_pt(issuer.upper(), AGENCY_PT))
        draw_rule(self.ws, 2, self.widths, s.right, rule_width_pt(MOTTO, MOTTO_PT, whole=True))
        if number:
            self.text(3, s.left, number, f(align="center", font_size=13))
        self.text(3, s.right, place_date, f(align="center", italic=True, font_size=DATE_PT))
        self.row = 5

    def title(self, lines: list[tuple[str, dict]], rule_under: tuple[str, float]) -> None:
        """The document's name and trích yếu, centred over the page, then a line under the block sized to
        ``rule_under`` (the trích yếu's text and size; its printed line at most the page wide) and a
        blank row."""
        for text, props in lines:
            size = props.get("font_size", 12)
            self.line(text, self.fm(align="center", text_wrap=True, **props), font_size=size)
        full = sum(column_pt(w) for w in self.widths[self.spans.full[0]:self.spans.full[1] + 1])
        length = min(text_width_pt(rule_under[0], rule_under[1], True), full) * RULE_SHARE
        self.ws.set_row(self.row, 9)
        draw_rule(self.ws, self.row, self.widths, self.spans.full, length)
        self.row += 2

    def table_header(self, headers: Sequence[str]) -> None:
        fmt = self.fm(bold=True, align="center", text_wrap=True, border=1, font_size=TABLE_PT)
        for c, h in enumerate(headers):
            self.ws.write_string(self.row, c, h, fmt)
        self.ws.set_row(self.row, 36)
        self.header_row = self.row
        self.row += 1

    def record(self, values: list[Any], centred: tuple[int, ...] = (0, 2, 3)) -> None:
        for c, v in enumerate(values):
            fmt = self.fm(border=1, text_wrap=True, valign="top", font_size=TABLE_PT, align="center" if c in centred else "left")
            write_value(self.ws, self.row, c, v, fmt)
        height = text_height(values, self.widths, TABLE_PT)
        if height:
            self.ws.set_row(self.row, height)
        self.row += 1

    def section(self, text: str, width: int) -> None:
        self.line(text, self.fm(bold=True, border=1, font_size=TABLE_PT), span=(0, width - 1))

    def empty(self, width: int) -> None:
        self.line(NONE_LINE, self.fm(italic=True, border=1, font_size=TABLE_PT, align="center"), span=(0, width - 1))

    def signature(self, receivers: Sequence[str], title_lines: Sequence[str], name: str) -> None:
        """"Nơi nhận:" bottom left (bold italic 12, its lines 11); the signer bottom right (bold 13)."""
        f, s = self.fm, self.spans
        self.row += 1
        top = self.row
        left: list[tuple[str, Any]] = []
        if receivers:
            left = [("Nơi nhận:", f(bold=True, italic=True, font_size=RECEIVERS_HEAD_PT, align="left"))]
            left += [(f"- {d}", f(font_size=RECEIVERS_PT, align="left")) for d in receivers]
        right: list[tuple[str, Any]] = [(t, f(bold=True, align="center", font_size=SIGNER_PT)) for t in title_lines]
        right += [("", None)] * 4 + [(name, f(bold=True, align="center", font_size=SIGNER_PT))]
        for i in range(max(len(left), len(right))):
            if i < len(left):
                self.text(top + i, s.left, *left[i])
            if i < len(right) and right[i][1] is not None:
                self.text(top + i, s.right, *right[i])
        self.row = top + max(len(left), len(right))

    def finish(self, landscape: bool = True) -> None:
        page_setup(self.ws, landscape=landscape, repeat_rows=(self.header_row, self.header_row) if self.header_row is not None else None)
