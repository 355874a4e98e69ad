"""The configuration: the shipped defaults are whole and coherent, and every kind of mistake a maintainer
makes in the YAML stops `ccht-batch check` with exit 2 and a message naming file, line, key and value.

Each bad case starts from the real shipped files and changes their text the way a person would in an
editor, so the cases stay realistic as the defaults evolve; line numbers are computed from the edited
text, never hard-coded.
"""

from __future__ import annotations

import io
import re
import shutil
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest

from ccht_batch.cli.console import Console
from ccht_batch.cli.main import main
from ccht_batch.config.load import load_config
from ccht_batch.config.model import ConfigError
from ccht_batch.core import vocab

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "config"


# ---------------------------------------------------------------------------------------------------
# helpers


def make_workdir(tmp_path: Path) -> Path:
    shutil.copytree(SHIPPED, tmp_path / "config")
    return tmp_path


def edit(workdir: Path, name: str, old: str, new: str, line_at: str | None = None, after: str | None = None) -> int:
    """Replace the first ``old`` by ``new`` in ``config/<name>``; return the 1-based line of interest.

    The line is where ``line_at`` (default: the start of ``new``) sits in the edited text, searched from
    the replacement — or, with ``after``, the first ``line_at`` following ``after`` in the edited text.
    """
    path = workdir / "config" / name
    text = path.read_text(encoding="utf-8")
    pos = text.find(old)
    assert pos >= 0, f"the shipped {name} no longer contains {old!r}: update the case"
    edited = text[:pos] + new + text[pos + len(old) :]
    path.write_text(edited, encoding="utf-8")
    if after is not None:
        start = edited.index(after)
        at = edited.index(line_at, start)
    else:
        at = pos + (new.index(line_at) if line_at else 0)
    return edited[:at].count("\n") + 1


