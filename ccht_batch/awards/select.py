"""Award eligibility and selection: who may receive which reward form, and who goes on which list.

Every candidate — each unit as a collective, each valid `Cá nhân` row as an individual — is checked
against every reward form considered at this review, so the output can show eligible / not eligible /
cannot tell with reasons for all of them (DESIGN.md §6). Selection then applies the Law's one-form rule
(RULES.md §1: one achievement, one reward form): a candidate lands on at most one list, the highest form
it qualifies for, unless its unit proposed a lower one; quotas are applied from the highest form down,
and whoever a quota cuts falls to the next lower form it qualifies for. "Cannot tell" is never selected.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from ccht_batch.awards.checks import (
    PersonSubject,
    Scope,
    UnitSubject,
    Verdict,
    evaluate,
    missing_text,
)
from ccht_batch.config.model import AwardRule, Config, Milestone
from ccht_batch.core import vocab
from ccht_batch.core.memory import frozen_heap
from ccht_batch.core.periods import period_year
from ccht_batch.core.records import (
    UNIT_STATUS_TEXT,
    HistoryView,
    Nomination,
    UnitOutcome,
    person_key,
)
from ccht_batch.core.values import fold_key

COLLECTIVE = "collective"
INDIVIDUAL = "individual"
KIND_TEXT = {COLLECTIVE: "tập thể", INDIVIDUAL: "cá nhân"}

NOTE_NOT_PROPOSED = "Đơn vị không đề nghị"


# ---------------------------------------------------------------------------------------------------
# Which forms, which years


def rules_for(config: Config, period: str, milestone: str | None) -> tuple[list[AwardRule], Milestone | None]:
    """The reward forms considered in a run, and the milestone whose years the "every year" checks use.

    Without a milestone (a monthly run) the list is provisional: the yearly forms plus those of the next
    milestone, so units see early where they stand for the review that is coming.
    """
    movement = config.criteria.movement
    rules = config.criteria.awards  # highest level first
    if milestone == vocab.YEARLY:
        return [r for r in rules if vocab.YEARLY in r.milestones], None
    if milestone is not None:
        ms = movement.milestone(milestone)
        if ms is None:
            known = ", ".join(m.id for m in movement.milestones) or "(không có)"
            raise ValueError(f"đợt '{milestone}' không có trong cấu hình (movement.milestones): cần một trong {known}")
        return [r for r in rules if ms.id in r.milestones], ms
    year = period_year(period)
    upcoming = sorted((m for m in movement.milestones if m.year >= year), key=lambda m: m.year)
    nxt = upcoming[0] if upcoming else None
    wanted = {vocab.YEARLY} | ({nxt.id} if nxt else set())
    return [r for r in rules if wanted & set(r.milestones)], nxt


def scope_for(config: Config, period: str, milestone: Milestone | None) -> Scope:
    """The assessed year is the period's year; "every year" checks cover the milestone's years, or the
    movement's years so far when no milestone lies ahead."""
    year = period_year(period)
    if milestone is not None:
        return Scope(year, milestone.years)
    start = config.criteria.movement.start_year or year
    return Scope(year, tuple(range(min(start, year), year + 1)))


# ---------------------------------------------------------------------------------------------------
# Candidates


def _unit_subjects(units: list[UnitOutcome], history: HistoryView) -> list[UnitSubject]:
    subjects = [UnitSubject(u, history.unit_years(u.code), tuple(history.unit_awards(u.code))) for u in units]

    def order(s: UnitSubject) -> tuple:
        u = s.outcome
        return (u.rank is None, u.rank or 0, u.result is None, -(u.result or Decimal(0)), u.code)

    return sorted(subjects, key=order)


def _person_subjects(units: list[UnitOutcome], history: HistoryView) -> list[PersonSubject]:
    """Valid `Cá nhân` rows of counted submissions; rows naming the same person are one candidate, so the
    one-form rule cannot be dodged by listing a person twice."""
    rows: dict[str, list] = {}
    owner: dict[str, UnitOutcome] = {}
    for u in units:
        if u.submission is None:
            continue
        for p in u.submission.persons:
            if not p.valid:
                continue
            key = person_key(p.name, p.birth_year, u.code)
            rows.setdefault(key, []).append(p)
            owner[key] = u
    subjects = [
        PersonSubject(key, entries[0].name, owner[key], tuple(entries), history.person_years(key), tuple(history.person_awards(key)))
        for key, entries in rows.items()
    ]
    return sorted(subjects, key=_person_order)


