"""``documents``: the drafts of the nomination dossier for a period, from its final lists."""

from __future__ import annotations

import argparse

from ccht_batch.batch import write_dossier
from ccht_batch.cli.context import EXIT_OK, Context


def command_documents(ctx: Context, args: argparse.Namespace) -> int:
    result = write_dossier(ctx.config, args.documents_period, args.milestone)
    say = ctx.console.line
    say(f"Dự thảo văn bản: {result.folder}")
    for rel in result.written:
        if len(rel.parts) == 1:
            say(f"  {rel.name}")
    say(f"  Thư mục BaoCaoThanhTich: {result.candidates} báo cáo thành tích, mỗi tập thể, cá nhân trên danh sách một tệp")
    for text in result.skipped:
        say(f"Không soạn: {text}")
    if result.previous is not None:
        say(f"Các dự thảo trước (đã sửa hoặc lập từ danh sách cũ) được giữ lại tại: {result.previous}")
    if result.draft:
        say("Các văn bản ghi DỰ THẢO: danh sách chưa qua Hội đồng Thi đua - Khen thưởng (hoặc là danh sách dự kiến của kỳ hằng tháng).")
    say("Văn phòng Sở bổ sung các chỗ để trong ngoặc vuông [ ], số và ngày văn bản, rồi trình ký.")
    return EXIT_OK
