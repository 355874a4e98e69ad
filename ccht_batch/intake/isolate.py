"""Reading each file in a child process that may die: one file never stops the month (DESIGN.md §2).

A submitted file is untrusted input for native code (python-calamine): a crafted sheet can make it
allocate hundreds of gigabytes and abort, or loop. So every file is read in a child process, whatever the
number of files — a few children for many files, one short-lived child for a few — each child with a
memory ceiling (``core.children.limit_memory``, or the parent's watch where the system has none) and each
file with a time limit. A child that dies or exceeds a limit costs only the file it was reading: that file
is refused with the reason (``failed``), the files it had not reached go back in the queue, and a new
child takes over. Children die with the program (``core.children.die_with_parent``).

Files are handed out in chunks and their results come back a chunk at a time (a message costs more than
reading a small file); a child writes the position of the file it is reading into memory it shares with
the parent, so the parent always knows which file a child was reading when it died or stopped moving
(the time limit runs from that file's start). Results are kept by position: the outcome never depends on
the number of children or on which one read what.

Everything here works with the ``spawn`` start method (Windows): the child's function is top-level.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import signal
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, Callable

from ccht_batch.core import children
from ccht_batch.core.errors import CannotRun

# Why a child stopped, as the parent tells the caller.
DIED = "died"  # ended on its own (a crash in native code)
OUT_OF_MEMORY = "memory"  # its memory ceiling, or the system's out-of-memory killer
TIMED_OUT = "time"  # a file took longer than the time limit

# Exit statuses of a process that ran out of memory: Rust's allocator aborts (SIGABRT; on Windows a fast
# fail, 0xC0000409), the kernel's out-of-memory killer sends SIGKILL.
_OOM_EXITS = {-getattr(signal, "SIGABRT", 6), -getattr(signal, "SIGKILL", 9), 134, 0xC0000409}

TICK = 0.25  # seconds between checks of the time limit and of memory while children are busy
MAX_IDLE_DEATHS = 3  # children in a row that end outside any file (cannot start): give up
IDLE = -1  # the shared position of a child that reads nothing


@dataclass(frozen=True)
class ChildLimits:
    memory_mb: int  # address space a child may add to what it uses when it starts
    seconds: float  # time one file may take


Work = Callable[[Path], Any]  # what a child does with one path: its result must pickle


def _child_main(conn: Any, current: Any, work: Work, memory_mb: int) -> None:
    children.die_with_parent()
    enforced = children.limit_memory(memory_mb)
    children.silence_stderr()
    conn.send(("ready", enforced))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        results = []
        for index, path in task:
            current.value = index
            results.append((index, work(path)))
        current.value = IDLE
        conn.send(("done", results))


class _Child:
    def __init__(self, ctx: BaseContext, work: Work, limits: ChildLimits):
        here, there = ctx.Pipe()
        self.current = ctx.Value("q", IDLE, lock=False)  # the position it reads, written by the child
        self.proc = ctx.Process(target=_child_main, args=(there, self.current, work, limits.memory_mb), daemon=True)
        self.proc.start()
        there.close()
        self.conn = here
        self.pending: deque[int] = deque()
        self.seen = IDLE  # the position last seen in ``current``, and since when
        self.since = time.monotonic()
        self.killed_for: str | None = None
        self.watch: children.MemoryWatch | None = None
        self.limits = limits

    def hand(self, chunk: list[tuple[int, Path]]) -> None:
        self.pending.extend(i for i, _ in chunk)
        try:
            self.conn.send(chunk)
        except OSError:  # it has just died: its death is seen below, and the chunk goes back in the queue
            pass

    def stuck(self, now: float) -> bool:
        """True when the file it reads has taken longer than the time limit."""
        reading = self.current.value
        if reading != self.seen:
            self.seen, self.since = reading, now
        return reading != IDLE and now - self.since > self.limits.seconds

    def culprit(self) -> int | None:
        """The file it was reading when it ended, if any of its files."""
        reading = self.current.value
        return reading if reading in self.pending else None

    def kill(self, why: str) -> None:
        if self.killed_for is None:
            self.killed_for = why
        self.proc.kill()

    def why(self) -> str:
        if self.killed_for:
            return self.killed_for
        return OUT_OF_MEMORY if self.proc.exitcode in _OOM_EXITS else DIED

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.proc.join(timeout=2)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout=5)
        self.conn.close()


def run_isolated(
    paths: list[Path],
    work: Work,
    failed: Callable[[Path, str], Any],
    *,
    workers: int,
    chunk: int,
    limits: ChildLimits,
    done: Callable[[int, Any], None],
    mp_context: BaseContext | None = None,
) -> None:
    """``work(path)`` for every path, each in a child process; ``done(index, result)`` as each result
    arrives (in any order). For the file a child was reading when it died or was stopped, ``failed(path,
    why)`` makes the result instead (``why``: ``DIED``, ``OUT_OF_MEMORY``, ``TIMED_OUT``)."""
    ctx = mp_context or multiprocessing.get_context()
    queue: deque[int] = deque(range(len(paths)))
    left = len(paths)
    pool: list[_Child] = []
    deaths = 0  # in a row, outside any file
    try:
        pool = [_Child(ctx, work, limits) for _ in range(max(1, min(workers, len(paths))))]
        while left:
            for child in pool:
                while queue and len(child.pending) < 2 * chunk:  # one chunk in hand, one waiting
                    take = [queue.popleft() for _ in range(min(chunk, len(queue)))]
                    child.hand([(i, paths[i]) for i in take])
            ready = multiprocessing.connection.wait([c.conn for c in pool] + [c.proc.sentinel for c in pool], timeout=TICK)
            now = time.monotonic()
            for child in list(pool):
                if child.conn in ready or child.proc.sentinel in ready:
                    got = _drain(child, done)
                    left -= got
                    deaths = 0 if got else deaths
                if child.proc.is_alive():
                    if child.stuck(now):
                        child.kill(TIMED_OUT)
                    elif child.watch is not None and child.watch.exceeded():
                        child.kill(OUT_OF_MEMORY)
                    continue
                left -= _drain(child, done)  # what it sent before it ended
                pool.remove(child)
                culprit = child.culprit()
                if culprit is not None:
                    child.pending.remove(culprit)
                    done(culprit, failed(paths[culprit], child.why()))
                    left -= 1
                    deaths = 0
                else:  # ended outside any file (it could not start): not forever
                    deaths += 1
                    if deaths > MAX_IDLE_DEATHS:
                        raise CannotRun(
                            f"Tiến trình đọc tệp dừng ngay khi khởi động (mã thoát {child.proc.exitcode}), nhiều lần liền. "
                            "Chưa ghi nhận kết quả nào; hãy chạy lại, nếu vẫn lỗi hãy báo cán bộ công nghệ thông tin."
                        )
                queue.extendleft(reversed(child.pending))  # read again by another (a chunk's results come together)
                child.pending.clear()
                child.conn.close()
                if queue:
                    pool.append(_Child(ctx, work, limits))
    finally:
        for child in pool:
            child.stop()


def _drain(child: _Child, done: Callable[[int, Any], None]) -> int:
    """Take every message the child has sent; the number of results."""
    got = 0
    while True:
        try:
            if not child.conn.poll():
                return got
            message = child.conn.recv()
        except (EOFError, OSError):
            return got
        if message[0] == "ready":
            if not message[1]:  # the system set no ceiling: the parent watches
                watch = children.MemoryWatch(child.proc.pid, child.limits.memory_mb)
                child.watch = watch if watch.active else None
            continue
        for index, result in message[1]:  # a chunk's results, in the order it was given
            if child.pending and child.pending[0] == index:
                child.pending.popleft()
            else:  # pragma: no cover - children answer in the order they were given
                child.pending.remove(index)
            done(index, result)
            got += 1