def _person_order(s: PersonSubject) -> tuple:
    """DESIGN.md §6: the unit's result (desc), rating (best first), recognised initiatives (desc), name."""
    result = s.unit.result
    rating = vocab.rating_rank(s.rating) if s.rating in vocab.RATINGS else len(vocab.RATINGS)
    first = s.rows[0]
    return (result is None, -(result or Decimal(0)), rating, -s.recognised_count, fold_key(s.name), s.unit.code, first.row)


# ---------------------------------------------------------------------------------------------------
# Selection


@dataclass
class _Track:
    """One candidate's way through the forms: ``ladder`` holds the forms still to try, highest first."""

    unit_code: str
    noms: dict[str, Nomination]
    ladder: list[AwardRule] = field(default_factory=list)
    chosen: AwardRule | None = None
    arrived: str = ""  # why the candidate is at its current form, when it fell from a higher one


def _fall_text(track: _Track) -> str:
    return f"chuyển xét {track.ladder[0].name}" if track.ladder else "không còn hình thức thấp hơn đủ điều kiện"


def _why_not(verdict_value: bool | None, missing: frozenset[int]) -> str:
    if verdict_value is None:
        return "chưa xác định được đủ điều kiện" + (f" ({missing_text(missing)})" if missing else "")
    return "không đủ điều kiện"


def _plan_person(track: _Track, subject: PersonSubject, considered: list[AwardRule], verdicts: dict[str, Verdict], config: Config) -> None:
    """Set the ladder of a person from the unit's proposal, and the notes that explain it."""
    proposal = subject.proposal
    if proposal is None:
        for nom in track.noms.values():
            nom.note = NOTE_NOT_PROPOSED
        return
    rule = config.criteria.award(proposal)
    if rule is None:
        for nom in track.noms.values():
            nom.note = f"Hình thức đơn vị đề nghị ({proposal}) không có trong cấu hình"
        return
    lower = [r for r in considered if r.level < rule.level and verdicts[r.id].value is True]
    for r in considered:
        if r.level > rule.level and verdicts[r.id].value is True:
            track.noms[r.id].note = f"Đơn vị đề nghị {rule.name}"
    if rule.id in track.noms:
        nom = track.noms[rule.id]
        nom.proposed = True
        if nom.eligible is True:
            track.ladder = [rule] + lower
            return
        track.ladder = lower
        why = _why_not(nom.eligible, verdicts[rule.id].missing)
        nom.note = f"Đề nghị {rule.name} {why}; {_fall_text(track)}"
        track.arrived = f"Chuyển xét từ đề nghị {rule.name}: {why}"
        return
    track.ladder = lower
    why = "không xét ở đợt này"
    track.arrived = f"Chuyển xét từ đề nghị {rule.name}: {why}"
    for r in considered:
        if r.level < rule.level:
            track.noms[r.id].note = f"Đề nghị {rule.name} {why}"


