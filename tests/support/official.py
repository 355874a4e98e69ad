"""Reading the Decree 30 layout facts back from the files the program writes (ISSUE 13).

For a workbook, the facts are in the package's XML (openpyxl does not read drawn shapes): each sheet's
margins, paper, page-number header (``differentFirst``: none on the first page) and first page number,
and its drawn lines (the rules). For a Word document, python-docx gives the section, the header's PAGE
field, the language of every run and the paragraph borders of the rules. ``pdf_pages`` gives the text of
each page of a PDF (poppler's ``pdftotext``).
"""

from __future__ import annotations

import posixpath
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

import docx
from docx.oxml.ns import qn

from ccht_batch.official.text import MARGIN_RANGES_MM

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
}
EMU_PER_PT = 12700
PDFTOTEXT = shutil.which("pdftotext")


@dataclass
class Rule:
    row: int  # 0-based row the line is anchored in
    col: int
    length_pt: float


@dataclass
class SheetFacts:
    name: str
    margins_mm: dict[str, float]
    paper: str | None
    landscape: bool
    header: str
    different_first: bool
    first_page_number: str | None
    rules: list[Rule] = field(default_factory=list)


def _rels(z: zipfile.ZipFile, part: str) -> dict[str, str]:
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in z.namelist():
        return {}
    root = ET.fromstring(z.read(rels))
    return {r.get("Id"): posixpath.normpath(posixpath.join(folder, r.get("Target"))) for r in root.findall("rel:Relationship", NS)}


def xlsx_facts(path: Path) -> dict[str, SheetFacts]:
    out = {}
    with zipfile.ZipFile(path) as z:
        book = ET.fromstring(z.read("xl/workbook.xml"))
        targets = _rels(z, "xl/workbook.xml")
        for sheet in book.findall("m:sheets/m:sheet", NS):
            part = targets[sheet.get(f"{{{NS['r']}}}id")]
            root = ET.fromstring(z.read(part))
            m = root.find("m:pageMargins", NS)
            setup = root.find("m:pageSetup", NS)
            hf = root.find("m:headerFooter", NS)
            facts = SheetFacts(
                name=sheet.get("name"),
                margins_mm={k: float(m.get(k)) * 25.4 for k in ("top", "bottom", "left", "right")} if m is not None else {},
                paper=setup.get("paperSize") if setup is not None else None,
                landscape=setup is not None and setup.get("orientation") == "landscape",
                header=(hf.findtext("m:oddHeader", "", NS) if hf is not None else ""),
                different_first=hf is not None and hf.get("differentFirst") == "1",
                # the page numbers restart on this sheet (firstPageNumber defaults to 1)
                first_page_number=setup.get("firstPageNumber", "1") if setup is not None and setup.get("useFirstPageNumber") == "1" else None,
            )
            drawing = root.find("m:drawing", NS)
            if drawing is not None:
                dpart = _rels(z, part)[drawing.get(f"{{{NS['r']}}}id")]
                droot = ET.fromstring(z.read(dpart))
                for anchor in droot.findall("xdr:twoCellAnchor", NS):
                    ext = anchor.find(".//a:xfrm/a:ext", NS)
                    fill = anchor.find(".//xdr:spPr/a:solidFill/a:srgbClr", NS)
                    if ext is None or fill is None or fill.get("val") != "000000" or int(ext.get("cy")) > EMU_PER_PT:
                        continue  # not a line
                    frm = anchor.find("xdr:from", NS)
                    facts.rules.append(Rule(int(frm.findtext("xdr:row", "", NS)), int(frm.findtext("xdr:col", "", NS)), int(ext.get("cx")) / EMU_PER_PT))
            out[facts.name] = facts
    return out


def margins_in_range(margins_mm: dict[str, float]) -> bool:
    return all(lo <= margins_mm[k] <= hi for k, (lo, hi) in MARGIN_RANGES_MM.items())  # the decree's bounds, no tolerance


# ---------------------------------------------------------------------------------------------------
# Word


@dataclass
class DocxFacts:
    margins_mm: dict[str, float]
    a4: bool
    different_first: bool
    page_field: bool  # a PAGE field in the (non-first) header
    first_header_text: str
    languages: set[str]  # the w:lang of every run of text, of the defaults and styles
    runs_without_language: int
    rules_after: list[str]  # the text of the paragraph above each rule (a paragraph with a top border)
    texts: list[str]


def docx_facts(path: Path) -> DocxFacts:
    d = docx.Document(str(path))
    s = d.sections[0]
    header_xml = s.header._element.xml
    languages: set[str] = set()
    missing = 0
    body = d.element.body
    for r in body.iter(qn("w:r")):
        if not "".join(t.text or "" for t in r.iter(qn("w:t"))).strip():
            continue
        lang = r.find(qn("w:rPr") + "/" + qn("w:lang"))
        if lang is None:
            missing += 1
        else:
            languages.add(lang.get(qn("w:val")))
    defaults = d.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    languages.add(defaults.get(qn("w:val")))
    for style in d.styles.element.findall(qn("w:style")):
        lang = style.find(".//" + qn("w:lang"))
        if lang is not None:
            languages.add(lang.get(qn("w:val")))
    rules = []
    previous = ""
    for p in body.iter(qn("w:p")):
        text = "".join(t.text or "" for t in p.iter(qn("w:t")))
        if p.find(qn("w:pPr") + "/" + qn("w:pBdr") + "/" + qn("w:top")) is not None and not text:
            rules.append(previous)
        elif text:
            previous = text
    return DocxFacts(
        margins_mm={
            "top": s.top_margin.mm, "bottom": s.bottom_margin.mm, "left": s.left_margin.mm, "right": s.right_margin.mm,
        },
        a4=abs(s.page_width.mm - 210) < 1 and abs(s.page_height.mm - 297) < 1,
        different_first=s.different_first_page_header_footer,
        page_field="PAGE" in "".join(re.findall(r"<w:instrText[^>]*>([^<]*)</w:instrText>", header_xml)),
        first_header_text=s.first_page_header.paragraphs[0].text if s.first_page_header.paragraphs else "",
        languages=languages,
        runs_without_language=missing,
        rules_after=rules,
        texts=[p.text for p in d.paragraphs] + [c.text for t in d.tables for row in t.rows for c in row.cells],
    )


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page (``pdftotext -layout``; pages split at form feeds)."""
    assert PDFTOTEXT, "pdftotext (poppler-utils) is not installed"
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def first_line(page: str) -> str:
    return next((line.strip() for line in page.splitlines() if line.strip()), "")
