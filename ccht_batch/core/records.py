"""Plain records passed between the stages: read → validate → score → awards → write → mail.

They are small on purpose: a reading worker returns a ``FileRecord`` (values, not sheets), which crosses a
process boundary cheaply and is stored in SQLite as JSON. Scores are ``Decimal`` end to end, so 8.25 stays
8.25; dates are ``datetime.date``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any, Iterable, Protocol

from ccht_batch.core.issues import Issue, has_errors
from ccht_batch.core.periods import period_text
from ccht_batch.core.values import fold_key

# File statuses (summary.json ``files[].status``)
ACCEPTED = "accepted"
REJECTED = "rejected"
DUPLICATE = "duplicate"
IGNORED = "ignored"

# Unit statuses for a period (summary.json ``units[].status``)
SUBMITTED = "submitted"
CARRIED = "carried"
MISSING = "missing"
UNIT_REJECTED = "rejected"
UNIT_STATUS_TEXT = {
    SUBMITTED: "Đã nộp",
    CARRIED: "Dùng bản tháng trước",
    MISSING: "Chưa nộp",
    UNIT_REJECTED: "Bị trả lại",
}
FILE_STATUS_TEXT = {ACCEPTED: "Tiếp nhận", REJECTED: "Bị trả lại", DUPLICATE: "Trùng, không tính", IGNORED: "Bỏ qua"}

# Criterion score sources (summary.json ``units[].criteria[].source``)
SRC_SELF = "self"
SRC_COMPUTED = "computed"
SRC_APPRAISED = "appraised"
SRC_NOT_APPLICABLE = "not-applicable"
SOURCE_TEXT = {SRC_SELF: "Tự chấm", SRC_COMPUTED: "Tính từ số liệu", SRC_APPRAISED: "Thẩm định", SRC_NOT_APPLICABLE: "Không áp dụng"}


def _dec(v: Decimal | None) -> str | None:
    return None if v is None else str(v)


def _undec(v: str | None) -> Decimal | None:
    return None if v is None else Decimal(v)


@dataclass
class ScoreEntry:
    """What a unit typed on one scored row (criterion, bonus or penalty item)."""

    id: str
    cell: str  # the `Điểm tự chấm` cell, e.g. "D7"
    value: Decimal | None  # the number typed, or the points of the chosen option; None if empty
    text: str = ""  # as typed: the option's text, or the number as text
    evidence: str = ""
    evidence_cell: str = ""
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "cell": self.cell, "value": _dec(self.value), "text": self.text, "evidence": self.evidence, "evidence_cell": self.evidence_cell, "note": self.note}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "ScoreEntry":
        return cls(**{**d, "value": _undec(d.get("value"))})


@dataclass
class IndicatorEntry:
    id: str
    cell: str
    value: int | dt.date | None

    def to_dict(self) -> dict[str, Any]:
        v = self.value
        return {"id": self.id, "cell": self.cell, "value": v.isoformat() if isinstance(v, dt.date) else v, "is_date": isinstance(v, dt.date)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "IndicatorEntry":
        v = d.get("value")
        if d.get("is_date") and v is not None:
            v = dt.date.fromisoformat(v)
        return cls(id=d["id"], cell=d["cell"], value=v)


@dataclass
class PersonEntry:
    """One row of the sheet `Cá nhân`. ``valid`` is False when the row has a problem (left out of
    nominations, DESIGN.md §5); codes are vocab codes (rating ``HTXSNV``, level ``co-so``)."""

    row: int  # as Excel shows it
    name: str
    birth_year: int | None = None
    gender: str = ""
    position: str = ""
    rating: str | None = None
    initiative: str = ""
    decision: str = ""
    level: str | None = None
    proposal: str | None = None  # award rule id, or None for no proposal
    summary: str = ""
    valid: bool = True
    cell: str = ""  # the `Họ và tên` cell, e.g. "B6" (empty in records stored before it was kept)
    tasks: str = ""  # `Đề tài, đề án KH&CN đã nghiệm thu, áp dụng` (template version 2), as typed

    @property
    def initiative_recognised(self) -> bool:
        """An initiative counts once recognised: a title, a decision and a level (Law art. 3.4)."""
        return bool(self.initiative and self.decision and self.level)

    @property
    def task_titles(self) -> tuple[str, ...]:
        """The science and technology tasks the row declares: one per line or per ``;`` of the cell."""
        return split_items(self.tasks)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "PersonEntry":
        return cls(**d)


@dataclass
class Submission:
    """The values of one accepted self-assessment workbook."""

    unit_code: str
    year: int
    file_name: str
    sha256: str
    scores: dict[str, ScoreEntry] = field(default_factory=dict)
    indicators: dict[str, IndicatorEntry] = field(default_factory=dict)
    persons: list[PersonEntry] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit_code": self.unit_code,
            "year": self.year,
            "file_name": self.file_name,
            "sha256": self.sha256,
            "scores": [s.to_dict() for s in self.scores.values()],
            "indicators": [i.to_dict() for i in self.indicators.values()],
            "persons": [p.to_dict() for p in self.persons],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Submission":
        return cls(
            unit_code=d["unit_code"],
            year=d["year"],
            file_name=d["file_name"],
            sha256=d["sha256"],
            scores={s["id"]: ScoreEntry.from_dict(s) for s in d["scores"]},
            indicators={i["id"]: IndicatorEntry.from_dict(i) for i in d["indicators"]},
            persons=[PersonEntry.from_dict(p) for p in d["persons"]],
        )


@dataclass
class AppraisedScore:
    unit_code: str
    criterion_id: str
    score: Decimal
    note: str = ""
    cell: str = ""


@dataclass
class Appraisal:
    """The Office's appraisal workbook (``_meta`` kind ``appraisal``) for one period.

    ``basis``: unit code → SHA-256 of the submission each unit's scores were appraised on (written into
    the workbook's ``_meta``), so the appraisal follows that submission and no other."""

    period: str
    file_name: str
    sha256: str
    scores: list[AppraisedScore] = field(default_factory=list)
    basis: dict[str, str] = field(default_factory=dict)

    def for_unit(self, unit_code: str) -> dict[str, AppraisedScore]:
        return {s.criterion_id: s for s in self.scores if s.unit_code == unit_code}

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "file_name": self.file_name,
            "sha256": self.sha256,
            "scores": [{**s.__dict__, "score": str(s.score)} for s in self.scores],
            "basis": dict(self.basis),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Appraisal":
        return cls(
            period=d["period"],
            file_name=d["file_name"],
            sha256=d["sha256"],
            scores=[AppraisedScore(**{**s, "score": Decimal(s["score"])}) for s in d["scores"]],
            basis=dict(d.get("basis") or {}),
        )


