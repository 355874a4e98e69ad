"""``ccht-batch history template|import|show`` and ``close-year``: the years the award rules look back on.

Importing is all or nothing: the workbook is read and checked in full first, and only a file without a
single problem is written, in one transaction. An import replaces the records of the same person (or unit)
and year that it contains, keeping the previous version in the store, so importing the same file twice
changes nothing and a corrected file supersedes the first one.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ccht_batch.cli.main import EXIT_OK, EXIT_REFUSED
from ccht_batch.config.model import Config
from ccht_batch.core import vocab
from ccht_batch.core.issues import Issue
from ccht_batch.core.records import InitiativeRecord, UnitYear, person_key
from ccht_batch.core.values import fmt_number
from ccht_batch.history.workbook import (
    HistoryRows,
    read_history_workbook,
    write_history_template,
)
from ccht_batch.store.db import Store, loads
from ccht_batch.store.history import (
    PersonIdentity,
    StoreHistory,
    current_initiatives,
    current_person_year,
    current_unit_year,
    ensure_person,
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


def open_store(config: Config) -> Store:
    return Store(config.store_path)


def workdir_locked(config: Config) -> Iterator[None]:
    """The batch's lock: the yearly records are not rewritten while a run (or another import) works."""
    from ccht_batch.core.lock import workdir_locked as locked

    return locked(config.workdir, "chưa ghi gì vào lịch sử")


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
        same = conn.execute(
            "SELECT 1 FROM person_moves pm JOIN persons p ON p.id = pm.person_id WHERE p.key = ? AND pm.from_unit = ? AND pm.to_unit = ? AND pm.year = ?",
            (to_key, m.from_unit, m.to_unit, m.year),
        ).fetchone()
        if same is not None and conn.execute("SELECT 1 FROM persons WHERE key = ?", (person_key(m.name, m.birth_year, m.from_unit),)).fetchone():
            result.unchanged += 1
            continue
        record_move(conn, m.name, m.birth_year, m.from_unit, m.to_unit, m.year, source)
        count("moves")
    for py in rows.person_years:
        pid = ensure_person(conn, py.person.name, py.person.birth_year, py.person.unit_code)
        cur = current_person_year(conn, pid, py.year)
        if cur is not None and cur["rating"] == py.rating and set(loads(cur["titles_json"]) or ()) == set(py.titles) and cur["unit_code"] == py.person.unit_code:
            result.unchanged += 1
            continue
        write_person_year(conn, pid, py.year, py.person.unit_code, py.rating, py.titles, source)
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
        same = conn.execute(
            "SELECT 1 FROM awards_received WHERE subject_kind = ? AND unit_code = ? AND person_id IS ? AND award = ? AND year = ? "
            "AND decision = ? AND decision_date IS ? AND issuer = ?",
            (aw.kind, aw.unit_code, pid, rec.award, rec.year, rec.decision, rec.decision_date.isoformat() if rec.decision_date else None, rec.issuer),
        ).fetchone()
        if same is not None:
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
    return (r.title, r.decision, r.decision_date.isoformat() if r.decision_date else None, r.level)


def _row_initiative_tuple(r) -> tuple:
    return (r["title"], r["decision"], r["decision_date"], r["level"])


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


def _rating_text(code: str | None) -> str:
    return vocab.RATINGS.get(code, code) if code else "chưa ghi nhận"


def _titles_text(titles) -> str:
    return ", ".join(vocab.TITLES.get(t, t) for t in sorted(titles, key=lambda t: list(vocab.TITLES).index(t) if t in vocab.TITLES else 99))


def _award_line(config: Config, a) -> str:
    bits = [f"năm {a.year}: {config.criteria.award_name(a.award)}"]
    if a.decision:
        bits.append(f"QĐ số {a.decision}" + (f" ngày {a.decision_date:%d/%m/%Y}" if a.decision_date else ""))
    if a.issuer:
        bits.append(a.issuer)
    return " — ".join(bits)


def unit_lines(config: Config, history: StoreHistory, code: str) -> list[str]:
    unit = config.unit(code)
    years = history.unit_years(code)
    awards = history.unit_awards(code)
    persons = history.unit_persons(code)
    head = f"Đơn vị {code}" + (f" — {unit.name}" if unit else " (không có trong config/units.yaml)")
    lines = [head]
    if not years and not awards and not persons:
        return lines + ["  Chưa có lịch sử nào của đơn vị này."]
    lines.append("  Kết quả phong trào theo năm:")
    if not years:
        lines.append("    (chưa có)")
    for y, uy in years.items():
        bits = [f"    {y}:"]
        bits.append(f"tổng điểm {fmt_number(uy.total)}" if uy.total is not None else "tổng điểm —")
        bits.append(f"kết quả {fmt_number(uy.result)}" if uy.result is not None else "kết quả —")
        bits.append(f"xếp loại {uy.band}" if uy.band else "xếp loại —")
        bits.append(f"hạng {uy.rank}" if uy.rank else "hạng —")
        if uy.rating:
            bits.append(_rating_text(uy.rating))
        if uy.titles:
            bits.append(_titles_text(uy.titles))
        lines.append(" ".join(bits[:1]) + " " + "; ".join(bits[1:]))
    lines.append("  Khen thưởng đã nhận:" + ("" if awards else " (chưa có)"))
    lines += [f"    {_award_line(config, a)}" for a in awards]
    lines.append(f"  Cá nhân có lịch sử: {len(persons)}" + (" — " + ", ".join(_person_label(p) for p in persons) if persons else ""))
    return lines


