"""What the dossier's documents are written from: the period's final lists and each candidate's records.

The lists are the run's nominations: ``selected`` True is on a list; ``selected`` None is tied at a quota's
last places and waits for the council. Until the council's decision has been applied to the period
(``RunOutcome.council_applied``) — or when the run had no milestone, so its lists are provisional — every
document is marked DỰ THẢO. Each candidate's records (results per year, titles, initiatives with their
decisions, awards received) come from the store through ``StoreHistory``, and this period's own figures
from the run.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from ccht_batch.awards.select import rules_for, scope_for
from ccht_batch.config.model import AwardRule, Config, FormDocument
from ccht_batch.core.periods import period_text, period_year
from ccht_batch.core.records import (
    InitiativeRecord,
    Nomination,
    PersonYear,
    RunOutcome,
    UnitOutcome,
    UnitYear,
    person_key,
)
from ccht_batch.core.values import fmt_number, fold_key
from ccht_batch.official.docx import Letterhead, OfficialDocument
from ccht_batch.official.naming import unit_label
from ccht_batch.official.text import date_line, number_line, split_decision
from ccht_batch.outputs.nominations import position_text
from ccht_batch.store.history import StoreHistory

COLLECTIVE = "collective"
INDIVIDUAL = "individual"


@dataclass
class Achievement:
    """One line of a candidate's record: a year's result or rating, an initiative, an award."""

    year: int
    what: str
    detail: str = ""
    decision: str = ""
    decision_date: dt.date | None = None
    extra: str = ""


@dataclass
class Candidate:
    """One collective or person on a list (or tied for one), with what the store knows of them."""

    nomination: Nomination
    rule: AwardRule
    unit_name: str
    file_stem: str
    results: list[Achievement] = field(default_factory=list)  # per year: result and band, or rating
    titles: list[Achievement] = field(default_factory=list)
    initiatives: list[Achievement] = field(default_factory=list)
    awards: list[Achievement] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.nomination.kind

    @property
    def name(self) -> str:
        return self.nomination.name


@dataclass
class Dossier:
    config: Config
    outcome: RunOutcome
    rules: list[AwardRule]  # the forms considered by the run, highest first
    years: tuple[int, ...]  # the years the records cover
    candidates: list[Candidate]

    @property
    def draft(self) -> bool:
        return not self.outcome.council_applied or self.outcome.milestone is None

    @property
    def year(self) -> int:
        return period_year(self.outcome.period)

    @property
    def occasion(self) -> str:
        """What the lists are for, inside a sentence: "tổng kết phong trào thi đua giai đoạn 2022 - 2025"."""
        ms = self.config.criteria.movement.milestone(self.outcome.milestone) if self.outcome.milestone else None
        if ms is not None:
            return ms.name[:1].lower() + ms.name[1:]
        return f"đánh giá kết quả {period_text(self.outcome.period)}"

    @property
    def movement(self) -> str:
        return f"phong trào thi đua “{self.config.criteria.movement.name}”"

    def form(self, rule: AwardRule) -> FormDocument | None:
        return self.config.documents.form(rule.id)

    def listed(self, rule: AwardRule) -> list[Nomination]:
        """On the list of ``rule``, or tied for its last places: collectives first, in the run's order."""
        found = [n for n in self.outcome.nominations if n.award == rule.id and n.selected is not False]
        return sorted(found, key=lambda n: n.kind != COLLECTIVE)

    def refused(self, rule: AwardRule) -> list[Nomination]:
        """Not on ``rule``'s list although their unit proposed them or the council voted on them (a
        collective the council voted down is in the minutes with its votes)."""
        return [n for n in self.outcome.nominations if n.award == rule.id and (n.proposed or n.vote is not None) and n.selected is False]

    def unit_name(self, code: str) -> str:
        unit = self.outcome.unit(code) or self.config.unit(code)
        return unit.name if unit else code

    def display_name(self, n: Nomination) -> str:
        """A collective's name as its list writes it (with the agency on lists that leave it)."""
        return unit_label(self.config, n.award, n.name) if n.kind == COLLECTIVE else n.name

    def position(self, n: Nomination) -> str:
        """A person's position and unit as the list writes them."""
        return position_text(self.outcome, self.config, n)

    def letterhead(self, symbol: str = "", *, issuer: str = "", parent: str = "") -> Letterhead:
        a = self.config.agency
        return Letterhead(
            parent=parent or a.parent,
            issuer=issuer or a.name,
            place_date=date_line(a.place, self.year),
            number=number_line(symbol) if symbol else "",
            draft=self.draft,
        )

    def new_document(self) -> OfficialDocument:
        return OfficialDocument()


def counts_text(noms: list[Nomination]) -> str:
    """"2 tập thể và 10 cá nhân", "1 tập thể", "3 cá nhân"."""
    c = sum(1 for n in noms if n.kind == COLLECTIVE)
    i = len(noms) - c
    parts = [f"{c} tập thể" if c else "", f"{i} cá nhân" if i else ""]
    return " và ".join(p for p in parts if p) or "0 tập thể, cá nhân"


def ascii_name(text: str) -> str:
    """A person's name as a portable file name: "Trần Thị Mai" → "Tran-Thi-Mai"."""
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words = ["".join(ch for ch in w if ch.isalnum()) for w in plain.split()]
    return "-".join(w for w in words if w) or "ca-nhan"


# ---------------------------------------------------------------------------------------------------
# Gathering