@dataclass(frozen=True)
class CouncilVote:
    """What the emulation council (Hội đồng Thi đua - Khen thưởng) decided on one nomination, as the Office
    typed it into the council workbook after the meeting."""

    present: int | None  # members present
    votes_for: int | None
    decision: str | None  # "Đồng ý" | "Không đồng ý" | None (not decided)


APPROVE = "Đồng ý"
REFUSE = "Không đồng ý"
COUNCIL_DECISIONS = (APPROVE, REFUSE)


@dataclass
class CouncilRow:
    """One row of a filled council workbook: a candidate, a reward form and the council's vote."""

    award: str  # award rule id
    kind: str  # collective | individual
    unit_code: str
    name: str
    birth_year: int | None
    vote: CouncilVote
    cell: str = ""  # the decision cell, as Excel shows it

    @property
    def subject(self) -> str:
        """The candidate: the unit code for a collective, the person key for an individual."""
        return self.unit_code if self.kind == "collective" else person_key(self.name, self.birth_year, self.unit_code)


@dataclass
class Council:
    """The council workbook (``_meta`` kind ``council``) of one period and milestone, filled after the meeting."""

    period: str
    milestone: str | None
    file_name: str
    sha256: str
    rows: list[CouncilRow] = field(default_factory=list)

    def vote(self, award: str, kind: str, subject: str) -> CouncilVote | None:
        return self._index.get((award, kind, subject))

    @cached_property
    def _index(self) -> dict[tuple[str, str, str], CouncilVote]:
        return {(r.award, r.kind, r.subject): r.vote for r in self.rows}

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "milestone": self.milestone,
            "file_name": self.file_name,
            "sha256": self.sha256,
            "rows": [{**{k: v for k, v in r.__dict__.items() if k != "vote"}, "vote": list(_vote_tuple(r.vote))} for r in self.rows],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Council":
        rows = [CouncilRow(**{**r, "vote": CouncilVote(*r["vote"])}) for r in d["rows"]]
        return cls(period=d["period"], milestone=d["milestone"], file_name=d["file_name"], sha256=d["sha256"], rows=rows)


