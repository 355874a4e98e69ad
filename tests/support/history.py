"""Shared helpers for the history, close-year and report tests (no tests here).

They build real things: a working folder from the shipped config, a history workbook filled the way the
Office fills it (our template, opened and saved by another program), and the rows the monthly batch
leaves in the store (runs, files, submissions, period_results, nominations), inserted with SQL because
the batch is written in parallel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

from ccht_batch.config.load import load_config
from ccht_batch.config.model import Config
from ccht_batch.config.workdir import init_workdir
from ccht_batch.core.records import (
    AwardRecord,
    PersonEntry,
    PersonYear,
    Submission,
    UnitYear,
)
from ccht_batch.history.workbook import HEADER_ROW, HEADERS, build_history_template
from ccht_batch.store.db import Store, dumps
from support.cli import run_in as run_cli  # noqa: F401  (re-exported for the history tests)


def make_workdir(tmp_path: Path) -> tuple[Path, Config]:
    wd = tmp_path / "wd"
    init_workdir(wd)
    return wd, load_config(wd)


def fill_history(config: Config, path: Path, sheets: dict[str, list[dict[str, Any]]]) -> Path:
    """Our history template with ``sheets`` typed in (rows as {column title: value}), saved by openpyxl."""
    blank = path.with_name("blank_" + path.name)
    build_history_template(config, blank)
    wb = openpyxl.load_workbook(blank)
    for sheet, rows in sheets.items():
        ws = wb[sheet]
        col = {ws.cell(HEADER_ROW + 1, c).value: c for c in range(1, ws.max_column + 1)}
        assert set(HEADERS[sheet]) <= set(col), (sheet, col)
        for i, row in enumerate(rows):
            for title, value in row.items():
                ws.cell(HEADER_ROW + 2 + i, col[title]).value = value
    wb.save(path)
    return path


def person_row(year: int, unit: str, name: str, birth: int | None, rating: str, title: str | None = None, decision: str = "", date: Any = None) -> dict[str, Any]:
    row = {"Năm": year, "Mã đơn vị": unit, "Họ và tên": name, "Năm sinh": birth, "Xếp loại": rating, "Danh hiệu": title}
    if decision:
        row.update({"Số quyết định": decision, "Ngày quyết định": date})
    return row


def initiative_row(year: int, unit: str, name: str, birth: int | None, title: str, decision: str = "", date: Any = None, level: str | None = None) -> dict[str, Any]:
    return {"Năm": year, "Mã đơn vị": unit, "Họ và tên": name, "Năm sinh": birth, "Tên sáng kiến": title, "Số quyết định": decision, "Ngày quyết định": date, "Cấp công nhận": level}


def unit_row(year: int, unit: str, total: Any, result: Any, band: str | None = None, rank: int | None = None, title: str | None = None) -> dict[str, Any]:
    return {"Năm": year, "Mã đơn vị": unit, "Tổng điểm": total, "Kết quả": result, "Xếp loại": band, "Hạng": rank, "Danh hiệu tập thể": title}


def award_row(year: int, subject: str, unit: str, award: str, name: str | None = None, birth: int | None = None, decision: str = "", date: Any = None, issuer: str = "") -> dict[str, Any]:
    return {"Năm": year, "Đối tượng": subject, "Mã đơn vị": unit, "Họ và tên": name, "Năm sinh": birth, "Hình thức": award, "Số quyết định": decision, "Ngày quyết định": date, "Cơ quan ban hành": issuer}


HTXSNV = "Hoàn thành xuất sắc nhiệm vụ"
HTTNV = "Hoàn thành tốt nhiệm vụ"
CSTDCS = "Chiến sĩ thi đua cơ sở"
BK_UBND = "Bằng khen của Chủ tịch UBND tỉnh"


def four_year_history() -> dict[str, list[dict[str, Any]]]:
    """2022–2025 as the Office would type it (the final review covers 2022–2025).

    - Trần Thị Lan (QLKH, 1985): HTXSNV 2024 and 2025, one base-level initiative in each of those years.
    - Lê Văn Hùng (KHTC, 1979): HTXSNV 2022, 2023 and 2025 — 2024 is missing.
    - Phạm Minh Đức (VP, 1980): HTXSNV every year, already holds the provincial Certificate (2023).
    - Ngô Thu Trang (1990): QLKH until 2023, CDS from 2024.
    - Unit VP: "Xuất sắc" in every year 2022–2025, provincial Certificate in 2023; QLKH only 2024.
    """
    return {
        "Cá nhân theo năm": [
            person_row(2022, "QLKH", "Trần Thị Lan", 1985, HTTNV),
            person_row(2023, "QLKH", "Trần Thị Lan", 1985, HTTNV, "Lao động tiên tiến"),
            person_row(2024, "QLKH", "Trần Thị Lan", 1985, HTXSNV, CSTDCS),
            person_row(2025, "QLKH", "Trần Thị Lan", 1985, HTXSNV),
            person_row(2022, "KHTC", "Lê Văn Hùng", 1979, HTXSNV),
            person_row(2023, "KHTC", "Lê Văn Hùng", 1979, HTXSNV),
            person_row(2025, "KHTC", "Lê Văn Hùng", 1979, HTXSNV),
            person_row(2022, "VP", "Phạm Minh Đức", 1980, HTXSNV),
            person_row(2023, "VP", "Phạm Minh Đức", 1980, HTXSNV, CSTDCS, decision="172/QĐ-SKHCN", date="28/12/2023"),
            person_row(2024, "VP", "Phạm Minh Đức", 1980, HTXSNV, CSTDCS),
            person_row(2025, "VP", "Phạm Minh Đức", 1980, HTXSNV),
            person_row(2022, "QLKH", "Ngô Thu Trang", 1990, HTXSNV),
            person_row(2023, "QLKH", "Ngô Thu Trang", 1990, HTXSNV),
            person_row(2024, "CDS", "Ngô Thu Trang", 1990, HTXSNV),
        ],
        "Sáng kiến": [
            initiative_row(2024, "QLKH", "Trần Thị Lan", 1985, "Số hóa hồ sơ đề tài khoa học", "15/QĐ-SKHCN", dt.date(2024, 11, 20), "Cơ sở"),
            initiative_row(2025, "QLKH", "Trần Thị Lan", 1985, "Phần mềm theo dõi nhiệm vụ KH&CN", "42/QĐ-SKHCN", "05/12/2025", "Cơ sở"),
            initiative_row(2023, "QLKH", "Ngô Thu Trang", 1990, "Quy trình tiếp nhận hồ sơ trực tuyến", "30/QĐ-SKHCN", dt.date(2023, 10, 2), "Cơ sở"),
        ],
        "Khen thưởng": [
            award_row(2023, "Cá nhân", "VP", BK_UBND, "Phạm Minh Đức", 1980, "2150/QĐ-UBND", dt.date(2023, 12, 28), "UBND tỉnh Đắk Nông"),
            award_row(2023, "Tập thể", "VP", BK_UBND, decision="2151/QĐ-UBND", date="28/12/2023", issuer="UBND tỉnh Đắk Nông"),
            award_row(2022, "Tập thể", "TTRA", "Giấy khen của Giám đốc Sở", decision="88/QĐ-SKHCN", date="20/12/2022", issuer="Sở KH&CN"),
        ],
        "Đơn vị theo năm": [
            unit_row(2022, "VP", 90.5, 90.5, "Xuất sắc", 1),
            unit_row(2023, "VP", "91,25", "91,25", "Xuất sắc", 1),
            unit_row(2024, "VP", 93, 93, None, 1, "Tập thể lao động xuất sắc"),
            unit_row(2025, "VP", 95.75, 95.75, "Xuất sắc", 1),
            unit_row(2024, "QLKH", 82, 82, "Tốt", 2),
        ],
        "Chuyển đơn vị": [
            {"Họ và tên": "Ngô Thu Trang", "Năm sinh": 1990, "Từ đơn vị": "QLKH", "Đến đơn vị": "CDS", "Năm": 2024},
        ],
    }


# ---------------------------------------------------------------------------------------------------
# What the monthly batch leaves in the store


def person(row: int, name: str, birth: int | None, rating: str | None, initiative: str = "", decision: str = "", level: str | None = None, valid: bool = True) -> PersonEntry:
    return PersonEntry(row=row, name=name, birth_year=birth, rating=rating, initiative=initiative, decision=decision, level=level, valid=valid)


def seed_result(
    store: Store,
    period: str,
    unit: str,
    *,
    status: str = "submitted",
    total: str | None = None,
    result: str | None = None,
    band: str | None = None,
    rank: int | None = None,
    persons: list[PersonEntry] = (),  # type: ignore[assignment]
) -> int:
    """One unit's counted result for a period, with the submission it came from; returns the run id."""
    with store.transaction() as conn:
        run_id = conn.execute(
            "INSERT INTO runs (period, milestone, started_at, finished_at, status) VALUES (?, NULL, '2025-12-31T10:00:00', '2025-12-31T10:01:00', 'committed')",
            (period,),
        ).lastrowid
        year = int(period[:4])
        name = f"{unit}_{year}_{period}.xlsx"
        sub = Submission(unit_code=unit, year=year, file_name=name, sha256=f"{unit}{period}".ljust(64, "0"), persons=list(persons))
        file_id = conn.execute(
            "INSERT INTO files (run_id, period, name, sha256, size, mtime, status, kind, unit_code, year, issues_json) VALUES (?, ?, ?, ?, 1000, 0, 'accepted', 'template', ?, ?, '[]')",
            (run_id, period, name, sub.sha256, unit, year),
        ).lastrowid
        sub_id = conn.execute(
            "INSERT INTO submissions (file_id, unit_code, year, period, mtime, values_json) VALUES (?, ?, ?, ?, 0, ?)",
            (file_id, unit, year, period, dumps(sub.to_dict())),
        ).lastrowid
        conn.execute(
            "INSERT OR REPLACE INTO period_results (period, unit_code, run_id, status, total, result, band, rank, submission_id, criteria_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '[]')",
            (period, unit, run_id, status, total, result, band, rank, sub_id),
        )
    return int(run_id)


