"""Everything a run writes for people and programs (DESIGN.md §8), into one staging folder.

The batch swaps the folder into ``output/<YYYY-MM>/`` afterwards; here each file is only written under a
temporary name and renamed when complete. Feedback workbooks are many and independent, so with
``jobs > 1`` a process pool writes them while this process writes the two big workbooks; each worker gets
only its unit's plain values (``write_feedback.feedback_data``), and the bytes do not depend on ``jobs``.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ccht_batch.config import Config
from ccht_batch.model import RunOutcome
from ccht_batch.summary_json import SUMMARY_NAME, sorted_units, write_summary_json
from ccht_batch.write_feedback import feedback_data, feedback_path, write_feedback_file
from ccht_batch.write_nominations import nominations_name, write_nominations_workbook
from ccht_batch.write_summary import summary_name, write_summary_workbook


def write_outputs(config: Config, outcome: RunOutcome, directory: Path, jobs: int = 1) -> list[Path]:
    """Write the consolidated workbook, the nomination lists, one feedback workbook per unit that sent a
    file this period, and ``summary.json``; return their paths in that order."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    feedback = [
        (feedback_path(directory, u.code), feedback_data(config, outcome, u))
        for u in sorted_units(config, outcome.units)
        if u.sent_this_period
    ]
    if feedback:
        feedback[0][0].parent.mkdir(parents=True, exist_ok=True)

    workers = min(max(jobs, 1), len(feedback))
    pool = ProcessPoolExecutor(max_workers=workers) if workers > 1 else None
    try:
        pending = [pool.submit(write_feedback_file, str(p), d) for p, d in feedback] if pool else []
        written = [
            write_summary_workbook(config, outcome, directory / summary_name(outcome.period)),
            write_nominations_workbook(config, outcome, directory / nominations_name(outcome.period)),
        ]
        if pool:
            written += [Path(f.result()) for f in pending]
        else:
            written += [Path(write_feedback_file(p, d)) for p, d in feedback]
    finally:
        if pool:
            pool.shutdown(wait=True, cancel_futures=True)
    written.append(write_summary_json(config, outcome, directory / SUMMARY_NAME))
    return written
