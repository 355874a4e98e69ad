"""The mail password in the system keyring: `ccht-batch mail password` asks for it without echo and stores
it; `mail --send` reads the keyring first, then the environment variable; the password is never shown,
logged or written anywhere but the keyring.

The keyring is a file backend (keyrings.alt) in a temporary folder: the in-process one from
``tests/conftest.py``, or the one a child process is pointed at (``support.terminal.keyring_env``).
"""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail
from support.mail import (
    EMAILS,
    MESSAGES,
    PERIOD,
    Recorder,
    authenticator,
    edit_config,
    make_workdir,
    point_mail_at,
    run_cli,
    smtp_server,
    write_month,
)
from support.terminal import finish, keyring_env, keyring_file, spawn

from ccht_batch.mail.secrets import KEYRING_SERVICE

PASSWORD = "mật-khẩu Sở 2025!"


def every_byte_written(workdir) -> bytes:
    """Everything the program left in the working folder: outputs, logs, the store, the outbox."""
    return b"".join(p.read_bytes() for p in sorted(workdir.rglob("*")) if p.is_file())


def with_account(tmp_path):
    workdir = make_workdir(tmp_path)
    edit_config(workdir, "settings.yaml", 'user: ""', 'user: "vanphong"')
    return workdir


def test_the_password_typed_once_in_mail_password_sends_the_month(tmp_path, monkeypatch, tls, private_keyring):
    """The clerk's way: `mail password` on a terminal, then `mail --send` with no environment variable."""
    server_ctx, ca_file = tls
    workdir = with_account(tmp_path)
    write_month(workdir)
    keyring_home = tmp_path / "xdg"

    child = spawn("--workdir", workdir, "mail", "password", env=keyring_env(keyring_home))
    child.expect("Mật khẩu: ")
    child.sendline(PASSWORD)
    child.expect("Nhập lại mật khẩu: ")
    child.sendline(PASSWORD)
    code, screen = finish(child)

    assert code == 0, screen
    assert "Lưu mật khẩu của tài khoản thư điện tử 'vanphong'" in screen
    assert "Đã lưu mật khẩu của tài khoản 'vanphong' vào " in screen
    assert PASSWORD not in screen  # not echoed while typed, not repeated after
    assert PASSWORD.encode("utf-8") not in keyring_file(keyring_home).read_bytes()  # the file backend encodes it

    private_keyring.file_path = str(keyring_file(keyring_home))  # this process reads the keyring the child wrote
    assert keyring.get_password(KEYRING_SERVICE, "vanphong") == PASSWORD

    handler = Recorder()
    auth = authenticator(handler, PASSWORD)
    with smtp_server(handler, tls_context=server_ctx, require_starttls=True, authenticator=auth, auth_require_tls=True) as server:
        point_mail_at(monkeypatch, server.port, security="starttls", ca_file=ca_file)  # no CCHT_SMTP_PASSWORD
        code, out, err = run_cli(workdir, "mail", "--period", PERIOD, "--send")

    assert code == 0, out + err
    assert handler.logins == ["vanphong"]
    assert len(handler.messages) == MESSAGES
    assert PASSWORD not in out + err
    assert list((workdir / "output" / "logs").glob("*_mail.log"))  # the send's log is among what is checked
    assert PASSWORD.encode("utf-8") not in every_byte_written(workdir)


def test_the_keyring_comes_before_the_environment(tmp_path, monkeypatch, tls, private_keyring):
    server_ctx, ca_file = tls
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    private_keyring.set_password(KEYRING_SERVICE, "vanphong", "right")
    handler = Recorder()

    with smtp_server(handler, tls_context=server_ctx, require_starttls=True, authenticator=authenticator(handler, "right"), auth_require_tls=True) as server:
        point_mail_at(monkeypatch, server.port, security="starttls", ca_file=ca_file, user="vanphong")
        monkeypatch.setenv("CCHT_SMTP_PASSWORD", "stale-one")
        code, out, err = run_cli(workdir, "mail", "--period", PERIOD, "--send")

    assert code == 0, out + err
    assert handler.logins == ["vanphong"] and len(handler.messages) == MESSAGES


