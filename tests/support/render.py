"""Reading a page LibreOffice rendered: where each word is, and where the cell borders run.

``pdftotext -bbox`` gives every word's box in points; ``pdftoppm -gray`` gives the page as pixels, in
which a cell border is a long run of dark pixels along one pixel row (no letter makes one). A word that
another word overlaps, or that a border crosses, is text a row was too short for: LibreOffice draws
wrapped text centred on its row and lets it spill over the neighbours.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

PDFTOTEXT = shutil.which("pdftotext")
PDFTOPPM = shutil.which("pdftoppm")
DPI = 150
LINE_MIN_PX = 150  # a dark run this long (1 inch) is a drawn line, not letters
_DARK_RUN = re.compile(rb"[\x00-\x7f]{%d,}" % LINE_MIN_PX)  # grey levels below half


@dataclass(frozen=True)
class Word:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def words(pdf: Path) -> list[Word]:
    """Every word of the document with its box in points, page by page (pages from 0)."""
    out = subprocess.run([PDFTOTEXT, "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    found = []
    for page, chunk in enumerate(out.split("<page ")[1:]):
        for x0, y0, x1, y1, text in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', chunk):
            found.append(Word(page, float(x0), float(y0), float(x1), float(y1), html.unescape(text)))
    return found


def overlapping(found: list[Word], share: float = 0.3) -> list[tuple[Word, Word]]:
    """Pairs of words drawn over each other: overlapping across, and over more than ``share`` of their
    height (the boxes of two lines of one paragraph overlap a little, by the font's ascent and descent)."""
    pairs = []
    by_page: dict[int, list[Word]] = {}
    for w in found:
        by_page.setdefault(w.page, []).append(w)
    for page in by_page.values():
        page.sort(key=lambda w: w.y0)
        for i, a in enumerate(page):
            for b in page[i + 1:]:
                if b.y0 >= a.y1:
                    break
                tall = share * min(a.y1 - a.y0, b.y1 - b.y0)
                if min(a.x1, b.x1) - max(a.x0, b.x0) > 1 and min(a.y1, b.y1) - max(a.y0, b.y0) > tall:
                    pairs.append((a, b))
    return pairs


def _pgm(path: Path) -> tuple[int, int, bytes]:
    data = path.read_bytes()
    head = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert head, path
    width, height = int(head.group(1)), int(head.group(2))
    return width, height, data[head.end():head.end() + width * height]


def horizontal_lines(pdf: Path, workdir: Path) -> dict[int, list[tuple[float, float, float]]]:
    """Per page (from 0), the horizontal lines drawn on it: (y, x from, x to) in points."""
    workdir.mkdir(parents=True, exist_ok=True)
    subprocess.run([PDFTOPPM, "-gray", "-r", str(DPI), str(pdf), str(workdir / "page")], check=True, capture_output=True)
    scale = 72 / DPI
    lines: dict[int, list[tuple[float, float, float]]] = {}
    for page, path in enumerate(sorted(workdir.glob("page*.pgm"), key=lambda p: int(re.findall(r"\d+", p.stem)[-1]))):
        width, height, pixels = _pgm(path)
        found = lines.setdefault(page, [])
        for y in range(height):
            row = pixels[y * width:(y + 1) * width]
            for run in _DARK_RUN.finditer(row):
                found.append((y * scale, run.start() * scale, run.end() * scale))
    return lines


def crossed_by_lines(found: list[Word], lines: dict[int, list[tuple[float, float, float]]], margin: float = 0.25) -> list[tuple[Word, float]]:
    """Words a horizontal line runs through (inside the middle of the word's box, ``margin`` of its height
    off each edge): text that spilled across a cell border."""
    crossed = []
    for w in found:
        inset = (w.y1 - w.y0) * margin
        for y, x0, x1 in lines.get(w.page, []):
            if w.y0 + inset < y < w.y1 - inset and min(x1, w.x1) - max(x0, w.x0) > 1:
                crossed.append((w, y))
                break
    return crossed
