"""The store is never silently lost or replaced (DESIGN.md §9).

The store is the program's memory: which files were accepted, which messages went. A store that is
missing, empty or damaged while the working folder shows earlier runs (period outputs, processed files,
previewed mail, backups) would make every unit "chưa nộp" and every message go again; so every command
opens the store through ``open_store``, which refuses that case (``StoreLost``, exit 3) with what to do,
and ``Store`` itself refuses a file that fails its integrity check.

After every successful run and every ``mail --send`` the store is copied with SQLite's backup API (a
consistent copy, whatever else reads it) into the backup folder, the newest ``backup.keep`` kept.
``check_store`` says how the store and its backups are; ``restore_store`` puts a backup in place (or, on
request, an empty store), always keeping the file it replaces.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ccht_batch.config.model import Config
from ccht_batch.core.errors import UsageError
from ccht_batch.core.files import hash_file
from ccht_batch.core.lock import workdir_locked
from ccht_batch.core.oserrors import os_reason
from ccht_batch.store.db import (
    SCHEMA_VERSION,
    Store,
    StoreError,
)

SQLITE_HEADER = b"SQLite format 3\x00"
_PERIOD_DIR = re.compile(r"^\d{4}-\d{2}$")
_STAMP = "%Y%m%d-%H%M%S"

MISSING, EMPTY, DAMAGED, SOUND = "missing", "empty", "damaged", "sound"


class StoreLost(StoreError):
    """The store is missing or empty while the working folder shows earlier runs."""


# ---------------------------------------------------------------------------------------------------
# Opening


def open_store(config: Config) -> Store:
    """The working folder's store, refused when it is missing or empty while earlier runs show (or, by
    ``Store``, damaged). A new working folder gets a new store."""
    state = blank_state(config.store_path)
    if state is not None:
        evidence = earlier_runs(config)
        if evidence:
            raise StoreLost(_lost_message(config, state, evidence))
    return Store(config.store_path)


def blank_state(path: Path) -> str | None:
    """``MISSING`` or ``EMPTY`` (0 bytes, or an SQLite file without the program's tables); None for a
    file with content (``Store`` checks it)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return MISSING
    if size == 0:
        return EMPTY
    try:
        with open(path, "rb") as fh:
            if fh.read(16) != SQLITE_HEADER:
                return None  # not a store at all: Store refuses it as damaged
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            conn.close()
    except (OSError, sqlite3.Error):
        return None  # Store says what is wrong
    return EMPTY if version == 0 and tables == 0 else None


def earlier_runs(config: Config) -> list[str]:
    """What in the working folder shows that the program ran here before (Vietnamese, for the clerk)."""
    found = []
    out = config.output_dir
    periods = sorted(p.name for p in _dirs(out) if _PERIOD_DIR.match(p.name) and any(p.iterdir()))
    if periods:
        found.append(f"kết quả các kỳ {', '.join(periods)} trong {_shown(out, config)}")
    for sub in ("processed", "rejected"):
        folder = config.input_dir / sub
        if any(f.is_file() for d in _dirs(folder) if _PERIOD_DIR.match(d.name) for f in _entries(d)):
            found.append(f"tệp đã xử lý trong {_shown(folder, config)}")
    outboxes = [d / "outbox" for d in _dirs(out)]
    if any(f.suffix == ".eml" for box in outboxes for f in _entries(box)):
        found.append(f"thư đã soạn trong {_shown(out, config)}/…/outbox")
    backups = list_backups(config)
    if backups:
        found.append(f"{len(backups)} bản sao lưu trong {_shown(config.backup_dir, config)}")
    return found


def _dirs(folder: Path) -> list[Path]:
    return [p for p in _entries(folder) if p.is_dir()]


def _entries(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def _shown(path: Path, config: Config) -> str:
    try:
        return path.relative_to(config.workdir).as_posix()
    except ValueError:
        return str(path)


def _lost_message(config: Config, state: str, evidence: list[str]) -> str:
    path = config.store_path
    what = "không còn" if state == MISSING else "rỗng"
    lines = [
        f"Kho dữ liệu {path} {what}, trong khi thư mục làm việc cho thấy chương trình đã chạy ở đây: {'; '.join(evidence)}.",
        "Dùng một kho dữ liệu mới lúc này sẽ coi mọi đơn vị là chưa nộp, ghi đè kết quả đúng và gửi lại thư, "
        "nên chương trình dừng lại, chưa làm gì. Cách xử lý:",
    ]
    backups = list_backups(config)
    if backups:
        lines.append(f"  - khôi phục bản sao lưu gần nhất ({backups[-1].name}): ccht-batch store restore --latest")
    else:
        lines.append(f"  - không có bản sao lưu nào trong {_shown(config.backup_dir, config)}; nếu còn tệp kho dữ liệu cũ, hãy chép lại vào {path}")
    lines.append("  - chỉ khi muốn bắt đầu lại từ đầu với kho dữ liệu trống (mất toàn bộ lịch sử đã lưu): ccht-batch store restore --empty")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------
# Backups


def list_backups(config: Config) -> list[Path]:
    """The store's backups, oldest first (their names hold the time they were taken, and a number when
    two were taken in the same second)."""
    named = re.compile(re.escape(config.store_path.stem) + r"-(\d{8}-\d{6})(?:-(\d+))?\.sqlite$")
    found = []
    for p in _entries(config.backup_dir):
        m = named.match(p.name)
        if m and p.is_file():
            found.append(((m.group(1), int(m.group(2) or 1)), p))
    return [p for _, p in sorted(found)]


def backup_store(config: Config, store: Store) -> Path:
    """A consistent copy of ``store`` in the backup folder (SQLite's backup API); the newest
    ``backup.keep`` copies are kept. Raises ``StoreError`` (naming the folder) when it cannot be written."""
    folder = config.backup_dir
    stem = config.store_path.stem
    stamp = dt.datetime.now().strftime(_STAMP)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target, n = folder / f"{stem}-{stamp}.sqlite", 2
        while target.exists():
            target, n = folder / f"{stem}-{stamp}-{n}.sqlite", n + 1
        _copy_store(store.conn, target)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"Không sao lưu được kho dữ liệu vào {folder} ({_reason(exc)}); kết quả đã được ghi nhận, hãy kiểm tra ổ đĩa.") from exc
    for old in list_backups(config)[: -config.settings.backup.keep]:
        try:
            old.unlink()
        except OSError:
            pass
    return target


def _copy_store(source: sqlite3.Connection, target: Path) -> None:
    """``source`` copied whole into ``target``: written beside it under a temporary name, then renamed."""
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        dest = sqlite3.connect(str(tmp))
        try:
            source.backup(dest)
        finally:
            dest.close()
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return os_reason(exc)
    if "full" in str(exc).lower():
        return "ổ đĩa đã đầy"
    return "không chép được kho dữ liệu"


# ---------------------------------------------------------------------------------------------------
# check and restore


@dataclass
class StoreReport:
    """What ``store check`` found."""

    path: Path
    state: str  # MISSING | EMPTY | DAMAGED | SOUND
    problems: list[str] = field(default_factory=list)  # integrity_check's findings, or why it cannot open
    schema: int | None = None
    runs: int = 0
    last_run: tuple[str, str] | None = None  # period, finished at
    files: int = 0
    messages: int = 0
    backups: list[Path] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        """False when every command would stop (exit 3): damaged, or lost while earlier runs show."""
        return self.state == SOUND or (self.state in (MISSING, EMPTY) and not self.evidence)


def check_store(config: Config) -> StoreReport:
    """The store's integrity (``PRAGMA integrity_check``, all of it), what it holds, and its backups."""
    path = config.store_path
    report = StoreReport(path=path, state=SOUND, backups=list_backups(config), evidence=earlier_runs(config))
    blank = blank_state(path)
    if blank is not None:
        report.state = blank
        return report
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            found = [r[0] for r in conn.execute("PRAGMA integrity_check(20)").fetchall()]
            if found != ["ok"]:
                report.state, report.problems = DAMAGED, found
                return report
            report.schema = conn.execute("PRAGMA user_version").fetchone()[0]
            report.runs = conn.execute("SELECT count(*) FROM runs").fetchone()[0]
            last = conn.execute("SELECT period, finished_at FROM runs WHERE status = 'committed' ORDER BY id DESC LIMIT 1").fetchone()
            report.last_run = (last[0], last[1]) if last else None
            report.files = conn.execute("SELECT count(*) FROM files").fetchone()[0]
            report.messages = conn.execute("SELECT count(*) FROM mail_log").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        report.state, report.problems = DAMAGED, [str(exc)]
    return report


@dataclass
class Restored:
    """What ``store restore`` did."""

    source: Path | None  # the backup put in place; None: an empty store
    kept: list[Path]  # the files it replaced, kept under new names
    last_run: tuple[str, str] | None  # the restored store's latest run: period, finished at
    not_in_store: list[Path]  # processed or rejected files the restored store does not know


def restore_store(config: Config, source: Path | None = None, *, latest: bool = False, empty: bool = False) -> Restored:
    """Put a backup (``source``, or the latest with ``latest``) or, with ``empty``, a new empty store in
    place of the working folder's store, under the working folder's lock. The file it replaces (and its
    journal) is kept beside it under a new name, never deleted. A backup that fails its integrity check,
    or is not a store, is refused (``UsageError``, nothing changed)."""
    if sum(map(bool, (source is not None, latest, empty))) != 1:
        raise UsageError("chọn một trong: --latest, một tệp sao lưu, hoặc --empty")
    if latest:
        backups = list_backups(config)
        if not backups:
            raise UsageError(f"không có bản sao lưu nào trong {config.backup_dir}")
        source = backups[-1]
    if source is not None:
        source = Path(source)
        _check_backup(source)
    path = config.store_path
    with workdir_locked(config.workdir, "kho dữ liệu chưa thay đổi"):
        kept = _set_aside(path)
        if source is None:
            Store(path).close()
            return Restored(None, kept, None, [])
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _copy_store(src, path)
        finally:
            src.close()
        with Store(path) as store:
            last = store.one("SELECT period, finished_at FROM runs WHERE status = 'committed' ORDER BY id DESC LIMIT 1")
            known = {r[0] for r in store.all("SELECT DISTINCT sha256 FROM files WHERE sha256 IS NOT NULL")}
        return Restored(source, kept, (last[0], last[1]) if last else None, _unknown_files(config, known))


def _check_backup(source: Path) -> None:
    if not source.is_file():
        raise UsageError(f"không tìm thấy tệp sao lưu '{source}'")
    try:
        if source.read_bytes()[:16] != SQLITE_HEADER:
            raise UsageError(f"tệp '{source}' không phải bản sao lưu kho dữ liệu")
        conn = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            found = [r[0] for r in conn.execute("PRAGMA integrity_check(5)").fetchall()]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        raise UsageError(f"tệp '{source}' bị hỏng hoặc không phải kho dữ liệu; hãy chọn bản sao lưu khác") from None
    if found != ["ok"]:
        raise UsageError(f"bản sao lưu '{source}' cũng bị hỏng ({'; '.join(found)[:200]}); hãy chọn bản sao lưu khác")
    if not 1 <= version <= SCHEMA_VERSION:
        raise UsageError(f"tệp '{source}' không phải bản sao lưu kho dữ liệu của chương trình này (lược đồ {version})")


def _set_aside(path: Path) -> list[Path]:
    """Rename the store and its journal files out of the way (``<name>.truoc-khoi-phuc-<time>``)."""
    stamp = dt.datetime.now().strftime(_STAMP)
    kept = []
    for p in (path, *(path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm"))):
        if p.exists():
            target = p.with_name(f"{p.name}.truoc-khoi-phuc-{stamp}")
            os.replace(p, target)
            kept.append(target)
    return kept


def _unknown_files(config: Config, known: set[str]) -> list[Path]:
    """Files in processed/ and rejected/ whose bytes the restored store has never seen: moved by runs
    after the backup, they must be run again to be counted."""
    out = []
    for sub in ("processed", "rejected"):
        for folder in _dirs(config.input_dir / sub):
            for f in sorted(_entries(folder)):
                if f.is_file() and hash_file(f) not in known:
                    out.append(f)
    return out