def check(workdir: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--workdir", str(workdir), "check"], console=Console(out=out, err=err))
    return code, out.getvalue(), err.getvalue()


def problem_lines(err: str) -> list[str]:
    return [line.strip()[2:] for line in err.splitlines() if line.strip().startswith("- ")]


def assert_problem(err: str, name: str, line: int | None, path: str, value: str) -> str:
    """The one reported problem at ``config/<name>``, ``line`` with this key path and value; returned."""
    where = f"config/{name}, dòng {line}" if line is not None else f"config/{name}"
    found = [p for p in problem_lines(err) if p.startswith(where + ",") or p.startswith(where + ":")]
    assert found, f"no problem at {where}:\n{err}"
    matching = [p for p in found if (not path or f"khóa {path}:" in p) and f"'{value}'" in p]
    assert matching, f"no problem at {where} with key {path!r} and value {value!r}:\n{err}"
    return matching[0]


# ---------------------------------------------------------------------------------------------------
# the shipped configuration


@pytest.fixture(scope="module")
def shipped():
    return load_config(REPO)


def test_check_exits_0_on_the_shipped_config(tmp_path):
    code, out, err = check(make_workdir(tmp_path))
    assert code == 0, err
    assert "Cấu hình hợp lệ." in out
    assert "tiêu chí: 18" in out and "tổng điểm tối đa: 100" in out
    assert "Bằng khen của Chủ tịch UBND tỉnh: tờ trình /TTr-SKHCN; Giấy khen của Giám đốc Sở: quyết định /QĐ-SKHCN" in out
    assert err == ""


def test_default_tree_has_18_criteria_in_5_fields_summing_to_100(shipped):
    c = shipped.criteria
    assert [f.id for f in c.fields] == ["1", "2", "3", "4", "5"]
    assert len(c.criteria) == 18
    assert c.total_max == Decimal(100)
    for f in c.fields:
        assert sum((x.max for x in f.criteria), Decimal(0)) == f.max, f.id
    assert len({x.id for x in c.scored_rows} | {f.id for f in c.fields}) == len(c.scored_rows) + len(c.fields)


def test_every_indicator_is_read_by_some_criterion(shipped):
    read = {i for x in shipped.criteria.criteria for i in x.indicators_read()}
    declared = {i.id for i in shipped.criteria.indicators}
    assert declared == read


def test_every_criterion_maximum_is_reachable(shipped):
    for x in shipped.criteria.criteria:
        if x.is_choice:
            assert max(ch.points for ch in x.choices) == x.max, x.id
            assert min(ch.points for ch in x.choices) >= 0, x.id
        elif x.method == "deadline":
            assert x.on_time == x.max, x.id
        elif x.method in ("ratio", "count"):
            assert x.thresholds[0].points == x.max, x.id
            assert x.below <= x.thresholds[-1].points, x.id
        else:
            assert x.max % x.step == 0, x.id
    for item in shipped.criteria.bonus_items + shipped.criteria.penalty_items:
        assert item.max % item.step == 0, item.id


def test_every_band_is_reachable_strictly_descending_to_0(shipped):
    mins = [b.min for b in shipped.criteria.bands]
    assert mins == sorted(mins, reverse=True) and len(set(mins)) == len(mins)
    assert mins[-1] == 0
    assert mins[0] <= 100  # a unit at full marks reaches the top band
    assert [b.name for b in shipped.criteria.bands] == ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"]


def test_every_award_rule_applies_somewhere_and_refers_to_known_things(shipped):
    c = shipped.criteria
    milestone_ids = {m.id for m in c.movement.milestones} | {vocab.YEARLY}
    rule_ids = {a.id for a in c.awards}
    band_names = {b.name for b in c.bands}
    criterion_ids = {f.id for f in c.fields} | {x.id for x in c.criteria}
    assert {a.id for a in c.awards} == {"bang-khen-ttcp", "bang-khen-ubnd", "giay-khen-giam-doc"}
    for rule in c.awards:
        assert rule.milestones and set(rule.milestones) <= milestone_ids, rule.id
        assert len(rule.sheet_name) <= 31, rule.id
        targets = [t for t in (rule.collective, rule.individual) if t is not None]
        assert targets, rule.id
        for t in targets:
            for cond in t.condition.walk():
                if cond.check == "prior_award":
                    assert cond.award in rule_ids and cond.award != rule.id, rule.id
                if cond.band is not None:
                    assert cond.band in band_names, rule.id
                if cond.criterion is not None:
                    assert cond.criterion in criterion_ids, rule.id
                if cond.rating is not None:
                    assert cond.rating in vocab.RATING_CODES, rule.id
                if cond.title is not None:
                    assert cond.title in vocab.TITLES, rule.id
    # Each milestone of the movement has at least one rule, and so has the yearly review.
    for m in milestone_ids:
        assert any(m in rule.milestones for rule in c.awards), m


def test_tie_breaks_name_fields_and_units_are_safe(shipped):
    field_ids = {f.id for f in shipped.criteria.fields}
    assert set(shipped.criteria.tie_breaks) <= field_ids
    codes = [u.code for u in shipped.units]
    assert len(codes) == 9 and len(set(codes)) == 9
    assert all(u.email for u in shipped.units)


# ---------------------------------------------------------------------------------------------------
# one mistake, one located message


# (case id, file, old text, new text, line_at, after, key path, value shown)
CASES = [
    ("duplicate-criterion-id", "criteria.yaml", '- id: "1.2"', '- id: "1.1"', None, None, "fields[0].criteria[1].id", "1.1"),
    ("duplicate-field-id", "criteria.yaml", '- id: "5"', '- id: "4"', None, None, "fields[4].id", "4"),
    ("duplicate-bonus-id", "criteria.yaml", "- id: T2", "- id: T1", None, None, "bonus.items[1].id", "T1"),
    (
        "field-max-not-sum-of-children",
        "criteria.yaml",
        'name: "Lãnh đạo, chỉ đạo công tác cải cách hành chính"\n    max: 15',
        'name: "Lãnh đạo, chỉ đạo công tác cải cách hành chính"\n    max: 16',
        "max: 16",
        None,
        "fields[0].max",
        "16",
    ),
    (
        "missing-ratio-zero-denominator",
        "criteria.yaml",
        '          zero_denominator: zero\n        evidence: required\n      - id: "1.3"',
        '        evidence: required\n      - id: "1.3"',
        "params:",
        '- id: "1.2"',
        "fields[0].criteria[1].params.zero_denominator",
        "(trống)",
    ),
    (
        "missing-deadline-due",
        "criteria.yaml",
        '          due: "31/01"          # hạn ban hành kế hoạch: ngày 31 tháng 01 hằng năm [ĐỀ XUẤT]\n',
        "",
        "params:",
        '- id: "1.1"',
        "fields[0].criteria[0].params.due",
        "(trống)",
    ),
    (
        "missing-count-indicator",
        "criteria.yaml",
        "          indicator: TT_TIN_BAI\n",
        "",
        "params:",
        '- id: "2.2"',
        "fields[1].criteria[1].params.indicator",
        "(trống)",
    ),
    (
        "missing-choices",
        "criteria.yaml",
        '        params:\n          choices: {"Có": 3, "Không": 0}\n',
        "",
        '- id: "1.3"',  # no params at all: the criterion's own line
        '- id: "1.3"',
        "fields[0].criteria[2].params.choices",
        "(trống)",
    ),
    (
        "threshold-at-least-not-descending",
        "criteria.yaml",
        "{at_least: 90, points: 4}",
        "{at_least: 100, points: 4}",
        None,
        None,
        "fields[0].criteria[1].params.thresholds[1].at_least",
        "100",
    ),
    (
        "threshold-points-not-descending",
        "criteria.yaml",
        "{at_least: 2, points: 3}",
        "{at_least: 2, points: 5}",
        None,
        None,
        "fields[1].criteria[0].params.thresholds[2].points",
        "5",
    ),
    (
        "top-threshold-below-max",
        "criteria.yaml",
        "{at_least: 12, points: 4}",
        "{at_least: 12, points: 3}",
        None,
        None,
        "fields[1].criteria[1].params.thresholds[0].points",
        "3",
    ),
    ("band-overlap", "criteria.yaml", '{name: "Tốt", min: 80}', '{name: "Tốt", min: 95}', None, None, "bands[1].min", "95"),
    ("band-equal-min", "criteria.yaml", '{name: "Khá", min: 65}', '{name: "Khá", min: 80}', None, None, "bands[2].min", "80"),
    ("lowest-band-not-0", "criteria.yaml", '{name: "Yếu", min: 0}', '{name: "Yếu", min: 10}', None, None, "bands[4].min", "10"),
    (
        "award-unknown-criterion",
        "criteria.yaml",
        "{check: rank_every_year, rank: 3}",
        '{check: score_at_least, criterion: "9.9", points: 5}',
        None,
        None,
        "awards.rules[1].collective.all_of[1].criterion",
        "9.9",
    ),
    (
        "award-unknown-title",
        "criteria.yaml",
        "title: CSTDCS, years: 3",
        "title: CSTDTINH, years: 3",
        None,
        None,
        "awards.rules[0].individual.regular.all_of[2].title",
        "CSTDTINH",
    ),
    ("award-unknown-band", "criteria.yaml", 'band: "Tốt"', 'band: "Giỏi"', None, None, "awards.rules[2].collective.thematic.band", "Giỏi"),
    (
        "award-unknown-award",
        "criteria.yaml",
        "{check: prior_award, award: bang-khen-ubnd, years_after: 5}",
        "{check: prior_award, award: bang-khen-tinh, years_after: 5}",
        None,
        None,
        "awards.rules[0].individual.regular.all_of[0].award",
        "bang-khen-tinh",
    ),
    (
        "award-unknown-rating",
        "criteria.yaml",
        "{check: rating_at_least, rating: HTXSNV}",
        "{check: rating_at_least, rating: XUATSAC}",
        None,
        None,
        "awards.rules[1].individual.thematic.all_of[1].rating",
        "XUATSAC",
    ),
    (
        "award-unknown-check",
        "criteria.yaml",
        "{check: rank_every_year, rank: 3}",
        "{check: rank_below, rank: 3}",
        None,
        None,
        "awards.rules[1].collective.all_of[1].check",
        "rank_below",
    ),
    (
        "award-unknown-milestone",
        "criteria.yaml",
        "milestones: [tong-ket]",
        "milestones: [tong-ket, giua-ky]",
        None,
        None,
        "awards.rules[0].milestones[1]",
        "giua-ky",
    ),
    (
        "award-no-milestone",
        "criteria.yaml",
        "milestones: [tong-ket]",
        "milestones: []",
        None,
        None,
        "awards.rules[0].milestones",
        "[]",
    ),
    (
        "sheet-name-over-31",
        "criteria.yaml",
        'sheet_name: "BK Thủ tướng"',
        'sheet_name: "Bằng khen của Thủ tướng Chính phủ (cá nhân)"',
        None,
        None,
        "awards.rules[0].sheet_name",
        "Bằng khen của Thủ tướng Chính phủ (cá nhân)",
    ),
    ("sheet-name-forbidden-char", "criteria.yaml", 'sheet_name: "BK Thủ tướng"', 'sheet_name: "BK Thủ tướng/TTCP"', None, None, "awards.rules[0].sheet_name", "BK Thủ tướng/TTCP"),
    (
        "unused-indicator",
        "criteria.yaml",
        "  - {id: BC_DUNGHAN,",
        '  - {id: DU_THUA, name: "Chỉ số không tiêu chí nào dùng", unit: "cái", type: count}\n  - {id: BC_DUNGHAN,',
        None,
        None,
        "indicators[16].id",
        "DU_THUA",
    ),
    (
        "indicator-no-longer-read",
        "criteria.yaml",
        "indicator: DX_VANBAN",
        "indicator: SK_CONGNHAN",
        "{id: DX_VANBAN",
        "indicators:",
        "indicators[13].id",
        "DX_VANBAN",
    ),
    (
        "unknown-indicator",
        "criteria.yaml",
        "numerator: KH_NV_XONG",
        "numerator: KH_NV_HOANTHANH",
        None,
        None,
        "fields[0].criteria[1].params.numerator",
        "KH_NV_HOANTHANH",
    ),
    ("unit-code-slash", "units.yaml", "code: TTRA", 'code: "TT/RA"', None, None, "units[1].code", "TT/RA"),
    ("unit-code-lowercase", "units.yaml", "code: TTRA", "code: ttra", None, None, "units[1].code", "ttra"),
    ("unit-code-diacritics", "units.yaml", "code: TTRA", "code: PHÒNG", None, None, "units[1].code", "PHÒNG"),
    ("unit-code-too-long", "units.yaml", "code: TTRA", "code: THANHTRASOKHCNLD1", None, None, "units[1].code", "THANHTRASOKHCNLD1"),
    ("unit-code-windows-con", "units.yaml", "code: TTRA", "code: CON", None, None, "units[1].code", "CON"),
    ("unit-code-windows-com1", "units.yaml", "code: TTRA", "code: COM1", None, None, "units[1].code", "COM1"),
    ("unit-code-windows-lpt9", "units.yaml", "code: TTRA", "code: LPT9", None, None, "units[1].code", "LPT9"),
    ("unit-code-duplicate", "units.yaml", "code: TTRA", "code: VP", None, None, "units[1].code", "VP"),
    ("unit-email-double-at", "units.yaml", "email: khtc.skhcn@lamdong.gov.vn", "email: khtc.skhcn@@lamdong.gov.vn", None, None, "units[2].email", "khtc.skhcn@@lamdong.gov.vn"),
    ("unit-email-space", "units.yaml", "email: qlkh.skhcn@lamdong.gov.vn", "email: qlkh.skhcn lamdong.gov.vn", None, None, "units[3].email", "qlkh.skhcn lamdong.gov.vn"),
    ("sender-email-no-domain", "settings.yaml", "address: vanphong.skhcn@lamdong.gov.vn", "address: vanphong.skhcn@lamdong", None, None, "mail.sender.address", "vanphong.skhcn@lamdong"),
    (
        "leadership-email-bad",
        "settings.yaml",
        "email: bgd.skhcn@lamdong.gov.vn}",
        "email: bgd.skhcn.lamdong.gov.vn}",
        None,
        None,
        "mail.leadership[0].email",
        "bgd.skhcn.lamdong.gov.vn",
    ),
    (
        "duplicate-key",
        "criteria.yaml",
        "    max: 10\n    criteria:",
        "    max: 10\n    max: 12\n    criteria:",
        "max: 12",
        None,
        "fields[1].max",
        "12",
    ),
    (
        "unknown-key-criterion",
        "criteria.yaml",
        "applies_to: handles_dossiers\n        evidence: required",
        "applies_to: handles_dossiers\n        evidense: required",
        "evidense",
        None,
        "fields[2].criteria[1].evidense",
        "evidense",
    ),
    ("unknown-key-unit", "units.yaml", "handles_dossiers: false", "handle_dossiers: false", None, None, "units[1].handle_dossiers", "handle_dossiers"),
    ("unknown-key-settings", "settings.yaml", "day_of_month: 5", "day_of_months: 5", None, None, "deadline.day_of_months", "day_of_months"),
    ("method-typo", "criteria.yaml", "method: deadline", "method: dealine", None, None, "fields[0].criteria[0].method", "dealine"),
    ("wrong-value-type", "criteria.yaml", "default_step: 0.25", "default_step: nửa", None, None, "scoring.default_step", "nửa"),
    ("deadline-day-out-of-range", "settings.yaml", "day_of_month: 5", "day_of_month: 31", None, None, "deadline.day_of_month", "31"),
    # units.yaml documents (ISSUE 13): the document each reward form's list goes with, the council
    ("documents-unknown-award", "units.yaml", "    giay-khen-giam-doc:\n      document:", "    giay-khen-giam-doc-so:\n      document:",
     None, None, "documents.awards.giay-khen-giam-doc-so", "giay-khen-giam-doc-so"),
    ("documents-kind-typo", "units.yaml", "document: quyet-dinh", "document: quyet-dinh-so", None, None,
     "documents.awards.giay-khen-giam-doc.document", "quyet-dinh-so"),
    ("documents-to-trinh-without-addressee", "units.yaml", '      addressees: ["Ủy ban nhân dân tỉnh Lâm Đồng"]\n      through: "Sở Nội vụ"\n      request: "xem xét, tặng',
     '      addressees: []\n      through: "Sở Nội vụ"\n      request: "xem xét, tặng', "addressees", None, "documents.awards.bang-khen-ubnd.addressees", "[]"),
    ("documents-council-role", "units.yaml", 'role: "Thư ký"', 'role: "Thư kí"', None, None, "documents.council.members[4].role", "Thư kí"),
    ("documents-empty-distribution-line", "units.yaml", '      - "UBND tỉnh (báo cáo);"', '      - ""', None, None, "documents.report.distribution[0]", ""),
    ("plausibility-indicator-unknown", "criteria.yaml", "initiative_indicator: SK_CONGNHAN", "initiative_indicator: SANG_KIEN", None, None,
     "plausibility.initiative_indicator", "SANG_KIEN"),
    ("plausibility-indicator-a-date", "criteria.yaml", "initiative_indicator: SK_CONGNHAN", "initiative_indicator: KH_NGAY", None, None,
     "plausibility.initiative_indicator", "KH_NGAY"),
    ("plausibility-months-negative", "criteria.yaml", "date_months_before: 3", "date_months_before: -1", None, None,
     "plausibility.date_months_before", "-1"),
    ("plausibility-unknown-key", "criteria.yaml", "date_months_before: 3", "date_month_before: 3", None, None,
     "plausibility.date_month_before", "date_month_before"),
    # the awards work: windows limited to the movement, prior awards tied to a window, the two standards,
    # the council's threshold, the share of the top rating, a unit's first year
    (
        "award-within-not-movement",
        "criteria.yaml",
        "{check: title_years, title: CSTDCS, years: 2, within: 2}",
        "{check: title_years, title: CSTDCS, years: 2, within: phong-trao}",
        None,
        None,
        "awards.rules[1].individual.regular.any_of[0].within",
        "phong-trao",
    ),
    (
        "award-rating-years-within-a-number",
        "criteria.yaml",
        "{check: rating_years, rating: HTXSNV, years: 2, tasks: 2}",
        "{check: rating_years, rating: HTXSNV, years: 2, tasks: 2, within: 3}",
        None,
        None,
        "awards.rules[1].individual.regular.any_of[2].within",
        "3",
    ),
    (
        "award-years-after-zero",
        "criteria.yaml",
        "award: bang-khen-ubnd, years_after: 5}",
        "award: bang-khen-ubnd, years_after: 0}",
        None,
        None,
        "awards.rules[0].individual.regular.all_of[0].years_after",
        "0",
    ),
    (
        "award-target-key-misspelt",
        "criteria.yaml",
        "        regular:\n          any_of:\n            - {check: title_years",
        "        reguler:\n          any_of:\n            - {check: title_years",
        "reguler",
        None,
        "awards.rules[1].individual.reguler",
        "reguler",
    ),
    ("council-threshold-100", "criteria.yaml", "approval_percent: 50", "approval_percent: 100", None, None, "awards.council.approval_percent", "100"),
    ("rating-share-unknown-rating", "criteria.yaml", "  rating: HTXSNV\n  base: HTTNV", "  rating: XUATSAC\n  base: HTTNV", None, None, "rating_share.rating", "XUATSAC"),
    ("rating-share-base-above", "criteria.yaml", "  rating: HTXSNV\n  base: HTTNV", "  rating: HTTNV\n  base: HTXSNV", "base", None, "rating_share.base", "HTXSNV"),
    ("rating-share-over-100", "criteria.yaml", "max_percent: 20", "max_percent: 120", None, None, "rating_share.max_percent", "120"),
    ("unit-from-year-text", "units.yaml", "from_year: 2025 ", "from_year: năm-2025 ", None, None, "units[5].from_year", "năm-2025"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_config_case_exits_2_naming_file_line_key_and_value(tmp_path, case):
    _, name, old, new, line_at, after, path, value = case
    workdir = make_workdir(tmp_path)
    line = edit(workdir, name, old, new, line_at, after)
    code, out, err = check(workdir)
    assert code == 2
    assert out == ""
    assert err.startswith("Cấu hình không hợp lệ, chưa làm gì.")
    message = assert_problem(err, name, line, path, value)
    assert " — cần " in message  # says what is expected


def test_unknown_key_suggests_the_closest_key(tmp_path):
    workdir = make_workdir(tmp_path)
    line = edit(workdir, "criteria.yaml", "        evidence: optional\n\n  - id: \"2\"", "        evidance: optional\n\n  - id: \"2\"")
    code, _, err = check(workdir)
    assert code == 2
    message = assert_problem(err, "criteria.yaml", line, "fields[0].criteria[3].evidance", "evidance")
    assert "có phải 'evidence'?" in message


def test_missing_choice_key_lists_the_allowed_values(tmp_path):
    workdir = make_workdir(tmp_path)
    edit(workdir, "criteria.yaml", "          zero_denominator: zero\n        evidence: required\n      - id: \"1.3\"", "        evidence: required\n      - id: \"1.3\"")
    _, _, err = check(workdir)
    assert "full, zero, not_applicable" in err


def test_a_windows_reserved_name_is_explained(tmp_path):
    workdir = make_workdir(tmp_path)
    edit(workdir, "units.yaml", "code: TTRA", "code: NUL")
    _, _, err = check(workdir)
    assert "Windows không cho đặt tên tệp là NUL" in err


# ---------------------------------------------------------------------------------------------------
# YAML syntax: the line where the person must look


SYNTAX_CASES = [
    # (case id, file, old, new, line_at, words in the message)
    ("missing-colon", "criteria.yaml", "    max: 15\n    criteria:", "    max 15\n    criteria:", "max 15", "thiếu dấu hai chấm"),
    (
        "unclosed-quote",
        "criteria.yaml",
        'name: "Công tác tuyên truyền cải cách hành chính"',
        'name: "Công tác tuyên truyền cải cách hành chính',
        None,
        "ngoặc kép",
    ),
    ("unclosed-quote-at-end", "units.yaml", 'name: "Trung tâm Ứng dụng tiến bộ khoa học và công nghệ"', 'name: "Trung tâm Ứng dụng tiến bộ khoa học và công nghệ', None, "chưa được đóng"),
    ("tab-indent", "settings.yaml", "  port: 587\n", "  port: 587\n\tuser: x\n", "\tuser", "Tab"),
    (
        "bad-indentation",
        "criteria.yaml",
        '        evidence: optional\n\n  - id: "2"',
        '        evidence: optional\n       max: 4\n\n  - id: "2"',
        "       max: 4",
        "thụt lề",
    ),
    ("unclosed-brace", "criteria.yaml", 'choices: {"Có": 3, "Không": 0}', 'choices: {"Có": 3, "Không": 0', None, "'}'"),
    ("windows-path-in-double-quotes", "settings.yaml", "store: data/ccht-batch.sqlite", 'store: "C:\\du_lieu\\ccht.sqlite"', None, "đường dẫn Windows"),
]


@pytest.mark.parametrize("case", SYNTAX_CASES, ids=[c[0] for c in SYNTAX_CASES])
def test_yaml_syntax_error_exits_2_with_its_line(tmp_path, case):
    _, name, old, new, line_at, words = case
    workdir = make_workdir(tmp_path)
    line = edit(workdir, name, old, new, line_at)
    code, out, err = check(workdir)
    assert code == 2 and out == ""
    problems = [p for p in problem_lines(err) if p.startswith(f"config/{name}, dòng {line}:")]
    assert problems, err
    assert "lỗi cú pháp YAML" in problems[0] and words in problems[0], problems[0]


def test_a_file_not_in_utf8_names_its_line(tmp_path):
    # Saved as Windows-1258 by an old editor: the first line with a Vietnamese letter is named.
    workdir = make_workdir(tmp_path)
    path = workdir / "config" / "units.yaml"
    text = path.read_text(encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if not t.isascii())
    path.write_bytes(text.encode("cp1258", errors="replace"))
    code, _, err = check(workdir)
    assert code == 2
    assert problem_lines(err)[0].startswith(f"config/units.yaml, dòng {line}:")
    assert "UTF-8" in err


def test_a_missing_file_says_how_to_get_the_defaults(tmp_path):
    workdir = make_workdir(tmp_path)
    (workdir / "config" / "settings.yaml").unlink()
    code, _, err = check(workdir)
    assert code == 2
    assert "config/settings.yaml" in err and "ccht-batch init" in err


# ---------------------------------------------------------------------------------------------------
# all at once, and no cascades


def test_several_problems_in_one_file_are_all_reported_at_once(tmp_path):
    workdir = make_workdir(tmp_path)
    lines = [
        edit(workdir, "criteria.yaml", '- id: "1.2"', '- id: "1.1"'),
        edit(workdir, "criteria.yaml", '{name: "Tốt", min: 80}', '{name: "Tốt", min: 95}'),
        edit(workdir, "criteria.yaml", 'sheet_name: "BK Thủ tướng"', 'sheet_name: "Bằng khen của Thủ tướng Chính phủ (cá nhân)"'),
        edit(workdir, "criteria.yaml", "{check: rating_at_least, rating: HTXSNV}", "{check: rating_at_least, rating: XUATSAC}"),
    ]
    code, _, err = check(workdir)
    assert code == 2
    assert_problem(err, "criteria.yaml", lines[0], "fields[0].criteria[1].id", "1.1")
    assert_problem(err, "criteria.yaml", lines[1], "bands[1].min", "95")
    assert_problem(err, "criteria.yaml", lines[2], "awards.rules[0].sheet_name", "Bằng khen của Thủ tướng Chính phủ (cá nhân)")
    assert_problem(err, "criteria.yaml", lines[3], "awards.rules[1].individual.thematic.all_of[1].rating", "XUATSAC")
    assert len(problem_lines(err)) == 4


def test_problems_in_all_three_files_are_reported_together(tmp_path):
    workdir = make_workdir(tmp_path)
    a = edit(workdir, "criteria.yaml", "    max: 15\n    criteria:", "    max 15\n    criteria:", "max 15")
    b = edit(workdir, "units.yaml", "code: TTRA", "code: CON")
    c = edit(workdir, "settings.yaml", "address: vanphong.skhcn@lamdong.gov.vn", "address: vanphong")
    code, _, err = check(workdir)
    assert code == 2
    problems = problem_lines(err)
    assert any(p.startswith(f"config/criteria.yaml, dòng {a}:") for p in problems)
    assert_problem(err, "units.yaml", b, "units[1].code", "CON")
    assert_problem(err, "settings.yaml", c, "mail.sender.address", "vanphong")
    assert len(problems) == 3


def test_a_broken_criterion_does_not_make_its_indicators_unused_or_its_id_unknown(tmp_path):
    # 3.2's method misspelt: only that is reported, not "HS_DUNGHAN unused" nor an unknown tie-break.
    workdir = make_workdir(tmp_path)
    edit(workdir, "criteria.yaml", 'tie_breaks: ["3", "5"]', 'tie_breaks: ["3.2", "5"]')
    line = edit(workdir, "criteria.yaml", "method: ratio\n        params:\n          numerator: HS_DUNGHAN", "method: tyle\n        params:\n          numerator: HS_DUNGHAN")
    code, _, err = check(workdir)
    assert code == 2
    assert_problem(err, "criteria.yaml", line, "fields[2].criteria[1].method", "tyle")
    assert len(problem_lines(err)) == 1, err


def test_unhashable_values_are_reported_not_crashing(tmp_path):
    workdir = make_workdir(tmp_path)
    a = edit(workdir, "criteria.yaml", "milestones: [tong-ket]", "milestones: [{so: 1}]")
    b = edit(workdir, "criteria.yaml", '- {check: band_every_year, band: "Xuất sắc"}', '- {check: [band_every_year], band: "Xuất sắc"}')
    code, _, err = check(workdir)
    assert code == 2
    assert f"config/criteria.yaml, dòng {a}, khóa awards.rules[0].milestones[0]" in err
    assert f"config/criteria.yaml, dòng {b}, khóa awards.rules[1].collective.all_of[0].check" in err


# ---------------------------------------------------------------------------------------------------
# values read as the maintainer typed them


def test_an_unquoted_decimal_id_keeps_its_trailing_zero(tmp_path):
    # `id: 3.10` is the float 3.1 to YAML; it must stay "3.10" (and not collide with a "3.1").
    workdir = make_workdir(tmp_path)
    edit(workdir, "criteria.yaml", '- id: "3.1"\n', "- id: 3.10\n")
    cfg = load_config(workdir)
    assert cfg.criteria.fields[2].criteria[0].id == "3.10"


def test_decomposed_vietnamese_text_is_read_as_nfc(tmp_path):
    # An editor saving NFD ("o" + combining hook) must not break the "Có"/"Không" choices or band names.
    workdir = make_workdir(tmp_path)
    path = workdir / "config" / "criteria.yaml"
    path.write_text(unicodedata.normalize("NFD", path.read_text(encoding="utf-8")), encoding="utf-8")
    cfg = load_config(workdir)
    assert cfg.criteria.criterion("1.3").choices[0].text == "Có"
    assert cfg.criteria.bands[0].name == "Xuất sắc"
    assert cfg.criteria.awards[0].sheet_name == "BK Thủ tướng"


def test_config_error_carries_every_problem_for_library_callers(tmp_path):
    workdir = make_workdir(tmp_path)
    edit(workdir, "units.yaml", "code: TTRA", "code: CON")
    edit(workdir, "units.yaml", "code: KHTC", "code: AUX")
    with pytest.raises(ConfigError) as info:
        load_config(workdir)
    assert [p.found for p in info.value.problems] == ["CON", "AUX"]
    assert all(p.file == "config/units.yaml" and p.line for p in info.value.problems)


def test_every_default_award_condition_is_tagged_with_its_article_or_as_a_proposal():
    """Each condition line of the shipped rules says where it comes from: `[Luật Điều …]` only for what the
    article says (arts. 5, 16, 73, 74 of Law 06/2022/QH15), `[ĐỀ XUẤT]` for the Office to confirm."""
    text = (SHIPPED / "criteria.yaml").read_text(encoding="utf-8")
    awards = text[text.index("\nawards:"):]
    checks = [line for line in awards.splitlines() if "check:" in line and not line.lstrip().startswith("#")]
    assert len(checks) >= 20
    for line in checks:
        comment = line.split("#", 1)[1] if "#" in line else ""
        assert "[ĐỀ XUẤT]" in comment or "[Luật Điều " in comment, line
    tags = set(re.findall(r"\[Luật Điều ([^\]]+)\]", text))
    assert tags == {"5", "16", "73.1.a", "73.1.b", "74.1.a", "74.1.d"}
    assert "[Luật]" not in text


# ---------------------------------------------------------------------------------------------------
# hostile or broken YAML: bounded, and said with the line (exit 2, never a crash or exit 3)


def _laughs(levels: int = 9) -> str:
    """The "billion laughs": each anchor holds nine aliases of the previous one (a few hundred bytes)."""
    lines = ['  lol0: &l0 ["ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha"]']
    for i in range(1, levels + 1):
        lines.append(f"  lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


HOSTILE_CASES = [
    # (case id, text appended to units.yaml, the problem's line within it, the key named, words in the problem)
    ("alias-bomb", "bomb:\n" + _laughs(), 0, "bomb", "bí danh"),
    ("recursive-alias", "rec: &r [*r]\n", 0, "rec", "trỏ vào chính"),
    ("deep-block-nesting", "".join("  " * i + f"k{i}:\n" for i in range(80)) + "  " * 80 + "x: 1\n", 64, "k0", "lồng nhau"),
    ("deep-flow-nesting", "deep: " + "[" * 3000 + "]" * 3000 + "\n", 0, None, "lồng nhau"),
    ("nul-character", 'nul: "a\x00b"\n', 0, None, "U+0000"),
    ("escape-character", "esc: a\x1bb\n", 0, None, "U+001B"),
]


@pytest.mark.parametrize("case", HOSTILE_CASES, ids=[c[0] for c in HOSTILE_CASES])
def test_hostile_yaml_is_a_configuration_problem_with_its_line(tmp_path, case):
    _, added, offset, key, words = case
    workdir = make_workdir(tmp_path)
    path = workdir / "config" / "units.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + added, encoding="utf-8")
    line = text.count("\n") + 1 + offset
    code, out, err = check(workdir)
    assert code == 2 and out == "", err
    problems = [p for p in problem_lines(err) if p.startswith(f"config/units.yaml, dòng {line}") and words in p]
    assert problems, err
    if key:
        assert f"khóa {key}" in problems[0]
    # the monthly run stops the same way, before touching anything
    (workdir / "input").mkdir()
    out_io, err_io = io.StringIO(), io.StringIO()
    assert main(["--workdir", str(workdir), "run", "--period", "2025-10"], console=Console(out=out_io, err=err_io)) == 2
    # nothing touched: no store, no outputs (only the command's own log, output/logs/, for the maintainer)
    assert not (workdir / "data").exists() and sorted(p.name for p in (workdir / "output").iterdir()) == ["logs"]
