"""`ccht-batch collect` when things go wrong, against a real Dovecot: a process killed (SIGKILL) at each step
of saving, a connection cut mid-download, a server that cannot be reached, refuses the login or fails TLS,
settings that cannot work. Each attachment ends in input/ exactly once; nothing half-written remains."""

from __future__ import annotations

import base64
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.cli import run_in
from support.dovecot import PASSWORD_ENV, dovecot, free_port, needs_dovecot
from support.inbox import gmail, outlook, unit_workbook, when
from support.mail import edit_config
from support.netfault import cutting_relay
from support.seams import pause_marker

pytestmark = needs_dovecot

SINCE = ("--since", "2025-11-01")
PROCESSED = "Đã lấy tệp"


def inputs(workdir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((workdir / "input").iterdir()) if p.is_file()}


def saved_rows(workdir: Path) -> list[tuple]:
    with sqlite3.connect(workdir / "data" / "ccht-batch.sqlite") as conn:
        return conn.execute("SELECT name, sha256, status FROM inbox_files ORDER BY name").fetchall()


def point_at(monkeypatch, env: dict[str, str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def month(workdir: Path, server) -> dict[str, bytes]:
    """Three units' messages, one with two workbooks; returns name in input/ → bytes."""
    books = {code: unit_workbook(workdir, code) for code in ("VP", "TTRA", "KHTC")}
    second = unit_workbook(workdir, "VP", year=2025, scores={"1.1": 2})
    server.deliver(outlook("vanphong.skhcn@lamdong.gov.vn", "Văn phòng Sở", "Bảng tự chấm điểm", when(3), [("Văn phòng.xlsx", books["VP"]), ("Văn phòng - bản 2.xlsx", second)]), when(3))
    server.deliver(gmail("thanhtra.skhcn@lamdong.gov.vn", "Thanh tra Sở", "Bảng tự chấm điểm", when(4), [("Thanh tra.xlsx", books["TTRA"])]), when(4))
    server.deliver(outlook("khtc.skhcn@lamdong.gov.vn", "Phòng Kế hoạch - Tài chính", "Bảng tự chấm điểm", when(5), [("KHTC.xlsx", books["KHTC"])]), when(5))
    return {
        "2025-11-03_VP_Văn phòng.xlsx": books["VP"],
        "2025-11-03_VP_Văn phòng - bản 2.xlsx": second,
        "2025-11-04_TTRA_Thanh tra.xlsx": books["TTRA"],
        "2025-11-05_KHTC_KHTC.xlsx": books["KHTC"],
    }


def kill_at(workdir: Path, env: dict[str, str], stage: str, nth: int) -> None:
    """Run collect in a child process, wait until it pauses at the ``nth`` ``stage``, and SIGKILL it."""
    tests = Path(__file__).resolve().parent
    code = f"from support.seams import collect_paused; collect_paused({str(workdir)!r}, {stage!r}, {nth})"
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        env={**os.environ, **env, "PYTHONPATH": os.pathsep.join([str(tests.parent), str(tests)])},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    marker = pause_marker(workdir, stage)
    deadline = time.monotonic() + 120
    while not marker.exists():
        if proc.poll() is not None:
            raise AssertionError(f"collect ended before reaching the pause: {proc.stderr.read().decode()}")
        assert time.monotonic() < deadline, "collect never reached the pause"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stderr.close()
    marker.unlink()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize(
    "stage, nth",
    [
        ("fetched", 2),  # the second message downloaded, nothing of it written
        ("written", 2),  # VP's second workbook written under its temporary name, not renamed
        ("renamed", 3),  # TTRA's workbook in input/ under its name, not yet recorded as saved
        ("recorded", 1),  # VP's message recorded, not yet moved out of the folder
    ],
)
def test_a_collect_killed_mid_way_then_rerun_saves_each_attachment_exactly_once(workdir, monkeypatch, stage, nth):
    with dovecot() as server:
        expected = month(workdir, server)

        kill_at(workdir, server.env(), stage, nth)
        left = inputs(workdir)
        assert set(n for n in left if not n.startswith(".")) <= set(expected)
        assert any(n.startswith(".") for n in left) == (stage == "written")  # the only trace of a kill mid-write

        point_at(monkeypatch, server.env())
        code, _, err = run_in(workdir, "collect", *SINCE)
        assert code == 0, err

        assert inputs(workdir) == expected  # every attachment once, nothing half-written, no "(2)" copy
        assert saved_rows(workdir) == sorted((n, hashlib.sha256(b).hexdigest(), "saved") for n, b in expected.items())
        assert server.messages("INBOX") == []
        assert len(server.messages(PROCESSED)) == 3  # each message moved once
        # and again: nothing more
        assert run_in(workdir, "collect", *SINCE)[0] == 0
        assert inputs(workdir) == expected


def test_a_connection_cut_mid_download_keeps_what_was_saved_and_the_rerun_fetches_the_rest(workdir, monkeypatch):
    with dovecot() as server:
        expected = month(workdir, server)
        ttra = expected["2025-11-04_TTRA_Thanh tra.xlsx"]
        marker = base64.b64encode(ttra)[76 * 4 + 10 : 76 * 4 + 50]  # inside TTRA's attachment, on the wire

        with cutting_relay(server.port, marker) as relay:
            point_at(monkeypatch, server.env(port=relay.port))
            code, out, err = run_in(workdir, "collect", *SINCE)
            assert relay.cut.is_set()

        assert code == 3
        assert "Lỗi: mất kết nối với máy chủ hộp thư khi tải thư" in err
        assert "chạy lại lệnh để lấy tiếp, không tệp nào bị lưu hai lần" in err
        assert inputs(workdir) == {n: b for n, b in expected.items() if "_VP_" in n}  # VP's message only, whole
        assert "đã lưu 2 tệp" in out

        point_at(monkeypatch, server.env())
        code, out, _ = run_in(workdir, "collect", *SINCE)
        assert code == 0
        assert inputs(workdir) == expected
        assert "đã lưu 2 tệp" in out and "1 thư đã xử lý ở lần trước" not in out
        assert len(server.messages(PROCESSED)) == 3


# ---------------------------------------------------------------------------------------------------
# A server that cannot be used: exit 3, a Vietnamese reason, nothing written


def test_a_server_nobody_answers_on_exits_3_saying_so(workdir, monkeypatch):
    point_at(monkeypatch, {"CCHT_IMAP_HOST": "127.0.0.1", "CCHT_IMAP_PORT": str(free_port()), "CCHT_IMAP_SECURITY": "none", PASSWORD_ENV: "x"})
    code, out, err = run_in(workdir, "collect")
    assert code == 3
    assert err.startswith("Lỗi: không kết nối được máy chủ hộp thư 127.0.0.1:")
    assert "Chưa lấy tệp nào." in err
    assert inputs(workdir) == {}


def test_a_refused_login_exits_3_naming_the_account(workdir, monkeypatch):
    with dovecot() as server:
        point_at(monkeypatch, server.env() | {PASSWORD_ENV: "sai mật khẩu"})
        server.deliver(outlook("vanphong.skhcn@lamdong.gov.vn", "Văn phòng Sở", "a", when(3), [("a.xlsx", unit_workbook(workdir, "VP"))]), when(3))
        code, _, err = run_in(workdir, "collect", *SINCE)
    assert code == 3
    assert "từ chối đăng nhập tài khoản 'vanphong.skhcn@lamdong.gov.vn'" in err and "kiểm tra tài khoản và mật khẩu" in err
    assert "sai mật khẩu" not in err  # the password is never shown
    assert inputs(workdir) == {}


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_tls_with_the_servers_certificate_collects(workdir, monkeypatch, security):
    with dovecot(tls=True) as server:
        book = unit_workbook(workdir, "VP")
        server.deliver(outlook("vanphong.skhcn@lamdong.gov.vn", "Văn phòng Sở", "a", when(3), [("VP.xlsx", book)]), when(3))
        point_at(monkeypatch, server.env(security=security))
        code, _, err = run_in(workdir, "collect", *SINCE)
    assert code == 0, err
    assert inputs(workdir) == {"2025-11-03_VP_VP.xlsx": book}


def test_tls_faults_exit_3_with_what_to_check(workdir, monkeypatch):
    with dovecot(tls=True) as server:
        env = server.env(security="ssl")
        # a certificate the system does not trust (the private CA not given)
        point_at(monkeypatch, {k: v for k, v in env.items() if k != "CCHT_IMAP_CA_FILE"})
        monkeypatch.delenv("CCHT_IMAP_CA_FILE", raising=False)
        code, _, err = run_in(workdir, "collect")
        assert code == 3
        assert "chứng chỉ của máy chủ hộp thư 127.0.0.1:" in err and "inbox.ca_file" in err
        # ssl spoken to the plain port
        point_at(monkeypatch, env | {"CCHT_IMAP_PORT": str(server.port)})
        code, _, err = run_in(workdir, "collect")
        assert code == 3
        assert "lỗi TLS với máy chủ hộp thư" in err and "inbox.security" in err
    monkeypatch.delenv("CCHT_IMAP_CA_FILE")
    with dovecot() as server:  # starttls asked of a server without TLS
        point_at(monkeypatch, server.env(security="starttls"))
        code, _, err = run_in(workdir, "collect")
        assert code == 3
        assert "không hỗ trợ STARTTLS" in err
    assert inputs(workdir) == {}


def test_a_folder_that_does_not_exist_exits_3_naming_it(workdir, monkeypatch):
    with dovecot() as server:
        point_at(monkeypatch, server.env() | {"CCHT_IMAP_FOLDER": "Đơn vị gửi"})
        code, _, err = run_in(workdir, "collect")
    assert code == 3
    assert "không mở được thư mục 'Đơn vị gửi' của hộp thư" in err and "inbox.folder" in err


# ---------------------------------------------------------------------------------------------------
# Settings that cannot work: exit 2, nothing done


def test_without_a_mailbox_collect_exits_2_saying_what_to_set(workdir, monkeypatch):
    monkeypatch.delenv("CCHT_IMAP_HOST", raising=False)
    code, out, err = run_in(workdir, "collect")
    assert code == 2
    assert "chưa khai báo hộp thư: đặt inbox.host trong config/settings.yaml" in err and "CCHT_IMAP_HOST" in err


def test_a_missing_password_or_a_bad_variable_exits_2(workdir, monkeypatch):
    edit_config(workdir, "settings.yaml", 'host: ""                   # máy chủ IMAP', "host: mail.lamdong.gov.vn   # máy chủ IMAP")
    for name in ("CCHT_IMAP_HOST", "CCHT_IMAP_PORT", "CCHT_IMAP_SECURITY", "CCHT_IMAP_USER", PASSWORD_ENV):
        monkeypatch.delenv(name, raising=False)
    code, _, err = run_in(workdir, "collect")
    assert code == 2
    assert "chưa có mật khẩu của hộp thư 'vanphong.skhcn@lamdong.gov.vn'" in err and PASSWORD_ENV in err

    monkeypatch.setenv(PASSWORD_ENV, "x")
    monkeypatch.setenv("CCHT_IMAP_PORT", "99999")
    code, _, err = run_in(workdir, "collect")
    assert code == 2
    assert "CCHT_IMAP_PORT='99999' không hợp lệ" in err