def _vote_tuple(v: CouncilVote) -> tuple:
    return (v.present, v.votes_for, v.decision)


@dataclass
class RawValues:
    """The input cells of one workbook as a reading worker found them, before anything is said about their
    values: the neutral raw form, one list per column (compact across the process boundary).

    Each cell belongs to a section (``SCORES``: a scored row's score, evidence and note, ``part`` 0, 1, 2;
    ``INDICATORS``; ``PERSONS``: a filled row of `Cá nhân`, ``part`` the column; ``APPRAISAL``: a filled row
    of the appraisal sheet), has a ``key`` (criterion or indicator id), a zero-based ``row`` and ``col``,
    the value as read and, for the few that hold one, its formula or error value (``formula``: cell index →
    text). ``ends`` says how many of the file's structural issues come before each section's cells end, so
    the issues of the values (``intake.values``) take their place among them. ``basis``: an appraisal's
    ``_meta`` basis (unit code → SHA-256 of the submission appraised)."""

    SCORES = 1
    INDICATORS = 2
    PERSONS = 3
    APPRAISAL = 4

    kind: str  # template | appraisal
    ends: list[int] = field(default_factory=list)
    sec: bytearray = field(default_factory=bytearray)
    part: bytearray = field(default_factory=bytearray)
    key: list[str] = field(default_factory=list)
    row: list[int] = field(default_factory=list)
    col: list[int] = field(default_factory=list)
    raw: list[Any] = field(default_factory=list)
    formula: dict[int, str] = field(default_factory=dict)
    basis: dict[str, str] = field(default_factory=dict)

    def add(self, sec: int, part: int, key: str, row: int, col: int, raw: Any, formula: str | None = None) -> None:
        if formula is not None:
            self.formula[len(self.raw)] = formula
        self.sec.append(sec)
        self.part.append(part)
        self.key.append(key)
        self.row.append(row)
        self.col.append(col)
        self.raw.append(raw)

    def __len__(self) -> int:
        return len(self.raw)


@dataclass
class FileRecord:
    """One file found in ``input/`` and what became of it. A reading worker returns it, with the raw
    values of its input cells (``raw``); the main process checks those as tables (``intake.values``) and
    replaces them with the submission or appraisal they make."""

    name: str
    sha256: str | None
    size: int
    mtime: float
    status: str  # accepted | rejected | duplicate | ignored
    kind: str | None = None  # template | appraisal | council | history | None
    unit_code: str | None = None
    year: int | None = None
    issues: list[Issue] = field(default_factory=list)
    submission: Submission | None = None
    appraisal: Appraisal | None = None
    note: str = ""
    council: Council | None = None
    raw: RawValues | None = None  # until the main process has checked the values

    @property
    def rejected(self) -> bool:
        return has_errors(self.issues)


