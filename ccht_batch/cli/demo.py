"""``demo``: a working folder with realistic submissions, and two monthly runs on it."""

from __future__ import annotations

import argparse

from ccht_batch import demo
from ccht_batch.cli.context import EXIT_OK, Context
from ccht_batch.cli.run import print_run_header, print_run_summary
from ccht_batch.core.errors import UsageError


def command_demo(ctx: Context, args: argparse.Namespace) -> int:
    target = args.dir if args.dir is not None else ctx.workdir / "demo"
    if (target / "config").exists() or (target / "input").exists():
        raise UsageError(f"thư mục {target} đã có dữ liệu; hãy chọn một thư mục mới cho bản chạy thử (ccht-batch demo THƯ_MỤC_MỚI)")
    console = ctx.console
    console.line(f"Tạo thư mục chạy thử: {target.resolve()}")
    config = demo.build_demo(target)
    console.line(f"— Lần chạy 1: tháng 10/{demo.DEMO_YEAR} (8 đơn vị gửi tệp, 1 đơn vị chưa gửi)")
    print_run_header(console, config, demo.FIRST_PERIOD, None)
    print_run_summary(console, config, demo.run_first_month(config))
    console.line("")
    console.line(f"— Lần chạy 2: tháng 11/{demo.DEMO_YEAR} (1 đơn vị không cập nhật, 2 đơn vị có lỗi điển hình, 1 tệp khóa của Excel)")
    print_run_header(console, config, demo.SECOND_PERIOD, None)
    report = demo.run_second_month(config)
    print_run_summary(console, config, report)
    console.line("")
    console.line("Chạy thử xong (các tệp lỗi bị trả lại là có chủ ý). Xem:")
    console.line(f"  {report.output_dir / f'TongHop_{demo.SECOND_PERIOD}.xlsx'}")
    console.line(f"  {report.output_dir / f'DeNghiKhenThuong_{demo.SECOND_PERIOD}.xlsx'}")
    console.line(f"  {report.output_dir / 'PhanHoi'}")
    console.line(f"Thử gửi thư (chỉ ghi tệp .eml): ccht-batch --workdir {target} mail --period {demo.SECOND_PERIOD}")
    return EXIT_OK
