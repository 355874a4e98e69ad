"""``run``, ``appraisal`` and ``council``: the monthly batch, the Office's appraisal workbook for a period, and
the emulation council's voting workbook."""

from __future__ import annotations

import argparse

from ccht_batch.batch import (
    RunReport,
    period_nominations,
    period_units,
    run_batch,
    run_notices,
)
from ccht_batch.cli.console import Console, Progress
from ccht_batch.cli.context import EXIT_OK, EXIT_REFUSED, Context, latest_period
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
    UnitOutcome,
)
from ccht_batch.core.values import fmt_number
from ccht_batch.forms.appraisal import appraisal_path, write_appraisal
from ccht_batch.forms.council import council_path, council_rows, write_council


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
    return EXIT_REFUSED if report.rejected else EXIT_OK


def print_run_header(console: Console, config: Config, period: str, milestone: str | None) -> None:
    mv = config.criteria.movement
    ms = mv.milestone(milestone) if milestone else None
    console.line(f"Kỳ tổng hợp: {period_text(period)}" + (f" — đợt {ms.name}" if ms else ""))
    for notice in run_notices(config, period, milestone):
        console.error(notice)


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
    stories = [u for u in units if u.rejected_file is not None]
    if stories:
        console.line("Đơn vị có tệp mới nhất bị trả lại: " + "; ".join(_story(outcome.period, u) for u in stories) + ".")
    for line in _appraisal_lines(outcome.period, units):
        console.line(line)
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
            console.error(f"Bị trả lại: {rec.name} — {errors} lỗi (xem {where}).")
    shown = run_notices(config, outcome.period, outcome.milestone)  # already said by the header
    for notice in report.notices:
        if notice not in shown:
            console.line(notice)
    if report.completed:
        console.line(
            f"Lần chạy này hoàn tất lần chạy trước bị dừng giữa chừng: {len(report.completed)} tệp của lần đó đã được ghi nhận "
            "(có trong summary.json, không ghi nhận lại)."
        )
    for rec in files:
        for issue in rec.issues:
            if issue.code == "file-in-use":
                console.error(f"Chưa chuyển được {rec.name}: {issue.message}")
    for rec in files:
        if rec.status == IGNORED and any(i.code in ("file-being-copied", "file-locked") for i in rec.issues):
            console.line(f"Chưa đọc {rec.name}: {rec.issues[0].message}")
    selected = sum(1 for n in outcome.nominations if n.selected)
    tied = sum(1 for n in outcome.nominations if n.selected is None)
    title = " dự kiến" if outcome.milestone is None or not outcome.council_applied else ""
    console.line(f"Đề nghị khen thưởng{title}: {selected} tập thể, cá nhân (xem DeNghiKhenThuong_{outcome.period}.xlsx).")
    if outcome.council_applied:
        console.line("Đã áp dụng kết quả biểu quyết của Hội đồng Thi đua - Khen thưởng.")
    if tied:
        milestone = f" --milestone {outcome.milestone}" if outcome.milestone else ""
        console.line(
            f"Đồng hạng tại ngưỡng chỉ tiêu: {tied} đề nghị chờ Hội đồng quyết định. "
            f"Lập bảng biểu quyết: ccht-batch council --period {outcome.period}{milestone}"
        )
    console.line(f"Kết quả: {report.output_dir}")
    for notice in report.notices:
        if notice not in run_notices(config, outcome.period, outcome.milestone):
            console.line(notice)
    if report.backup is not None:
        console.line(f"Đã sao lưu kho dữ liệu: {report.backup}")
    console.line(f"Tiếp theo: mở TongHop_{outcome.period}.xlsx, rồi gửi thư: ccht-batch mail --period {outcome.period}")


def _story(period: str, u: UnitOutcome) -> str:
    if u.score is None:
        return f"{u.code} (chưa có kết quả)"
    counted = "bảng đã tiếp nhận trước đó trong tháng" if u.submission_period == period else f"bảng {period_text(u.submission_period)}"
    return f"{u.code} (tạm tính theo {counted})"


