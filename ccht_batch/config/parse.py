"""Checking the three configuration files and turning them into the typed objects of ``config``.

Every check records a ``ConfigProblem`` (file, line, key path, value found, what is expected) and goes on,
so one ``ccht-batch check`` lists everything to fix; ``config.load_config`` raises them all at once.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from ccht_batch.config.awards import parse_awards
from ccht_batch.config.model import (
    APPLIES_TO,
    COUNCIL_ROLES,
    EVIDENCE,
    FORM_DOCUMENTS,
    INDICATOR_TYPES,
    METHODS,
    SECURITY,
    TO_TRINH,
    UNIT_CODE_RE,
    WINDOWS_RESERVED,
    ZERO_DENOMINATOR,
    Agency,
    Backup,
    Band,
    Choice,
    Contact,
    CouncilMember,
    Criteria,
    Criterion,
    Documents,
    Field,
    FormDocument,
    InboxSettings,
    Indicator,
    Limits,
    MailSettings,
    Milestone,
    Movement,
    Person,
    Plausibility,
    RatingShare,
    Settings,
    Signer,
    Threshold,
    Unit,
    _num,
)
from ccht_batch.config.reader import Reader
from ccht_batch.config.yamlsource import KeyPath, render_path
from ccht_batch.core import vocab

# ---------------------------------------------------------------------------------------------------
# criteria.yaml


def parse_criteria(r: Reader) -> Criteria | None:
    root = r.mapping(
        r.src.data if r.src.data is not None else {},
        (),
        ("version", "movement", "scoring", "indicators", "fields", "bonus", "penalties", "bands", "ranking", "rating_share", "awards", "plausibility"),
    )
    version = r.integer(root, "version", (), minimum=1)

    # movement
    mv = r.mapping(root.get("movement"), ("movement",), ("name", "short_name", "kind", "start_year", "end_year", "milestones"))
    start = r.integer(mv, "start_year", ("movement",), minimum=2000, maximum=2100)
    end = r.integer(mv, "end_year", ("movement",), minimum=2000, maximum=2100)
    if start and end and end < start:
        r.problem(("movement", "end_year"), end, f"một năm không trước năm bắt đầu {start}")
    milestones: list[Milestone] = []
    seen_ms: set[str] = set()
    for i, m in enumerate(r.sequence(mv.get("milestones"), ("movement", "milestones"))):
        p = ("movement", "milestones", i)
        m = r.mapping(m, p, ("id", "name", "year", "quarter", "from_year"))
        mid = r.identifier(m, "id", p)
        if mid == vocab.YEARLY:
            r.problem(p + ("id",), mid, f"một mã khác '{vocab.YEARLY}' (dành cho xét hằng năm)")
        elif mid in seen_ms:
            r.problem(p + ("id",), mid, "một mã đợt chưa dùng (mã bị trùng)")
        seen_ms.add(mid or "")
        year = r.integer(m, "year", p, minimum=2000, maximum=2100)
        from_year = r.integer(m, "from_year", p, required=False, default=start, minimum=2000, maximum=2100)
        if year and start and end and not (start <= year <= end):
            r.problem(p + ("year",), year, f"một năm trong giai đoạn {start} - {end}")
        if year and from_year and from_year > year:
            r.problem(p + ("from_year",), from_year, f"một năm không sau năm của đợt ({year})")
        milestone = Milestone(
            id=mid or "",
            name=r.text(m, "name", p) or "",
            year=year or 0,
            quarter=r.integer(m, "quarter", p, required=False, default=4, minimum=1, maximum=4) or 4,
            from_year=from_year or 0,
        )
        milestones.append(milestone)
    movement = Movement(
        name=r.text(mv, "name", ("movement",)) or "",
        short_name=r.text(mv, "short_name", ("movement",), required=False) or r.text(mv, "name", ("movement",), required=False) or "",
        kind=r.choice(mv, "kind", ("movement",), ("thematic", "regular"), required=False, default="thematic") or "thematic",
        start_year=start or 0,
        end_year=end or 0,
        milestones=tuple(milestones),
    )

    sc = r.mapping(root.get("scoring", {}), ("scoring",), ("default_step", "evidence_explanation_allowed"))
    default_step = r.number(sc, "default_step", ("scoring",), required=False, default=Decimal("0.25"), positive=True) or Decimal("0.25")
    explain = r.boolean(sc, "evidence_explanation_allowed", ("scoring",), required=False, default=False)

    # indicators
    indicators: list[Indicator] = []
    for i, ind in enumerate(r.sequence(root.get("indicators", []), ("indicators",), non_empty=False)):
        p = ("indicators", i)
        ind = r.mapping(ind, p, ("id", "name", "unit", "type"))
        iid = r.identifier(ind, "id", p)
        if iid and any(x.id == iid for x in indicators):
            r.problem(p + ("id",), iid, "một mã chỉ số chưa dùng (mã bị trùng)")
        indicators.append(
            Indicator(
                id=iid or "",
                name=r.text(ind, "name", p) or "",
                unit=r.text(ind, "unit", p, required=False) or "",
                type=r.choice(ind, "type", p, INDICATOR_TYPES) or "count",
            )
        )
    indicator_types = {i.id: i.type for i in indicators}

    ids_seen: dict[str, KeyPath] = {}

    def claim_id(cid: str | None, p: KeyPath) -> None:
        if not cid:
            return
        if cid in ids_seen:
            r.problem(p + ("id",), cid, f"một mã chưa dùng (đã dùng ở {render_path(ids_seen[cid])}, dòng {r.src.line_of(ids_seen[cid])})")
        else:
            ids_seen[cid] = p

    # fields and criteria
    fields: list[Field] = []
    declared_ids: set[str] = set()  # every id written in 'fields', parsed or not
    referenced_indicators: set[str] = set()  # every indicator named in a criterion's params, parsed or not
    for fi, f in enumerate(r.sequence(root.get("fields"), ("fields",))):
        fp = ("fields", fi)
        f = r.mapping(f, fp, ("id", "name", "max", "criteria"))
        fid = r.identifier(f, "id", fp)
        claim_id(fid, fp)
        fmax = r.number(f, "max", fp, positive=True)
        crits: list[Criterion] = []
        if f.get("id") is not None:
            declared_ids.add(r.as_text(f.get("id"), fp + ("id",)))
        for ci, c in enumerate(r.sequence(f.get("criteria"), fp + ("criteria",))):
            cp = fp + ("criteria", ci)
            if isinstance(c, dict):
                if c.get("id") is not None:
                    declared_ids.add(r.as_text(c.get("id"), cp + ("id",)))
                raw_params = c.get("params")
                if isinstance(raw_params, dict):
                    referenced_indicators.update(str(raw_params[k]) for k in ("indicator", "numerator", "denominator") if isinstance(raw_params.get(k), str))
            crit = _parse_criterion(r, c, cp, fid or "", default_step, indicator_types)
            if crit:
                claim_id(crit.id, cp)
                crits.append(crit)
        if fmax is not None and crits and len(crits) == len(f.get("criteria") or []):
            total = sum((c.max for c in crits), Decimal(0))
            if total != fmax:
                r.problem(
                    fp + ("max",),
                    fmax,
                    f"bằng tổng điểm tối đa các tiêu chí con ({_num(total)} = "
                    + " + ".join(f"{c.id}: {_num(c.max)}" for c in crits)
                    + "); sửa 'max' của lĩnh vực hoặc của tiêu chí con",
                )
        fields.append(Field(id=fid or "", name=r.text(f, "name", fp) or "", max=fmax or Decimal(0), criteria=tuple(crits)))

    # bonus and penalties
    bonus = r.mapping(root.get("bonus", {"cap": 0, "items": []}), ("bonus",), ("cap", "items"))
    cap = r.number(bonus, "cap", ("bonus",), required=False, default=Decimal(0)) or Decimal(0)
    bonus_items: list[Criterion] = []
    for i, item in enumerate(r.sequence(bonus.get("items", []), ("bonus", "items"), non_empty=False)):
        p = ("bonus", "items", i)
        item = r.mapping(item, p, ("id", "name", "max", "step", "evidence"))
        iid = r.identifier(item, "id", p)
        claim_id(iid, p)
        imax = r.number(item, "max", p, positive=True)
        step = r.number(item, "step", p, required=False, default=default_step, positive=True) or default_step
        _check_multiple(r, p + ("max",), imax, step, "step")
        bonus_items.append(
            Criterion(
                id=iid or "",
                name=r.text(item, "name", p) or "",
                max=imax or Decimal(0),
                step=step,
                method="self",
                kind="bonus",
                evidence_required=(r.choice(item, "evidence", p, EVIDENCE, required=False, default="optional") == "required"),
            )
        )
    pen = r.mapping(root.get("penalties", {"items": []}), ("penalties",), ("items",))
    penalty_items: list[Criterion] = []
    for i, item in enumerate(r.sequence(pen.get("items", []), ("penalties", "items"), non_empty=False)):
        p = ("penalties", "items", i)
        item = r.mapping(item, p, ("id", "name", "max", "points_per_event"))
        iid = r.identifier(item, "id", p)
        claim_id(iid, p)
        imax = r.number(item, "max", p, positive=True)
        per = r.number(item, "points_per_event", p, positive=True)
        _check_multiple(r, p + ("max",), imax, per, "points_per_event")
        penalty_items.append(
            Criterion(id=iid or "", name=r.text(item, "name", p) or "", max=imax or Decimal(0), step=per or default_step, method="self", kind="penalty")
        )

    # every indicator is read by some criterion
    for i, ind in enumerate(indicators):
        if ind.id and ind.id not in referenced_indicators:
            r.problem(("indicators", i, "id"), ind.id, "một chỉ số được ít nhất một tiêu chí dùng (xóa chỉ số thừa hoặc dùng nó trong params)")

    # bands
    bands: list[Band] = []
    for i, b in enumerate(r.sequence(root.get("bands"), ("bands",))):
        p = ("bands", i)
        b = r.mapping(b, p, ("name", "min"))
        name = r.text(b, "name", p)
        bmin = r.number(b, "min", p)
        if name and any(x.name == name for x in bands):
            r.problem(p + ("name",), name, "một tên xếp loại chưa dùng (tên bị trùng)")
        if bmin is not None and bands and bmin >= bands[-1].min:
            r.problem(
                p + ("min",),
                bmin,
                f"một ngưỡng nhỏ hơn ngưỡng của mức trên ('{bands[-1].name}': {_num(bands[-1].min)}); các mức xếp loại không được chồng nhau, liệt kê từ cao xuống thấp",
            )
        bands.append(Band(name=name or "", min=bmin if bmin is not None else Decimal(0)))
    if bands and bands[-1].min != 0:
        r.problem(("bands", len(bands) - 1, "min"), bands[-1].min, "0 ở mức thấp nhất, để mọi kết quả đều có xếp loại")
    band_names = {b.name for b in bands}

    # ranking
    rk = r.mapping(root.get("ranking", {}), ("ranking",), ("tie_breaks",))
    ties = rk.get("tie_breaks", []) or []
    tie_breaks: list[str] = []
    for i, t in enumerate(r.sequence(ties, ("ranking", "tie_breaks"), non_empty=False)):
        t = r.as_text(t, ("ranking", "tie_breaks", i))
        if t not in declared_ids:
            r.problem(("ranking", "tie_breaks", i), t, "mã của một lĩnh vực hoặc tiêu chí có trong 'fields'")
        tie_breaks.append(t)

    plausibility = _parse_plausibility(r, root.get("plausibility", {}), indicator_types)

    criteria_ids = declared_ids
    milestone_ids = {m.id for m in milestones} | {vocab.YEARLY}
    awards, approval = parse_awards(r, root.get("awards"), band_names, criteria_ids, milestone_ids)
    rating_share = _parse_rating_share(r, root.get("rating_share"))

    if r.problems:
        return None
    return Criteria(
        version=version or 1,
        movement=movement,
        default_step=default_step,
        evidence_explanation_allowed=explain,
        indicators=tuple(indicators),
        fields=tuple(fields),
        bonus_cap=cap,
        bonus_items=tuple(bonus_items),
        penalty_items=tuple(penalty_items),
        bands=tuple(bands),
        tie_breaks=tuple(tie_breaks),
        awards=awards,
        plausibility=plausibility,
        council_approval_percent=approval,
        rating_share=rating_share,
    )


def _parse_plausibility(r: Reader, value: Any, indicator_types: dict[str, str]) -> Plausibility:
    """``plausibility``: the thresholds of the warnings about implausible figures (optional)."""
    p: KeyPath = ("plausibility",)
    m = r.mapping(value if value is not None else {}, p, ("date_months_before", "initiative_indicator"))
    before = r.integer(m, "date_months_before", p, required=False, default=3, minimum=0, maximum=24)
    indicator = r.text(m, "initiative_indicator", p, required=False) or None
    if indicator is not None and indicator_types.get(indicator) != "count":
        r.problem(p + ("initiative_indicator",), indicator, "mã một chỉ số kiểu count có trong 'indicators' (số sáng kiến được công nhận), hoặc để trống")
        indicator = None
    return Plausibility(date_months_before=3 if before is None else before, initiative_indicator=indicator)


def _parse_rating_share(r: Reader, value: Any) -> RatingShare | None:
    """``rating_share``: at most ``max_percent`` % of those rated ``base`` or better may be rated ``rating``."""
    if value is None:
        return None
    p = ("rating_share",)
    m = r.mapping(value, p, ("rating", "base", "max_percent"))
    rating = r.choice(m, "rating", p, vocab.RATING_CODES)
    base = r.choice(m, "base", p, vocab.RATING_CODES)
    limit = r.number(m, "max_percent", p)
    if limit is not None and limit > 100:
        r.problem(p + ("max_percent",), limit, "một tỷ lệ phần trăm từ 0 đến 100")
    if rating and base and vocab.rating_rank(rating) > vocab.rating_rank(base):
        r.problem(p + ("base",), base, f"một xếp loại không cao hơn '{rating}' (tỷ lệ tính trên số người xếp loại từ mức này trở lên)")
    if rating is None or base is None or limit is None:
        return None
    return RatingShare(rating=rating, base=base, max_percent=limit)


def _check_multiple(r: Reader, path: KeyPath, value: Decimal | None, step: Decimal | None, step_key: str) -> None:
    if value is not None and step is not None and step > 0 and value % step != 0:
        r.problem(path, value, f"một bội số của {step_key} ({_num(step)})")


def _parse_criterion(
    r: Reader, c: Any, cp: KeyPath, field_id: str, default_step: Decimal, indicator_types: dict[str, str]
) -> Criterion | None:
    c = r.mapping(c, cp, ("id", "name", "max", "step", "method", "params", "applies_to", "evidence"))
    cid = r.identifier(c, "id", cp)
    cmax = r.number(c, "max", cp, positive=True)
    step = r.number(c, "step", cp, required=False, default=default_step, positive=True) or default_step
    _check_multiple(r, cp + ("max",), cmax, step, "step")
    method = r.choice(c, "method", cp, METHODS)
    params_path = cp + ("params",)
    params = c.get("params") or {}
    kw: dict[str, Any] = {}
    allowed = {
        "self": (),
        "yes_no": ("choices",),
        "scale": ("choices",),
        "deadline": ("indicator", "due", "on_time", "late", "missing"),
        "ratio": ("numerator", "denominator", "thresholds", "below", "zero_denominator"),
        "count": ("indicator", "thresholds", "below"),
    }.get(method or "", None)
    params = r.mapping(params, params_path, allowed)

    def points(key: str, required: bool = True, default: Decimal | None = None) -> Decimal | None:
        v = r.number(params, key, params_path, required=required, default=default)
        if v is not None and cmax is not None and v > cmax:
            r.problem(params_path + (key,), v, f"một số điểm không vượt điểm tối đa của tiêu chí ({_num(cmax)})")
        return v

    def indicator_ref(key: str, types: tuple[str, ...]) -> str | None:
        v = r.text(params, key, params_path, takes="mã một chỉ số khai báo trong 'indicators'")
        if v is None:
            return None
        if v not in indicator_types:
            r.problem(params_path + (key,), v, "mã của một chỉ số khai báo trong 'indicators'")
            return None
        if indicator_types[v] not in types:
            r.problem(params_path + (key,), v, f"một chỉ số kiểu {' hoặc '.join(types)} (chỉ số này kiểu {indicator_types[v]})")
        return v

    def thresholds() -> tuple[Threshold, ...]:
        tp = params_path + ("thresholds",)
        out: list[Threshold] = []
        for i, t in enumerate(r.sequence(params.get("thresholds"), tp)):
            t = r.mapping(t, tp + (i,), ("at_least", "points"))
            at = r.number(t, "at_least", tp + (i,))
            pts = r.number(t, "points", tp + (i,))
            if pts is not None and cmax is not None and pts > cmax:
                r.problem(tp + (i, "points"), pts, f"một số điểm không vượt điểm tối đa của tiêu chí ({_num(cmax)})")
            if out and at is not None and at >= out[-1].at_least:
                r.problem(tp + (i, "at_least"), at, f"một ngưỡng nhỏ hơn ngưỡng liền trên ({_num(out[-1].at_least)}); các bậc liệt kê từ cao xuống thấp")
            if out and pts is not None and pts > out[-1].points:
                r.problem(tp + (i, "points"), pts, f"một số điểm không lớn hơn bậc liền trên ({_num(out[-1].points)}); các bậc liệt kê từ cao xuống thấp")
            if at is not None and pts is not None:
                out.append(Threshold(at, pts))
        if out and cmax is not None and out[0].points != cmax:
            r.problem(tp + (0, "points"), out[0].points, f"bằng điểm tối đa của tiêu chí ({_num(cmax)}) ở bậc cao nhất, để đạt được điểm tối đa")
        return tuple(out)

    if method in ("yes_no", "scale"):
        expected_texts = vocab.YES_NO if method == "yes_no" else vocab.SCALE
        example = "{" + ", ".join(f'"{t}": {n}' for t, n in zip(expected_texts, ("3", "0") if method == "yes_no" else ("3", "2", "0"))) + "}"
        if params.get("choices") is None:
            r.problem(params_path + ("choices",), None, f"khóa 'choices' (bắt buộc): số điểm của từng lựa chọn, ví dụ {example}")
            ch = {}
        else:
            ch = r.mapping(params.get("choices"), params_path + ("choices",))
        choices: list[Choice] = []
        if ch:
            if set(ch) != set(expected_texts):
                r.problem(params_path + ("choices",), list(ch), "đúng các lựa chọn: " + ", ".join(f"'{t}'" for t in expected_texts))
            for text in expected_texts:
                if text in ch:
                    pts = points_of = r.number(ch, text, params_path + ("choices",))
                    if points_of is not None and cmax is not None and points_of > cmax:
                        r.problem(params_path + ("choices", text), points_of, f"một số điểm không vượt điểm tối đa ({_num(cmax)})")
                    choices.append(Choice(text, pts if pts is not None else Decimal(0)))
            if choices and cmax is not None and max(c.points for c in choices) != cmax:
                r.problem(params_path + ("choices",), {c.text: _num(c.points) for c in choices}, f"một lựa chọn có số điểm bằng điểm tối đa ({_num(cmax)})")
        kw["choices"] = tuple(choices)
    elif method == "deadline":
        kw["indicator"] = indicator_ref("indicator", ("date",))
        due = r.text(params, "due", params_path, takes='hạn trong năm dạng dd/mm, ví dụ "31/01"')
        if due is not None:
            m = re.fullmatch(r"(\d{1,2})/(\d{1,2})", due)
            ok = False
            if m:
                day, month = int(m.group(1)), int(m.group(2))
                ok = 1 <= month <= 12 and 1 <= day <= [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            if ok:
                kw["due_day"], kw["due_month"] = day, month
            else:
                r.problem(params_path + ("due",), due, "một ngày tháng dạng dd/mm, ví dụ \"31/01\"")
        kw["on_time"] = points("on_time")
        kw["late"] = points("late")
        kw["missing"] = points("missing", required=False, default=Decimal(0))
        if kw["on_time"] is not None and cmax is not None and kw["on_time"] != cmax:
            r.problem(params_path + ("on_time",), kw["on_time"], f"bằng điểm tối đa của tiêu chí ({_num(cmax)})")
    elif method == "ratio":
        kw["numerator"] = indicator_ref("numerator", ("count",))
        kw["denominator"] = indicator_ref("denominator", ("count",))
        kw["thresholds"] = thresholds()
        kw["below"] = points("below", required=False, default=Decimal(0)) or Decimal(0)
        kw["zero_denominator"] = r.choice(params, "zero_denominator", params_path, ZERO_DENOMINATOR)
    elif method == "count":
        kw["indicator"] = indicator_ref("indicator", ("count",))
        kw["thresholds"] = thresholds()
        kw["below"] = points("below", required=False, default=Decimal(0)) or Decimal(0)
    if kw.get("thresholds") and kw.get("below") is not None and kw["below"] > kw["thresholds"][-1].points:
        r.problem(params_path + ("below",), kw["below"], "một số điểm không lớn hơn bậc thấp nhất")

    applies = r.choice(c, "applies_to", cp, APPLIES_TO, required=False, default="all") or "all"
    evidence = r.choice(c, "evidence", cp, EVIDENCE, required=False, default="optional")
    if not cid or cmax is None or not method:
        return None
    return Criterion(
        id=cid,
        name=r.text(c, "name", cp) or "",
        max=cmax,
        step=step,
        method=method,
        field_id=field_id,
        applies_to=applies,
        evidence_required=evidence == "required",
        **{k: v for k, v in kw.items() if v is not None},
    )


# ---------------------------------------------------------------------------------------------------
# units.yaml


def parse_units(r: Reader) -> tuple[Agency | None, tuple[Unit, ...]]:
    root = r.mapping(r.src.data if r.src.data is not None else {}, (), ("agency", "units", "documents"))
    ap = ("agency",)
    a = r.mapping(
        root.get("agency"),
        ap,
        ("parent", "name", "name_in_text", "full_name", "short_name", "place", "signer", "submission_line", "distribution"),
    )
    sp = ap + ("signer",)
    s = r.mapping(a.get("signer"), sp, ("title_lines", "name"))
    title_lines = [str(x) for x in r.sequence(s.get("title_lines"), sp + ("title_lines",))]
    agency = Agency(
        parent=r.text(a, "parent", ap) or "",
        name=r.text(a, "name", ap) or "",
        short_name=r.text(a, "short_name", ap, required=False) or "",
        place=r.text(a, "place", ap) or "",
        signer=Signer(tuple(title_lines), r.text(s, "name", sp) or ""),
        submission_line=r.text(a, "submission_line", ap, required=False) or "",
        distribution=_lines(r, a, "distribution", ap),
        name_in_text=r.text(a, "name_in_text", ap, required=False) or "",
        full_name=r.text(a, "full_name", ap, required=False) or "",
    )
    units: list[Unit] = []
    for i, u in enumerate(r.sequence(root.get("units"), ("units",))):
        p = ("units", i)
        u = r.mapping(u, p, ("code", "name", "email", "handles_dossiers", "from_year"))
        code = r.text(u, "code", p)
        if code is not None:
            if not UNIT_CODE_RE.match(code):
                r.problem(
                    p + ("code",),
                    code,
                    "một mã đơn vị dùng được làm tên tệp: chữ in hoa không dấu ở đầu, sau đó 1 - 15 ký tự chữ in hoa, số, '-' hoặc '_' (ví dụ VP, QLKH, CC_TDC)",
                )
            elif code in WINDOWS_RESERVED:
                r.problem(p + ("code",), code, "một mã khác: Windows không cho đặt tên tệp là " + code)
            elif any(x.code == code for x in units):
                r.problem(p + ("code",), code, "một mã đơn vị chưa dùng (mã bị trùng)")
        units.append(
            Unit(
                code=code or "",
                name=r.text(u, "name", p) or "",
                email=r.email(u, "email", p, required=False),
                handles_dossiers=r.boolean(u, "handles_dossiers", p, required=False, default=False),
                from_year=r.integer(u, "from_year", p, required=False, minimum=2000, maximum=2100),
            )
        )
    return agency, tuple(units)


def _lines(r: Reader, m: dict, key: str, path: KeyPath, required: bool = False) -> tuple[str, ...]:
    """A list of lines of text (each a non-empty string), e.g. the "Nơi nhận" of a document."""
    if key not in m and not required:
        return ()
    out = []
    for i, x in enumerate(r.sequence(m.get(key), path + (key,), non_empty=required)):
        if isinstance(x, bool) or not isinstance(x, (str, int, float)) or not str(x).strip():
            r.problem(path + (key, i), x, "một dòng chữ không rỗng")
            continue
        out.append(str(x).strip())
    return tuple(out)


def parse_documents(r: Reader, award_ids: tuple[str, ...] | None) -> Documents:
    """units.yaml ``documents``: legal grounds, the report's number and distribution, the council, and for
    each reward form the document its list goes with. Optional: an older units.yaml without it still runs
    (lists without a "Kèm theo" line; ``ccht-batch documents`` says what is missing)."""
    root = r.src.data if isinstance(r.src.data, dict) else {}
    if root.get("documents") is None:
        return Documents()
    dp = ("documents",)
    d = r.mapping(root.get("documents"), dp, ("head_title", "grounds", "report", "council", "awards"))
    rp, cp, wp = dp + ("report",), dp + ("council",), dp + ("awards",)
    report = r.mapping(d.get("report", {}), rp, ("symbol", "distribution"))
    council = r.mapping(d.get("council", {}), cp, ("name", "members", "distribution"))
    members = []
    for i, m in enumerate(r.sequence(council.get("members", []), cp + ("members",), non_empty=False)):
        mp = cp + ("members", i)
        m = r.mapping(m, mp, ("name", "position", "role"))
        members.append(
            CouncilMember(
                name=r.text(m, "name", mp, required=False) or "",
                position=r.text(m, "position", mp, required=False) or "",
                role=r.choice(m, "role", mp, COUNCIL_ROLES) or "Ủy viên",
            )
        )
    for role in ("Chủ tịch Hội đồng", "Thư ký"):
        if sum(1 for m in members if m.role == role) > 1:
            r.problem(cp + ("members",), role, f"nhiều nhất một thành viên có role '{role}'")
    forms = []
    awards = r.mapping(d.get("awards", {}), wp)
    for award, f in awards.items():
        fp = wp + (award,)
        if award_ids is not None and award not in award_ids:
            r.problem(fp, award, "mã một hình thức khen thưởng có trong config/criteria.yaml (awards.rules): " + ", ".join(award_ids))
        f = r.mapping(f, fp, ("document", "symbol", "addressees", "through", "request", "distribution"))
        kind = r.choice(f, "document", fp, FORM_DOCUMENTS) or TO_TRINH
        to_trinh = kind == TO_TRINH
        forms.append(
            FormDocument(
                award=str(award),
                kind=kind,
                symbol=r.text(f, "symbol", fp, takes="ký hiệu văn bản, ví dụ TTr-SKHCN") or "",
                addressees=_lines(r, f, "addressees", fp, required=to_trinh),
                through=r.text(f, "through", fp, required=False) or "",
                request=r.text(f, "request", fp, required=to_trinh, takes="nội dung đề nghị của tờ trình") or "",
                distribution=_lines(r, f, "distribution", fp),
            )
        )
    return Documents(
        head_title=r.text(d, "head_title", dp, required=False) or Documents.head_title,
        grounds=_lines(r, d, "grounds", dp),
        report_symbol=r.text(report, "symbol", rp, required=False) or "",
        report_distribution=_lines(r, report, "distribution", rp),
        council_name=r.text(council, "name", cp, required=False) or Documents.council_name,
        council_members=tuple(members),
        council_distribution=_lines(r, council, "distribution", cp),
        forms=tuple(forms),
    )


# ---------------------------------------------------------------------------------------------------
# settings.yaml


def parse_settings(r: Reader) -> Settings:
    root = r.mapping(r.src.data if r.src.data is not None else {}, (), ("paths", "deadline", "contact", "templates", "mail", "limits", "backup", "inbox"))
    pp = ("paths",)
    paths = r.mapping(root.get("paths", {}), pp, ("input", "output", "store"))
    dp = ("deadline",)
    deadline = r.mapping(root.get("deadline", {}), dp, ("day_of_month",))
    cp = ("contact",)
    contact = r.mapping(root.get("contact"), cp, ("name", "title", "phone", "email"))
    tp = ("templates",)
    templates = r.mapping(root.get("templates", {}), tp, ("individual_rows",))
    mp = ("mail",)
    mail = r.mapping(
        root.get("mail"),
        mp,
        ("host", "port", "security", "user", "password_env", "ca_file", "timeout_seconds", "sender", "reply_to", "leadership", "office", "max_attachments_mb"),
    )
    sender = r.mapping(mail.get("sender"), mp + ("sender",), ("name", "address"))

    def people(key: str) -> tuple[Person, ...]:
        out = []
        for i, x in enumerate(r.sequence(mail.get(key, []), mp + (key,), non_empty=False)):
            x = r.mapping(x, mp + (key, i), ("name", "email"))
            out.append(Person(r.text(x, "name", mp + (key, i)) or "", r.email(x, "email", mp + (key, i)) or ""))
        return tuple(out)

    lp = ("limits",)
    limits = r.mapping(
        root.get("limits", {}),
        lp,
        ("max_file_mb", "max_zip_entries", "max_uncompressed_mb", "max_compression_ratio", "max_sheet_cells", "max_read_memory_mb", "max_read_seconds"),
    )
    bp = ("backup",)
    backup = r.mapping(root.get("backup", {}), bp, ("folder", "keep"))
    if backup.get("folder") is not None and (not isinstance(backup.get("folder"), str) or not backup["folder"].strip()):
        r.problem(bp + ("folder",), backup.get("folder"), "một đường dẫn thư mục")
    for key in ("input", "output", "store"):
        v = paths.get(key)
        if v is not None and (not isinstance(v, str) or not v.strip()):
            r.problem(pp + (key,), v, "một đường dẫn thư mục hoặc tệp")
    password_env = _env_name(r, mail, mp, "CCHT_SMTP_PASSWORD")
    return Settings(
        input_dir=str(paths.get("input") or "input"),
        output_dir=str(paths.get("output") or "output"),
        store_path=str(paths.get("store") or "data/ccht-batch.sqlite"),
        deadline_day=r.integer(deadline, "day_of_month", dp, required=False, default=5, minimum=1, maximum=28) or 5,
        contact=Contact(
            name=r.text(contact, "name", cp) or "",
            title=r.text(contact, "title", cp, required=False) or "",
            phone=r.text(contact, "phone", cp, required=False) or "",
            email=r.email(contact, "email", cp, required=False) or "",
        ),
        individual_rows=r.integer(templates, "individual_rows", tp, required=False, default=30, minimum=1, maximum=1000) or 30,
        mail=MailSettings(
            host=r.text(mail, "host", mp) or "",
            port=r.integer(mail, "port", mp, minimum=1, maximum=65535) or 25,
            security=r.choice(mail, "security", mp, SECURITY, required=False, default="starttls") or "starttls",
            user=r.text(mail, "user", mp, required=False) or "",
            password_env=password_env,
            ca_file=r.text(mail, "ca_file", mp, required=False) or "",
            timeout_seconds=r.integer(mail, "timeout_seconds", mp, required=False, default=30, minimum=1, maximum=600) or 30,
            sender_name=r.text(sender, "name", mp + ("sender",)) or "",
            sender_address=r.email(sender, "address", mp + ("sender",)) or "",
            reply_to=r.email(mail, "reply_to", mp, required=False) or "",
            leadership=people("leadership"),
            office=people("office"),
            max_attachments_mb=r.integer(mail, "max_attachments_mb", mp, required=False, default=20, minimum=1, maximum=1000) or 20,
        ),
        limits=Limits(
            max_file_mb=r.integer(limits, "max_file_mb", lp, required=False, default=20, minimum=1, maximum=2000) or 20,
            max_zip_entries=r.integer(limits, "max_zip_entries", lp, required=False, default=500, minimum=10, maximum=100000) or 500,
            max_uncompressed_mb=r.integer(limits, "max_uncompressed_mb", lp, required=False, default=100, minimum=1, maximum=10000) or 100,
            max_compression_ratio=r.integer(limits, "max_compression_ratio", lp, required=False, default=100, minimum=2, maximum=10000) or 100,
            max_sheet_cells=r.integer(limits, "max_sheet_cells", lp, required=False, default=500_000, minimum=10_000, maximum=50_000_000) or 500_000,
            max_read_memory_mb=r.integer(limits, "max_read_memory_mb", lp, required=False, default=1024, minimum=256, maximum=65536) or 1024,
            max_read_seconds=r.integer(limits, "max_read_seconds", lp, required=False, default=120, minimum=5, maximum=3600) or 120,
        ),
        backup=Backup(
            folder=str(backup.get("folder") or "data/backup"),
            keep=r.integer(backup, "keep", bp, required=False, default=30, minimum=1, maximum=1000) or 30,
        ),
        inbox=_parse_inbox(r, root.get("inbox", {})),
    )


def _env_name(r: Reader, m: dict, path: KeyPath, default: str) -> str:
    """``password_env``: the name of an environment variable, never the password itself."""
    name = r.text(m, "password_env", path, required=False) or default
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        r.problem(path + ("password_env",), name, "tên một biến môi trường (chữ không dấu, số, gạch dưới), không phải mật khẩu")
    return name


def _parse_inbox(r: Reader, value: Any) -> InboxSettings:
    """``inbox:`` (optional): the Office's IMAP mailbox, for ``collect`` and the copies of sent mail."""
    ip = ("inbox",)
    d = InboxSettings()
    inbox = r.mapping(
        value,
        ip,
        ("host", "port", "security", "user", "password_env", "ca_file", "timeout_seconds", "folder", "processed_folder", "sent_folder"),
    )

    def folder(key: str, default: str) -> str:
        name = r.text(inbox, key, ip, required=False)
        name = default if name is None else name
        if any(ch in "*%" or ord(ch) < 32 for ch in name) or (key == "folder" and not name):
            r.problem(ip + (key,), name, "tên một thư mục của hộp thư (không chứa * hoặc %)")
            return default
        return name

    read_from = folder("folder", d.folder)
    processed = folder("processed_folder", d.processed_folder)
    sent = folder("sent_folder", d.sent_folder)
    for key, name in (("processed_folder", processed), ("sent_folder", sent)):
        if name and name == read_from:
            r.problem(ip + (key,), name, f"một thư mục khác thư mục cần đọc inbox.folder ('{read_from}')")
    return InboxSettings(
        host=r.text(inbox, "host", ip, required=False) or "",
        port=r.integer(inbox, "port", ip, required=False, minimum=1, maximum=65535),
        security=r.choice(inbox, "security", ip, SECURITY, required=False, default=d.security) or d.security,
        user=r.text(inbox, "user", ip, required=False) or "",
        password_env=_env_name(r, inbox, ip, d.password_env),
        ca_file=r.text(inbox, "ca_file", ip, required=False) or "",
        timeout_seconds=r.integer(inbox, "timeout_seconds", ip, required=False, default=d.timeout_seconds, minimum=1, maximum=600) or d.timeout_seconds,
        folder=read_from,
        processed_folder=processed,
        sent_folder=sent,
    )

