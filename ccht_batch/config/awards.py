"""Checking the award rules of ``criteria.yaml``: reward forms, their conditions and quotas.

A condition is a closed set of named checks combined with ``all_of``/``any_of``; every name it refers to (a
band, a criterion, an award, a rating, a title) must exist, so a typo is refused before any run.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ccht_batch.config.model import (
    CHECK_OPTIONAL_KEYS,
    COLLECTIVE_CHECKS,
    COMBINATORS,
    INDIVIDUAL_CHECKS,
    REGULAR,
    RESERVED_SHEETS,
    SHEET_FORBIDDEN,
    SHEET_NAME_MAX,
    THEMATIC,
    WITHIN_MOVEMENT,
    AwardRule,
    AwardTarget,
    Condition,
    Quota,
)
from ccht_batch.config.reader import Reader
from ccht_batch.config.yamlsource import KeyPath
from ccht_batch.core import vocab

DEFAULT_APPROVAL_PERCENT = Decimal(50)


def parse_awards(
    r: Reader, value: Any, bands: set[str], criteria_ids: set[str], milestone_ids: set[str]
) -> tuple[tuple[AwardRule, ...], Decimal]:
    """The reward forms (highest level first) and the council's approval threshold (a percentage of the
    members present that the votes for must exceed)."""
    aw = r.mapping(value, ("awards",), ("rules", "council"))
    approval = DEFAULT_APPROVAL_PERCENT
    if aw.get("council") is not None:
        cp = ("awards", "council")
        council = r.mapping(aw.get("council"), cp, ("approval_percent",))
        found = r.number(council, "approval_percent", cp, required=False, default=DEFAULT_APPROVAL_PERCENT)
        if found is not None and found >= 100:
            r.problem(cp + ("approval_percent",), found, "một tỷ lệ phần trăm từ 0 đến dưới 100 (số phiếu đồng ý phải vượt quá tỷ lệ này)")
        else:
            approval = found if found is not None else approval
    rules: list[AwardRule] = []
    raw_rules = r.sequence(aw.get("rules"), ("awards", "rules"))
    all_ids = [x.get("id") for x in raw_rules if isinstance(x, dict)]
    for i, rule in enumerate(raw_rules):
        p = ("awards", "rules", i)
        rule = r.mapping(rule, p, ("id", "name", "sheet_name", "level", "milestones", "collective", "individual", "title"))
        rid = r.identifier(rule, "id", p)
        if rid and any(x.id == rid for x in rules):
            r.problem(p + ("id",), rid, "một mã hình thức khen thưởng chưa dùng (mã bị trùng)")
        name = r.text(rule, "name", p)
        if name and any(x.name == name for x in rules):
            r.problem(p + ("name",), name, "một tên hình thức chưa dùng (tên bị trùng)")
        sheet = r.text(rule, "sheet_name", p)
        if sheet is not None:
            bad = sorted(set(sheet) & SHEET_FORBIDDEN)
            if len(sheet) > SHEET_NAME_MAX:
                r.problem(p + ("sheet_name",), sheet, f"tên trang tính tối đa {SHEET_NAME_MAX} ký tự (đang có {len(sheet)})")
            elif bad:
                r.problem(p + ("sheet_name",), sheet, "tên trang tính không chứa các ký tự " + " ".join(bad))
            elif sheet.startswith("'") or sheet.endswith("'") or sheet.casefold() == "history":
                r.problem(p + ("sheet_name",), sheet, "tên trang tính Excel chấp nhận (không bắt đầu hoặc kết thúc bằng dấu ', không phải 'History')")
            elif sheet.casefold() in {x.casefold() for x in RESERVED_SHEETS} or any(x.sheet_name.casefold() == sheet.casefold() for x in rules):
                r.problem(p + ("sheet_name",), sheet, "một tên trang tính chưa dùng")
        level = r.integer(rule, "level", p, minimum=1)
        if level is not None and any(x.level == level for x in rules):
            r.problem(p + ("level",), level, "một bậc (level) chưa dùng: mỗi hình thức một bậc, bậc cao hơn là hình thức cao hơn")
        ms: list[str] = []
        for j, m in enumerate(r.sequence(rule.get("milestones"), p + ("milestones",))):
            if not isinstance(m, str) or m not in milestone_ids:
                r.problem(p + ("milestones", j), m, "một trong: " + ", ".join(sorted(milestone_ids)))
            ms.append(str(m))
        targets: dict[str, AwardTarget | None] = {}
        for kind, checks in (("collective", COLLECTIVE_CHECKS), ("individual", INDIVIDUAL_CHECKS)):
            if rule.get(kind) is None:
                targets[kind] = None
                continue
            tp = p + (kind,)
            t = r.mapping(rule.get(kind), tp)
            quota_raw = t.get("quota")
            cond_part = {k: v for k, v in t.items() if k != "quota"}
            regular: Condition | None = None
            if THEMATIC in cond_part or REGULAR in cond_part:
                r.mapping(cond_part, tp, (THEMATIC, REGULAR))
                if THEMATIC not in cond_part:
                    r.problem(tp, list(t), f"khóa '{THEMATIC}' (điều kiện khi sơ kết, tổng kết) đi cùng '{REGULAR}' (khi xét hằng năm)")
                cond = _parse_condition(r, cond_part.get(THEMATIC), tp + (THEMATIC,), kind, checks, bands, criteria_ids, all_ids)
                if REGULAR in cond_part:
                    regular = _parse_condition(r, cond_part[REGULAR], tp + (REGULAR,), kind, checks, bands, criteria_ids, all_ids)
            else:
                cond = _parse_condition(r, cond_part, tp, kind, checks, bands, criteria_ids, all_ids)
            quota = Quota()
            if quota_raw is not None:
                q = r.mapping(quota_raw, tp + ("quota",), ("max_total", "max_per_unit"))
                quota = Quota(
                    max_total=r.integer(q, "max_total", tp + ("quota",), required=False, minimum=0),
                    max_per_unit=r.integer(q, "max_per_unit", tp + ("quota",), required=False, minimum=0),
                )
            targets[kind] = AwardTarget(cond, quota, regular) if cond else None
        if rule.get("collective") is None and rule.get("individual") is None:
            r.problem(p, rid, "ít nhất một trong hai khóa 'collective' (tập thể) hoặc 'individual' (cá nhân)")
        rules.append(
            AwardRule(
                id=rid or "",
                name=name or "",
                sheet_name=sheet or "",
                level=level or 0,
                milestones=tuple(ms),
                collective=targets.get("collective"),
                individual=targets.get("individual"),
                title=r.text(rule, "title", p, required=False) or ("DANH SÁCH ĐỀ NGHỊ TẶNG " + (name or "").upper()),
            )
        )
    return tuple(sorted(rules, key=lambda x: -x.level)), approval


def _parse_condition(
    r: Reader, c: Any, p: KeyPath, kind: str, checks: dict, bands: set[str], criteria_ids: set[str], award_ids: list
) -> Condition | None:
    label = "tập thể" if kind == "collective" else "cá nhân"
    if not isinstance(c, dict):
        r.problem(p, c, "một điều kiện: {check: ...}, all_of: [...] hoặc any_of: [...]")
        return None
    combos = [k for k in COMBINATORS if k in c]
    if combos:
        if len(c) != 1:
            r.problem(p, list(c), f"chỉ một khóa '{combos[0]}' (tách các điều kiện khác vào danh sách của nó)")
        key = combos[0]
        items = r.sequence(c[key], p + (key,))
        parsed = [_parse_condition(r, x, p + (key, j), kind, checks, bands, criteria_ids, award_ids) for j, x in enumerate(items)]
        if any(x is None for x in parsed):
            return None
        return Condition(check=key, of=tuple(parsed))  # type: ignore[arg-type]
    if "check" not in c:
        r.problem(p, list(c), "một điều kiện: khóa 'check', hoặc 'all_of' / 'any_of'")
        return None
    name = c.get("check")
    if not isinstance(name, str) or name not in checks:
        r.problem(p + ("check",), name, f"một phép kiểm tra cho {label}: " + ", ".join(sorted(checks)))
        return None
    required = checks[name]
    optional = CHECK_OPTIONAL_KEYS.get(name, ())
    r.mapping(c, p, ("check",) + tuple(required) + tuple(optional))
    kw: dict[str, Any] = {"check": name}
    for key in required + tuple(k for k in optional if k in c):
        if key == "band":
            v = r.text(c, key, p)
            if v is not None and v not in bands:
                r.problem(p + (key,), v, "tên một mức xếp loại có trong 'bands': " + ", ".join(sorted(bands)))
            kw[key] = v
        elif key == "award":
            v = r.text(c, key, p)
            if v is not None and v not in award_ids:
                r.problem(p + (key,), v, "mã một hình thức khen thưởng có trong 'awards.rules': " + ", ".join(str(a) for a in award_ids))
            kw[key] = v
        elif key == "criterion":
            v = r.text(c, key, p)  # as typed: `criterion: 3.10` is "3.10"
            if v is not None and v not in criteria_ids:
                r.problem(p + (key,), v, "mã một lĩnh vực hoặc tiêu chí có trong 'fields'")
            kw[key] = v
        elif key == "rating":
            kw[key] = r.choice(c, key, p, vocab.RATING_CODES)
        elif key == "title":
            kw[key] = r.choice(c, key, p, vocab.TITLES)
        elif key == "level":
            kw[key] = r.choice(c, key, p, vocab.INITIATIVE_LEVEL_CODES)
        elif key in ("recognised", "include_tasks"):
            kw[key] = r.boolean(c, key, p)
        elif key == "points":
            kw[key] = r.number(c, key, p)
        elif key in ("rank", "count", "years", "years_after"):
            kw[key] = r.integer(c, key, p, minimum=1, maximum=50)
        elif key in ("initiatives", "tasks"):
            kw[key] = r.integer(c, key, p, minimum=0, maximum=50)
        elif key == "within":
            kw[key] = _within(r, c, p, name)
    if name == "title_years" and kw.get("within") is None:
        kw["within"] = kw.get("years")
    if name == "title_years" and isinstance(kw.get("within"), int) and kw.get("years") and kw["within"] < kw["years"]:
        r.problem(p + ("within",), kw["within"], f"một số năm không nhỏ hơn 'years' ({kw['years']})")
    if any(kw.get(k) is None for k in required):
        return None
    return Condition(**{k: v for k, v in kw.items() if v is not None})


def _within(r: Reader, c: dict, p: KeyPath, check: str) -> int | str | None:
    """``within``: a number of years (``title_years``), or ``movement`` — only the movement's years count."""
    v = c.get("within")
    if v == WITHIN_MOVEMENT:
        return WITHIN_MOVEMENT
    if check == "title_years" and isinstance(v, int) and not isinstance(v, bool):
        return r.integer(c, "within", p, minimum=1, maximum=50)
    expected = f"'{WITHIN_MOVEMENT}' (chỉ tính các năm của phong trào)"
    if check == "title_years":
        expected = "một số năm từ 1 đến 50, hoặc " + expected
    r.problem(p + ("within",), v, expected)
    return None
