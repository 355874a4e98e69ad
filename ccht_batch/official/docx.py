"""Official documents as Word files (python-docx), in the layout of Decree 30/2020/NĐ-CP, Phụ lục I.

``OfficialDocument`` writes what every signable document shares: A4 and the decree's margins; Times New
Roman with the language ``vi-VN`` on the document's defaults, its styles and every run (Word checks the
spelling in Vietnamese); the page number as a PAGE field centred in the header, from the second page; the
two-column header — superior and issuing body over the number, beside the Quốc hiệu and Tiêu ngữ over
the place and date —, the document's name and trích yếu; the signature block with "Nơi nhận". The three
rules are paragraph borders: an empty paragraph whose top border runs between indents set so that the line
has the wanted length and is centred under the text.

The file carries no clock: fixed document properties and fixed zip entry times, so the same data gives the
same bytes.
"""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, Twips
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from ccht_batch.official.text import (
    AGENCY_PT,
    BODY_PT,
    DATE_PT,
    DRAFT,
    FONT,
    LANGUAGE,
    MARGINS_MM,
    MOTTO,
    MOTTO_PT,
    NAME_PT,
    NATION,
    NATION_PT,
    NUMBER_PT,
    PAGE_NUMBER_PT,
    RECEIVERS_HEAD_PT,
    RECEIVERS_PT,
    SIGNER_PT,
    SUBJECT_PT,
    TABLE_PT,
    rule_width_pt,
)
from ccht_batch.xlsx.util import FIXED_CREATED

PLACEHOLDER = "[{what}]"
CELL_MARGIN_CM = 0.19  # the left and right padding Word and LibreOffice give a table cell
PT_PER_CM = 72 / 2.54
HEADER_WIDTHS_CM = (7.2, 9.8)  # the two header blocks; the table reaches 0.5 cm into the left margin
HEADER_OUTDENT_CM = 0.5
SIGNATURE_WIDTHS_CM = (8.0, 8.5)
CENTER = WD_ALIGN_PARAGRAPH.CENTER
LEFT = WD_ALIGN_PARAGRAPH.LEFT
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY


def _twips(mm: float) -> Twips:
    """A margin in the document's unit (twips, whole), rounded up: never under the decree's minimum."""
    return Twips(math.ceil(mm * 1440 / 25.4))


@dataclass
class Line:
    """One line of a header or signature block."""

    text: str
    bold: bool = False
    italic: bool = False
    size: float = BODY_PT
    align: WD_ALIGN_PARAGRAPH = CENTER
    rule: float | None = None  # a line beneath, this many points long


@dataclass
class Letterhead:
    parent: str  # "UBND TỈNH LÂM ĐỒNG"
    issuer: str  # "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
    place_date: str
    number: str = ""  # "Số:      /TTr-SKHCN"
    draft: bool = False  # a draft says DỰ THẢO above the header


def _set_lang(rpr) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attr), LANGUAGE)


def _set_fonts(rpr) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme") or attr.endswith("theme"):
            del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def add_run(p: Paragraph, text: str, *, bold: bool = False, italic: bool = False, size: float | None = None):
    run = p.add_run(text)
    run.bold = bold or None
    run.italic = italic or None
    if size:
        run.font.size = Pt(size)
    rpr = run._element.get_or_add_rPr()
    _set_fonts(rpr)
    _set_lang(rpr)
    return run


def _tight(p: Paragraph) -> None:
    pf = p.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.first_line_indent = None
    pf.line_spacing = 1.0


def _border(p: Paragraph, side: str = "top") -> None:
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), "6")  # eighths of a point: 0.75 pt
    edge.set(qn("w:space"), "1")
    edge.set(qn("w:color"), "000000")
    bdr.append(edge)
    ppr.append(bdr)


def set_widths(t: Table, widths: Sequence[float]) -> None:
    """Word reads the cells' widths, LibreOffice the grid's: set both (centimetres)."""
    t.autofit = False
    for c, w in enumerate(widths):
        t.columns[c].width = Cm(w)
    for row in t.rows:
        for c, w in enumerate(widths):
            row.cells[c].width = Cm(w)


