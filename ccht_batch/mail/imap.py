"""The Office's mailbox over IMAP: the settings as deployed, and one session that reads the units' messages,
moves the ones collected, and files a copy of each message the program sends.

Settings come from ``inbox:`` in ``settings.yaml`` and the environment wins (``CCHT_IMAP_*``, as for
sending). The mailbox is in use only when a host is set. The password is looked up like the SMTP one
(``secrets.lookup_password``); it is never printed, logged or stored.

Every failure becomes an ``ImapFailure`` with a Vietnamese reason; ``lost`` says the session was open and
broke (what was not finished is done again by the next run), as against a server that could not be used
at all (unreachable, TLS, login refused).
"""

from __future__ import annotations

import base64
import datetime as dt
import imaplib
import re
import ssl
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Callable, Mapping, TypeVar

from ccht_batch.config.model import SECURITY, Config
from ccht_batch.core.oserrors import os_reason
from ccht_batch.mail.secrets import lookup_password
from ccht_batch.mail.smtp import MailSetupError

ENV_HOST = "CCHT_IMAP_HOST"
ENV_PORT = "CCHT_IMAP_PORT"
ENV_SECURITY = "CCHT_IMAP_SECURITY"
ENV_USER = "CCHT_IMAP_USER"
ENV_FOLDER = "CCHT_IMAP_FOLDER"
ENV_CA_FILE = "CCHT_IMAP_CA_FILE"

HEADER_BATCH = 200  # messages per FETCH of headers


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    security: str  # ssl | starttls | none
    user: str
    password: str = field(repr=False)
    ca_file: Path | None
    timeout: int
    folder: str
    processed_folder: str  # "": mark as read and leave in place
    sent_folder: str  # "": no copies of sent mail

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def _env(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name)
    return value.strip() if value is not None and value.strip() else None


def imap_settings(config: Config, environ: Mapping[str, str]) -> ImapSettings | None:
    """The mailbox settings in force (a non-empty ``CCHT_IMAP_*`` variable wins over ``settings.yaml``), or
    None when no host is set. Raises ``MailSetupError`` when a host is set but the rest cannot work."""
    inbox = config.settings.inbox
    host = _env(environ, ENV_HOST) or inbox.host
    if not host:
        return None
    security = inbox.security
    if (text := _env(environ, ENV_SECURITY)) is not None:
        if text.lower() not in SECURITY:
            raise MailSetupError(f"biến môi trường {ENV_SECURITY}='{text}' không hợp lệ: cần một trong {', '.join(SECURITY)}")
        security = text.lower()
    port = inbox.port or (993 if security == "ssl" else 143)
    if (text := _env(environ, ENV_PORT)) is not None:
        if not text.isdigit() or not 1 <= int(text) <= 65535:
            raise MailSetupError(f"biến môi trường {ENV_PORT}='{text}' không hợp lệ: cần số cổng từ 1 đến 65535 (ví dụ 993)")
        port = int(text)
    user = _env(environ, ENV_USER) or inbox.user
    if not user:
        raise MailSetupError(f"chưa khai báo tài khoản hộp thư: đặt inbox.user trong config/settings.yaml hoặc biến môi trường {ENV_USER}")
    password = lookup_password("imap", user, inbox.password_env, environ)
    if not password:
        raise MailSetupError(
            f"chưa có mật khẩu của hộp thư '{user}': hãy lưu mật khẩu bằng lệnh 'ccht-batch mail password' hoặc đặt vào biến môi trường "
            f"{inbox.password_env} rồi chạy lại; không ghi mật khẩu vào tệp cấu hình"
        )
    ca_text = _env(environ, ENV_CA_FILE) or inbox.ca_file
    ca_file = None
    if ca_text:
        ca_file = Path(ca_text)
        if not ca_file.is_absolute():
            ca_file = config.workdir / ca_file
        if not ca_file.is_file():
            raise MailSetupError(f"không tìm thấy tệp chứng chỉ CA '{ca_file}' (inbox.ca_file hoặc {ENV_CA_FILE})")
    folder = _env(environ, ENV_FOLDER) or inbox.folder
    return ImapSettings(host, port, security, user, password, ca_file, inbox.timeout_seconds, folder, inbox.processed_folder, inbox.sent_folder)


