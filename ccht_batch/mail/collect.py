"""Collecting the units' workbooks from the Office's mailbox into ``input/``, each exactly once.

For each message of the folder that arrived since a date and that no earlier run finished:
download it whole, read it (``letters``), then for each spreadsheet it carries

1. skip it when the same bytes were received before (collected, or dropped by hand and read by ``run``);
2. journal it in the store under the name it will have (``saving``);
3. write it under a temporary name in ``input/`` and rename it (``atomic_path``), dated as the message;
4. mark it ``saved``;

and only when every attachment is handled, move the message to the processed folder (or mark it read).
A run killed or cut off anywhere leaves the store saying what is finished: the next run removes its
half-written temporary files, confirms a file that reached its name, and fetches again what was not
saved. A message the program itself sent (a copy that came back) is never collected.

``run`` stays independent: what is collected is ordinary files in ``input/``, named
``<YYYY-MM-DD>_<sender>_<original name>`` where the sender is the unit's code (or the address of a
sender not among the units).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from ccht_batch.config.model import Config
from ccht_batch.core import issues
from ccht_batch.core.errors import CannotRun, UsageError
from ccht_batch.core.files import atomic_path, hash_file, leftovers
from ccht_batch.core.issues import ERROR, Issue
from ccht_batch.core.lock import workdir_locked
from ccht_batch.mail.imap import (
    Head,
    ImapFailure,
    ImapSession,
    ImapSettings,
    imap_settings,
)
from ccht_batch.mail.letters import Attachment, Letter, message_key, nfc, read_letter
from ccht_batch.mail.smtp import MailSetupError
from ccht_batch.store.guard import open_store
from ccht_batch.store.inbox import DONE, DUPLICATE, FILE_SAVED, SAVED, InboxLog

# The points of a collection where a test may stop it (``checkpoint``), to kill the process there.
FETCHED = "fetched"  # a message downloaded, nothing of it written
WRITTEN = "written"  # an attachment written under its temporary name, not yet renamed
RENAMED = "renamed"  # an attachment in input/ under its name, not yet marked saved
RECORDED = "recorded"  # a message's attachments all saved and recorded, the message not yet moved
Checkpoint = Callable[[str], None]

NAME_MAX = 120  # characters of a saved name: room for Windows paths (input\processed\YYYY-MM\...)
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


@dataclass
class Received:
    """One message worth telling the clerk about, and what became of it."""

    sender: str
    sender_name: str
    unit_code: str | None
    date: dt.datetime | None
    subject: str
    saved: list[str] = field(default_factory=list)  # names in input/ (to be saved, in a dry run)
    resumed: list[str] = field(default_factory=list)  # saved by a run that was interrupted
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (name in the message, name received before)
    notes: list[Issue] = field(default_factory=list)
    moved: bool = False


@dataclass
class CollectRun:
    """What one ``collect`` did."""

    mailbox: str  # account and server, as the clerk knows them
    folder: str
    processed_folder: str
    since: dt.date
    dry_run: bool
    messages: list[Received] = field(default_factory=list)
    unrelated: int = 0  # not from a unit and carrying nothing of interest
    known: int = 0  # finished by an earlier run
    own: int = 0  # sent by this program
    lost: str | None = None  # the connection broke part-way: the rest is for the next run

    @property
    def saved(self) -> int:
        return sum(len(m.saved) for m in self.messages)

    @property
    def duplicates(self) -> int:
        return sum(len(m.duplicates) for m in self.messages)

    @property
    def refused(self) -> list[Received]:
        """Messages with something that could not be saved (a reason to look, and exit 1)."""
        return [m for m in self.messages if any(n.severity == ERROR for n in m.notes)]


def default_since(today: dt.date | None = None) -> dt.date:
    """The first day of the previous month: a month's submissions arrive up to its deadline in the next."""
    today = today or dt.date.today()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def collect(
    config: Config,
    *,
    since: dt.date | None = None,
    dry_run: bool = False,
    environ: Mapping[str, str] | None = None,
    checkpoint: Checkpoint | None = None,
) -> CollectRun:
    """Save the spreadsheets of the folder's new messages into ``input/`` (with ``dry_run``: only say what
    would be saved). Raises ``UsageError`` when the mailbox is not configured, ``CannotRun`` when it
    cannot be used (unreachable, TLS, login, the folder); a connection lost part-way is ``lost``."""
    try:
        settings = imap_settings(config, os.environ if environ is None else environ)
    except MailSetupError as exc:
        raise UsageError(str(exc)) from None
    if settings is None:
        raise UsageError("chưa khai báo hộp thư: đặt inbox.host trong config/settings.yaml (mục inbox) hoặc biến môi trường CCHT_IMAP_HOST")
    run = CollectRun(
        mailbox=f"{settings.user} ({settings.host})",
        folder=settings.folder,
        processed_folder=settings.processed_folder,
        since=since or default_since(),
        dry_run=dry_run,
    )
    lock = contextlib.nullcontext() if dry_run else workdir_locked(config.workdir, "chưa lấy tệp nào")
    with lock, open_store(config) as store:
        log = InboxLog(store)
        if not dry_run:
            _finish_interrupted(log, config.input_dir)
        try:
            session = ImapSession(settings)
            session.open()
        except ImapFailure as exc:
            raise CannotRun(f"Lỗi: {exc}. Chưa lấy tệp nào.") from None
        with session:
            try:
                session.select(settings.folder, readonly=dry_run)
                heads = session.heads(session.search_since(run.since))
                collector = _Collector(config, settings, session, log, run, checkpoint or _no_checkpoint)
                for head in heads:
                    collector.message(head)
            except ImapFailure as exc:
                if not exc.lost:
                    raise CannotRun(f"Lỗi: {exc}. Chưa lấy tệp nào.") from None
                run.lost = str(exc)
    return run


