"""``templates``: each unit's self-assessment workbook for a year."""

from __future__ import annotations

import argparse

from ccht_batch.cli.context import EXIT_OK, Context
from ccht_batch.core.errors import UsageError
from ccht_batch.core.files import templates_dir
from ccht_batch.core.periods import current_year
from ccht_batch.forms.template import write_templates


def command_templates(ctx: Context, args: argparse.Namespace) -> int:
    config = ctx.config
    year = args.year or current_year()
    codes = args.unit or None
    unknown = [c for c in codes or [] if config.unit(c) is None]
    if unknown:
        raise UsageError(
            "mã đơn vị không có trong config/units.yaml: " + ", ".join(unknown) + ". Các mã hiện có: " + ", ".join(u.code for u in config.units)
        )
    mv = config.criteria.movement
    if not mv.start_year <= year <= mv.end_year:
        ctx.console.error(f"Lưu ý: năm {year} nằm ngoài giai đoạn của phong trào ({mv.start_year} - {mv.end_year}).")
    paths = write_templates(config, year, codes)
    ctx.console.line(f"Đã tạo {len(paths)} tệp mẫu năm {year} trong {templates_dir(config.output_dir)}:")
    for p in paths:
        ctx.console.line(f"  {p.name}")
    ctx.console.line("Tiếp theo: gửi mỗi đơn vị tệp của mình (ccht-batch mail templates --year " + str(year) + ").")
    return EXIT_OK
