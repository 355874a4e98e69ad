"""`ccht-batch mail --send` through a real SMTP server on 127.0.0.1 (aiosmtpd): delivery, failures, exactly-once."""

from __future__ import annotations

import json
import re
import socket

import pytest
from support.mail import (
    EMAILS,
    LEADERSHIP,
    MESSAGES,
    PERIOD,
    UNITS,
    YEAR,
    Recorder,
    attachments,
    authenticator,
    bodies,
    display_name,
    edit_config,
    mail_log,
    make_workdir,
    parse,
    point_mail_at,
    run_cli,
    small_xlsx,
    smtp_server,
    write_month,
)

SENDER = "vanphong.skhcn@lamdong.gov.vn"


def received(handler: Recorder) -> list[tuple[str, str]]:
    """(envelope recipient, subject) of each message the server accepted."""
    return [(rcpts[0], str(msg["Subject"])) for rcpts, msg in handler.parsed()]


def test_a_months_mail_arrives_complete_and_is_logged(tmp_path, monkeypatch):
    workdir = make_workdir(tmp_path)
    files = write_month(workdir)
    handler = Recorder()

    with smtp_server(handler) as server:
        point_mail_at(monkeypatch, server.port)
        code, out, _ = run_cli(workdir, "mail", "--period", PERIOD, "--send")

    assert code == 0
    assert len(handler.messages) == MESSAGES
    assert all(mail_from == SENDER for mail_from, _, _ in handler.messages)
    delivered = handler.parsed()
    assert sorted(r[0] for r, _ in delivered) == sorted([*EMAILS.values(), *LEADERSHIP])
    names = {u["code"]: u["name"] for u in UNITS}
    for rcpts, msg in delivered:
        assert len(rcpts) == 1 and [a.addr_spec for a in msg["To"].addresses] == rcpts
        text, html = bodies(msg)
        assert text.startswith("Kính gửi: ") and "<table" in html
        got = attachments(msg)
        assert bool(got) == (rcpts[0] != EMAILS["QLCN"])  # the carried unit has nothing new to attach
        assert all(data == files[name] for name, data in got.items())
        if msg["Subject"] != "[CCHC] Tổng hợp kết quả tự chấm điểm tháng 11/2025":
            code_ = next(c for c, a in EMAILS.items() if a == rcpts[0])
            assert display_name(msg, "To") == names[code_]
            assert msg["Subject"].endswith(f" - {names[code_]}")
    vp = next(m for r, m in delivered if r == [EMAILS["VP"]] and "Kết quả" in m["Subject"])
    assert vp["Subject"] == "[CCHC] Kết quả tự chấm điểm tháng 11/2025 - Văn phòng Sở"
    assert attachments(vp) == {"PhanHoi_VP_2025-11.xlsx": files["PhanHoi_VP_2025-11.xlsx"]}
    assert re.search(r"Xếp hạng:\s+1/6 \(tăng 1 bậc", bodies(vp)[0])
    leaders = [m for r, m in delivered if "Tổng hợp" in m["Subject"]]
    assert len(leaders) == len(LEADERSHIP)
    assert all(set(attachments(m)) == {"TongHop_2025-11.xlsx", "DeNghiKhenThuong_2025-11.xlsx"} for m in leaders)

    log = mail_log(workdir)
    assert len(log) == MESSAGES
    assert sorted(row["message_id"] for row in log) == sorted(str(m["Message-ID"]).strip() for _, m in delivered)
    row = next(r for r in log if r["recipient"] == EMAILS["VP"] and r["kind"] == "feedback")
    assert row["scope"] == PERIOD and row["subject"] == vp["Subject"]
    assert json.loads(row["attachments_json"])[0]["name"] == "PhanHoi_VP_2025-11.xlsx"
    assert out.count("→ đã gửi") == MESSAGES
    assert "Kết quả: đã gửi 12; bỏ qua vì đã gửi 0; lỗi 0" in out


