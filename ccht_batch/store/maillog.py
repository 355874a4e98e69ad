"""The store's record of sent messages: what went to whom, with which attachments and figures.

Mail must go exactly once: a message is looked up by its scope (a period, or a year's templates), its
recipient and its kind before it is sent, and its fingerprint (attachment bytes and the body's figures)
says whether what would go now differs from what went.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ccht_batch.store.db import Store, dumps


class MailLog:
    def __init__(self, store: Store):
        self.store = store

    def last_fingerprint(self, scope: str, recipient: str, kind: str) -> str | None:
        row = self.store.one(
            "SELECT fingerprint FROM mail_log WHERE scope = ? AND recipient = ? AND kind = ? ORDER BY id DESC LIMIT 1",
            (scope, recipient, kind),
        )
        return row["fingerprint"] if row else None

    def record(self, *, scope: str, recipient: str, kind: str, subject: str, message_id: str, fingerprint: str, attachments: list[Any]) -> None:
        sent_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO mail_log (scope, recipient, kind, subject, message_id, fingerprint, attachments_json, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (scope, recipient, kind, subject, message_id, fingerprint, dumps(attachments), sent_at),
            )
