"""Composing e-mail: who receives what, in which words, with which attachments — before anything is sent.

A ``Draft`` is plain data: recipient, subject, both bodies, attachment bytes and the figures the body was
made from. Its fingerprint covers the recipient, the kind, the figures and the attachments' bytes but not
the wording, the date or the Message-ID, so rerunning an unchanged month sends nothing new, while a changed
rank or a rewritten feedback workbook sends again. A draft that cannot go (no address, an invalid one, an
attachment missing or too large) carries its ``problem`` so the clerk sees it instead of a silent gap.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

from ccht_batch.config.model import EMAIL_RE, Config, MailSettings, Unit
from ccht_batch.core import records as model
from ccht_batch.core.files import period_dir
from ccht_batch.core.issues import SEVERITY_TEXT, Issue
from ccht_batch.core.periods import next_period, period_month, period_text, period_year
from ccht_batch.core.values import fmt_number, norm_text
from ccht_batch.forms.template import (
    template_is_current,
    template_path,
    write_templates,
)
from ccht_batch.outputs.consolidated import summary_name, tally_text
from ccht_batch.outputs.feedback import (
    counted_line,
    feedback_path,
    rejected_facts,
    rejected_line,
)
from ccht_batch.outputs.nominations import nominations_name
from ccht_batch.outputs.summary_json import SUMMARY_NAME
from ccht_batch.store import runs as runstore
from ccht_batch.store.db import Store, dumps
from ccht_batch.store.guard import open_store
from ccht_batch.store.maillog import MailLog

KIND_FEEDBACK = "feedback"
KIND_REMINDER = "reminder"
KIND_LEADERSHIP = "leadership"
KIND_TEMPLATE = "template"

SUBJECT_TAG = "[CCHC]"  # cải cách hành chính
UPDATED = " (cập nhật)"  # a message sent again because what it says has changed
MAX_LISTED_ISSUES = 15


class ComposeError(Exception):
    """The month cannot be composed at all (no results yet, or a damaged summary.json)."""


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "sha256": self.sha256, "size": len(self.data)}


@dataclass(frozen=True)
class Draft:
    kind: str
    scope: str  # the period (YYYY-MM), or templates-YYYY
    label: str  # a unit code, or the recipient's address for leadership mail
    name: str  # the recipient's display name
    address: str | None
    subject: str
    text: str
    html: str
    figures: dict[str, Any]
    attachments: tuple[Attachment, ...] = ()
    problem: str | None = None

    @property
    def recipient(self) -> str:
        return (self.address or "").lower()

    @property
    def size(self) -> int:
        return sum(len(a.data) for a in self.attachments)

    @cached_property
    def fingerprint(self) -> str:
        payload = {
            "scope": self.scope,
            "recipient": self.recipient,
            "kind": self.kind,
            "figures": self.figures,
            "attachments": [[a.name, a.sha256] for a in self.attachments],
        }
        return hashlib.sha256(dumps(payload).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------------
# Header safety


def header_text(value: Any) -> str:
    """Text safe for a header: control and line-break characters become spaces, so no name injects a header."""
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text)
    return norm_text(text)


NO_ADDRESS = "chưa có địa chỉ thư điện tử (bổ sung ở config/units.yaml)"


def address_problem(address: str | None) -> str | None:
    if not address:
        return NO_ADDRESS
    if not EMAIL_RE.match(address):
        return f"địa chỉ thư điện tử '{header_text(address)}' không hợp lệ (sửa ở tệp cấu hình)"
    return None


def _checked(draft: Draft, mail: MailSettings) -> Draft:
    """Attach the first reason the draft cannot be sent, if any."""
    if draft.problem:
        return draft
    problem = address_problem(draft.address)
    limit = mail.max_attachments_mb * 1024 * 1024
    if problem is None and draft.size > limit:
        problem = f"tổng dung lượng tệp đính kèm {size_text(draft.size)} vượt giới hạn {mail.max_attachments_mb} MB (mail.max_attachments_mb)"
    return replace(draft, problem=problem) if problem else draft


def size_text(size: int) -> str:
    """``5 KB``, ``1,2 MB``: a file size as the clerk reads it."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return fmt_number((Decimal(size) / Decimal(1024 * 1024)).quantize(Decimal("0.1"))) + " MB"