def test_a_rerun_sends_only_what_is_new_or_changed(tmp_path, monkeypatch):
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    first, second = Recorder(), Recorder()

    with smtp_server(first) as server:
        point_mail_at(monkeypatch, server.port)
        assert run_cli(workdir, "mail", "--period", PERIOD, "--send")[0] == 0
    with smtp_server(second) as server:
        point_mail_at(monkeypatch, server.port)
        code, out, _ = run_cli(workdir, "mail", "--period", PERIOD, "--send")
        assert code == 0 and second.messages == []
        assert out.count("bỏ qua vì đã gửi") == MESSAGES + 1  # each message, and the closing count

        # an attachment's bytes change: that message only
        small_xlsx(workdir / "output" / PERIOD / "PhanHoi" / "BCVT.xlsx", "Phản hồi BCVT, bản sửa")
        code, out, _ = run_cli(workdir, "mail", "--period", PERIOD, "--send")
        assert code == 0
        # sent again because it changed: the subject says it is an update
        assert received(second) == [(EMAILS["BCVT"], "[CCHC] Kết quả tự chấm điểm tháng 11/2025 - Phòng Bưu chính, Viễn thông (cập nhật)")]
        assert "đã gửi (nội dung đã thay đổi so với lần gửi trước)" in out

        # a figure of the body changes (TTRA's rank): TTRA and the leadership table, not the others
        second.messages.clear()
        summary_path = workdir / "output" / PERIOD / "summary.json"
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        summary["units"][1]["rank_change"] = 0
        summary_path.write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")
        assert run_cli(workdir, "mail", "--period", PERIOD, "--send")[0] == 0
        assert sorted(r for r, _ in received(second)) == sorted([EMAILS["TTRA"], *LEADERSHIP])

        # --resend alone: nothing is uncertain, so nothing goes again (never the whole period)
        second.messages.clear()
        assert run_cli(workdir, "mail", "--period", PERIOD, "--send", "--resend")[0] == 0
        assert second.messages == []
        # a unit says it got nothing: --to names it, --resend sends its message again, and only its
        code, out, _ = run_cli(workdir, "mail", "--period", PERIOD, "--send", "--resend", "--to", "bcvt")
        assert code == 0, out
        assert [r for r, _ in received(second)] == [EMAILS["BCVT"]]
        # --to alone: already sent, skipped (several names: commas); a name with no message is refused, nothing sent
        assert run_cli(workdir, "mail", "--period", PERIOD, "--send", "--to", f"{EMAILS['BCVT']},TTRA")[0] == 0
        code, _, err = run_cli(workdir, "mail", "--period", PERIOD, "--send", "--resend", "--to", "XYZ")
        assert code == 2 and "Không có thư nào của đợt này gửi cho: XYZ" in err
        assert len(second.messages) == 1
    assert len(mail_log(workdir)) == MESSAGES + 1 + 1 + 1 + len(LEADERSHIP)


def test_a_refused_recipient_is_reported_and_the_rerun_sends_only_it(tmp_path, monkeypatch):
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    refusing = Recorder(refuse=(EMAILS["TTRA"],))

    with smtp_server(refusing) as server:
        point_mail_at(monkeypatch, server.port)
        code, out, err = run_cli(workdir, "mail", "--period", PERIOD, "--send")

    assert code == 1
    assert len(refusing.messages) == MESSAGES - 1 and EMAILS["TTRA"] not in [r for r, _ in received(refusing)]
    assert f"lỗi: máy chủ từ chối người nhận {EMAILS['TTRA']} (550 5.1.1 Mailbox unavailable)" in err
    assert out.count("→ đã gửi") == MESSAGES - 1
    assert [r["recipient"] for r in mail_log(workdir)].count(EMAILS["TTRA"]) == 0

    accepting = Recorder()
    with smtp_server(accepting) as server:
        point_mail_at(monkeypatch, server.port)
        code, _, _ = run_cli(workdir, "mail", "--period", PERIOD, "--send")
    assert code == 0
    assert received(accepting) == [(EMAILS["TTRA"], "[CCHC] Kết quả tự chấm điểm tháng 11/2025 - Thanh tra Sở")]


