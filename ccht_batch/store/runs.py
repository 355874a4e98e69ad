"""What the monthly batch reads from and writes to the store: runs, files, submissions, period results.

A unit's state for a period is the state "after all its runs" (DESIGN.md §8), so every run rebuilds it from
the store rather than from the files it happened to see. Writing happens in one transaction per run; moving
the input files afterwards is recorded file by file, so a run killed at any point is completed by the next.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from typing import Iterable

from ccht_batch import __version__
from ccht_batch.core.issues import Issue
from ccht_batch.core.periods import period_year
from ccht_batch.core.records import (
    ACCEPTED,
    IGNORED,
    Appraisal,
    Council,
    FileRecord,
    Nomination,
    Submission,
    UnitOutcome,
    person_key,
)
from ccht_batch.core.values import json_number
from ccht_batch.store.db import Store, loads


@dataclass
class PendingMove:
    """A committed file whose move out of ``input/`` has not been recorded as done."""

    file_id: int
    name: str
    sha256: str | None
    dest_path: str
    record: FileRecord


@dataclass
class CountedSubmission:
    submission: Submission
    period: str
    file_name: str
    submission_id: int
    mtime: float


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def record_from_row(row) -> FileRecord:
    return FileRecord(
        name=row["name"],
        sha256=row["sha256"],
        size=row["size"],
        mtime=row["mtime"],
        status=row["status"],
        kind=row["kind"],
        unit_code=row["unit_code"],
        year=row["year"],
        issues=[Issue.from_dict(d) for d in loads(row["issues_json"]) or []],
        note=row["note"],
    )


def pending_moves(store: Store) -> list[PendingMove]:
    rows = store.all("SELECT * FROM files WHERE dest_path IS NOT NULL AND moved_at IS NULL ORDER BY id")
    return [PendingMove(r["id"], r["name"], r["sha256"], r["dest_path"], record_from_row(r)) for r in rows]


def accepted_before(store: Store, sha256: str) -> tuple[str, str] | None:
    """(period, file name) of an earlier accepted file with these bytes, if any."""
    row = store.one("SELECT period, name FROM files WHERE sha256 = ? AND status = ? ORDER BY id LIMIT 1", (sha256, ACCEPTED))
    return (row["period"], row["name"]) if row else None


def ignored_known(store: Store, name: str, sha256: str | None) -> bool:
    """An ignored file stays in input/ run after run; it is recorded the first time only."""
    row = store.one("SELECT 1 FROM files WHERE name = ? AND status = ? AND sha256 IS ?", (name, IGNORED, sha256))
    return row is not None


def period_files(store: Store, period: str) -> list[tuple[int, FileRecord]]:
    """Every file recorded for ``period`` across runs, oldest first."""
    return [(r["id"], record_from_row(r)) for r in store.all("SELECT * FROM files WHERE period = ? ORDER BY id", (period,))]


_COUNTED = """
    SELECT s.id, s.period, s.mtime, s.values_json, f.name FROM submissions s JOIN files f ON f.id = s.file_id
    WHERE s.unit_code = ? AND s.year = ? AND s.period <= ? AND f.status = ?
    ORDER BY s.period DESC, s.mtime DESC, s.id DESC LIMIT 1
