"""The draft report to the Province as a Word document, in the official layout (Decree 30/2020, RULES.md §6).

The Office edits and signs it, so it is a draft with the figures filled in and clearly marked places for
what only people can write (the assessment, the way forward). Layout: the two-column header, number, place
and date, title, numbered sections, "Nơi nhận" bottom left and the signer bottom right; Times New Roman,
A4 portrait. The file carries no clock: fixed document properties and fixed zip entry times, so the same
store gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from ccht_batch.config.model import Config
from ccht_batch.core import vocab
from ccht_batch.core.values import fmt_number
from ccht_batch.reports.data import KIND_TEXT, NO_RESULT, ReportData
from ccht_batch.xlsx.util import FIXED_CREATED, FONT

BODY_PT = 13
TITLE_PT = 14
SMALL_PT = 11
PLACEHOLDER = "[Văn phòng Sở bổ sung: {what}]"
# Longer lists go to the workbook; the report keeps to what a reader takes in.
MAX_LISTED = 30


def _fonts(element_rpr) -> None:
    fonts = element_rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _run(p: Paragraph, text: str, *, bold: bool = False, italic: bool = False, size: int | None = None):
    run = p.add_run(text)
    run.bold = bold or None
    run.italic = italic or None
    if size:
        run.font.size = Pt(size)
    _fonts(run._element.get_or_add_rPr())
    return run


class _Doc:
    """A python-docx Document with the few paragraph kinds an official report uses."""

    def __init__(self) -> None:
        self.doc = Document()
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(2), Cm(2)
        section.left_margin, section.right_margin = Cm(3), Cm(2)
        normal = self.doc.styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(BODY_PT)
        _fonts(normal.element.get_or_add_rPr())
        pf = normal.paragraph_format
        pf.space_before = Pt(0)
        pf.space_after = Pt(6)
        pf.line_spacing = 1.15

    def para(self, text: str = "", *, bold: bool = False, italic: bool = False, size: int | None = None, align=None, indent: bool = True, container=None) -> Paragraph:
        p = (container or self.doc).add_paragraph()
        if align is not None:
            p.alignment = align
        elif indent:
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            p.paragraph_format.first_line_indent = Cm(1)
        if text:
            _run(p, text, bold=bold, italic=italic, size=size)
        return p

    def heading(self, text: str) -> Paragraph:
        p = self.para(text, bold=True)
        p.paragraph_format.space_before = Pt(6)
        p.paragraph_format.keep_with_next = True
        return p

    def placeholder(self, what: str) -> Paragraph:
        return self.para(PLACEHOLDER.format(what=what), italic=True)

    def table(self, headers: list[str], rows: list[list[str]], widths: list[float]) -> Table:
        t = self.doc.add_table(rows=1, cols=len(headers))
        t.style = self.doc.styles["Table Grid"]
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for c, h in enumerate(headers):
            cell = t.rows[0].cells[c]
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(p, h, bold=True, size=12)
        for values in rows:
            cells = t.add_row().cells
            for c, v in enumerate(values):
                p = cells[c].paragraphs[0]
                p.alignment = WD_ALIGN_PARAGRAPH.LEFT if c == 1 else WD_ALIGN_PARAGRAPH.CENTER
                _run(p, v, size=12)
        _widths(t, widths)
        self.para("", indent=False).paragraph_format.space_after = Pt(0)
        return t


def _widths(t: Table, widths: list[float] | tuple[float, ...]) -> None:
    """Word reads the cells' widths, LibreOffice the grid's: set both."""
    t.autofit = False
    for c, w in enumerate(widths):
        t.columns[c].width = Cm(w)
    for row in t.rows:
        for c, w in enumerate(widths):
            row.cells[c].width = Cm(w)


def _num(d: Decimal | int | None) -> str:
    return fmt_number(d) if d is not None else "—"


# ---------------------------------------------------------------------------------------------------


def write_report_docx(config: Config, data: ReportData, path: Path) -> None:
    d = _Doc()
    _header(d, config, data)
    _title(d, config, data)
    _section_1(d, config, data)
    _section_2(d, config, data)
    _section_3(d, config, data)
    _section_4(d, config, data)
    _footer(d, config)
    props = d.doc.core_properties
    props.author = "ccht-batch"
    props.last_modified_by = "ccht-batch"
    props.title = f"Báo cáo kết quả phong trào thi đua {data.title_scope}"
    props.subject = config.criteria.movement.name
    props.comments = ""
    props.keywords = ""
    props.category = ""
    props.revision = 1
    props.created = FIXED_CREATED
    props.modified = FIXED_CREATED
    props.last_printed = FIXED_CREATED
    buf = io.BytesIO()
    d.doc.save(buf)
    Path(path).write_bytes(_fixed_zip(buf.getvalue()))


def _fixed_zip(blob: bytes) -> bytes:
    """The same package with every entry dated 1980-01-01, so the bytes do not depend on the clock."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def _borderless(d: _Doc, rows: int, widths: tuple[float, float], outdent_cm: float = 0.0) -> Table:
    """A two-column block without borders. ``outdent_cm`` lets it reach into the left margin, as official
    headers do, so "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and the agency name fit on one line each."""
    t = d.doc.add_table(rows=rows, cols=2)  # the default table style of the template has no borders
    if outdent_cm:
        indent = OxmlElement("w:tblInd")
        indent.set(qn("w:w"), str(int(-outdent_cm * 567)))  # twentieths of a point: 567 per cm
        indent.set(qn("w:type"), "dxa")
        t._tbl.tblPr.append(indent)
    else:
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(t, widths)
    return t