def _no_checkpoint(stage: str) -> None:
    pass


def _finish_interrupted(log: InboxLog, input_dir: Path) -> None:
    """Complete what a killed run left: its temporary files go; a file that reached its name is saved;
    one that did not is forgotten, and saved again with its message."""
    for row in log.unfinished():
        path = input_dir / row["name"]
        for tmp in leftovers(path):
            tmp.unlink()
        if hash_file(path) == row["sha256"] or log.read_by_run(row["sha256"]):
            log.mark_saved(row["id"])
        else:
            log.forget(row["id"])


class _Collector:
    def __init__(self, config: Config, settings: ImapSettings, session: ImapSession, log: InboxLog, run: CollectRun, checkpoint: Checkpoint):
        self.config = config
        self.settings = settings
        self.session = session
        self.log = log
        self.run = run
        self.checkpoint = checkpoint
        self.units: dict[str, list[str]] = {}
        for unit in config.units:
            if unit.email:
                self.units.setdefault(unit.email.lower(), []).append(unit.code)
        self.planned: dict[str, str] = {}  # dry run: sha256 → name it would be saved under

    def message(self, head: Head) -> None:
        key, message_id = message_key(head.header)
        if message_id and self.log.sent_by_us(message_id):
            self.run.own += 1
            return
        row = self.log.message(key)
        if row is not None and row["status"] == DONE:
            self.run.known += 1
            return
        if row is not None and row["status"] == SAVED:  # saved, but the move was cut off
            if not self.run.dry_run:
                self.session.file_away(head.uid)
                self.log.mark_done(row["id"])
            self.run.known += 1
            return
        raw = self.session.fetch(head.uid)
        if raw is None:  # deleted meanwhile
            return
        self.checkpoint(FETCHED)
        letter = read_letter(raw, self.config.settings.limits, self.log.sent_by_us)
        letter.date = letter.date or head.arrived  # no usable Date header: when it arrived
        codes = self.units.get(letter.sender, [])
        unit_code = codes[0] if len(codes) == 1 else None
        if not codes and not letter.interesting:
            self.run.unrelated += 1
            if not self.run.dry_run:
                message = self._open(key, letter, None)
                self.log.finish(message, notes=[], status=DONE)
            return
        received = Received(letter.sender, letter.sender_name, unit_code, letter.date, letter.subject, notes=list(letter.notes))
        if not codes and letter.spreadsheets:
            received.notes.append(issues.make("mail-unknown-sender", value=letter.sender))
        if codes and not letter.spreadsheets and not letter.notes:
            received.notes.append(issues.make("mail-no-spreadsheet"))
        self.run.messages.append(received)
        label = unit_code or letter.sender
        if self.run.dry_run:
            for att in letter.spreadsheets:
                self._plan(att, letter, label, received)
            return
        message = self._open(key, letter, unit_code)
        done = {r["sha256"]: r for r in self.log.files_of(message)}  # by a run that was interrupted
        for att in letter.spreadsheets:
            earlier = done.get(att.sha256)
            if earlier is not None:
                if earlier["status"] == FILE_SAVED:
                    received.resumed.append(earlier["name"])
                elif earlier["status"] == DUPLICATE:
                    received.duplicates.append((att.name, self.log.received_before(att.sha256) or ""))
                continue
            self._save(message, att, letter, label, received)
        move = bool(letter.spreadsheets)
        self.log.finish(message, notes=[n.to_dict() for n in received.notes], status=SAVED if move else DONE)
        self.checkpoint(RECORDED)
        if move:
            self.session.file_away(head.uid)
            self.log.mark_done(message)
            received.moved = True

    def _open(self, key: str, letter: Letter, unit_code: str | None) -> int:
        return self.log.open_message(
            key=key,
            folder=self.settings.folder,
            sender=letter.sender,
            unit_code=unit_code,
            sent_at=letter.date.isoformat() if letter.date else None,
            subject=letter.subject,
        )

    def _save(self, message: int, att: Attachment, letter: Letter, label: str, received: Received) -> None:
        before = self.log.received_before(att.sha256)
        if before is not None:
            self.log.record_duplicate(message, original_name=att.name, sha256=att.sha256, size=len(att.data))
            received.duplicates.append((att.name, before))
            return
        input_dir = self.config.input_dir
        name = unique_name(input_dir, saved_name(letter.date, label, att.name))
        file_id = self.log.reserve(message, original_name=att.name, name=name, sha256=att.sha256, size=len(att.data))
        with atomic_path(input_dir / name) as tmp:
            tmp.write_bytes(att.data)
            if letter.date is not None:  # of a unit's several files, run counts the newest by this time
                stamp = letter.date.timestamp()
                os.utime(tmp, (stamp, stamp))
            self.checkpoint(WRITTEN)
        self.checkpoint(RENAMED)
        self.log.mark_saved(file_id)
        received.saved.append(name)

    def _plan(self, att: Attachment, letter: Letter, label: str, received: Received) -> None:
        before = self.log.received_before(att.sha256) or self.planned.get(att.sha256)
        if before is not None:
            received.duplicates.append((att.name, before))
            return
        taken = set(self.planned.values())
        name = unique_name(self.config.input_dir, saved_name(letter.date, label, att.name), taken)
        self.planned[att.sha256] = name
        received.saved.append(name)


