"""The store's journal of sent messages: what went to whom, with which attachments and figures.

Mail must go exactly once, even when the program is killed or the store cannot be written mid-run. So a
message is journalled in two steps around the SMTP transaction: ``begin`` records it as ``sending`` and
commits *before* the message is handed to the server; ``sent`` marks it delivered after. A message whose
delivery failed is ``forget``-ten (the server said no: it did not go). One still ``sending`` on the next
run may have been delivered: it is not sent again unless asked (``--resend``).

A message is looked up by its scope (a period, or a year's templates), its recipient and its kind; its
fingerprint (attachment bytes and the body's figures) says whether what would go now differs from what went.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from ccht_batch.store.db import Store, dumps

SENDING = "sending"
SENT = "sent"


class Entry(NamedTuple):
    fingerprint: str
    state: str  # SENDING | SENT
    sent_at: str


class MailLog:
    def __init__(self, store: Store):
        self.store = store

    def last(self, scope: str, recipient: str, kind: str) -> Entry | None:
        """The latest journal entry for this message, whatever its state."""
        row = self.store.one(
            "SELECT fingerprint, state, sent_at FROM mail_log WHERE scope = ? AND recipient = ? AND kind = ? ORDER BY id DESC LIMIT 1",
            (scope, recipient, kind),
        )
        return Entry(row["fingerprint"], row["state"], row["sent_at"]) if row else None

    def last_fingerprint(self, scope: str, recipient: str, kind: str) -> str | None:
        """The fingerprint of the latest message known to be delivered."""
        row = self.store.one(
            "SELECT fingerprint FROM mail_log WHERE scope = ? AND recipient = ? AND kind = ? AND state = ? ORDER BY id DESC LIMIT 1",
            (scope, recipient, kind, SENT),
        )
        return row["fingerprint"] if row else None

    def begin(self, *, scope: str, recipient: str, kind: str, subject: str, message_id: str, fingerprint: str, attachments: list[Any]) -> int:
        """Journal a message as being sent (committed); its entry id. Raises ``StoreError``."""
        with self.store.transaction() as conn:
            return conn.execute(
                "INSERT INTO mail_log (scope, recipient, kind, subject, message_id, fingerprint, attachments_json, sent_at, state) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (scope, recipient, kind, subject, message_id, fingerprint, dumps(attachments), _now(), SENDING),
            ).lastrowid

    def sent(self, entry: int) -> None:
        """The server accepted the message."""
        with self.store.transaction() as conn:
            conn.execute("UPDATE mail_log SET state = ?, sent_at = ? WHERE id = ?", (SENT, _now(), entry))

    def forget(self, entry: int) -> None:
        """The server refused the message, or the line dropped before it took it: it did not go."""
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM mail_log WHERE id = ? AND state = ?", (entry, SENDING))


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