def _cell_lines(cell, lines: list[tuple[str, dict]]) -> None:
    first = True
    for text, style in lines:
        p = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        p.alignment = style.pop("align", WD_ALIGN_PARAGRAPH.CENTER)
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.first_line_indent = None
        if text:
            _run(p, text, **style)


def _header(d: _Doc, config: Config, data: ReportData) -> None:
    a = config.agency
    t = _borderless(d, 2, (7.4, 10.0), outdent_cm=1.0)
    _cell_lines(t.rows[0].cells[0], [(a.parent.upper(), {"size": 12}), (a.name.upper(), {"bold": True, "size": 12})])
    _cell_lines(t.rows[0].cells[1], [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", {"bold": True, "size": 12}), ("Độc lập - Tự do - Hạnh phúc", {"bold": True, "size": BODY_PT})])
    _cell_lines(t.rows[1].cells[0], [("", {}), (f"Số:      /BC-{a.short_name}", {"size": BODY_PT})])
    _cell_lines(t.rows[1].cells[1], [("", {}), (f"{a.place}, ngày .... tháng .... năm {data.year}", {"italic": True, "size": BODY_PT})])


def _title(d: _Doc, config: Config, data: ReportData) -> None:
    d.para("", indent=False)
    d.para("BÁO CÁO", bold=True, size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER).paragraph_format.space_after = Pt(0)
    movement = config.criteria.movement.name
    p = d.para(f"Kết quả thực hiện phong trào thi đua “{movement}”", bold=True, size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.space_after = Pt(0)
    scope = f"năm {data.year}" if data.milestone is None else f"({data.milestone.name})"
    d.para(scope, bold=True, size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER).paragraph_format.space_after = Pt(12)
    d.para(f"Thực hiện Kế hoạch phát động phong trào thi đua “{movement}”, {config.agency.name} báo cáo {_what(data)} như sau:")


def _what(data: ReportData) -> str:
    """What is reported, inside a sentence: "kết quả thực hiện phong trào năm 2025", "tổng kết phong trào ..."."""
    if data.milestone is None:
        return f"kết quả thực hiện phong trào năm {data.year}"
    name = data.milestone.name
    return name[:1].lower() + name[1:]


def _section_1(d: _Doc, config: Config, data: ReportData) -> None:
    c = config.criteria
    d.heading("I. TÌNH HÌNH TRIỂN KHAI THỰC HIỆN")
    d.para(
        f"Phong trào được triển khai tại {len(config.units)} phòng, đơn vị thuộc {config.agency.name}. Hằng tháng, các đơn vị tự chấm "
        f"điểm theo bộ tiêu chí gồm {len(c.fields)} lĩnh vực, {len(c.criteria)} tiêu chí (tổng {fmt_number(c.total_max)} điểm, "
        f"điểm thưởng tối đa {fmt_number(c.bonus_cap)} điểm); Văn phòng Sở tổng hợp, thẩm định, xếp loại và theo dõi tiến độ."
    )
    for y in data.years:
        d.para(f"Số liệu năm {y}: {data.sources[y].text.lower()}.")
    d.placeholder("công tác quán triệt, tuyên truyền, hướng dẫn; các văn bản chỉ đạo đã ban hành; nội dung thi đua trọng tâm của năm")
    if data.missing:
        d.para("Lưu ý về số liệu (xóa trước khi trình ký):", italic=True, bold=True)
        for text in data.missing:
            d.para(f"- {text}", italic=True)


def _unit_summary(data: ReportData, year: int) -> str:
    have = data.units_with_result(year)
    if not have:
        return f"Năm {year}: chưa có kết quả của đơn vị nào."
    results = [u.years[year].result for u in have]
    avg = sum(results, Decimal(0)) / len(results)  # type: ignore[arg-type]
    best = max(have, key=lambda u: u.years[year].result)  # type: ignore[arg-type,return-value]
    worst = min(have, key=lambda u: u.years[year].result)  # type: ignore[arg-type,return-value]
    return (
        f"Năm {year}: {len(have)}/{len(data.units)} đơn vị có kết quả; điểm kết quả bình quân {fmt_number(avg.quantize(Decimal('0.01')))}; "
        f"cao nhất {best.name} ({fmt_number(best.years[year].result)} điểm); thấp nhất {worst.name} ({fmt_number(worst.years[year].result)} điểm)."
    )


def _section_2(d: _Doc, config: Config, data: ReportData) -> None:
    d.heading("II. KẾT QUẢ THỰC HIỆN")
    d.heading("1. Kết quả chấm điểm, xếp loại các đơn vị")
    for y in data.years:
        d.para(_unit_summary(data, y))
    if data.milestone is None:
        y = data.year
        cmp_ = data.compare_year
        headers = ["STT", "Đơn vị", "Tổng điểm", "Kết quả", "Xếp loại", "Hạng"] + ([f"So với năm {cmp_}"] if cmp_ else [])
        rows = []
        for i, u in enumerate(data.units, start=1):
            uy = u.years.get(y)
            row = [str(i), u.name, _num(uy.total if uy else None), _num(uy.result if uy else None), (uy.band if uy else None) or "—", _num(uy.rank if uy else None)]
            if cmp_:
                row.append(u.trend if u.change is not None else "—")
            rows.append(row)
        widths = [1.2, 5.0, 2.0, 2.0, 2.2, 1.4] + ([2.2] if cmp_ else [])
        d.table(headers, rows, widths)
    else:
        headers = ["STT", "Đơn vị"] + [f"Năm {y}" for y in data.years] + ["Xu hướng"]
        rows = []
        for i, u in enumerate(data.units, start=1):
            row = [str(i), u.name]
            for y in data.years:
                uy = u.years.get(y)
                row.append(f"{_num(uy.result)} ({uy.band})" if uy and uy.result is not None and uy.band else _num(uy.result if uy else None))
            row.append(u.trend)
            rows.append(row)
        span = 9.0 / max(len(data.years), 1)
        d.table(headers, rows, [1.2, 4.0] + [span] * len(data.years) + [1.8])

    d.heading("2. Số đơn vị theo xếp loại")
    for y in data.years:
        counts = data.band_counts[y]
        parts = [f"{name}: {n}" for name, n in counts.items() if name != NO_RESULT]
        tail = f"; chưa có kết quả: {counts.get(NO_RESULT, 0)}" if counts.get(NO_RESULT) else ""
        d.para(f"Năm {y}: " + "; ".join(parts) + tail + ".")

    d.heading("3. Kết quả xếp loại cá nhân")
    for y in data.years:
        counts = data.ratings.get(y, {})
        if not counts:
            d.para(f"Năm {y}: chưa có số liệu xếp loại cá nhân.")
            continue
        parts = [f"{text}: {counts.get(code, 0)}" for code, text in vocab.RATINGS.items()]
        d.para(f"Năm {y} ({sum(counts.values())} người): " + "; ".join(parts) + ".")

    d.heading("4. Sáng kiến, giải pháp được công nhận")
    if not data.initiatives:
        d.para("Chưa có sáng kiến, giải pháp được công nhận (có số, ngày quyết định và cấp công nhận) trong phạm vi báo cáo.")
    else:
        by_level: dict[str, int] = {}
        for s in data.initiatives:
            by_level[s.level] = by_level.get(s.level, 0) + 1
        levels = "; ".join(f"cấp {lv.lower()}: {n}" for lv, n in by_level.items())
        d.para(f"Tổng số {len(data.initiatives)} sáng kiến, giải pháp được công nhận ({levels}).")
        if len(data.initiatives) <= MAX_LISTED:
            rows = [[str(i), f"{s.title} ({s.name}, {s.unit_code})", str(s.year), f"{s.decision}" + (f" ngày {s.decision_date}" if s.decision_date else ""), s.level] for i, s in enumerate(data.initiatives, start=1)]
            d.table(["STT", "Sáng kiến (tác giả, đơn vị)", "Năm", "Quyết định công nhận", "Cấp"], rows, [1.2, 6.8, 1.4, 4.4, 2.2])
        else:
            d.para("Danh sách chi tiết tại trang tính “Sáng kiến” của tệp Excel kèm theo.")


def _section_3(d: _Doc, config: Config, data: ReportData) -> None:
    d.heading("III. CÔNG TÁC KHEN THƯỞNG")
    d.heading("1. Đề nghị khen thưởng")
    if data.proposed_from is None:
        d.para("Chưa có danh sách đề nghị khen thưởng.")
    elif not data.proposed:
        d.para(f"Theo {data.proposed_from}: chưa có tập thể, cá nhân nào đủ điều kiện đề nghị khen thưởng.")
    else:
        d.para(f"Theo {data.proposed_from}, đề nghị khen thưởng:")
        names = [a.name for a in config.criteria.awards]
        grouped: dict[str, list] = {}
        for p in data.proposed:
            grouped.setdefault(p.award_name, []).append(p)
        for award in sorted(grouped, key=lambda n: names.index(n) if n in names else 99):
            items = grouped[award]
            coll = [p for p in items if p.kind == "collective"]
            ind = [p for p in items if p.kind != "collective"]
            counts = ", ".join(x for x in (f"{len(coll)} tập thể" if coll else "", f"{len(ind)} cá nhân" if ind else "") if x)
            listed = "; ".join(f"{p.name}" + (f" ({p.unit_code})" if p.kind != "collective" else "") for p in items[:MAX_LISTED])
            d.para(f"- {award}: {counts} — {listed}" + ("; ..." if len(items) > MAX_LISTED else "") + ".")
    d.heading("2. Khen thưởng đã nhận")
    if not data.given:
        d.para("Chưa có dữ liệu khen thưởng đã nhận trong phạm vi báo cáo (nhập qua tệp lịch sử).")
    else:
        for g in data.given[:MAX_LISTED]:
            dec = f" (Quyết định số {g.decision}" + (f" ngày {g.decision_date}" if g.decision_date else "") + (f" của {g.issuer}" if g.issuer else "") + ")" if g.decision else ""
            d.para(f"- Năm {g.year}: {g.award_name} tặng {KIND_TEXT.get(g.kind, g.kind).lower()} {g.name}{dec}.")
        if len(data.given) > MAX_LISTED:
            d.para("Danh sách đầy đủ tại trang tính “Khen thưởng” của tệp Excel kèm theo.")


def _section_4(d: _Doc, config: Config, data: ReportData) -> None:
    d.heading("IV. ĐÁNH GIÁ CHUNG VÀ PHƯƠNG HƯỚNG")
    d.heading("1. Ưu điểm")
    d.placeholder("những kết quả nổi bật, mô hình, cách làm hay")
    d.heading("2. Tồn tại, hạn chế và nguyên nhân")
    d.placeholder("những mặt còn hạn chế và nguyên nhân")
    d.heading("3. Phương hướng, nhiệm vụ thời gian tới")
    d.placeholder("nhiệm vụ, giải pháp tiếp tục đẩy mạnh phong trào")
    d.heading("4. Đề xuất, kiến nghị")
    d.placeholder("kiến nghị với UBND tỉnh, Sở Nội vụ (nếu có)")
    d.para(f"Trên đây là báo cáo {_what(data)} của {config.agency.name}./.")


def _footer(d: _Doc, config: Config) -> None:
    a = config.agency
    t = _borderless(d, 1, (8.0, 8.0))
    left = [("Nơi nhận:", {"bold": True, "italic": True, "size": 12, "align": WD_ALIGN_PARAGRAPH.LEFT})]
    left += [(f"- {line}", {"size": SMALL_PT, "align": WD_ALIGN_PARAGRAPH.LEFT}) for line in a.distribution]
    _cell_lines(t.rows[0].cells[0], left)
    right = [(line, {"bold": True, "size": BODY_PT}) for line in a.signer.title_lines]
    right += [("", {}), ("", {}), ("", {}), (a.signer.name, {"bold": True, "size": BODY_PT})]
    _cell_lines(t.rows[0].cells[1], right)
