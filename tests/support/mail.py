"""Shared helpers of the mail tests (no tests here): a realistic month of outputs, the CLI, a real SMTP server."""

from __future__ import annotations

import contextlib
import email
import json
import re
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Iterator

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from ccht_batch.config.load import load_config
from ccht_batch.config.workdir import init_workdir
from ccht_batch.forms.template import write_templates
from ccht_batch.store.db import Store
from ccht_batch.xlsx.util import new_workbook
from support.cli import run_in as run_cli  # noqa: F401  (re-exported for the mail tests)

PERIOD = "2025-11"
YEAR = 2025

# One unit in each situation; the default units.yaml has these nine units.
UNITS: list[dict[str, Any]] = [
    {"code": "VP", "name": "Văn phòng Sở", "status": "submitted", "total": 90.25, "result": 92.5, "rank": 1, "rank_change": 1, "band": "Xuất sắc"},
    {"code": "TTRA", "name": "Thanh tra Sở", "status": "submitted", "total": 83.5, "result": 85.25, "rank": 2, "rank_change": -1, "band": "Tốt"},
    {"code": "KHTC", "name": "Phòng Kế hoạch - Tài chính", "status": "rejected", "total": None, "result": None, "rank": None, "rank_change": None, "band": None},
    {"code": "QLKH", "name": "Phòng Quản lý Khoa học", "status": "missing", "total": None, "result": None, "rank": None, "rank_change": None, "band": None},
    {"code": "QLCN", "name": "Phòng Quản lý Công nghệ và Sở hữu trí tuệ", "status": "carried", "total": 80, "result": 80, "rank": 3, "rank_change": 0, "band": "Tốt"},
    {"code": "BCVT", "name": "Phòng Bưu chính, Viễn thông", "status": "submitted", "total": 78.75, "result": 78.75, "rank": 4, "rank_change": None, "band": "Khá"},
    {"code": "CDS", "name": "Phòng Chuyển đổi số", "status": "missing", "total": None, "result": None, "rank": None, "rank_change": None, "band": None},
    {"code": "CCTDC", "name": "Chi cục Tiêu chuẩn Đo lường Chất lượng", "status": "submitted", "total": 70, "result": 70, "rank": 5, "rank_change": 2, "band": "Khá"},
    {"code": "TTUD", "name": "Trung tâm Ứng dụng tiến bộ khoa học và công nghệ", "status": "submitted", "total": 66.5, "result": 66.5, "rank": 6, "rank_change": -2, "band": "Khá"},
]
EMAILS = {
    "VP": "vanphong.skhcn@lamdong.gov.vn",
    "TTRA": "thanhtra.skhcn@lamdong.gov.vn",
    "KHTC": "khtc.skhcn@lamdong.gov.vn",
    "QLKH": "qlkh.skhcn@lamdong.gov.vn",
    "QLCN": "qlcn.skhcn@lamdong.gov.vn",
    "BCVT": "bcvt.skhcn@lamdong.gov.vn",
    "CDS": "cds.skhcn@lamdong.gov.vn",
    "CCTDC": "chicuc.tdc@lamdong.gov.vn",
    "TTUD": "ttud.skhcn@lamdong.gov.vn",
}
LEADERSHIP = ["bgd.skhcn@lamdong.gov.vn", "hdtdkt.skhcn@lamdong.gov.vn", "vanphong.skhcn@lamdong.gov.vn"]
SENT_THIS_PERIOD = ("VP", "TTRA", "KHTC", "BCVT", "CCTDC", "TTUD")  # they have a PhanHoi workbook
NEVER_SENT = ("QLKH", "CDS")  # missing, no submission in the store: their template goes along
MESSAGES = len(UNITS) + len(LEADERSHIP)

FILES = [
    {
        "name": "TTRA_2025.xlsx", "sha256": "a" * 64, "status": "accepted", "unit_code": "TTRA",
        "issues": [{"code": "evidence-missing", "severity": "warning", "sheet": "Tự chấm điểm", "cell": "E9", "value": None,
                    "message": "Tiêu chí 1.3 bắt buộc có tài liệu kiểm chứng nhưng ô để trống: tiêu chí được 0 điểm."}],
    },
    {
        "name": "khtc thang 11.xlsx", "sha256": "b" * 64, "status": "rejected", "unit_code": "KHTC",
        "issues": [
            {"code": "score-not-a-number", "severity": "error", "sheet": "Tự chấm điểm", "cell": "D14", "value": "abc",
             "message": "Điểm 'abc' không phải là số. Hãy nhập số, ví dụ 2,5 hoặc 2.5."},
            {"code": "score-out-of-range", "severity": "error", "sheet": "Tự chấm điểm", "cell": "D15", "value": "9",
             "message": "Điểm 9 nằm ngoài khoảng cho phép 0 - 6. Hãy nhập lại điểm trong khoảng này."},
        ],
    },
]
NOMINATIONS = [
    {"award": "giay-khen-so", "award_name": "Giấy khen của Giám đốc Sở", "kind": "collective", "name": "Văn phòng Sở", "unit_code": "VP", "eligible": True, "reasons": []},
    {"award": "giay-khen-so", "award_name": "Giấy khen của Giám đốc Sở", "kind": "individual", "name": "Trần Văn Bình", "unit_code": "VP", "eligible": None, "reasons": []},
]


