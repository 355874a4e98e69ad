"""Award eligibility and selection: who may receive which reward form, and who goes on which list.

Every candidate — each unit as a collective, each valid `Cá nhân` row as an individual — is checked
against every reward form considered at this review, so the output can show eligible / not eligible /
cannot tell with reasons for all of them (DESIGN.md §6). At a milestone a form's thematic condition is
checked (achievement in the movement, over the milestone's years); at a yearly review its regular one.
Selection then applies the Law's one-form rule (RULES.md §1: one achievement, one reward form): a
candidate lands on at most one list, the highest form it qualifies for, unless its unit proposed a lower
one; quotas are applied from the highest form down, and whoever a quota cuts falls to the next lower form
it qualifies for. "Cannot tell" is never selected.

Nobody is cut by code or name (Law art. 5: fairness). Where a quota's last places fall inside a group of
candidates with the same figures (rank and result; for persons the unit's result, rating and recognised
initiatives), every one of them stays on the list as tied (``selected`` None) with the tie stated, and
the emulation council (Hội đồng Thi đua - Khen thưởng) decides. Its decision comes back in the council
workbook (``Council``): a candidate it approves (by more than the configured share of the members
present) is ordered before those it did not vote on, among equals by its share of votes; one it refuses
is not selected ("Hội đồng không thống nhất đề nghị") and falls to the next form, as a quota cut would.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby

from ccht_batch.awards.checks import (
    NO_RESULT,
    PersonSubject,
    Scope,
    UnitSubject,
    Verdict,
    evaluate,
    missing_text,
    person_rating,
    unit_figures,
    unit_years_in,
    years_span,
)
from ccht_batch.config.model import AwardRule, Config, Milestone
from ccht_batch.core import vocab
from ccht_batch.core.memory import frozen_heap
from ccht_batch.core.periods import period_year
from ccht_batch.core.records import (
    REFUSE,
    UNIT_STATUS_TEXT,
    Council,
    CouncilVote,
    HistoryView,
    Nomination,
    UnitOutcome,
    person_key,
)
from ccht_batch.core.values import fmt_number, fold_key

COLLECTIVE = "collective"
INDIVIDUAL = "individual"
KIND_TEXT = {COLLECTIVE: "tập thể", INDIVIDUAL: "cá nhân"}

NOTE_NOT_PROPOSED = "Đơn vị không đề nghị"
TIE_HEADING = "Đồng hạng tại ngưỡng chỉ tiêu — Hội đồng quyết định"
COUNCIL_REFUSED = "Hội đồng không thống nhất đề nghị"
NOT_VOTED = "Chưa được Hội đồng biểu quyết"


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


def at_milestone(rule: AwardRule, ms: Milestone | None, review: bool) -> bool:
    """Whether ``rule`` is checked for the milestone (its thematic condition) or a yearly review (its regular
    one). A milestone's own run (``review``) checks each form of the milestone for it; a monthly run previews
    the forms given only at the milestone for it, and the yearly forms for their yearly review."""
    if ms is None or ms.id not in rule.milestones:
        return False
    return review or vocab.YEARLY not in rule.milestones


def scope_for(config: Config, period: str, milestone: Milestone | None) -> Scope:
    """The assessed year is the period's year; "every year" checks cover the milestone's years, or the
    movement's years so far when no milestone lies ahead."""
    year = period_year(period)
    if milestone is not None:
        return Scope(year, milestone.years, period)
    start = config.criteria.movement.start_year or year
    return Scope(year, tuple(range(min(start, year), year + 1)), period)


# ---------------------------------------------------------------------------------------------------
# The council's decision on one nomination


def council_verdict(config: Config, vote: CouncilVote | None) -> bool | None:
    """True: approved; False: refused (by decision, or with too few votes); None: not decided."""
    if vote is None:
        return None
    if vote.decision == REFUSE:
        return False
    if vote.present is None or vote.votes_for is None:
        return None
    return Decimal(vote.votes_for) * 100 > config.criteria.council_approval_percent * vote.present


def vote_text(vote: CouncilVote) -> str:
    return f"{vote.votes_for}/{vote.present} phiếu đồng ý"


def _share(vote: CouncilVote | None) -> Decimal:
    if vote is None or not vote.present or vote.votes_for is None:
        return Decimal(0)
    return Decimal(vote.votes_for) / vote.present


