"""One command at a time per working folder: an operating-system file lock.

The OS releases the lock when its holder dies, so a crashed run never blocks the next one, and nothing
probes a process id (``os.kill(pid, 0)`` terminates the process on Windows).
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from filelock import FileLock, Timeout

from ccht_batch.core.errors import CannotRun, LockHeld
from ccht_batch.core.oserrors import os_reason

LOCK_NAME = ".ccht-batch.lock"


def workdir_lock(workdir: Path) -> FileLock:
    return FileLock(str(Path(workdir) / LOCK_NAME), timeout=0)


@contextmanager
def workdir_locked(workdir: Path, nothing_done: str = "không có gì bị thay đổi") -> Iterator[None]:
    """Hold the lock for the block, or raise ``LockHeld`` at once with a Vietnamese message."""
    lock = workdir_lock(workdir)
    try:
        lock.acquire()
    except Timeout:
        raise LockHeld(
            f"Một lần chạy khác đang dùng thư mục làm việc này (tệp khóa {Path(workdir) / LOCK_NAME}). "
            f"Hãy đợi lần chạy đó xong rồi chạy lại; {nothing_done}."
        ) from None
    except OSError as exc:  # a read-only folder or disk: the lock file cannot be made
        raise CannotRun(
            f"Không tạo được tệp khóa {Path(workdir) / LOCK_NAME}: {os_reason(exc)}. Thư mục làm việc {workdir} phải ghi được: "
            f"hãy cấp quyền ghi, hoặc chép thư mục làm việc sang ổ đĩa ghi được, rồi chạy lại; {nothing_done}."
        ) from exc
    try:
        yield
    finally:
        lock.release()
