"""Sending: drafts as MIME messages, the SMTP settings as deployed, one SMTP session, and the log that
makes delivery exactly-once.

Settings come from ``settings.yaml`` and the environment wins (``CCHT_SMTP_*``), so a deployment or a test
points the program elsewhere without editing YAML. The password lives in the system keyring or in the
environment variable named in the settings (``mail.secrets``); it is never printed, logged or stored here.

Each message is recorded in the store's ``mail_log`` in its own transaction right after the server accepted
it, so a crash or a dropped connection loses nothing and a rerun resends nothing already delivered.
"""

from __future__ import annotations

import base64
import smtplib
import ssl
import uuid
from dataclasses import dataclass, field
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from pathlib import Path
from typing import Mapping

from ccht_batch.config.model import SECURITY, Config, MailSettings
from ccht_batch.core.oserrors import os_reason
from ccht_batch.mail.compose import Draft, header_text
from ccht_batch.mail.secrets import lookup_password

ENV_HOST = "CCHT_SMTP_HOST"
ENV_PORT = "CCHT_SMTP_PORT"
ENV_SECURITY = "CCHT_SMTP_SECURITY"
ENV_USER = "CCHT_SMTP_USER"
ENV_CA_FILE = "CCHT_SMTP_CA_FILE"
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# ---------------------------------------------------------------------------------------------------
# The message on the wire


# Headers we encode ourselves are stored raw and written as they are ("refold_source": none). Python 3.11's
# own folding writes encoded words over RFC 2047's 75 characters and drops the space between two of them in
# a display name ("học và" read back "họcvà" by a reader that follows the RFC), so the words are made here.
_POLICY = email_policy.SMTP.clone(refold_source="none")
_FOLD = 78  # RFC 5322 §2.1.1: a header line should stay within 78 characters
WORD_MAX = 75  # RFC 2047 §2: an encoded word is at most 75 characters
_WORD_OVERHEAD = len("=?utf-8?b??=")


def _word(text: str) -> str:
    return "=?utf-8?b?" + base64.b64encode(text.encode("utf-8")).decode("ascii") + "?="