# ---------------------------------------------------------------------------------------------------
# Mailbox names: modified UTF-7 (RFC 3501 §5.1.3), so that a folder may be called "Đã lấy tệp"


def mailbox_name(name: str) -> str:
    """``name`` as IMAP carries it: modified UTF-7, quoted."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            packed = base64.b64encode("".join(pending).encode("utf-16-be")).decode("ascii").rstrip("=")
            out.append("&" + packed.replace("/", ",") + "-")
            pending.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    text = "".join(out)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---------------------------------------------------------------------------------------------------
# The session


class ImapFailure(Exception):
    """The mailbox could not be used; ``lost``: a session that was working stopped part-way (the line
    dropped, or the server refused a command), so what was done stays done and the rest is for later."""

    def __init__(self, text: str, lost: bool = False):
        super().__init__(text)
        self.lost = lost


@dataclass(frozen=True)
class Head:
    """A message as listed before it is downloaded: its UID, arrival time and header block."""

    uid: int
    arrived: dt.datetime | None
    header: bytes


def _reply(data: list | None) -> str:
    parts = [x.decode("utf-8", "replace") if isinstance(x, bytes) else str(x) for x in (data or []) if x is not None]
    return " ".join(" ".join(parts).split())


T = TypeVar("T")


class ImapSession:
    """One connection to the mailbox, opened by ``open`` and logged out by ``close`` or the ``with`` block."""

    def __init__(self, settings: ImapSettings):
        self.settings = settings
        self._imap: imaplib.IMAP4 | None = None

    def __enter__(self) -> "ImapSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- connecting

    def _context(self) -> ssl.SSLContext:
        ca = self.settings.ca_file
        return ssl.create_default_context(cafile=str(ca) if ca else None)

    def open(self) -> None:
        s = self.settings
        imap: imaplib.IMAP4 | None = None
        try:
            if s.security == "ssl":
                imap = imaplib.IMAP4_SSL(s.host, s.port, ssl_context=self._context(), timeout=s.timeout)
            else:
                imap = imaplib.IMAP4(s.host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    if "STARTTLS" not in imap.capabilities:
                        raise ImapFailure(f"máy chủ hộp thư {s.where} không hỗ trợ STARTTLS: kiểm tra inbox.security và inbox.port")
                    imap.starttls(ssl_context=self._context())
            self._login(imap)
        except BaseException as exc:
            if imap is not None:
                _shut(imap)
            raise self._connect_failure(exc) from None
        self._imap = imap

    def _login(self, imap: imaplib.IMAP4) -> None:
        s = self.settings
        if "LOGINDISABLED" in imap.capabilities:
            raise ImapFailure(f"máy chủ hộp thư {s.where} không cho đăng nhập khi kết nối chưa mã hóa: đặt inbox.security là ssl hoặc starttls")
        try:
            if (s.user + s.password).isascii():
                imap.login(s.user, s.password)
            else:  # LOGIN sends only ASCII; a Vietnamese password goes as UTF-8 in SASL PLAIN (RFC 4616)
                imap.authenticate("PLAIN", lambda _: b"\0" + s.user.encode("utf-8") + b"\0" + s.password.encode("utf-8"))
        except imaplib.IMAP4.abort:
            raise
        except imaplib.IMAP4.error as exc:
            raise ImapFailure(f"máy chủ hộp thư {s.where} từ chối đăng nhập tài khoản '{s.user}' ({_plain(exc)}): kiểm tra tài khoản và mật khẩu") from None
        # What the server offers once logged in (MOVE, UIDPLUS...): imaplib keeps the greeting's list.
        typ, data = imap.capability()
        if typ == "OK" and data and data[-1]:
            imap.capabilities = tuple(data[-1].decode("ascii", "replace").upper().split())

    def _connect_failure(self, exc: BaseException) -> BaseException:
        where = self.settings.where
        if isinstance(exc, ImapFailure):
            return exc
        if isinstance(exc, ssl.SSLCertVerificationError):
            text = f"chứng chỉ của máy chủ hộp thư {where} không được tin cậy ({exc.verify_message}); nếu máy chủ dùng chứng chỉ riêng, khai báo tệp CA ở inbox.ca_file"
        elif isinstance(exc, ssl.SSLError):
            text = f"lỗi TLS với máy chủ hộp thư {where} ({exc.reason or exc}): kiểm tra inbox.security (ssl, starttls, none) và inbox.port"
        elif isinstance(exc, OSError):
            text = f"không kết nối được máy chủ hộp thư {where} ({os_reason(exc)})"
        elif isinstance(exc, imaplib.IMAP4.error):
            text = f"máy chủ {where} không trả lời như một máy chủ hộp thư IMAP ({_plain(exc)}): kiểm tra inbox.host, inbox.port và inbox.security"
        else:
            return exc  # KeyboardInterrupt and the like: not a mailbox matter
        return ImapFailure(text)

    def close(self) -> None:
        if self._imap is not None:
            try:
                self._imap.logout()
            except (OSError, imaplib.IMAP4.error):
                pass
            _shut(self._imap)
            self._imap = None

    # -- commands

    def _call(self, what: str, command: Callable[[imaplib.IMAP4], T]) -> T:
        """Run one command; a broken connection or a refusal becomes an ``ImapFailure`` naming ``what``."""
        if self._imap is None:
            raise ImapFailure("chưa kết nối hộp thư")
        try:
            return command(self._imap)
        except ImapFailure:
            raise
        except (OSError, imaplib.IMAP4.abort) as exc:
            _shut(self._imap)
            self._imap = None
            reason = os_reason(exc) if isinstance(exc, OSError) else "máy chủ đóng kết nối"
            raise ImapFailure(f"mất kết nối với máy chủ hộp thư khi {what} ({reason})", lost=True) from None
        except imaplib.IMAP4.error as exc:
            raise ImapFailure(f"máy chủ hộp thư từ chối khi {what} ({_plain(exc)})", lost=True) from None

    def _ok(self, what: str, typ: str, data: list | None) -> None:
        if typ != "OK":
            raise ImapFailure(f"máy chủ hộp thư từ chối khi {what} ({_reply(data)})", lost=True)

    def select(self, folder: str, readonly: bool = False) -> None:
        typ, data = self._call(f"mở thư mục '{folder}'", lambda m: m.select(mailbox_name(folder), readonly=readonly))
        if typ != "OK":
            raise ImapFailure(f"không mở được thư mục '{folder}' của hộp thư {self.settings.where} ({_reply(data)}): kiểm tra inbox.folder")

    def search_since(self, since: dt.date) -> list[int]:
        """UIDs of the selected folder's messages that arrived on or after ``since`` (not deleted)."""
        day = f"{since.day}-{_MONTHS[since.month - 1]}-{since.year}"
        typ, data = self._call("tìm thư", lambda m: m.uid("SEARCH", "UNDELETED", "SINCE", day))
        self._ok("tìm thư", typ, data)
        return sorted(int(x) for x in b" ".join(d for d in data if d).split())

    def heads(self, uids: list[int]) -> list[Head]:
        """Arrival time and header block of each message, without downloading the bodies."""
        heads: list[Head] = []
        for start in range(0, len(uids), HEADER_BATCH):
            batch = ",".join(str(u) for u in uids[start : start + HEADER_BATCH])
            typ, data = self._call("đọc danh sách thư", lambda m: m.uid("FETCH", batch, "(UID INTERNALDATE BODY.PEEK[HEADER])"))
            self._ok("đọc danh sách thư", typ, data)
            for prefix, literal in _fetched(data):
                uid = re.search(rb"\bUID (\d+)", prefix)
                if uid is not None and literal is not None:
                    arrived = imaplib.Internaldate2tuple(prefix)
                    when = dt.datetime.fromtimestamp(time.mktime(arrived)).astimezone() if arrived else None
                    heads.append(Head(int(uid.group(1)), when, literal))
        return sorted(heads, key=lambda h: h.uid)

    def fetch(self, uid: int) -> bytes | None:
        """The whole message, as sent; None when it is no longer there. Leaves it unread."""
        typ, data = self._call("tải thư", lambda m: m.uid("FETCH", str(uid), "(BODY.PEEK[])"))
        self._ok("tải thư", typ, data)
        return next((literal for _, literal in _fetched(data) if literal is not None), None)

    def file_away(self, uid: int) -> None:
        """Move a collected message to the processed folder (created when missing), or mark it read."""
        folder = self.settings.processed_folder
        if not folder:
            typ, data = self._call("đánh dấu thư đã đọc", lambda m: m.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Seen)"))
            self._ok("đánh dấu thư đã đọc", typ, data)
            return
        what = f"chuyển thư sang thư mục '{folder}'"
        box = mailbox_name(folder)
        capabilities = self._imap.capabilities if self._imap is not None else ()
        if "MOVE" in capabilities:
            # imaplib does not know UID MOVE (RFC 6851): sent as it would send any UID command
            move = lambda m: m._simple_command("UID", "MOVE", str(uid), box)  # noqa: E731
        else:
            move = lambda m: m.uid("COPY", str(uid), box)  # noqa: E731
        typ, data = self._call(what, move)
        if typ != "OK" and "TRYCREATE" in _reply(data).upper():
            self._create(folder)
            typ, data = self._call(what, move)
        self._ok(what, typ, data)
        if "MOVE" not in capabilities:
            typ, data = self._call(what, lambda m: m.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Deleted)"))
            self._ok(what, typ, data)
            if "UIDPLUS" in capabilities:  # otherwise left marked deleted: an EXPUNGE would take others' too
                typ, data = self._call(what, lambda m: m._simple_command("UID", "EXPUNGE", str(uid)))
                self._ok(what, typ, data)

    def _create(self, folder: str) -> None:
        typ, data = self._call(f"tạo thư mục '{folder}'", lambda m: m.create(mailbox_name(folder)))
        if typ != "OK" and "ALREADYEXISTS" not in _reply(data).upper():
            self._ok(f"tạo thư mục '{folder}'", typ, data)

    def append(self, folder: str, message: bytes) -> None:
        """File a copy of ``message`` in ``folder`` (created when missing), marked read."""
        what = f"lưu bản sao vào thư mục '{folder}'"
        box = mailbox_name(folder)
        now = time.time()
        typ, data = self._call(what, lambda m: m.append(box, r"(\Seen)", now, message))
        if typ != "OK" and "TRYCREATE" in _reply(data).upper():
            self._create(folder)
            typ, data = self._call(what, lambda m: m.append(box, r"(\Seen)", now, message))
        self._ok(what, typ, data)


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _fetched(data: list) -> list[tuple[bytes, bytes | None]]:
    """imaplib's FETCH answer as (the text around the literal, the literal) per message."""
    out: list[tuple[bytes, bytes | None]] = []
    for item in data or []:
        if isinstance(item, tuple):
            out.append((item[0], item[1]))
        elif isinstance(item, bytes) and item != b")":
            if out and not re.match(rb"\d+ \(", item):  # items the server put after the literal
                out[-1] = (out[-1][0] + b" " + item, out[-1][1])
            else:  # a response without a literal (an unsolicited flag change)
                out.append((item, None))
    return out


def _plain(exc: BaseException) -> str:
    text = str(exc)
    text = re.sub(r"^command: \w+ => ", "", text)
    return " ".join(text.replace("b'", "").replace("'", "").split())


def _shut(imap: imaplib.IMAP4) -> None:
    try:
        imap.shutdown()
    except OSError:
        pass


class SentCopies:
    """A copy of each message sent, filed in the mailbox's Sent folder over one session opened at the first
    copy. A failure is kept for the report, never raised: the message itself went, and is never sent again
    for want of its copy."""

    def __init__(self, settings: ImapSettings | None):
        self.settings = settings if settings is not None and settings.sent_folder else None
        self.filed = 0
        self.problem: str | None = None
        self._session: ImapSession | None = None

    @property
    def folder(self) -> str:
        return self.settings.sent_folder if self.settings is not None else ""

    def __enter__(self) -> "SentCopies":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def file(self, message: EmailMessage) -> None:
        if self.settings is None or self.problem is not None:
            return
        try:
            if self._session is None:
                self._session = ImapSession(self.settings)
                self._session.open()
            self._session.append(self.settings.sent_folder, message.as_bytes())
            self.filed += 1
        except ImapFailure as exc:
            self.problem = str(exc)
            self.close()

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