@dataclass
class CriterionScore:
    """How one scored row counted for a unit."""

    id: str
    max: Decimal
    applicable: bool
    self_score: Decimal | None  # what the unit typed (points)
    computed: Decimal | None  # what the program computed from indicators, if the method computes
    appraised: Decimal | None
    score: Decimal  # what counts (0 when not applicable)
    source: str  # self | computed | appraised | not-applicable
    why: str = ""  # Vietnamese: how the score was reached
    kind: str = "criterion"  # criterion | bonus | penalty


@dataclass
class UnitScore:
    """A unit's scores for a period (DESIGN.md §6)."""

    unit_code: str
    criteria: list[CriterionScore]
    field_scores: dict[str, tuple[Decimal, Decimal]]  # field id → (score, applicable max)
    criteria_sum: Decimal
    applicable_max: Decimal
    bonus: Decimal  # sum of bonus items typed
    bonus_counted: Decimal  # min(bonus, cap)
    penalty: Decimal
    total: Decimal
    result: Decimal
    band: str
    issues: list[Issue] = field(default_factory=list)  # warnings about adjustments (file, cell)

    def criterion(self, cid: str) -> CriterionScore | None:
        return next((c for c in self.criteria if c.id == cid), None)


def newest_rejected(files: Iterable[FileRecord]) -> FileRecord | None:
    """A unit's newest file of the period (by modification time, then arrival) when it was rejected, else
    None. ``files`` are the unit's files of the period in arrival order.

    One rule for every output: a unit whose latest file was refused is told so plainly, with its errors,
    whether a result from an earlier file counts meanwhile (carried) or not (rejected)."""
    sent = [(f.mtime, i, f) for i, f in enumerate(files) if f.status in (ACCEPTED, REJECTED, DUPLICATE)]
    if not sent:
        return None
    newest = max(sent, key=lambda x: (x[0], x[1]))[2]
    return newest if newest.status == REJECTED else None


@dataclass(frozen=True)
class AppraisalUse:
    """How the Office's appraisal bears on a unit's counted submission (DESIGN.md §6).

    ``applied``: the appraisal of ``period`` was made on the submission that counts, so its scores count
    (also in later periods while that submission is carried); ``changed`` criteria got a score other than
    the one they would have had. Not ``applied``: the unit has sent a newer submission since the
    appraisal of ``period``, which must be appraised again."""

    period: str
    applied: bool
    changed: int = 0

    def text(self, current: str) -> str:
        """Vietnamese, for feedback and TongHop; ``current`` is the period being reported."""
        when = f"Thẩm định {period_text(self.period)}"
        if not self.applied:
            return f"{when} không còn áp dụng: đã có bảng mới, cần thẩm định lại"
        return f"{when} vẫn áp dụng" if self.period != current else f"{when} đã áp dụng"


def appraisal_for(
    appraisals: Iterable[Appraisal], unit_code: str, sha256: str, submission_period: str | None
) -> tuple[dict[str, AppraisedScore] | None, AppraisalUse | None]:
    """The appraised scores that count for a unit's counted submission, and how (``AppraisalUse``).

    ``appraisals``: the one appraisal that counts per period, the latest period first. The latest one that
    appraised the unit decides: it applies when it was made on this very submission (its ``basis``), else
    the unit has sent a newer one since and must be appraised again. An appraisal written before the
    basis was recorded applies to a submission of its period or earlier."""
    for a in appraisals:
        scores = a.for_unit(unit_code)
        if not scores:
            continue
        basis = a.basis.get(unit_code)
        if basis is not None:
            applies = basis == sha256
        else:
            applies = submission_period is not None and submission_period <= a.period
        return (scores, AppraisalUse(a.period, True)) if applies else (None, AppraisalUse(a.period, False))
    return None, None


