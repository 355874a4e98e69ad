"""Delivering the month's messages (or the year's templates): previewed as .eml files, or sent.

Without ``--send`` nothing leaves the machine: every message that would go is written to an ``outbox/``
folder for the clerk to open first. With ``--send`` each message goes once: what the log shows as already
delivered with the same figures and attachments is skipped (unless named with ``--to`` and ``--resend``),
and every message's fate is listed, so a rerun after a failure sends exactly the rest.

The log is a journal (``store.maillog``): a message is recorded as being sent, committed, before the SMTP
transaction, and as sent after it. When the store cannot be written, nothing more is sent (``stopped``).
A message the journal shows as being sent — the run that sent it was killed, or could not record the
delivery — may have gone: it is listed as "có thể đã gửi" and sent again only with ``--resend``. After
``--send`` the store is backed up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from ccht_batch.config.model import Config
from ccht_batch.core.errors import UsageError
from ccht_batch.core.files import atomic_path, period_dir, templates_dir
from ccht_batch.core.lock import workdir_locked
from ccht_batch.core.periods import clock_text, period_text
from ccht_batch.mail.compose import (
    ComposeError,
    Draft,
    header_text,
    period_drafts,
    template_drafts,
)
from ccht_batch.mail.imap import SentCopies, imap_settings
from ccht_batch.mail.smtp import (
    DeliveryFailure,
    MailSetupError,
    SmtpSession,
    smtp_settings,
    to_message,
)
from ccht_batch.store.db import StoreError
from ccht_batch.store.guard import backup_store, open_store
from ccht_batch.store.maillog import SENDING, MailLog

# What happens to a draft. Blocked, failed and not-attempted count as "not delivered" (exit 1 with --send).
BLOCKED = "blocked"  # cannot be sent: no or bad address, attachment missing or too large
ALREADY_SENT = "already-sent"  # the log holds the same message
PREVIEW = "preview"  # dry run: written to the outbox
SENT = "sent"
FAILED = "failed"
NOT_ATTEMPTED = "not-attempted"  # the session was lost before its turn, or the store could not be written
MAYBE_SENT = "maybe-sent"  # journalled as being sent by a run that did not record the outcome


@dataclass
class Fate:
    draft: Draft
    state: str
    changed: bool = False  # sent before, but its figures or attachments changed since
    detail: str = ""
    eml: Path | None = None

    def text(self, workdir: Path) -> str:
        again = " (nội dung đã thay đổi so với lần gửi trước)" if self.changed else ""
        if self.state == BLOCKED:
            return f"không gửi được: {self.detail}"
        if self.state == ALREADY_SENT:
            return "bỏ qua vì đã gửi"
        if self.state == MAYBE_SENT:
            return (
                f"có thể đã gửi (lần gửi lúc {self.detail} bị gián đoạn trước khi ghi nhận kết quả); không gửi lại. "
                "Nếu người nhận chưa nhận được, gửi lại bằng --resend"
            )
        if self.state == PREVIEW:
            return f"sẽ gửi{again}; xem trước: {shown_path(self.eml, workdir)}"
        if self.state == SENT:
            return f"đã gửi{again}" + (f" ({self.detail})" if self.detail else "")
        if self.state == FAILED:
            return f"lỗi: {self.detail}"
        return f"chưa gửi: {self.detail}"


@dataclass
class MailRun:
    """What one ``mail`` command did: each draft's fate, and where previews went."""

    title: str
    fates: list[Fate]
    sent: bool  # True: --send (messages left the machine); False: previews in ``outbox``
    outbox: Path
    command: str  # the command line to repeat it (for the clerk)
    copies: SentCopies = field(default_factory=lambda: SentCopies(None))  # filed in the mailbox's Sent folder
    stopped: str | None = None  # why sending stopped: the store could not be written (Vietnamese)
    backup: Path | None = None  # the store's backup taken after --send
    notices: list[str] = field(default_factory=list)

    @property
    def undelivered(self) -> list[Fate]:
        return [f for f in self.fates if f.state in (BLOCKED, FAILED, NOT_ATTEMPTED, MAYBE_SENT)]


def deliver(
    config: Config,
    *,
    what: str = "period",
    period: str | None = None,
    year: int | None = None,
    send: bool = False,
    resend: bool = False,
    to: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
) -> MailRun:
    """Compose the period's messages (``what="period"``) or the year's templates (``"templates"``);
    preview them in the outbox, or with ``send`` deliver each one that the log does not show as sent.

    ``to`` (unit codes or addresses) keeps only those recipients' messages. ``resend`` sends again the
    messages that may have gone ("có thể đã gửi"), and, for the recipients named in ``to``, the ones already
    sent — never the whole period's: a unit that says it got nothing is named, the others are not mailed twice.

    Raises ``UsageError`` when the SMTP settings or the inputs are wrong (nothing sent)."""
    settings = None
    copies = SentCopies(None)
    if send:
        try:
            settings = smtp_settings(config, os.environ if environ is None else environ)
            copies = SentCopies(imap_settings(config, os.environ if environ is None else environ))
        except MailSetupError as exc:
            raise UsageError(str(exc)) from None
    if what == "templates":
        assert year is not None
        title = f"Thư gửi tệp mẫu năm {year}"
        outbox = templates_dir(config.output_dir) / "outbox"
        command = f"mail templates --year {year}"
    else:
        assert period is not None
        title = f"Thư kết quả {period_text(period)}"
        outbox = period_dir(config.output_dir, period) / "outbox"
        command = f"mail --period {period}"

    with workdir_locked(config.workdir, "chưa gửi thư nào"), open_store(config) as store:
        try:
            drafts = template_drafts(config, year) if what == "templates" else period_drafts(config, period, store)
        except ComposeError as exc:
            raise UsageError(str(exc)) from None
        if to:
            drafts = _addressed_to(drafts, to)
        log = MailLog(store)
        fates = [_decide(d, log, resend, named=bool(to)) for d in drafts]
        run = MailRun(title=title, fates=fates, sent=settings is not None, outbox=outbox, command=command)
        if settings is None:
            _write_outbox(fates, outbox, config)
        else:
            with SmtpSession(settings) as session, copies:
                run.stopped = _send(fates, session, log, config, copies)
            run.copies = copies
            try:
                run.backup = backup_store(config, store)
            except StoreError as exc:
                run.notices.append(f"Lưu ý: {exc}")
    return run


