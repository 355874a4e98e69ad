"""``ccht-batch``: parse the arguments, call the library, map outcomes to exit codes (DESIGN.md §9, §10).

Nothing here decides anything about the movement: each command module in this package turns parsed
arguments into one library call and its result into lines on screen and an exit code. The library raises
its own exceptions (``core.errors``, ``config.model.ConfigError``); they become Vietnamese messages here,
at the edge.
"""

from __future__ import annotations

import argparse
import functools
import sqlite3
import sys
import traceback
from pathlib import Path
from typing import Callable, Sequence

import filelock

from ccht_batch.cli.console import Console, ensure_utf8
from ccht_batch.cli.context import EXIT_FAILED, EXIT_USAGE, Context
from ccht_batch.cli.logs import CommandLog, write_crash_log
from ccht_batch.cli.parser import build_parser
from ccht_batch.config.model import ConfigError
from ccht_batch.core.errors import CannotRun, UsageError
from ccht_batch.core.oserrors import os_reason
from ccht_batch.core.periods import current_period, current_year
from ccht_batch.store.db import store_problem

Command = Callable[[Context, argparse.Namespace], int]


def _command(name: str) -> Command:
    """The function of command ``name``.

    Each command module is imported only when its command runs: ``--help`` and ``check`` must start in a
    moment, without the workbook writers, the mail stack or pandas behind the others.
    """
    if name in ("init", "check"):
        from ccht_batch.cli import setup as module  # deferred: start-up stays quick
    elif name == "demo":
        from ccht_batch.cli import demo as module  # deferred: start-up stays quick
    elif name == "templates":
        from ccht_batch.cli import templates as module  # deferred: start-up stays quick
    elif name in ("run", "appraisal", "council"):
        from ccht_batch.cli import run as module  # deferred: start-up stays quick
    elif name == "mail":
        from ccht_batch.cli import mail as module  # deferred: start-up stays quick
    elif name in ("history", "close-year"):
        from ccht_batch.cli import history as module  # deferred: start-up stays quick
    elif name == "report":
        from ccht_batch.cli import report as module  # deferred: start-up stays quick
    elif name == "collect":
        from ccht_batch.cli import collect as module  # deferred: start-up stays quick
    elif name == "menu":
        from ccht_batch.cli import menu as module  # deferred: start-up stays quick

        return functools.partial(module.command_menu, run=main)  # each step is a whole command line
    elif name == "documents":
        from ccht_batch.cli import documents as module  # deferred: start-up stays quick
    elif name == "store":
        from ccht_batch.cli import store as module  # deferred: start-up stays quick
    else:  # pragma: no cover - the parser accepts no other name
        raise UsageError(f"lệnh '{name}' không có")
    return getattr(module, "command_" + name.replace("-", "_"))


# Commands whose --period/--year default to what the store has (the latest results, the latest templates),
# not to today's date: the command resolves them and says which.
_DEFAULTS_FROM_RESULTS = ("mail", "appraisal", "council")


def apply_defaults(args: argparse.Namespace) -> None:
    """Fill ``--period``/``--year`` defaults from today's date (the contract's defaults)."""
    if args.command in _DEFAULTS_FROM_RESULTS:
        return
    if getattr(args, "period", "unset") is None:
        args.period = current_period()
    if hasattr(args, "year") and args.year is None and not getattr(args, "milestone", None):
        args.year = current_year()


# Commands that make their folder rather than read an existing one.
_MAKES_WORKDIR = ("init", "demo")


# Commands with no log of their own: those that make their folder, and the menu (each step it runs has one).
_NOT_LOGGED = (*_MAKES_WORKDIR, "menu")


def main(argv: Sequence[str] | None = None, console: Console | None = None) -> int:
    ensure_utf8(sys.stdout)
    ensure_utf8(sys.stderr)
    console = console or Console()
    parser = build_parser(console)
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version exit 0, usage errors exit 2
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    apply_defaults(args)
    console.quiet = bool(getattr(args, "quiet", False))
    ctx = Context(workdir=args.workdir, console=console)
    log = CommandLog.open(ctx.workdir, args.command, argv) if args.command not in _NOT_LOGGED and ctx.workdir.is_dir() else None
    outer, console.log = console.log, log
    code = EXIT_FAILED
    try:
        code = _execute(ctx, args, argv, log)
        return code
    finally:
        console.log = outer
        if log is not None:
            log.close(code)


def _execute(ctx: Context, args: argparse.Namespace, argv: list[str], log: CommandLog | None) -> int:
    """Run the command; every outcome becomes a message for the clerk and an exit code."""
    console = ctx.console
    try:
        if args.command not in _MAKES_WORKDIR and not args.workdir.is_dir():
            raise UsageError(
                f"thư mục làm việc '{args.workdir}' không tồn tại; chạy 'ccht-batch init {args.workdir}' để tạo, hoặc sửa --workdir"
            )
        return _command(args.command)(ctx, args)
    except ConfigError as exc:
        console.error("Cấu hình không hợp lệ, chưa làm gì. Hãy sửa các mục sau rồi chạy lại:")
        for problem in exc.problems:
            console.error(f"  - {problem}")
        return EXIT_USAGE
    except UsageError as exc:
        console.error(f"Lỗi: {exc}")
        return EXIT_USAGE
    except CannotRun as exc:  # the lock held by another run, an output folder held open...
        console.error(str(exc))
        return EXIT_FAILED
    except KeyboardInterrupt:
        console.error("Đã dừng theo yêu cầu; chưa ghi gì thêm.")
        return EXIT_FAILED
    except filelock.Timeout:  # raised by a command that did not turn it into LockHeld
        console.error("Một lượt chạy khác đang dùng thư mục làm việc này; hãy chờ lượt đó xong rồi chạy lại.")
        return EXIT_FAILED
    except sqlite3.Error as exc:  # a store read outside a transaction (the writes say it themselves)
        console.error(str(store_problem(exc, ctx.config.store_path)))
        return EXIT_FAILED
    except OSError as exc:  # a file, folder or server the program cannot use: say which, and why
        crash = _crash_log(_home(args), argv, log)
        console.error(_os_message(exc))
        console.error("Không chạy được; chưa ghi nhận kết quả nào." + (f" Chi tiết kỹ thuật: {crash}" if crash else ""))
        return EXIT_FAILED
    except Exception as exc:  # the edge: an unexpected failure, nothing committed
        crash = _crash_log(_home(args), argv, log)
        console.error(f"Lỗi không mong đợi: {type(exc).__name__}: {exc}")
        console.error(f"Chưa ghi nhận kết quả nào. Chi tiết kỹ thuật: {crash}" if crash else "Chưa ghi nhận kết quả nào.")
        return EXIT_FAILED


def _os_message(exc: OSError) -> str:
    reason = os_reason(exc)
    if exc.filename:
        return f"Lỗi: không dùng được '{exc.filename}': {reason}."
    return f"Lỗi: {reason}."


def _home(args: argparse.Namespace) -> Path:
    """The working folder a command's crash log belongs to: the one ``init``/``demo`` make, when named (not
    the folder they were started from)."""
    made = getattr(args, "dir", None) if args.command in _MAKES_WORKDIR else None
    return made if made is not None and made.is_dir() else args.workdir


def _crash_log(workdir: Path, argv: list[str], log: CommandLog | None) -> Path | None:
    """The traceback into the command's log and the crash log (with version, time and command line)."""
    trace = traceback.format_exc()
    if log is not None:
        log.traceback(trace)
    return write_crash_log(workdir, argv, trace)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