def _person_label(p: PersonIdentity) -> str:
    return p.name + (f" ({p.birth_year})" if p.birth_year else "")


def person_lines(config: Config, history: StoreHistory, ident: PersonIdentity) -> list[str]:
    key = ident.keys[-1]
    years = history.person_years(key)
    awards = history.person_awards(key)
    lines = [f"Cá nhân: {ident.name}" + (f", sinh năm {ident.birth_year}" if ident.birth_year else ", chưa ghi năm sinh") + f" — đơn vị: {', '.join(ident.units)}"]
    for m in ident.moves:
        lines.append(f"  Chuyển từ {m.from_unit} sang {m.to_unit} năm {m.year}")
    lines.append("  Theo năm:" + ("" if years else " (chưa có)"))
    for y, py in years.items():
        text = f"    {y} ({py.unit_code}): {_rating_text(py.rating)}"
        if py.titles:
            text += f"; danh hiệu: {_titles_text(py.titles)}"
        lines.append(text)
        for ini in py.initiatives:
            if ini.recognised:
                rec = f"QĐ số {ini.decision}" + (f" ngày {ini.decision_date:%d/%m/%Y}" if ini.decision_date else "") + f", cấp {vocab.INITIATIVE_LEVELS.get(ini.level, ini.level)}"
            else:
                rec = "chưa được công nhận"
            lines.append(f"      Sáng kiến: {ini.title} ({rec})")
    lines.append("  Khen thưởng đã nhận:" + ("" if awards else " (chưa có)"))
    lines += [f"    {_award_line(config, a)}" for a in awards]
    return lines


def overview_lines(store: Store) -> list[str]:
    closures = store.all("SELECT year, version FROM year_closures WHERE current = 1 ORDER BY year")
    counts = {
        "Cá nhân": store.one("SELECT COUNT(*) AS n FROM persons")["n"],
        "Năm của cá nhân": store.one("SELECT COUNT(*) AS n FROM person_years WHERE current = 1")["n"],
        "Sáng kiến": store.one("SELECT COUNT(*) AS n FROM initiatives WHERE current = 1")["n"],
        "Khen thưởng đã nhận": store.one("SELECT COUNT(*) AS n FROM awards_received")["n"],
        "Năm của đơn vị": store.one("SELECT COUNT(*) AS n FROM unit_years WHERE current = 1")["n"],
    }
    years = [r["year"] for r in store.all("SELECT DISTINCT year FROM unit_years WHERE current = 1 UNION SELECT DISTINCT year FROM person_years WHERE current = 1 ORDER BY year")]
    lines = ["Lịch sử trong kho dữ liệu:"]
    lines += [f"  {k}: {v}" for k, v in counts.items()]
    lines.append("  Các năm có dữ liệu: " + (", ".join(str(y) for y in years) if years else "chưa có"))
    lines.append("  Các năm đã chốt: " + (", ".join(f"{r['year']} (lần {r['version']})" for r in closures) if closures else "chưa có"))
    lines.append("Xem chi tiết: ccht-batch history show --unit MÃ hoặc --person \"HỌ VÀ TÊN\"")
    return lines


# ---------------------------------------------------------------------------------------------------
# Commands


def command_history(ctx, args: argparse.Namespace) -> int:
    from ccht_batch.cli.main import UsageError

    config = ctx.config
    what = args.history_command
    if what == "template":
        path = write_history_template(config)
        ctx.console.line(f"Đã tạo tệp mẫu nhập lịch sử: {path}")
        ctx.console.line("Điền các năm trước vào tệp, rồi chạy: ccht-batch history import <tệp đã điền>")
        return EXIT_OK
    if what == "import":
        path = Path(args.file)
        if not path.exists() and not path.is_absolute() and (ctx.workdir / path).exists():
            path = ctx.workdir / path
        if not path.is_file():
            raise UsageError(f"không tìm thấy tệp '{args.file}'")
        with workdir_locked(config), open_store(config) as store:
            result = import_history(config, store, path)
        for line in import_lines(result):
            ctx.console.line(line)
        return EXIT_REFUSED if result.refused else EXIT_OK
    # show
    unit = args.unit.strip().upper() if args.unit else None
    with open_store(config) as store:
        history = StoreHistory(store)
        if args.person:
            found = history.find_persons(args.person, unit)
            if not found:
                ctx.console.line(f"Không tìm thấy cá nhân '{args.person}'" + (f" ở đơn vị {unit}" if unit else "") + " trong lịch sử.")
                return EXIT_OK
            for i, ident in enumerate(found):
                if i:
                    ctx.console.line("")
                for line in person_lines(config, history, ident):
                    ctx.console.line(line)
            return EXIT_OK
        if unit:
            for line in unit_lines(config, history, unit):
                ctx.console.line(line)
            return EXIT_OK
        for line in overview_lines(store):
            ctx.console.line(line)
    return EXIT_OK


def command_close_year(ctx, args: argparse.Namespace) -> int:
    from ccht_batch.history.close_year import run_close_year

    return run_close_year(ctx, args)
