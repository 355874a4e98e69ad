"""``run`` and ``appraisal``: the monthly batch, and the Office's appraisal workbook for a period."""

from __future__ import annotations

import argparse

from ccht_batch.batch import RunReport, period_units, run_batch, run_notices
from ccht_batch.cli.console import Console, Progress
from ccht_batch.cli.context import EXIT_OK, Context
from ccht_batch.config.model import Config
from ccht_batch.core import issues as catalogue
from ccht_batch.core.errors import UsageError
from ccht_batch.core.periods import period_text
from ccht_batch.core.records import (
    ACCEPTED,
    CARRIED,
    DUPLICATE,
    IGNORED,
    MISSING,
    REJECTED,
    SUBMITTED,
    UNIT_REJECTED,
)
from ccht_batch.core.values import fmt_number
from ccht_batch.forms.appraisal import appraisal_path, write_appraisal


class ReadingBar:
    """The batch's ``progress`` callback drawn as the console's bar: started at the first call, finished
    when every file is read."""

    def __init__(self, console: Console, label: str = "Đọc tệp"):
        self.console, self.label = console, label
        self.bar: Progress | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = self.console.progress(total, self.label)
        if done > self.bar.done:
            self.bar.advance(done - self.bar.done)
        if done >= total:
            self.bar.finish()


def command_run(ctx: Context, args: argparse.Namespace) -> int:
    config = ctx.config
    print_run_header(ctx.console, config, args.period, args.milestone)
    report = run_batch(config, args.period, args.milestone, args.jobs, progress=ReadingBar(ctx.console), force=args.force)
    print_run_summary(ctx.console, config, report)
    return report.exit_code


def print_run_header(console: Console, config: Config, period: str, milestone: str | None) -> None:
    mv = config.criteria.movement
    ms = mv.milestone(milestone) if milestone else None
    console.line(f"Kỳ tổng hợp: {period_text(period)}" + (f" — đợt {ms.name}" if ms else ""))
    for notice in run_notices(config, period, milestone):
        console.line(notice)


def print_run_summary(console: Console, config: Config, report: RunReport) -> None:
    outcome = report.outcome
    files = outcome.files
    count = lambda status: sum(1 for r in files if r.status == status)  # noqa: E731
    units = outcome.units
    ucount = lambda status: sum(1 for u in units if u.status == status)  # noqa: E731
    console.line(
        f"Tệp: {len(files)} — {count(ACCEPTED)} tiếp nhận, {count(REJECTED)} bị trả lại, {count(DUPLICATE)} trùng, {count(IGNORED)} bỏ qua."
    )
    console.line(
        f"Đơn vị: {ucount(SUBMITTED)} đã nộp, {ucount(CARRIED)} dùng bản tháng trước, {ucount(MISSING)} chưa nộp, {ucount(UNIT_REJECTED)} bị trả lại."
    )
    ranked = sorted((u for u in units if u.rank is not None), key=lambda u: (u.rank, u.code))
    if ranked:
        console.line("Xếp hạng:")
        for u in ranked[:10]:
            console.line(f"  {u.rank:>2}. {u.code:<8} {fmt_number(u.result):>7} điểm  {u.band}  {u.name}")
        if len(ranked) > 10:
            console.line(f"  ... và {len(ranked) - 10} đơn vị khác (xem TongHop).")
    for rec in files:
        if rec.status == REJECTED:
            errors = sum(1 for i in rec.issues if i.severity == catalogue.ERROR)
            where = f"PhanHoi/{rec.unit_code}.xlsx" if rec.unit_code else "sheet Lỗi của TongHop"
            console.line(f"Bị trả lại: {rec.name} — {errors} lỗi (xem {where}).")
    if report.completed:
        console.line(
            f"Lần chạy này hoàn tất lần chạy trước bị dừng giữa chừng: {len(report.completed)} tệp của lần đó đã được ghi nhận "
            "(có trong summary.json, không ghi nhận lại)."
        )
    for rec in files:
        for issue in rec.issues:
            if issue.code == "file-in-use":
                console.line(f"Chưa chuyển được {rec.name}: {issue.message}")
    for rec in files:
        if rec.status == IGNORED and any(i.code in ("file-being-copied", "file-locked") for i in rec.issues):
            console.line(f"Chưa đọc {rec.name}: {rec.issues[0].message}")
    selected = sum(1 for n in outcome.nominations if n.selected)
    title = " dự kiến" if outcome.milestone is None else ""
    console.line(f"Đề nghị khen thưởng{title}: {selected} tập thể, cá nhân (xem DeNghiKhenThuong_{outcome.period}.xlsx).")
    console.line(f"Kết quả: {report.output_dir}")
    for notice in report.notices:
        if notice not in run_notices(config, outcome.period, outcome.milestone):
            console.line(notice)
    if report.backup is not None:
        console.line(f"Đã sao lưu kho dữ liệu: {report.backup}")
    console.line(f"Tiếp theo: mở TongHop_{outcome.period}.xlsx, rồi gửi thư: ccht-batch mail --period {outcome.period}")


def command_appraisal(ctx: Context, args: argparse.Namespace) -> int:
    """Write the period's appraisal workbook from the state the last run left (nothing is changed)."""
    config = ctx.config
    units = period_units(config, args.period)
    scored = [u for u in units if u.score is not None]
    if not scored:
        raise UsageError(f"chưa có đơn vị nào có kết quả trong {period_text(args.period)}; hãy chạy ccht-batch run --period {args.period} trước")
    path = write_appraisal(config, args.period, units, appraisal_path(config, args.period))
    ctx.console.line(f"Đã tạo bảng thẩm định {period_text(args.period)}: {path}")
    ctx.console.line(f"  {len(scored)} đơn vị có kết quả. Nhập điểm thẩm định vào cột 'Điểm thẩm định' (để trống nếu giữ nguyên),")
    ctx.console.line("  lưu tệp, chép vào thư mục input/ rồi chạy lại: ccht-batch run --period " + args.period)
    return EXIT_OK
