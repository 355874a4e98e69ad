"""The configuration's typed, immutable objects, and the problem records a refused configuration carries.

A wrong configuration must stop everything before any file is touched, and say precisely what to fix:
file, line, key path, the value found and what is expected, in Vietnamese. So the loader never stops at the
first problem: each check records a ``ConfigProblem`` and goes on, and ``load.load_config`` raises one
``ConfigError`` carrying all of them. The checks are in ``parse`` (criteria, units, settings) and
``awards`` (award rules), both reading through ``reader.Reader``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

CONFIG_DIR = "config"
CRITERIA_FILE = "criteria.yaml"
UNITS_FILE = "units.yaml"
SETTINGS_FILE = "settings.yaml"
CONFIG_FILES = (CRITERIA_FILE, UNITS_FILE, SETTINGS_FILE)

UNIT_CODE_RE = re.compile(r"^[A-Z][A-Z0-9_-]{1,15}$")
# Windows refuses these as file names whatever the extension.
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(1, 10)} | {f"LPT{i}" for i in range(1, 10)}
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
SHEET_FORBIDDEN = set('[]:*?/\\')
SHEET_NAME_MAX = 31
RESERVED_SHEETS = {"Không đủ điều kiện"}

METHODS = ("self", "yes_no", "scale", "deadline", "ratio", "count")
APPLIES_TO = ("all", "handles_dossiers")
EVIDENCE = ("required", "optional")
ZERO_DENOMINATOR = ("full", "zero", "not_applicable")
INDICATOR_TYPES = ("count", "date")
SECURITY = ("starttls", "ssl", "none")
COLLECTIVE_CHECKS = {
    "band_at_least": ("band",),
    "rank_at_most": ("rank",),
    "band_every_year": ("band",),
    "rank_every_year": ("rank",),
    "average_result_at_least": ("points",),
    "prior_award": ("award",),
    "score_at_least": ("criterion", "points"),
}
INDIVIDUAL_CHECKS = {
    "rating_at_least": ("rating",),
    "initiatives_at_least": ("count",),
    "rating_years": ("rating", "years"),
    "title_years": ("title", "years"),
    "rating_every_year": ("rating",),
    "initiatives_in_movement": ("count",),
    "prior_award": ("award",),
    "unit_band_at_least": ("band",),
}
CHECK_OPTIONAL_KEYS = {
    "initiatives_at_least": ("recognised",),
    "rating_years": ("initiatives", "level", "tasks", "within"),
    "title_years": ("within",),
    "initiatives_in_movement": ("level", "recognised", "include_tasks"),
    "prior_award": ("years_after",),
}
COMBINATORS = ("all_of", "any_of")
# `within: movement`: a multi-year window limited to the movement's years (the milestone's years up to the
# assessed year), so that nothing achieved before the movement counts (Law art. 5: one achievement, one reward)
WITHIN_MOVEMENT = "movement"
# A target's conditions: one for every review, or `thematic` (at a milestone of the thematic movement) and
# `regular` (a yearly review), the two kinds of emulation of Law art. 16
THEMATIC = "thematic"
REGULAR = "regular"


# ---------------------------------------------------------------------------------------------------
# Problems


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong in one configuration file."""

    file: str
    line: int | None
    path: str
    found: str
    expected: str

    def __str__(self) -> str:
        where = self.file + (f", dòng {self.line}" if self.line else "")
        key = f", khóa {self.path}" if self.path else ""
        return f"{where}{key}: giá trị '{self.found}' — cần {self.expected}."


