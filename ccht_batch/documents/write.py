"""Writing the dossier under ``output/<period>/VanBan/``, whole or not at all.

Every file is written into a staging folder first, then the folder replaces ``VanBan`` in one rename. The
drafts are meant to be finished by people: when the folder already holds files that differ from the new
ones (edited by the Office, or written from earlier lists), it is kept beside as ``VanBan_cu_<n>`` rather
than overwritten.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from ccht_batch.config.model import TO_TRINH, Config
from ccht_batch.core.errors import CannotRun
from ccht_batch.core.records import RunOutcome
from ccht_batch.documents.achievements import FOLDER, write_achievement
from ccht_batch.documents.decision import write_decision
from ccht_batch.documents.dossier import gather_dossier
from ccht_batch.documents.minutes import minutes_name, write_minutes
from ccht_batch.documents.submission import write_submission
from ccht_batch.store.history import StoreHistory

DOCUMENTS_DIR = "VanBan"


@dataclass
class DocumentsResult:
    folder: Path
    written: list[Path] = field(default_factory=list)  # relative to ``folder``
    skipped: list[str] = field(default_factory=list)  # Vietnamese: what was not written, and why
    previous: Path | None = None  # where the earlier drafts were kept
    draft: bool = True
    candidates: int = 0


def write_documents(config: Config, outcome: RunOutcome, history: StoreHistory, out_dir: Path) -> DocumentsResult:
    d = gather_dossier(config, outcome, history)
    folder = out_dir / DOCUMENTS_DIR
    result = DocumentsResult(folder=folder, draft=d.draft, candidates=len(d.candidates))
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = out_dir / f".{DOCUMENTS_DIR}-{uuid.uuid4().hex[:8]}"
    (staging / FOLDER).mkdir(parents=True)
    try:
        for rule in d.rules:
            form = d.form(rule)
            if form is None:
                result.skipped.append(f"{rule.name}: config/units.yaml chưa khai báo văn bản kèm theo (documents.awards.{rule.id}).")
                continue
            if not d.listed(rule):
                result.skipped.append(f"{rule.name}: chưa có tập thể, cá nhân nào trên danh sách nên chưa soạn {form.kind_name.lower()}.")
                continue
            if form.kind == TO_TRINH:
                name = f"ToTrinh_{rule.id}.docx"
                write_submission(d, rule, form, staging / name)
            else:
                name = f"QuyetDinh_{rule.id}.docx"
                write_decision(d, rule, form, staging / name)
            result.written.append(Path(name))
        name = minutes_name(outcome.period)
        write_minutes(d, staging / name)
        result.written.append(Path(name))
        for c in d.candidates:
            rel = Path(FOLDER) / f"{c.file_stem}.docx"
            write_achievement(d, c, staging / rel)
            result.written.append(rel)
        result.previous = _swap(staging, folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return result


def _files(root: Path) -> dict[Path, bytes]:
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _swap(staging: Path, folder: Path) -> Path | None:
    """Put ``staging`` in the place of ``folder``; keep the old folder beside when it differs."""
    previous = None
    try:
        if folder.exists():
            old, new = _files(folder), _files(staging)
            if any(new.get(rel) != data for rel, data in old.items()):
                n = 1
                while (candidate := folder.with_name(f"{folder.name}_cu_{n}")).exists():
                    n += 1
                os.replace(folder, candidate)
                previous = candidate
            else:
                shutil.rmtree(folder)
        os.replace(staging, folder)
    except OSError as exc:
        raise CannotRun(
            f"Không thay được thư mục {folder}: có tệp đang mở (Word?). Hãy đóng các tệp trong thư mục này rồi chạy lại. ({exc})"
        ) from exc
    return previous
