"""``ccht-batch demo``: a working folder with realistic submissions, and two monthly runs on it.

A clerk (or an evaluator) sees the whole month in one command: units that sent good files, one that did not
update its file this month (carried), one that never sent anything, and two with the mistakes units really
make (a number typed "8.500", a score above the maximum, text in a count, a score off its step). The faulty
files are rejected by design, and each of those units keeps its October result, told so plainly; the demo
still exits 0 when it ran. November also holds figures that count but cannot be true, each warned at its
cell: a plan dated 2019, more tasks done than assigned, one recognition decision counted as two initiatives.

``appraise_november`` and ``run_december`` go on from there, as the Office would: the appraisal of
November, then December's review run with no new file, where that appraisal still applies.

The movement's earlier years (2022 - 2024) come from a history workbook the Office would fill
(``LichSu_2022-2024.xlsx``, imported before the runs): the results of the units that existed then (the two
divisions that joined in 2025 have none), the people's ratings — some with their decision, some only as
declared —, titles, initiatives, an S&T task and a minister's Bằng khen. Three units end November tied at
the top, two places of the provincial Certificate's quota between them: the council decides.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import openpyxl

from ccht_batch.batch import RunReport, period_units, run_batch
from ccht_batch.config.load import load_config
from ccht_batch.config.model import Config, Criterion, Unit
from ccht_batch.config.workdir import init_workdir
from ccht_batch.core import vocab
from ccht_batch.core.records import IndicatorEntry, Submission
from ccht_batch.core.values import fmt_number, parse_count, parse_date
from ccht_batch.forms import layout as L
from ccht_batch.forms.appraisal import appraisal_path, write_appraisal
from ccht_batch.forms.filling import fill_appraisal, fill_template, save_reproducibly
from ccht_batch.forms.template import write_templates
from ccht_batch.history import workbook as H
from ccht_batch.history.imports import import_history
from ccht_batch.scoring.score import score_unit
from ccht_batch.store.db import Store

DEMO_YEAR = 2025
FIRST_PERIOD = "2025-10"
SECOND_PERIOD = "2025-11"

# How well each default unit does (0..1); units not listed get 0.85.
QUALITY = {"VP": 0.98, "QLKH": 0.96, "CCTDC": 0.95, "TTRA": 0.93, "BCVT": 0.9, "CDS": 0.88, "KHTC": 0.86, "QLCN": 0.84, "TTUD": 0.8}
NEVER_SENDS = "TTUD"  # missing
NOT_UPDATED = "CDS"  # carried from October
MISTAKES = ("KHTC", "QLCN")  # rejected in November
SELF_SCORE_OFF = "BCVT"  # types a self-score different from the computed one (a warning)
NO_EVIDENCE = "TTRA"  # leaves a required evidence cell empty (a warning; that criterion scores 0)
# November's figures that count but cannot be true (a warning each, at the cell)
OLD_PLAN_DATE = ("CCTDC", dt.date(2019, 1, 10))  # a plan date from another year
TASKS_OVER = ("QLKH", 10, 15)  # 15 tasks done out of 10 assigned
DOUBLE_COUNTED = "VP"  # two recognised initiatives claimed, one decision cited twice on `Cá nhân` (November)
THIRD_PERIOD = "2025-12"
# The Office's appraisal of November: (unit, criterion) → (score, note)
APPRAISAL = {
    ("VP", "1.3"): (Decimal("1.5"), "Văn bản phân công chưa nêu người đứng đầu trực tiếp chỉ đạo"),
    ("QLKH", "T2"): (Decimal(2), "Được UBND tỉnh biểu dương tại Công văn số 15/UBND-NC"),
}

# Each unit's people: a family name per unit and a given name per row, so nobody is on two units' lists.
FAMILIES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương")
PEOPLE = [
    ("Văn Hùng", 1978, "Nam", "Trưởng phòng"),
    ("Thị Mai", 1985, "Nữ", "Phó Trưởng phòng"),
    ("Hoàng Nam", 1990, "Nam", "Chuyên viên"),
    ("Thị Thu Hà", 1988, "Nữ", "Chuyên viên chính"),
    ("Minh Tuấn", 1982, "Nam", "Chuyên viên"),
]


def _round_to(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value() * step


def _as_cell(value: Decimal) -> object:
    return float(value) if value != value.to_integral_value() else int(value)


def _score_for(c: Criterion, q: float) -> object:
    if c.method == "yes_no":
        return "Có" if q >= 0.85 else "Không"
    if c.method == "scale":
        return "Tốt" if q >= 0.92 else ("Đạt" if q >= 0.8 else "Chưa đạt")
    return _as_cell(_round_to(c.max * Decimal(str(q)), c.step))


def _indicators(unit: Unit, q: float, month: int) -> dict[str, object]:
    share = lambda total: max(0, round(total * q)) if q < 0.95 else total  # noqa: E731
    issued = dt.date(DEMO_YEAR, 1, 12) if q >= 0.8 else dt.date(DEMO_YEAR, 2, 14)
    tasks = 20 * month // 12 or 1
    reports = 8 + month // 3
    values: dict[str, object] = {
        "KH_NGAY": issued.strftime("%d/%m/%Y") if unit.code != "VP" else issued,
        "KH_NV_GIAO": tasks,
        "KH_NV_XONG": share(tasks),
        "KT_TONTAI": 4,
        "KT_KHACPHUC": share(4),
        "TT_HINHTHUC": 4 if q >= 0.9 else 3 if q >= 0.8 else 2,
        "TT_TIN_BAI": int(14 * q),
        "VB_GIAO": 6,
        "VB_DUNGHAN": share(6),
        "VBDI_TONG": 180 * month // 12,
        "VBDI_KYSO": int(180 * month // 12 * min(1.0, q + 0.05)),
        "DX_VANBAN": 3 if q >= 0.9 else 2 if q >= 0.8 else 1,
        "SK_CONGNHAN": 2 if q >= 0.92 else 1 if q >= 0.8 else 0,
        "BC_PHAINOP": reports,
        "BC_DUNGHAN": share(reports),
    }
    if unit.handles_dossiers:
        values["HS_TIEPNHAN"] = 120 * month // 12
        values["HS_DUNGHAN"] = share(120 * month // 12)
    else:
        values["HS_TIEPNHAN"] = 0
        values["HS_DUNGHAN"] = 0
    return values


HISTORY_FILE = "LichSu_2022-2024.xlsx"
HISTORY_YEARS = (2022, 2023, 2024)
# Each unit's result and rank in the years before the demo (units that did not exist then have none).
PAST_RESULTS = {
    "VP": ((Decimal("95.5"), 1), (Decimal("96"), 2), (Decimal("97"), 1)),
    "QLKH": ((Decimal("94"), 2), (Decimal("96.5"), 1), (Decimal("95"), 3)),
    "CCTDC": ((Decimal("93"), 3), (Decimal("95"), 3), (Decimal("96.25"), 2)),
    "TTRA": ((Decimal("91"), 4), (Decimal("92"), 4), (Decimal("90.5"), 4)),
    "KHTC": ((Decimal("82"), 5), (Decimal("80.5"), 5), (Decimal("78"), 6)),
    "QLCN": ((Decimal("79"), 6), (Decimal("76"), 6), (Decimal("81"), 5)),
    "TTUD": ((Decimal("70"), 7), (Decimal("72"), 7), (Decimal("69"), 7)),
}


def _persons(config: Config, unit: Unit, index: int, q: float, month: int) -> list[dict[str, object]]:
    awards = {a.level: a.name for a in config.criteria.awards}
    lowest = awards[min(awards)]
    middle = awards[sorted(awards)[1]] if len(awards) > 1 else lowest
    rows = []
    for j in range(3 + index % 3):
        given, born, gender, position = PEOPLE[j]
        name = f"{FAMILIES[(index + j) % len(FAMILIES)]} {given}"
        born += index % 4
        excellent = j == 0 or (j == 1 and q >= 0.9)
        # The unit's recognised initiatives (as many as `Số liệu` claims: two from 0.92), each author citing its
        # decision; one initiative is co-written by both authors. VP's November cites one decision twice.
        two = q >= 0.92 and not (unit.code == DOUBLE_COUNTED and month == 11)
        decision = 40 + 2 * index + (j if two else 0)
        row: dict[str, object] = {
            L.P_NAME: name,
            L.P_BIRTH: born,
            L.P_GENDER: gender,
            L.P_POSITION: position,
            L.P_RATING: vocab.RATINGS["HTXSNV" if excellent else "HTTNV"],
            L.P_SUMMARY: f"Hoàn thành tốt nhiệm vụ CCHC được giao tại {unit.name}.",
        }
        if excellent and q >= 0.9:  # a unit below that lists no initiative (it claims one at most)
            row[L.P_INITIATIVE] = f"Giải pháp số hóa quy trình tiếp nhận hồ sơ tại {unit.name}"
            row[L.P_DECISION] = f"Quyết định số {decision}/QĐ-SKHCN ngày 20/6/{DEMO_YEAR}"
            row[L.P_LEVEL] = vocab.INITIATIVE_LEVELS["co-so"]
            row[L.P_PROPOSAL] = middle if (j == 0 and q >= 0.95) else lowest
        rows.append(row)
    return rows


def _computed_points(config: Config, unit: Unit, indicators: dict[str, object]) -> dict[str, Decimal]:
    """What the program will compute from these figures: a careful unit types the same self-score."""

    entries = {}
    for ind in config.criteria.indicators:
        raw = indicators.get(ind.id)
        value = parse_date(raw) if ind.type == "date" else parse_count(raw)
        entries[ind.id] = IndicatorEntry(ind.id, "", value)
    scored = score_unit(config, unit, Submission(unit.code, DEMO_YEAR, "", "", indicators=entries))
    return {c.id: c.computed for c in scored.criteria if c.computed is not None}


def _fill(config: Config, unit: Unit, index: int, template: Path, dest: Path, month: int) -> Path:
    q = QUALITY.get(unit.code, 0.85) * (0.98 if month < 11 else 1.0)
    figures = _indicators(unit, q, month)
    if month == 11 and unit.code == OLD_PLAN_DATE[0]:
        figures["KH_NGAY"] = OLD_PLAN_DATE[1].strftime("%d/%m/%Y")
    if month == 11 and unit.code == TASKS_OVER[0]:
        figures["KH_NV_GIAO"], figures["KH_NV_XONG"] = TASKS_OVER[1:]
    computed = _computed_points(config, unit, figures)
    scores, evidence = {}, {}
    for c in config.criteria.criteria:
        if not config.applies(c, unit):
            continue
        scores[c.id] = _as_cell(computed[c.id]) if c.id in computed else _score_for(c, q)
        evidence[c.id] = f"Văn bản số {10 + index}/{unit.code} ngày 15/{month:02d}/{DEMO_YEAR} (lưu tại {unit.name})"
    if unit.code == SELF_SCORE_OFF:
        scores["1.2"] = 6  # the plan is not fully done: the program computes less
    if unit.code == NO_EVIDENCE:
        evidence.pop("1.1", None)
    scores["T1"] = 1 if q >= 0.9 else 0
    evidence["T1"] = "Quyết định công nhận mô hình số 88/QĐ-UBND"
    scores["TR1"] = 2 if q < 0.8 else 0
    notes = {"1.2": "Số liệu tính đến cuối tháng"}
    return fill_template(
        template,
        dest,
        scores=scores,
        evidence=evidence,
        notes=notes,
        indicators=figures,
        persons=_persons(config, unit, index, q, month),
    )


def _mistakes(config: Config, unit: Unit, template: Path, dest: Path) -> Path:
    """Typical errors: a thousands-looking number, a score above the maximum, text in a count, an
    impossible date; a score off its step, a penalty that is not a multiple of its points per event."""
    if unit.code == MISTAKES[0]:
        return fill_template(
            template,
            dest,
            scores={"1.1": 3, "1.2": "5.500", "2.1": 9, "3.1": "năm"},
            evidence={"1.1": "Kế hoạch số 02/KH"},
            indicators={"KH_NGAY": "31/02/2025", "TT_HINHTHUC": "ba", "KH_NV_GIAO": 12},
            persons=[{L.P_NAME: "Ngô Thị Hạnh", L.P_BIRTH: 1890, L.P_RATING: "Xuất sắc"}],
        )
    # steps: 3,3 where the step is 0,25 (what the template's own validation now refuses in Excel), and 3
    # points of a penalty counted 2 points per event
    return fill_template(
        template,
        dest,
        scores={"1.1": 3, "3.4": "Có", "4.1": 3.3, "TR1": 3},
        evidence={"1.1": "Kế hoạch số 05/KH-QLCN", "4.1": "Văn bản số 12/QLCN"},
        indicators={"KH_NGAY": "15/01/2025"},
    )


def _history_sheets(config: Config) -> dict[str, list[dict[str, object]]]:
    """2022 - 2024 as the Office would type them into the history workbook."""
    ratings = vocab.RATINGS
    sheets: dict[str, list[dict[str, object]]] = {name: [] for name in H.SHEETS}
    for code, past in PAST_RESULTS.items():
        for year, (result, rank) in zip(HISTORY_YEARS, past):
            sheets[H.SHEET_UNIT_YEARS].append({H.C_YEAR: year, H.C_UNIT: code, H.C_TOTAL: fmt_number(result), H.C_RESULT: fmt_number(result), H.C_RANK: rank})
    for i, unit in enumerate(config.units):
        if unit.code not in PAST_RESULTS or unit.code == NEVER_SENDS:
            continue
        for j, row in enumerate(_persons(config, unit, i, QUALITY.get(unit.code, 0.85), 11)):
            who = {H.C_UNIT: unit.code, H.C_NAME: row[L.P_NAME], H.C_BIRTH: row[L.P_BIRTH]}
            lead = j == 0
            for year in HISTORY_YEARS:
                decided = year < 2024 or lead  # the Director's decisions on 2024 came late for most staff
                sheets[H.SHEET_PERSON_YEARS].append({
                    H.C_YEAR: year, **who,
                    H.C_RATING: ratings["HTXSNV" if lead or year == 2024 else "HTTNV"],
                    H.C_TITLE: vocab.TITLES["CSTDCS"] if lead and year >= 2023 else vocab.TITLES["LDTT"],
                    H.C_DECISION: f"{150 + year - 2000}/QĐ-SKHCN" if decided else "",
                    H.C_DECISION_DATE: f"28/12/{year}" if decided else "",
                })
            if lead:
                sheets[H.SHEET_INITIATIVES].append({
                    H.C_YEAR: 2023, **who, H.C_INIT_TITLE: f"Quy trình số hóa hồ sơ lưu trữ tại {unit.name}",
                    H.C_DECISION: f"{60 + i}/QĐ-SKHCN", H.C_DECISION_DATE: "15/11/2023", H.C_LEVEL: vocab.INITIATIVE_LEVELS["co-so"],
                })
    first = next(u for u in config.units if u.code == "QLKH")
    lead = _persons(config, first, config.units.index(first), QUALITY["QLKH"], 11)[0]
    who = {H.C_UNIT: first.code, H.C_NAME: lead[L.P_NAME], H.C_BIRTH: lead[L.P_BIRTH]}
    sheets[H.SHEET_INITIATIVES].append({
        H.C_YEAR: 2024, **who, H.C_INIT_TITLE: "Đề tài ứng dụng bản đồ số trong quản lý nhiệm vụ KH&CN", H.C_KIND: H.KIND_TASK,
        H.C_DECISION: "88/QĐ-SKHCN", H.C_DECISION_DATE: "20/10/2024",
    })
    sheets[H.SHEET_AWARDS].append({
        H.C_YEAR: 2019, H.C_SUBJECT: H.SUBJECT_INDIVIDUAL, **who, H.C_AWARD: "Bằng khen của Bộ trưởng Bộ Khoa học và Công nghệ",
        H.C_DECISION: "2150/QĐ-BKHCN", H.C_DECISION_DATE: "20/12/2019", H.C_ISSUER: "Bộ Khoa học và Công nghệ",
        H.C_EQUIVALENT: next(a.name for a in config.criteria.awards if a.level == 2),
    })
    return sheets


def write_history(config: Config, dest: Path) -> Path:
    """The history workbook filled with ``_history_sheets``: our template, values by column title."""
    blank = dest.with_name(f".blank_{dest.name}")
    H.build_history_template(config, blank)
    wb = openpyxl.load_workbook(blank)
    blank.unlink()
    for sheet, rows in _history_sheets(config).items():
        ws = wb[sheet]
        col = {ws.cell(H.HEADER_ROW + 1, c).value: c for c in range(1, ws.max_column + 1)}
        for r, row in enumerate(rows, start=H.HEADER_ROW + 2):
            for title, value in row.items():
                ws.cell(r, col[title]).value = value
    save_reproducibly(wb, dest)
    return dest


def build_demo(target: Path) -> Config:
    """Create the demo folder's config, templates, the earlier years' history and October submissions."""
    init_workdir(target)
    config = load_config(target)
    with Store(config.store_path) as store:
        result = import_history(config, store, write_history(config, target / HISTORY_FILE))
    if result.refused:  # the demo's own data: a program error, never the clerk's
        raise RuntimeError("; ".join(i.message for i in result.issues))
    templates = {p.stem.split("_")[0]: p for p in write_templates(config, DEMO_YEAR)}
    for i, unit in enumerate(config.units):
        if unit.code == NEVER_SENDS:
            continue
        _fill(config, unit, i, templates[unit.code], config.input_dir / f"{unit.code}_TuCham_T10.xlsx", month=10)
        _touch(config.input_dir / f"{unit.code}_TuCham_T10.xlsx", dt.datetime(DEMO_YEAR, 11, 3, 8, i))
    return config


def add_november(config: Config) -> None:
    templates = {u.code: config.output_dir / "templates" / f"{u.code}_{DEMO_YEAR}.xlsx" for u in config.units}
    for i, unit in enumerate(config.units):
        if unit.code in (NEVER_SENDS, NOT_UPDATED):
            continue
        dest = config.input_dir / f"BaoCao_{unit.code}_thang11.xlsx"
        if unit.code in MISTAKES:
            _mistakes(config, unit, templates[unit.code], dest)
        else:
            _fill(config, unit, i, templates[unit.code], dest, month=11)
        _touch(dest, dt.datetime(DEMO_YEAR, 12, 2, 9, i))
    (config.input_dir / "~$BaoCao_VP_thang11.xlsx").write_bytes(b"\x00lock")  # Excel's lock file


def _touch(path: Path, when: dt.datetime) -> None:
    stamp = when.timestamp()
    os.utime(path, (stamp, stamp))


def run_first_month(config: Config) -> RunReport:
    """October: eight units send a file, one never does."""
    return run_batch(config, FIRST_PERIOD)


def run_second_month(config: Config) -> RunReport:
    """November: one unit does not update its file, two make typical mistakes, Excel leaves a lock file."""
    add_november(config)
    return run_batch(config, SECOND_PERIOD)


def appraise_november(config: Config) -> RunReport:
    """The Office appraises November (``APPRAISAL``) in the workbook ``ccht-batch appraisal`` writes,
    drops it in input/ and runs November again."""
    path = write_appraisal(config, SECOND_PERIOD, period_units(config, SECOND_PERIOD), appraisal_path(config, SECOND_PERIOD))
    dest = fill_appraisal(path, config.input_dir / path.name, APPRAISAL)
    _touch(dest, dt.datetime(DEMO_YEAR, 12, 8, 10, 0))
    return run_batch(config, SECOND_PERIOD)


def run_december(config: Config, milestone: str | None = "tong-ket") -> RunReport:
    """December, the movement's review, with no new file: each unit's latest workbook is carried, and the
    appraisal of November still applies to the ones it was made on."""
    return run_batch(config, THIRD_PERIOD, milestone)


def run_demo(target: Path) -> tuple[Config, RunReport, RunReport]:
    """The whole demo in ``target`` (a new folder): the working folder, then both months."""
    config = build_demo(target)
    return config, run_first_month(config), run_second_month(config)
