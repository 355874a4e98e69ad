"""``mail`` and ``mail templates``: preview the messages, or send them exactly once."""

from __future__ import annotations

import argparse

from ccht_batch.cli.context import EXIT_OK, EXIT_REFUSED, Context, latest_period
from ccht_batch.core.errors import UsageError
from ccht_batch.core.periods import current_year
from ccht_batch.forms.template import template_years
from ccht_batch.mail.compose import NO_ADDRESS, header_text, size_text
from ccht_batch.mail.deliver import (
    ALREADY_SENT,
    BLOCKED,
    FAILED,
    NOT_ATTEMPTED,
    PREVIEW,
    SENT,
    MailRun,
    deliver,
    shown_path,
)


def command_mail(ctx: Context, args: argparse.Namespace) -> int:
    if args.what == "templates":
        year = _templates_year(ctx, args.year, args.force)
        run = deliver(ctx.config, what="templates", year=year, send=args.send, resend=args.resend)
    else:
        period = latest_period(ctx, args.period)
        run = deliver(ctx.config, what="period", period=period, send=args.send, resend=args.resend)
    _report(ctx, run)
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
    if sent:
        out(
            f"Kết quả: đã gửi {count(SENT)}; bỏ qua vì đã gửi {count(ALREADY_SENT)}; "
            f"lỗi {count(FAILED)}; chưa gửi {count(NOT_ATTEMPTED)}; không gửi được {count(BLOCKED)}."
        )
        if count(FAILED, NOT_ATTEMPTED):
            out("Chạy lại đúng lệnh này để gửi các thư chưa gửi; thư đã gửi sẽ không bị gửi lại.")
    else:
        out(
            f"Chưa gửi thư nào (chạy thử). {count(PREVIEW)} thư sẽ gửi đã được ghi vào {shown_path(outbox, ctx.workdir)} để xem trước; "
            f"bỏ qua vì đã gửi {count(ALREADY_SENT)}; không gửi được {count(BLOCKED)}."
        )
        out(f"Để gửi thật: ccht-batch {command} --send")