# ---------------------------------------------------------------------------------------------------
# Candidates


def _unit_subjects(config: Config, units: list[UnitOutcome], history: HistoryView, scope: Scope) -> list[UnitSubject]:
    def from_year(code: str) -> int | None:
        u = config.unit(code)
        return u.from_year if u else None

    subjects = [UnitSubject(u, history.unit_years(u.code), tuple(history.unit_awards(u.code)), from_year(u.code)) for u in units]
    return sorted(subjects, key=lambda s: (*_unit_figures(s, scope), s.outcome.code))


def after_the_milestone(scope: Scope) -> bool:
    """A review held after its last year (in January): every year judged is closed, none is this period's."""
    return scope.year > scope.every_years[-1]


def _standing(s: UnitSubject, scope: Scope) -> tuple[int | None, Decimal | None]:
    """The rank and result that order a unit: this period's; without one, its year's closed record (after
    the milestone: the milestone's last year's)."""
    u = s.outcome
    if u.score is None:
        year = scope.every_years[-1] if after_the_milestone(scope) else scope.year
        record = s.years.get(year)
        return (record.rank, record.result) if record else (None, None)
    return u.rank, u.result


def _unit_figures(s: UnitSubject, scope: Scope) -> tuple:
    """What orders units for a quota, and what makes two of them tied: rank, then result."""
    rank, result = _standing(s, scope)
    return (rank is None, rank or 0, result is None, -(result or Decimal(0)))


def _person_subjects(units: list[UnitOutcome], history: HistoryView, scope: Scope) -> list[PersonSubject]:
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
    return sorted(subjects, key=lambda s: (*_person_figures(s, scope), fold_key(s.name), s.unit.code, s.rows[0].row))


def _person_rating(s: PersonSubject, scope: Scope) -> str | None:
    return person_rating(s, scope.year, scope).rating


def _person_figures(s: PersonSubject, scope: Scope) -> tuple:
    """DESIGN.md §6: the unit's result (desc), rating (best first; a decided one where it exists),
    recognised initiatives (desc). Equal figures are a tie: the name never decides."""
    result = s.unit.result
    rating = _person_rating(s, scope)
    rank = vocab.rating_rank(rating) if rating in vocab.RATINGS else len(vocab.RATINGS)
    return (result is None, -(result or Decimal(0)), rank, -s.recognised_count)


def _unit_figures_text(s: UnitSubject, scope: Scope) -> str:
    rank, result = _standing(s, scope)
    shown = f"kết quả {fmt_number(result)} điểm" if result is not None else "chưa có kết quả"
    return (f"xếp hạng {rank}, " if rank is not None else "") + shown


def _person_figures_text(s: PersonSubject, scope: Scope) -> str:
    rating = _person_rating(s, scope)
    rating_text = vocab.RATINGS.get(rating or "", "chưa ghi xếp loại")
    return f"kết quả đơn vị {fmt_number(s.unit.result)} điểm, xếp loại {rating_text}, {s.recognised_count} sáng kiến được công nhận"


def achievement(config: Config, s: UnitSubject, scope: Scope) -> str:
    """A collective's figures over the years judged so far, for the lists' "Tóm tắt thành tích"."""
    years = [y for y in unit_years_in(s, scope) if y <= scope.year]
    parts = []
    for y in years:
        f = unit_figures(config, s, y, scope)
        if not f.known:
            parts.append(f"năm {y}: chưa có dữ liệu")
            continue
        bits = [f"{fmt_number(f.result)} điểm" if f.result is not None else "chưa ghi kết quả"]
        if f.band:
            bits.append(f"xếp loại {f.band}")
        if f.rank is not None:
            bits.append(f"hạng {f.rank}")
        parts.append(f"năm {y}" + (f" ({scope.current})" if f.current else "") + ": " + ", ".join(bits))
    return f"Kết quả phong trào các năm {years_span(years)}: " + "; ".join(parts) + "." if parts else ""


# ---------------------------------------------------------------------------------------------------
# Selection