def _appraisal_lines(period: str, units: list[UnitOutcome]) -> list[str]:
    """What the run did with the Office's appraisals: which applied (how many criteria it changed), which
    no longer apply because the unit has sent a newer file."""
    lines = []
    by: dict[tuple[str, bool], list[UnitOutcome]] = {}
    for u in units:
        if u.appraisal is not None:
            by.setdefault((u.appraisal.period, u.appraisal.applied), []).append(u)
    for (when, applied), found in sorted(by.items()):
        codes = ", ".join(u.code for u in found)
        if applied:
            changed = sum(u.appraisal.changed for u in found)
            still = " vẫn" if when != period else ""
            lines.append(f"Thẩm định {period_text(when)}{still} áp dụng cho {len(found)} đơn vị ({codes}): {changed} tiêu chí được tính theo điểm thẩm định khác điểm tự chấm.")
        else:
            lines.append(
                f"Thẩm định {period_text(when)} không còn áp dụng cho {codes}: đơn vị đã gửi bảng mới, cần thẩm định lại "
                f"(ccht-batch appraisal --period {period})."
            )
    return lines


def command_appraisal(ctx: Context, args: argparse.Namespace) -> int:
    """Write the period's appraisal workbook from the state the last run left (nothing is changed)."""
    config = ctx.config
    period = latest_period(ctx, args.period)
    units = period_units(config, period)
    scored = [u for u in units if u.score is not None]
    if not scored:
        raise UsageError(f"chưa có đơn vị nào có kết quả trong {period_text(period)}; hãy chạy ccht-batch run --period {period} trước")
    path = write_appraisal(config, period, units, appraisal_path(config, period))
    ctx.console.line(f"Đã tạo bảng thẩm định {period_text(period)}: {path}")
    ctx.console.line(f"  {len(scored)} đơn vị có kết quả. Nhập điểm thẩm định vào cột 'Điểm thẩm định' (để trống nếu giữ nguyên),")
    ctx.console.line("  lưu tệp, chép vào thư mục input/ rồi chạy lại: ccht-batch run --period " + period)
    return EXIT_OK


def command_council(ctx: Context, args: argparse.Namespace) -> int:
    """Write the council's voting workbook from the state the last run left (nothing is changed)."""
    config = ctx.config
    milestone = args.milestone
    if milestone is not None and config.criteria.movement.milestone(milestone) is None:
        ids = ", ".join(m.id for m in config.criteria.movement.milestones)
        raise UsageError(f"đợt '{milestone}' không có trong config/criteria.yaml (các đợt: {ids})")
    period = latest_period(ctx, args.period)
    units, nominations, council = period_nominations(config, period, milestone)
    if not any(u.score is not None for u in units):
        raise UsageError(f"chưa có đơn vị nào có kết quả trong {period_text(period)}; hãy chạy ccht-batch run --period {period} trước")
    path = write_council(config, period, milestone, nominations, council_path(config, period))
    rows = council_rows(config, nominations)
    tied = sum(1 for n in rows if n.selected is None)
    run = f"ccht-batch run --period {period}" + (f" --milestone {milestone}" if milestone else "")
    ctx.console.line(f"Đã tạo bảng biểu quyết của Hội đồng {period_text(period)}: {path}")
    ctx.console.line(f"  {len(rows)} đề nghị để Hội đồng xét" + (f", trong đó {tied} đồng hạng tại ngưỡng chỉ tiêu" if tied else "") + ".")
    if council is not None:
        ctx.console.line(f"  Đã ghi sẵn kết quả biểu quyết đã nhận trước đây (tệp {council.file_name}).")
    ctx.console.line("  Sau cuộc họp, ghi số thành viên có mặt, số phiếu đồng ý và quyết định, lưu tệp, chép vào thư mục input/")
    ctx.console.line(f"  rồi chạy lại: {run}")
    return EXIT_OK
