"""``mail`` and ``mail templates``: preview the messages, or send them exactly once."""

from __future__ import annotations

import argparse

from ccht_batch.cli.context import EXIT_FAILED, EXIT_OK, EXIT_REFUSED, Context
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


def command_mail(ctx: Context, args: argparse.Namespace) -> int:
    what = "templates" if args.what == "templates" else "period"
    run = deliver(ctx.config, what=what, period=args.period, year=args.year, send=args.send, resend=args.resend)
    _report(ctx, run)
    if run.stopped:
        ctx.console.error(run.stopped)
        ctx.console.error("Đã dừng gửi thư. Các thư đã gửi được ghi nhận ở trên; chạy lại đúng lệnh này khi kho dữ liệu ghi được.")
        return EXIT_FAILED
    return EXIT_REFUSED if run.sent and run.undelivered else EXIT_OK


def _report(ctx: Context, run: MailRun) -> None:
    out = ctx.console.line
    title, fates, sent, outbox, command = run.title, run.fates, run.sent, run.outbox, run.command
    out(f"{title}: {len(fates)} thư.")
    for i, fate in enumerate(fates, 1):
        d = fate.draft
        name = header_text(d.name)
        who = f"{name} <{d.address}>" if d.address else f"{name} (chưa có địa chỉ)"
        out(f"{i:3d}. [{d.label}] {who}")
        if d.subject:
            out(f"     Tiêu đề: {header_text(d.subject)}")
        if d.attachments:
            out("     Đính kèm: " + ", ".join(f"{a.name} ({size_text(len(a.data))})" for a in d.attachments))
        out(f"     → {fate.text(ctx.workdir)}")

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
            out("Chạy lại đúng lệnh này để gửi các thư chưa gửi; thư đã gửi sẽ không bị gửi lại.")
    else:
        out(
            f"Chưa gửi thư nào (chạy thử). {count(PREVIEW)} thư sẽ gửi đã được ghi vào {shown_path(outbox, ctx.workdir)} để xem trước; "
            f"bỏ qua vì đã gửi {count(ALREADY_SENT)}{maybe}; không gửi được {count(BLOCKED)}."
        )
        out(f"Để gửi thật: ccht-batch {command} --send")
    if count(MAYBE_SENT):
        out(
            f"{count(MAYBE_SENT)} thư có thể đã gửi ở lần trước (lần đó bị dừng trước khi ghi nhận) nên không gửi lại. "
            f"Hỏi đơn vị đã nhận chưa; nếu chưa, gửi lại tất cả: ccht-batch {command} --send --resend"
        )
    for notice in run.notices:
        out(notice)
    if run.backup is not None:
        out(f"Đã sao lưu kho dữ liệu: {run.backup}")