@dataclass
class UnitOutcome:
    """A unit's state for the period after all its runs."""

    code: str
    name: str
    email: str | None
    status: str  # submitted | carried | missing | rejected
    file_name: str | None = None  # the file that counts
    submission_period: str | None = None  # the period of the file that counts
    submission: Submission | None = None
    score: UnitScore | None = None
    rank: int | None = None
    rank_change: int | None = None
    issues: list[Issue] = field(default_factory=list)  # this period's issues of this unit's files
    files: list[FileRecord] = field(default_factory=list)  # this period's files from this unit, all runs
    # the unit's newest file of the period, when it was rejected: what the unit is told first, whatever
    # result counts meanwhile (``newest_rejected``)
    rejected_file: FileRecord | None = None
    appraisal: AppraisalUse | None = None  # how an appraisal bears on the counted submission, if one does

    @property
    def sent_this_period(self) -> bool:
        """A feedback workbook is written for every unit that sent a file this period (DESIGN.md §8)."""
        return bool(self.files)

    @property
    def total(self) -> Decimal | None:
        return self.score.total if self.score else None

    @property
    def result(self) -> Decimal | None:
        return self.score.result if self.score else None

    @property
    def band(self) -> str | None:
        return self.score.band if self.score else None


@dataclass
class Candidate:
    """A collective (a unit) or an individual (a `Cá nhân` row) to check against the award rules."""

    kind: str  # collective | individual
    unit_code: str
    name: str
    person: PersonEntry | None = None
    person_key: str | None = None


@dataclass
class Nomination:
    """One candidate checked against one reward form (summary.json ``nominations``)."""

    award: str
    award_name: str
    kind: str  # collective | individual
    name: str
    unit_code: str
    eligible: bool | None  # None: cannot tell (history missing)
    reasons: list[str]
    proposed: bool = False  # the unit proposed this form for this person
    # on this form's list after the one-form rule and quotas; None: tied at a quota's last places, for the
    # council to decide (DESIGN.md §6)
    selected: bool | None = False
    note: str = ""  # why selected or not (one-form rule, quota cut, proposal refused): a processing note
    person: PersonEntry | None = None
    tie_note: str = ""  # Vietnamese: the tie at the quota (who, which figures), when ``selected`` is None
    vote: CouncilVote | None = None  # the council's decision, once its workbook is applied
    achievement: str = ""  # Vietnamese: the figures judged (a collective's years at a milestone), for the lists

    def to_json(self) -> dict[str, Any]:
        return {
            "award": self.award,
            "award_name": self.award_name,
            "kind": self.kind,
            "name": self.name,
            "unit_code": self.unit_code,
            "eligible": self.eligible,
            "reasons": list(self.reasons),
            "proposed": self.proposed,
            "selected": self.selected,
            "note": self.note,
        }


@dataclass
class RunOutcome:
    """Everything a run produced, for the writers and the store."""

    period: str
    milestone: str | None
    files: list[FileRecord]
    units: list[UnitOutcome]
    nominations: list[Nomination]
    appraisal: Appraisal | None = None
    period_files: list[FileRecord] = field(default_factory=list)  # every file of the period, all runs
    council_applied: bool = False  # the council's decisions of this period (and milestone) were applied
    # results of the year's earlier periods, as the store holds them: a table (``period``, ``unit_code``,
    # ``result``) read with pandas (``store.frames.year_results``), for the trend; None: no earlier period
    history: Any = None
    scores: Any = None  # the period's score tables (``scoring.score.Scored``), when a run made them

    @property
    def all_period_files(self) -> list[FileRecord]:
        return self.period_files or self.files

    # Indexes built once (writers ask per unit and per person; a linear scan each time is quadratic).
    # The outcome is complete when the writers see it, so caching is safe.

    @cached_property
    def _units_by_code(self) -> dict[str, UnitOutcome]:
        return {u.code: u for u in self.units}

    @cached_property
    def _nominations_by_unit(self) -> dict[str, list[Nomination]]:
        index: dict[str, list[Nomination]] = {}
        for n in self.nominations:
            index.setdefault(n.unit_code, []).append(n)
        return index

    @cached_property
    def ranked_count(self) -> int:
        return sum(1 for u in self.units if u.rank is not None)

    def unit(self, code: str) -> UnitOutcome | None:
        return self._units_by_code.get(code)

    def unit_nominations(self, code: str) -> list[Nomination]:
        return self._nominations_by_unit.get(code, [])


