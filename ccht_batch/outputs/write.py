"""Everything a run writes for people and programs (DESIGN.md §8), into one staging folder.

The batch swaps the folder into ``output/<YYYY-MM>/`` afterwards (so there each file is written in place,
``fresh``); called on an existing folder, each file is written under a temporary name and renamed when
complete. Writing workbooks is most of a large run's work and every file is independent, so with
``jobs > 1`` a pool of ``jobs`` worker processes writes them: the consolidated workbook as one task, the
feedback workbooks in chunks of units (one task per chunk, not per unit). This process only gathers the
run into tables once (``frames.period_frames``), cuts each file's plain values from them (``summary_data``,
``feedback_data``), hands them out, and meanwhile writes the two small files (nomination lists,
``summary.json``) and does the caller's ``meanwhile`` work (the batch's store rows); it never takes a
worker's share. The workers import no pandas. The bytes of every file do not depend on ``jobs``
or on the start method: each is a pure function of its values.
"""

from __future__ import annotations

from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Callable

from ccht_batch.config.model import Config
from ccht_batch.core.children import die_with_parent
from ccht_batch.core.memory import frozen_heap
from ccht_batch.core.records import RunOutcome
from ccht_batch.outputs.consolidated import summary_name, write_summary_file
from ccht_batch.outputs.feedback import (
    feedback_path,
    write_feedback_file,
    write_feedback_files,
)
from ccht_batch.outputs.frames import (
    PeriodFrames,
    feedback_data,
    feedback_tables,
    period_frames,
    summary_data,
    write_summary_json,
)
from ccht_batch.outputs.nominations import nominations_name, write_nominations_workbook
from ccht_batch.outputs.summary_json import SUMMARY_NAME, sorted_units

# Below this many feedback workbooks one process writes everything: starting workers costs more (most of
# all with Windows' spawn, which imports the program again in each).
PARALLEL_FROM = 48
# Chunks small enough to keep the workers evenly busy to the end, big enough that handing one out costs
# little next to writing it (a feedback workbook takes one to two milliseconds).
CHUNKS_PER_WORKER = 6
MIN_CHUNK = 8


def chunk_sizes(count: int, workers: int) -> list[int]:
    """How many units go in each chunk, in order."""
    size = max(MIN_CHUNK, -(-count // (workers * CHUNKS_PER_WORKER)))
    sizes = [size] * (count // size)
    if count % size:
        sizes.append(count % size)
    return sizes


def write_outputs(
    config: Config,
    outcome: RunOutcome,
    directory: Path,
    jobs: int = 1,
    mp_context: BaseContext | None = None,
    meanwhile: Callable[[], None] | None = None,
    fresh: bool = False,
    frames: PeriodFrames | None = None,
) -> list[Path]:
    """Write the consolidated workbook, the nomination lists, one feedback workbook per unit that sent a
    file this period, and ``summary.json``; return their paths in that order.

    Each file is written under a temporary name and renamed when complete, unless ``fresh``: the folder
    is new and the caller swaps it in whole when complete (the batch's staging folder), so the workbooks
    are written in place. ``meanwhile`` (optional) runs in this process while the workers write, after
    the small files: work of the caller's that needs none of these files. ``mp_context`` picks the start
    method (tests use spawn, as on Windows). ``frames``: the outcome's tables, when the caller has them already.
    """
    with frozen_heap():
        return _write_outputs(config, outcome, Path(directory), jobs, mp_context, meanwhile, not fresh, frames)


def _write_outputs(
    config: Config,
    outcome: RunOutcome,
    directory: Path,
    jobs: int,
    mp_context: BaseContext | None,
    meanwhile: Callable[[], None] | None,
    atomic: bool,
    frames: PeriodFrames | None,
) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    units = [u for u in sorted_units(config, outcome.units) if u.sent_this_period]
    feedback = [feedback_path(directory, u.code) for u in units]
    if feedback:
        feedback[0].parent.mkdir(parents=True, exist_ok=True)
    summary = directory / summary_name(outcome.period)
    nominations = directory / nominations_name(outcome.period)
    written = [summary, nominations, *feedback, directory / SUMMARY_NAME]

    frames = frames or period_frames(config, outcome)
    tables = feedback_tables(config, units, frames)
    workers = max(1, int(jobs or 1))
    if workers == 1 or len(units) < PARALLEL_FROM:
        write_summary_file(summary, summary_data(config, outcome, frames), atomic)
        write_nominations_workbook(config, outcome, nominations)
        for path, d in zip(feedback, feedback_data(config, outcome, units, frames, tables)):
            write_feedback_file(path, d, atomic)
        write_summary_json(config, outcome, written[-1], frames)
        if meanwhile is not None:
            meanwhile()
        return written

    sizes = chunk_sizes(len(units), workers)
    pool = ProcessPoolExecutor(max_workers=min(workers, len(sizes) + 1), mp_context=mp_context, initializer=die_with_parent)
    try:
        pending: list[Future] = []
        start = 0
        for n, size in enumerate(sizes):
            values = feedback_data(config, outcome, units[start:start + size], frames, tables)
            chunk = [(str(feedback[i]), d) for i, d in zip(range(start, start + size), values)]
            start += size
            pending.append(pool.submit(write_feedback_files, chunk, atomic))
            if n == 0:
                # The consolidated workbook is the longest task: one worker starts on it at once, the other
                # on the first chunk, and the remaining chunks keep both busy after.
                pending.append(pool.submit(write_summary_file, str(summary), summary_data(config, outcome, frames), atomic))
        write_nominations_workbook(config, outcome, nominations)
        write_summary_json(config, outcome, written[-1], frames)
        if meanwhile is not None:
            meanwhile()
        for f in pending:
            f.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return written
