"""The monthly batch: ``ccht-batch run``. Reads input/, scores, ranks, checks awards, writes, records.

Order matters for "nothing is lost" (DESIGN.md §9): read everything; build the period's state from the
store plus this run's files; write the outputs to a staging folder; commit the store in one transaction;
only then swap the outputs in whole and move the input files, recording each move. A run killed, or
refused by a full disk or a locked store, before the commit leaves the inputs where they were, the store
untouched and the period's previous outputs in place; one killed after it leaves files whose move is
pending, which the next run completes without recording them again (and whose outputs it writes).
"""

from __future__ import annotations

import functools
import os
import shutil
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Callable

from ccht_batch.awards.select import evaluate_awards
from ccht_batch.config.model import Config, Unit
from ccht_batch.core import issues as catalogue
from ccht_batch.core.errors import CannotRun, UsageError
from ccht_batch.core.files import hash_file
from ccht_batch.core.lock import workdir_locked
from ccht_batch.core.memory import frozen_heap
from ccht_batch.core.oserrors import os_reason
from ccht_batch.core.periods import period_text, period_year
from ccht_batch.core.records import (
    ACCEPTED,
    CARRIED,
    DUPLICATE,
    IGNORED,
    MISSING,
    REJECTED,
    SUBMITTED,
    UNIT_REJECTED,
    Appraisal,
    Council,
    FileRecord,
    RunOutcome,
    Submission,
    UnitOutcome,
    appraisal_for,
    newest_rejected,
)
from ccht_batch.intake.parallel import (
    discover,
    mark_superseded,
    read_files,
    settle_copies,
)
from ccht_batch.intake.read import Reader, read_raw
from ccht_batch.outputs.summary_json import SUMMARY_NAME
from ccht_batch.store import runs as runstore
from ccht_batch.store.db import Store, StoreError
from ccht_batch.store.guard import backup_store, open_store
from ccht_batch.store.history import StoreHistory

if TYPE_CHECKING:
    from ccht_batch.documents.write import DocumentsResult
    from ccht_batch.outputs.frames import PeriodFrames
    from ccht_batch.scoring.score import Scored

# The points of a run where a test may stop it (``checkpoint``), to kill the process there.
BEFORE_COMMIT = "before-commit"
BEFORE_SWAP = "before-swap"
BEFORE_MOVES = "before-moves"
BEFORE_MOVE = "before-move:"  # followed by the file's name: a kill between two moves

Checkpoint = Callable[[str], None]
Progress = Callable[[int, int], None]  # (files read so far, files to read)


@functools.cache
def tables() -> SimpleNamespace:
    """The stages that work on the period's tables (pandas), imported on first use: a run loads them once,
    while its reading children work (``read_files(meanwhile=...)``), and a command that never reaches them
    (``--help``, ``check``, ``mail``) never loads pandas."""
    # deferred: pandas, while the children read (each import below)
    from ccht_batch.intake import plausibility

    # deferred: (pandas)
    from ccht_batch.outputs import frames, write

    # deferred: (pandas)
    from ccht_batch.scoring import rank, score

    # deferred: (pandas)
    from ccht_batch.store import frames as store_frames

    return SimpleNamespace(
        same_person_in_units=plausibility.same_person_in_units,
        period_frames=frames.period_frames,
        write_summary_json=frames.write_summary_json,
        write_outputs=write.write_outputs,
        rank_units=rank.rank_units,
        rank_changes=rank.rank_changes,
        score_units=score.score_units,
        store_frames=store_frames,
    )


