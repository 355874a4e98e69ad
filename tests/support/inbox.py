"""Messages as real mail clients send them, byte for byte, for the inbox tests (no tests here).

- Outlook (and Thunderbird): attachment names in RFC 2231 (``filename*=utf-8''…``), long ones continued
  (``filename*0*=…; filename*1*=…``), bodies in base64, ``----=_NextPart_`` boundaries.
- Gmail: names as RFC 2047 words inside the quotes (``filename="=?UTF-8?B?…?="``), long ones as several
  words, ``X-Attachment-Id``.
- A forward "as attachment": the unit's message inside a ``message/rfc822`` part.
- Outlook's RTF mode: everything inside ``winmail.dat`` (``application/ms-tnef``).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import uuid
import zipfile
from email.header import Header
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote

from ccht_batch.config.load import load_config
from ccht_batch.forms.filling import fill_template
from ccht_batch.forms.template import write_templates
from support.workdirs import EVIDENCE, GOOD, INDICATORS

TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    ".xls": "application/vnd.ms-excel",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".zip": "application/x-zip-compressed",
    ".pdf": "application/pdf",
    ".rar": "application/x-rar-compressed",
    ".eml": "application/octet-stream",  # a saved message attached as a file
}
TNEF = b"\x78\x9f\x3e\x22" + b"\x01\x06\x90\x08\x00" + bytes(200)  # the TNEF signature, then records

TZ = dt.timezone(dt.timedelta(hours=7))


def when(day: int, hour: int = 9, minute: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute, tzinfo=TZ)


def unit_workbook(workdir: Path, code: str, year: int = 2025, **kw) -> bytes:
    """A unit's filled template, as its head sends it back."""
    config = load_config(workdir)
    template = workdir / "output" / "templates" / f"{code}_{year}.xlsx"
    if not template.exists():
        write_templates(config, year, [code])
    out = workdir / "output" / "filled" / f"{code}-{uuid.uuid4().hex[:6]}.xlsx"
    out.parent.mkdir(parents=True, exist_ok=True)
    fill_template(template, out, **({"scores": GOOD, "evidence": EVIDENCE, "indicators": INDICATORS} | kw))
    return out.read_bytes()


def _b64(data: bytes) -> str:
    text = base64.b64encode(data).decode("ascii")
    return "\r\n".join(text[i : i + 76] for i in range(0, len(text), 76))


def _words(text: str) -> str:
    """RFC 2047, as both clients write display names and subjects."""
    return text if text.isascii() else Header(text, "utf-8").encode(linesep="\r\n")


def _rfc2231(name: str) -> str:
    """``filename*=utf-8''…``; continued in pieces of 60 (never inside a %XX) when long, as Outlook does."""
    encoded = quote(name.encode("utf-8"), safe="")
    if len(encoded) <= 60:
        return f"filename*=utf-8''{encoded}"
    pieces, rest = [], encoded
    while rest:
        cut = min(60, len(rest))
        while "%" in rest[max(cut - 2, 0) : cut]:
            cut -= 1
        pieces.append(rest[:cut])
        rest = rest[cut:]
    first = f"filename*0*=utf-8''{pieces[0]}"
    return ";\r\n\t".join([first] + [f"filename*{i}*={p}" for i, p in enumerate(pieces[1:], 1)])


def _gmail_name(name: str) -> str:
    """RFC 2047 words inside the quotes, several for a long name, as Gmail writes them."""
    if name.isascii():
        return f'"{name}"'
    data, words, chunk = name, [], ""
    for ch in data:
        if len((chunk + ch).encode("utf-8")) > 30:
            words.append(chunk)
            chunk = ""
        chunk += ch
    words.append(chunk)
    return '"' + "\r\n\t".join(f"=?UTF-8?B?{base64.b64encode(w.encode()).decode()}?=" for w in words) + '"'


def _type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return TYPES.get(suffix, "application/octet-stream")


def _body(text: str, boundary: str) -> str:
    html = "<html><body><p>" + text.replace("\n", "<br>") + "</p></body></html>"
    return (
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{_b64(text.encode())}\r\n"
        f"--{boundary}\r\nContent-Type: text/html; charset=\"utf-8\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{_b64(html.encode())}\r\n"
        f"--{boundary}--\r\n"
    )