@dataclass
class _Track:
    """One candidate's way through the forms: ``ladder`` holds the forms still to try, highest first."""

    unit_code: str
    subject: str  # unit code, or person key: how the council workbook names the candidate
    figures: tuple  # what orders it for a quota; equal figures are a tie
    figures_text: str  # the same, in words
    noms: dict[str, Nomination]
    ladder: list[AwardRule] = field(default_factory=list)
    chosen: AwardRule | None = None
    pending: AwardRule | None = None  # tied at this form's quota, for the council
    arrived: str = ""  # why the candidate is at its current form, when it fell from a higher one
    position: int = 0  # among the candidates of the form being filled, and within its unit
    unit_position: int = 0


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


def _council_order(config: Config, nom: Nomination) -> tuple:
    """Among candidates with equal figures: those the council approved first, by their share of votes."""
    if council_verdict(config, nom.vote) is True:
        return (0, -_share(nom.vote))
    return (1, Decimal(0))


def _select(track: _Track, rule: AwardRule, council: Council | None) -> None:
    nom = track.noms[rule.id]
    nom.selected = True
    note = track.arrived or nom.note
    if nom.vote is not None:
        note = "; ".join(x for x in (track.arrived, f"Hội đồng đồng ý đề nghị ({vote_text(nom.vote)})") if x)
    elif council is not None:
        note = "; ".join(x for x in (track.arrived, NOT_VOTED) if x)
    nom.note = note
    track.chosen = rule
    track.ladder = []


def _cut(track: _Track, rule: AwardRule, why: str) -> None:
    track.ladder.pop(0)
    track.noms[rule.id].note = f"{why}; {_fall_text(track)}"
    track.arrived = f"Chuyển xét do vượt chỉ tiêu {rule.name}"


def _refuse(config: Config, track: _Track, rule: AwardRule) -> None:
    nom = track.noms[rule.id]
    vote = nom.vote
    assert vote is not None
    detail = vote_text(vote)
    if vote.decision != REFUSE:
        detail += f", chưa vượt quá {fmt_number(config.criteria.council_approval_percent)}% số thành viên có mặt"
    nom.selected = False
    nom.reasons.append(f"{COUNCIL_REFUSED} {rule.name} ({detail})")
    track.ladder.pop(0)
    nom.note = f"{COUNCIL_REFUSED} ({detail}); {_fall_text(track)}"
    track.arrived = f"Chuyển xét do {COUNCIL_REFUSED} {rule.name}"


# A tie statement names at most this many: it stands in every tied candidate's note and in one cell (Excel
# holds 32,767 characters a cell); the list's tie block and the Tờ trình name them all.
TIE_NAMES_SHOWN = 12


def _tie(tracks: list[_Track], rule: AwardRule, kind: str, quota_text: str, slots: int, same_votes: str) -> None:
    shown = tracks if len(tracks) <= TIE_NAMES_SHOWN else tracks[: TIE_NAMES_SHOWN - 2]
    names = ", ".join(t.noms[rule.id].name + (f" ({t.unit_code})" if kind == INDIVIDUAL else "") for t in shown)
    if len(shown) < len(tracks):
        names += f" và {len(tracks) - len(shown)} {KIND_TEXT[kind]} khác (có tên trong danh sách)"
    text = (
        f"Đồng hạng tại ngưỡng chỉ tiêu {quota_text}: {names} cùng {tracks[0].figures_text}{same_votes}; "
        f"còn {slots} suất cho {len(tracks)} {KIND_TEXT[kind]} — Hội đồng quyết định"
    )
    for t in tracks:
        nom = t.noms[rule.id]
        nom.selected = None
        nom.tie_note = text
        nom.note = "; ".join(x for x in (t.arrived, text) if x)
        t.pending = rule
        t.ladder = []