"""


def counted_submission(store: Store, unit_code: str, period: str) -> CountedSubmission | None:
    """The submission that counts for ``unit_code`` in ``period``: the newest accepted one of the year up
    to that period (by period, then modification time, then arrival)."""
    row = store.one(_COUNTED, (unit_code, period_year(period), period, ACCEPTED))
    if row is None:
        return None
    return CountedSubmission(Submission.from_dict(loads(row["values_json"])), row["period"], row["name"], row["id"], row["mtime"])


def counted_file(store: Store, unit_code: str, period: str) -> tuple[str, str] | None:
    """(period, file name) of the submission that counts (``counted_submission``), without its values."""
    row = store.one(_COUNTED, (unit_code, period_year(period), period, ACCEPTED))
    return (row["period"], row["name"]) if row else None


def submission_origin(store: Store, submission_id: int) -> tuple[str | None, str] | None:
    """(file SHA-256, period) of a stored submission."""
    row = store.one("SELECT f.sha256, s.period FROM submissions s JOIN files f ON f.id = s.file_id WHERE s.id = ?", (submission_id,))
    return (row["sha256"], row["period"]) if row else None


def year_appraisals(store: Store, period: str) -> list[tuple[Appraisal, float]]:
    """The appraisal that counts for each period of ``period``'s year up to ``period`` (the newest accepted
    file of that period), with its file's modification time; the latest period first."""
    rows = store.all(
        """SELECT a.period, a.values_json, f.mtime FROM appraisals a JOIN files f ON f.id = a.file_id
           WHERE substr(a.period, 1, 4) = ? AND a.period <= ? AND f.status = ?
           ORDER BY a.period DESC, f.mtime DESC, a.id DESC""",
        (period[:4], period, ACCEPTED),
    )
    out: list[tuple[Appraisal, float]] = []
    for r in rows:
        if not out or out[-1][0].period != r["period"]:
            out.append((Appraisal.from_dict(loads(r["values_json"])), r["mtime"]))
    return out


def latest_council(store: Store, period: str, milestone: str | None) -> tuple[Council, float] | None:
    """The newest accepted council workbook of ``period`` and ``milestone``, and its file's modification time."""
    row = store.one(
        """SELECT c.values_json, f.mtime FROM councils c JOIN files f ON f.id = c.file_id
           WHERE c.period = ? AND c.milestone IS ? AND f.status = ? ORDER BY f.mtime DESC, c.id DESC LIMIT 1""",
        (period, milestone, ACCEPTED),
    )
    return (Council.from_dict(loads(row["values_json"])), row["mtime"]) if row else None


def latest_period(store: Store) -> str | None:
    """The latest period with results, if any: the default period of the commands that read one (``mail``,
    ``appraisal``, ``council``, ``documents``)."""
    row = store.one("SELECT MAX(period) AS p FROM period_results")
    return row["p"] if row else None


def previous_ranks(store: Store, period: str) -> dict[str, int]:
    """Ranks of the most recent earlier period that has results."""
    row = store.one("SELECT MAX(period) AS p FROM period_results WHERE period < ? AND rank IS NOT NULL", (period,))
    if not row or row["p"] is None:
        return {}
    return {r["unit_code"]: r["rank"] for r in store.all("SELECT unit_code, rank FROM period_results WHERE period = ? AND rank IS NOT NULL", (row["p"],))}


_ISSUE_FIELDS = tuple(f.name for f in dataclasses.fields(Issue))
# store.dumps's options, one encoder for the run's thousands of values (json.dumps builds one per call)
_dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str).encode


def _issues_json(issues: list[Issue]) -> str:
    # Issue.to_dict (dataclasses.asdict) deep-copies every field; the fields are plain values
    return _dumps([{f: getattr(i, f) for f in _ISSUE_FIELDS} for i in issues])


def _criteria_json(score) -> str:
    return _dumps(
        [
            {"id": c.id, "max": json_number(c.max), "self_score": json_number(c.self_score), "score": json_number(c.score), "source": c.source}
            for c in (score.criteria if score else [])
        ]
    )