@dataclass
class RunReport:
    outcome: RunOutcome
    output_dir: Path
    moved: list[tuple[int, str, str]] = field(default_factory=list)  # file id, name, destination
    not_moved: list[tuple[str, str]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # Vietnamese, for the clerk: a period or milestone out of place
    completed: list[FileRecord] = field(default_factory=list)  # files of an interrupted run this one completed
    backup: Path | None = None  # the store's backup taken after the run
    rejected: bool = False  # a file of this run (or of the interrupted run it completed) was rejected


def run_batch(
    config: Config,
    period: str,
    milestone: str | None = None,
    jobs: int | None = None,
    *,
    progress: Progress | None = None,
    checkpoint: Checkpoint | None = None,
    reader: Reader = read_raw,
    force: bool = False,
) -> RunReport:
    """Run the month ``period`` (DESIGN.md §2, §9) and return what happened; nothing is printed.

    ``progress`` hears how many files are read; ``checkpoint`` is called with ``BEFORE_COMMIT``,
    ``BEFORE_SWAP``, ``BEFORE_MOVES`` and ``BEFORE_MOVE`` + each file's name (tests stop the process
    there); ``reader`` reads one file (tests swap in one that dies on a given file; it must be a
    top-level function for the reading processes).
    A period outside the movement's years, or one that no file's year matches, raises ``UsageError``
    before anything is recorded or moved, unless ``force``.
    """
    if milestone is not None and config.criteria.movement.milestone(milestone) is None:
        ids = ", ".join(m.id for m in config.criteria.movement.milestones)
        raise UsageError(f"đợt '{milestone}' không có trong config/criteria.yaml (các đợt: {ids})")
    with workdir_locked(config.workdir), open_store(config) as store:
        report = _run_locked(config, store, period, milestone, jobs or os.cpu_count() or 1, progress, checkpoint or _no_checkpoint, reader, force)
        try:
            report.backup = backup_store(config, store)
        except StoreError as exc:  # the run is recorded: say it, do not fail it
            report.notices.append(f"Lưu ý: {exc}")
        return report


def _no_checkpoint(stage: str) -> None:
    pass


def run_notices(config: Config, period: str, milestone: str | None) -> list[str]:
    """What the clerk should know before trusting a run of ``period``: a year outside the movement, a
    milestone run in a year other than its review's."""
    year = period_year(period)
    mv = config.criteria.movement
    notices = []
    ms = mv.milestone(milestone) if milestone else None
    if not mv.start_year <= year <= mv.end_year and not (ms is not None and year == ms.year + 1):
        notices.append(f"Lưu ý: năm {year} nằm ngoài giai đoạn của phong trào ({mv.start_year} - {mv.end_year}).")
    if ms is not None and year not in (ms.year, ms.year + 1):  # the review is held in Q4 of its year, or just after
        notices.append(f"Lưu ý: {ms.name} diễn ra quý {ms.quarter}/{ms.year}; kỳ {period_text(period)} có thể không phải kỳ xét của đợt này.")
    return notices


def _run_locked(
    config: Config,
    store: Store,
    period: str,
    milestone: str | None,
    jobs: int,
    progress: Progress | None,
    checkpoint: Checkpoint,
    reader: Reader,
    force: bool,
) -> RunReport:
    input_dir = config.input_dir
    input_dir.mkdir(parents=True, exist_ok=True)

    # 1. Files a killed run committed but did not move: finish them, do not record them again. Those it
    # had moved already belong to the job this run completes too (its summary and exit code count them).
    finishing: list[runstore.PendingMove] = []
    done_before: list[tuple[int, str]] = []
    moved_before: list[FileRecord] = []
    for pending in runstore.pending_moves(store):
        source = input_dir / pending.name
        if source.exists() and hash_file(source) == pending.sha256:
            finishing.append(pending)
        else:  # already moved before the kill, or taken away by hand: nothing left to do. A new file
            # dropped under the same name since is not that file: it is read below like any other.
            done_before.append((pending.file_id, pending.dest_path))
            if (Path(config.workdir) / pending.dest_path).exists():
                moved_before.append(pending.record)
    finishing_names = {p.name for p in finishing}

    # 2. Discover and read this run's files; a file still being copied in waits for the next run.
    candidates, ignored = discover(input_dir)
    candidates = [p for p in candidates if p.name not in finishing_names]
    ignored = [r for r in ignored if r.name not in finishing_names]
    total = len(candidates)
    read_so_far = 0

    def advance(n: int) -> None:
        nonlocal read_so_far
        read_so_far += n
        if progress is not None:
            progress(read_so_far, total)

    if progress is not None:
        progress(0, total)
    records = read_files(candidates, config, period, jobs, advance, read=reader, meanwhile=tables)
    settle_copies(candidates, records)
    if not force:
        check_period(config, period, records, milestone)
    runstore.mark_moved(store, done_before)

    # 3. The same bytes as an accepted file (this run or an earlier one) are duplicates; one unit's older
    # files too. A copy of a refused file is refused again, for the same reasons: it was never accepted.
    seen: dict[str, str] = {}
    for rec in records:
        if rec.sha256 is None or rec.status != ACCEPTED:
            continue
        if rec.sha256 in seen:
            _make_duplicate(rec, f"tệp '{seen[rec.sha256]}' trong lần chạy này")
        elif (earlier := runstore.accepted_before(store, rec.sha256)) is not None:
            _make_duplicate(rec, f"kỳ {earlier[0]}, tệp '{earlier[1]}'")
        else:
            seen[rec.sha256] = rec.name
    mark_superseded(records)

    # 4. The period's state after all its runs.
    stored = runstore.period_files(store, period)
    units, appraisal, adjusted, scored = _period_state(config, store, period, records, stored)
    council = _council(store, period, milestone, records)
    nominations = _awards(config, store, period, milestone, units, council)

    completed = [p.record for p in finishing] + moved_before
    run_files = sorted(ignored + records + completed, key=lambda r: r.name)
    stored_keys = {(r.name, r.sha256) for _, r in stored}
    period_files = [r for _, r in stored] + records + [r for r in ignored if (r.name, r.sha256) not in stored_keys]
    run_files = [with_scoring(r, adjusted) for r in run_files]
    period_files = [with_scoring(r, adjusted) for r in period_files]
    outcome = RunOutcome(
        period=period,
        milestone=milestone,
        files=run_files,
        units=units,
        nominations=nominations,
        appraisal=appraisal,
        period_files=period_files,
        history=tables().store_frames.year_results(store, period),
        council_applied=council is not None,
        scores=scored,
    )

    # 5-6. Outputs to a staging folder, then the store in one transaction, then the swap. The transaction
    # is opened first and its rows are inserted while the worker processes write the outputs
    # (``meanwhile``); the previous outputs are replaced only after the commit. A commit that fails (a
    # full disk, a locked store) leaves them as they were: nothing recorded, nothing replaced.
    out_dir = config.output_dir / period
    plan = _plan_destinations(config, period, records, finishing)
    new_files = [(r, plan.get(r.name)) for r in records]
    new_files += [(r, None) for r in ignored if not runstore.ignored_known(store, r.name, r.sha256)]
    file_ids: dict[str, int] = {}

    frames = tables().period_frames(config, outcome)

    def record() -> None:
        _, ids = runstore.record_run(
            store,
            period=period,
            milestone=milestone,
            criteria_version=config.criteria_version,
            new_files=new_files,
            units=units,
            nominations=nominations,
        )
        file_ids.update(ids)

    staged: _Staged | None = None
    try:
        with store.transaction():
            staged = _stage_outputs(config, outcome, out_dir, jobs, meanwhile=record, frames=frames)
            checkpoint(BEFORE_COMMIT)
    except BaseException:
        if staged is not None:
            staged.abandon()
        raise
    checkpoint(BEFORE_SWAP)
    staged.swap_in()

    # 7. Move the inputs, each move recorded; a file still open in Excel stays for the next run.
    checkpoint(BEFORE_MOVES)
    moves = [(file_ids[r.name], r.name, plan[r.name]) for r in records if plan.get(r.name)]
    moves += [(p.file_id, p.name, p.dest_path) for p in finishing]
    report = RunReport(
        outcome=outcome,
        output_dir=out_dir,
        notices=run_notices(config, period, milestone) + _council_notices(config, records, milestone),
        completed=completed,
    )
    for file_id, name, dest in moves:
        checkpoint(BEFORE_MOVE + name)
        source, target = input_dir / name, Path(config.workdir) / dest
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():  # a name taken since planning: keep both
                target = _free_name(target)
                dest = (Path(dest).parent / target.name).as_posix()  # input/ may lie outside the working folder
            os.replace(source, target)
        except OSError as exc:
            report.not_moved.append((name, os_reason(exc)))
            continue
        report.moved.append((file_id, name, dest))
    runstore.mark_moved(store, [(file_id, dest) for file_id, _, dest in report.moved])
    if report.not_moved:
        _say_not_moved(config, outcome, plan, finishing, report.not_moved)

    report.rejected = any(r.status == REJECTED for r in records + completed)
    return report


def check_period(config: Config, period: str, records: list[FileRecord], milestone: str | None = None) -> None:
    """Refuse a period the files cannot belong to (a mistyped ``--period``): outside the movement's
    years, or a year no file's ``_meta`` shows while files show others. A review (``milestone``) may also
    be held in the January after its last year, on the years already closed. Nothing is recorded or moved
    yet; ``--force`` runs anyway."""
    year = period_year(period)
    mv = config.criteria.movement
    ms = mv.milestone(milestone) if milestone else None
    years = sorted({r.year for r in records if r.year is not None})
    outside = not mv.start_year <= year <= mv.end_year and not (ms is not None and year == ms.year + 1)
    if not outside and (not years or year in years):
        return
    counts = ", ".join(f"năm {y}: {sum(1 for r in records if r.year == y)} tệp" for y in years) or "không có tệp nào ghi năm"
    why = (
        f"kỳ {period_text(period)} nằm ngoài giai đoạn của phong trào ({mv.start_year} - {mv.end_year})"
        if outside
        else f"không tệp nào trong {config.settings.input_dir}/ là của năm {year}"
    )
    raise UsageError(
        f"{why}; các tệp trong {config.settings.input_dir}/: {counts}. Chưa ghi nhận, chưa chuyển tệp nào. "
        f"Hãy kiểm tra lại --period (ví dụ --period {years[-1] if years else mv.end_year}-{period[5:]}); nếu đúng là kỳ này, chạy lại với --force."
    )


def _say_not_moved(config: Config, outcome: RunOutcome, plan: dict[str, str], finishing, not_moved: list[tuple[str, str]]) -> None:
    """A file that could not be moved (open in Excel on Windows) stays in input/ and the next run moves
    it: said with its record in summary.json, rewritten now that the moves are done."""
    dests = dict(plan) | {p.name: p.dest_path for p in finishing}
    held = {name for name, _ in not_moved}
    for i, rec in enumerate(outcome.files):
        if rec.name in held and rec.status != IGNORED:
            folder = Path(dests.get(rec.name, "")).parent.as_posix()
            outcome.files[i] = replace(rec, issues=rec.issues + [catalogue.make("file-in-use", file=rec.name, unit_code=rec.unit_code, dest=f"{folder}/")])
    tables().write_summary_json(config, outcome, config.output_dir / outcome.period / SUMMARY_NAME)


def _make_duplicate(rec: FileRecord, detail: str) -> None:
    rec.status = DUPLICATE
    rec.submission = None
    rec.appraisal = None
    rec.issues = [i for i in rec.issues if i.severity != catalogue.ERROR] + [
        catalogue.make("duplicate-file", file=rec.name, unit_code=rec.unit_code, detail=detail)
    ]
    rec.note = f"Trùng với {detail}"


@frozen_heap()  # the period's records exist already: collections skip them while the tables are built
def _period_state(
    config: Config, store: Store, period: str, records: list[FileRecord], stored: list[tuple[int, FileRecord]]
) -> tuple[list[UnitOutcome], Appraisal | None, dict, Scored]:

    # The appraisal that counts for each period of the year so far (the newest file of each period); this
    # run's own appraisal, of this period, replaces the stored one when it is newer.
    appraisals = runstore.year_appraisals(store, period)
    current = appraisals[0] if appraisals and appraisals[0][0].period == period else None
    appraisal, appraisal_mtime = current if current else (None, -1.0)
    for rec in records:
        if rec.status == ACCEPTED and rec.appraisal is not None and rec.mtime >= appraisal_mtime:
            appraisal, appraisal_mtime = rec.appraisal, rec.mtime
    in_force = ([appraisal] if appraisal else []) + [a for a, _ in appraisals if a.period != period]

    by_unit: dict[str | None, list[FileRecord]] = {}
    for rec in [r for _, r in stored] + records:
        by_unit.setdefault(rec.unit_code, []).append(rec)
    units: list[UnitOutcome] = []
    counted: list[tuple[Unit, Submission, dict | None]] = []
    for unit in config.units:
        stored_sub = runstore.counted_submission(store, unit.code, period)
        key = (stored_sub.period, stored_sub.mtime) if stored_sub else None
        submission, sub_period, file_name = (stored_sub.submission, stored_sub.period, stored_sub.file_name) if stored_sub else (None, None, None)
        files = by_unit.get(unit.code, [])
        for rec in files:
            if rec.status == ACCEPTED and rec.submission is not None:  # only this run's records carry values
                if key is None or (period, rec.mtime) >= key:
                    key = (period, rec.mtime)
                    submission, sub_period, file_name = rec.submission, period, rec.name
        if submission is not None:
            status = SUBMITTED if sub_period == period else CARRIED
        elif any(r.status == REJECTED for r in files):
            status = UNIT_REJECTED
        else:
            status = MISSING
        outcome = UnitOutcome(
            code=unit.code,
            name=unit.name,
            email=unit.email,
            status=status,
            file_name=file_name,
            submission_period=sub_period,
            submission=submission,
            files=list(reversed(files)),
            rejected_file=newest_rejected(files),
        )
        if submission is not None:
            appraised, use = appraisal_for(in_force, unit.code, submission.sha256, sub_period)
            counted.append((unit, submission, appraised))
            outcome.appraisal = use
        units.append(outcome)

    # Every counted submission scored at once, as tables; each unit's record made from them.
    scored = tables().score_units(config, counted)
    scores = scored.unit_scores()
    changes = scored.appraisal_changes()
    for u in units:
        u.score = scores.get(u.code)
        if u.appraisal is not None and u.appraisal.applied:
            u.appraisal = replace(u.appraisal, changed=changes.get(u.code, 0))

    # Checks across units: the same person declared by two units (warnings on their counted files).
    across = tables().same_person_in_units({u.code: u.submission for u in units if u.submission is not None})

    # The scorer's warnings (evidence missing, a computed score replacing the typed one) are shown with the
    # counted file; they are recomputed by every run, so the store keeps only what reading found.
    adjusted = {
        (u.submission.file_name, u.submission.sha256): u.score.issues + across.get(u.code, []) for u in units if u.score and u.submission
    }
    for u in units:
        u.files = [with_scoring(r, adjusted) for r in u.files]
        u.issues = [i for r in u.files for i in r.issues]

    ranks = tables().rank_units(config, scored)
    moved = tables().rank_changes(ranks, runstore.previous_ranks(store, period))
    for u in units:
        u.rank = ranks.get(u.code)
        u.rank_change = moved.get(u.code)
    return units, appraisal, adjusted, scored


def _council(store: Store, period: str, milestone: str | None, records: list[FileRecord]) -> Council | None:
    """The newest council workbook of this period and milestone, from the store or this run."""
    best = runstore.latest_council(store, period, milestone)
    council, mtime = best if best else (None, -1.0)
    for rec in records:
        if rec.status == ACCEPTED and rec.council is not None and rec.council.milestone == milestone and rec.mtime >= mtime:
            council, mtime = rec.council, rec.mtime
    return council


def _council_notices(config: Config, records: list[FileRecord], milestone: str | None) -> list[str]:
    """A council workbook of another milestone is kept for the run it belongs to: say which."""
    notices = []
    for rec in records:
        c = rec.council
        if rec.status == ACCEPTED and c is not None and c.milestone != milestone:
            ms = config.criteria.movement.milestone(c.milestone) if c.milestone else None
            which = f"đợt {ms.name}" if ms else "danh sách dự kiến hằng tháng"
            command = f"ccht-batch run --period {c.period}" + (f" --milestone {c.milestone}" if c.milestone else "")
            notices.append(f"Đã tiếp nhận bảng biểu quyết {rec.name} của Hội đồng ({which}); kết quả biểu quyết được áp dụng khi chạy: {command}.")
    return notices


def with_scoring(rec: FileRecord, adjusted: dict) -> FileRecord:
    """``rec`` with the scorer's warnings about it, when it is a counted file."""
    extra = adjusted.get((rec.name, rec.sha256)) if rec.status == ACCEPTED else None
    return replace(rec, issues=rec.issues + [i for i in extra if i not in rec.issues]) if extra else rec


def _awards(config: Config, store: Store, period: str, milestone: str | None, units: list[UnitOutcome], council: Council | None):
    return evaluate_awards(config, period=period, milestone=milestone, units=units, history=tables().store_frames.FrameHistory(store), council=council)


@dataclass
class _Staged:
    """A run's outputs written in full beside the period's folder: swapped in after the store's commit,
    or abandoned when the commit fails (the previous outputs were never touched)."""

    out_dir: Path
    staging: Path

    def swap_in(self) -> None:
        parent = self.out_dir.parent
        old = parent / f".old-{self.out_dir.name}-{uuid.uuid4().hex[:8]}"
        if self.out_dir.exists():
            try:
                os.replace(self.out_dir, old)
            except OSError as exc:  # opened in the moment since the probe: the next run writes them
                shutil.rmtree(self.staging, ignore_errors=True)
                raise CannotRun(
                    f"Đã ghi nhận kết quả vào kho dữ liệu nhưng chưa thay được thư mục kết quả {self.out_dir}: có tệp đang mở (Excel?). "
                    f"Hãy đóng các tệp trong thư mục này rồi chạy lại: lần chạy sau ghi lại kết quả và chuyển nốt các tệp. ({os_reason(exc)})"
                ) from exc
        os.replace(self.staging, self.out_dir)
        shutil.rmtree(old, ignore_errors=True)

    def abandon(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def _stage_outputs(config: Config, outcome: RunOutcome, out_dir: Path, jobs: int, meanwhile=None, frames: PeriodFrames | None = None) -> _Staged:
    """Write the outputs to a staging folder, and make sure the period's folder can be replaced (a folder
    with a file open in it cannot be renamed on Windows: said before anything is committed); ``meanwhile``
    runs in this process while worker processes write (see ``outputs.write_outputs``).

    What the run does not produce — the Office's appraisal workbook being filled, the mail outbox, a file
    the clerk put there — is copied into the new folder first: replacing the outputs must not lose it."""

    parent = out_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    _recover_interrupted_swap(out_dir)
    staging = parent / f".staging-{out_dir.name}-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        tables().write_outputs(config, outcome, staging, jobs, meanwhile=meanwhile, fresh=True, frames=frames)
        if out_dir.exists():
            for entry in out_dir.iterdir():
                if not (staging / entry.name).exists():
                    (shutil.copytree if entry.is_dir() else shutil.copy2)(entry, staging / entry.name)
            probe = parent / f".old-{out_dir.name}-{uuid.uuid4().hex[:8]}"
            try:
                os.replace(out_dir, probe)
            except OSError as exc:
                raise CannotRun(
                    f"Không thay được thư mục kết quả {out_dir}: có tệp đang mở (Excel?). Hãy đóng các tệp trong thư mục này "
                    f"rồi chạy lại; chưa ghi nhận kết quả nào. ({os_reason(exc)})"
                ) from exc
            os.replace(probe, out_dir)
        return _Staged(out_dir, staging)
    except OSError as exc:  # a full disk, a read-only folder: say where (a failed write names no file)
        shutil.rmtree(staging, ignore_errors=True)
        where = f" ({exc.filename})" if exc.filename else ""
        raise CannotRun(
            f"Không ghi được kết quả vào thư mục {parent}{where}: {os_reason(exc)}. Hãy giải phóng chỗ trống hoặc cấp quyền ghi "
            "cho thư mục này rồi chạy lại; chưa ghi nhận kết quả nào, kết quả cũ được giữ nguyên."
        ) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _recover_interrupted_swap(out_dir: Path) -> None:
    """A run killed between setting the previous outputs aside and swapping the new ones in leaves them
    under ``.old-…``: put them back (with what the clerk had added) before anything else; drop staging
    folders of dead runs."""
    parent = out_dir.parent
    for leftover in sorted(parent.glob(f".staging-{out_dir.name}-*")):
        shutil.rmtree(leftover, ignore_errors=True)
    olds = sorted(parent.glob(f".old-{out_dir.name}-*"))
    if olds and not out_dir.exists():
        os.replace(olds.pop(), out_dir)
    for leftover in olds:
        shutil.rmtree(leftover, ignore_errors=True)


def _plan_destinations(config: Config, period: str, records: list[FileRecord], finishing) -> dict[str, str]:
    """Where each file of this run goes (relative, POSIX-style); names already taken get a numeric suffix."""
    plan: dict[str, str] = {}
    taken: set[str] = {p.dest_path for p in finishing}
    base = config.input_dir.relative_to(config.workdir) if config.input_dir.is_relative_to(config.workdir) else Path(config.settings.input_dir)
    for rec in records:
        if rec.status in (ACCEPTED, DUPLICATE):
            folder = base / "processed" / period
        elif rec.status == REJECTED:
            folder = base / "rejected" / period
        else:
            continue
        name, n = rec.name, 2
        while (rel := (folder / name).as_posix()) in taken or (Path(config.workdir) / rel).exists():
            name, n = _numbered(rec.name, n), n + 1
        taken.add(rel)
        plan[rec.name] = rel
    return plan


def _numbered(name: str, n: int) -> str:
    """``name`` with `` (n)`` before its extension, as Windows names a second copy."""
    path = Path(name)
    return f"{path.stem} ({n}){path.suffix}"


def _free_name(target: Path) -> Path:
    candidate, n = target, 2
    while candidate.exists():
        candidate, n = target.with_name(_numbered(target.name, n)), n + 1
    return candidate


def _stored_outcome(config: Config, store: Store, period: str, milestone: str | None) -> tuple[RunOutcome, Council | None]:
    """The period as its last run left it, recomputed from the store (nothing is changed): units and
    nominations by the same steps as the run, the council's recorded decision applied; and that decision."""
    stored = runstore.period_files(store, period)
    units, appraisal, _, scored = _period_state(config, store, period, [], stored)
    council = _council(store, period, milestone, [])
    nominations = _awards(config, store, period, milestone, units, council)
    outcome = RunOutcome(
        period=period,
        milestone=milestone,
        files=[],
        units=units,
        nominations=nominations,
        appraisal=appraisal,
        period_files=[r for _, r in stored],
        council_applied=council is not None,
        scores=scored,
    )
    return outcome, council


def write_dossier(config: Config, period: str | None = None, milestone: str | None = None) -> "DocumentsResult":
    """``ccht-batch documents``: the dossier's drafts for ``period`` (default: the latest period with
    results) and ``milestone`` (default: the milestone of that period's last run), from its final lists."""
    if milestone is not None and config.criteria.movement.milestone(milestone) is None:
        ids = ", ".join(m.id for m in config.criteria.movement.milestones)
        raise UsageError(f"đợt '{milestone}' không có trong config/criteria.yaml (các đợt: {ids})")
    with workdir_locked(config.workdir), open_store(config) as store:
        period = period or runstore.latest_period(store)
        if period is None:
            raise UsageError("chưa có kỳ nào có kết quả: chạy ccht-batch run trước khi soạn văn bản")
        if not runstore.period_has_results(store, period):
            raise UsageError(f"kỳ {period_text(period)} chưa có kết quả: chạy ccht-batch run --period {period} trước khi soạn văn bản")
        milestone = milestone or runstore.last_run_milestone(store, period)
        outcome, _ = _stored_outcome(config, store, period, milestone)
        # deferred: python-docx is loaded for this command only, not for every run
        from ccht_batch.documents.write import write_documents

        return write_documents(config, outcome, StoreHistory(store), config.output_dir / period)


def period_units(config: Config, period: str) -> list[UnitOutcome]:
    """Each unit's state for ``period`` as the last run left it (nothing is changed): what the appraisal
    workbook is built from."""
    with open_store(config) as store:
        units, _, _, _ = _period_state(config, store, period, [], runstore.period_files(store, period))
    return units


def period_files(config: Config, period: str) -> list[FileRecord]:
    """Every file of ``period`` as its last run showed it (nothing is changed): the store's records, and on the
    counted ones the scorer's warnings, recomputed as every run recomputes them (the store keeps only what
    reading found)."""
    with open_store(config) as store:
        stored = runstore.period_files(store, period)
        _, _, adjusted, _ = _period_state(config, store, period, [], stored)
    return [with_scoring(r, adjusted) for _, r in stored]


def period_nominations(config: Config, period: str, milestone: str | None) -> tuple[list[UnitOutcome], list, Council | None]:
    """The period's units and nominations as the last run left them (nothing is changed), with the council's
    decision already recorded for this milestone: what the council workbook is built from."""
    with open_store(config) as store:
        outcome, council = _stored_outcome(config, store, period, milestone)
        return outcome.units, outcome.nominations, council
