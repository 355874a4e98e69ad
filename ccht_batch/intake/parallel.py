"""Intake: which files in ``input/`` are submissions, reading them in child processes, checking their values
as tables, and duplicates in a batch.

Reading is per file and independent, and a file is untrusted input for native code, so every file is
read in a child process (``isolate``: one file that kills its reader costs only itself); each child gets
the configuration once and returns a compact ``FileRecord`` — its structure checked and the raw values of
its input cells, never sheets or DataFrames — because shipping sheets or tables between processes costs
more than reading them. The values of every file are then checked at once, as tables, in this process
(``values``). Results come back in the order of the input paths, whatever the number of children, so a
run's outcome never depends on ``--jobs``.

Everything here works with the ``spawn`` start method (Windows): the functions children run are top-level,
in modules that import no pandas (``read``, ``validate``, ``isolate``).
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import os
import stat
import threading
import time
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Callable, Iterator

from ccht_batch.config.model import Config, Limits
from ccht_batch.core import issues
from ccht_batch.core.files import hash_file
from ccht_batch.core.records import ACCEPTED, DUPLICATE, IGNORED, REJECTED, FileRecord
from ccht_batch.forms import layout
from ccht_batch.intake.isolate import (
    OUT_OF_MEMORY,
    TIMED_OUT,
    ChildLimits,
    run_isolated,
)
from ccht_batch.intake.read import (
    Reader,
    being_copied,
    changed_since,
    identify_file,
    pack,
    read_packed,
    read_raw,
    unpack,
)

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
CANDIDATE_SUFFIXES = SPREADSHEET_SUFFIXES + (".xlsb",)  # read to be refused with what to do
FILES_PER_WORKER = 8
FILE_ATTRIBUTE_HIDDEN = 0x2


# ---------------------------------------------------------------------------------------------------
# Discovery


def discover(input_dir: Path) -> tuple[list[Path], list[FileRecord]]:
    """Candidate spreadsheets directly in ``input_dir`` (sorted by name), and the entries to ignore.

    The run's own sub-folders (``processed/``, ``rejected/``) and hidden folders are skipped silently;
    everything else is a candidate or ignored with its reason, and ignored entries stay where they are:
    other folders, links and special files (never opened: a pipe would block), and names that are not
    valid text (a file copied from an old system), shown with their unreadable bytes replaced.
    """
    input_dir = Path(input_dir)
    candidates: list[Path] = []
    ignored: list[FileRecord] = []
    if not input_dir.is_dir():
        return candidates, ignored
    for path in sorted(input_dir.iterdir(), key=lambda p: p.name):
        name = path.name
        try:
            st = path.lstat()
        except OSError:
            continue  # vanished since the listing
        if stat.S_ISDIR(st.st_mode) and (name in RUN_FOLDERS or name.startswith(".")):
            continue
        shown = shown_name(name)
        regular = stat.S_ISREG(st.st_mode)
        detail = None
        if shown != name:
            reason: str | None = "ignored-bad-name"
        elif not regular:
            reason, detail = "ignored-not-a-file", _entry_kind(st)
        else:
            reason = ignore_reason(name, st)
        if reason is None:
            candidates.append(path)
            continue
        ignored.append(
            FileRecord(
                name=shown,
                sha256=hash_file(path) if regular else None,
                size=st.st_size if regular else 0,
                mtime=st.st_mtime,
                status=IGNORED,
                issues=[issues.make(reason, file=shown, detail=detail)],
            )
        )
    return candidates, ignored


RUN_FOLDERS = ("processed", "rejected")


def shown_name(name: str) -> str:
    """A file name as text: a name that is not valid Unicode (bytes of another code page on Linux, a lone
    surrogate on Windows) with each unreadable byte replaced by U+FFFD; a valid name unchanged."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", errors="replace")


def _entry_kind(st: os.stat_result) -> str:
    if stat.S_ISDIR(st.st_mode):
        return "một thư mục"
    if stat.S_ISLNK(st.st_mode):
        return "một lối tắt (liên kết) tới tệp hoặc thư mục khác"
    return "một tệp đặc biệt của hệ thống (không phải tệp dữ liệu)"


