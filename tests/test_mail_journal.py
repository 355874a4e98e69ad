"""Mail stays exactly-once when the store fails: a message is journalled as being sent before the SMTP
transaction and as sent after it. If the store cannot be written, nothing more goes; a message the
journal shows as being sent is "có thể đã gửi" on the next run and goes again only with --resend. A real
SMTP server on 127.0.0.1, a real second connection holding the store's lock."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

from support.mail import (
    MESSAGES,
    PERIOD,
    Recorder,
    make_workdir,
    point_mail_at,
    run_cli,
    smtp_server,
    write_month,
)

STORE = ("data", "ccht-batch.sqlite")


class LocksTheStoreOnFirstDelivery(Recorder):
    """Accepts every message; while accepting the first, another connection takes the store's write lock
    (as another program would at that moment), so the delivery cannot be recorded."""

    def __init__(self, store):
        super().__init__()
        self.store = store
        self.holder: sqlite3.Connection | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.holder is None:
            self.holder = sqlite3.connect(self.store, isolation_level=None, check_same_thread=False)
            self.holder.execute("BEGIN IMMEDIATE")
        return await super().handle_DATA(server, session, envelope)

    def release(self) -> None:
        if self.holder is not None:
            self.holder.execute("ROLLBACK")
            self.holder.close()


def _journal(workdir) -> list[tuple[str, str, str]]:
    with sqlite3.connect(workdir.joinpath(*STORE)) as conn:
        return conn.execute("SELECT recipient, kind, state FROM mail_log ORDER BY id").fetchall()


def test_a_delivery_the_store_cannot_record_stops_sending_and_is_never_sent_twice(tmp_path, monkeypatch):
    monkeypatch.setattr("ccht_batch.store.db.BUSY_TIMEOUT_SECONDS", 1.0)
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    handler = LocksTheStoreOnFirstDelivery(str(workdir.joinpath(*STORE)))
    with smtp_server(handler) as server:
        point_mail_at(monkeypatch, server.port)
        code, out, err = run_cli(workdir, "mail", "--period", PERIOD, "--send")
        handler.release()
        assert code == 3
        assert f"Kho dữ liệu {workdir.joinpath(*STORE)} đang bị một chương trình khác khóa" in err
        assert len(handler.messages) == 1  # nothing more went once the journal could not be written
        first = handler.parsed()[0]
        first = (first[0][0], str(first[1]["Subject"]))
        assert [(r, state) for r, _, state in _journal(workdir)] == [(first[0], "sending")]

        # the next run: the first message may have gone; it is said, and not sent again
        code, out, err = run_cli(workdir, "mail", "--period", PERIOD, "--send")
        assert code == 1, err
        assert out.count("có thể đã gửi (lần gửi lúc") == 1 and "--resend" in out
        delivered = [(rcpts[0], str(msg["Subject"])) for rcpts, msg in handler.parsed()]
        assert len(delivered) == MESSAGES and len(set(delivered)) == MESSAGES  # each message exactly once
        assert [state for _, _, state in _journal(workdir)].count("sending") == 1

        # a preview says the same
        code, out, _ = run_cli(workdir, "mail", "--period", PERIOD)
        assert code == 0 and "có thể đã gửi 1" in out

        # the clerk asks the unit, which did not get it: --resend sends that message again, and no other
        code, out, _ = run_cli(workdir, "mail", "--period", PERIOD, "--send", "--resend")
        assert code == 0
        again = [(rcpts[0], str(msg["Subject"])) for rcpts, msg in handler.parsed()]
        assert again.count(first) == 2 and len(again) == MESSAGES + 1
        assert "bỏ qua vì đã gửi" in out


def test_a_store_locked_before_sending_sends_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr("ccht_batch.store.db.BUSY_TIMEOUT_SECONDS", 1.0)
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    handler = Recorder()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys, time\nc = sqlite3.connect(sys.argv[1], isolation_level=None)\nc.execute('BEGIN IMMEDIATE')\nprint('locked', flush=True)\ntime.sleep(120)", str(workdir.joinpath(*STORE))],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout.readline() == b"locked\n"
        with smtp_server(handler) as server:
            point_mail_at(monkeypatch, server.port)
            code, out, err = run_cli(workdir, "mail", "--period", PERIOD, "--send")
    finally:
        holder.kill()
        holder.wait()
    assert code == 3 and "đang bị một chương trình khác khóa" in err
    assert handler.messages == [] and _journal(workdir) == []
    assert "chưa gửi" in out