def small_xlsx(path: Path, text: str) -> bytes:
    """A real small workbook whose bytes depend on ``text`` (and nothing else)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = new_workbook(path, title=text)
    ws = wb.add_worksheet("Phản hồi")
    ws.write_string(0, 0, text)
    wb.close()
    return path.read_bytes()


def make_workdir(tmp_path: Path) -> Path:
    workdir = tmp_path / "ccht"
    init_workdir(workdir)
    return workdir


def edit_config(workdir: Path, name: str, old: str, new: str) -> None:
    path = workdir / "config" / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def write_summary(workdir: Path, units: list[dict[str, Any]] | None = None, period: str = PERIOD) -> None:
    out = workdir / "output" / period
    out.mkdir(parents=True, exist_ok=True)
    summary = {"period": period, "milestone": None, "files": FILES, "units": units or UNITS, "nominations": NOMINATIONS}
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")


def write_month(workdir: Path, period: str = PERIOD) -> dict[str, bytes]:
    """summary.json and the workbooks of a month, templates of the units that never sent, and a store in
    which KHTC (rejected this month) had a file accepted earlier in the year. Returns attachment name → bytes."""
    write_summary(workdir, period=period)
    out = workdir / "output" / period
    files: dict[str, bytes] = {}
    for code in SENT_THIS_PERIOD:
        files[f"PhanHoi_{code}_{period}.xlsx"] = small_xlsx(out / "PhanHoi" / f"{code}.xlsx", f"Phản hồi {code} {period}")
    for name in (f"TongHop_{period}.xlsx", f"DeNghiKhenThuong_{period}.xlsx"):
        files[name] = small_xlsx(out / name, name)
    for code, path in zip(NEVER_SENT, write_templates(load_config(workdir), YEAR, list(NEVER_SENT))):
        files[path.name] = path.read_bytes()
    record_submission(workdir, "KHTC", YEAR, "2025-03")
    return files


def record_submission(workdir: Path, unit_code: str, year: int, period: str) -> None:
    with Store(workdir / "data" / "ccht-batch.sqlite") as store, store.transaction() as conn:
        run = conn.execute("INSERT INTO runs (period, started_at, status) VALUES (?, '2025-03-06T08:00:00', 'committed')", (period,)).lastrowid
        file_id = conn.execute(
            "INSERT INTO files (run_id, period, name, size, mtime, status, unit_code, year, issues_json) VALUES (?, ?, 'x.xlsx', 1, 0, 'accepted', ?, ?, '[]')",
            (run, period, unit_code, year),
        ).lastrowid
        conn.execute("INSERT INTO submissions (file_id, unit_code, year, period, mtime, values_json) VALUES (?, ?, ?, ?, 0, '{}')", (file_id, unit_code, year, period))


def mail_log(workdir: Path) -> list[dict[str, Any]]:
    with Store(workdir / "data" / "ccht-batch.sqlite") as store:
        return [dict(r) for r in store.all("SELECT * FROM mail_log ORDER BY id")]


def parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]


def display_name(msg: EmailMessage, header: str = "To") -> str:
    """The display name of an address header, decoded as RFC 2047 §6.2 says: the folding between two
    encoded words is not part of the text (Python's address parser turns it into a space; mail readers
    do not)."""
    raw = next(value for name, value in msg.raw_items() if name.lower() == header.lower())
    text = str(make_header(decode_header(" ".join(raw.split()))))
    return text.rsplit(" <", 1)[0].strip('"')


def encoded_words(data: bytes) -> list[bytes]:
    """Every RFC 2047 encoded word in a message's header block."""
    head = data.split(b"\r\n\r\n", 1)[0]
    return re.findall(rb"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=", head)


def attachments(msg: EmailMessage) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in msg.iter_attachments()}


def bodies(msg: EmailMessage) -> tuple[str, str]:
    """Plain and HTML bodies, with the wire's CRLF line ends read back as newlines."""
    return tuple(msg.get_body((kind,)).get_content().replace("\r\n", "\n") for kind in ("plain", "html"))  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------------
# A real SMTP server on 127.0.0.1


class Recorder:
    """An aiosmtpd handler keeping every accepted message; it can refuse recipients or drop the line."""

    def __init__(self, refuse: tuple[str, ...] = (), drop_after: int | None = None):
        self.refuse = {a.lower() for a in refuse}
        self.drop_after = drop_after
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.logins: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if address.lower() in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.drop_after is not None and len(self.messages) >= self.drop_after:
            server.transport.close()
            return "421 closing"
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"

    def parsed(self) -> list[tuple[list[str], EmailMessage]]:
        return [(rcpts, parse(data)) for _, rcpts, data in self.messages]


class _Controller(Controller):
    """aiosmtpd's controller on a port the system picks (port=0), read back before the self-check connects."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@contextlib.contextmanager
def smtp_server(handler: Recorder, **kwargs: Any) -> Iterator[_Controller]:
    controller = _Controller(handler, hostname="127.0.0.1", port=0, server_hostname="localhost", **kwargs)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def authenticator(handler: Recorder, password: str):
    """An aiosmtpd AUTH check accepting the account ``vanphong`` with ``password`` only."""

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"vanphong" and auth_data.password == password.encode("utf-8")
        if ok:
            handler.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    return authenticate


def point_mail_at(monkeypatch, port: int, security: str = "none", ca_file: Path | None = None, user: str | None = None) -> None:
    """Configuration through the environment, as a deployment would do it."""
    monkeypatch.setenv("CCHT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CCHT_SMTP_PORT", str(port))
    monkeypatch.setenv("CCHT_SMTP_SECURITY", security)
    for name in ("CCHT_SMTP_USER", "CCHT_SMTP_CA_FILE", "CCHT_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    if ca_file is not None:
        monkeypatch.setenv("CCHT_SMTP_CA_FILE", str(ca_file))
    if user is not None:
        monkeypatch.setenv("CCHT_SMTP_USER", user)