class ConfigError(Exception):
    """The configuration is refused; ``problems`` lists every reason."""

    def __init__(self, problems: list[ConfigProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def to_decimal(value: Any) -> Decimal | None:
    """A YAML number as an exact Decimal (``1.5`` stays 1.5); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            d = Decimal(value.strip())
        except InvalidOperation:
            return None
        return d if d.is_finite() else None
    return None


# ---------------------------------------------------------------------------------------------------
# Typed configuration


@dataclass(frozen=True)
class Milestone:
    id: str
    name: str
    year: int
    quarter: int
    from_year: int

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.from_year, self.year + 1))


@dataclass(frozen=True)
class Movement:
    name: str
    short_name: str
    kind: str
    start_year: int
    end_year: int
    milestones: tuple[Milestone, ...]

    def milestone(self, milestone_id: str) -> Milestone | None:
        return next((m for m in self.milestones if m.id == milestone_id), None)


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    unit: str
    type: str  # count | date


@dataclass(frozen=True)
class Choice:
    text: str
    points: Decimal


@dataclass(frozen=True)
class Threshold:
    at_least: Decimal
    points: Decimal


@dataclass(frozen=True)
class Criterion:
    """A scored row of the template: a criterion of a field, or a bonus or penalty item.

    ``kind`` is ``criterion``, ``bonus`` or ``penalty``. Method parameters that do not apply to the
    method are None or empty.
    """

    id: str
    name: str
    max: Decimal
    step: Decimal
    method: str
    kind: str = "criterion"
    field_id: str | None = None
    applies_to: str = "all"
    evidence_required: bool = False
    choices: tuple[Choice, ...] = ()
    indicator: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    due_day: int | None = None
    due_month: int | None = None
    on_time: Decimal | None = None
    late: Decimal | None = None
    missing: Decimal | None = None
    thresholds: tuple[Threshold, ...] = ()
    below: Decimal = Decimal(0)
    zero_denominator: str | None = None

    @property
    def is_choice(self) -> bool:
        return self.method in ("yes_no", "scale")

    @property
    def is_computed(self) -> bool:
        return self.method in ("deadline", "ratio", "count")

    def choice_points(self, text: str) -> Decimal | None:
        return next((c.points for c in self.choices if c.text == text), None)

    def indicators_read(self) -> tuple[str, ...]:
        return tuple(i for i in (self.indicator, self.numerator, self.denominator) if i)


@dataclass(frozen=True)
class Field:
    id: str
    name: str
    max: Decimal
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Band:
    name: str
    min: Decimal


@dataclass(frozen=True)
class Condition:
    """An award condition: a named check with its arguments, or ``all_of``/``any_of`` over others."""

    check: str
    of: tuple["Condition", ...] = ()
    band: str | None = None
    rank: int | None = None
    award: str | None = None
    criterion: str | None = None
    points: Decimal | None = None
    rating: str | None = None
    count: int | None = None
    recognised: bool = True
    years: int | None = None
    initiatives: int = 0
    level: str = "co-so"
    title: str | None = None
    within: int | str | None = None  # a number of years, or WITHIN_MOVEMENT
    tasks: int = 0  # rating_years: S&T tasks accepted and applied in the window
    include_tasks: bool = False  # initiatives_in_movement: S&T tasks count with the initiatives
    years_after: int | None = None  # prior_award: received at least this many years before the assessed year

    def walk(self) -> Iterable["Condition"]:
        yield self
        for c in self.of:
            yield from c.walk()


@dataclass(frozen=True)
class Quota:
    max_total: int | None = None
    max_per_unit: int | None = None


@dataclass(frozen=True)
class AwardTarget:
    condition: Condition  # at a milestone (the thematic standard), and at every review when ``regular`` is None
    quota: Quota
    regular: Condition | None = None  # at a yearly review (the regular standard), when it differs

    def condition_for(self, milestone: bool) -> Condition:
        return self.condition if milestone or self.regular is None else self.regular


@dataclass(frozen=True)
class RatingShare:
    """The share of the top rating among those rated at least ``base`` (RULES.md §3), checked per unit and for
    the agency: a warning, never a refusal."""

    rating: str
    base: str
    max_percent: Decimal


@dataclass(frozen=True)
class AwardRule:
    id: str
    name: str
    sheet_name: str
    level: int
    milestones: tuple[str, ...]
    collective: AwardTarget | None
    individual: AwardTarget | None
    title: str

    def target(self, kind: str) -> AwardTarget | None:
        return self.collective if kind == "collective" else self.individual


@dataclass(frozen=True)
class Plausibility:
    """Thresholds of the plausibility warnings (``intake.plausibility``); none of them refuses a file."""

    date_months_before: int = 3  # a deadline date may fall this many months before the template's year
    initiative_indicator: str | None = None  # the count of recognised initiatives, checked against `Cá nhân`


@dataclass(frozen=True)
class Criteria:
    version: int
    movement: Movement
    default_step: Decimal
    evidence_explanation_allowed: bool
    indicators: tuple[Indicator, ...]
    fields: tuple[Field, ...]
    bonus_cap: Decimal
    bonus_items: tuple[Criterion, ...]
    penalty_items: tuple[Criterion, ...]
    bands: tuple[Band, ...]
    tie_breaks: tuple[str, ...]
    awards: tuple[AwardRule, ...]
    plausibility: Plausibility = Plausibility()
    council_approval_percent: Decimal = Decimal(50)  # votes for must be MORE than this share of those present
    rating_share: RatingShare | None = None

    @cached_property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for f in self.fields for c in f.criteria)

    @cached_property
    def scored_rows(self) -> tuple[Criterion, ...]:
        """Every row a unit scores, in template order: criteria, then bonus, then penalty items."""
        return self.criteria + self.bonus_items + self.penalty_items

    @cached_property
    def _by_id(self) -> dict[str, Any]:
        """Lookups by id, built once: scoring and writing ask thousands of times in a large run."""
        return {
            "criterion": {c.id: c for c in self.scored_rows},
            "field": {f.id: f for f in self.fields},
            "indicator": {i.id: i for i in self.indicators},
            "award": {a.id: a for a in self.awards},
        }

    @property
    def total_max(self) -> Decimal:
        return sum((f.max for f in self.fields), Decimal(0))

    def criterion(self, cid: str) -> Criterion | None:
        return self._by_id["criterion"].get(cid)

    def field(self, fid: str) -> Field | None:
        return self._by_id["field"].get(fid)

    def indicator(self, iid: str) -> Indicator | None:
        return self._by_id["indicator"].get(iid)

    def band_for(self, result: Decimal) -> str:
        for band in self.bands:
            if result >= band.min:
                return band.name
        return self.bands[-1].name

    def band_rank(self, name: str) -> int:
        """0 for the highest band."""
        return [b.name for b in self.bands].index(name)

    def award(self, award_id: str) -> AwardRule | None:
        return self._by_id["award"].get(award_id)

    def award_name(self, award_id: str) -> str:
        """The reward form's Vietnamese name; the id itself for a form no longer in the configuration
        (a record from an earlier movement)."""
        rule = self.award(award_id)
        return rule.name if rule else award_id


@dataclass(frozen=True)
class Signer:
    title_lines: tuple[str, ...]
    name: str


@dataclass(frozen=True)
class Agency:
    parent: str
    name: str
    short_name: str
    place: str
    signer: Signer
    submission_line: str
    distribution: tuple[str, ...]
    name_in_text: str = ""  # "Sở Khoa học và Công nghệ": the name inside sentences
    full_name: str = ""  # "Sở Khoa học và Công nghệ tỉnh Lâm Đồng": after names on lists that leave the agency

    @property
    def text_name(self) -> str:
        """The agency's name inside a sentence; an older units.yaml without ``name_in_text`` gets the
        capitals of ``name`` lowered after the first letter."""
        return self.name_in_text or self.name[:1] + self.name[1:].lower()

    @property
    def full_text_name(self) -> str:
        return self.full_name or self.text_name


# The document a reward form's list goes with (units.yaml ``documents.awards``)
TO_TRINH = "to-trinh"  # a submission to a superior body, which decides
QUYET_DINH = "quyet-dinh"  # the head of the agency decides himself
FORM_DOCUMENTS = (TO_TRINH, QUYET_DINH)
COUNCIL_ROLES = ("Chủ tịch Hội đồng", "Phó Chủ tịch Hội đồng", "Ủy viên thường trực", "Ủy viên", "Thư ký")


@dataclass(frozen=True)
class FormDocument:
    award: str  # the award rule's id
    kind: str  # TO_TRINH | QUYET_DINH
    symbol: str  # the symbol after the number: "TTr-SKHCN", "QĐ-SKHCN"
    addressees: tuple[str, ...] = ()  # "Kính gửi" of a tờ trình
    through: str = ""  # a tờ trình goes to its addressee through this body ("Sở Nội vụ")
    request: str = ""  # what a tờ trình asks of its addressee
    distribution: tuple[str, ...] = ()  # "Nơi nhận"

    @property
    def leaves_agency(self) -> bool:
        """A list sent up with a tờ trình names the agency after every collective and person."""
        return self.kind == TO_TRINH

    @property
    def kind_name(self) -> str:
        return "Tờ trình" if self.kind == TO_TRINH else "Quyết định"


@dataclass(frozen=True)
class CouncilMember:
    name: str  # "" when the Office has not written it yet
    position: str  # "Phó Giám đốc Sở"
    role: str  # one of COUNCIL_ROLES


@dataclass(frozen=True)
class Documents:
    """units.yaml ``documents``: what the report and the dossier's documents say beyond the agency."""

    head_title: str = "Giám đốc"  # the head of the agency, who signs a quyết định ("Giám đốc Sở ...")
    grounds: tuple[str, ...] = ()  # "Căn cứ ..." lines of a tờ trình and a quyết định
    report_symbol: str = ""
    report_distribution: tuple[str, ...] = ()
    council_name: str = "Hội đồng Thi đua - Khen thưởng"
    council_members: tuple[CouncilMember, ...] = ()
    council_distribution: tuple[str, ...] = ()
    forms: tuple[FormDocument, ...] = ()

    def form(self, award_id: str) -> FormDocument | None:
        return next((f for f in self.forms if f.award == award_id), None)


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    email: str | None
    handles_dossiers: bool
    from_year: int | None = None  # the unit's first year (created later than the movement's start)

    def existed_in(self, year: int) -> bool:
        return self.from_year is None or year >= self.from_year


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    security: str
    user: str
    password_env: str
    ca_file: str
    timeout_seconds: int
    sender_name: str
    sender_address: str
    reply_to: str
    leadership: tuple[Person, ...]
    office: tuple[Person, ...]
    max_attachments_mb: int


@dataclass(frozen=True)
class InboxSettings:
    """The Office's mailbox (IMAP): where ``collect`` reads the units' messages and ``mail --send`` files a
    copy of what it sent. Not in use while ``host`` is empty (and ``CCHT_IMAP_HOST`` not set)."""

    host: str = ""
    port: int | None = None  # None: 993 with ssl, 143 otherwise
    security: str = "ssl"
    user: str = ""
    password_env: str = "CCHT_IMAP_PASSWORD"
    ca_file: str = ""
    timeout_seconds: int = 30
    folder: str = "INBOX"
    processed_folder: str = "Đã lấy tệp"  # empty: processed messages stay where they are, marked as read
    sent_folder: str = "Sent"  # empty: no copy of sent messages


@dataclass(frozen=True)
class Limits:
    max_file_mb: int
    max_zip_entries: int
    max_uncompressed_mb: int
    max_compression_ratio: int
    max_sheet_cells: int = 500_000  # rows × columns up to a sheet's farthest value
    max_read_memory_mb: int = 1024  # what reading one file may add to a reading process's memory
    max_read_seconds: int = 120  # what reading one file may take


@dataclass(frozen=True)
class Contact:
    name: str
    title: str
    phone: str
    email: str


@dataclass(frozen=True)
class Backup:
    folder: str = "data/backup"  # relative to the working folder
    keep: int = 30  # the newest backups kept; older ones are removed


@dataclass(frozen=True)
class Settings:
    input_dir: str
    output_dir: str
    store_path: str
    deadline_day: int
    contact: Contact
    individual_rows: int
    mail: MailSettings
    limits: Limits
    inbox: InboxSettings = field(default_factory=InboxSettings)
    backup: Backup = field(default_factory=Backup)


@dataclass(frozen=True)
class Config:
    """The whole configuration of a working folder."""

    workdir: Path
    criteria: Criteria
    agency: Agency
    units: tuple[Unit, ...]
    settings: Settings
    criteria_version: str = field(default="")
    documents: Documents = field(default_factory=Documents)

    def unit(self, code: str) -> Unit | None:
        return next((u for u in self.units if u.code == code), None)

    def applies(self, criterion: Criterion, unit: Unit) -> bool:
        return criterion.applies_to == "all" or (criterion.applies_to == "handles_dossiers" and unit.handles_dossiers)

    @property
    def input_dir(self) -> Path:
        return self.workdir / self.settings.input_dir

    @property
    def output_dir(self) -> Path:
        return self.workdir / self.settings.output_dir

    @property
    def store_path(self) -> Path:
        return self.workdir / self.settings.store_path

    @property
    def backup_dir(self) -> Path:
        return self.workdir / self.settings.backup.folder


# ---------------------------------------------------------------------------------------------------
# Numbers as written


def _num(d: Decimal) -> str:
    """A Decimal as a person writes it: 3, 1.5, 0.25."""
    s = format(d.normalize(), "f")
    return s