def _addressed_to(drafts: list[Draft], to: Sequence[str]) -> list[Draft]:
    """The drafts for these unit codes or addresses; a name that matches none is refused (nothing sent)."""
    wanted = {t.strip().casefold() for t in to if t.strip()}
    kept = [d for d in drafts if d.label.casefold() in wanted or d.recipient in wanted]
    found = {d.label.casefold() for d in kept} | {d.recipient for d in kept}
    unknown = sorted(t for t in to if t.strip().casefold() not in found)
    if unknown:
        raise UsageError(
            f"Không có thư nào của đợt này gửi cho: {', '.join(unknown)}. --to nhận mã đơn vị (như trong units.yaml) "
            "hoặc địa chỉ thư của người nhận; chạy lệnh không có --to để xem danh sách thư."
        )
    return kept


def _decide(draft: Draft, log: MailLog, resend: bool, named: bool = False) -> Fate:
    if draft.problem:
        return Fate(draft, BLOCKED, detail=draft.problem)
    last = log.last(draft.scope, draft.recipient, draft.kind)
    if last is not None and last.state == SENDING and last.fingerprint == draft.fingerprint and not resend:
        return Fate(draft, MAYBE_SENT, detail=clock_text(last.sent_at))
    previous = log.last_fingerprint(draft.scope, draft.recipient, draft.kind)
    if previous == draft.fingerprint and not (resend and named):
        return Fate(draft, ALREADY_SENT)
    return Fate(draft, PREVIEW, changed=previous is not None and previous != draft.fingerprint)


def _outbox_name(index: int, draft: Draft) -> str:
    label = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._@-") else "_" for ch in draft.label)
    return f"{index:02d}_{draft.kind}_{label}.eml"


def _write_outbox(fates: list[Fate], outbox: Path, config: Config) -> None:
    """Replace the outbox's previews with this run's: the folder shows exactly what --send would send."""
    outbox.mkdir(parents=True, exist_ok=True)
    for old in outbox.glob("*.eml"):
        old.unlink()
    for index, fate in enumerate(fates, 1):
        if fate.state != PREVIEW:
            continue
        fate.eml = outbox / _outbox_name(index, fate.draft)
        data = to_message(fate.draft, config.settings.mail).as_bytes()
        with atomic_path(fate.eml) as tmp:
            tmp.write_bytes(data)


def _send(fates: list[Fate], session: SmtpSession, log: MailLog, config: Config, copies: SentCopies) -> str | None:
    """Send each previewed message, journalled (``store.maillog``), and file a copy of each sent one in the
    mailbox's Sent folder (``copies``); why sending stopped (the store could not be written), or None."""
    mail = config.settings.mail
    lost: str | None = None
    stopped: str | None = None
    for index, fate in enumerate(fates, 1):
        if fate.state != PREVIEW:
            continue
        if lost:
            fate.state, fate.detail = NOT_ATTEMPTED, lost
            continue
        msg = to_message(fate.draft, mail)
        d = fate.draft
        try:
            entry = log.begin(
                scope=d.scope,
                recipient=d.recipient,
                kind=d.kind,
                subject=header_text(d.subject),
                message_id=str(msg["Message-ID"]).strip(),
                fingerprint=d.fingerprint,
                attachments=[a.describe() for a in d.attachments],
            )
        except StoreError as exc:  # nothing may go that the journal cannot show
            stopped = str(exc)
            lost = "không ghi được nhật ký gửi thư vào kho dữ liệu nên dừng gửi; chạy lại lệnh khi kho dữ liệu ghi được"
            fate.state, fate.detail = NOT_ATTEMPTED, lost
            continue
        try:
            session.deliver(mail.sender_address, fate.draft.address or "", msg.as_bytes())
        except DeliveryFailure as exc:
            fate.state, fate.detail = FAILED, str(exc)
            if exc.fatal:
                lost = f"dừng gửi sau lỗi kết nối ở thư số {index}; chạy lại lệnh để gửi tiếp"
            try:
                log.forget(entry)
            except StoreError as store_exc:  # left as being sent: the next run says "có thể đã gửi"
                stopped = str(store_exc)
                lost = "không ghi được nhật ký gửi thư vào kho dữ liệu nên dừng gửi"
            continue
        fate.state = SENT
        try:
            log.sent(entry)
        except StoreError as exc:
            stopped = str(exc)
            fate.detail = "chưa ghi nhận được vào kho dữ liệu: lần chạy sau thư này hiện là 'có thể đã gửi', không bị gửi lại"
            lost = "không ghi được nhật ký gửi thư vào kho dữ liệu nên dừng gửi"
        copies.file(msg)  # a copy that cannot be filed is reported; the message is never sent again
    return stopped


def shown_path(path: Path | None, workdir: Path) -> str:
    """A path as the clerk finds it: relative to the working folder when it is inside."""
    if path is None:
        return ""
    try:
        return str(path.relative_to(workdir))
    except ValueError:
        return str(path)