# ---------------------------------------------------------------------------------------------------
# Words shared by every body


def deadline_date(config: Config, period: str) -> dt.date:
    """The day units must send their updated workbook: ``deadline_day`` of the month after ``period``."""
    nxt = next_period(period)
    return dt.date(period_year(nxt), period_month(nxt), config.settings.deadline_day)


def _send_to(config: Config) -> str:
    return config.settings.mail.reply_to or config.settings.contact.email or config.settings.mail.sender_address


MONTH_FOOTER = "Thư này do chương trình ccht-batch soạn tự động từ kết quả tổng hợp. Nếu có điều chưa rõ, đề nghị trả lời thư này hoặc liên hệ người nêu trên."
TEMPLATE_FOOTER = "Thư này do chương trình ccht-batch gửi tự động kèm tệp mẫu của đơn vị. Nếu có điều chưa rõ, đề nghị trả lời thư này hoặc liên hệ người nêu trên."


def _signature_lines(config: Config, footer: str = MONTH_FOOTER) -> list[str]:
    c = config.settings.contact
    lines = ["Trân trọng,", config.settings.mail.sender_name, "", "Người liên hệ: " + c.name]
    if c.title:
        lines.append(c.title)
    reach = [x for x in (f"Điện thoại: {c.phone}" if c.phone else "", f"Thư điện tử: {c.email}" if c.email else "") if x]
    if reach:
        lines.append(" - ".join(reach))
    lines += ["", footer]
    return lines


def _html_page(blocks: Iterable[str]) -> str:
    body = "\n".join(blocks)
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head><meta charset="utf-8"></head>\n'
        '<body style="font-family: \'Times New Roman\', serif; font-size: 14px; color: #000;">\n'
        f"{body}\n</body>\n</html>\n"
    )


