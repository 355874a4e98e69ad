"""``store check`` and ``store restore``: the store's integrity, and putting a backup in its place."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from ccht_batch.cli.context import EXIT_FAILED, EXIT_OK, Context
from ccht_batch.core.periods import clock_text
from ccht_batch.store.guard import DAMAGED, EMPTY, MISSING, check_store, restore_store


def command_store(ctx: Context, args: argparse.Namespace) -> int:
    if args.store_command == "check":
        return _check(ctx)
    return _restore(ctx, args)


def _check(ctx: Context) -> int:
    out = ctx.console.line
    report = check_store(ctx.config)
    out(f"Kho dữ liệu: {report.path}")
    if report.state == DAMAGED:
        out("  Tình trạng: BỊ HỎNG. Kiểm tra toàn vẹn báo:")
        for line in report.problems:
            out(f"    {line}")
    elif report.state in (MISSING, EMPTY):
        what = "chưa có tệp" if report.state == MISSING else "tệp rỗng"
        if report.evidence:
            out(f"  Tình trạng: {what}, trong khi thư mục làm việc cho thấy đã chạy trước đây ({'; '.join(report.evidence)}).")
        else:
            out(f"  Tình trạng: {what} (chưa chạy lần nào; lần chạy đầu tiên sẽ tạo kho dữ liệu).")
    else:
        out("  Tình trạng: tốt (kiểm tra toàn vẹn đầy đủ: ok).")
        out(f"  Lược đồ: phiên bản {report.schema}; {report.runs} lần chạy, {report.files} tệp đã ghi nhận, {report.messages} thư trong nhật ký.")
        if report.last_run:
            out(f"  Lần chạy gần nhất: kỳ {report.last_run[0]}, xong lúc {clock_text(report.last_run[1])}.")
    if report.backups:
        out(f"Bản sao lưu ({len(report.backups)}, mới nhất cuối):")
        for b in report.backups[-10:]:
            out(f"  {b.name}  {_size(b)}  {_when(b)}")
    else:
        out("Chưa có bản sao lưu nào (bản sao lưu được tạo sau mỗi lần tổng hợp và mỗi lần gửi thư).")
    if not report.usable:
        out("Cách xử lý: khôi phục bản sao lưu gần nhất: ccht-batch store restore --latest")
        out("  (hoặc một bản cụ thể: ccht-batch store restore <tệp>; bắt đầu lại với kho trống: ccht-batch store restore --empty)")
        return EXIT_FAILED
    return EXIT_OK


def _restore(ctx: Context, args: argparse.Namespace) -> int:
    out = ctx.console.line
    source = args.file
    if source is not None and not source.exists() and not source.is_absolute() and (ctx.workdir / source).exists():
        source = ctx.workdir / source
    done = restore_store(ctx.config, source, latest=args.latest, empty=args.empty)
    for kept in done.kept:
        out(f"Đã giữ lại kho dữ liệu cũ: {kept}")
    if done.source is None:
        out(f"Đã tạo kho dữ liệu trống: {ctx.config.store_path}. Lịch sử các kỳ trước không còn; các lần chạy tới bắt đầu từ đầu.")
        return EXIT_OK
    out(f"Đã khôi phục kho dữ liệu từ bản sao lưu {done.source}.")
    if done.last_run:
        out(f"  Lần chạy gần nhất trong bản này: kỳ {done.last_run[0]}, xong lúc {clock_text(done.last_run[1])}.")
    if done.not_in_store:
        out(f"{len(done.not_in_store)} tệp đã được xử lý sau thời điểm sao lưu, kho dữ liệu chưa biết đến. Để tính lại, chép các tệp sau về input/ rồi chạy lại kỳ của chúng:")
        for f in done.not_in_store[:50]:
            out(f"  {_rel(f, ctx.workdir)}")
        if len(done.not_in_store) > 50:
            out(f"  ... và {len(done.not_in_store) - 50} tệp khác.")
    else:
        out("Mọi tệp trong input/processed/ và input/rejected/ đều có trong kho dữ liệu đã khôi phục.")
    out("Tiếp theo: ccht-batch store check")
    return EXIT_OK


def _size(path: Path) -> str:
    kb = path.stat().st_size / 1024
    return f"{kb:,.0f} KB".replace(",", ".")


def _when(path: Path) -> str:
    return dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%H:%M ngày %d/%m/%Y")


def _rel(path: Path, workdir: Path) -> str:
    try:
        return path.relative_to(workdir).as_posix()
    except ValueError:
        return str(path)