def gather_dossier(config: Config, outcome: RunOutcome, history: StoreHistory) -> Dossier:
    rules, ms = rules_for(config, outcome.period, outcome.milestone)
    years = scope_for(config, outcome.period, ms).every_years
    candidates: list[Candidate] = []
    seen: dict[str, Candidate] = {}
    stems: set[str] = set()
    for rule in rules:  # highest form first: a candidate's report is for the highest list it is on
        for n in outcome.nominations:
            if n.award != rule.id or n.selected is False:
                continue
            key = n.unit_code if n.kind == COLLECTIVE else _person_key(n)
            if key in seen:
                continue
            stem = n.unit_code if n.kind == COLLECTIVE else f"{n.unit_code}_{ascii_name(n.name)}"
            if stem in stems and n.person and n.person.birth_year:
                stem = f"{stem}_{n.person.birth_year}"
            while stem in stems:
                stem += "_2"
            stems.add(stem)
            unit = outcome.unit(n.unit_code)
            c = Candidate(n, rule, unit.name if unit else n.unit_code, stem)
            if n.kind == COLLECTIVE:
                _unit_records(c, unit, history, years, outcome)
            else:
                _person_records(c, history, years, outcome)
            seen[key] = c
            candidates.append(c)
    return Dossier(config, outcome, rules, years, candidates)


def _person_key(n: Nomination) -> str:
    p = n.person
    return person_key(n.name, p.birth_year if p else None, n.unit_code)


def _result_text(result: Decimal | None, band: str | None, rank: int | None) -> str:
    bits = [f"{fmt_number(result)} điểm" if result is not None else "chưa có điểm"]
    if band:
        bits.append(f"xếp loại {band}")
    if rank:
        bits.append(f"xếp hạng {rank}")
    return ", ".join(bits)


def _unit_records(c: Candidate, unit: UnitOutcome | None, history: StoreHistory, years: tuple[int, ...], outcome: RunOutcome) -> None:
    recorded: dict[int, UnitYear] = history.unit_years(c.nomination.unit_code)
    current = period_year(outcome.period)
    for y in years:
        uy = recorded.get(y)
        if y == current and unit is not None and unit.result is not None and (uy is None or uy.result is None):
            c.results.append(Achievement(y, _result_text(unit.result, unit.band, unit.rank), f"theo kết quả {period_text(outcome.period)}"))
        elif uy is not None:
            c.results.append(Achievement(y, _result_text(uy.result, uy.band, uy.rank)))
        else:
            c.results.append(Achievement(y, ""))
        if uy is not None:
            c.titles += [Achievement(y, t) for t in sorted(uy.titles)]
    # the unit's initiatives: its people's, from the history and from this period's sheet
    people: dict[tuple, Achievement] = {}
    for ident in history.unit_persons(c.nomination.unit_code):
        for y, py in history.person_years(ident.keys[-1]).items():
            if y in years:
                for ini in py.initiatives:
                    _add_initiative(people, y, ini, ident.name)
    if unit is not None and unit.submission is not None:
        for p in unit.submission.persons:
            if p.valid and p.initiative_recognised:
                number, date = split_decision(p.decision)
                _add_initiative(people, current, InitiativeRecord(p.initiative, number, date, p.level), p.name)
    c.initiatives = sorted(people.values(), key=lambda a: (a.year, fold_key(a.what)))
    c.awards = [_award(a) for a in history.unit_awards(c.nomination.unit_code)]


def _person_records(c: Candidate, history: StoreHistory, years: tuple[int, ...], outcome: RunOutcome) -> None:
    n = c.nomination
    recorded: dict[int, PersonYear] = history.person_years(_person_key(n))
    current = period_year(outcome.period)
    initiatives: dict[tuple, Achievement] = {}
    for y in years:
        py = recorded.get(y)
        rating = py.rating if py else None
        detail = ""
        if y == current and rating is None and n.person is not None and n.person.rating:
            rating, detail = n.person.rating, f"theo đơn vị kê khai, {period_text(outcome.period)}"
        c.results.append(Achievement(y, rating or "", detail))
        if py is not None:
            decision = (py.decision, py.decision_date) if py.decided and py.decision else ("", None)
            c.titles += [Achievement(y, t, decision=decision[0], decision_date=decision[1]) for t in sorted(py.titles)]
            for ini in py.initiatives:
                _add_initiative(initiatives, y, ini)
    p = n.person
    if p is not None and p.initiative and current in years:
        number, date = split_decision(p.decision)
        _add_initiative(initiatives, current, InitiativeRecord(p.initiative, number, date, p.level))
    c.initiatives = sorted(initiatives.values(), key=lambda a: (a.year, fold_key(a.what)))
    c.awards = [_award(a) for a in history.person_awards(_person_key(n))]


def _add_initiative(found: dict[tuple, Achievement], year: int, ini: InitiativeRecord, author: str = "") -> None:
    number, date = split_decision(ini.decision)
    key = (year, fold_key(ini.title), fold_key(number))
    a = found.get(key)
    if a is None:
        found[key] = a = Achievement(year, ini.title, ini.level or "", number, ini.decision_date or date)
    if author and author not in a.extra.split(", "):
        a.extra = f"{a.extra}, {author}" if a.extra else author


def _award(rec) -> Achievement:
    number, date = split_decision(rec.decision)
    return Achievement(rec.year, rec.award, rec.issuer, number, rec.decision_date or date)
