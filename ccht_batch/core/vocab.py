"""The movement's closed vocabularies: codes used in YAML and code, and the Vietnamese texts users see.

The texts are part of the template contract (DESIGN.md §4): drop-downs offer exactly these strings, and
readers compare against them after NFC normalisation.
"""

from __future__ import annotations

# Yearly rating of a civil servant, best first.
RATINGS: dict[str, str] = {
    "HTXSNV": "Hoàn thành xuất sắc nhiệm vụ",
    "HTTNV": "Hoàn thành tốt nhiệm vụ",
    "HTNV": "Hoàn thành nhiệm vụ",
    "KHTNV": "Không hoàn thành nhiệm vụ",
}
RATING_CODES = tuple(RATINGS)
RATING_BY_TEXT = {text: code for code, text in RATINGS.items()}


def rating_rank(code: str) -> int:
    """0 for the best rating; a larger number is a lower rating."""
    return RATING_CODES.index(code)


# Emulation titles (danh hiệu thi đua) the award rules read from the yearly history.
TITLES: dict[str, str] = {
    "LDTT": "Lao động tiên tiến",
    "CSTDCS": "Chiến sĩ thi đua cơ sở",
    "TTLDTT": "Tập thể lao động tiên tiến",
    "TTLDXS": "Tập thể lao động xuất sắc",
}
INDIVIDUAL_TITLES = ("LDTT", "CSTDCS")
COLLECTIVE_TITLES = ("TTLDTT", "TTLDXS")

# Level of the authority that recognised an initiative, lowest first.
INITIATIVE_LEVELS: dict[str, str] = {"co-so": "Cơ sở", "tinh": "Tỉnh", "toan-quoc": "Toàn quốc"}
INITIATIVE_LEVEL_CODES = tuple(INITIATIVE_LEVELS)
INITIATIVE_LEVEL_BY_TEXT = {text: code for code, text in INITIATIVE_LEVELS.items()}


def level_rank(code: str) -> int:
    """0 for base level; a larger number is a higher level."""
    return INITIATIVE_LEVEL_CODES.index(code)


GENDERS = ("Nam", "Nữ")
YES_NO = ("Có", "Không")
SCALE = ("Tốt", "Đạt", "Chưa đạt")
NOT_APPLICABLE = "Không áp dụng"

# Milestones: `yearly` is every year's review; the others are declared in criteria.yaml.
YEARLY = "yearly"
