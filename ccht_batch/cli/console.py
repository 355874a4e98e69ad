"""What the clerk sees on screen: Vietnamese lines, and a progress bar only on a real terminal (and not
under ``--quiet``).

On Windows the console may not be UTF-8; we reconfigure stdout so diacritics never crash a run. In a pipe,
CI or a test, the bar goes silent and plain lines are printed instead (as sqlite-utils does).
"""

from __future__ import annotations

import os
import sys
import time
from typing import Protocol, TextIO


def ensure_utf8(stream: TextIO) -> None:
    """Make ``stream`` write UTF-8 (Windows consoles default to a legacy code page)."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(encoding="utf-8", errors="replace")
        except (ValueError, OSError):  # pragma: no cover - a stream that cannot be reconfigured
            pass


class LineLog(Protocol):
    def line(self, text: str, problem: bool = False) -> None: ...


class Console:
    """Results on stdout (``line``), problems on stderr (``error``): a scheduled ``--quiet`` run shows only
    the problems; every line, shown or not, also goes to the command's log when there is one."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None, interactive: bool | None = None, quiet: bool = False):
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        if interactive is None:
            isatty = getattr(self.out, "isatty", None)
            interactive = bool(isatty and isatty())
        self.interactive = interactive
        self.quiet = quiet
        self.log: LineLog | None = None

    def line(self, text: str = "") -> None:
        if self.log is not None:
            self.log.line(text)
        if not self.quiet:
            self._print(text, "out")

    def error(self, text: str) -> None:
        if self.log is not None:
            self.log.line(text, problem=True)
        self._print(text, "err")

    def _print(self, text: str, which: str, end: str = "\n") -> None:
        """A reader that went away (``ccht-batch run | more``, quit early) must not stop the work: the run
        goes on silently rather than dying half-way with a broken pipe."""
        stream = getattr(self, which)
        try:
            print(text, file=stream, end=end, flush=True)
        except BrokenPipeError:
            setattr(self, which, open(os.devnull, "w", encoding="utf-8"))

    def progress(self, total: int, label: str) -> "Progress":
        return Progress(self, total, label)


class Progress:
    """A bar on a terminal; in a pipe, one line at the start and one at the end (both always in the log)."""

    WIDTH = 30

    def __init__(self, console: Console, total: int, label: str):
        self.console = console
        self.total = max(total, 0)
        self.label = label
        self.done = 0
        self._last_draw = 0.0
        if self.total:
            self._note(f"{label}: {self.total} tệp...")

    def _note(self, text: str) -> None:
        """A plain line: on screen in a pipe (on a terminal the bar stands for it), in the log always."""
        if not self.console.interactive:
            self.console.line(text)
        elif self.console.log is not None:
            self.console.log.line(text)

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.console.interactive and not self.console.quiet:
            now = time.monotonic()
            if now - self._last_draw > 0.1 or self.done >= self.total:
                self._last_draw = now
                filled = int(self.WIDTH * self.done / self.total) if self.total else self.WIDTH
                bar = "█" * filled + "░" * (self.WIDTH - filled)
                self.console._print(f"\r{self.label}: [{bar}] {self.done}/{self.total}", "out", end="")

    def finish(self) -> None:
        if self.console.interactive and self.total and not self.console.quiet:
            self.console._print("", "out")
        if self.total:
            self._note(f"{self.label}: xong {self.done}/{self.total}.")


