"""``python -m ccht_batch.bundle``: the offline bundle, for the IT person who installs the tool on a computer
without Internet (``ccht_batch.bundle``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from ccht_batch.bundle import make_bundle
from ccht_batch.cli.console import Console, ensure_utf8
from ccht_batch.cli.context import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from ccht_batch.cli.parser import VietnameseArgumentParser
from ccht_batch.core.errors import CannotRun, UsageError
from ccht_batch.core.oserrors import os_reason


def build_parser(console: Console) -> argparse.ArgumentParser:
    parser_class = type("ConsoleArgumentParser", (VietnameseArgumentParser,), {"console": console})
    p = parser_class(
        prog="python -m ccht_batch.bundle",
        description=(
            "Tạo bộ cài ngoại tuyến: công cụ và mọi thư viện (đúng phiên bản trong requirements.lock) cho một nền tảng, "
            "kèm install.cmd (Windows) và install.sh (Linux) cài từ thư mục đó, không cần Internet. Chạy từ thư mục mã nguồn."
        ),
        epilog="Mã thoát: 0 xong; 2 lựa chọn sai, chưa làm gì; 3 không tải hoặc đóng gói được.",
        add_help=False,
    )
    p.add_argument("-h", "--help", action="help", help="hiện hướng dẫn này rồi thoát")
    p.add_argument("out", type=Path, metavar="THƯ_MỤC", help="thư mục mới (hoặc trống) để ghi bộ cài")
    p.add_argument("--platform", default="win_amd64", metavar="NỀN_TẢNG", help="win_amd64 (Windows 64 bit, mặc định) hoặc manylinux_2_28_x86_64 (Linux)")
    p.add_argument("--python", default=None, metavar="X.Y", help="phiên bản Python trên máy cần cài (mặc định: phiên bản ghi trong requirements.lock)")
    p.add_argument("--source", type=Path, default=None, metavar="THƯ_MỤC", help="thư mục mã nguồn của công cụ (mặc định: thư mục hiện tại)")
    return p


def main(argv: Sequence[str] | None = None, console: Console | None = None) -> int:
    ensure_utf8(sys.stdout)
    ensure_utf8(sys.stderr)
    console = console or Console()
    try:
        args = build_parser(console).parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        bundle = make_bundle(args.out, args.platform, args.python, args.source, say=console.line)
    except UsageError as exc:
        console.error(f"Lỗi: {exc}")
        return EXIT_USAGE
    except CannotRun as exc:
        console.error(f"Không tạo được bộ cài: {exc}")
        return EXIT_FAILED
    except OSError as exc:
        console.error(f"Không tạo được bộ cài: '{exc.filename or args.out}': {os_reason(exc)}.")
        return EXIT_FAILED
    console.line(f"Đã tạo bộ cài cho {bundle.platform}, Python {bundle.python}: {bundle.folder.resolve()}")
    console.line(f"  {len(bundle.wheels)} tệp cài đặt (wheel) trong thư mục wheels, install.cmd, install.sh, HUONG-DAN.md.")
    console.line("Chép cả thư mục (kèm bộ cài Python) sang máy cần cài; trên máy đó nhấp đúp install.cmd (HUONG-DAN.md, mục 2.3).")
    return EXIT_OK
