"""``mail`` and ``mail templates``: preview the messages, or send them exactly once; ``mail password``:
the account's password into the system keyring."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from ccht_batch.cli.context import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_REFUSED,
    Context,
    latest_period,
)
from ccht_batch.core.errors import CannotRun, UsageError
from ccht_batch.core.periods import current_year
from ccht_batch.forms.template import template_years
from ccht_batch.mail.compose import NO_ADDRESS, header_text, size_text
from ccht_batch.mail.deliver import (
    ALREADY_SENT,
    BLOCKED,
    FAILED,
    MAYBE_SENT,
    NOT_ATTEMPTED,
    PREVIEW,
    SENT,
    MailRun,
    deliver,
    shown_path,
)
from ccht_batch.mail.secrets import delete_password, keyring_password, store_password
from ccht_batch.mail.smtp import smtp_account


def command_mail(ctx: Context, args: argparse.Namespace) -> int:
    if args.what == "password":
        if args.to or args.resend or args.send:
            raise UsageError("'ccht-batch mail password' chỉ lưu mật khẩu: không dùng cùng --to, --send, --resend")
        return mail_password(ctx, args.user, delete=args.delete)
    if args.user or args.delete:
        raise UsageError("--user và --delete chỉ dùng với 'ccht-batch mail password'")
    to = [name.strip() for given in args.to for name in given.split(",") if name.strip()]
    if args.what == "templates":
        year = _templates_year(ctx, args.year, args.force)
        run = deliver(ctx.config, what="templates", year=year, send=args.send, resend=args.resend, to=to)
    else:
        period = latest_period(ctx, args.period)
        run = deliver(ctx.config, what="period", period=period, send=args.send, resend=args.resend, to=to)
    _report(ctx, run)
    if run.stopped:
        ctx.console.error(run.stopped)
        ctx.console.error("Đã dừng gửi thư. Các thư đã gửi được ghi nhận ở trên; chạy lại đúng lệnh này khi kho dữ liệu ghi được.")
        return EXIT_FAILED
    return EXIT_REFUSED if run.sent and run.undelivered else EXIT_OK


def _templates_year(ctx: Context, given: int | None, force: bool) -> int:
    """``--year`` as given, else the latest year with templates (said on screen); a year outside the
    movement is refused unless ``--force``: a movement that has ended gets no new templates."""
    config = ctx.config
    year = given
    if year is None:
        years = template_years(config)
        year = years[-1] if years else current_year()
        ctx.console.line(f"Năm của tệp mẫu: {year} (" + ("năm gần nhất đã có tệp mẫu" if years else "chưa có tệp mẫu nào, lấy năm hiện tại") + "; chọn năm khác bằng --year NĂM).")
    mv = config.criteria.movement
    if not mv.start_year <= year <= mv.end_year and not force:
        raise UsageError(
            f"năm {year} nằm ngoài giai đoạn của phong trào ({mv.start_year} - {mv.end_year}): không soạn thư gửi tệp mẫu. "
            f"Nếu phong trào mới đã được khai báo, sửa config/criteria.yaml; nếu vẫn cần gửi, chạy lại với --force"
        )
    return year


# With --send, the messages not delivered are problems: on stderr (and so still shown under --quiet). A dry
# run is a listing, on stdout, units without an address included (DESIGN.md §9).
_UNDELIVERED = (BLOCKED, FAILED, NOT_ATTEMPTED)


def _report(ctx: Context, run: MailRun) -> None:
    out, problem = ctx.console.line, ctx.console.error
    title, fates, sent, outbox, command = run.title, run.fates, run.sent, run.outbox, run.command
    out(f"{title}: {len(fates)} thư.")
    for i, fate in enumerate(fates, 1):
        d = fate.draft
        show = problem if sent and fate.state in _UNDELIVERED else out
        name = header_text(d.name)
        who = f"{name} <{d.address}>" if d.address else f"{name} (chưa có địa chỉ)"
        show(f"{i:3d}. [{d.label}] {who}")
        if d.subject:
            show(f"     Tiêu đề: {header_text(d.subject)}")
        if d.attachments:
            show("     Đính kèm: " + ", ".join(f"{a.name} ({size_text(len(a.data))})" for a in d.attachments))
        show(f"     → {fate.text(ctx.workdir)}")

    count = lambda *states: sum(1 for f in fates if f.state in states)  # noqa: E731
    no_address = [f.draft for f in fates if f.detail == NO_ADDRESS]
    if no_address:
        out("Đơn vị chưa có địa chỉ thư điện tử (bổ sung ở config/units.yaml):")
        for d in no_address:
            out(f"  - {d.label}: {header_text(d.name)}")
    maybe = f"; có thể đã gửi {count(MAYBE_SENT)}" if count(MAYBE_SENT) else ""
    if sent:
        out(
            f"Kết quả: đã gửi {count(SENT)}; bỏ qua vì đã gửi {count(ALREADY_SENT)}{maybe}; "
            f"lỗi {count(FAILED)}; chưa gửi {count(NOT_ATTEMPTED)}; không gửi được {count(BLOCKED)}."
        )
        if count(FAILED, NOT_ATTEMPTED):
            problem("Chạy lại đúng lệnh này để gửi các thư chưa gửi; thư đã gửi sẽ không bị gửi lại.")
        copies = run.copies
        if copies.settings is not None:
            if copies.filed:
                out(f"Đã lưu bản sao {copies.filed} thư vào thư mục '{copies.folder}' của hộp thư.")
            if copies.problem:
                problem(f"Cảnh báo: không lưu được bản sao thư đã gửi vào thư mục '{copies.folder}' ({copies.problem}). Các thư vẫn đã được gửi và sẽ không bị gửi lại.")
    else:
        out(
            f"Chưa gửi thư nào (chạy thử). {count(PREVIEW)} thư sẽ gửi đã được ghi vào {shown_path(outbox, ctx.workdir)} để xem trước; "
            f"bỏ qua vì đã gửi {count(ALREADY_SENT)}{maybe}; không gửi được {count(BLOCKED)}."
        )
        out(f"Để gửi thật: ccht-batch {command} --send")
    if count(MAYBE_SENT):
        problem(
            f"{count(MAYBE_SENT)} thư có thể đã gửi ở lần trước (lần đó bị dừng trước khi ghi nhận) nên không gửi lại. "
            f"Hỏi người nhận đã nhận chưa; nếu chưa, gửi lại những thư này (không gửi lại thư đã gửi): ccht-batch {command} --send --resend"
        )
    for notice in run.notices:
        out(notice)
    if run.backup is not None:
        out(f"Đã sao lưu kho dữ liệu: {run.backup}")


def _ask_secret(prompt: str) -> str:
    """A password typed on the terminal, not echoed (Windows console or a Unix terminal)."""
    if not sys.stdin or not sys.stdin.isatty():
        raise UsageError("lệnh 'mail password' cần cửa sổ lệnh để gõ mật khẩu; hãy chạy lệnh trong cửa sổ lệnh (cmd)")
    return getpass.getpass(prompt)


def mail_password(ctx: Context, user: str | None, *, delete: bool = False) -> int:
    """Ask the password of the mail account twice, without echo, and store it in the system keyring (or
    remove it with ``delete``). The password is never shown, logged or written anywhere else."""
    config = ctx.config
    account = (user or "").strip() or smtp_account(config, os.environ)
    if not account:
        raise UsageError(
            "chưa khai báo tài khoản gửi thư (mail.user trong config/settings.yaml để trống: máy chủ không yêu cầu đăng nhập, "
            "không cần mật khẩu). Nếu máy chủ yêu cầu đăng nhập, khai báo mail.user hoặc ghi tài khoản sau --user"
        )
    say = ctx.console.line
    if delete:
        if delete_password(account):
            say(f"Đã xóa mật khẩu của tài khoản '{account}' khỏi kho mật khẩu của hệ điều hành.")
        else:
            say(f"Kho mật khẩu của hệ điều hành không có mật khẩu của tài khoản '{account}'; không có gì để xóa.")
        return EXIT_OK
    say(f"Lưu mật khẩu của tài khoản thư điện tử '{account}' vào kho mật khẩu của hệ điều hành.")
    say("Khi gõ, mật khẩu không hiện trên màn hình; gõ xong nhấn Enter.")
    try:
        first = _ask_secret("Mật khẩu: ")
        if not first:
            raise UsageError("chưa nhập mật khẩu; chưa lưu gì")
        if _ask_secret("Nhập lại mật khẩu: ") != first:
            raise UsageError("hai lần nhập mật khẩu không giống nhau; chưa lưu gì. Hãy chạy lại lệnh")
    except EOFError:
        raise UsageError("chưa nhập mật khẩu; chưa lưu gì") from None
    where = store_password(account, first)
    if keyring_password(account) != first:
        raise CannotRun(f"Kho mật khẩu ({where}) không trả lại đúng mật khẩu vừa lưu; hãy đặt mật khẩu bằng biến môi trường (HUONG-DAN.md, mục 3.6).")
    say(f"Đã lưu mật khẩu của tài khoản '{account}' vào {where}.")
    say("Từ nay lệnh gửi thư dùng mật khẩu này. Khi đổi mật khẩu hộp thư, chạy lại lệnh: ccht-batch mail password")
    env_name = config.settings.mail.password_env
    if os.environ.get(env_name):
        say(f"Biến môi trường {env_name} vẫn đang được đặt; chương trình dùng mật khẩu trong kho trước, có thể xóa biến đó.")
    return EXIT_OK