def _safe(text: str) -> str:
    """A piece of a Windows file name: no forbidden or control character, no space or dot at its ends."""
    text = _FORBIDDEN.sub("_", nfc(" ".join(text.split())))
    return text.strip(" .")


def saved_name(date: dt.datetime | None, sender: str, original: str) -> str:
    """``<YYYY-MM-DD>_<sender>_<original name>``, safe on Windows and short enough for its paths.

    The date in front means no name is ever a device name of Windows (``CON``, ``NUL``...)."""
    day = (date or dt.datetime.now()).strftime("%Y-%m-%d")
    original = _safe(original)
    stem, dot, suffix = original.rpartition(".")
    if not dot:
        stem, suffix = original, ""
    suffix = "." + suffix if suffix else ""
    prefix = f"{day}_{_safe(sender)[:40]}_"
    stem = _safe(stem[: max(NAME_MAX - len(prefix) - len(suffix), 1)]) or "tep"
    return prefix + stem + suffix


def unique_name(folder: Path, name: str, taken: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    """``name``, or ``name (2)``, ``name (3)``... the first not already in ``folder`` (nor in ``taken``)."""
    stem, suffix = os.path.splitext(name)
    candidate, n = name, 1
    used = {t.casefold() for t in taken}
    while (folder / candidate).exists() or candidate.casefold() in used:
        n += 1
        candidate = f"{stem} ({n}){suffix}"
    return candidate