def test_an_unusable_keyring_falls_back_to_the_environment(tmp_path, monkeypatch, tls):
    server_ctx, ca_file = tls
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    keyring.set_keyring(fail.Keyring())  # a machine without any keyring backend (the fixture restores it)
    handler = Recorder()

    with smtp_server(handler, tls_context=server_ctx, require_starttls=True, authenticator=authenticator(handler, "from-env"), auth_require_tls=True) as server:
        point_mail_at(monkeypatch, server.port, security="starttls", ca_file=ca_file, user="vanphong")
        monkeypatch.setenv("CCHT_SMTP_PASSWORD", "from-env")
        code, out, err = run_cli(workdir, "mail", "--period", PERIOD, "--send")

    assert code == 0, out + err
    assert [r[0] for r, _ in handler.parsed()].count(EMAILS["VP"]) == 2  # feedback and the office's copy


def test_no_password_anywhere_says_both_ways_to_give_one(tmp_path, monkeypatch):
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    with smtp_server(Recorder()) as server:
        point_mail_at(monkeypatch, server.port, user="vanphong")
        code, out, err = run_cli(workdir, "mail", "--period", PERIOD, "--send")
    assert code == 2 and out == ""
    assert "ccht-batch mail password" in err and "CCHT_SMTP_PASSWORD" in err


def test_two_different_entries_store_nothing(tmp_path):
    workdir = with_account(tmp_path)
    keyring_home = tmp_path / "xdg"
    child = spawn("--workdir", workdir, "mail", "password", env=keyring_env(keyring_home))
    child.expect("Mật khẩu: ")
    child.sendline("mot")
    child.expect("Nhập lại mật khẩu: ")
    child.sendline("hai")
    code, screen = finish(child)
    assert code == 2
    assert "hai lần nhập mật khẩu không giống nhau; chưa lưu gì" in screen
    assert "mot" not in screen.replace("một", "") and "hai lần" in screen
    assert not keyring_file(keyring_home).exists()


def test_mail_password_for_another_account_and_delete(tmp_path, private_keyring):
    workdir = make_workdir(tmp_path)  # mail.user is empty: the account is given with --user
    keyring_home = tmp_path / "xdg"
    child = spawn("--workdir", workdir, "mail", "password", "--user", "hopthu.den@lamdong.gov.vn", env=keyring_env(keyring_home))
    for prompt in ("Mật khẩu: ", "Nhập lại mật khẩu: "):
        child.expect(prompt)
        child.sendline("inbox-secret")
    assert finish(child)[0] == 0
    private_keyring.file_path = str(keyring_file(keyring_home))
    assert keyring.get_password(KEYRING_SERVICE, "hopthu.den@lamdong.gov.vn") == "inbox-secret"

    code, out, err = run_cli(workdir, "mail", "password", "--user", "hopthu.den@lamdong.gov.vn", "--delete")
    assert (code, err) == (0, "")
    assert "Đã xóa mật khẩu của tài khoản 'hopthu.den@lamdong.gov.vn'" in out
    assert keyring.get_password(KEYRING_SERVICE, "hopthu.den@lamdong.gov.vn") is None
    code, out, _ = run_cli(workdir, "mail", "password", "--user", "hopthu.den@lamdong.gov.vn", "--delete")
    assert code == 0 and "không có gì để xóa" in out


@pytest.mark.parametrize(
    "argv, words",
    [
        ((), ("mail.user", "--user")),  # no account configured: no password needed
        (("--user", "vanphong"), ("cần cửa sổ lệnh",)),  # not on a terminal: cannot ask without echo
    ],
)
def test_mail_password_refusals(tmp_path, argv, words):
    workdir = make_workdir(tmp_path)
    code, out, err = run_cli(workdir, "mail", "password", *argv)
    assert code == 2
    for word in words:
        assert word in err


def test_password_options_belong_to_mail_password(tmp_path):
    workdir = make_workdir(tmp_path)
    code, out, err = run_cli(workdir, "mail", "--period", PERIOD, "--user", "vanphong")
    assert code == 2 and out == "" and "chỉ dùng với 'ccht-batch mail password'" in err


def test_no_keyring_on_the_machine_is_said_plainly(tmp_path):
    workdir = with_account(tmp_path)
    child = spawn("--workdir", workdir, "mail", "password", env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    for prompt in ("Mật khẩu: ", "Nhập lại mật khẩu: "):
        child.expect(prompt)
        child.sendline("x-secret")
    code, screen = finish(child)
    assert code == 3
    assert "Không lưu được mật khẩu: máy tính này không có kho mật khẩu" in screen and "mail.password_env" in screen
    assert "x-secret" not in screen
