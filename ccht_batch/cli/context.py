"""What every command gets (the working folder, the console, the configuration on demand) and the exit
codes (DESIGN.md §9, a contract), decided only in this package."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ccht_batch.cli.console import Console
from ccht_batch.config.load import load_config
from ccht_batch.config.model import Config

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
            self._config = load_config(self.workdir)
        return self._config
