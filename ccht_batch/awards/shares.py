"""The share of the top rating (``criteria.yaml`` ``rating_share``): a warning, never a refusal.

The rules on rating civil servants cap the share rated "Hoàn thành xuất sắc nhiệm vụ" at a percentage of
those rated "Hoàn thành tốt nhiệm vụ" or better, within each unit and the agency (RULES.md §3; the cap is
configuration for the Office to confirm against the decree in force). Units type their people's ratings
themselves, so a month's declarations are checked here: the consolidated workbook shows every unit's share
and the agency's, each unit's feedback its own, and the close-year preview warns where the cap is passed.
These are not issues of a file: the file is right to say what the unit declared.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

from ccht_batch.config.model import Config, RatingShare
from ccht_batch.core import vocab
from ccht_batch.core.records import UnitOutcome
from ccht_batch.core.values import fmt_number

AGENCY_LABEL = "Toàn cơ quan"


@dataclass(frozen=True)
class ShareCount:
    label: str  # the unit's name, or AGENCY_LABEL
    top: int  # rated ``rule.rating``
    base: int  # rated ``rule.base`` or better
    rule: RatingShare

    @property
    def percent(self) -> Decimal:
        return (Decimal(self.top * 100) / self.base).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if self.base else Decimal(0)

    @property
    def exceeded(self) -> bool:
        return self.base > 0 and Decimal(self.top * 100) > self.rule.max_percent * self.base

    def summary(self) -> str:
        """"2/10 (20%)": the top rating among those rated the base or better."""
        return f"{self.top}/{self.base} ({fmt_number(self.percent)}%)"

    def text(self) -> str:
        """The warning, in words, for a unit or the agency past the cap."""
        return (
            f"{self.label}: {self.top} người xếp loại {vocab.RATINGS[self.rule.rating]} trên {self.base} người xếp loại từ "
            f"{vocab.RATINGS[self.rule.base]} trở lên ({fmt_number(self.percent)}%), vượt tỷ lệ tối đa "
            f"{fmt_number(self.rule.max_percent)}%. Đề nghị rà soát lại xếp loại (tỷ lệ theo quy định về đánh giá, xếp loại "
            "đang có hiệu lực, Văn phòng Sở xác nhận)."
        )


def count_share(config: Config, label: str, ratings: Iterable[str | None]) -> ShareCount | None:
    """The share among ``ratings`` (one per person), or None when the configuration sets no cap."""
    rule = config.criteria.rating_share
    if rule is None:
        return None
    rated = [r for r in ratings if r in vocab.RATINGS]
    top = sum(1 for r in rated if r == rule.rating)
    base = sum(1 for r in rated if vocab.rating_rank(r) <= vocab.rating_rank(rule.base))
    return ShareCount(label, top, base, rule)


def unit_label(config: Config, code: str) -> str:
    unit = config.unit(code)
    return unit.name if unit else code


def all_shares(config: Config, by_unit: dict[str, list[str | None]]) -> list[tuple[str | None, ShareCount]]:
    """(unit code, count) of every unit, then (None, the agency's); empty when no cap is configured."""
    if config.criteria.rating_share is None:
        return []
    found: list[tuple[str | None, ShareCount]] = []
    everyone: list[str | None] = []
    for code, ratings in by_unit.items():
        everyone += ratings
        found.append((code, count_share(config, unit_label(config, code), ratings)))  # type: ignore[arg-type]
    found.append((None, count_share(config, AGENCY_LABEL, everyone)))  # type: ignore[arg-type]
    return found


def exceeded_shares(config: Config, by_unit: dict[str, list[str | None]]) -> list[tuple[str | None, ShareCount]]:
    """(unit code, count) of every unit past the cap, then (None, the agency's) when it is past too."""
    return [(code, share) for code, share in all_shares(config, by_unit) if share.exceeded]


def declared_ratings(units: Iterable[UnitOutcome]) -> dict[str, list[str | None]]:
    """Each unit's declared ratings of the period: the valid `Cá nhân` rows of its counted file."""
    return {u.code: [p.rating for p in u.submission.persons if p.valid] for u in units if u.score is not None and u.submission is not None}