def outlook(
    sender: str,
    sender_name: str,
    subject: str,
    date: dt.datetime,
    attachments: list[tuple[str, bytes]],
    *,
    to: str = "vanphong.skhcn@lamdong.gov.vn",
    message_id: str | None = None,
    body: str = "Kính gửi Văn phòng Sở,\nĐơn vị gửi bảng tự chấm điểm tháng này.\nTrân trọng.",
    inner: bytes | None = None,
    inner_name: str = "",
) -> bytes:
    """A message as Outlook 16 writes it; ``inner``: a whole message forwarded as an attachment."""
    mark = uuid.uuid4().hex[:8].upper()
    outer, alt = f"----=_NextPart_000_0001_{mark}", f"----=_NextPart_001_0002_{mark}"
    message_id = message_id or f"<000001dc{uuid.uuid4().hex[:12]}$@lamdong.gov.vn>"
    parts = [_body(body, alt)]
    for name, data in attachments:
        if name.casefold() == "winmail.dat":
            head = 'Content-Type: application/ms-tnef; name="winmail.dat"\r\nContent-Disposition: attachment; filename="winmail.dat"'
        else:
            head = f'Content-Type: {_type(name)}\r\nContent-Disposition: attachment;\r\n\t{_rfc2231(name)}'
        parts.append(f"{head}\r\nContent-Transfer-Encoding: base64\r\n\r\n{_b64(data)}\r\n")
    if inner is not None:
        parts.append(
            f"Content-Type: message/rfc822\r\nContent-Disposition: attachment;\r\n\t{_rfc2231(inner_name)}\r\n\r\n"
            + inner.decode("utf-8")
            + "\r\n"
        )
    head = (
        f"From: {_words(sender_name)} <{sender}>\r\n"
        f'To: "{to}" <{to}>\r\n'
        f"Subject: {_words(subject)}\r\n"
        f"Date: {format_datetime(date)}\r\n"
        f"Message-ID: {message_id}\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/mixed;\r\n\tboundary="{outer}"\r\n'
        "X-Mailer: Microsoft Outlook 16.0\r\n"
        "Content-Language: vi\r\n\r\n"
        "This is a multipart message in MIME format.\r\n\r\n"
    )
    return (head + "".join(f"--{outer}\r\n{p}\r\n" for p in parts) + f"--{outer}--\r\n").encode("utf-8")


def gmail(sender: str, sender_name: str, subject: str, date: dt.datetime, attachments: list[tuple[str, bytes]], *, to: str = "vanphong.skhcn@lamdong.gov.vn") -> bytes:
    """A message as Gmail's web client writes it."""
    outer, alt = f"000000000000{uuid.uuid4().hex[:16]}", f"000000000000{uuid.uuid4().hex[:16]}"
    parts = [_body("Gửi Văn phòng Sở bảng tự chấm điểm ạ.", alt)]
    for i, (name, data) in enumerate(attachments):
        encoded = _gmail_name(name)
        parts.append(
            f"Content-Type: {_type(name)}; \r\n\tname={encoded}\r\n"
            f"Content-Disposition: attachment; \r\n\tfilename={encoded}\r\n"
            f"Content-Transfer-Encoding: base64\r\nContent-ID: <f_m3x{i}>\r\nX-Attachment-Id: f_m3x{i}\r\n\r\n{_b64(data)}\r\n"
        )
    head = (
        "MIME-Version: 1.0\r\n"
        f"From: {_words(sender_name)} <{sender}>\r\n"
        f"Date: {format_datetime(date)}\r\n"
        f"Message-ID: <CAF{uuid.uuid4().hex}@mail.gmail.com>\r\n"
        f"Subject: {_words(subject)}\r\n"
        f"To: {to}\r\n"
        f'Content-Type: multipart/mixed; boundary="{outer}"\r\n\r\n'
    )
    return (head + "".join(f"--{outer}\r\n{p}" for p in parts) + f"--{outer}--\r\n").encode("utf-8")


def zipped(members: dict[str, bytes], protected: bool = False) -> bytes:
    """A .zip as Windows' "Send to compressed folder" makes it; ``protected``: entries marked encrypted."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    data = bytearray(buf.getvalue())
    if protected:  # the flag a password sets, in the local and the central headers
        for sig, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            pos = data.find(sig)
            while pos >= 0:
                data[pos + at] |= 0x1
                pos = data.find(sig, pos + 4)
    return bytes(data)
