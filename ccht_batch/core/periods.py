"""Periods (``YYYY-MM``) and years, as the CLI and the store use them."""

from __future__ import annotations

import datetime as dt
import re

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_period(text: str) -> str:
    """``2025-11`` → ``2025-11``; ValueError with a Vietnamese message otherwise."""
    text = (text or "").strip()
    if not _PERIOD.match(text):
        raise ValueError(f"kỳ '{text}' không hợp lệ: cần dạng YYYY-MM, ví dụ 2025-11")
    return text


def period_year(period: str) -> int:
    return int(period[:4])


def period_month(period: str) -> int:
    return int(period[5:7])


def current_period(today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    return f"{today.year:04d}-{today.month:02d}"


def current_year(today: dt.date | None = None) -> int:
    return (today or dt.date.today()).year


def next_period(period: str) -> str:
    y, m = period_year(period), period_month(period)
    return f"{y + 1:04d}-01" if m == 12 else f"{y:04d}-{m + 1:02d}"


def period_text(period: str) -> str:
    """``2025-11`` → ``tháng 11/2025``."""
    return f"tháng {period_month(period)}/{period_year(period)}"


def clock_text(stamp: str | None) -> str:
    """A recorded time (ISO; with a zone it is turned to the local clock) as the clerk reads it:
    ``14:05 ngày 05/12/2026``; the text itself when it is not a time."""
    try:
        moment = dt.datetime.fromisoformat(stamp or "")
    except ValueError:
        return stamp or "?"
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%H:%M ngày %d/%m/%Y")