def _apply_quotas(kind: str, considered: list[AwardRule], tracks: list[_Track]) -> None:
    """From the highest form down: select in order within the quota; those cut fall one form lower."""
    for rule in considered:
        target = rule.target(kind)
        if target is None:
            continue
        quota = target.quota
        taken = 0
        per_unit: Counter[str] = Counter()
        seen_in_unit: Counter[str] = Counter()
        position = 0
        for track in tracks:  # already in quota order
            if not track.ladder or track.ladder[0].id != rule.id:
                continue
            position += 1
            seen_in_unit[track.unit_code] += 1
            nom = track.noms[rule.id]
            cut = ""
            if quota.max_per_unit is not None and per_unit[track.unit_code] >= quota.max_per_unit:
                cut = (
                    f"Vượt chỉ tiêu {quota.max_per_unit} {KIND_TEXT[kind]} mỗi đơn vị của {rule.name}; "
                    f"xếp thứ {seen_in_unit[track.unit_code]} trong đơn vị {track.unit_code}"
                )
            elif quota.max_total is not None and taken >= quota.max_total:
                cut = f"Vượt chỉ tiêu {quota.max_total} {KIND_TEXT[kind]} của {rule.name}; thứ {position} trong số được xét hình thức này"
            if not cut:
                nom.selected = True
                nom.note = track.arrived or nom.note
                track.chosen = rule
                track.ladder = []
                taken += 1
                per_unit[track.unit_code] += 1
                continue
            track.ladder.pop(0)
            nom.note = f"{cut}; {_fall_text(track)}"
            track.arrived = f"Chuyển xét do vượt chỉ tiêu {rule.name}"


def _note_higher_chosen(tracks: list[_Track]) -> None:
    for track in tracks:
        if track.chosen is None:
            continue
        for nom in track.noms.values():
            if nom.eligible is True and not nom.selected and not nom.note and nom.award != track.chosen.id:
                nom.note = f"Đã chọn hình thức cao hơn: {track.chosen.name} (mỗi thành tích một hình thức khen thưởng)"


# ---------------------------------------------------------------------------------------------------
# Entry point


def _no_result(u: UnitOutcome) -> Verdict:
    status = UNIT_STATUS_TEXT.get(u.status, u.status)
    return Verdict(False, (f"Đơn vị không có kết quả được tính trong kỳ này (trạng thái: {status}): không đủ điều kiện",))


def evaluate_awards(
    config: Config, *, period: str, milestone: str | None, units: list[UnitOutcome], history: HistoryView
) -> list[Nomination]:
    """One Nomination per (candidate, considered form): highest form first, collectives before
    individuals, each in quota order."""
    with frozen_heap():
        return _evaluate_awards(config, period=period, milestone=milestone, units=units, history=history)


def _evaluate_awards(
    config: Config, *, period: str, milestone: str | None, units: list[UnitOutcome], history: HistoryView
) -> list[Nomination]:
    rules, ms = rules_for(config, period, milestone)
    scope = scope_for(config, period, ms)
    memo: dict = {}  # verdicts of people with the same facts (award_checks.evaluate)
    by_rule: dict[str, list[Nomination]] = {r.id: [] for r in rules}

    # collectives
    c_rules = [r for r in rules if r.collective is not None]
    c_tracks: list[_Track] = []
    for s in _unit_subjects(units, history):
        u = s.outcome
        track = _Track(u.code, {})
        for r in c_rules:
            v = _no_result(u) if u.score is None else evaluate(config, r.collective.condition, s, scope)
            nom = Nomination(r.id, r.name, COLLECTIVE, u.name, u.code, v.value, list(v.reasons))
            track.noms[r.id] = nom
            by_rule[r.id].append(nom)
            if v.value is True:
                track.ladder.append(r)
        c_tracks.append(track)
    _apply_quotas(COLLECTIVE, c_rules, c_tracks)
    _note_higher_chosen(c_tracks)

    # individuals
    i_rules = [r for r in rules if r.individual is not None]
    i_tracks: list[_Track] = []
    i_noms: dict[str, list[Nomination]] = {r.id: [] for r in rules}
    for s in _person_subjects(units, history):
        track = _Track(s.unit.code, {})
        verdicts: dict[str, Verdict] = {}
        for r in i_rules:
            v = evaluate(config, r.individual.condition, s, scope, memo)
            verdicts[r.id] = v
            nom = Nomination(r.id, r.name, INDIVIDUAL, s.name, s.unit.code, v.value, list(v.reasons), person=s.rows[0])
            track.noms[r.id] = nom
            i_noms[r.id].append(nom)
        _plan_person(track, s, i_rules, verdicts, config)
        i_tracks.append(track)
    _apply_quotas(INDIVIDUAL, i_rules, i_tracks)
    _note_higher_chosen(i_tracks)

    return [n for r in rules for n in by_rule[r.id] + i_noms[r.id]]
