"""``history template|import|show`` and ``close-year``: the years the award rules look back on."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

from ccht_batch.cli.context import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, Context
from ccht_batch.config.model import Config
from ccht_batch.core.errors import UsageError
from ccht_batch.core.lock import workdir_locked
from ccht_batch.core.periods import clock_text
from ccht_batch.history.close_year import (
    apply_close_year,
    plan_close_year,
    plan_lines,
)
from ccht_batch.history.imports import import_history, import_lines
from ccht_batch.history.show import overview_lines, person_lines, unit_lines
from ccht_batch.history.workbook import write_history_template
from ccht_batch.store.db import Store
from ccht_batch.store.guard import open_store
from ccht_batch.store.history import StoreHistory, current_closure

NOTHING_WRITTEN = "chưa ghi gì vào lịch sử"


def command_history(ctx: Context, args: argparse.Namespace) -> int:
    config = ctx.config
    what = args.history_command
    if what == "template":
        path = write_history_template(config)
        ctx.console.line(f"Đã tạo tệp mẫu nhập lịch sử: {path}")
        ctx.console.line("Điền các năm trước vào tệp, rồi chạy: ccht-batch history import <tệp đã điền>")
        return EXIT_OK
    if what == "import":
        path = Path(args.file)
        if not path.exists() and not path.is_absolute() and (ctx.workdir / path).exists():
            path = ctx.workdir / path
        if not path.is_file():
            raise UsageError(f"không tìm thấy tệp '{args.file}'")
        with workdir_locked(config.workdir, NOTHING_WRITTEN), open_store(config) as store:
            result = import_history(config, store, path)
        show = ctx.console.error if result.refused else ctx.console.line  # a refusal is a problem: stderr
        for line in import_lines(result):
            show(line)
        return EXIT_REFUSED if result.refused else EXIT_OK
    # show
    unit = args.unit.strip().upper() if args.unit else None
    with open_store(config) as store:
        history = StoreHistory(store)
        if args.person:
            found = history.find_persons(args.person, unit)
            if not found:
                ctx.console.line(f"Không tìm thấy cá nhân '{args.person}'" + (f" ở đơn vị {unit}" if unit else "") + " trong lịch sử.")
                return EXIT_OK
            for i, ident in enumerate(found):
                if i:
                    ctx.console.line("")
                for line in person_lines(config, history, ident):
                    ctx.console.line(line)
            return EXIT_OK
        if unit:
            for line in unit_lines(config, history, unit):
                ctx.console.line(line)
            return EXIT_OK
        for line in overview_lines(store):
            ctx.console.line(line)
    return EXIT_OK


def command_close_year(ctx: Context, args: argparse.Namespace) -> int:
    config = ctx.config
    with workdir_locked(config.workdir, NOTHING_WRITTEN), open_store(config) as store:
        return close_year(config, store, args.year, yes=args.yes, force=args.force, say=ctx.console.line, complain=ctx.console.error)


def _ask_terminal(question: str) -> bool | None:
    """The clerk's answer on a real terminal; None when there is no terminal to ask on."""
    if not sys.stdin or not sys.stdin.isatty():
        return None
    try:
        answer = input(question)
    except EOFError:
        return False
    return answer.strip().casefold() in ("c", "có", "co", "y", "yes")


def close_year(
    config: Config,
    store: Store,
    year: int,
    *,
    yes: bool,
    force: bool,
    say: Callable[[str], None],
    ask: Callable[[str], bool | None] = _ask_terminal,
    complain: Callable[[str], None] | None = None,
) -> int:
    """The command's logic with its console and question injected; returns the exit code. A refusal goes
    to ``complain`` (stderr on the command line; ``say`` when not given)."""
    complain = complain or say
    previous = current_closure(store, year)
    if previous and not force:
        complain(f"Năm {year} đã được chốt (lần {previous['version']}, lúc {clock_text(previous['closed_at'])}). Chưa ghi gì.")
        complain(f"Nếu cần chốt lại (ví dụ sau khi thẩm định bổ sung), chạy: ccht-batch close-year --year {year} --force (bản trước vẫn được giữ).")
        return EXIT_USAGE
    plan = plan_close_year(config, store, year)
    if plan.empty:
        complain(f"Chưa có kết quả nào được tính của năm {year} trong kho dữ liệu (chưa chạy ccht-batch run cho các kỳ của năm?). Không có gì để chốt.")
        return EXIT_USAGE
    for line in plan_lines(config, plan):
        say(line)
    if not yes:
        answer = ask(f"Ghi kết quả năm {year} vào lịch sử? Gõ c (có) hoặc k (không): ")
        if answer is None:
            complain(f"Chưa ghi gì (không có màn hình để hỏi). Xem lại nội dung trên rồi chạy: ccht-batch close-year --year {year} --yes" + (" --force" if force else ""))
            return EXIT_USAGE
        if not answer:
            say("Đã hủy; chưa ghi gì.")
            return EXIT_OK
    version = apply_close_year(store, plan)
    say(f"Đã chốt năm {year} (lần {version}): {len(plan.units)} đơn vị, {len(plan.persons)} cá nhân." + (" Bản chốt trước được giữ lại." if version > 1 else ""))
    return EXIT_OK
