"""Worker processes that die with the program and cannot take the machine with them.

Whatever runs in a worker (reading a unit's file, writing workbooks) calls ``die_with_parent`` first: a
run killed hard (``kill -9``, the window closed, a crash) must not leave workers running forever — they
would hold files open and, on Windows, keep the clerk from moving them. A watchdog thread in the worker
ends it when the parent process is gone: the parent's sentinel (a pipe on POSIX, a process handle on
Windows) closes, or, on POSIX, the worker is handed to another parent.

A reading worker also limits its own memory (``limit_memory``): an address-space ceiling set by the
operating system where it offers one (Linux), so a file that makes a parser allocate gigabytes fails in
that worker alone. Where the system has no such limit (Windows, macOS), the parent watches the worker's
memory instead (``MemoryWatch``, with psutil, installed with the program on Windows).
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import multiprocessing.connection
import os
import sys
import threading

try:  # POSIX only
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

try:  # a dependency on Windows, where the operating system gives no memory limit to set
    import psutil
except ImportError:  # pragma: no cover - psutil is optional elsewhere
    psutil = None  # type: ignore[assignment]

MB = 1024 * 1024
PARENT_CHECK_SECONDS = 0.5


def die_with_parent() -> None:
    """In a worker: exit at once when the process that started it is gone (call it first)."""
    parent = multiprocessing.parent_process()
    if parent is None:  # not a multiprocessing child: nothing to watch
        return
    original = os.getppid()

    def watch() -> None:
        while True:
            try:
                gone = bool(multiprocessing.connection.wait([parent.sentinel], timeout=PARENT_CHECK_SECONDS))
            except (OSError, ValueError):
                gone = True
            if gone or (os.name == "posix" and os.getppid() != original):
                os._exit(3)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def limit_memory(allowance_mb: int) -> bool:
    """In a worker: let this process use at most ``allowance_mb`` more address space than it uses now.
    True when the operating system enforces it (Linux); False where the parent must watch instead."""
    if resource is None or not sys.platform.startswith("linux"):
        return False
    try:
        with open("/proc/self/statm", "rb") as fh:
            pages = int(fh.read().split()[0])
        ceiling = pages * os.sysconf("SC_PAGE_SIZE") + allowance_mb * MB
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    except (OSError, ValueError):
        return False
    return True


def silence_stderr() -> None:
    """In a worker: a native reader that aborts prints its backtrace on stderr; the clerk's screen is not
    the place for it (the file's record says what happened)."""
    faulthandler.disable()  # a host (pytest) may have pointed it at a copy of stderr
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:  # pragma: no cover - no stderr to silence
        pass


class MemoryWatch:
    """The parent's watch over a worker's memory where the system cannot limit it (needs psutil)."""

    def __init__(self, pid: int, allowance_mb: int):
        self.process = psutil.Process(pid) if psutil is not None else None
        self.ceiling = None
        if self.process is not None:
            try:
                self.ceiling = self.process.memory_info().rss + allowance_mb * MB
            except psutil.Error:
                self.process = None

    @property
    def active(self) -> bool:
        return self.process is not None

    def exceeded(self) -> bool:
        if self.process is None or self.ceiling is None:
            return False
        try:
            return self.process.memory_info().rss > self.ceiling
        except psutil.Error:
            return False