# ---------------------------------------------------------------------------------------------------
# Yearly history the multi-year award rules read (RULES.md §2, §3)


def person_key(name: str, birth_year: int | None, unit_code: str) -> str:
    """How a person is identified across years: folded name, birth year and unit."""
    return f"{fold_key(name)}|{birth_year or ''}|{unit_code}"


def split_items(text: str) -> tuple[str, ...]:
    """The items of a cell that lists several: one per line or separated by ``;``."""
    return tuple(part.strip() for part in text.replace("\n", ";").split(";") if part.strip())


# Kinds of recorded achievement: an initiative (sáng kiến) or a science and technology task (đề tài, đề án,
# công trình KH&CN accepted and applied, Law art. 74.1(d)).
INITIATIVE = "sang-kien"
TASK = "de-tai"

# Where a rating or a title comes from: the unit's own template (a declaration), or a decision of the head
# of the agency imported with its number and date (RULES.md §3).
SELF_DECLARED = "tu-khai"
DECIDED = "quyet-dinh"
SOURCE_TEXTS = {SELF_DECLARED: "tự khai", DECIDED: "quyết định"}


@dataclass(frozen=True)
class InitiativeRecord:
    title: str
    decision: str = ""
    decision_date: dt.date | None = None
    level: str | None = None  # co-so | tinh | toan-quoc; None: not recognised
    kind: str = INITIATIVE  # sang-kien | de-tai

    @property
    def recognised(self) -> bool:
        """An initiative counts once recognised (decision and level); an S&T task once recorded as accepted
        and applied (the history workbook and the template ask only for those)."""
        return True if self.kind == TASK else bool(self.decision and self.level)


@dataclass(frozen=True)
class PersonYear:
    year: int
    unit_code: str
    rating: str | None  # HTXSNV | HTTNV | HTNV | KHTNV | None (not recorded)
    titles: frozenset[str] = frozenset()  # LDTT, CSTDCS
    initiatives: tuple[InitiativeRecord, ...] = ()
    source: str = SELF_DECLARED  # of the rating and titles: tu-khai | quyet-dinh
    decision: str = ""  # the decision's number, when decided
    decision_date: dt.date | None = None

    @property
    def decided(self) -> bool:
        return self.source == DECIDED


@dataclass(frozen=True)
class UnitYear:
    year: int
    unit_code: str
    total: Decimal | None = None
    result: Decimal | None = None
    band: str | None = None
    rank: int | None = None
    rating: str | None = None
    titles: frozenset[str] = frozenset()  # TTLDTT, TTLDXS


@dataclass(frozen=True)
class AwardRecord:
    """A reward already received (from history import), e.g. a provincial Certificate of Merit."""

    award: str  # award rule id (for a form outside the configuration: the configured form it ranks with)
    year: int
    decision: str = ""
    decision_date: dt.date | None = None
    issuer: str = ""
    name: str = ""  # the form's own name when it is not a configured one ("Bằng khen của Bộ trưởng Bộ KH&CN")


class HistoryView(Protocol):
    """Read access to the yearly records; the store implements it, tests use an in-memory one.

    A year absent from ``person_years``/``unit_years`` is unknown ("cannot tell"), never "no".
    """

    def person_years(self, person_key: str) -> dict[int, PersonYear]: ...

    def person_awards(self, person_key: str) -> list[AwardRecord]: ...

    def unit_years(self, unit_code: str) -> dict[int, UnitYear]: ...

    def unit_awards(self, unit_code: str) -> list[AwardRecord]: ...