def record_run(
    store: Store,
    *,
    period: str,
    milestone: str | None,
    criteria_version: str,
    new_files: Iterable[tuple[FileRecord, str | None]],
    units: list[UnitOutcome],
    nominations: list[Nomination],
) -> tuple[int, dict[str, int]]:
    """Record the run, inside a transaction the caller holds (``store.transaction()``): the batch inserts
    the rows while its outputs are being written and commits after the outputs are swapped in.
    ``new_files`` pairs each file with its destination (relative to the working folder; None when it
    stays). Returns the run id and {file name: file id}.
    Rows go in with ``executemany`` and ids the transaction assigns itself (the next free ones, as SQLite
    would), which a thousand units notice."""
    conn = store.conn
    if not conn.in_transaction:
        raise RuntimeError("record_run needs an open transaction (store.transaction())")
    run_id = conn.execute(
        "INSERT INTO runs (period, milestone, started_at, status, program_version, criteria_version) VALUES (?, ?, ?, 'running', ?, ?)",
        (period, milestone, _now(), __version__, criteria_version),
    ).lastrowid
    next_file = conn.execute("SELECT COALESCE(MAX(id), 0) FROM files").fetchone()[0] + 1
    next_submission = conn.execute("SELECT COALESCE(MAX(id), 0) FROM submissions").fetchone()[0] + 1
    ids: dict[str, int] = {}
    submission_ids: dict[str, int] = {}
    file_rows, submission_rows, appraisal_rows, council_rows = [], [], [], []
    for record, dest in new_files:
        file_id = next_file
        next_file += 1
        file_rows.append((
            file_id, run_id, period, record.name, record.sha256, record.size, record.mtime, record.status, record.kind,
            record.unit_code, record.year, _issues_json(record.issues), record.note, dest,
        ))
        ids[record.name] = file_id
        if record.status == ACCEPTED and record.submission is not None:
            submission_ids[record.name] = next_submission
            submission_rows.append((
                next_submission, file_id, record.submission.unit_code, record.submission.year, period, record.mtime,
                _dumps(record.submission.to_dict()),
            ))
            next_submission += 1
        if record.status == ACCEPTED and record.appraisal is not None:
            appraisal_rows.append((file_id, record.appraisal.period, _dumps(record.appraisal.to_dict())))
        if record.status == ACCEPTED and record.council is not None:
            council_rows.append((file_id, record.council.period, record.council.milestone, _dumps(record.council.to_dict())))
    conn.executemany(
        """INSERT INTO files (id, run_id, period, name, sha256, size, mtime, status, kind, unit_code, year, issues_json, note, dest_path)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        file_rows,
    )
    conn.executemany(
        "INSERT INTO submissions (id, file_id, unit_code, year, period, mtime, values_json) VALUES (?, ?, ?, ?, ?, ?, ?)", submission_rows
    )
    conn.executemany("INSERT INTO appraisals (file_id, period, values_json) VALUES (?, ?, ?)", appraisal_rows)
    conn.executemany("INSERT INTO councils (file_id, period, milestone, values_json) VALUES (?, ?, ?, ?)", council_rows)

    conn.execute("DELETE FROM period_results WHERE period = ?", (period,))
    result_rows = []
    for u in units:
        sid = None
        if u.submission is not None:
            sid = submission_ids.get(u.file_name or "") if u.submission_period == period else None
            if sid is None:
                found = counted_submission(store, u.code, period)
                sid = found.submission_id if found else None
        score = u.score
        result_rows.append((
            period, u.code, run_id, u.status,
            str(score.total) if score else None,
            str(score.result) if score else None,
            score.band if score else None,
            u.rank, sid, _criteria_json(score),
        ))
    conn.executemany(
        """INSERT INTO period_results (period, unit_code, run_id, status, total, result, band, rank, submission_id, criteria_json)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        result_rows,
    )

    conn.execute("DELETE FROM nominations WHERE period = ? AND milestone IS ?", (period, milestone))
    keys: dict[int, str] = {}  # a person has a nomination per reward form: one key each
    reasons: dict[tuple[str, ...], str] = {}  # people with the same facts share their reasons
    nomination_rows = []
    for n in nominations:
        key = None
        if n.person is not None:
            key = keys.get(id(n.person))
            if key is None:
                key = keys[id(n.person)] = person_key(n.person.name, n.person.birth_year, n.unit_code)
        why = tuple(n.reasons)
        text = reasons.get(why)
        if text is None:
            text = reasons[why] = _dumps(n.reasons)
        vote = None if n.vote is None else _dumps([n.vote.present, n.vote.votes_for, n.vote.decision])
        nomination_rows.append((
            run_id, period, milestone, n.award, n.kind, n.unit_code, n.name, key,
            None if n.eligible is None else int(n.eligible), int(n.selected is True), text, n.note,
            int(n.selected is None), n.tie_note, vote,
        ))
    conn.executemany(
        """INSERT INTO nominations (run_id, period, milestone, award, kind, unit_code, name, person_key, eligible, selected, reasons_json, note,
                                    tied, tie_note, vote_json)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        nomination_rows,
    )
    conn.execute("UPDATE runs SET status = 'committed', finished_at = ? WHERE id = ?", (_now(), run_id))
    return run_id, ids


def mark_moved(store: Store, moves: list[tuple[int, str]]) -> None:
    """Record finished moves (file id, final path) in one transaction. A run killed before this leaves
    them pending; the next run finds each source gone and records it then."""
    if not moves:
        return
    now = _now()
    with store.transaction() as conn:
        conn.executemany("UPDATE files SET moved_at = ?, dest_path = ? WHERE id = ?", [(now, dest, fid) for fid, dest in moves])



def period_has_results(store: Store, period: str) -> bool:
    return store.one("SELECT 1 FROM period_results WHERE period = ? LIMIT 1", (period,)) is not None


def last_run_milestone(store: Store, period: str) -> str | None:
    """The milestone of the latest committed run of ``period`` (None: a monthly run, or no run)."""
    row = store.one("SELECT milestone FROM runs WHERE period = ? AND status = 'committed' ORDER BY id DESC LIMIT 1", (period,))
    return row["milestone"] if row else None


# ---------------------------------------------------------------------------------------------------
# A year's last counted results (history.close_year)


def year_last_period(store: Store, year: int) -> str | None:
    row = store.one("SELECT MAX(period) AS p FROM period_results WHERE substr(period, 1, 4) = ?", (f"{year:04d}",))
    return row["p"] if row else None


def year_unit_codes(store: Store, year: int) -> list[str]:
    """Every unit with a result in ``year``, by code (units since removed from the configuration too)."""
    rows = store.all("SELECT DISTINCT unit_code FROM period_results WHERE substr(period, 1, 4) = ? ORDER BY unit_code", (f"{year:04d}",))
    return [r["unit_code"] for r in rows]


def year_last_counted_result(store: Store, code: str, year: int, statuses: tuple[str, ...]):
    """The unit's latest result of ``year`` that a submission counts for (its row), or None."""
    marks = ", ".join("?" * len(statuses))
    return store.one(
        f"SELECT * FROM period_results WHERE unit_code = ? AND substr(period, 1, 4) = ? AND status IN ({marks}) "
        "AND submission_id IS NOT NULL ORDER BY period DESC LIMIT 1",
        (code, f"{year:04d}", *statuses),
    )


def submission_by_id(store: Store, submission_id: int) -> Submission | None:
    row = store.one("SELECT values_json FROM submissions WHERE id = ?", (submission_id,))
    return None if row is None else Submission.from_dict(loads(row["values_json"]))


def has_submission(store: Store, unit_code: str, year: int) -> bool:
    """Whether the unit had any workbook accepted in ``year``."""
    return store.one("SELECT 1 FROM submissions WHERE unit_code = ? AND year = ? LIMIT 1", (unit_code, year)) is not None


def selected_nominations(store: Store, *, milestone: str | None, year: int) -> tuple[sqlite3.Row, list[sqlite3.Row]] | None:
    """The selected nominations of the latest run of ``milestone`` (a review), or of ``year`` when None:
    that run's period and milestone, and its rows; None when there was no such run."""
    if milestone is not None:
        row = store.one("SELECT MAX(run_id) AS r FROM nominations WHERE milestone = ?", (milestone,))
    else:
        row = store.one("SELECT MAX(run_id) AS r FROM nominations WHERE substr(period, 1, 4) = ?", (f"{year:04d}",))
    run_id = row["r"] if row else None
    if run_id is None:
        return None
    head = store.one("SELECT period, milestone FROM nominations WHERE run_id = ? LIMIT 1", (run_id,))
    rows = store.all("SELECT * FROM nominations WHERE run_id = ? AND selected = 1 ORDER BY id", (run_id,))
    return head, rows
