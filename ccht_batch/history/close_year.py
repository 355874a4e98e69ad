"""Closing a year: turn the year's last counted results into the yearly records.

The monthly runs keep each unit's state per period; the award rules of later years read one line per unit
and per person and year. Closing the year picks, for each unit, its latest counted result of the year (the
appraised scores are already in it) and the persons declared in that submission, shows what it will write,
and writes it only when confirmed. Closing again is refused unless forced; a forced close writes a new
version and keeps the previous one.

What the Office imported for the year is respected: titles (never in a submission) and the unit's quality
rating are carried over, a rating imported with its decision (``quyết định``) is kept over the unit's own
declaration (``tự khai``, what a submission holds), and imported initiatives the submission does not repeat
are kept. The preview warns where the ratings pass the configured share of the top rating.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ccht_batch.awards.shares import exceeded_shares
from ccht_batch.config.model import Config
from ccht_batch.core import vocab
from ccht_batch.core.periods import period_text
from ccht_batch.core.records import (
    CARRIED,
    DECIDED,
    SRC_APPRAISED,
    SUBMITTED,
    TASK,
    AppraisalUse,
    InitiativeRecord,
    UnitYear,
    appraisal_for,
    person_key,
)
from ccht_batch.core.values import fmt_number, fold_key
from ccht_batch.official.text import split_decision
from ccht_batch.store import runs as runstore
from ccht_batch.store.db import Store, loads
from ccht_batch.store.history import (
    current_closure,
    current_initiatives,
    current_person_year,
    current_unit_year,
    decided_rating,
    ensure_person,
    open_closure,
    record_closure,
    replace_initiatives,
    retire_person_rows,
    retire_unit_years,
    write_person_year,
    write_unit_year,
)


@dataclass
class UnitClose:
    code: str
    name: str
    period: str
    status: str
    total: Decimal | None
    result: Decimal | None
    band: str | None
    rank: int | None
    submission_id: int
    appraisal: AppraisalUse | None = None  # the appraisal that bears on the submission the result comes from
    appraisal_missing: bool = False  # an appraisal applies to it, but the stored result was made without it


@dataclass
class PersonClose:
    unit_code: str
    name: str
    birth_year: int | None
    rating: str | None  # as the unit declared it
    initiative: InitiativeRecord | None
    tasks: tuple[str, ...] = ()  # S&T tasks accepted and applied, as declared
    decided: str | None = None  # the rating already recorded with a decision for the year: it is kept

    @property
    def key(self) -> str:
        return person_key(self.name, self.birth_year, self.unit_code)

    @property
    def final_rating(self) -> str | None:
        return self.decided if self.decided is not None else self.rating

    def achievements(self, source: str) -> list[tuple[InitiativeRecord, str]]:
        records = [(self.initiative, source)] if self.initiative else []
        return records + [(InitiativeRecord(title=t, kind=TASK), source) for t in self.tasks]


@dataclass
class ClosePlan:
    year: int
    units: list[UnitClose] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # unit codes without a counted result in the year
    persons: list[PersonClose] = field(default_factory=list)
    last_period: str | None = None
    ranks_recomputed: bool = False
    previous: dict | None = None  # the current closure of the year, if any: version, closed_at

    @property
    def empty(self) -> bool:
        return not self.units


def source_of(year: int) -> str:
    return f"close-year:{year}"


def plan_close_year(config: Config, store: Store, year: int) -> ClosePlan:
    """What closing ``year`` would write; reads only."""
    plan = ClosePlan(year=year, previous=current_closure(store, year))
    plan.last_period = runstore.year_last_period(store, year)
    codes = [u.code for u in config.units]
    codes += [code for code in runstore.year_unit_codes(store, year) if code not in codes]
    for code in codes:
        row = runstore.year_last_counted_result(store, code, year, (SUBMITTED, CARRIED))
        if row is None:
            plan.missing.append(code)
            continue
        unit = config.unit(code)
        use, missing = _appraisal_state(store, code, row)
        plan.units.append(
            UnitClose(
                code=code,
                name=unit.name if unit else code,
                period=row["period"],
                status=row["status"],
                total=Decimal(row["total"]) if row["total"] is not None else None,
                result=Decimal(row["result"]) if row["result"] is not None else None,
                band=row["band"],
                rank=row["rank"],
                submission_id=row["submission_id"],
                appraisal=use,
                appraisal_missing=missing,
            )
        )
        submission = runstore.submission_by_id(store, row["submission_id"])
        if submission is not None:
            seen: set[str] = set()
            for p in submission.persons:
                if not p.valid or not p.name:
                    continue
                pc = PersonClose(code, p.name, p.birth_year, p.rating, None, p.task_titles)
                if pc.key in seen:
                    continue
                seen.add(pc.key)
                if p.initiative:
                    number, date = split_decision(p.decision)  # the history keeps the number and the date apart
                    pc.initiative = InitiativeRecord(title=p.initiative, decision=number, decision_date=date, level=p.level)
                pc.decided = decided_rating(store, pc.key, year, DECIDED)
                plan.persons.append(pc)
    # Ranks of one period compare; ranks from different periods do not, so they are recomputed by result.
    if len({u.period for u in plan.units}) > 1:
        plan.ranks_recomputed = True
        ranked = sorted((u for u in plan.units if u.result is not None), key=lambda u: -u.result)  # type: ignore[operator]
        for u in plan.units:
            u.rank = None
        for i, u in enumerate(ranked):
            u.rank = ranked[i - 1].rank if i and ranked[i - 1].result == u.result else i + 1
    plan.units.sort(key=lambda u: (u.rank is None, u.rank or 0, u.code))
    return plan


def _appraisal_state(store: Store, code: str, row) -> tuple[AppraisalUse | None, bool]:
    """How the Office's appraisals bear on the submission a unit's last result of the year comes from
    (``core.records.appraisal_for``, as every run decides it), and whether that stored result lacks an
    appraisal that applies (made after the run: the period must be run again before closing)."""
    origin = runstore.submission_origin(store, row["submission_id"])
    if origin is None:
        return None, False
    sha256, sub_period = origin
    scores, use = appraisal_for([a for a, _ in runstore.year_appraisals(store, row["period"])], code, sha256 or "", sub_period)
    counted = {c.get("id"): c for c in loads(row["criteria_json"]) or [] if isinstance(c, dict)}
    missing = bool(scores) and any((counted.get(cid) or {}).get("source") != SRC_APPRAISED for cid in scores)
    return use, missing


def plan_lines(config: Config, plan: ClosePlan) -> list[str]:
    """What the clerk reads before confirming."""
    lines = [f"Chốt kết quả năm {plan.year} vào lịch sử — sẽ ghi:"]
    if plan.previous:
        lines.append(f"  (Năm {plan.year} đã chốt lần {plan.previous['version']} lúc {plan.previous['closed_at']}; bản đó được giữ lại làm bản trước.)")
    lines.append(f"  Kết quả phong trào của {len(plan.units)} đơn vị:")
    for u in plan.units:
        from_text = f"kỳ {u.period}" + (", dùng bản tháng trước" if u.status == CARRIED else "")
        if u.appraisal is not None:
            said = u.appraisal.text(u.period)
            from_text += "; " + said[0].lower() + said[1:]
        lines.append(
            f"    {u.rank if u.rank else '—':>2}. {u.code} — {u.name}: tổng điểm {fmt_number(u.total)}, kết quả {fmt_number(u.result)}, "
            f"xếp loại {u.band or '—'} ({from_text})"
        )
        if u.appraisal_missing:
            lines.append(
                f"       Lưu ý: kết quả này chưa tính thẩm định {period_text(u.appraisal.period)}; hãy chạy lại "
                f"ccht-batch run --period {u.period} rồi chốt năm."
            )
    if plan.ranks_recomputed:
        lines.append(f"  Lưu ý: kết quả các đơn vị lấy từ những kỳ khác nhau (kỳ cuối năm là {plan.last_period}), nên hạng năm được xếp lại theo Kết quả.")
    if plan.missing:
        lines.append("  Không có kết quả được tính trong năm (không ghi): " + ", ".join(plan.missing))
    with_init = sum(1 for p in plan.persons if p.initiative)
    recognised = sum(1 for p in plan.persons if p.initiative and p.initiative.recognised)
    tasks = sum(len(p.tasks) for p in plan.persons)
    lines.append(
        f"  Cá nhân: {len(plan.persons)} người (xếp loại năm), {with_init} sáng kiến ({recognised} đã được công nhận), "
        f"{tasks} đề tài, đề án KH&CN."
    )
    decided = sum(1 for p in plan.persons if p.decided is not None)
    if decided:
        lines.append(f"  Giữ xếp loại theo quyết định đã nhập của {decided} người; {len(plan.persons) - decided} người ghi theo tự khai của đơn vị.")
    else:
        lines.append("  Xếp loại ghi theo tự khai của đơn vị (chưa nhập quyết định xếp loại nào của năm).")
    by_rating: dict[str, int] = {}
    for p in plan.persons:
        by_rating[p.final_rating or ""] = by_rating.get(p.final_rating or "", 0) + 1
    for code in vocab.RATING_CODES:
        if by_rating.get(code):
            lines.append(f"    {vocab.RATINGS[code]}: {by_rating[code]}")
    ratings: dict[str, list[str | None]] = {}
    for p in plan.persons:
        ratings.setdefault(p.unit_code, []).append(p.final_rating)
    lines += [f"  Cảnh báo: {share.text()}" for _, share in exceeded_shares(config, ratings)]
    return lines


def apply_close_year(store: Store, plan: ClosePlan) -> int:
    """Write the plan in one transaction; return the closure's version."""
    source = source_of(plan.year)
    year = plan.year
    with store.transaction() as conn:
        version = open_closure(conn, year)
        # What an earlier close of this year wrote and this one does not rewrite is retired, not deleted.
        retire_unit_years(conn, year, source, keep={u.code for u in plan.units})
        for u in plan.units:
            cur = current_unit_year(conn, u.code, year)
            write_unit_year(
                conn,
                UnitYear(
                    year=year,
                    unit_code=u.code,
                    total=u.total,
                    result=u.result,
                    band=u.band,
                    rank=u.rank,
                    rating=cur["rating"] if cur is not None else None,
                    titles=frozenset(loads(cur["titles_json"]) or ()) if cur is not None else frozenset(),
                ),
                source,
            )
        written_persons: set[int] = set()
        for p in plan.persons:
            pid = ensure_person(conn, p.name, p.birth_year, p.unit_code)
            written_persons.add(pid)
            cur = current_person_year(conn, pid, year)
            if cur is None or cur["rating_source"] != DECIDED:  # a decided rating is never replaced by a declaration
                titles = (loads(cur["titles_json"]) or ()) if cur is not None else ()
                write_person_year(conn, pid, year, p.unit_code, p.rating, titles, source)
            old = current_initiatives(conn, pid, year)
            new: list[tuple[InitiativeRecord, str]] = p.achievements(source)
            new_titles = {fold_key(rec.title) for rec, _ in new}
            for r in old:
                if r["source"].startswith("import:") and fold_key(r["title"]) not in new_titles:
                    rec = InitiativeRecord(r["title"], r["decision"], dt.date.fromisoformat(r["decision_date"]) if r["decision_date"] else None, r["level"], r["kind"])
                    new.append((rec, r["source"]))
            if old or new:
                replace_initiatives(conn, pid, year, new)
        retire_person_rows(conn, year, source, keep=written_persons)
        summary = {
            "units": {u.code: {"period": u.period, "status": u.status, "result": None if u.result is None else str(u.result), "rank": u.rank} for u in plan.units},
            "missing": plan.missing,
            "persons": len(plan.persons),
            "initiatives": sum(1 for p in plan.persons if p.initiative),
            "tasks": sum(len(p.tasks) for p in plan.persons),
            "ranks_recomputed": plan.ranks_recomputed,
        }
        record_closure(conn, year, version, summary)
    return version
