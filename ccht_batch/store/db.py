"""The embedded history: one SQLite file holding runs, files, submissions, results, yearly records, mail.

Award rules look back years and mail must go exactly once, so the store is the program's memory. The
schema carries a version; migrations only add (tables, columns), so an older store opens in a newer program.
Every write goes through ``transaction()``: all of it or nothing.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from ccht_batch.core.errors import CannotRun

# Each migration moves the schema from version i to i + 1. Append only; never edit a published one.
MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        period TEXT NOT NULL,
        milestone TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,           -- committed | (a crashed run leaves no row)
        program_version TEXT,
        criteria_version TEXT
    );

    -- every file ever seen in input/, one row per drop
    CREATE TABLE files (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        period TEXT NOT NULL,
        name TEXT NOT NULL,
        sha256 TEXT,
        size INTEGER NOT NULL,
        mtime REAL NOT NULL,
        status TEXT NOT NULL,           -- accepted | rejected | duplicate | ignored
        kind TEXT,                      -- template | appraisal | history | NULL
        unit_code TEXT,
        year INTEGER,
        issues_json TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        dest_path TEXT,                 -- where the file goes (relative to the working folder), NULL: stays
        moved_at TEXT                   -- set once the move is done
    );
    CREATE INDEX files_sha ON files(sha256);
    CREATE INDEX files_period_unit ON files(period, unit_code);

    -- values of every accepted self-assessment workbook
    CREATE TABLE submissions (
        id INTEGER PRIMARY KEY,
        file_id INTEGER NOT NULL UNIQUE REFERENCES files(id),
        unit_code TEXT NOT NULL,
        year INTEGER NOT NULL,
        period TEXT NOT NULL,
        mtime REAL NOT NULL,
        values_json TEXT NOT NULL
    );
    CREATE INDEX submissions_unit_year ON submissions(unit_code, year, period);

    -- appraised scores (thẩm định) for a period; the latest appraisal file of the period wins
    CREATE TABLE appraisals (
        id INTEGER PRIMARY KEY,
        file_id INTEGER NOT NULL UNIQUE REFERENCES files(id),
        period TEXT NOT NULL,
        values_json TEXT NOT NULL
    );
    CREATE INDEX appraisals_period ON appraisals(period);

    -- each unit's state and results per period, replaced by every run of that period
    CREATE TABLE period_results (
        period TEXT NOT NULL,
        unit_code TEXT NOT NULL,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        status TEXT NOT NULL,
        total TEXT,
        result TEXT,
        band TEXT,
        rank INTEGER,
        submission_id INTEGER REFERENCES submissions(id),
        criteria_json TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (period, unit_code)
    );

    -- every candidate checked against every reward form, per run of a period (the latest run counts)
    CREATE TABLE nominations (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        period TEXT NOT NULL,
        milestone TEXT,
        award TEXT NOT NULL,
        kind TEXT NOT NULL,             -- collective | individual
        unit_code TEXT NOT NULL,
        name TEXT NOT NULL,
        person_key TEXT,
        eligible INTEGER,               -- 1 | 0 | NULL (cannot tell)
        selected INTEGER NOT NULL,
        reasons_json TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX nominations_period ON nominations(period, milestone);

    -- yearly history of persons and units (RULES.md §2, §3), imported or recorded by close-year
    CREATE TABLE persons (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,       -- folded name | birth year | unit code
        name TEXT NOT NULL,
        birth_year INTEGER,
        unit_code TEXT NOT NULL
    );
    CREATE TABLE person_moves (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES persons(id),
        from_unit TEXT NOT NULL,
        to_unit TEXT NOT NULL,
        year INTEGER NOT NULL,
        source TEXT NOT NULL
    );
    CREATE TABLE person_years (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES persons(id),
        year INTEGER NOT NULL,
        unit_code TEXT NOT NULL,
        rating TEXT,                    -- HTXSNV | HTTNV | HTNV | KHTNV | NULL
        titles_json TEXT NOT NULL DEFAULT '[]',
        source TEXT NOT NULL,           -- import:<file> | close-year
        version INTEGER NOT NULL DEFAULT 1,
        current INTEGER NOT NULL DEFAULT 1   -- 0: kept as a previous version
    );
    CREATE INDEX person_years_person ON person_years(person_id, year);
    CREATE TABLE initiatives (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES persons(id),
        year INTEGER NOT NULL,
        title TEXT NOT NULL,
        decision TEXT NOT NULL DEFAULT '',
        decision_date TEXT,
        level TEXT,                     -- co-so | tinh | toan-quoc | NULL (not recognised)
        source TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        current INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX initiatives_person ON initiatives(person_id, year);
    CREATE TABLE awards_received (
        id INTEGER PRIMARY KEY,
        subject_kind TEXT NOT NULL,     -- collective | individual
        unit_code TEXT NOT NULL,
        person_id INTEGER REFERENCES persons(id),
        award TEXT NOT NULL,            -- award rule id
        year INTEGER NOT NULL,
        decision TEXT NOT NULL DEFAULT '',
        decision_date TEXT,
        issuer TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL
    );
    CREATE TABLE unit_years (
        id INTEGER PRIMARY KEY,
        unit_code TEXT NOT NULL,
        year INTEGER NOT NULL,
        total TEXT,
        result TEXT,
        band TEXT,
        rank INTEGER,
        rating TEXT,
        titles_json TEXT NOT NULL DEFAULT '[]',
        source TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        current INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX unit_years_unit ON unit_years(unit_code, year);
    CREATE TABLE year_closures (
        id INTEGER PRIMARY KEY,
        year INTEGER NOT NULL,
        closed_at TEXT NOT NULL,
        version INTEGER NOT NULL,
        current INTEGER NOT NULL DEFAULT 1,
        summary_json TEXT NOT NULL DEFAULT '{}'
    );

    -- every e-mail message sent (exactly-once delivery)
    CREATE TABLE mail_log (
        id INTEGER PRIMARY KEY,
        scope TEXT NOT NULL,            -- period (YYYY-MM) or templates-YYYY
        recipient TEXT NOT NULL,
        kind TEXT NOT NULL,             -- feedback | reminder | leadership | template
        subject TEXT NOT NULL,
        message_id TEXT NOT NULL,
        fingerprint TEXT NOT NULL,      -- hash of attachment bytes and the body's figures
        attachments_json TEXT NOT NULL,
        sent_at TEXT NOT NULL
    );
    CREATE INDEX mail_log_scope ON mail_log(scope, recipient, kind);
    """,
    # 2: the inbox: every message `collect` examined, and every attachment it saved (exactly-once collection)
    """
    CREATE TABLE inbox_messages (
        id INTEGER PRIMARY KEY,
        message_key TEXT NOT NULL UNIQUE,   -- the Message-ID, or sha256 of the header when it has none
        folder TEXT NOT NULL,
        sender TEXT NOT NULL,               -- the From address
        unit_code TEXT,                     -- the unit with that address; NULL: not a unit's address
        sent_at TEXT,                       -- the Date header, ISO 8601
        subject TEXT NOT NULL DEFAULT '',
        notes_json TEXT NOT NULL DEFAULT '[]',
        status TEXT NOT NULL,               -- open | saved (files saved, message not yet moved) | done
        seen_at TEXT NOT NULL,
        done_at TEXT
    );
    CREATE TABLE inbox_files (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES inbox_messages(id),
        original_name TEXT NOT NULL,
        name TEXT,                          -- the name in input/; NULL for a duplicate
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        status TEXT NOT NULL,               -- saving (journalled, maybe not written) | saved | duplicate
        saved_at TEXT
    );
    CREATE INDEX inbox_files_sha ON inbox_files(sha256);
    CREATE INDEX inbox_files_message ON inbox_files(message_id);
    """,
    # 3: awards a council can defend (ties left to the council, its votes, ratings and titles with their
    # decisions, S&T tasks, prior awards of forms outside the configuration)
    """
    -- the council's workbook of a period and milestone; the latest accepted one counts
    CREATE TABLE councils (
        id INTEGER PRIMARY KEY,
        file_id INTEGER NOT NULL UNIQUE REFERENCES files(id),
        period TEXT NOT NULL,
        milestone TEXT,
        values_json TEXT NOT NULL
    );
    CREATE INDEX councils_period ON councils(period, milestone);

    -- a nomination tied at a quota (selected is then 0 and the council decides), and the council's vote
    ALTER TABLE nominations ADD COLUMN tied INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE nominations ADD COLUMN tie_note TEXT NOT NULL DEFAULT '';
    ALTER TABLE nominations ADD COLUMN vote_json TEXT;

    -- where a year's rating and titles come from: tu-khai (a unit's template) | quyet-dinh (a decision)
    ALTER TABLE person_years ADD COLUMN rating_source TEXT NOT NULL DEFAULT 'tu-khai';
    ALTER TABLE person_years ADD COLUMN decision TEXT NOT NULL DEFAULT '';
    ALTER TABLE person_years ADD COLUMN decision_date TEXT;

    -- sang-kien (an initiative) | de-tai (an S&T task accepted and applied)
    ALTER TABLE initiatives ADD COLUMN kind TEXT NOT NULL DEFAULT 'sang-kien';

    -- a reward of a form outside the configuration: its own name; award holds the form it ranks with
    ALTER TABLE awards_received ADD COLUMN name TEXT NOT NULL DEFAULT '';
    """,
    # 4: the mail journal: a message is recorded as being sent before the SMTP transaction, and as sent
    # after it; one found still 'sending' may have gone (DESIGN.md §9)
    """
    ALTER TABLE mail_log ADD COLUMN state TEXT NOT NULL DEFAULT 'sent';   -- sending | sent
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)

# How long a statement waits for another process's lock on the store before giving up (seconds).
BUSY_TIMEOUT_SECONDS = 30.0


class StoreError(CannotRun):
    """The store cannot be used: damaged, newer than this program, locked, on a full or read-only disk.
    The message says which file, why, and what to do (exit 3)."""


class StoreDamaged(StoreError):
    """The store fails its integrity check, or is not a store at all."""


def store_problem(exc: sqlite3.Error, path: Path) -> StoreError:
    """An SQLite error as the clerk must read it: which file, why, what to do (SQLite's own words are
    English and name no file)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    folder = path.parent
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return StoreError(f"Không ghi được vào kho dữ liệu {path}: ổ đĩa đã đầy. Hãy giải phóng chỗ trống trên ổ đĩa chứa thư mục {folder} rồi chạy lại; chưa ghi nhận thay đổi nào vào kho.")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return StoreError(
            f"Kho dữ liệu {path} đang bị một chương trình khác khóa (một cửa sổ ccht-batch khác, hoặc phần mềm xem cơ sở dữ liệu "
            "đang mở tệp này). Hãy đóng chương trình đó rồi chạy lại; chưa ghi nhận thay đổi nào vào kho."
        )
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")) or "readonly" in text or "unable to open" in text:
        return StoreError(
            f"Không ghi được vào kho dữ liệu {path}: tệp hoặc thư mục {folder} chỉ cho đọc, hoặc không có quyền ghi. "
            "Hãy cấp quyền ghi (hoặc chép thư mục làm việc sang ổ đĩa ghi được) rồi chạy lại; chưa ghi nhận thay đổi nào vào kho."
        )
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text or "not a database" in text:
        return StoreDamaged(
            f"Kho dữ liệu {path} bị hỏng (SQLite không đọc được). Chương trình dừng lại, chưa làm gì. Xem: ccht-batch store check; "
            "khôi phục bản sao lưu gần nhất: ccht-batch store restore --latest"
        )
    if name.startswith("SQLITE_IOERR") or "disk i/o" in text:
        return StoreError(
            f"Lỗi đọc/ghi ổ đĩa khi dùng kho dữ liệu {path} (ổ đĩa đầy, ổ mạng bị ngắt hoặc ổ đĩa hỏng). "
            "Hãy kiểm tra ổ đĩa rồi chạy lại; chưa ghi nhận thay đổi nào vào kho."
        )
    return StoreError(f"Lỗi kho dữ liệu {path} ({type(exc).__name__}: {exc}). Chưa ghi nhận thay đổi nào vào kho.")


