"""`ccht-batch mail --send` files a copy of each message it sends in the Office's Sent folder (IMAP APPEND,
a real Dovecot), so the mailbox shows what the program sent; a copy that cannot be filed is said, and never
makes a message go twice."""

from __future__ import annotations

import email
from email import policy

from support.dovecot import dovecot, free_port, needs_dovecot
from support.mail import (
    MESSAGES,
    PERIOD,
    Recorder,
    mail_log,
    make_workdir,
    point_mail_at,
    run_cli,
    smtp_server,
    write_month,
)

pytestmark = needs_dovecot


def point_inbox_at(monkeypatch, env: dict[str, str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_mail_send_leaves_a_copy_of_each_message_in_the_sent_folder(tmp_path, monkeypatch):
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    handler = Recorder()
    with dovecot() as mailbox, smtp_server(handler) as server:
        point_mail_at(monkeypatch, server.port)
        point_inbox_at(monkeypatch, mailbox.env())

        code, out, _ = run_cli(workdir, "mail", "--period", PERIOD, "--send")

        assert code == 0
        assert f"Đã lưu bản sao {MESSAGES} thư vào thư mục 'Sent' của hộp thư." in out
        copies = mailbox.messages("Sent")
        # the very messages that went: same Message-ID, headers and body, byte for byte
        sent = {email.message_from_bytes(d, policy=policy.default)["Message-ID"]: d for _, _, d in handler.messages}
        filed = {email.message_from_bytes(c, policy=policy.default)["Message-ID"]: c for c in copies}
        assert len(copies) == MESSAGES and filed.keys() == sent.keys()
        assert sorted(r["message_id"] for r in mail_log(workdir)) == sorted(filed)
        for mid, data in filed.items():
            assert data.replace(b"\r\n", b"\n") == sent[mid].replace(b"\r\n", b"\n")
        with mailbox.client() as imap:  # filed as read, as a mail client files what it sends
            imap.select("Sent", readonly=True)
            assert imap.uid("SEARCH", "UNSEEN")[1] == [b""]

        # a rerun sends nothing, so files nothing
        code, out, _ = run_cli(workdir, "mail", "--period", PERIOD, "--send")
        assert code == 0 and "Đã lưu bản sao" not in out
        assert len(mailbox.messages("Sent")) == MESSAGES
        assert mailbox.messages("INBOX") == []  # nothing filed anywhere else


def test_a_copy_that_cannot_be_filed_is_said_and_no_message_goes_twice(tmp_path, monkeypatch):
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    handler = Recorder()
    with smtp_server(handler) as server:
        point_mail_at(monkeypatch, server.port)
        point_inbox_at(monkeypatch, {"CCHT_IMAP_HOST": "127.0.0.1", "CCHT_IMAP_PORT": str(free_port()), "CCHT_IMAP_SECURITY": "none", "CCHT_IMAP_PASSWORD": "x"})

        code, out, err = run_cli(workdir, "mail", "--period", PERIOD, "--send")

        assert code == 0  # every message went
        assert len(handler.messages) == MESSAGES
        # a problem: on stderr, like every problem (the clerk's desk)
        assert "Cảnh báo: không lưu được bản sao thư đã gửi vào thư mục 'Sent' (không kết nối được máy chủ hộp thư 127.0.0.1:" in err
        assert "Các thư vẫn đã được gửi và sẽ không bị gửi lại." in err

        code, out, _ = run_cli(workdir, "mail", "--period", PERIOD, "--send")
        assert code == 0 and len(handler.messages) == MESSAGES


def test_a_vietnamese_sent_folder_is_created_when_missing(tmp_path, monkeypatch):
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    with dovecot() as mailbox, smtp_server(Recorder()) as server:
        point_mail_at(monkeypatch, server.port)
        point_inbox_at(monkeypatch, mailbox.env())
        text = (workdir / "config" / "settings.yaml").read_text(encoding="utf-8")
        (workdir / "config" / "settings.yaml").write_text(text.replace("sent_folder: Sent ", 'sent_folder: "Thư đã gửi"'), encoding="utf-8")

        assert run_cli(workdir, "mail", "templates", "--year", "2025", "--send")[0] == 0

        assert len(mailbox.messages("Thư đã gửi")) == 9  # the units' blank templates