def test_a_dropped_connection_stops_the_run_and_the_rerun_sends_the_rest(tmp_path, monkeypatch):
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    dropping = Recorder(drop_after=4)

    with smtp_server(dropping) as server:
        point_mail_at(monkeypatch, server.port)
        code, out, err = run_cli(workdir, "mail", "--period", PERIOD, "--send")

    assert code == 1
    first = received(dropping)
    assert len(first) == 4 and len(mail_log(workdir)) == 4
    assert out.count("→ đã gửi") == 4
    assert err.count("→ lỗi: máy chủ thư ngắt kết nối giữa chừng") == 1
    assert err.count("→ chưa gửi: dừng gửi sau lỗi kết nối") == MESSAGES - 5
    assert "Chạy lại đúng lệnh này để gửi các thư chưa gửi" in err

    rest = Recorder()
    with smtp_server(rest) as server:
        point_mail_at(monkeypatch, server.port)
        assert run_cli(workdir, "mail", "--period", PERIOD, "--send")[0] == 0
    second = received(rest)
    assert len(second) == MESSAGES - 4 and not set(first) & set(second)
    assert sorted(r for r, _ in first + second) == sorted([*EMAILS.values(), *LEADERSHIP])


def test_a_server_that_is_down_fails_every_message_and_exits_1(tmp_path, monkeypatch):
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    point_mail_at(monkeypatch, port)

    code, out, err = run_cli(workdir, "mail", "--period", PERIOD, "--send")

    assert code == 1
    assert err.count(f"→ lỗi: không kết nối được máy chủ thư 127.0.0.1:{port}") == 1
    assert err.count("→ chưa gửi:") == MESSAGES - 1 and "→" not in out
    assert mail_log(workdir) == []


@pytest.mark.parametrize("password", ["Pa55-word", "mật-khẩu s3cret"])
def test_starttls_with_a_private_ca_and_login_from_the_environment(tmp_path, monkeypatch, tls, password):
    server_ctx, ca_file = tls
    workdir = make_workdir(tmp_path)
    files = write_month(workdir)
    handler = Recorder()

    with smtp_server(handler, tls_context=server_ctx, require_starttls=True, authenticator=authenticator(handler, password), auth_require_tls=True) as server:
        point_mail_at(monkeypatch, server.port, security="starttls", ca_file=ca_file, user="vanphong")
        monkeypatch.setenv("CCHT_SMTP_PASSWORD", password)
        code, out, err = run_cli(workdir, "mail", "--period", PERIOD, "--send")

    assert code == 0, out + err
    assert handler.logins == ["vanphong"]
    assert len(handler.messages) == MESSAGES
    msg = next(m for r, m in handler.parsed() if r == [EMAILS["QLKH"]])
    assert attachments(msg) == {f"QLKH_{YEAR}.xlsx": files[f"QLKH_{YEAR}.xlsx"]}
    assert password not in out + err


def test_a_wrong_password_is_reported_without_showing_it(tmp_path, monkeypatch, tls):
    server_ctx, ca_file = tls
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    handler = Recorder()

    with smtp_server(handler, tls_context=server_ctx, require_starttls=True, authenticator=authenticator(handler, "right"), auth_require_tls=True) as server:
        point_mail_at(monkeypatch, server.port, security="starttls", ca_file=ca_file, user="vanphong")
        monkeypatch.setenv("CCHT_SMTP_PASSWORD", "wrong-secret")
        code, out, err = run_cli(workdir, "mail", "--period", PERIOD, "--send")

    assert code == 1 and handler.messages == []
    assert "từ chối đăng nhập tài khoản 'vanphong'" in err
    assert "wrong-secret" not in out + err


def test_starttls_refuses_an_untrusted_certificate(tmp_path, monkeypatch, tls):
    server_ctx, _ = tls
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    handler = Recorder()

    with smtp_server(handler, tls_context=server_ctx, require_starttls=True) as server:
        point_mail_at(monkeypatch, server.port, security="starttls")  # no CA file: the system's CAs
        code, out, err = run_cli(workdir, "mail", "--period", PERIOD, "--send")

    assert code == 1 and handler.messages == []
    assert "không được tin cậy" in err and "mail.ca_file" in err


def test_implicit_tls(tmp_path, monkeypatch, tls):
    server_ctx, ca_file = tls
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    handler = Recorder()

    with smtp_server(handler, ssl_context=server_ctx) as server:
        point_mail_at(monkeypatch, server.port, security="ssl", ca_file=ca_file)
        code, _, _ = run_cli(workdir, "mail", "--period", PERIOD, "--send")

    assert code == 0 and len(handler.messages) == MESSAGES