def fixed_zip(blob: bytes) -> bytes:
    """The same package with every entry dated 1980-01-01, so the bytes do not depend on the clock."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


class OfficialDocument:
    """A Word document with the official page, header, title, body paragraphs and signature block."""

    def __init__(self) -> None:
        self.doc = Document()
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        m = MARGINS_MM
        section.top_margin, section.bottom_margin = _twips(m.top), _twips(m.bottom)
        section.left_margin, section.right_margin = _twips(m.left), _twips(m.right)
        section.header_distance = Cm(1)
        self.text_width_cm = 21 - (m.left + m.right) / 10
        defaults = self.doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _set_fonts(defaults)
        _set_lang(defaults)
        for style in self.doc.styles:
            if style.type == 1 or style.type == 3:  # paragraph and table styles
                rpr = style.element.get_or_add_rPr()
                if rpr.find(qn("w:rFonts")) is not None:
                    _set_fonts(rpr)
                _set_lang(rpr)
        normal = self.doc.styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(BODY_PT)
        pf = normal.paragraph_format
        pf.space_before = Pt(0)
        pf.space_after = Pt(6)
        pf.line_spacing = 1.15
        self._page_numbers(section)

    # -- page

    def _page_numbers(self, section) -> None:
        """A PAGE field centred in the header; the first page has its own, empty header."""
        section.different_first_page_header_footer = True
        p = section.header.paragraphs[0]
        p.alignment = CENTER
        _tight(p)
        for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "2"), ("end", None)):
            run = add_run(p, "", size=PAGE_NUMBER_PT)
            if kind == "instr":
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = text
                run._element.append(instr)
            elif kind == "text":
                run.text = text
            else:
                fld = OxmlElement("w:fldChar")
                fld.set(qn("w:fldCharType"), kind)
                run._element.append(fld)
        first = section.first_page_header.paragraphs[0]
        _tight(first)

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # -- paragraphs

    def para(self, text: str = "", *, bold: bool = False, italic: bool = False, size: float | None = None, align=None, indent: bool = True, container=None) -> Paragraph:
        p = (container or self.doc).add_paragraph()
        if align is not None:
            p.alignment = align
        elif indent:
            p.alignment = JUSTIFY
            p.paragraph_format.first_line_indent = Cm(1)
        if text:
            add_run(p, text, bold=bold, italic=italic, size=size)
        return p

    def heading(self, text: str) -> Paragraph:
        p = self.para(text, bold=True)
        p.paragraph_format.space_before = Pt(6)
        p.paragraph_format.keep_with_next = True
        return p

    def placeholder(self, what: str) -> Paragraph:
        """A bracketed place for what only a person can write."""
        return self.para(PLACEHOLDER.format(what=what), italic=True)

    def rule(self, length_pt: float, width_cm: float, container=None) -> Paragraph:
        """A line ``length_pt`` long centred in a space ``width_cm`` wide (the page's text or a cell's)."""
        p = (container or self.doc).add_paragraph()
        _tight(p)
        p.paragraph_format.space_before = Pt(3)  # clear of the descenders above
        p.paragraph_format.line_spacing = Pt(2)
        side = max((width_cm * PT_PER_CM - length_pt) / 2, 0)
        p.paragraph_format.left_indent = Pt(side)
        p.paragraph_format.right_indent = Pt(side)
        _border(p)
        mark = p._p.get_or_add_pPr()
        rpr = OxmlElement("w:rPr")
        size = OxmlElement("w:sz")
        size.set(qn("w:val"), "2")
        rpr.append(size)
        mark.append(rpr)
        return p

    def table(
        self, headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float], left_columns: Sequence[int] = (1,), bold_rows: Sequence[int] = ()
    ) -> Table:
        t = self.doc.add_table(rows=1, cols=len(headers))
        t.style = self.doc.styles["Table Grid"]
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for c, h in enumerate(headers):
            p = t.rows[0].cells[c].paragraphs[0]
            p.alignment = CENTER
            _tight(p)
            add_run(p, h, bold=True, size=TABLE_PT)
        for r, values in enumerate(rows):
            cells = t.add_row().cells
            for c, v in enumerate(values):
                p = cells[c].paragraphs[0]
                p.alignment = LEFT if c in left_columns else CENTER
                _tight(p)
                add_run(p, v, size=TABLE_PT, bold=r in bold_rows)
        set_widths(t, widths)
        for i, row in enumerate(t.rows):  # rows are not split over pages; the header row repeats
            trpr = row._tr.get_or_add_trPr()
            trpr.append(OxmlElement("w:cantSplit"))
            if i == 0:
                trpr.append(OxmlElement("w:tblHeader"))
        self.para("", indent=False).paragraph_format.space_after = Pt(0)
        return t

    # -- blocks

    def borderless(self, rows: int, widths: Sequence[float], outdent_cm: float = 0.0) -> Table:
        """A table without borders; ``outdent_cm`` lets it reach into the left margin, as official headers do."""
        t = self.doc.add_table(rows=rows, cols=len(widths))  # the template's default table style has no borders
        if outdent_cm:
            indent = OxmlElement("w:tblInd")
            indent.set(qn("w:w"), str(int(-outdent_cm * 567)))  # twentieths of a point: 567 per cm
            indent.set(qn("w:type"), "dxa")
            t._tbl.tblPr.append(indent)
        else:
            t.alignment = WD_TABLE_ALIGNMENT.CENTER
        set_widths(t, widths)
        return t

    def cell_lines(self, cell: _Cell, width_cm: float, lines: Sequence[Line]) -> None:
        first = True
        for line in lines:
            p = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            p.alignment = line.align
            _tight(p)
            if line.text:
                add_run(p, line.text, bold=line.bold, italic=line.italic, size=line.size)
            if line.rule:
                self.rule(line.rule, width_cm - 2 * CELL_MARGIN_CM, container=cell)

    def letterhead(self, head: Letterhead) -> None:
        """The header of Decree 30: the bodies (a rule under the issuer) beside the Quốc hiệu and the Tiêu
        ngữ (a rule as long as it), the number beside the place and date."""
        if head.draft:
            self.para(DRAFT, bold=True, size=BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT).paragraph_format.space_after = Pt(0)
        left_w, right_w = HEADER_WIDTHS_CM
        t = self.borderless(2, HEADER_WIDTHS_CM, outdent_cm=HEADER_OUTDENT_CM)
        issuer = head.issuer.upper()
        left = [Line(head.parent.upper(), size=AGENCY_PT)] if head.parent else []
        inner_pt = (left_w - 2 * CELL_MARGIN_CM) * PT_PER_CM  # a name on several lines: the rule follows the lines
        left.append(Line(issuer, bold=True, size=AGENCY_PT, rule=min(rule_width_pt(issuer, AGENCY_PT), inner_pt * 0.45)))
        self.cell_lines(t.rows[0].cells[0], left_w, left)
        self.cell_lines(t.rows[0].cells[1], right_w, [
            Line(NATION, bold=True, size=NATION_PT),
            Line(MOTTO, bold=True, size=MOTTO_PT, rule=rule_width_pt(MOTTO, MOTTO_PT, whole=True)),
        ])
        self.cell_lines(t.rows[1].cells[0], left_w, [Line(""), Line(head.number, size=NUMBER_PT)])
        self.cell_lines(t.rows[1].cells[1], right_w, [Line(""), Line(head.place_date, italic=True, size=DATE_PT)])

    def title(self, name: str, subject: Sequence[str], note: str = "") -> None:
        """The document's name (capitals) and its trích yếu (one or more lines), centred; an italic ``note``
        (an annex's "Kèm theo …"); a rule beneath sized to the longest line of the trích yếu."""
        self.para("", indent=False).paragraph_format.space_after = Pt(0)
        if name:
            p = self.para(name.upper(), bold=True, size=NAME_PT, align=CENTER)
            _tight(p)
        for line in subject:
            p = self.para(line, bold=True, size=SUBJECT_PT, align=CENTER)
            _tight(p)
        if note:
            _tight(self.para(note, italic=True, size=DATE_PT, align=CENTER))
        longest = max(subject or [name], key=len)
        length = min(rule_width_pt(longest, SUBJECT_PT), self.text_width_cm * PT_PER_CM * 0.45)
        self.rule(length, self.text_width_cm)
        self.para("", indent=False).paragraph_format.space_after = Pt(0)

    def signature(self, left: Sequence[Line], right: Sequence[Line]) -> None:
        self.para("", indent=False).paragraph_format.space_after = Pt(0)
        t = self.borderless(1, SIGNATURE_WIDTHS_CM)
        self.cell_lines(t.rows[0].cells[0], SIGNATURE_WIDTHS_CM[0], left)
        self.cell_lines(t.rows[0].cells[1], SIGNATURE_WIDTHS_CM[1], right)

    # -- file

    def save(self, path: Path, title: str, subject: str = "") -> None:
        props = self.doc.core_properties
        props.author = "ccht-batch"
        props.last_modified_by = "ccht-batch"
        props.title = title
        props.subject = subject
        props.comments = ""
        props.keywords = ""
        props.category = ""
        props.language = LANGUAGE
        props.revision = 1
        props.created = FIXED_CREATED
        props.modified = FIXED_CREATED
        props.last_printed = FIXED_CREATED
        buf = io.BytesIO()
        self.doc.save(buf)
        Path(path).write_bytes(fixed_zip(buf.getvalue()))


def receivers(items: Sequence[str]) -> list[Line]:
    """"Nơi nhận:" (bold italic 12) and its lines (11), left aligned."""
    if not items:
        return []
    return [Line("Nơi nhận:", bold=True, italic=True, size=RECEIVERS_HEAD_PT, align=LEFT)] + [
        Line(f"- {item}", size=RECEIVERS_PT, align=LEFT) for item in items
    ]


def signer(title_lines: Sequence[str], name: str, note: str = "") -> list[Line]:
    """The signer's title lines (bold capitals), room for the signature, the name (bold)."""
    lines = [Line(t, bold=True, size=SIGNER_PT) for t in title_lines]
    if note:
        lines.append(Line(note, italic=True, size=RECEIVERS_HEAD_PT))
    return lines + [Line(""), Line(""), Line(""), Line(""), Line(name, bold=True, size=SIGNER_PT)]
