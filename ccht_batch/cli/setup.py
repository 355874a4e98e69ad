"""``init`` and ``check``: making a working folder, and checking its configuration."""

from __future__ import annotations

import argparse
from pathlib import Path

from ccht_batch.cli.context import EXIT_OK, Context
from ccht_batch.config.workdir import init_workdir
from ccht_batch.core.errors import UsageError
from ccht_batch.core.values import fmt_number
from ccht_batch.core.vocab import RATINGS


def command_init(ctx: Context, args: argparse.Namespace) -> int:
    target = args.dir if args.dir is not None else ctx.workdir
    if target.exists() and not target.is_dir():
        raise UsageError(f"'{target}' là một tệp, không phải thư mục: hãy chọn một thư mục (mới hoặc đã có)")
    written, kept = init_workdir(target)
    shown = target if target.resolve() != Path.cwd().resolve() else Path(".")
    ctx.console.line(f"Thư mục làm việc: {target.resolve()}")
    for path in written:
        ctx.console.line(f"  đã tạo  {path}")
    for path in kept:
        ctx.console.line(f"  giữ nguyên (đã có)  {path}")
    ctx.console.line("Trên Windows: nhấp đúp tệp ThiDua.cmd trong thư mục này để mở thực đơn các bước công việc trong tháng.")
    ctx.console.line(f"Tiếp theo: sửa {shown / 'config' / 'units.yaml'} và {shown / 'config' / 'settings.yaml'}, rồi chạy:")
    ctx.console.line(f"  {next_command(target, ctx.workdir, 'check')}")
    return EXIT_OK


def next_command(target: Path, workdir: Path, command: str) -> str:
    """The exact command line that runs ``command`` on the folder just made, from where the clerk stands."""
    if target.resolve() == Path.cwd().resolve():
        return f"ccht-batch {command}"
    quoted = f'"{target}"' if " " in str(target) else str(target)
    return f"ccht-batch --workdir {quoted} {command}   (hoặc: cd {quoted} rồi ccht-batch {command})"


def command_check(ctx: Context, args: argparse.Namespace) -> int:
    cfg = ctx.config
    c = cfg.criteria
    ctx.console.line("Cấu hình hợp lệ.")
    ctx.console.line(f"  Phong trào: {c.movement.name} ({c.movement.start_year} - {c.movement.end_year})")
    ctx.console.line(f"  Cơ quan: {cfg.agency.name} — {cfg.agency.parent}")
    ctx.console.line(f"  Lĩnh vực: {len(c.fields)}; tiêu chí: {len(c.criteria)}; tổng điểm tối đa: {fmt_number(c.total_max)}")
    ctx.console.line(f"  Điểm thưởng: {len(c.bonus_items)} mục (tối đa {fmt_number(c.bonus_cap)}); điểm trừ: {len(c.penalty_items)} mục")
    ctx.console.line(f"  Chỉ số: {len(c.indicators)}; mức xếp loại: " + ", ".join(f"{b.name} ≥ {fmt_number(b.min)}" for b in c.bands))
    ctx.console.line("  Hình thức khen thưởng: " + "; ".join(a.name for a in c.awards))
    documents = cfg.documents
    ctx.console.line("  Văn bản kèm danh sách: " + "; ".join(
        f"{a.name}: {f.kind_name.lower()} /{f.symbol}" if (f := documents.form(a.id)) else f"{a.name}: chưa khai báo (documents.awards)" for a in c.awards
    ))
    ctx.console.line(f"  Hội đồng Thi đua - Khen thưởng: thông qua khi phiếu đồng ý vượt quá {fmt_number(c.council_approval_percent)}% số thành viên có mặt")
    if c.rating_share is not None:
        r = c.rating_share
        ctx.console.line(
            f"  Tỷ lệ xếp loại: {RATINGS[r.rating]} tối đa {fmt_number(r.max_percent)}% số người từ {RATINGS[r.base]} trở lên (cảnh báo)"
        )
    ctx.console.line(f"  Đơn vị: {len(cfg.units)}; phiên bản tiêu chí: {cfg.criteria_version}")
    return EXIT_OK
