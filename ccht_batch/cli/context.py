"""What every command gets (the working folder, the console, the configuration on demand) and the exit
codes (DESIGN.md §9, a contract), decided only in this package."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ccht_batch.cli.console import Console
from ccht_batch.config.load import load_config
from ccht_batch.config.model import CONFIG_DIR, Config
from ccht_batch.core.errors import UsageError
from ccht_batch.core.periods import period_text
from ccht_batch.store.guard import open_store
from ccht_batch.store.runs import latest_period as latest_stored_period

EXIT_OK = 0
EXIT_REFUSED = 1  # done, but something was refused
EXIT_USAGE = 2  # bad configuration or usage, nothing done
EXIT_FAILED = 3  # could not run: lock held, or an unexpected failure


@dataclass
class Context:
    """What every command gets: the working folder, the console, and the configuration on demand."""

    workdir: Path
    console: Console
    _config: Config | None = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        if self._config is None:
            if not (self.workdir / CONFIG_DIR).is_dir():
                raise UsageError(
                    f"thư mục '{self.workdir}' chưa có cấu hình (thư mục {CONFIG_DIR}/). Nếu thư mục làm việc ở nơi khác, "
                    f"chạy lệnh trong thư mục đó (cd <THƯ_MỤC>) hoặc thêm --workdir <THƯ_MỤC>; nếu chưa có, tạo bằng: ccht-batch init <THƯ_MỤC>"
                )
            self._config = load_config(self.workdir)
        return self._config


def latest_period(ctx: Context, given: str | None) -> str:
    """``--period`` as given, else the latest period with results, said on screen (DESIGN.md §10)."""
    if given is not None:
        return given
    config = ctx.config
    period = None
    if config.store_path.is_file():
        with open_store(config) as store:
            period = latest_stored_period(store)
    if period is None:
        raise UsageError("chưa có kỳ nào có kết quả: hãy chạy 'ccht-batch run --period YYYY-MM' trước")
    ctx.console.line(f"Kỳ: {period_text(period)} (kỳ gần nhất đã có kết quả; chọn kỳ khác bằng --period YYYY-MM).")
    return period
