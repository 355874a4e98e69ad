"""Contract tests of `ccht-batch mail` dry runs (DESIGN.md §9, §10; issue #6): .eml files a clerk can open."""

from __future__ import annotations

import email
import email.policy
from types import SimpleNamespace

import pytest
from support.contract import (
    PERIOD,
    VI_MARKS,
    Template,
    applicable,
    cli,
    cli_proc,
    criteria,
    fill_full,
    load_yaml,
    new_workdir,
    submit_full_and_run,
    units,
)


@pytest.fixture(scope="module")
def m(tmp_path_factory):
    wd = new_workdir(tmp_path_factory.mktemp("contract_mail"))
    crits = criteria(wd)
    us = {u["code"]: u for u in units(wd)}
    for code in ("VP", "KHTC"):
        t = Template(wd / "output" / "templates" / f"{code}_2025.xlsx")
        fill_full(t, crits, applicable(crits, us[code]))
        t.save(wd / "input" / f"{code.lower()}.xlsx")
    ns = SimpleNamespace(wd=wd)
    ns.run = cli(wd, "run", "--period", PERIOD)
    # TTRA loses its address: the dry run must list it, and still exit 0
    cfg = wd / "config" / "units.yaml"
    ns.ttra_email = us["TTRA"]["email"]
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(f"email: {ns.ttra_email}", 'email: ""'), encoding="utf-8")
    ns.mail = cli(wd, "mail", "--period", PERIOD)
    ns.outbox = wd / "output" / PERIOD / "outbox"
    ns.msgs = {p.name: email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
               for p in sorted(ns.outbox.glob("*.eml"))}
    return ns


def _addresses(msg) -> set[str]:
    return {a.addr_spec for h in ("To", "Cc", "Bcc") if msg[h] for a in msg[h].addresses}


def _attachments(msg) -> dict[str, bytes]:
    return {p.get_filename(): p.get_payload(decode=True) for p in msg.iter_attachments()}


def test_dry_run_exits_0_and_lists_unit_without_address(m):
    assert m.run.rc == 0, m.run.text
    assert m.mail.rc == 0, m.mail.text
    assert "TTRA" in m.mail.out, m.mail.out
    assert VI_MARKS.search(m.mail.out) and "Traceback" not in m.mail.text


def test_eml_files_parse_with_headers(m):
    assert m.msgs, "the dry run writes .eml files"
    sender = load_yaml(m.wd, "settings.yaml")["mail"]["sender"]["address"]
    for name, msg in m.msgs.items():
        for h in ("From", "To", "Subject", "Date", "Message-ID"):
            assert msg[h], (name, h)
        assert sender in str(msg["From"])
        assert VI_MARKS.search(str(msg["Subject"])), msg["Subject"]
        plain = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        assert plain is not None and html is not None, name
        assert VI_MARKS.search(plain.get_content())


def test_no_message_to_the_unit_without_address(m):
    everyone = set().union(*(_addresses(x) for x in m.msgs.values()))
    assert "" not in everyone
    assert m.ttra_email not in everyone


def test_each_unit_that_sent_gets_its_feedback_workbook(m):
    us = {u["code"]: u for u in units(m.wd)}
    for code in ("VP", "KHTC"):
        mine = [x for x in m.msgs.values() if us[code]["email"] in _addresses(x)
                and any(n and n.endswith(".xlsx") for n in _attachments(x))]
        assert mine, code
        feedback = (m.wd / "output" / PERIOD / "PhanHoi" / f"{code}.xlsx").read_bytes()
        assert any(feedback in _attachments(x).values() for x in mine), f"{code}: PhanHoi bytes not attached"
        assert any("11/2025" in str(x["Subject"]) for x in mine)


def test_leadership_gets_consolidated_workbooks(m):
    leaders = [r["email"] for r in load_yaml(m.wd, "settings.yaml")["mail"]["leadership"]]
    tonghop = (m.wd / "output" / PERIOD / f"TongHop_{PERIOD}.xlsx").read_bytes()
    lists = (m.wd / "output" / PERIOD / f"DeNghiKhenThuong_{PERIOD}.xlsx").read_bytes()
    for addr in leaders:
        mine = [x for x in m.msgs.values() if addr in _addresses(x)]
        assert mine, addr
        att = set().union(*(set(_attachments(x).values()) for x in mine))
        assert tonghop in att and lists in att, addr


def test_missing_units_get_a_reminder(m):
    missing = [u for u in units(m.wd) if u["code"] not in ("VP", "KHTC", "TTRA")]
    for u in missing:
        assert any(u["email"] in _addresses(x) for x in m.msgs.values()), u["code"]


def test_mail_templates_dry_run(tmp_path):
    wd = new_workdir(tmp_path)
    r = cli(wd, "mail", "templates", "--year", "2025")
    assert r.rc == 0, r.text
    outbox = wd / "output" / "templates" / "outbox"
    emls = sorted(outbox.glob("*.eml"))
    assert len(emls) == len(units(wd))
    for p in emls:
        msg = email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        att = _attachments(msg)
        assert len(att) == 1
        (name, data), = att.items()
        assert (wd / "output" / "templates" / name).read_bytes() == data


class _Inbox:
    """A real SMTP server on 127.0.0.1 that keeps every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_send_delivers_once_and_rerun_sends_nothing_new(tmp_path):
    from aiosmtpd.controller import Controller

    wd = new_workdir(tmp_path)
    us = submit_full_and_run(wd)
    inbox = _Inbox()
    port = _free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        env = {"CCHT_SMTP_HOST": "127.0.0.1", "CCHT_SMTP_PORT": str(port), "CCHT_SMTP_SECURITY": "none", "CCHT_SMTP_USER": ""}
        r = cli_proc(wd, "mail", "--period", PERIOD, "--send", env=env)
        assert r.rc == 0, r.text
        first = len(inbox.messages)
        got = {a for rcpts, _ in inbox.messages for a in rcpts}
        assert us["VP"]["email"] in got
        assert all(u["email"] in got for u in us.values())
        leaders = [x["email"] for x in load_yaml(wd, "settings.yaml")["mail"]["leadership"]]
        assert set(leaders) <= got
        vp_msgs = [email.message_from_bytes(c, policy=email.policy.default) for rc, c in inbox.messages if us["VP"]["email"] in rc]
        feedback = (wd / "output" / PERIOD / "PhanHoi" / "VP.xlsx").read_bytes()
        assert any(feedback in _attachments(x).values() for x in vp_msgs)
        r = cli_proc(wd, "mail", "--period", PERIOD, "--send", env=env)
        assert r.rc == 0, r.text
        assert len(inbox.messages) == first, "exactly once: nothing changed, nothing sent again"
    finally:
        server.stop()
