"""Importing past years from the history workbook: the years the award rules look back on.

Importing is all or nothing: the workbook is read and checked in full first, and only a file without a
single problem is written, in one transaction. An import replaces the records of the same person (or unit)
and year that it contains, keeping the previous version in the store, so importing the same file twice
changes nothing and a corrected file supersedes the first one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ccht_batch.config.model import Config
from ccht_batch.core.issues import Issue
from ccht_batch.core.records import (
    DECIDED,
    SELF_DECLARED,
    InitiativeRecord,
    UnitYear,
    person_key,
)
from ccht_batch.history.workbook import (
    HistoryRows,
    read_history_workbook,
)
from ccht_batch.store.db import Store, loads
from ccht_batch.store.history import (
    award_recorded,
    current_initiatives,
    current_person_year,
    current_unit_year,
    ensure_person,
    move_recorded,
    person_known,
    record_move,
    replace_award,
    replace_initiatives,
    write_person_year,
    write_unit_year,
)


@dataclass
class ImportResult:
    """What an import did: ``issues`` non-empty means nothing was written."""

    file: str
    issues: list[Issue] = field(default_factory=list)
    written: dict[str, int] = field(default_factory=dict)  # what → rows written
    unchanged: int = 0

    @property
    def refused(self) -> bool:
        return bool(self.issues)


# ---------------------------------------------------------------------------------------------------
# Import


def import_history(config: Config, store: Store, path: Path) -> ImportResult:
    """Check the whole workbook, then write all of it in one transaction, or nothing."""
    rows, found = read_history_workbook(config, path)
    result = ImportResult(file=Path(path).name, issues=found)
    if found:
        return result
    source = f"import:{Path(path).name}"
    with store.transaction() as conn:
        _write_rows(conn, rows, source, result)
    return result


def _write_rows(conn, rows: HistoryRows, source: str, result: ImportResult) -> None:
    def count(what: str) -> None:
        result.written[what] = result.written.get(what, 0) + 1

    # Moves first: they create both keys of a person, so the years below attach to existing rows.
    for m in rows.moves:
        to_key = person_key(m.name, m.birth_year, m.to_unit)
        if move_recorded(conn, to_key, m.from_unit, m.to_unit, m.year) and person_known(conn, person_key(m.name, m.birth_year, m.from_unit)):
            result.unchanged += 1
            continue
        record_move(conn, m.name, m.birth_year, m.from_unit, m.to_unit, m.year, source)
        count("moves")
    for py in rows.person_years:
        pid = ensure_person(conn, py.person.name, py.person.birth_year, py.person.unit_code)
        cur = current_person_year(conn, pid, py.year)
        rating_source = DECIDED if py.decision else SELF_DECLARED
        date = py.decision_date.isoformat() if py.decision_date else None
        if (
            cur is not None
            and (cur["rating"], set(loads(cur["titles_json"]) or ()), cur["unit_code"]) == (py.rating, set(py.titles), py.person.unit_code)
            and (cur["rating_source"], cur["decision"], cur["decision_date"]) == (rating_source, py.decision, date)
        ):
            result.unchanged += 1
            continue
        write_person_year(conn, pid, py.year, py.person.unit_code, py.rating, py.titles, source, rating_source, py.decision, py.decision_date)
        count("person_years")
    grouped: dict[tuple[str, int], list] = {}
    for ini in rows.initiatives:
        grouped.setdefault((ini.person.key, ini.year), []).append(ini)
    for (_, year), items in grouped.items():
        p = items[0].person
        pid = ensure_person(conn, p.name, p.birth_year, p.unit_code)
        new = [(i.record, source) for i in items]
        old = current_initiatives(conn, pid, year)
        if sorted(_initiative_tuple(r) for r, _ in new) == sorted(_row_initiative_tuple(r) for r in old):
            result.unchanged += len(items)
            continue
        replace_initiatives(conn, pid, year, new)
        result.written["initiatives"] = result.written.get("initiatives", 0) + len(items)
    for aw in rows.awards:
        pid = ensure_person(conn, aw.person.name, aw.person.birth_year, aw.person.unit_code) if aw.person else None
        rec = aw.record
        if award_recorded(conn, aw.kind, aw.unit_code, pid, rec):
            result.unchanged += 1
            continue
        replace_award(conn, aw.kind, aw.unit_code, pid, rec, source)
        count("awards")
    for uy in rows.unit_years:
        cur = current_unit_year(conn, uy.unit_code, uy.year)
        if cur is not None and _unit_year_tuple(cur) == _uy_tuple(uy):
            result.unchanged += 1
            continue
        write_unit_year(conn, uy, source)
        count("unit_years")


def _initiative_tuple(r: InitiativeRecord) -> tuple:
    return (r.title, r.decision, r.decision_date.isoformat() if r.decision_date else None, r.level, r.kind)


def _row_initiative_tuple(r) -> tuple:
    return (r["title"], r["decision"], r["decision_date"], r["level"], r["kind"])


def _uy_tuple(uy: UnitYear) -> tuple:
    return (
        None if uy.total is None else str(uy.total),
        None if uy.result is None else str(uy.result),
        uy.band,
        uy.rank,
        uy.rating,
        sorted(uy.titles),
    )


def _unit_year_tuple(r) -> tuple:
    return (r["total"], r["result"], r["band"], r["rank"], r["rating"], sorted(loads(r["titles_json"]) or ()))


WHAT_TEXT = {
    "moves": "lần chuyển đơn vị",
    "person_years": "năm của cá nhân",
    "initiatives": "sáng kiến",
    "awards": "khen thưởng đã nhận",
    "unit_years": "năm của đơn vị",
}


def import_lines(result: ImportResult) -> list[str]:
    """What the clerk reads after an import."""
    if result.refused:
        lines = [f"Tệp {result.file}: KHÔNG nhập — có {len(result.issues)} lỗi; chưa ghi dòng nào. Hãy sửa rồi nhập lại:"]
        for i in result.issues:
            where = f"[{i.sheet}!{i.cell}] " if i.sheet and i.cell else (f"[{i.sheet}] " if i.sheet else "")
            lines.append(f"  - {where}{i.message}")
        return lines
    parts = [f"{n} {WHAT_TEXT[w]}" for w, n in result.written.items() if n]
    lines = [f"Đã nhập tệp {result.file}: " + (", ".join(parts) if parts else "không có gì mới") + "."]
    if result.unchanged:
        lines.append(f"  {result.unchanged} dòng giống hệt dữ liệu đã có, giữ nguyên.")
    return lines


# ---------------------------------------------------------------------------------------------------
# Show