class Store:
    """A connection to the store file, checked (``PRAGMA quick_check``) and with the schema brought up to
    date on open. Every SQLite failure becomes a ``StoreError`` naming the file (``store_problem``)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        existed = self.path.exists() and self.path.stat().st_size > 0
        try:
            self.conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS)
        except sqlite3.Error as exc:
            raise store_problem(exc, self.path) from exc
        try:
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA synchronous = FULL")
            if existed:
                self._check()
            self._migrate()
        except sqlite3.Error as exc:
            self.conn.close()
            raise store_problem(exc, self.path) from exc
        except BaseException:
            self.conn.close()
            raise

    def quick_check(self) -> list[str]:
        """``PRAGMA quick_check``: [] when the file is sound, else what SQLite found (at most a few lines)."""
        rows = [r[0] for r in self.conn.execute("PRAGMA quick_check(5)").fetchall()]
        return [] if rows == ["ok"] else rows

    def _check(self) -> None:
        found = self.quick_check()
        if found:
            raise StoreDamaged(
                f"Kho dữ liệu {self.path} bị hỏng (không qua được kiểm tra toàn vẹn). Chương trình dừng lại, chưa làm gì, "
                "để không ghi đè kết quả đúng bằng dữ liệu hỏng. Khôi phục bản sao lưu gần nhất: ccht-batch store restore --latest "
                "(tệp hỏng được giữ lại bên cạnh); xem chi tiết: ccht-batch store check"
            )

    # -- lifecycle

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _migrate(self) -> None:
        try:
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StoreDamaged(
                f"Tệp {self.path} không phải kho dữ liệu SQLite hợp lệ ({exc}). Khôi phục bản sao lưu gần nhất: ccht-batch store restore --latest"
            ) from exc
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"Kho dữ liệu {self.path} được tạo bởi phiên bản chương trình mới hơn (lược đồ {version} > {SCHEMA_VERSION}). Hãy cập nhật ccht-batch."
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                for statement in _split_sql(MIGRATIONS[target - 1]):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {target}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``; any exception rolls everything back. An SQLite failure (a full
        disk, a lock held by another program, a read-only folder) is raised as a ``StoreError``."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise store_problem(exc, self.path) from exc
        try:
            yield self.conn
        except sqlite3.Error as exc:
            self._rollback()
            raise store_problem(exc, self.path) from exc
        except BaseException:
            self._rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise store_problem(exc, self.path) from exc

    def _rollback(self) -> None:
        """Roll back what is still open: SQLite may have ended the transaction itself (a full disk)."""
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    # -- small helpers shared by feature modules

    def one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def all(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements: comments dropped first (ours have no '--' or ';' in literals)."""
    code = "\n".join(line.split("--", 1)[0] for line in script.splitlines())
    return [part.strip() for part in code.split(";") if part.strip()]


def dumps(value: Any) -> str:
    """JSON for the store: stable key order, Vietnamese kept readable."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)