def seed_nominations(store: Store, period: str, milestone: str | None, rows: list[dict[str, Any]]) -> int:
    """A run's nominations: each row {award, kind, unit_code, name, eligible, selected, reasons}."""
    with store.transaction() as conn:
        run_id = conn.execute(
            "INSERT INTO runs (period, milestone, started_at, finished_at, status) VALUES (?, ?, '2025-12-31T10:00:00', '2025-12-31T10:01:00', 'committed')",
            (period, milestone),
        ).lastrowid
        for r in rows:
            conn.execute(
                "INSERT INTO nominations (run_id, period, milestone, award, kind, unit_code, name, person_key, eligible, selected, reasons_json, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')",
                (run_id, period, milestone, r["award"], r["kind"], r["unit_code"], r["name"], r.get("person_key"), r.get("eligible", 1), int(r.get("selected", True)), dumps(r.get("reasons", []))),
            )
    return int(run_id)


def dec(text: str) -> Decimal:
    return Decimal(text)


@dataclass
class MemoryHistory:
    """A ``HistoryView`` held in memory (tests, and the empty history of a first run)."""

    persons: dict[str, dict[int, PersonYear]] = field(default_factory=dict)
    person_award_list: dict[str, list[AwardRecord]] = field(default_factory=dict)
    units: dict[str, dict[int, UnitYear]] = field(default_factory=dict)
    unit_award_list: dict[str, list[AwardRecord]] = field(default_factory=dict)

    def person_years(self, person_key: str) -> dict[int, PersonYear]:
        return dict(self.persons.get(person_key, {}))

    def person_awards(self, person_key: str) -> list[AwardRecord]:
        return list(self.person_award_list.get(person_key, []))

    def unit_years(self, unit_code: str) -> dict[int, UnitYear]:
        return dict(self.units.get(unit_code, {}))

    def unit_awards(self, unit_code: str) -> list[AwardRecord]:
        return list(self.unit_award_list.get(unit_code, []))
