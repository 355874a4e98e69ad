"""Logs for the maintainers: one file per command in ``output/logs/``, and the crash log.

A command's log holds the program's version, the command line, the working folder, the start and end
times, every line the clerk was shown (or would have been, under ``--quiet``; problems marked ``!``), the
exit code and, after an unexpected failure, the traceback. The framing is English (logs are for the person
who maintains the installation); the lines are the Vietnamese ones of the screen. Passwords never reach a
log: none is ever printed, and none is ever on the command line.

Logs are not outputs: they carry the clock, and the golden manifest leaves them out. A log that cannot be
written (a full disk, a read-only folder) never stops the command.
"""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path
from typing import Sequence, TextIO

from ccht_batch import __version__

LOGS_DIR = Path("output") / "logs"
CRASH_LOG = Path("output") / "ccht-batch-loi.log"

EXIT_MEANING = {
    0: "done",
    1: "done, but something was refused (see the lines marked !)",
    2: "bad configuration or usage, nothing done",
    3: "could not run, nothing committed",
}


def command_line(argv: Sequence[str]) -> str:
    return subprocess.list2cmdline(["ccht-batch", *argv])


def _now() -> str:
    return datetime.now().astimezone().isoformat(sep=" ", timespec="seconds")


def header(argv: Sequence[str], workdir: Path, when: str = "started") -> str:
    return f"ccht-batch {__version__}\ncommand: {command_line(argv)}\nworkdir: {Path(workdir).resolve()}\n{when}: {_now()}\n"


class CommandLog:
    """The log file of one command, written line by line (what a killed command did is still there)."""

    def __init__(self, path: Path, stream: TextIO):
        self.path = path
        self._stream: TextIO | None = stream

    @classmethod
    def open(cls, workdir: Path, command: str, argv: Sequence[str]) -> "CommandLog | None":
        """A new log ``output/logs/<date>_<time>_<command>.log`` in ``workdir``; None when it cannot be made."""
        folder = Path(workdir) / LOGS_DIR
        stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for n in range(1, 1000):
                path = folder / (f"{stamp}_{command}.log" if n == 1 else f"{stamp}_{command}_{n}.log")
                try:
                    stream = open(path, "x", encoding="utf-8", buffering=1)
                    break
                except FileExistsError:
                    continue
            else:
                return None
        except OSError:
            return None
        log = cls(path, stream)
        log._write(header(argv, workdir) + "\n")
        return log

    def line(self, text: str, problem: bool = False) -> None:
        for part in text.split("\n"):
            self._write(("! " if problem else "  ") + part + "\n")

    def traceback(self, text: str) -> None:
        self._write("\n" + text.rstrip("\n") + "\n")

    def close(self, code: int) -> None:
        self._write(f"\nfinished: {_now()}\nexit code: {code} ({EXIT_MEANING.get(code, 'unknown')})\n")
        if self._stream is not None:
            try:
                self._stream.close()
            except OSError:
                pass
            self._stream = None

    def _write(self, text: str) -> None:
        if self._stream is None:
            return
        try:
            self._stream.write(text)
        except (OSError, ValueError):  # a full disk: the command goes on without its log
            self._stream = None


def write_crash_log(workdir: Path, argv: Sequence[str], trace: str) -> Path | None:
    """``output/ccht-batch-loi.log``: what to send to the maintainer after an unexpected failure."""
    try:
        path = Path(workdir) / CRASH_LOG
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(header(argv, workdir, "time") + "\n" + trace, encoding="utf-8")
        return path
    except OSError:
        return None
