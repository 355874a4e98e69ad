"""``menu``: the month's steps as a numbered Vietnamese menu, for a clerk who double-clicks ``ThiDua.cmd``.

Plain console input and output (``cmd.exe`` or any terminal): the menu is printed, the clerk types a number
and Enter, the step asks what it needs (a period, a year, a confirmation before sending) with a default
taken on Enter, runs the same command as the command line would (``run``: the whole ``main``, with its
messages, exit code and log), says in one line how it ended, and waits for Enter before the menu comes back.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from ccht_batch import __version__
from ccht_batch.cli.console import Console
from ccht_batch.cli.context import EXIT_OK, EXIT_REFUSED, Context
from ccht_batch.config.model import ConfigError
from ccht_batch.core.periods import (
    current_period,
    current_year,
    parse_period,
    period_text,
)

# ``main(argv, console)``: one command line, run with its own error handling and log; returns its exit code.
Runner = Callable[[Sequence[str], Console], int]
# One answer typed by the clerk (None: the input has ended, e.g. the window's input was closed).
Ask = Callable[[str], "str | None"]

OUTCOME = {
    0: "Đã xong.",
    1: "Đã xong, nhưng có nội dung bị từ chối hoặc chưa gửi được (xem các dòng ở trên).",
    2: "Chưa làm gì: cấu hình hoặc lựa chọn chưa đúng (xem thông báo ở trên).",
    3: "Không thực hiện được (xem thông báo ở trên).",
}
RULE = "=" * 72
_YEAR = re.compile(r"^(20\d\d|2100)$")


@dataclass
class Session:
    ctx: Context
    run: Runner
    ask: Ask
    open_folder: Callable[[Path], None]
    period: str | None = None  # the period last worked on in this session

    def say(self, text: str = "") -> None:
        self.ctx.console.line(text)

    def command(self, *argv: str) -> int:
        """Run ``ccht-batch --workdir WORKDIR ARGV...`` and show how it ended."""
        shown = " ".join(argv)
        self.say(f"--- ccht-batch {shown} ---")
        code = self.run(["--workdir", str(self.ctx.workdir), *argv], self.ctx.console)
        self.say(f"--- {OUTCOME.get(code, OUTCOME[3])} ---")
        return code


def _ask_console(console: Console) -> Ask:
    def ask(prompt: str) -> str | None:
        console._print(prompt, "out", end="")
        try:
            return input()
        except EOFError:
            return None

    return ask


def command_menu(ctx: Context, args: argparse.Namespace, run: Runner) -> int:
    session = Session(ctx, run, _ask_console(ctx.console), open_folder)
    return run_menu(session)


def run_menu(session: Session) -> int:
    while True:
        _show_menu(session)
        answer = session.ask("Chọn một số rồi nhấn Enter: ")
        if answer is None:
            session.say("")
            return EXIT_OK
        choice = answer.strip()
        if choice == "0":
            session.say("Đã thoát thực đơn.")
            return EXIT_OK
        step = next((s for s in STEPS if s[0] == choice), None)
        session.say("")
        if step is None:
            session.say(f"Không có bước '{choice}'. Hãy gõ một số từ 0 đến {len(STEPS)}.")
        else:
            try:
                step[2](session)
            except KeyboardInterrupt:
                session.say("Đã dừng bước này theo yêu cầu.")
        if session.ask("Nhấn Enter để quay lại thực đơn...") is None:
            session.say("")
            return EXIT_OK


def _show_menu(session: Session) -> None:
    say = session.say
    say("")
    say(RULE)
    say(f"  THI ĐUA CẢI CÁCH HÀNH CHÍNH — ccht-batch {__version__}")
    say(f"  Thư mục làm việc: {session.ctx.workdir.resolve()}")
    say(RULE)
    for number, title, _ in STEPS:
        say(f"  {number}. {title}")
    say("  0. Thoát")
    say(RULE)


# ---------------------------------------------------------------------------------------------------
# The steps


def _output_dir(session: Session) -> Path:
    try:
        return session.ctx.config.output_dir
    except ConfigError:  # the menu still opens on a broken configuration: step 7 shows what is wrong
        return session.ctx.workdir / "output"


def latest_period(output_dir: Path) -> str | None:
    """The latest period with results (``output/<YYYY-MM>/summary.json``)."""
    found = sorted(p.parent.name for p in output_dir.glob("*/summary.json") if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", p.parent.name))
    return found[-1] if found else None


def _ask_period(session: Session, what: str, default: str) -> str | None:
    answer = session.ask(f"{what} (dạng YYYY-MM; nhấn Enter để chọn {default}): ")
    if answer is None:
        return None
    text = answer.strip() or default
    try:
        period = parse_period(text)
    except ValueError as exc:
        session.say(f"Lỗi: {exc}. Chưa làm gì.")
        return None
    return period


def _on_period(session: Session, period: str, *argv: str) -> None:
    """Run a command on ``period``; the period becomes the session's only when the command did its work
    (a run refused for a period outside the movement must not become the next step's default)."""
    if session.command(*argv) in (EXIT_OK, EXIT_REFUSED):
        session.period = period


def _results_period(session: Session) -> str:
    return session.period or latest_period(_output_dir(session)) or current_period()


def step_run(session: Session) -> None:
    period = _ask_period(session, "Kỳ tổng hợp", session.period or current_period())
    if period:
        _on_period(session, period, "run", "--period", period)


def step_preview(session: Session) -> None:
    period = _ask_period(session, "Xem trước thư của kỳ", _results_period(session))
    if period:
        _on_period(session, period, "mail", "--period", period)


def step_send(session: Session) -> None:
    period = _ask_period(session, "Gửi thư của kỳ", _results_period(session))
    if not period:
        return
    answer = session.ask(f"Gửi thật thư kết quả {period_text(period)} cho các đơn vị và lãnh đạo? Gõ c (có) hoặc k (không): ")
    if (answer or "").strip().casefold() not in ("c", "có", "co"):
        session.say("Chưa gửi thư nào.")
        return
    _on_period(session, period, "mail", "--period", period, "--send")


def step_templates(session: Session) -> None:
    default = str(current_year())
    answer = session.ask(f"Năm của tệp mẫu (nhấn Enter để chọn {default}): ")
    if answer is None:
        return
    year = answer.strip() or default
    if not _YEAR.match(year):
        session.say(f"Lỗi: năm '{year}' không hợp lệ: cần một năm từ 2000 đến 2100, ví dụ {default}. Chưa làm gì.")
        return
    session.command("templates", "--year", year)


def step_appraisal(session: Session) -> None:
    period = _ask_period(session, "Kỳ thẩm định", _results_period(session))
    if period:
        _on_period(session, period, "appraisal", "--period", period)


def step_open_output(session: Session) -> None:
    output = _output_dir(session)
    period = session.period or latest_period(output)
    folder = output / period if period and (output / period).is_dir() else output
    session.say(f"Thư mục kết quả: {folder.resolve()}")
    if not folder.is_dir():
        session.say("Thư mục này chưa có (chưa chạy tổng hợp lần nào).")
        return
    session.open_folder(folder)


def step_check(session: Session) -> None:
    session.command("check")


STEPS: list[tuple[str, str, Callable[[Session], int | None]]] = [
    ("1", "Tổng hợp kết quả của tháng (đọc tệp trong input, chấm điểm, xếp hạng, lập danh sách)", step_run),
    ("2", "Xem trước thư gửi các đơn vị và lãnh đạo (chưa gửi)", step_preview),
    ("3", "Gửi thư", step_send),
    ("4", "Tạo tệp mẫu của năm cho các đơn vị", step_templates),
    ("5", "Tạo bảng thẩm định điểm", step_appraisal),
    ("6", "Mở thư mục kết quả", step_open_output),
    ("7", "Kiểm tra cấu hình", step_check),
]


def open_folder(folder: Path) -> None:
    """Show ``folder`` in the system's file manager (Explorer on Windows); nothing when there is none."""
    try:
        if hasattr(os, "startfile"):  # Windows
            os.startfile(folder)  # type: ignore[attr-defined]
            return
        opener = "open" if sys.platform == "darwin" else "xdg-open"
        if shutil.which(opener) and (sys.platform == "darwin" or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            subprocess.Popen([opener, str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        pass  # the path is on screen: the clerk can open it by hand
