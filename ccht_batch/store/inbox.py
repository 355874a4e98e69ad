"""The store's record of the inbox: every message ``collect`` examined and every attachment it saved.

Collection must be exactly-once: an attachment is journalled (``saving``) before it is written to
``input/``, marked ``saved`` once it is there under its final name, and only then is its message moved out
of the folder (``done``). Whatever a crash interrupts is found here on the next run and completed; an
attachment whose bytes were saved before, by ``collect`` or dropped by hand and read by ``run``, is
never saved again.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from ccht_batch.store.db import Store, dumps

OPEN = "open"  # examined, attachments being saved
SAVED = "saved"  # every attachment saved or known; the message is still in its folder
DONE = "done"  # moved (or marked) or left where it is on purpose: nothing more to do

SAVING = "saving"
FILE_SAVED = "saved"
DUPLICATE = "duplicate"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class InboxLog:
    def __init__(self, store: Store):
        self.store = store

    # -- what is known

    def sent_by_us(self, message_id: str) -> bool:
        """True when the program itself sent this message (a copy that came back to the Office's box)."""
        return self.store.one("SELECT 1 FROM mail_log WHERE message_id = ? LIMIT 1", (message_id,)) is not None

    def message(self, key: str) -> sqlite3.Row | None:
        return self.store.one("SELECT * FROM inbox_messages WHERE message_key = ?", (key,))

    def files_of(self, message_id: int) -> list[sqlite3.Row]:
        return self.store.all("SELECT * FROM inbox_files WHERE message_id = ? ORDER BY id", (message_id,))

    def received_before(self, sha256: str) -> str | None:
        """Where these bytes were received before: the name ``collect`` saved them under, or the name
        ``run`` read them from; None when they are new."""
        row = self.store.one("SELECT name FROM inbox_files WHERE sha256 = ? AND status != ? ORDER BY id LIMIT 1", (sha256, DUPLICATE))
        if row is None:
            row = self.store.one("SELECT name FROM files WHERE sha256 = ? ORDER BY id LIMIT 1", (sha256,))
        return None if row is None else row["name"]

    def unfinished(self) -> list[sqlite3.Row]:
        """Attachments journalled but not confirmed saved: a crash came between the journal and the file."""
        return self.store.all("SELECT * FROM inbox_files WHERE status = ? ORDER BY id", (SAVING,))

    def read_by_run(self, sha256: str) -> bool:
        return self.store.one("SELECT 1 FROM files WHERE sha256 = ? LIMIT 1", (sha256,)) is not None

    # -- the journal

    def open_message(self, *, key: str, folder: str, sender: str, unit_code: str | None, sent_at: str | None, subject: str) -> int:
        """The message's row, created ``open`` on first sight."""
        with self.store.transaction() as conn:
            row = conn.execute("SELECT id FROM inbox_messages WHERE message_key = ?", (key,)).fetchone()
            if row is not None:
                return int(row["id"])
            cur = conn.execute(
                "INSERT INTO inbox_messages (message_key, folder, sender, unit_code, sent_at, subject, status, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (key, folder, sender, unit_code, sent_at, subject, OPEN, _now()),
            )
            return int(cur.lastrowid)

    def reserve(self, message_id: int, *, original_name: str, name: str, sha256: str, size: int) -> int:
        """Journal an attachment about to be written to ``input/<name>``."""
        with self.store.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO inbox_files (message_id, original_name, name, sha256, size, status) VALUES (?, ?, ?, ?, ?, ?)",
                (message_id, original_name, name, sha256, size, SAVING),
            )
            return int(cur.lastrowid)

    def mark_saved(self, file_id: int) -> None:
        with self.store.transaction() as conn:
            conn.execute("UPDATE inbox_files SET status = ?, saved_at = ? WHERE id = ?", (FILE_SAVED, _now(), file_id))

    def forget(self, file_id: int) -> None:
        """Drop a journalled attachment that never reached ``input/``: it is saved again with its message."""
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM inbox_files WHERE id = ? AND status = ?", (file_id, SAVING))

    def record_duplicate(self, message_id: int, *, original_name: str, sha256: str, size: int) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO inbox_files (message_id, original_name, name, sha256, size, status) VALUES (?, ?, NULL, ?, ?, ?)",
                (message_id, original_name, sha256, size, DUPLICATE),
            )

    def finish(self, message_id: int, *, notes: list[dict[str, Any]], status: str) -> None:
        """Every attachment of the message is handled: ``saved`` (to be moved) or ``done``."""
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE inbox_messages SET notes_json = ?, status = ?, done_at = CASE WHEN ? = 'done' THEN ? END WHERE id = ?",
                (dumps(notes), status, status, _now(), message_id),
            )

    def mark_done(self, message_id: int) -> None:
        with self.store.transaction() as conn:
            conn.execute("UPDATE inbox_messages SET status = ?, done_at = ? WHERE id = ?", (DONE, _now(), message_id))
