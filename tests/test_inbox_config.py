"""The `inbox:` settings: `ccht-batch check` names file, line, key and what is expected for each mistake; a
working folder from before the inbox (no `inbox:` section) still loads, with the mailbox unused."""

from __future__ import annotations

import pytest
from support.cli import run_in
from support.mail import make_workdir

from ccht_batch.config.load import load_config
from ccht_batch.config.model import InboxSettings

CASES = [
    # (case id, old text, new text, key path, value, words of what is expected)
    ("security-typo", "security: ssl ", "security: tls ", "inbox.security", "tls", "starttls, ssl, none"),
    ("port-out-of-range", "port: 993 ", "port: 99999 ", "inbox.port", "99999", "không lớn hơn 65535"),
    ("processed-is-the-folder", 'processed_folder: "Đã lấy tệp"', "processed_folder: INBOX", "inbox.processed_folder", "INBOX", "khác thư mục cần đọc"),
    ("sent-is-the-folder", "sent_folder: Sent ", "sent_folder: INBOX ", "inbox.sent_folder", "INBOX", "khác thư mục cần đọc"),
    ("folder-wildcard", "folder: INBOX ", "folder: INBOX* ", "inbox.folder", "INBOX*", "không chứa * hoặc %"),
    ("password-in-the-file", "password_env: CCHT_IMAP_PASSWORD", 'password_env: "Mật khẩu 2025"', "inbox.password_env", "Mật khẩu 2025", "không phải mật khẩu"),
    ("timeout-zero", "timeout_seconds: 30\n  folder", "timeout_seconds: 0\n  folder", "inbox.timeout_seconds", "0", "không nhỏ hơn 1"),
    ("unknown-key", "  sent_folder: Sent ", "  sent_fodler: Sent ", "inbox.sent_fodler", "sent_fodler", "có phải 'sent_folder'?"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_a_bad_inbox_setting_exits_2_naming_file_line_key_and_value(tmp_path, case):
    _, old, new, path, value, expected = case
    workdir = make_workdir(tmp_path)
    settings = workdir / "config" / "settings.yaml"
    text = settings.read_text(encoding="utf-8")
    inbox = text.index("\ninbox:")
    at = text.index(old, inbox)
    settings.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    line = text[:at].count("\n") + 1

    code, out, err = run_in(workdir, "check")

    assert code == 2 and out == ""
    problems = [p.strip() for p in err.splitlines() if p.strip().startswith("- ")]
    assert problems == [p for p in problems if p.startswith(f"- config/settings.yaml, dòng {line}, khóa {path}: giá trị '{value}' — cần ")]
    assert len(problems) == 1 and expected in problems[0]


def test_a_settings_file_without_an_inbox_loads_with_the_mailbox_unused(tmp_path, monkeypatch):
    workdir = make_workdir(tmp_path)
    settings = workdir / "config" / "settings.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text[: text.index("\n# Hộp thư đến (IMAP)")] + "\n", encoding="utf-8")
    monkeypatch.delenv("CCHT_IMAP_HOST", raising=False)

    assert load_config(workdir).settings.inbox == InboxSettings()
    assert run_in(workdir, "check")[0] == 0
    code, _, err = run_in(workdir, "collect")
    assert code == 2 and "chưa khai báo hộp thư" in err