def _p(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def _signature_html(config: Config, footer: str = MONTH_FOOTER) -> str:
    lines = _signature_lines(config, footer)
    main, footer = lines[:-2], lines[-1]
    return "<p>" + "<br>\n".join(html.escape(x) for x in main if x) + "</p>\n" + f'<p style="color:#555; font-size: 12px;">{html.escape(footer)}</p>'


_TABLE = 'border="1" cellpadding="4" cellspacing="0" style="border-collapse: collapse;"'


def _key_value_html(rows: list[tuple[str, str]]) -> str:
    cells = "\n".join(f'<tr><th style="text-align:left; background:#D9E1F2;">{html.escape(k)}</th><td>{html.escape(v)}</td></tr>' for k, v in rows)
    return f"<table {_TABLE}>\n{cells}\n</table>"


def _grid_html(header: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    head = "".join(f'<th style="background:#D9E1F2;">{html.escape(h)}</th>' for h in header)
    right = ' style="text-align:right;"'
    body = "\n".join(
        "<tr>" + "".join(f"<td{right if i in numeric else ''}>{html.escape(c)}</td>" for i, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    return f"<table {_TABLE}>\n<tr>{head}</tr>\n{body}\n</table>"


def _key_value_text(rows: list[tuple[str, str]]) -> list[str]:
    width = max(len(k) for k, _ in rows) + 1
    return [f"  {(k + ':').ljust(width + 1)} {v}" for k, v in rows]


def _grid_text(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(x) for x in col) for col in zip(header, *rows)]
    fmt = lambda r: "  " + " | ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return [fmt(header), "  " + "-+-".join("-" * w for w in widths)] + [fmt(r) for r in rows]


def _num(value: Any) -> str:
    return "" if value is None else fmt_number(Decimal(str(value)))


def rank_change_text(change: int | None, versus: str = " so với kỳ trước") -> str:
    """``rank_change`` is previous rank − current rank: positive means the unit moved up. No comparison is
    stated when there is no previous rank to compare with."""
    if change is None:
        return "chưa có hạng kỳ trước để so sánh"
    if change > 0:
        return f"tăng {change} bậc{versus}"
    if change < 0:
        return f"giảm {-change} bậc{versus}"
    return f"giữ nguyên{versus}"


def _issue_line(issue: Issue) -> str:
    where = ", ".join(x for x in (f"trang '{issue.sheet}'" if issue.sheet else "", f"ô {issue.cell}" if issue.cell else "") if x)
    severity = SEVERITY_TEXT.get(issue.severity or "", issue.severity or "")
    message = norm_text(issue.message)
    return f"{severity} ({where}): {message}" if where else f"{severity}: {message}"


# ---------------------------------------------------------------------------------------------------
# The month's messages


def summary_path(config: Config, period: str) -> Path:
    return period_dir(config.output_dir, period) / SUMMARY_NAME


def load_summary(config: Config, period: str) -> dict[str, Any]:
    path = summary_path(config, period)
    if not path.is_file():
        raise ComposeError(f"chưa có kết quả {period_text(period)} ({path} không có): chạy `ccht-batch run --period {period}` trước")
    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ComposeError(f"tệp {path} bị hỏng ({exc}): chạy lại `ccht-batch run --period {period}`") from None
    if not isinstance(data, dict) or not isinstance(data.get("units"), list):
        raise ComposeError(f"tệp {path} không đúng cấu trúc (thiếu danh sách units): chạy lại `ccht-batch run --period {period}`")
    return data


def feedback_name(code: str, period: str) -> str:
    return f"PhanHoi_{code}_{period}.xlsx"


def ensure_templates(config: Config, year: int, codes: list[str]) -> str | None:
    """Write the templates that are not there yet or outdated (the criteria changed since they were made);
    the reason when that is impossible, else None."""
    missing = [c for c in codes if not template_is_current(config, template_path(config, c, year))]
    if not missing:
        return None
    try:
        write_templates(config, year, missing)
    except OSError as exc:
        return f"không ghi được tệp mẫu năm {year}: {exc}"
    return None


def _issue_of(d: dict[str, Any]) -> Issue:
    return Issue(
        code=str(d.get("code") or ""), severity=str(d.get("severity") or ""), message=str(d.get("message") or ""),
        sheet=d.get("sheet"), cell=d.get("cell"), value=d.get("value"),
    )


def period_files(summary: dict[str, Any], store: Store, period: str) -> dict[str | None, list[model.FileRecord]]:
    """Every file of the period by unit, in arrival order: the store's (all runs), then those of
    summary.json the store does not hold. A file in summary.json keeps the issues it shows there, which
    add the scorer's warnings about a counted file to what reading found."""
    shown = {(f.get("name"), f.get("sha256")): f for f in summary.get("files") or [] if isinstance(f, dict)}
    found: list[model.FileRecord] = []
    for _, rec in runstore.period_files(store, period):
        f = shown.pop((rec.name, rec.sha256), None)
        found.append(replace(rec, issues=[_issue_of(i) for i in f.get("issues") or [] if isinstance(i, dict)]) if f else rec)
    for f in shown.values():
        found.append(model.FileRecord(
            name=str(f.get("name")), sha256=f.get("sha256"), size=0, mtime=0.0, status=str(f.get("status")), unit_code=f.get("unit_code"),
            issues=[_issue_of(i) for i in f.get("issues") or [] if isinstance(i, dict)],
        ))
    by_unit: dict[str | None, list[model.FileRecord]] = {}
    for rec in found:
        by_unit.setdefault(rec.unit_code, []).append(rec)
    return by_unit


def _listed(issues: Iterable[Issue]) -> list[Issue]:
    """Issues to show a unit: those with a message, errors first (they decide whether a file counts)."""
    return sorted((i for i in issues if i.message), key=lambda i: i.severity != "error")


def period_drafts(config: Config, period: str, store: Store) -> list[Draft]:
    """Every message of the month: one per unit, then one per leadership or Office recipient."""
    summary = load_summary(config, period)
    pdir = period_dir(config.output_dir, period)
    year = period_year(period)
    states = {u.get("code"): u for u in summary["units"] if isinstance(u, dict)}
    ranked = sum(1 for u in states.values() if u.get("rank") is not None)
    files = period_files(summary, store, period)
    stories = {u.code: model.newest_rejected(files.get(u.code, [])) for u in config.units}

    def needs_template(unit: Unit) -> bool:
        """A unit that never had a file accepted this year gets its template when it sent nothing, or
        when its file cannot be fixed in place (not a current template): never instead of its own file."""
        status = (states.get(unit.code) or {}).get("status")
        story = stories.get(unit.code)
        if status == model.MISSING and story is None:
            return not runstore.has_submission(store, unit.code, year)
        if status == model.UNIT_REJECTED and story is not None and not any(i.cell for i in story.issues if i.severity == "error"):
            return not runstore.has_submission(store, unit.code, year)
        return False

    with_template = [u.code for u in config.units if needs_template(u)]
    template_problem = ensure_templates(config, year, with_template)

    drafts: list[Draft] = []
    for unit in config.units:
        state = states.get(unit.code)
        if state is None:
            drafts.append(_problem_draft(KIND_FEEDBACK, period, unit, f"không có trong kết quả {period_text(period)}: chạy lại `ccht-batch run --period {period}`"))
            continue
        story = stories[unit.code]
        status = state.get("status")
        if story is not None:
            issues: list[Issue] | None = _listed(story.issues)
        elif status == model.SUBMITTED:
            issues = _listed(i for f in files.get(unit.code, []) if f.status == model.ACCEPTED for i in f.issues)
        else:
            issues = None
        counted = runstore.counted_file(store, unit.code, period) if state.get("result") is not None else None
        draft = _unit_draft(config, period, unit, state, ranked, issues, story, counted, pdir, unit.code in with_template, template_problem)
        drafts.append(_checked(draft, config.settings.mail))
    for code in states:
        if config.unit(code) is None:
            stray = Unit(code=str(code), name=header_text(states[code].get("name") or code), email=None, handles_dossiers=False)
            drafts.append(_problem_draft(KIND_FEEDBACK, period, stray, "không còn trong config/units.yaml: không gửi"))
    drafts.extend(_checked(d, config.settings.mail) for d in _leadership_drafts(config, period, summary, pdir, files, stories))
    return mark_updates(drafts, MailLog(store))


def mark_updates(drafts: list[Draft], log: MailLog) -> list[Draft]:
    """``(cập nhật)`` after the subject of a message that went before with other figures or attachments:
    the recipient sees at once that it replaces the earlier one."""
    out = []
    for d in drafts:
        last = None if d.problem else log.last_fingerprint(d.scope, d.recipient, d.kind)
        out.append(replace(d, subject=d.subject + UPDATED) if last is not None and last != d.fingerprint else d)
    return out


def _problem_draft(kind: str, scope: str, unit: Unit, problem: str) -> Draft:
    return Draft(kind=kind, scope=scope, label=unit.code, name=unit.name, address=unit.email, subject="", text="", html="", figures={}, problem=problem)


def _unit_draft(
    config: Config,
    period: str,
    unit: Unit,
    state: dict[str, Any],
    ranked: int,
    issues: list[Issue] | None,
    story: model.FileRecord | None,
    counted: tuple[str, str] | None,
    pdir: Path,
    with_template: bool,
    template_problem: str | None,
) -> Draft:
    status = state.get("status")
    kind = KIND_REMINDER if status == model.MISSING and story is None else KIND_FEEDBACK
    problem = None
    feedback = template = None
    path = feedback_path(pdir, unit.code)
    if path.is_file():
        feedback = Attachment(feedback_name(unit.code, period), path.read_bytes())
    elif status in (model.SUBMITTED, model.UNIT_REJECTED) or story is not None:
        problem = f"thiếu tệp phản hồi {path}: chạy lại `ccht-batch run --period {period}`"
    if with_template:
        path = template_path(config, unit.code, period_year(period))
        if path.is_file():
            template = Attachment(path.name, path.read_bytes())
        else:
            problem = problem or template_problem or f"thiếu tệp mẫu {path}"
    attachments = tuple(a for a in (feedback, template) if a)

    errors = None if issues is None else sum(1 for i in issues if i.severity == "error")
    warnings = None if issues is None else sum(1 for i in issues if i.severity == "warning")
    figures = {
        "unit": unit.code,
        "name": unit.name,
        "status": status,
        "total": _num(state.get("total")) or None,
        "result": _num(state.get("result")) or None,
        "band": state.get("band"),
        "rank": state.get("rank"),
        "ranked": ranked,
        "rank_change": state.get("rank_change"),
        "errors": errors,
        "warnings": warnings,
        "issues": [_issue_line(i) for i in issues or []],
        "deadline": deadline_date(config, period).strftime("%d/%m/%Y"),
        "rejected": rejected_facts(story),
        "counted": None if counted is None else {"period": counted[0], "file": counted[1]},
    }
    subject = _unit_subject(period, unit.name, status, story is not None)
    text, html_body = _unit_bodies(config, period, figures, feedback and feedback.name, template and template.name)
    return Draft(kind, period, unit.code, unit.name, unit.email, subject, text, html_body, figures, attachments, problem)


def _unit_subject(period: str, name: str, status: str | None, rejected: bool) -> str:
    when = period_text(period)
    if rejected:
        return f"{SUBJECT_TAG} Bảng tự chấm điểm {when} bị trả lại - {name}"
    if status == model.MISSING:
        return f"{SUBJECT_TAG} Nhắc nộp bảng tự chấm điểm {when} - {name}"
    return f"{SUBJECT_TAG} Kết quả tự chấm điểm {when} - {name}"


def _rejected_intro(f: dict[str, Any], period: str, send_to: str) -> list[str]:
    """What a unit whose latest file was refused reads first, in the words of its feedback workbook: which
    file, why, what counts meanwhile, and to fix that very file."""
    r, counted = f["rejected"], f["counted"] or {}
    fix = "sửa các ô nêu dưới đây trong chính tệp đã gửi" if r["cells"] else "xử lý theo các mục nêu dưới đây"
    return [
        rejected_line(r) + " " + counted_line({"period": period, "counted_file": counted.get("file"), "counted_period": counted.get("period")}),
        f"Đề nghị đơn vị {fix} rồi gửi lại về địa chỉ {send_to} chậm nhất ngày {f['deadline']}.",
    ]


def _unit_bodies(config: Config, period: str, f: dict[str, Any], feedback: str | None, template: str | None) -> tuple[str, str]:
    when = period_text(period)
    movement = config.criteria.movement.name
    status = f["status"]
    send_to = _send_to(config)
    if f["rejected"]:
        intro = _rejected_intro(f, period, send_to)
    elif status == model.MISSING:
        intro = [f"Đến thời điểm tổng hợp {when}, Văn phòng Sở chưa nhận được bảng tự chấm điểm phong trào thi đua \"{movement}\" của đơn vị."]
    else:
        intro = [f"Văn phòng Sở gửi đơn vị kết quả tự chấm điểm phong trào thi đua \"{movement}\" {when}."]

    rows: list[tuple[str, str]] = [("Trạng thái", model.UNIT_STATUS_TEXT.get(status, str(status)))]
    if f["rejected"]:
        rows.append(("Tệp bị trả lại", f"{f['rejected']['file']} ({f['rejected']['errors']} lỗi)"))
    if f["result"] is not None:
        rows.append(("Kết quả (thang 100)" + (", tạm tính" if f["rejected"] else ""), f["result"]))
    if f["total"] is not None:
        rows.append(("Tổng điểm", f["total"]))
    if f["band"]:
        rows.append(("Xếp loại", str(f["band"])))
    if f["rank"] is not None:
        rows.append(("Xếp hạng", f"{f['rank']}/{f['ranked']} ({rank_change_text(f['rank_change'])})"))
    if f["errors"] is not None:
        rows.append(("Số lỗi cần sửa", str(f["errors"])))
        rows.append(("Số cảnh báo cần xem lại", str(f["warnings"])))
    rows.append(("Hạn gửi bảng cập nhật lần tới", f"chậm nhất ngày {f['deadline']}"))

    issues = f["issues"][:MAX_LISTED_ISSUES]
    more = len(f["issues"]) - len(issues)
    listed = f"Các mục cần sửa trong tệp {f['rejected']['file']}:" if f["rejected"] else "Các mục cần sửa hoặc xem lại:"
    after: list[str] = []
    if feedback:
        after.append(f"Chi tiết từng tiêu chí, nguồn điểm và các lỗi theo từng ô có trong tệp đính kèm {feedback}.")
    if status == model.CARRIED and not f["rejected"]:
        since = f" {period_text(f['counted']['period'])}" if f["counted"] else " gần nhất"
        after.append(f"Tháng này Văn phòng Sở chưa nhận được bảng mới của đơn vị nên kết quả được tính theo bảng{since} đã tiếp nhận.")
    if status == model.MISSING and not f["rejected"]:
        after.append(f"Đề nghị đơn vị gửi bảng tự chấm điểm về địa chỉ {send_to} chậm nhất ngày {f['deadline']}.")
    elif not f["rejected"]:
        after.append(f"Đề nghị đơn vị cập nhật và gửi lại bảng tự chấm điểm về địa chỉ {send_to} chậm nhất ngày {f['deadline']}.")
    if template:
        after.append(
            f"Văn phòng Sở chưa nhận được bảng hợp lệ nào của đơn vị trong năm nên gửi kèm tệp mẫu của đơn vị ({template}). "
            "Đề nghị đơn vị điền vào chính tệp này, không đổi tên trang tính, dòng, cột."
        )

    greeting = f"Kính gửi: {f['name']},"
    text = [greeting, "", *intro, "", *_key_value_text(rows)]
    if issues:
        text += ["", listed] + [f"  - {x}" for x in issues]
        if more:
            text.append(f"  ... và {more} mục khác (xem tệp đính kèm).")
    text += ["", *after, "", *_signature_lines(config)]

    blocks = [_p(greeting), *(_p(x) for x in intro), _key_value_html(rows)]
    if issues:
        items = "".join(f"<li>{html.escape(x)}</li>" for x in issues)
        if more:
            items += f"<li>... và {more} mục khác (xem tệp đính kèm).</li>"
        blocks += [_p(listed), f"<ul>{items}</ul>"]
    blocks += [*(_p(x) for x in after), _signature_html(config)]
    return "\n".join(text) + "\n", _html_page(blocks)


def leadership_recipients(mail: MailSettings) -> list[tuple[str, str]]:
    """Leadership then Office, each address once."""
    seen: set[str] = set()
    out = []
    for person in (*mail.leadership, *mail.office):
        key = person.email.lower()
        if key not in seen:
            seen.add(key)
            out.append((person.name, person.email))
    return out


def _leadership_drafts(
    config: Config, period: str, summary: dict[str, Any], pdir: Path, files: dict[str | None, list[model.FileRecord]], stories: dict[str, Any]
) -> list[Draft]:
    attachments: list[Attachment] = []
    problem = None
    for name in (summary_name(period), nominations_name(period)):
        path = pdir / name
        if path.is_file():
            attachments.append(Attachment(name, path.read_bytes()))
        else:
            problem = problem or f"thiếu tệp {name} trong {pdir}: chạy lại `ccht-batch run --period {period}`"
    figures = _leadership_figures(config, summary, files, stories)
    subject = f"{SUBJECT_TAG} Tổng hợp kết quả tự chấm điểm {period_text(period)}"
    drafts = []
    for name, address in leadership_recipients(config.settings.mail):
        text, html_body = _leadership_bodies(config, period, name, figures, [a.name for a in attachments])
        drafts.append(Draft(KIND_LEADERSHIP, period, address, name, address, subject, text, html_body, figures, tuple(attachments), problem))
    return drafts


def _leadership_figures(config: Config, summary: dict[str, Any], files: dict[str | None, list[model.FileRecord]], stories: dict[str, Any]) -> dict[str, Any]:
    units = [u for u in summary["units"] if isinstance(u, dict)]
    ranked_first = sorted(units, key=lambda u: (u.get("rank") is None, u.get("rank") or 0))  # stable: unranked keep their order
    rows = [
        {
            "rank": u.get("rank"),
            "code": u.get("code"),
            "name": _unit_name(config, u),
            "total": _num(u.get("total")) or None,
            "result": _num(u.get("result")) or None,
            "band": u.get("band"),
            "status": u.get("status"),
            "rank_change": u.get("rank_change"),
            "rejected": stories.get(u.get("code")) is not None,
        }
        for u in ranked_first
    ]
    tally = tally_text((str(u.get("status")) for u in units), (f for fs in files.values() for f in fs))
    awards: dict[str, dict[str, Any]] = {}
    for n in summary.get("nominations") or []:
        if not isinstance(n, dict):
            continue
        a = awards.setdefault(str(n.get("award")), {"name": n.get("award_name") or n.get("award"), "collective": 0, "individual": 0, "unknown": 0})
        if n.get("eligible") is True:
            a["collective" if n.get("kind") == "collective" else "individual"] += 1
        elif n.get("eligible") is None:
            a["unknown"] += 1
    return {
        "milestone": summary.get("milestone"),
        "rows": rows,
        "tally": tally,
        "awards": [awards[k] for k in sorted(awards)],
    }


def _unit_name(config: Config, state: dict[str, Any]) -> str:
    unit = config.unit(state.get("code"))
    return unit.name if unit else header_text(state.get("name") or state.get("code"))


def _leadership_bodies(config: Config, period: str, name: str, f: dict[str, Any], attached: list[str]) -> tuple[str, str]:
    greeting = f"Kính gửi: {name},"
    when = period_text(period)
    movement = config.criteria.movement.name
    intro = f"Văn phòng Sở báo cáo kết quả tự chấm điểm phong trào thi đua \"{movement}\" {when} của các đơn vị."
    tally = f["tally"]
    if any(r["rejected"] and r["result"] for r in f["rows"]):
        tally += " Đơn vị có tệp mới bị trả lại được tạm tính theo bảng đã tiếp nhận trước đó."
    header = ["Hạng", "Mã", "Đơn vị", "Tổng điểm", "Kết quả", "Xếp loại", "Trạng thái", "Thay đổi hạng"]
    rows = [
        [
            "" if r["rank"] is None else str(r["rank"]),
            str(r["code"]),
            str(r["name"]),
            r["total"] or "",
            r["result"] or "",
            r["band"] or "",
            model.UNIT_STATUS_TEXT.get(r["status"], str(r["status"])) + ("; tệp mới bị trả lại" if r["rejected"] and r["status"] != model.UNIT_REJECTED else ""),
            "" if r["rank"] is None else rank_change_text(r["rank_change"], versus=""),
        ]
        for r in f["rows"]
    ]
    provisional = "" if f["milestone"] else " (dự kiến, chưa phải đợt xét chính thức)"
    award_lines = [
        f"{a['name']}: {a['collective']} tập thể, {a['individual']} cá nhân đủ điều kiện" + (f"; {a['unknown']} trường hợp chưa xác định được" if a["unknown"] else "")
        for a in f["awards"]
    ]
    attached_line = f"Tệp đính kèm: {', '.join(attached)}." if attached else ""

    text = [greeting, "", intro, tally, "", "Bảng xếp hạng:", *_grid_text(header, rows)]
    if award_lines:
        text += ["", f"Đề nghị khen thưởng{provisional}:"] + [f"  - {x}" for x in award_lines]
    text += ["", attached_line, "", *_signature_lines(config)]

    blocks = [_p(greeting), _p(intro), _p(tally), _p("Bảng xếp hạng:"), _grid_html(header, rows, numeric={0, 3, 4})]
    if award_lines:
        blocks += [_p(f"Đề nghị khen thưởng{provisional}:"), "<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in award_lines) + "</ul>"]
    if attached_line:
        blocks.append(_p(attached_line))
    blocks.append(_signature_html(config))
    return "\n".join(text) + "\n", _html_page(blocks)


# ---------------------------------------------------------------------------------------------------
# The year's blank templates


def template_scope(year: int) -> str:
    return f"templates-{year}"


def template_drafts(config: Config, year: int, store: Store | None = None) -> list[Draft]:
    """Each unit's blank template for ``year``, with how to fill and send it; marked ``(cập nhật)`` when it
    went before with another template (the store's mail log; the working folder's store when None)."""
    problem = ensure_templates(config, year, [u.code for u in config.units])
    drafts = []
    for unit in config.units:
        path = template_path(config, unit.code, year)
        attachments = (Attachment(path.name, path.read_bytes()),) if path.is_file() else ()
        figures = {"unit": unit.code, "name": unit.name, "year": year, "deadline_day": config.settings.deadline_day, "send_to": _send_to(config)}
        subject = f"{SUBJECT_TAG} Tệp mẫu tự chấm điểm năm {year} - {unit.name}"
        text, html_body = _template_bodies(config, year, unit, path.name)
        draft = Draft(KIND_TEMPLATE, template_scope(year), unit.code, unit.name, unit.email, subject, text, html_body, figures, attachments)
        if not attachments:
            draft = replace(draft, problem=problem or f"thiếu tệp mẫu {path}")
        drafts.append(_checked(draft, config.settings.mail))
    if store is not None:
        return mark_updates(drafts, MailLog(store))
    if not config.store_path.is_file():
        return drafts
    with open_store(config) as own:
        return mark_updates(drafts, MailLog(own))


def _template_bodies(config: Config, year: int, unit: Unit, file_name: str) -> tuple[str, str]:
    movement = config.criteria.movement.name
    day = config.settings.deadline_day
    intro = (
        f"Văn phòng Sở gửi đơn vị tệp mẫu tự chấm điểm năm {year} của phong trào thi đua \"{movement}\" (tệp đính kèm {file_name}). "
        "Tệp mẫu được lập riêng cho đơn vị; đề nghị đơn vị không dùng tệp của đơn vị khác."
    )
    steps = [
        "Mở tệp bằng Excel hoặc LibreOffice và đọc trang \"Hướng dẫn\".",
        "Ở trang \"Tự chấm điểm\", nhập điểm tự chấm, tài liệu kiểm chứng (số, ngày văn bản hoặc đường dẫn) và ghi chú cho từng tiêu chí; chỉ nhập vào các ô có tô màu vàng.",
    ]
    if config.criteria.indicators:
        steps.append("Ở trang \"Số liệu\", nhập các số liệu được yêu cầu (ngày theo dạng dd/mm/yyyy).")
    steps += [
        "Ở trang \"Cá nhân\", kê khai cá nhân đề nghị xét khen thưởng (nếu có), chọn giá trị trong danh sách thả xuống.",
        "Không đổi tên, xóa hay thêm trang tính, dòng, cột; không đặt mật khẩu cho tệp.",
        f"Lưu tệp (.xlsx) và gửi về địa chỉ {_send_to(config)} chậm nhất ngày {day} hằng tháng; các tháng sau, cập nhật và gửi lại chính tệp này.",
    ]
    greeting = f"Kính gửi: {unit.name},"
    text = [greeting, "", intro, "", "Đề nghị đơn vị thực hiện như sau:"] + [f"  {i}. {s}" for i, s in enumerate(steps, 1)]
    text += ["", *_signature_lines(config, TEMPLATE_FOOTER)]
    blocks = [
        _p(greeting), _p(intro), _p("Đề nghị đơn vị thực hiện như sau:"), "<ol>" + "".join(f"<li>{html.escape(s)}</li>" for s in steps) + "</ol>",
        _signature_html(config, TEMPLATE_FOOTER),
    ]
    return "\n".join(text) + "\n", _html_page(blocks)