def _apply_quotas(config: Config, kind: str, considered: list[AwardRule], tracks: list[_Track], council: Council | None) -> None:
    """From the highest form down: the council's refusals fall first; then candidates are taken in order of
    their figures (and the council's approval among equals) within the quota; a group of equals that the
    quota's last places split is left tied for the council; those cut fall one form lower."""
    for rule in considered:
        target = rule.target(kind)
        if target is None:
            continue
        quota = target.quota
        here: list[_Track] = []
        for track in tracks:  # already in quota order
            if not track.ladder or track.ladder[0].id != rule.id:
                continue
            nom = track.noms[rule.id]
            nom.vote = council.vote(rule.id, kind, track.subject) if council is not None else None
            if council_verdict(config, nom.vote) is False:
                _refuse(config, track, rule)
                continue
            here.append(track)

        def order(t: _Track) -> tuple:
            return (t.figures, _council_order(config, t.noms[rule.id]))

        here.sort(key=order)  # stable: equal keys keep the listing order
        taken = 0
        chosen_figures: set[tuple] = set()  # the figures of those taken: a cut equal to one lost on the votes
        chosen_in_unit: set[tuple] = set()  # (unit, figures) of those taken, for the per-unit quota's cuts
        per_unit: Counter[str] = Counter()
        seen_in_unit: Counter[str] = Counter()
        position = 0
        for _, members_iter in groupby(here, key=order):
            members = list(members_iter)
            total_left = None if quota.max_total is None else quota.max_total - taken
            fit: list[_Track] = []
            unit_ties: list[tuple[str, list[_Track], int]] = []
            unit_cut: list[tuple[_Track, str]] = []
            by_unit: dict[str, list[_Track]] = {}
            for t in members:
                by_unit.setdefault(t.unit_code, []).append(t)
            for t in members:
                position += 1
                seen_in_unit[t.unit_code] += 1
                t.position, t.unit_position = position, seen_in_unit[t.unit_code]
            for code, group in by_unit.items():
                left = None if quota.max_per_unit is None else quota.max_per_unit - per_unit[code]
                if left is not None and left <= 0:
                    why = f"Vượt chỉ tiêu {quota.max_per_unit} {KIND_TEXT[kind]} mỗi đơn vị của {rule.name}; xếp thứ {{}} trong đơn vị {code}"
                    unit_cut += [(t, why.format(t.unit_position)) for t in group]
                elif left is None or len(group) <= left:
                    fit += group
                else:
                    unit_ties.append((code, group, left))
            for t, why in unit_cut:
                _cut(t, rule, why + _votes_behind(config, t.noms[rule.id], (t.unit_code, t.figures) in chosen_in_unit))
            wanted = len(fit) + sum(left for _, _, left in unit_ties)
            votes = ""
            if council is not None and council_verdict(config, members[0].noms[rule.id].vote) is True:
                votes = f", cùng được Hội đồng đồng ý với tỷ lệ {vote_text(members[0].noms[rule.id].vote)}"
            if total_left is not None and total_left <= 0:
                for t in fit + [t for _, g, _ in unit_ties for t in g]:
                    why = f"Vượt chỉ tiêu {quota.max_total} {KIND_TEXT[kind]} của {rule.name}; thứ {t.position} trong số được xét hình thức này"
                    _cut(t, rule, why + _votes_behind(config, t.noms[rule.id], t.figures in chosen_figures))
                continue
            if total_left is None or wanted <= total_left:
                for t in fit:
                    _select(t, rule, council)
                    chosen_figures.add(t.figures)
                    chosen_in_unit.add((t.unit_code, t.figures))
                    per_unit[t.unit_code] += 1
                taken += len(fit)
                for code, group, left in unit_ties:
                    _tie(group, rule, kind, f"{quota.max_per_unit} {KIND_TEXT[kind]} mỗi đơn vị của {rule.name} (đơn vị {code})", left, votes)
                    per_unit[code] += left
                    taken += left
                continue
            # The quota's last places fall inside this group: all of it is tied, for the council.
            tied = fit + [t for _, g, _ in unit_ties for t in g]
            _tie(tied, rule, kind, f"{quota.max_total} {KIND_TEXT[kind]} của {rule.name}", total_left, votes)
            taken += total_left


def _votes_behind(config: Config, nom: Nomination, equal_to_chosen: bool) -> str:
    """Why a candidate the council approved is cut all the same: the votes, and, when its figures equal a
    chosen one's, that the council's higher share went first."""
    if council_verdict(config, nom.vote) is not True:
        return ""
    assert nom.vote is not None
    if equal_to_chosen:
        return f" (cùng số liệu với trường hợp được chọn; Hội đồng đồng ý với tỷ lệ {vote_text(nom.vote)}, thấp hơn)"
    return f" (Hội đồng đồng ý với tỷ lệ {vote_text(nom.vote)})"


