"""``ccht-batch mail``: the month's messages (or the year's templates), previewed as .eml files or sent.

Without ``--send`` nothing leaves the machine: every message that would go is written to an ``outbox/``
folder for the clerk to open first. With ``--send`` each message goes once: what the log shows as already
delivered with the same figures and attachments is skipped (unless ``--resend``), and every message's fate
is listed, so a rerun after a failure sends exactly the rest.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ccht_batch.cli.main import EXIT_OK, EXIT_REFUSED, Context, UsageError
from ccht_batch.config.model import Config
from ccht_batch.core.files import atomic_path, period_dir, templates_dir
from ccht_batch.core.periods import period_text
from ccht_batch.mail.compose import (
    NO_ADDRESS,
    ComposeError,
    Draft,
    header_text,
    period_drafts,
    size_text,
    template_drafts,
)
from ccht_batch.mail.smtp import (
    DeliveryFailure,
    MailLog,
    MailSetupError,
    SmtpSession,
    smtp_settings,
    to_message,
)
from ccht_batch.store.db import Store

# What happens to a draft. Blocked, failed and not-attempted count as "not delivered" (exit 1 with --send).
BLOCKED = "blocked"  # cannot be sent: no or bad address, attachment missing or too large
ALREADY_SENT = "already-sent"  # the log holds the same message
PREVIEW = "preview"  # dry run: written to the outbox
SENT = "sent"
FAILED = "failed"
NOT_ATTEMPTED = "not-attempted"  # the session was lost before its turn


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
        if self.state == PREVIEW:
            return f"sẽ gửi{again}; xem trước: {_shown_path(self.eml, workdir)}"
        if self.state == SENT:
            return f"đã gửi{again}"
        if self.state == FAILED:
            return f"lỗi: {self.detail}"
        return f"chưa gửi: {self.detail}"


def command_mail(ctx: Context, args: argparse.Namespace) -> int:
    config = ctx.config
    settings = None
    if args.send:
        try:
            settings = smtp_settings(config, os.environ)
        except MailSetupError as exc:
            raise UsageError(str(exc)) from None
    if args.what == "templates":
        title = f"Thư gửi tệp mẫu năm {args.year}"
        outbox = templates_dir(config.output_dir) / "outbox"
        command = f"mail templates --year {args.year}"
    else:
        title = f"Thư kết quả {period_text(args.period)}"
        outbox = period_dir(config.output_dir, args.period) / "outbox"
        command = f"mail --period {args.period}"

    with _workdir_lock(config), Store(config.store_path) as store:
        try:
            drafts = template_drafts(config, args.year) if args.what == "templates" else period_drafts(config, args.period, store)
        except ComposeError as exc:
            raise UsageError(str(exc)) from None
        log = MailLog(store)
        fates = [_decide(d, log, args.resend) for d in drafts]
        if settings is None:
            _write_outbox(fates, outbox, config)
        else:
            with SmtpSession(settings) as session:
                _send(fates, session, log, config)

    _report(ctx, title, fates, sent=settings is not None, outbox=outbox, command=command)
    undelivered = [f for f in fates if f.state in (BLOCKED, FAILED, NOT_ATTEMPTED)]
    return EXIT_REFUSED if settings is not None and undelivered else EXIT_OK


def _workdir_lock(config: Config) -> Iterator[None]:
    from ccht_batch.core.lock import workdir_locked

    return workdir_locked(config.workdir, "chưa gửi thư nào")


def _decide(draft: Draft, log: MailLog, resend: bool) -> Fate:
    if draft.problem:
        return Fate(draft, BLOCKED, detail=draft.problem)
    previous = log.last_fingerprint(draft)
    if previous == draft.fingerprint and not resend:
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


def _send(fates: list[Fate], session: SmtpSession, log: MailLog, config: Config) -> None:
    mail = config.settings.mail
    lost: str | None = None
    for index, fate in enumerate(fates, 1):
        if fate.state != PREVIEW:
            continue
        if lost:
            fate.state, fate.detail = NOT_ATTEMPTED, lost
            continue
        msg = to_message(fate.draft, mail)
        try:
            session.deliver(mail.sender_address, fate.draft.address or "", msg.as_bytes())
        except DeliveryFailure as exc:
            fate.state, fate.detail = FAILED, str(exc)
            if exc.fatal:
                lost = f"dừng gửi sau lỗi kết nối ở thư số {index}; chạy lại lệnh để gửi tiếp"
            continue
        log.record(fate.draft, header_text(fate.draft.subject), str(msg["Message-ID"]).strip())
        fate.state = SENT


def _shown_path(path: Path | None, workdir: Path) -> str:
    if path is None:
        return ""
    try:
        return str(path.relative_to(workdir))
    except ValueError:
        return str(path)


def _report(ctx: Context, title: str, fates: list[Fate], sent: bool, outbox: Path, command: str) -> None:
    out = ctx.console.line
    out(f"{title}: {len(fates)} thư.")
    for i, fate in enumerate(fates, 1):
        d = fate.draft
        name = header_text(d.name)
        who = f"{name} <{d.address}>" if d.address else f"{name} (chưa có địa chỉ)"
        out(f"{i:3d}. [{d.label}] {who}")
        if d.subject:
            out(f"     Tiêu đề: {header_text(d.subject)}")
        if d.attachments:
            out("     Đính kèm: " + ", ".join(f"{a.name} ({size_text(len(a.data))})" for a in d.attachments))
        out(f"     → {fate.text(ctx.workdir)}")

    count = lambda *states: sum(1 for f in fates if f.state in states)  # noqa: E731
    no_address = [f.draft for f in fates if f.detail == NO_ADDRESS]
    if no_address:
        out("Đơn vị chưa có địa chỉ thư điện tử (bổ sung ở config/units.yaml):")
        for d in no_address:
            out(f"  - {d.label}: {header_text(d.name)}")
    if sent:
        out(
            f"Kết quả: đã gửi {count(SENT)}; bỏ qua vì đã gửi {count(ALREADY_SENT)}; "
            f"lỗi {count(FAILED)}; chưa gửi {count(NOT_ATTEMPTED)}; không gửi được {count(BLOCKED)}."
        )
        if count(FAILED, NOT_ATTEMPTED):
            out("Chạy lại đúng lệnh này để gửi các thư chưa gửi; thư đã gửi sẽ không bị gửi lại.")
    else:
        out(
            f"Chưa gửi thư nào (chạy thử). {count(PREVIEW)} thư sẽ gửi đã được ghi vào {_shown_path(outbox, ctx.workdir)} để xem trước; "
            f"bỏ qua vì đã gửi {count(ALREADY_SENT)}; không gửi được {count(BLOCKED)}."
        )
        out(f"Để gửi thật: ccht-batch {command} --send")