def encoded_words(text: str, first: int = WORD_MAX) -> list[str]:
    """``text`` as RFC 2047 "B" words of at most 75 characters each (the first at most ``first``).

    A word ends before a space when one is in reach (the space opens the next word), else between two
    characters, never inside one character's bytes. The spaces stay inside the words, and a reader joins
    adjacent words without the folding between them (RFC 2047 §6.2), so the text comes back exactly."""
    words: list[str] = []
    room = min(first, WORD_MAX)
    while text:
        budget = max(3, (room - _WORD_OVERHEAD) // 4 * 3)  # UTF-8 bytes that fit, base64 in whole quanta
        size, cut = 0, 0
        for i, ch in enumerate(text):
            size += len(ch.encode("utf-8"))
            if size > budget:
                break
            cut = i + 1
        else:
            words.append(_word(text))
            break
        cut = max(cut, 1)
        space = text.rfind(" ", 1, cut + 1)
        if space > cut // 2:
            cut = space
        words.append(_word(text[:cut]))
        text = text[cut:]
        room = WORD_MAX
    return words


def _folded(header: str, parts: list[str]) -> str:
    """``parts`` on as few lines as fit in 78 characters (after ``Header: ``), folded between parts."""
    lines: list[str] = []
    width = len(header) + 2
    for part in parts:
        if lines and width + 1 + len(part) <= _FOLD:
            lines[-1] += " " + part
            width += 1 + len(part)
        else:
            width = (width if not lines else 1) + len(part)
            lines.append(part)
    return "\r\n ".join(lines)


def encoded_subject(subject: str) -> str:
    """The subject with its leading ASCII words as they are and the rest as RFC 2047 words of at most 75
    characters, folded between words: what every reader decodes the same."""
    text = header_text(subject)
    if text.isascii():
        return text
    first = next(i for i, ch in enumerate(text) if not ch.isascii())
    split = text.rfind(" ", 0, first)
    plain, rest = (text[:split], text[split + 1:]) if split > 0 else ("", text)
    room = _FOLD - len("Subject: ") - (len(plain) + 1 if plain else 0)
    return _folded("Subject", ([plain] if plain else []) + encoded_words(rest, room))


def encoded_address(header: str, name: str, address: str) -> str:
    """``name <address>``: a Vietnamese name as RFC 2047 words of at most 75 characters, folded."""
    name = header_text(name)
    if not name:
        return address
    if name.isascii():
        return formataddr((name, address))
    room = _FOLD - len(header) - 2
    return _folded(header, encoded_words(name, room) + [f"<{address}>"])


def to_message(draft: Draft, mail: MailSettings) -> EmailMessage:
    """The MIME message of a draft: a fresh Date and Message-ID, 7-bit safe (QP text, base64 files)."""
    msg = EmailMessage(policy=_POLICY)
    msg.set_raw("From", encoded_address("From", mail.sender_name, mail.sender_address))
    msg.set_raw("To", encoded_address("To", draft.name, draft.address or ""))
    if mail.reply_to:
        msg.set_raw("Reply-To", encoded_address("Reply-To", mail.sender_name, mail.reply_to))
    msg.set_raw("Subject", encoded_subject(draft.subject))
    msg["Date"] = formatdate(localtime=True)
    # Short enough to stay on one header line (make_msgid's ids are long and get folded).
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@{mail.sender_address.rsplit('@', 1)[-1]}>"
    # Sent by a program: no out-of-office or other automatic reply should come back (RFC 3834; Exchange)
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(draft.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(draft.html, subtype="html", charset="utf-8", cte="quoted-printable")
    for a in draft.attachments:
        msg.add_attachment(a.data, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=a.name)
    return msg


# ---------------------------------------------------------------------------------------------------
# The server


class MailSetupError(Exception):
    """The mail settings cannot work (no host, a bad port, a password variable not set...): nothing is sent."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # starttls | ssl | none
    user: str
    password: str = field(repr=False)
    ca_file: Path | None
    timeout: int


def _env(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name)
    return value.strip() if value is not None and value.strip() else None


def smtp_account(config: Config, environ: Mapping[str, str]) -> str:
    """The account that logs in to the SMTP server ("" when the server takes mail without a login)."""
    return _env(environ, ENV_USER) or config.settings.mail.user


def smtp_settings(config: Config, environ: Mapping[str, str]) -> SmtpSettings:
    """The settings in force: a non-empty ``CCHT_SMTP_*`` variable wins over ``settings.yaml``."""
    mail = config.settings.mail
    host = _env(environ, ENV_HOST) or mail.host
    if not host:
        raise MailSetupError(f"chưa khai báo máy chủ thư: đặt mail.host trong config/settings.yaml hoặc biến môi trường {ENV_HOST}")
    port = mail.port
    if (text := _env(environ, ENV_PORT)) is not None:
        if not text.isdigit() or not 1 <= int(text) <= 65535:
            raise MailSetupError(f"biến môi trường {ENV_PORT}='{text}' không hợp lệ: cần số cổng từ 1 đến 65535 (ví dụ 587)")
        port = int(text)
    security = mail.security
    if (text := _env(environ, ENV_SECURITY)) is not None:
        if text.lower() not in SECURITY:
            raise MailSetupError(f"biến môi trường {ENV_SECURITY}='{text}' không hợp lệ: cần một trong {', '.join(SECURITY)}")
        security = text.lower()
    user = smtp_account(config, environ)
    password = ""
    if user:
        password = lookup_password("smtp", user, mail.password_env, environ) or ""
        if not password:
            raise MailSetupError(
                f"đã khai báo tài khoản gửi thư '{user}' nhưng chưa có mật khẩu: kho mật khẩu của hệ điều hành chưa lưu mật khẩu "
                f"của tài khoản này và biến môi trường {mail.password_env} chưa được đặt. Hãy lưu mật khẩu bằng lệnh "
                f"'ccht-batch mail password' (hoặc đặt biến {mail.password_env}) rồi chạy lại; không ghi mật khẩu vào tệp cấu hình"
            )
    ca_text = _env(environ, ENV_CA_FILE) or mail.ca_file
    ca_file = None
    if ca_text:
        ca_file = Path(ca_text)
        if not ca_file.is_absolute():
            ca_file = config.workdir / ca_file
        if not ca_file.is_file():
            raise MailSetupError(f"không tìm thấy tệp chứng chỉ CA '{ca_file}' (mail.ca_file hoặc {ENV_CA_FILE})")
    return SmtpSettings(host, port, security, user, password, ca_file, mail.timeout_seconds)


class DeliveryFailure(Exception):
    """One message not delivered; ``fatal`` when the session itself is lost, so the rest cannot go either."""

    def __init__(self, text: str, fatal: bool):
        super().__init__(text)
        self.fatal = fatal


def _reply(code: int | None, message: bytes | str | None) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else (message or "")
    return " ".join(x for x in (str(code) if code else "", " ".join(text.split())) if x)


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """smtplib's login sends only ASCII; a Vietnamese password goes as UTF-8 (RFC 4616 PLAIN, or LOGIN)."""
    if (user + password).isascii():
        smtp.login(user, password)
        return
    offered = smtp.esmtp_features.get("auth", "").upper().split()
    b64 = lambda data: base64.b64encode(data).decode("ascii")  # noqa: E731
    if "PLAIN" in offered:
        code, reply = smtp.docmd("AUTH", "PLAIN " + b64(b"\0" + user.encode("utf-8") + b"\0" + password.encode("utf-8")))
    elif "LOGIN" in offered:
        code, reply = smtp.docmd("AUTH", "LOGIN " + b64(user.encode("utf-8")))
        if code == 334:
            code, reply = smtp.docmd(b64(password.encode("utf-8")))
    else:
        raise smtplib.SMTPNotSupportedError("AUTH PLAIN/LOGIN not offered")
    if code not in (235, 503):  # 503: already authenticated
        raise smtplib.SMTPAuthenticationError(code, reply)


class SmtpSession:
    """One connection, opened on the first message and reused; closed by ``close`` or the ``with`` block."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "SmtpSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _context(self) -> ssl.SSLContext:
        ca = self.settings.ca_file
        return ssl.create_default_context(cafile=str(ca) if ca else None)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        where = f"{s.host}:{s.port}"
        smtp: smtplib.SMTP | None = None
        try:
            if s.security == "ssl":
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._context())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            smtp.ehlo()
            if s.security == "starttls":
                smtp.starttls(context=self._context())
                smtp.ehlo()
            if s.user:
                _login(smtp, s.user, s.password)
            return smtp
        except BaseException as exc:
            if smtp is not None:
                smtp.close()
            raise self._connect_failure(exc, where) from None

    def _connect_failure(self, exc: BaseException, where: str) -> BaseException:
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            text = f"máy chủ thư {where} từ chối đăng nhập tài khoản '{self.settings.user}' ({_reply(exc.smtp_code, exc.smtp_error)}): kiểm tra tài khoản và mật khẩu"
        elif isinstance(exc, smtplib.SMTPNotSupportedError):
            text = f"máy chủ thư {where} không hỗ trợ STARTTLS hoặc đăng nhập: kiểm tra mail.security và mail.port"
        elif isinstance(exc, ssl.SSLCertVerificationError):
            text = f"chứng chỉ của máy chủ thư {where} không được tin cậy ({exc.verify_message}); nếu máy chủ dùng chứng chỉ riêng, khai báo tệp CA ở mail.ca_file"
        elif isinstance(exc, ssl.SSLError):
            text = f"lỗi TLS với máy chủ thư {where} ({exc.reason or exc}): kiểm tra mail.security (starttls, ssl, none) và mail.port"
        elif isinstance(exc, smtplib.SMTPResponseException):
            text = f"máy chủ thư {where} từ chối phiên làm việc ({_reply(exc.smtp_code, exc.smtp_error)})"
        elif isinstance(exc, (OSError, smtplib.SMTPException)):
            text = f"không kết nối được máy chủ thư {where}" + (f" ({os_reason(exc)})" if isinstance(exc, OSError) else "")
        else:
            return exc  # KeyboardInterrupt and the like: not a delivery matter
        return DeliveryFailure(text, fatal=True)

    def deliver(self, sender: str, recipient: str, data: bytes) -> None:
        """Hand one message to the server; return only once it answered 250 for it."""
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.sendmail(sender, [recipient], data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, message = exc.recipients.get(recipient, (None, b""))
            raise DeliveryFailure(f"máy chủ từ chối người nhận {recipient} ({_reply(code, message)})", fatal=False) from None
        except smtplib.SMTPServerDisconnected:
            self._drop()
            raise DeliveryFailure("máy chủ thư ngắt kết nối giữa chừng; thư này chưa được xác nhận đã gửi", fatal=True) from None
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:
                self._drop()
                raise DeliveryFailure(f"máy chủ thư đóng phiên làm việc ({_reply(exc.smtp_code, exc.smtp_error)})", fatal=True) from None
            raise DeliveryFailure(f"máy chủ từ chối thư ({_reply(exc.smtp_code, exc.smtp_error)})", fatal=False) from None
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            reason = f" ({os_reason(exc)})" if isinstance(exc, OSError) else ""
            raise DeliveryFailure(f"mất kết nối với máy chủ thư{reason}", fatal=True) from None

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._drop()
