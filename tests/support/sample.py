"""A run's outcome built directly from the model classes, for the output writers' tests and the bench.

The scorer and the award engine are written elsewhere; the writers only need their records, so this
module builds a small, varied period by hand: units submitted, carried, rejected and missing; a unit's
text that looks like a formula; scores with quarter points; nominations eligible, not eligible and
"cannot tell".
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

from ccht_batch.config.load import default_config_dir, load_config
from ccht_batch.config.model import Config
from ccht_batch.core import issues
from ccht_batch.core.records import (
    ACCEPTED,
    CARRIED,
    IGNORED,
    MISSING,
    REJECTED,
    SRC_APPRAISED,
    SRC_COMPUTED,
    SRC_NOT_APPLICABLE,
    SRC_SELF,
    SUBMITTED,
    UNIT_REJECTED,
    CouncilVote,
    CriterionScore,
    FileRecord,
    Nomination,
    PersonEntry,
    RunOutcome,
    ScoreEntry,
    Submission,
    UnitOutcome,
    UnitScore,
    newest_rejected,
)
from ccht_batch.core.values import round2

EVIL = '=HYPERLINK("http://x","y")'
PERIOD = "2025-11"
GK = "giay-khen-giam-doc"
BK_UBND = "bang-khen-ubnd"


def load_sample_config(folder: Path) -> Config:
    """The shipped default configuration, copied into ``folder`` (never read from the checkout in place)."""
    shutil.copytree(default_config_dir(), Path(folder) / "config")
    return load_config(folder)


def make_score(config: Config, code: str, fraction: Decimal, overrides: dict[str, Decimal] | None = None, file_name: str = "") -> UnitScore:
    """Every applicable criterion at ``fraction`` of its max (rounded to the quarter), with overrides."""
    overrides = overrides or {}
    unit = config.unit(code)
    rows, fields = [], {}
    for f in config.criteria.fields:
        got, out_of = Decimal(0), Decimal(0)
        for c in f.criteria:
            applicable = config.applies(c, unit)
            if not applicable:
                rows.append(CriterionScore(c.id, c.max, False, None, None, None, Decimal(0), SRC_NOT_APPLICABLE, "Không áp dụng cho đơn vị"))
                continue
            value = overrides.get(c.id, (c.max * fraction * 4).to_integral_value() / 4)
            if c.id == "3.3" and code == "VP":
                rows.append(CriterionScore(c.id, c.max, True, c.max, None, value, value, SRC_APPRAISED, f"Thẩm định: {value} điểm"))
            elif c.is_computed:
                rows.append(CriterionScore(c.id, c.max, True, value, value, None, value, SRC_COMPUTED, f"Tính từ số liệu: {value} điểm"))
            else:
                rows.append(CriterionScore(c.id, c.max, True, value, None, None, value, SRC_SELF, "Điểm tự chấm"))
            got += value
            out_of += c.max
        fields[f.id] = (got, out_of)
    bonus = overrides.get("T1", Decimal(0))
    penalty = overrides.get("TR2", Decimal(0))
    for c in config.criteria.bonus_items + config.criteria.penalty_items:
        v = overrides.get(c.id, Decimal(0))
        rows.append(CriterionScore(c.id, c.max, True, v, None, None, v, SRC_SELF, "Điểm tự chấm", kind=c.kind))
    criteria_sum = sum((g for g, _ in fields.values()), Decimal(0))
    applicable_max = sum((m for _, m in fields.values()), Decimal(0))
    counted_bonus = min(bonus, config.criteria.bonus_cap)
    result = max(round2(criteria_sum / applicable_max * 100 + counted_bonus - penalty), Decimal("0.00"))
    found = []
    if code == "VP":
        found.append(issues.make("evidence-missing", file=file_name, sheet="Tự chấm điểm", cell="E9", unit_code=code, detail="1.3"))
    return UnitScore(
        unit_code=code, criteria=rows, field_scores=fields, criteria_sum=criteria_sum, applicable_max=applicable_max,
        bonus=bonus, bonus_counted=counted_bonus, penalty=penalty, total=criteria_sum + counted_bonus - penalty,
        result=result, band=config.criteria.band_for(result), issues=found,
    )


def _submission(config: Config, code: str, file_name: str, persons: list[PersonEntry]) -> Submission:
    scores = {c.id: ScoreEntry(c.id, f"D{7 + i}", None, evidence=f"Văn bản số {i + 1}/KH-{code}") for i, c in enumerate(config.criteria.scored_rows)}
    if code == "VP":
        scores["1.1"] = ScoreEntry("1.1", "D7", Decimal(3), "3", evidence=EVIL, evidence_cell="E7", note=EVIL)
    return Submission(unit_code=code, year=2025, file_name=file_name, sha256="a" * 64, scores=scores, persons=persons)


def _file(name: str, status: str, unit_code: str | None, found: list | None = None) -> FileRecord:
    return FileRecord(name=name, sha256=None if status == IGNORED else name[:1] * 64, size=1000, mtime=0.0, status=status, kind="template" if unit_code else None, unit_code=unit_code, year=2025, issues=found or [])


def build_outcome(config: Config, milestone: str | None = None, extra_units: int = 0, council: bool = False) -> RunOutcome:
    """The sample period. ``extra_units`` adds submitted units with generated codes (bench only); ``council``:
    the council's decision applied, approving every candidate on the lists."""
    an = PersonEntry(row=5, name="Nguyễn Văn An", birth_year=1980, gender="Nam", position="Trưởng phòng", rating="HTXSNV",
                     initiative=EVIL, decision="Số 12/QĐ-SKHCN ngày 01/03/2025", level="co-so", proposal=GK, summary=EVIL)
    binh = PersonEntry(row=6, name="Trần Thị Bình", birth_year=1990, gender="Nữ", position="Chuyên viên", rating="HTTNV", proposal=GK)
    cuong = PersonEntry(row=5, name="Lê Văn Cường", birth_year=1985, gender="Nam", position="Phó Chánh Thanh tra", rating="HTXSNV", proposal=GK)
    bad = PersonEntry(row=7, name="Phạm Văn Dũng", valid=False)

    f_vp = _file("VP_2025.xlsx", ACCEPTED, "VP", [issues.make("formula-in-text-cell", file="VP_2025.xlsx", sheet="Cá nhân", cell="K7", value=EVIL, unit_code="VP")])
    f_ttra = _file("TTRA_2025.xlsx", ACCEPTED, "TTRA")
    f_khtc = _file("KHTC_2025.xlsx", REJECTED, "KHTC", [issues.make("score-not-a-number", file="KHTC_2025.xlsx", sheet="Tự chấm điểm", cell="D14", value="tám", unit_code="KHTC")])
    f_qlkh = _file("QLKH_2025.xlsx", REJECTED, "QLKH", [issues.make("not-our-template", file="QLKH_2025.xlsx", unit_code="QLKH")])
    f_txt = _file("ghi chu.txt", IGNORED, None, [issues.make("ignored-not-spreadsheet", file="ghi chu.txt")])
    run_files = [f_ttra, f_vp, f_khtc, f_qlkh, f_txt]
    # sent in an earlier run of the same period, rejected, then replaced by TTRA_2025.xlsx
    f_ttra_early = _file("TTRA_lan1.xlsx", REJECTED, "TTRA", [issues.make("score-out-of-range", file="TTRA_lan1.xlsx", sheet="Tự chấm điểm", cell="D20", value="12", unit_code="TTRA", max="6")])

    vp_score = make_score(config, "VP", Decimal("0.95"), {"1.2": Decimal("5.75"), "3.1": Decimal("2.25"), "T1": Decimal(2)}, "VP_2025.xlsx")
    ttra_score = make_score(config, "TTRA", Decimal("0.85"), {"2.2": Decimal("2.5")})
    khtc_score = make_score(config, "KHTC", Decimal("0.7"))

    # the batch adds the scorer's warnings to the counted file's issues
    f_vp.issues += vp_score.issues
    f_ttra.issues += ttra_score.issues

    def unit(code: str, **kw) -> UnitOutcome:
        u = config.unit(code)
        return UnitOutcome(code=code, name=u.name, email=u.email, rejected_file=newest_rejected(kw.get("files", [])), **kw)

    units = [
        unit("VP", status=SUBMITTED, file_name="VP_2025.xlsx", submission_period=PERIOD, submission=_submission(config, "VP", "VP_2025.xlsx", [an, binh, bad]),
             score=vp_score, rank=1, rank_change=1, issues=list(f_vp.issues), files=[f_vp]),
        unit("TTRA", status=SUBMITTED, file_name="TTRA_2025.xlsx", submission_period=PERIOD, submission=_submission(config, "TTRA", "TTRA_2025.xlsx", [cuong]),
             score=ttra_score, rank=2, rank_change=-1, files=[f_ttra_early, f_ttra]),
        unit("KHTC", status=CARRIED, file_name="KHTC_thang10.xlsx", submission_period="2025-10", submission=_submission(config, "KHTC", "KHTC_thang10.xlsx", []),
             score=khtc_score, rank=3, rank_change=None, issues=list(f_khtc.issues), files=[f_khtc]),
        unit("QLKH", status=UNIT_REJECTED, issues=list(f_qlkh.issues), files=[f_qlkh]),
    ]
    for u in config.units:
        if not any(x.code == u.code for x in units):
            units.append(unit(u.code, status=MISSING))

    for i in range(extra_units):
        code, name = f"X{i:03d}", f"Đơn vị thử nghiệm số {i}"
        f = _file(f"{code}.xlsx", ACCEPTED, code)
        persons = [PersonEntry(row=5 + k, name=f"Người thứ {k} của {code}", birth_year=1980 + k, gender="Nữ", rating="HTTNV", summary=EVIL) for k in range(10)]
        units.append(UnitOutcome(code=code, name=name, email=None, status=SUBMITTED, file_name=f.name, submission_period=PERIOD,
                                 submission=_submission(config, "TTRA", f.name, persons), score=make_score(config, "TTRA", Decimal("0.6")),
                                 rank=4 + i, files=[f]))
        run_files.append(f)

    def nom(award: str, kind: str, name: str, code: str, eligible, reasons, proposed=False, selected=False, note="", person=None) -> Nomination:
        rule = config.criteria.award(award)
        return Nomination(award, rule.name, kind, name, code, eligible, reasons, proposed, selected, note, person)

    noms = [
        nom(GK, "collective", units[0].name, "VP", True, ["Xếp loại Xuất sắc, đạt mức Tốt trở lên"], selected=True, note="Xếp hạng 1"),
        nom(GK, "collective", units[1].name, "TTRA", True, ["Xếp loại Tốt, đạt mức Tốt trở lên"], selected=True),
        nom(GK, "collective", units[2].name, "KHTC", False, ["Xếp loại Khá, cần Tốt trở lên"]),
        nom(GK, "individual", an.name, "VP", True, ["Xếp loại Hoàn thành xuất sắc nhiệm vụ", "Có 1 sáng kiến"], proposed=True, selected=True, person=an),
        nom(GK, "individual", binh.name, "VP", False, ["Xếp loại Hoàn thành tốt nhiệm vụ, cần Hoàn thành xuất sắc nhiệm vụ"], proposed=True, note="Không đủ điều kiện", person=binh),
        nom(GK, "individual", cuong.name, "TTRA", None, ["Chưa có dữ liệu sáng kiến năm 2025"], proposed=True, note="Chưa xác định được", person=cuong),
    ]
    if milestone is not None:
        noms.append(nom(BK_UBND, "collective", units[0].name, "VP", True, ["Xếp hạng 1", "Xếp loại Xuất sắc"], selected=True))

    if council:
        for n in noms:
            if n.selected:
                n.vote = CouncilVote(7, 6, "Đồng ý")
    return RunOutcome(period=PERIOD, milestone=milestone, files=run_files, units=units, nominations=noms, period_files=[f_ttra_early] + run_files, council_applied=council)
