"""The period as the outputs see it: tables of units, scores, issues and nominations, and the plain rows each
output is written from.

``period_frames`` gathers a run's outcome into tables once: *units* (one row per unit, in the order of
``units.yaml``, with status, total, result, band, rank and rank change), the *scores* the scorer made
(``scoring.score.Scored``: rows, totals, field scores), *issues* (every issue of the period's files, in the
order of ``Lỗi``) and *nominations*. ``summary.json``, the consolidated workbook's data sheets (`Tổng hợp`,
`Chi tiết`, `Lỗi`, `Chưa nộp`, `Ghi chú xử lý`, `Xu hướng`) and each feedback workbook's tables (`Cần sửa`,
`Điểm`, `Khen thưởng`) are then cut from these tables: whole columns at a time, split by unit where a
workbook is per unit, and handed to the writers (``xlsx.fast``) as plain rows. The writers themselves import
no pandas: they run in worker processes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd

from ccht_batch.config.model import Config
from ccht_batch.core.files import atomic_path
from ccht_batch.core.issues import ERROR, SEVERITY_TEXT, WARNING
from ccht_batch.core.memory import frozen_heap
from ccht_batch.core.periods import period_month, period_text, period_year
from ccht_batch.core.records import (
    ACCEPTED,
    CARRIED,
    FILE_STATUS_TEXT,
    MISSING,
    SOURCE_TEXT,
    SRC_APPRAISED,
    SRC_COMPUTED,
    UNIT_REJECTED,
    UNIT_STATUS_TEXT,
    FileRecord,
    RunOutcome,
    UnitOutcome,
)
from ccht_batch.core.values import json_number
from ccht_batch.outputs import consolidated as C
from ccht_batch.outputs import feedback as F
from ccht_batch.outputs.nominations import ELIGIBILITY_TEXT, ON_LIST_TEXT
from ccht_batch.outputs.nominations import KIND_TEXT as NOMINATION_KIND_TEXT
from ccht_batch.outputs.summary_json import sorted_files, sorted_units
from ccht_batch.scoring.score import Scored
from ccht_batch.tables import issues as T
from ccht_batch.tables.frames import (
    map_distinct,
    objects,
    put,
    records,
    split_rows,
    table,
)
from ccht_batch.xlsx.fast import Styled

UNIT_COLUMNS = ("code", "name", "status", "total", "result", "rank", "rank_change", "band")  # summary.json's units
NOMINATION_COLUMNS = ("award", "award_name", "kind", "name", "unit_code", "eligible", "reasons", "proposed", "selected", "note")


# ---------------------------------------------------------------------------------------------------
# The tables


@dataclass
class PeriodFrames:
    units: pd.DataFrame  # UNIT_COLUMNS and email, status_text, file_name, submission_period, rejected_file, rejected_errors
    scored: Scored
    issues: pd.DataFrame  # tables.issues.ISSUE_COLUMNS, the period's files by name (`Lỗi`)
    nominations: pd.DataFrame  # NOMINATION_COLUMNS, in the award engine's order


@frozen_heap()  # the outcome's records exist already: collections skip them while the tables are built
def period_frames(config: Config, outcome: RunOutcome) -> PeriodFrames:
    units = sorted_units(config, outcome.units)
    scored = outcome.scores
    if scored is None:
        scored = Scored.from_records({u.code: u.score for u in units if u.score is not None}, {u.code: u.submission for u in units})
    noms = outcome.nominations
    nominations = table({
        name: [getattr(n, name) for n in noms] for name in NOMINATION_COLUMNS
    }) if noms else pd.DataFrame({name: pd.Series([], dtype=object) for name in NOMINATION_COLUMNS})
    return PeriodFrames(units=units_frame(units), scored=scored, issues=file_issues(sorted_files(outcome.all_period_files)), nominations=nominations)


def units_frame(units: list[UnitOutcome]) -> pd.DataFrame:
    """One row per unit, in the order given."""
    def col(fn) -> list:
        return [fn(u) for u in units]

    return table({
        "code": col(lambda u: u.code),
        "name": col(lambda u: u.name),
        "status": col(lambda u: u.status),
        "total": col(lambda u: u.total),
        "result": col(lambda u: u.result),
        "rank": col(lambda u: u.rank),
        "rank_change": col(lambda u: u.rank_change),
        "band": col(lambda u: u.band),
        "email": col(lambda u: u.email),
        "status_text": col(lambda u: UNIT_STATUS_TEXT.get(u.status, u.status)),
        "file_name": col(lambda u: u.file_name if u.score is not None else None),
        "submission_period": col(lambda u: u.submission_period if u.score is not None else None),
        "rejected_file": col(lambda u: u.rejected_file.name if u.rejected_file else None),
        "rejected_errors": col(lambda u: sum(1 for i in u.rejected_file.issues if i.severity == ERROR) if u.rejected_file else None),
    })


def file_issues(files: list[FileRecord], owners: list[str] | None = None) -> pd.DataFrame:
    """The issues of ``files``, file after file (an issue without its own unit takes its file's), with the
    file's position (``at``) and, when ``owners`` are given, whose file it is (``owner``)."""
    items = [(n, f, i) for n, f in enumerate(files) for i in f.issues]
    frame = put(T.issues_frame((f.name, f.unit_code, i) for _, f, i in items), at=np.array([n for n, _, _ in items], dtype=np.int64))
    if owners is not None:
        put(frame, owner=objects((owners[n] for n, _, _ in items), len(items)))
    return frame


def _num(values: Any) -> np.ndarray:
    """Numbers for a workbook (Excel stores doubles; 8.25 stays 8.25), None where there is none."""
    return map_distinct(values, lambda v: None if _na(v) else float(v))


def _json(values: Any) -> np.ndarray:
    return map_distinct(values, lambda v: json_number(v) if isinstance(v, Decimal) else v)


# ---------------------------------------------------------------------------------------------------
# summary.json (its shape: ``summary_json``)


def summary_entries(config: Config, outcome: RunOutcome, frames: PeriodFrames) -> list[tuple[str, Any]]:
    """summary.json's keys and values in order; each list as an iterator of its entries, made one at a time
    (a month of ten thousand units has a quarter of a million of them)."""
    files = sorted_files(outcome.files)
    found = file_issues(files)
    by_file = split_rows(found["at"].tolist(), records(found, ISSUE_JSON))
    rows = frames.scored.rows
    by_unit = split_rows(rows["unit_code"].tolist(), list(zip(
        rows["id"].tolist(), _json(rows["max"]), _json(rows["self_score"]),
        _json(objects((s if ok else None for s, ok in zip(rows["score"], rows["applicable"])), len(rows))), rows["source"].tolist(),
    )))
    u = put(frames.units.copy(), total=_json(frames.units["total"]), result=_json(frames.units["result"]))
    return [
        ("period", outcome.period),
        ("milestone", outcome.milestone),
        ("files", (
            {"name": f.name, "sha256": f.sha256, "status": f.status, "unit_code": f.unit_code, "issues": [dict(zip(ISSUE_JSON, i)) for i in by_file.get(n, [])]}
            for n, f in enumerate(files)
        )),
        ("units", (
            {**dict(zip(UNIT_COLUMNS, r)), "criteria": [dict(zip(CRITERION_JSON, c)) for c in by_unit.get(r[0], [])]}
            for r in records(u, UNIT_COLUMNS)
        )),
        ("nominations", (n.to_json() for n in outcome.nominations)),
    ]


ISSUE_JSON = ("code", "severity", "sheet", "cell", "value", "message")  # an issue in summary.json (``Issue.to_json``)
CRITERION_JSON = ("id", "max", "self_score", "score", "source")

# One encoder for every entry: ``json.dumps`` with options builds a new encoder per call, which costs as
# much as encoding an entry (15,000 entries in a large month); the output is the same.
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def summary_chunks(config: Config, outcome: RunOutcome, frames: PeriodFrames | None = None) -> Iterator[str]:
    """summary.json as pieces of text, one entry of each list per line. json's indenting encoder is pure
    Python and an order of magnitude slower than its C encoder, which a thousand units notice; a line per
    entry still reads and diffs well. Written piece by piece, the text of a large month is never whole in
    memory."""
    data = summary_entries(config, outcome, frames or period_frames(config, outcome))
    dump = _ENCODER.encode
    yield "{\n"
    for i, (key, value) in enumerate(data):
        comma = "," if i < len(data) - 1 else ""
        if not isinstance(value, (str, type(None))):
            head = f"  {dump(key)}: ["
            for n, item in enumerate(value):
                yield f"{head}\n    {dump(item)}" if n == 0 else f",\n    {dump(item)}"
                head = None
            if head is None:
                yield f"\n  ]{comma}\n"
                continue
            value = []
        yield f"  {dump(key)}: {dump(value)}{comma}\n"
    yield "}\n"


def summary_text(config: Config, outcome: RunOutcome, frames: PeriodFrames | None = None) -> str:
    return "".join(summary_chunks(config, outcome, frames))


def write_summary_json(config: Config, outcome: RunOutcome, path: Path, frames: PeriodFrames | None = None) -> Path:
    with atomic_path(path) as tmp:
        # newline="\n": the same bytes on Windows as here.
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.writelines(summary_chunks(config, outcome, frames))
    return path


# ---------------------------------------------------------------------------------------------------
# The consolidated workbook's data sheets


def _summary_table(config: Config, frames: PeriodFrames, order: list[UnitOutcome]) -> C.Table:
    fields = config.criteria.fields
    layout = ((7, "int"), (11, "text"), (34, "text"), (10, "number"), (10, "number"), (12, "text"), (16, "text"))
    columns = [C.Column(title, width, kind) for title, (width, kind) in zip(C.SUMMARY_HEADERS, layout, strict=True)]
    columns += [C.Column(f"{f.id}. {f.name}", 12, "number") for f in fields]  # narrow: the sheet fits one A4 width
    units = frames.units.set_index("code").reindex([u.code for u in order])
    f = frames.scored.fields
    scores = pd.Series(f["score"].to_numpy(dtype=object), index=pd.MultiIndex.from_arrays([f["unit_code"], f["field_id"]]), dtype=object)
    matrix = [scores.reindex(pd.MultiIndex.from_product([[u.code for u in order], [x.id]])).to_numpy(dtype=object) for x in fields]
    lead = list(zip(
        [u.rank for u in order], [u.code for u in order], [u.name for u in order], _num(units["total"].to_numpy(dtype=object)),
        _num(units["result"].to_numpy(dtype=object)), [u.band for u in order], [UNIT_STATUS_TEXT.get(u.status, u.status) for u in order],
    ))
    by_field = [_num(m) for m in matrix]
    rows = [list(head) + [col[i] for col in by_field] for i, head in enumerate(lead)]
    bands = list(zip([b.name for b in config.criteria.bands], C.band_colours(len(config.criteria.bands))))
    return C.Table(C.SHEET_SUMMARY, columns, rows, freeze_cols=3, bands=bands)


def _detail_table(config: Config, frames: PeriodFrames, order: list[UnitOutcome], period: str) -> C.Table:
    """One row per unit with a score; per criterion its self-score, appraised score (when the period has
    any) and counted score. Empty cells stay unwritten; a criterion that does not apply is grey."""
    scored = [u for u in order if u.score is not None]
    rows_of = frames.scored.rows
    rows_of = rows_of[rows_of["unit_code"].isin([u.code for u in scored]).to_numpy()]
    ids = [c.id for c in config.criteria.scored_rows]
    ids += [i for i in pd.unique(rows_of["id"].to_numpy(dtype=object)) if i not in set(ids)]  # a row the configuration no longer has still shows
    appraised = bool(pd.notna(rows_of["appraised"]).any())
    parts = (C.DETAIL_SELF, C.DETAIL_APPRAISED, C.DETAIL_COUNTED) if appraised else (C.DETAIL_SELF, C.DETAIL_COUNTED)
    columns = [C.Column("Mã đơn vị", 11), C.Column("Tên đơn vị", 26)]
    notes = any(u.appraisal is not None for u in scored)  # whether an appraisal applies, or no longer does
    if notes:
        columns.append(C.Column(C.DETAIL_APPRAISED, 18))
    lead = len(columns)
    columns += [C.Column(f"{cid} {part}", 9, "score") for cid in ids for part in parts]
    width = len(parts)
    matrix = np.full((len(scored), lead + len(ids) * width), None, dtype=object)
    for r, u in enumerate(scored):
        matrix[r, :lead] = [u.code, u.name] + ([u.appraisal.text(period) if u.appraisal else None] if notes else [])
    if len(rows_of):
        at_unit = pd.Index([u.code for u in scored]).get_indexer(rows_of["unit_code"])
        at_col = lead + pd.Index(ids).get_indexer(rows_of["id"]) * width
        ok = rows_of["applicable"].to_numpy(dtype=bool)
        na = objects((Styled(None, C.NOT_APPLICABLE) for _ in range(int((~ok).sum()))), int((~ok).sum()))
        for k in range(width):
            matrix[at_unit[~ok], at_col[~ok] + k] = na
        matrix[at_unit[ok], at_col[ok]] = _num(rows_of["self_score"].to_numpy(dtype=object)[ok])
        if appraised:
            matrix[at_unit[ok], at_col[ok] + 1] = _num(rows_of["appraised"].to_numpy(dtype=object)[ok])
        counted = _num(rows_of["score"].to_numpy(dtype=object)[ok])
        source = rows_of["source"].to_numpy(dtype=object)[ok]
        score, typed = rows_of["score"].to_numpy(dtype=object)[ok], rows_of["self_score"].to_numpy(dtype=object)[ok]
        replaced = np.fromiter((s in (SRC_COMPUTED, SRC_APPRAISED) and a != b for s, a, b in zip(source, score, typed)), dtype=bool, count=len(source))
        counted[replaced] = objects((Styled(v, C.REPLACED) for v in counted[replaced]), int(replaced.sum()))
        matrix[at_unit[ok], at_col[ok] + width - 1] = counted
    return C.Table(C.SHEET_DETAIL, columns, matrix.tolist(), freeze_cols=lead, wide=True, note=C.DETAIL_NOTE)


def _issues_table(frames: PeriodFrames) -> C.Table:
    columns = [C.Column(title, width) for title, width in zip(C.ISSUE_HEADERS, (30, 11, 14, 7, 10, 22, 80), strict=True)]
    shown = put(frames.issues.copy(), severity=map_distinct(frames.issues["severity"], lambda s: SEVERITY_TEXT.get(s, s)))
    rows = [list(r) for r in records(shown, ("file", "unit_code", "sheet", "cell", "severity", "code", "message"))]
    return C.Table(C.SHEET_ISSUES, columns, rows, freeze_cols=1)


def _missing_table(frames: PeriodFrames) -> C.Table:
    """Units without a new accepted file this period: not sent, carried, or whose latest file was refused
    (with that file and its errors, while an earlier result counts)."""
    columns = [
        C.Column("Mã đơn vị", 11), C.Column("Tên đơn vị", 36), C.Column("Trạng thái", 20), C.Column("Thư điện tử", 32),
        C.Column("Kỳ của bản được dùng", 18), C.Column("Tệp được dùng", 34), C.Column("Tệp bị trả lại", 34), C.Column("Số lỗi", 8, "int"),
    ]
    u = frames.units
    told = u["status"].isin([MISSING, CARRIED, UNIT_REJECTED]).to_numpy() | pd.notna(u["rejected_file"]).to_numpy()
    u = u[told].copy()
    put(u, submission_period=map_distinct(u["submission_period"], lambda p: period_text(p) if p else None))
    rows = [list(r) for r in records(u, ("code", "name", "status_text", "email", "submission_period", "file_name", "rejected_file", "rejected_errors"))]
    return C.Table(C.SHEET_MISSING, columns, rows)


def _notes_table(config: Config, frames: PeriodFrames) -> C.Table:
    """The award engine's processing notes (a candidate moved to a lower form, cut by a quota, a proposal
    refused): kept off the signable lists, here for the Office, as in summary.json (``note``)."""
    columns = [C.Column("Hình thức khen thưởng", 28), C.Column("Đối tượng", 10), C.Column("Họ và tên (tên tập thể)", 28), C.Column("Mã đơn vị", 11),
               C.Column("Kết quả xét", 18), C.Column("Trên danh sách", 14), C.Column("Ghi chú xử lý", 80)]
    n = frames.nominations
    n = n[(n["note"] != "").to_numpy(dtype=bool)] if len(n) else n
    if len(n):
        order = {r.id: i for i, r in enumerate(config.criteria.awards)}
        n = put(n.copy(), at=np.array([order.get(a, len(order)) for a in n["award"]], dtype=np.int64)).sort_values("at", kind="stable")
    rows = [
        [award_name, NOMINATION_KIND_TEXT.get(kind, kind), name, unit, ELIGIBILITY_TEXT[eligible], ON_LIST_TEXT[selected], note]
        for award_name, kind, name, unit, eligible, selected, note in records(n, ("award_name", "kind", "name", "unit_code", "eligible", "selected", "note"))
    ]
    return C.Table(C.SHEET_NOTES, columns, rows, freeze_cols=1)


def _trend_table(outcome: RunOutcome, frames: PeriodFrames, order: list[UnitOutcome]) -> C.Table:
    """Each unit's result in every period of the year so far (from the store), this period last."""
    history = outcome.history if outcome.history is not None else pd.DataFrame({"period": [], "unit_code": [], "result": []})
    earlier = history[(history["period"] < outcome.period).to_numpy(dtype=bool)] if len(history) else history
    now = pd.DataFrame({"period": outcome.period, "unit_code": frames.units["code"], "result": frames.units["result"]})
    results = pd.concat([earlier[["period", "unit_code", "result"]], now], ignore_index=True) if len(earlier) else now
    periods = sorted(pd.unique(results["period"].to_numpy(dtype=object)))
    wide = results.astype(object).pivot(index="unit_code", columns="period", values="result") if len(results) else None
    columns = [C.Column("Mã đơn vị", 11), C.Column("Tên đơn vị", 34)]
    columns += [C.Column(f"Tháng {period_month(p)}/{period_year(p)}", 11, "number") for p in periods]
    codes = [u.code for u in order]
    cells = [_num(wide[p].reindex(codes).to_numpy(dtype=object)) for p in periods] if wide is not None else []
    rows = [[u.code, u.name] + [col[i] for col in cells] for i, u in enumerate(order)]
    return C.Table(C.SHEET_TREND, columns, rows, freeze_cols=2)


def summary_data(config: Config, outcome: RunOutcome, frames: PeriodFrames | None = None) -> dict[str, Any]:
    """The consolidated workbook as plain values (picklable: a pool worker writes it)."""
    frames = frames or period_frames(config, outcome)
    order = C.summary_order(config, outcome)
    return {
        "title": f"TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM CẢI CÁCH HÀNH CHÍNH {period_text(outcome.period).upper()}",
        "period": outcome.period,
        "ranked": sum(1 for u in order if u.rank is not None),
        "tally": C.tally_text((u.status for u in outcome.units), outcome.all_period_files),
        "trend": _trend_table(outcome, frames, order),
        "tables": [
            _summary_table(config, frames, order),
            _detail_table(config, frames, order, outcome.period),
            C.persons_table(config, outcome, order),
            _issues_table(frames),
            _missing_table(frames),
            _notes_table(config, frames),
        ] + [t for t in (C.shares_table(config, order),) if t is not None],
    }


# ---------------------------------------------------------------------------------------------------
# Feedback workbooks


@dataclass
class FeedbackTables:
    """The feedback workbooks' tables of every unit that sent a file, cut from the period's tables once:
    unit code → its rows of `Cần sửa` (errors first), `Điểm` and `Khen thưởng`; ``feedback_data`` takes each
    unit's out as it goes."""

    issues: dict[str, list[tuple]]
    scores: dict[str, list[tuple]]
    nominations: dict[str, list[tuple]]


def feedback_tables(config: Config, units: list[UnitOutcome], frames: PeriodFrames) -> FeedbackTables:
    files = [(u.code, f) for u in units for f in sorted_files(u.files)]
    found = file_issues([f for _, f in files], [code for code, _ in files])
    issue_rows = records(
        put(found.copy(), shown=map_distinct(found["severity"], lambda s: SEVERITY_TEXT.get(s, s))),
        ("file", "sheet", "cell", "shown", "message", "value", "code", "severity"),
    )
    # Errors first: they decide whether the file counts.
    issues = {
        code: [r for r in rows if r[7] == ERROR] + [r for r in rows if r[7] != ERROR]
        for code, rows in split_rows(found["owner"].tolist() if len(found) else [], issue_rows).items()
    }

    rows = frames.scored.rows
    names = {c.id: c.name for c in config.criteria.scored_rows}
    score_rows = list(zip(
        rows["id"].tolist(), map_distinct(rows["kind"], lambda k: F.KIND_TEXT.get(k, k)), map_distinct(rows["id"], lambda i: names.get(i, "")),
        _num(rows["max"]), _num(rows["self_score"]), _num(objects((s if ok else None for s, ok in zip(rows["score"], rows["applicable"])), len(rows))),
        map_distinct(rows["source"], lambda s: SOURCE_TEXT.get(s, s)), rows["why"].tolist(), rows["evidence"].tolist(),
    ))

    n = frames.nominations
    noms = split_rows(n["unit_code"].tolist(), list(zip(
        map_distinct(n["kind"], lambda k: F.CANDIDATE_TEXT.get(k, k)), n["name"].tolist(), n["award_name"].tolist(),
        map_distinct(n["proposed"], lambda p: "Có" if p else ""), map_distinct(n["eligible"], ELIGIBILITY_TEXT.__getitem__),
        map_distinct(objects((tuple(r) for r in n["reasons"]), len(n)), "; ".join),  # one string per distinct list: pickled once per chunk
        map_distinct(n["selected"], F.SELECTED_TEXT.__getitem__), n["note"].tolist(),
    ))) if len(n) else {}
    return FeedbackTables(issues=issues, scores=split_rows(rows["unit_code"].tolist(), score_rows), nominations=noms)


def feedback_data(config: Config, outcome: RunOutcome, units: list[UnitOutcome], frames: PeriodFrames | None = None,
                  tables: FeedbackTables | None = None) -> list[dict[str, Any]]:
    """Each of ``units``' feedback workbook as plain values (``feedback.write_feedback_file``), from the period's
    tables (``tables``: already cut for these units and more)."""
    frames = frames or period_frames(config, outcome)
    tables = tables or feedback_tables(config, units, frames)
    ranked = outcome.ranked_count
    contact = config.settings.contact
    out = []
    for u in units:
        unit_files = sorted_files(u.files)
        out.append({
            "period": outcome.period,
            "movement": config.criteria.movement.name,
            "code": u.code,
            "name": u.name,
            "status": u.status,
            "status_text": UNIT_STATUS_TEXT.get(u.status, u.status),
            "files": [(f.name, FILE_STATUS_TEXT.get(f.status, f.status), sum(1 for i in f.issues if i.severity == ERROR), f.status) for f in unit_files],
            "counted_file": u.file_name if u.score is not None else None,
            "counted_period": u.submission_period if u.score is not None else None,
            "carried_from": u.submission_period if u.status == CARRIED else None,
            "rejected": F.rejected_facts(u.rejected_file),
            "counted_warnings": sum(1 for f in unit_files if f.status == ACCEPTED for i in f.issues if i.severity == WARNING),
            "appraisal": u.appraisal.text(outcome.period) if u.appraisal else None,
            "total": _float(u.total),
            "result": _float(u.result),
            "band": u.band,
            "rank": u.rank,
            "ranked": ranked,
            "rank_change": u.rank_change,
            # taken out of the tables: a unit's rows are needed once, and a large month's go as its chunks do
            "issues": tables.issues.pop(u.code, []),
            "rows": tables.scores.pop(u.code, []) if u.score is not None else [],
            "nominations": tables.nominations.pop(u.code, []),
            "contact": f"{contact.name} ({contact.title}), điện thoại {contact.phone}, thư điện tử {contact.email}",
            "deadline_day": config.settings.deadline_day,
            "rating_share": F.rating_share(config, u),
        })
    return out


def _na(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _float(value: Any) -> float | None:
    return None if _na(value) else float(value)


def write_summary_workbook(config: Config, outcome: RunOutcome, path: Path) -> Path:
    """The consolidated workbook alone, in this process."""
    C.write_summary_file(path, summary_data(config, outcome))
    return Path(path)
