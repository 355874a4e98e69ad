"""``collect``: save the units' workbooks from the Office's mailbox into ``input/``, and say what happened."""

from __future__ import annotations

import argparse

from ccht_batch.cli.context import EXIT_FAILED, EXIT_OK, EXIT_REFUSED, Context
from ccht_batch.core.issues import SEVERITY_TEXT
from ccht_batch.mail.collect import CollectRun, Received, collect


def command_collect(ctx: Context, args: argparse.Namespace) -> int:
    run = collect(ctx.config, since=args.since, dry_run=args.dry_run)
    _report(ctx, run)
    if run.lost:
        ctx.console.error(f"Lỗi: {run.lost}.")
        ctx.console.error("Các tệp đã lưu ở trên được giữ nguyên; chạy lại lệnh để lấy tiếp, không tệp nào bị lưu hai lần.")
        return EXIT_FAILED
    return EXIT_REFUSED if run.refused else EXIT_OK


def _who(m: Received) -> str:
    who = f"{m.sender_name} <{m.sender}>" if m.sender_name else m.sender
    return who + (f" ({m.unit_code})" if m.unit_code else "")


def _report(ctx: Context, run: CollectRun) -> None:
    out = ctx.console.line
    input_dir = ctx.config.settings.input_dir
    out(f"Hộp thư {run.mailbox}, thư mục {run.folder}: thư nhận từ ngày {run.since:%d/%m/%Y}.")
    if run.dry_run:
        out("Chạy thử: chưa lưu tệp nào, chưa chuyển thư nào.")
    for i, m in enumerate(run.messages, 1):
        when = f"{m.date:%d/%m/%Y %H:%M}" if m.date else "không rõ ngày gửi"
        out(f"{i:3d}. {_who(m)}, {when}")
        if m.subject:
            out(f"     Tiêu đề: {m.subject}")
        for name in m.saved:
            out(f"     → {'sẽ lưu' if run.dry_run else 'đã lưu'}: {input_dir}/{name}")
        for name in m.resumed:
            out(f"     → đã lưu (ở lần chạy trước bị gián đoạn): {input_dir}/{name}")
        for name, before in m.duplicates:
            out(f"     → bỏ qua '{name}': cùng nội dung với tệp đã nhận trước đây ({before})")
        for note in m.notes:
            out(f"     → {SEVERITY_TEXT[note.severity]}: {note.message}")
        if m.moved:
            out(f"     → thư đã chuyển sang thư mục '{run.processed_folder}'" if run.processed_folder else "     → thư đã được đánh dấu đã đọc")

    parts = [
        f"{len(run.messages)} thư mới cần xem",
        f"{'sẽ lưu' if run.dry_run else 'đã lưu'} {run.saved} tệp vào {input_dir}/",
        f"bỏ qua {run.duplicates} tệp đã nhận trước đây",
        f"{len(run.refused)} thư có tệp không dùng được",
    ]
    if run.unrelated:
        parts.append(f"{run.unrelated} thư không liên quan (không phải của đơn vị, không có bảng tính)")
    if run.known:
        parts.append(f"{run.known} thư đã xử lý ở lần trước")
    if run.own:
        parts.append(f"{run.own} thư do chương trình gửi")
    out("Kết quả: " + "; ".join(parts) + ".")
    if run.refused:
        out("Đề nghị liên hệ các đơn vị có tệp không dùng được (xem các dòng 'Lỗi' ở trên) để gửi lại.")
    if run.dry_run:
        out(f"Để lưu thật: ccht-batch collect --since {run.since:%Y-%m-%d}")
    elif run.saved and not run.lost:
        out("Tiếp theo: ccht-batch run")
