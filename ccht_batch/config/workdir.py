"""The working folder: ``config/``, ``input/``, ``output/``, the store and the launcher ``ThiDua.cmd``, and
how a new one is made.

The repository root is itself a working folder; ``init`` makes another one from the defaults packaged in
the wheel, and never overwrites a file that is already there (the clerk may have edited it).
"""

from __future__ import annotations

import sys
from pathlib import Path

from ccht_batch.config.load import default_config_dir
from ccht_batch.config.model import CONFIG_DIR, CONFIG_FILES

LAUNCHER = "ThiDua.cmd"


def init_workdir(target: Path, python: str | Path | None = None) -> tuple[list[Path], list[Path]]:
    """Create ``target`` with the default config, empty ``input/``, ``output/`` and the Windows launcher
    ``ThiDua.cmd`` (which runs ``python``, by default the interpreter running now, on the menu).

    Returns (written, kept): the files written, and the existing ones left untouched. A file is created
    with exclusive mode, so even a file appearing meanwhile is never overwritten.
    """
    target = Path(target)
    source = default_config_dir()
    written: list[Path] = []
    kept: list[Path] = []
    (target / CONFIG_DIR).mkdir(parents=True, exist_ok=True)
    files = [(target / CONFIG_DIR / name, (source / name).read_bytes()) for name in CONFIG_FILES]
    files.append((target / LAUNCHER, launcher_text(python or sys.executable).encode("utf-8")))
    for dest, content in files:
        try:
            with open(dest, "xb") as out:
                out.write(content)
        except FileExistsError:
            kept.append(dest)
            continue
        written.append(dest)
    for folder in ("input", "output"):
        (target / folder).mkdir(parents=True, exist_ok=True)
    return written, kept


def launcher_text(python: str | Path) -> str:
    """``ThiDua.cmd``: double-clicked in the working folder, it opens ``ccht-batch menu`` on that folder.

    It runs the Python that ran ``init`` (``-m ccht_batch``), or else a ``ccht-batch`` on PATH, so it keeps
    working when the folder is moved. The console is switched to UTF-8 first (``chcp 65001``) so that the
    Vietnamese lines below, and a path with Vietnamese letters, read right; everything before that line is
    ASCII. Lines end in CRLF, as ``cmd.exe`` expects; no parenthesised blocks, so a path with ``)`` is safe.
    """
    lines = [
        "@echo off",
        "chcp 65001 >nul",
        "rem Tệp khởi động công cụ ccht-batch: nhấp đúp để mở thực đơn các bước công việc trong tháng.",
        "rem Tệp do lệnh \"ccht-batch init\" tạo ra; nếu cài lại công cụ ở thư mục khác, xóa tệp này rồi chạy lại lệnh init.",
        "title Thi đua cải cách hành chính - ccht-batch",
        'cd /d "%~dp0"',
        f'set "CCHT_PYTHON={python}"',
        'if not exist "%CCHT_PYTHON%" goto onpath',
        '"%CCHT_PYTHON%" -m ccht_batch menu',
        "goto done",
        ":onpath",
        "where ccht-batch >nul 2>nul",
        "if errorlevel 1 goto notfound",
        "ccht-batch menu",
        ":done",
        "if errorlevel 1 pause",
        "exit /b %errorlevel%",
        ":notfound",
        "echo Không tìm thấy chương trình ccht-batch trên máy này.",
        "echo Đề nghị cài đặt lại theo Hướng dẫn sử dụng (HUONG-DAN.md, mục 2), rồi xóa tệp ThiDua.cmd và chạy lại lệnh:",
        "echo     ccht-batch init \"%~dp0.\"",
        "pause",
        "exit /b 3",
    ]
    return "\r\n".join(lines) + "\r\n"


