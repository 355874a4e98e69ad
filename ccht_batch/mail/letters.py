"""A received message, read: who sent it and when, the spreadsheets it carries, and what it carries that
cannot be used.

Messages come as real mail clients write them: attachment names in RFC 2231 (Outlook, Thunderbird) or as
RFC 2047 words inside the quotes (Gmail), a workbook inside a forwarded message (``message/rfc822``, or an
attached ``.eml``), inside a ``.zip``, or lost in Outlook's ``winmail.dat``. Names are decoded and kept in
Vietnamese (NFC). A zip is opened under the same limits as a submitted workbook (``intake.safety``).
Nothing here touches the disk or the server.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import email
import hashlib
import quopri
import re
import unicodedata
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import parseaddr, parsedate_to_datetime
from typing import Callable

from ccht_batch.config.model import Limits
from ccht_batch.core import issues
from ccht_batch.core.issues import Issue
from ccht_batch.intake import safety
from ccht_batch.intake.parallel import SPREADSHEET_SUFFIXES

MB = 1024 * 1024
WINMAIL_TYPES = ("application/ms-tnef", "application/vnd.ms-tnef")
OTHER_ARCHIVES = (".rar", ".7z", ".zipx", ".tar", ".gz", ".tgz", ".bz2", ".xz")
MAX_DEPTH = 5  # forwarded messages inside forwarded messages


@dataclass(frozen=True)
class Attachment:
    name: str  # as the sender named it (decoded, NFC)
    data: bytes = field(repr=False)
    sha256: str


@dataclass
class Letter:
    sender: str  # the From address, lower case
    sender_name: str
    date: dt.datetime | None  # as the Date header says, in the sender's time zone
    subject: str
    spreadsheets: list[Attachment] = field(default_factory=list)
    notes: list[Issue] = field(default_factory=list)  # what could not be used
    interesting: bool = False  # carried a spreadsheet, an archive or winmail.dat: worth telling about


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def message_key(header: bytes) -> tuple[str, str | None]:
    """(the key a message is recorded under, its Message-ID) from its header block alone."""
    message_id = _message_id(BytesHeaderParser(policy=policy.compat32).parsebytes(header))
    return (message_id or "sha256:" + hashlib.sha256(header).hexdigest()), message_id


def _message_id(msg: email.message.Message) -> str | None:
    value = " ".join(str(msg.get("Message-ID", "")).split())
    return value or None


def read_letter(raw: bytes, limits: Limits, ours: Callable[[str], bool] = lambda _: False) -> Letter:
    """Read a whole message; ``ours(message_id)`` tells a message this program sent (never collected)."""
    msg: EmailMessage = email.message_from_bytes(raw, policy=policy.default)  # type: ignore[assignment]
    name, address = parseaddr(_text(msg, "From"))
    letter = Letter(
        sender=address.strip().lower(),
        sender_name=nfc(name.strip()),
        date=_date(msg),
        subject=nfc(" ".join(_text(msg, "Subject").split())),
    )
    if msg.get_content_type() != "multipart/report":  # a delivery report quotes a message, it sends none
        _Reader(letter, limits, ours).part(msg, 0)
    return letter


def _text(msg: email.message.Message, name: str) -> str:
    try:
        return str(msg.get(name, "") or "")
    except (ValueError, TypeError, IndexError, LookupError):  # too broken for the parser: its raw words
        raw = next((v for k, v in msg.raw_items() if k.lower() == name.lower()), "")
        try:
            return str(make_header(decode_header(raw)))
        except (ValueError, LookupError, UnicodeDecodeError):
            return raw


def _date(msg: email.message.Message) -> dt.datetime | None:
    try:
        when = parsedate_to_datetime(_text(msg, "Date"))
    except (ValueError, TypeError, IndexError):
        return None
    return when  # in the sender's own time zone: the day the unit sees on its message


class _Reader:
    def __init__(self, letter: Letter, limits: Limits, ours: Callable[[str], bool]):
        self.letter = letter
        self.limits = limits
        self.ours = ours

    def note(self, code: str, name: str, **params: object) -> None:
        self.letter.notes.append(issues.make(code, file=name, name=name, **params))

    def part(self, part: email.message.Message, depth: int) -> None:
        ctype = part.get_content_type()
        if ctype == "message/rfc822":  # a forward "as attachment"
            self.forwarded(_inner_message(part), depth)
            return
        if part.is_multipart():
            for sub in part.get_payload():
                self.part(sub, depth)
            return
        name = filename(part)
        if name is None:
            if ctype in WINMAIL_TYPES:
                self.winmail("winmail.dat")
            return  # a body, or an image of the signature
        data = part.get_payload(decode=True) or b""
        lower = name.casefold()
        if lower == "winmail.dat" or ctype in WINMAIL_TYPES:
            self.winmail(name)
        elif lower.endswith(".eml"):
            self.forwarded(email.message_from_bytes(data, policy=policy.default), depth)
        elif lower.endswith(SPREADSHEET_SUFFIXES):
            self.spreadsheet(name, data)
        elif lower.endswith(".zip"):
            self.archive(name, data)
        elif lower.endswith(OTHER_ARCHIVES):
            self.letter.interesting = True
            self.note("mail-archive-unreadable", name, detail="chương trình chỉ mở được tệp nén .zip")
        elif part.get_content_disposition() != "inline" or part.get_content_maintype() != "image":
            self.note("mail-not-spreadsheet", name)

    def forwarded(self, inner: email.message.Message | None, depth: int) -> None:
        if inner is None or depth >= MAX_DEPTH:
            return
        message_id = _message_id(inner)
        if message_id and self.ours(message_id):
            return  # the program's own message, forwarded back: nothing of the unit's in it
        self.part(inner, depth + 1)

    def winmail(self, name: str) -> None:
        self.letter.interesting = True
        self.note("mail-winmail", name)

    def spreadsheet(self, name: str, data: bytes) -> None:
        self.letter.interesting = True
        if len(data) > self.limits.max_file_mb * MB:
            self.note("mail-attachment-too-large", name, size_mb=f"{len(data) / MB:.1f}".replace(".", ","), limit_mb=self.limits.max_file_mb)
            return
        self.letter.spreadsheets.append(Attachment(name, data, hashlib.sha256(data).hexdigest()))

    def archive(self, name: str, data: bytes) -> None:
        """The spreadsheets inside a zip, under the limits of a submitted workbook."""
        self.letter.interesting = True
        try:
            zf = safety.open_zip(data, self.limits)
            members = [e for e in zf.infolist() if not e.is_dir() and e.filename.casefold().endswith(SPREADSHEET_SUFFIXES)]
            if any(e.flag_bits & 0x1 for e in members):
                self.note("mail-archive-protected", name)
                return
            found = [(e, safety.read_member(data, zf, e.filename) or b"") for e in members]
        except safety.Refused as refused:
            code, params = refused.problems[0]
            if code == "file-corrupt":
                self.note("mail-archive-unreadable", name, detail=params.get("detail", ""))
            else:
                reason = issues.make(code, **params).message.split(". ")[0]
                self.note("mail-archive-too-large", name, detail=reason)
            return
        if not found:
            self.note("mail-not-spreadsheet", name)
        for entry, body in found:
            self.spreadsheet(member_name(entry.filename, entry.flag_bits), body)


def _inner_message(part: email.message.Message) -> email.message.Message | None:
    """The message inside a ``message/rfc822`` part. Some clients send it in base64 or quoted-printable,
    which the parser does not undo: it reads the encoded text as a message without headers."""
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding not in ("base64", "quoted-printable"):
        return inner
    text = inner.get_payload() if inner is not None else payload
    if not isinstance(text, str):
        return inner
    try:
        data = base64.b64decode(text) if encoding == "base64" else quopri.decodestring(text.encode("ascii", "replace"))
    except (binascii.Error, ValueError):
        return inner
    return email.message_from_bytes(data, policy=policy.default)


def filename(part: email.message.Message) -> str | None:
    """An attachment's name as the sender saw it: RFC 2231 and RFC 2047 decoded, no folders, NFC."""
    try:
        name = part.get_filename()
    except (ValueError, TypeError, IndexError, LookupError):
        name = None
    if not name:
        return None
    if "=?" in name:  # RFC 2047 words the parser left as they were (folded, or in an odd place)
        try:
            name = str(make_header(decode_header(name)))
        except (ValueError, LookupError, UnicodeDecodeError):
            pass
    name = re.split(r"[\\/]", nfc(" ".join(name.split())))[-1]
    return name or None


def member_name(name: str, flag_bits: int) -> str:
    """A zip member's own name; UTF-8 names written without their flag (7-Zip, macOS) read back as such."""
    if not flag_bits & 0x800 and not name.isascii():
        try:
            name = name.encode("cp437").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return nfc(name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