def _note_higher_chosen(tracks: list[_Track]) -> None:
    for track in tracks:
        for nom in track.noms.values():
            if nom.eligible is not True or nom.selected is not False or nom.note:
                continue
            if track.chosen is not None and nom.award != track.chosen.id:
                nom.note = f"Đã chọn hình thức cao hơn: {track.chosen.name} (mỗi thành tích một hình thức khen thưởng)"
            elif track.pending is not None and nom.award != track.pending.id:
                nom.note = f"Đang chờ Hội đồng quyết định {track.pending.name} (đồng hạng tại ngưỡng chỉ tiêu)"


# ---------------------------------------------------------------------------------------------------
# Entry point


def _no_result(u: UnitOutcome, scope: Scope) -> Verdict:
    status = UNIT_STATUS_TEXT.get(u.status, u.status)
    return Verdict(False, (f"Kết quả năm {scope.year}: {NO_RESULT} ({scope.current}: {status}), yêu cầu: có kết quả được tính — không đạt",))


def evaluate_awards(
    config: Config,
    *,
    period: str,
    milestone: str | None,
    units: list[UnitOutcome],
    history: HistoryView,
    council: Council | None = None,
) -> list[Nomination]:
    """One Nomination per (candidate, considered form): highest form first, collectives before
    individuals, each in quota order. ``council`` is the council's decision for this period and
    milestone, when its workbook has come back."""
    with frozen_heap():
        return _evaluate_awards(config, period=period, milestone=milestone, units=units, history=history, council=council)


def _evaluate_awards(
    config: Config, *, period: str, milestone: str | None, units: list[UnitOutcome], history: HistoryView, council: Council | None
) -> list[Nomination]:
    rules, ms = rules_for(config, period, milestone)
    scope = scope_for(config, period, ms)
    review = milestone is not None and milestone != vocab.YEARLY
    memo: dict = {}  # verdicts of people with the same facts (award_checks.evaluate)
    by_rule: dict[str, list[Nomination]] = {r.id: [] for r in rules}

    # collectives
    c_rules = [r for r in rules if r.collective is not None]
    c_tracks: list[_Track] = []
    for s in _unit_subjects(config, units, history, scope):
        u = s.outcome
        track = _Track(u.code, u.code, _unit_figures(s, scope), _unit_figures_text(s, scope), {})
        # A review is judged over its years (a year without figures is "cannot tell"), so it needs no result
        # this period; a yearly or monthly list needs this period's.
        judged = u.score is not None or review
        summary = achievement(config, s, scope) if judged else ""
        for r in c_rules:
            condition = r.collective.condition_for(at_milestone(r, ms, review))
            v = evaluate(config, condition, s, scope) if judged else _no_result(u, scope)
            nom = Nomination(r.id, r.name, COLLECTIVE, u.name, u.code, v.value, list(v.reasons), achievement=summary)
            track.noms[r.id] = nom
            by_rule[r.id].append(nom)
            if v.value is True:
                track.ladder.append(r)
        c_tracks.append(track)
    _apply_quotas(config, COLLECTIVE, c_rules, c_tracks, council)
    _note_higher_chosen(c_tracks)

    # individuals
    i_rules = [r for r in rules if r.individual is not None]
    i_tracks: list[_Track] = []
    i_noms: dict[str, list[Nomination]] = {r.id: [] for r in rules}
    for s in _person_subjects(units, history, scope):
        track = _Track(s.unit.code, s.key, _person_figures(s, scope), _person_figures_text(s, scope), {})
        verdicts: dict[str, Verdict] = {}
        for r in i_rules:
            v = evaluate(config, r.individual.condition_for(at_milestone(r, ms, review)), s, scope, memo)
            verdicts[r.id] = v
            nom = Nomination(r.id, r.name, INDIVIDUAL, s.name, s.unit.code, v.value, list(v.reasons), person=s.rows[0])
            track.noms[r.id] = nom
            i_noms[r.id].append(nom)
        _plan_person(track, s, i_rules, verdicts, config)
        i_tracks.append(track)
    _apply_quotas(config, INDIVIDUAL, i_rules, i_tracks, council)
    _note_higher_chosen(i_tracks)

    return [n for r in rules for n in by_rule[r.id] + i_noms[r.id]]

__all__ = [
    "COLLECTIVE",
    "INDIVIDUAL",
    "TIE_HEADING",
    "COUNCIL_REFUSED",
    "NOT_VOTED",
    "rules_for",
    "scope_for",
    "at_milestone",
    "council_verdict",
    "vote_text",
    "evaluate_awards",
]
