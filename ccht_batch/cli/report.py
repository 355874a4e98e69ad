"""``report``: the movement's report to the Province for a year or a review."""

from __future__ import annotations

import argparse

from ccht_batch.cli.context import EXIT_OK, Context
from ccht_batch.core.errors import UsageError
from ccht_batch.reports.write import write_report
from ccht_batch.store.guard import open_store


def command_report(ctx: Context, args: argparse.Namespace) -> int:
    config = ctx.config
    milestone = getattr(args, "milestone", None)
    if milestone is not None and config.criteria.movement.milestone(milestone) is None:
        ids = ", ".join(m.id for m in config.criteria.movement.milestones)
        raise UsageError(f"đợt '{milestone}' không có trong config/criteria.yaml (các đợt: {ids})")
    with open_store(config) as store:
        data, xlsx, docx = write_report(config, store, year=None if milestone else args.year, milestone=milestone)
    ctx.console.line(f"Báo cáo {data.title_scope}:")
    ctx.console.line(f"  {xlsx}")
    ctx.console.line(f"  {docx}")
    for y in data.years:
        n = len(data.units_with_result(y))
        ctx.console.line(f"  Năm {y}: {n}/{len(data.units)} đơn vị có kết quả — {data.sources[y].text}.")
    if data.missing:
        ctx.console.line(f"Số liệu còn thiếu (ghi tại trang “Thông tin” của {xlsx.name}; bản Word không in các ghi chú này):")
        for text in data.missing:
            ctx.console.line(f"  - {text}")
    ctx.console.line("Bản Word là dự thảo: Văn phòng Sở bổ sung phần đánh giá, số văn bản, ngày tháng rồi trình ký.")
    return EXIT_OK