def test_a_user_without_the_password_variable_is_a_usage_error(tmp_path, monkeypatch):
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    handler = Recorder()

    with smtp_server(handler) as server:
        point_mail_at(monkeypatch, server.port, user="vanphong")
        code, out, err = run_cli(workdir, "mail", "--period", PERIOD, "--send")

    assert code == 2
    assert "CCHT_SMTP_PASSWORD" in err and "chưa được đặt" in err
    assert handler.messages == [] and mail_log(workdir) == []


def test_environment_values_are_checked(tmp_path, monkeypatch):
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    point_mail_at(monkeypatch, 25)

    monkeypatch.setenv("CCHT_SMTP_PORT", "abc")
    code, _, err = run_cli(workdir, "mail", "--period", PERIOD, "--send")
    assert code == 2 and "CCHT_SMTP_PORT='abc' không hợp lệ" in err

    monkeypatch.setenv("CCHT_SMTP_PORT", "25")
    monkeypatch.setenv("CCHT_SMTP_SECURITY", "tls")
    code, _, err = run_cli(workdir, "mail", "--period", PERIOD, "--send")
    assert code == 2 and "CCHT_SMTP_SECURITY='tls' không hợp lệ" in err

    monkeypatch.setenv("CCHT_SMTP_SECURITY", "none")
    monkeypatch.setenv("CCHT_SMTP_CA_FILE", str(tmp_path / "missing.pem"))
    code, _, err = run_cli(workdir, "mail", "--period", PERIOD, "--send")
    assert code == 2 and "không tìm thấy tệp chứng chỉ CA" in err


def test_send_with_a_unit_without_address_delivers_the_rest_and_exits_1(tmp_path, monkeypatch):
    workdir = make_workdir(tmp_path)
    edit_config(workdir, "units.yaml", "email: cds.skhcn@lamdong.gov.vn", 'email: ""')
    write_month(workdir)
    handler = Recorder()

    with smtp_server(handler) as server:
        point_mail_at(monkeypatch, server.port)
        code, out, _ = run_cli(workdir, "mail", "--period", PERIOD, "--send")

    assert code == 1
    assert len(handler.messages) == MESSAGES - 1
    assert "- CDS: Phòng Chuyển đổi số" in out and "không gửi được 1" in out


def test_mail_templates_send_each_unit_its_blank_template(tmp_path, monkeypatch):
    workdir = make_workdir(tmp_path)
    handler = Recorder()

    with smtp_server(handler) as server:
        point_mail_at(monkeypatch, server.port)
        code, _, _ = run_cli(workdir, "mail", "templates", "--year", str(YEAR), "--send")
        assert run_cli(workdir, "mail", "templates", "--year", str(YEAR), "--send")[0] == 0  # nothing twice

    assert code == 0
    assert sorted(r for r, _ in received(handler)) == sorted(EMAILS.values())
    for rcpts, msg in handler.parsed():
        code_ = next(c for c, a in EMAILS.items() if a == rcpts[0])
        path = workdir / "output" / "templates" / f"{code_}_{YEAR}.xlsx"
        assert attachments(msg) == {path.name: path.read_bytes()}  # generated first, then attached
    assert {r["scope"] for r in mail_log(workdir)} == {f"templates-{YEAR}"}


def test_the_previews_are_the_messages_that_are_then_sent(tmp_path, monkeypatch):
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    assert run_cli(workdir, "mail", "--period", PERIOD)[0] == 0
    previews = [parse(p.read_bytes()) for p in sorted((workdir / "output" / PERIOD / "outbox").glob("*.eml"))]
    handler = Recorder()

    with smtp_server(handler) as server:
        point_mail_at(monkeypatch, server.port)
        assert run_cli(workdir, "mail", "--period", PERIOD, "--send")[0] == 0

    def essence(msg):  # all but what is made at sending time (Date, Message-ID, MIME boundaries)
        return (str(msg["From"]), str(msg["To"]), str(msg["Reply-To"]), str(msg["Subject"]), bodies(msg), attachments(msg))

    assert [essence(m) for m in previews] == [essence(m) for _, m in handler.parsed()]