def ignore_reason(name: str, st: os.stat_result | None = None) -> str | None:
    """The issue code that says why a file is not read, or None for a candidate."""
    if name.startswith("~$") or name.startswith(".~lock."):
        return "ignored-lock-file"  # Excel's owner file; LibreOffice's lock
    hidden_attr = getattr(st, "st_file_attributes", 0) & FILE_ATTRIBUTE_HIDDEN if st is not None else 0
    if name.startswith(".") or hidden_attr:
        return "ignored-hidden-file"
    if not name.lower().endswith(CANDIDATE_SUFFIXES):
        return "ignored-not-spreadsheet"
    return None


# ---------------------------------------------------------------------------------------------------
# Reading, each file in a child process

def read_files(
    paths: list[Path],
    config: Config,
    period: str,
    jobs: int,
    progress: Callable[[int], None] | None = None,
    mp_context: BaseContext | None = None,
    read: Reader = read_raw,
    meanwhile: Callable[[], object] | None = None,
) -> list[FileRecord]:
    """Read every path, each in a child process (``isolate``), then check the values of all of them as
    tables (``values.validate_values``); records in the order of ``paths``, identical for any ``jobs``.

    ``progress`` is called with the number of files finished since its previous call. ``jobs`` is an
    upper bound: a child is started only for every ``FILES_PER_WORKER`` files (starting one costs more
    than reading a few files, most of all with Windows' spawn), and always one. ``mp_context`` picks the
    start method (tests use spawn, as on Windows). ``read`` reads one file in a child: a top-level function
    of a module that imports no pandas, so that child processes can be given it. ``meanwhile`` runs once in
    this process as soon as the children are at work (the caller's own imports); pandas and the value checks
    are loaded then too, never before the children start.
    """
    paths = list(paths)
    if not paths:
        return []
    workers = max(1, min(int(jobs or 1), len(paths) // FILES_PER_WORKER))
    limits = config.settings.limits
    records: list[FileRecord | None] = [None] * len(paths)

    loading = _Loading(meanwhile)

    def done(index: int, packed: tuple) -> None:
        loading.start()  # the children are at work: load what this process needs after them, beside them
        records[index] = unpack(packed)
        if progress:
            progress(1)

    stopped: list[int] = []  # the files whose reading child died or was stopped
    index_of = {path: i for i, path in enumerate(paths)}

    def refused(path: Path, why: str) -> tuple:
        stopped.append(index_of[path])
        return _refused(limits, path, why)

    child_limits = ChildLimits(memory_mb=limits.max_read_memory_mb, seconds=limits.max_read_seconds)
    with _collector_paused():
        run_isolated(
            paths,
            functools.partial(read_packed, read, config, period),
            refused,
            workers=workers,
            chunk=_chunksize(len(paths), workers),
            limits=child_limits,
            done=done,
            mp_context=mp_context,
        )
        if stopped:
            _identify_stopped([paths[i] for i in stopped], [records[i] for i in stopped], config, child_limits, mp_context)
        return loading.result().validate_values([r for r in records if r is not None], config, period)


def _identify_stopped(paths: list[Path], records: list[FileRecord | None], config: Config, limits: ChildLimits, mp_context: BaseContext | None) -> None:
    """Whose are the files whose reading child died: each one's ``_meta`` read alone, in a child of its own
    under the same limits, so the unit is told why its file was refused (a file whose ``_meta`` cannot be
    read either stays anonymous)."""

    def found(index: int, who: tuple[str, str | None, int | None] | None) -> None:
        record = records[index]
        if who is None or record is None:
            return
        record.kind, record.unit_code, record.year = who
        record.issues = [dataclasses.replace(i, unit_code=record.unit_code) for i in record.issues]

    run_isolated(paths, functools.partial(identify_file, config), lambda path, why: None, workers=1, chunk=1, limits=limits, done=found, mp_context=mp_context)


class _Loading:
    """The value checks (pandas) and the caller's ``meanwhile``, loaded in a thread of this process once the
    reading children are at work: importing pandas takes a third of a second, which the children's reading
    hides, and this process keeps handing them files meanwhile. Every child is started before it (a
    replacement child forked later runs only reading code, whose modules are loaded)."""

    def __init__(self, meanwhile: Callable[[], object] | None):
        self.meanwhile = meanwhile
        self.thread: threading.Thread | None = None
        self.values = None
        self.error: BaseException | None = None

    def start(self) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._load, name="ccht-batch-tables", daemon=True)
            self.thread.start()

    def _load(self) -> None:
        try:
            # deferred: pandas loads once the children are reading, never in them
            from ccht_batch.intake import values

            if self.meanwhile is not None:
                self.meanwhile()
            self.values = values
        except BaseException as exc:  # noqa: BLE001 — raised again in the caller's thread
            self.error = exc

    def result(self):
        self.start()
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.values


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while records pile up and their values are checked: records hold no
    cycles, and every full collection would walk all of them again (a tenth of a long batch's time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _chunksize(n: int, jobs: int) -> int:
    """Big enough to amortise inter-process traffic, small enough to keep workers balanced."""
    return max(1, min(32, n // (jobs * 8)))


def _refused(limits: Limits, path: Path, why: str) -> tuple:
    """The record of a file whose reading child died or was stopped (``isolate``): only that file is
    refused, with the reason."""
    if why == OUT_OF_MEMORY:
        found = issues.make("file-too-complex", file=path.name, detail=f"đọc tệp cần hơn {limits.max_read_memory_mb} MB bộ nhớ")
    elif why == TIMED_OUT:
        found = issues.make("file-too-complex", file=path.name, detail=f"đọc tệp mất hơn {limits.max_read_seconds} giây")
    else:
        found = issues.make("file-corrupt", file=path.name, detail="chương trình đọc tệp bị dừng đột ngột khi mở tệp này")
    try:
        st = path.stat()
        size, mtime = st.st_size, st.st_mtime
    except OSError:
        size, mtime = 0, 0.0
    return pack(FileRecord(name=path.name, sha256=hash_file(path), size=size, mtime=mtime, status=REJECTED, issues=[found]))


# ---------------------------------------------------------------------------------------------------
# Files still being copied in


COPY_RECENT_SECONDS = 60  # a broken file modified this recently may be a copy in progress
COPY_SETTLE_SECONDS = 1.5  # how long to watch such a file for growth


def settle_copies(paths: list[Path], records: list[FileRecord], wait: float = COPY_SETTLE_SECONDS) -> None:
    """Files whose reading found a broken archive and that were modified moments ago may be copies still
    in progress whose writer paused while they were read: watch them briefly (once for all of them) and
    make those that change ``ignored`` as being copied. ``records`` are ``paths``' records, in order."""
    now = time.time()
    suspects = [
        (path, rec)
        for path, rec in zip(paths, records)
        if rec.status == REJECTED and rec.issues and all(i.code == "file-corrupt" for i in rec.issues) and now - rec.mtime < COPY_RECENT_SECONDS
    ]
    if not suspects:
        return
    time.sleep(wait)
    for path, rec in suspects:
        if changed_since(path, None, rec.size, rec.mtime):
            being_copied(rec)


# ---------------------------------------------------------------------------------------------------
# Several files from one unit in one run


def mark_superseded(records: list[FileRecord]) -> None:
    """Keep the newest accepted file of each unit (then of the appraisal, and of the council's workbook of
    each milestone); mark the others duplicate.

    Newest is the latest modification time; equal times are broken by the file name (the later name in
    sorting order counts), so the choice never depends on the order files were listed.
    """
    groups: dict[tuple[str, str], list[FileRecord]] = {}
    for r in records:
        if r.status != ACCEPTED:
            continue
        if r.kind == layout.KIND_TEMPLATE and r.unit_code:
            groups.setdefault(("template", r.unit_code), []).append(r)
        elif r.kind == layout.KIND_APPRAISAL:
            groups.setdefault(("appraisal", ""), []).append(r)
        elif r.kind == layout.KIND_COUNCIL and r.council is not None:
            groups.setdefault(("council", r.council.milestone or ""), []).append(r)
    for group in groups.values():
        if len(group) < 2:
            continue
        counted = max(group, key=lambda r: (r.mtime, r.name))
        for r in group:
            if r is counted:
                continue
            r.status = DUPLICATE
            r.submission = r.appraisal = r.council = None  # does not count: nothing of it is kept (as for any duplicate)
            r.issues.append(issues.make("superseded-file", file=r.name, unit_code=r.unit_code, detail=counted.name))
            r.note = f"Không tính: tệp mới hơn '{counted.name}' được tính."

