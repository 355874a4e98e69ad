"""The facts of Decree 30/2020/NĐ-CP, Phụ lục I, that every signable output shares, and the text they need.

Sizes are points, margins millimetres. Where the decree gives a range, one value is chosen and used
everywhere (the lists, the report, the dossier's documents), so a clerk never sees two looks:

- Times New Roman, black, A4; margins top and bottom 20–25 mm, left 30–35, right 15–20 (here 20/20/30/15).
- Quốc hiệu in capitals 12–13, bold; Tiêu ngữ 13–14 (one point more), bold, with a solid line beneath as
  long as the text. The superior body in capitals, same size, regular; the issuing body in capitals, bold,
  with a line beneath of 1/3 to 1/2 of its length, centred.
- Number and symbol 13, regular; place and date 13–14, italic; the document's name 13–14 bold capitals; the
  trích yếu 13–14 bold with a line beneath of 1/3 to 1/2 of its length.
- Body 13–14; "Nơi nhận:" 12 bold italic, its lines 11; the signer's title and name 13–14 bold.
- Page numbers: Arabic numerals 13–14, centred in the top margin, from the second page (each document
  — each printed list — counted on its own).

Text widths (to size the rules) come from the Times metrics below: the advance of each character in
thousandths of an em, regular and bold (those of Times New Roman; Vietnamese letters take their base
letter's width, their marks take none).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

FONT = "Times New Roman"
LANGUAGE = "vi-VN"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DRAFT = "DỰ THẢO"

NATION_PT = 12
MOTTO_PT = 13  # the Quốc hiệu's size plus one
AGENCY_PT = 12  # the same size as the Quốc hiệu
NUMBER_PT = 13
DATE_PT = 13
NAME_PT = 14  # the document's name: TỜ TRÌNH, QUYẾT ĐỊNH, BÁO CÁO, DANH SÁCH ...
SUBJECT_PT = 14  # the trích yếu
BODY_PT = 13
TABLE_PT = 12
RECEIVERS_HEAD_PT = 12
RECEIVERS_PT = 11
SIGNER_PT = 13
PAGE_NUMBER_PT = 13

RULE_SHARE = 0.4  # a line under the issuing body or the trích yếu: between 1/3 and 1/2 of the text


@dataclass(frozen=True)
class Margins:
    top: float
    bottom: float
    left: float
    right: float


MARGINS_MM = Margins(top=20, bottom=20, left=30, right=15)
MARGIN_RANGES_MM = {"top": (20, 25), "bottom": (20, 25), "left": (30, 35), "right": (15, 20)}

# ---------------------------------------------------------------------------------------------------
# Widths

_ASCII = "".join(chr(c) for c in range(32, 127)) + "đĐơƠưƯ“”–"
_REGULAR = (
    "250 333 408 500 500 833 778 180 333 333 500 564 250 333 250 278 500 500 500 500 500 500 500 500 500 500 278 278 "
    "564 564 564 444 921 722 667 667 722 611 556 722 722 333 389 722 611 889 722 722 556 722 667 556 611 722 722 944 "
    "722 722 611 333 278 333 469 500 333 444 500 444 500 444 333 500 500 278 278 500 278 778 500 500 500 500 333 389 "
    "278 500 500 722 500 500 444 480 200 480 541 500 722 529 722 542 776 444 444 500"
)
_BOLD = (
    "250 333 555 500 500 1000 833 278 333 333 500 570 250 333 250 278 500 500 500 500 500 500 500 500 500 500 333 333 "
    "570 570 570 500 930 722 667 722 722 667 611 778 778 389 500 778 667 944 722 778 611 778 722 556 667 722 722 1000 "
    "722 722 667 333 278 333 581 500 333 500 556 444 556 444 333 500 556 278 333 556 278 833 556 500 556 556 444 389 "
    "333 556 500 722 500 500 444 394 220 394 520 556 722 554 778 600 796 500 500 500"
)
_WIDTHS = {
    False: dict(zip(_ASCII, (int(w) for w in _REGULAR.split()))),
    True: dict(zip(_ASCII, (int(w) for w in _BOLD.split()))),
}


def text_width_pt(text: str, size: float, bold: bool = False) -> float:
    """The printed width of one line of ``text`` in points."""
    table = _WIDTHS[bold]
    total = 0
    for ch in unicodedata.normalize("NFC", text):
        w = table.get(ch)
        if w is None:
            base = unicodedata.normalize("NFD", ch)[:1]
            w = 0 if unicodedata.combining(ch) else table.get(base, 556 if bold else 500)
        total += w
    return total * size / 1000


def rule_width_pt(text: str, size: float, bold: bool = True, whole: bool = False) -> float:
    """The length of the line under ``text``: its whole width (the Tiêu ngữ) or ``RULE_SHARE`` of it."""
    width = text_width_pt(text, size, bold)
    return width if whole else width * RULE_SHARE


# ---------------------------------------------------------------------------------------------------
# Lines of text


def date_line(place: str, year: int) -> str:
    """The place and date, left for the signer to complete (no clock in any output)."""
    return f"{place}, ngày .... tháng .... năm {year}"


def number_line(symbol: str) -> str:
    """``Số:      /TTr-SKHCN``: the number is given by the registry when the document is issued."""
    return f"Số:      /{symbol}" if symbol else "Số:      /"


def decree_date(d: dt.date) -> str:
    """A date as Decree 30 writes it: a leading zero for days below 10 and for January and February
    (``05/02/2025``, ``20/6/2025``, ``01/9/2021``)."""
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"{d.day:02d}/{month}/{d.year}"


_DATE_IN_TEXT = re.compile(r"(?:\bngày\s*)?(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})", re.IGNORECASE)
_DECISION_WORD = re.compile(r"^\s*(?:quyết định|qđ)?\s*(?:số)?\s*[:.]?\s*", re.IGNORECASE)


def split_decision(text: str) -> tuple[str, dt.date | None]:
    """A decision as people type it — ``Quyết định số 45/QĐ-SKHCN ngày 20/6/2025``, ``45/QĐ-SKHCN``,
    ``Số 12/QĐ-SKHCN ngày 01/03/2025`` — as its number and its date (None when no date is written)."""
    text = unicodedata.normalize("NFC", text or "").strip()
    found = _DATE_IN_TEXT.search(text)
    date = None
    if found:
        day, month, year = (int(g) for g in found.groups())
        try:
            date = dt.date(year, month, day)
        except ValueError:
            date = None
        if date is not None:
            text = (text[: found.start()] + text[found.end():]).strip(" ,;")
    number = _DECISION_WORD.sub("", text, count=1).strip(" ,;")
    return number, date


def decision_text(number: str, date: dt.date | None = None) -> str:
    """``Quyết định số 45/QĐ-SKHCN ngày 20/6/2025``: the number and the date, each written once, whether
    the stored number carries the date too or not."""
    own_number, own_date = split_decision(number)
    date = date or own_date
    if not own_number and date is None:
        return ""
    text = f"Quyết định số {own_number}" if own_number else "Quyết định"
    return text + (f" ngày {decree_date(date)}" if date else "")
