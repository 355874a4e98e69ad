"""``ccht-batch report``: the movement's results for a year or a review, for the Provincial People's Committee.

The Office reports every year, and at the mid-term (sơ kết) and final (tổng kết) reviews (PLAN.md §VI.2).
Everything comes from the store: closed years (``unit_years``), imported history, the latest run's
nominations, awards received. A year not closed yet is shown from its latest monthly results, marked as
provisional; a year with nothing is named as missing. The report is written even from an empty store, so
the Office always gets a draft to complete, and every gap is said in the files and on screen.

Two files in ``output/reports/``: ``BaoCao_<year|milestone>.xlsx`` (the figures) and ``.docx`` (the draft
report in the official layout, ``report_docx``). Neither holds a clock: the same store gives the same files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ccht_batch.config.model import Config, Milestone
from ccht_batch.core import vocab
from ccht_batch.core.files import reports_dir
from ccht_batch.core.periods import period_text
from ccht_batch.core.records import UnitYear
from ccht_batch.core.values import fmt_number, fold_key
from ccht_batch.history.close_year import plan_close_year
from ccht_batch.official.text import split_decision
from ccht_batch.store import runs as runstore
from ccht_batch.store.db import Store
from ccht_batch.store.history import (
    StoreHistory,
    awards_received_in,
    closure_versions,
    rating_counts,
)

# Where a year's figures come from
CLOSED = "closed"
HISTORY = "history"
PROVISIONAL = "provisional"
MISSING = "missing"
SOURCE_TEXT = {
    CLOSED: "Đã chốt năm",
    HISTORY: "Lịch sử đã nhập",
    PROVISIONAL: "Tạm tính (năm chưa chốt)",
    MISSING: "Chưa có số liệu",
}
KIND_TEXT = {"collective": "Tập thể", "individual": "Cá nhân"}
NO_RESULT = "Chưa có kết quả"


@dataclass
class YearSource:
    year: int
    source: str
    period: str | None = None  # provisional: the period the figures come from
    version: int | None = None  # closed: the closure's version

    @property
    def text(self) -> str:
        if self.source == PROVISIONAL and self.period:
            return f"{SOURCE_TEXT[PROVISIONAL]}, theo kết quả {period_text(self.period)}"
        if self.source == CLOSED and self.version and self.version > 1:
            return f"{SOURCE_TEXT[CLOSED]} (lần {self.version})"
        return SOURCE_TEXT[self.source]


@dataclass
class UnitLine:
    code: str
    name: str
    years: dict[int, UnitYear]
    change: Decimal | None  # last known result of the scope minus the earliest compared one
    trend: str


@dataclass
class InitiativeLine:
    """One recognised initiative: its authors share a title and a recognition decision."""

    year: int
    title: str
    decision: str  # the decision's number, without its date
    decision_date: dt.date | None
    level: str
    authors: list[tuple[str, str]] = field(default_factory=list)  # (name, unit code)

    @property
    def authors_text(self) -> str:
        return "; ".join(f"{name}, {unit}" for name, unit in self.authors)


@dataclass
class ProposedLine:
    award: str
    award_name: str
    kind: str
    name: str
    unit_code: str


@dataclass
class GivenLine:
    year: int
    award_name: str
    kind: str
    name: str
    unit_code: str
    decision: str
    decision_date: dt.date | None
    issuer: str


@dataclass
class ReportData:
    """Everything both files show, gathered once."""

    slug: str  # "2025" | "so-ket" | "tong-ket": the file names' suffix
    year: int  # the report's year (the milestone's year for a review)
    years: list[int]  # the years covered
    milestone: Milestone | None
    compare_year: int | None  # a yearly report compares with the year before
    sources: dict[int, YearSource]
    units: list[UnitLine]
    band_counts: dict[int, dict[str, int]]  # year → band (and NO_RESULT) → units
    ratings: dict[int, dict[str, int]]  # year → rating code → persons
    initiatives: list[InitiativeLine]
    proposed: list[ProposedLine]
    proposed_from: str | None  # which run the proposals come from, in words
    given: list[GivenLine]
    missing: list[str] = field(default_factory=list)  # what the Office must know is absent, in Vietnamese

    @property
    def title_scope(self) -> str:
        if self.milestone is not None:
            return self.milestone.name
        return f"năm {self.year}"

    def units_with_result(self, year: int) -> list[UnitLine]:
        return [u for u in self.units if year in u.years and u.years[year].result is not None]


def report_paths(config: Config, slug: str) -> tuple[Path, Path]:
    base = reports_dir(config.output_dir) / f"BaoCao_{slug}"
    return base.with_suffix(".xlsx"), base.with_suffix(".docx")


# ---------------------------------------------------------------------------------------------------
# Gathering


def gather_report(config: Config, store: Store, *, year: int | None = None, milestone: str | None = None) -> ReportData:
    """Read the store for a yearly report (``year``) or a review (``milestone``); never writes."""
    movement = config.criteria.movement
    ms: Milestone | None = None
    if milestone is not None:
        ms = movement.milestone(milestone)
        if ms is None:
            raise ValueError(milestone)
        years, report_year, slug, compare = list(ms.years), ms.year, ms.id, None
    else:
        assert year is not None
        years, report_year, slug, compare = [year], year, str(year), year - 1
    history = StoreHistory(store)
    wanted = years + ([compare] if compare else [])
    recorded = history.all_unit_years(wanted)
    closures = closure_versions(store)
    missing: list[str] = []

    by_unit: dict[str, dict[int, UnitYear]] = {code: dict(ys) for code, ys in recorded.items()}
    sources: dict[int, YearSource] = {}
    for y in wanted:
        has_records = any(y in ys for ys in recorded.values())
        if y in closures:
            sources[y] = YearSource(y, CLOSED, version=closures[y])
        elif has_records:
            sources[y] = YearSource(y, HISTORY)
        else:
            plan = plan_close_year(config, store, y)
            if plan.units:
                sources[y] = YearSource(y, PROVISIONAL, period=plan.last_period)
                for u in plan.units:
                    by_unit.setdefault(u.code, {})[y] = UnitYear(year=y, unit_code=u.code, total=u.total, result=u.result, band=u.band, rank=u.rank)
            else:
                sources[y] = YearSource(y, MISSING)
    for y in years:
        s = sources[y]
        if s.source == MISSING:
            missing.append(
                f"Năm {y}: chưa có kết quả phong trào của đơn vị nào (chưa tổng hợp các kỳ của năm, chưa chốt năm, chưa nhập lịch sử)."
            )
        elif s.source == PROVISIONAL:
            missing.append(
                f"Năm {y} chưa chốt: số liệu tạm tính theo kết quả {period_text(s.period or '')}; khi có kết quả cuối năm, chạy: ccht-batch close-year --year {y}."
            )

    codes = [u.code for u in config.units] + sorted(c for c in by_unit if config.unit(c) is None)
    units: list[UnitLine] = []
    for code in codes:
        unit = config.unit(code)
        ys = {y: uy for y, uy in sorted(by_unit.get(code, {}).items()) if y in wanted}
        change, trend = _trend(ys, years, compare)
        units.append(UnitLine(code, unit.name if unit else code, ys, change, trend))
    last = years[-1]
    units.sort(key=lambda u: (last not in u.years or u.years[last].result is None, -(u.years[last].result or 0) if last in u.years else 0, u.code))
    for y in years:
        if sources[y].source == MISSING:
            continue
        lacking = [u.code for u in units if y not in u.years or u.years[y].result is None]
        if lacking:
            missing.append(f"Năm {y}: chưa có kết quả của {len(lacking)} đơn vị: {', '.join(lacking)}.")

    band_names = [b.name for b in config.criteria.bands]
    band_counts: dict[int, dict[str, int]] = {}
    for y in years:
        counts = {b: 0 for b in band_names}
        counts[NO_RESULT] = 0
        for u in units:
            uy = u.years.get(y)
            band = uy.band if uy and uy.band else (config.criteria.band_for(uy.result) if uy and uy.result is not None else None)
            if band is None:
                counts[NO_RESULT] += 1
            else:
                counts[band] = counts.get(band, 0) + 1
        band_counts[y] = counts

    ratings = rating_counts(store, years)
    if not any(ratings.get(y) for y in years):
        missing.append("Chưa có xếp loại cá nhân của năm nào trong phạm vi báo cáo (chốt năm hoặc nhập lịch sử cá nhân).")
    initiatives = _initiatives(store, years)
    proposed, proposed_from = _proposed(config, store, years, report_year, ms)
    if proposed_from is None:
        if ms is not None:
            missing.append(f"Chưa có danh sách đề nghị khen thưởng của đợt {ms.name.lower()}: chạy ccht-batch run --milestone {ms.id} trước khi lập báo cáo.")
        else:
            missing.append(f"Chưa có lần tổng hợp nào trong năm {report_year} nên chưa có danh sách đề nghị khen thưởng.")
    given = _given(config, store, years)
    return ReportData(
        slug=slug,
        year=report_year,
        years=years,
        milestone=ms,
        compare_year=compare if compare and any(compare in u.years for u in units) else None,
        sources=sources,
        units=units,
        band_counts=band_counts,
        ratings=ratings,
        initiatives=initiatives,
        proposed=proposed,
        proposed_from=proposed_from,
        given=given,
        missing=missing,
    )


def _trend(ys: dict[int, UnitYear], years: list[int], compare: int | None) -> tuple[Decimal | None, str]:
    """The change of result over the report's span: a year against the year before; a review from its
    first known year to its last."""
    known = [(y, uy.result) for y, uy in sorted(ys.items()) if uy.result is not None and (y in years or y == compare)]
    if len(known) < 2 or known[-1][0] != years[-1]:
        return None, "Chưa đủ số liệu"
    change = known[-1][1] - known[0][1]
    if change > 0:
        return change, f"Tăng {fmt_number(change)}"
    if change < 0:
        return change, f"Giảm {fmt_number(-change)}"
    return change, "Không đổi"


def _initiatives(store: Store, years: list[int]) -> list[InitiativeLine]:
    """Recognised initiatives, each counted once: co-authors (in one unit or several) typed the same title
    and decision, so they are one initiative with several authors; one decision recognising several
    initiatives (different titles) counts each of them."""
    lines: dict[tuple, InitiativeLine] = {}
    for year, name, unit_code, rec in StoreHistory(store).recognised_initiatives(years):
        number, date = split_decision(rec.decision)
        key = (year, fold_key(number), fold_key(rec.title))
        line = lines.get(key)
        if line is None:
            level = vocab.INITIATIVE_LEVELS.get(rec.level or "", rec.level or "")
            line = lines[key] = InitiativeLine(year, rec.title, number, rec.decision_date or date, level)
        line.decision_date = line.decision_date or rec.decision_date or date
        if (name, unit_code) not in line.authors:
            line.authors.append((name, unit_code))
    return sorted(lines.values(), key=lambda s: (s.year, s.decision_date or dt.date.max, fold_key(s.decision), fold_key(s.title)))


def _proposed(config: Config, store: Store, years: list[int], report_year: int, ms: Milestone | None) -> tuple[list[ProposedLine], str | None]:
    """The selected nominations of the latest run of the milestone (a review) or of the year."""
    found = runstore.selected_nominations(store, milestone=ms.id if ms is not None else None, year=report_year)
    if found is None:
        return [], None
    head, rows = found
    levels = {a.id: a.level for a in config.criteria.awards}
    lines = [ProposedLine(r["award"], config.criteria.award_name(r["award"]), r["kind"], r["name"], r["unit_code"]) for r in rows]
    lines.sort(key=lambda p: (-levels.get(p.award, 0), p.kind != "collective"))
    where = f"lần tổng hợp {period_text(head['period'])}"
    if head["milestone"]:
        m = config.criteria.movement.milestone(head["milestone"])
        where += f" ({m.name if m else head['milestone']})"
    else:
        where += " (danh sách dự kiến)"
    return lines, where


def _given(config: Config, store: Store, years: list[int]) -> list[GivenLine]:
    out = []
    for r in awards_received_in(store, years):
        unit = config.unit(r["unit_code"])
        name = r["person_name"] if r["subject_kind"] == "individual" else (unit.name if unit else r["unit_code"])
        number, date = split_decision(r["decision"])
        when = dt.date.fromisoformat(r["decision_date"]) if r["decision_date"] else date
        out.append(GivenLine(r["year"], r["name"] or config.criteria.award_name(r["award"]), r["subject_kind"], name or "", r["unit_code"], number, when, r["issuer"]))
    return out
