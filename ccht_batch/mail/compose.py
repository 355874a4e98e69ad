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
from ccht_batch.core.issues import SEVERITY_TEXT
from ccht_batch.core.periods import next_period, period_month, period_text, period_year
from ccht_batch.core.values import fmt_number, norm_text
from ccht_batch.forms.template import (
    template_is_current,
    template_path,
    write_templates,
)
from ccht_batch.outputs.consolidated import summary_name
from ccht_batch.outputs.feedback import feedback_path
from ccht_batch.outputs.nominations import nominations_name
from ccht_batch.outputs.summary_json import SUMMARY_NAME
from ccht_batch.store.db import Store, dumps, loads

KIND_FEEDBACK = "feedback"
KIND_REMINDER = "reminder"
KIND_LEADERSHIP = "leadership"
KIND_TEMPLATE = "template"

SUBJECT_TAG = "[CCHT]"
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


def _signature_lines(config: Config) -> list[str]:
    c = config.settings.contact
    lines = ["Trân trọng,", config.settings.mail.sender_name, "", "Người liên hệ: " + c.name]
    if c.title:
        lines.append(c.title)
    reach = [x for x in (f"Điện thoại: {c.phone}" if c.phone else "", f"Thư điện tử: {c.email}" if c.email else "") if x]
    if reach:
        lines.append(" - ".join(reach))
    lines += ["", "Thư này do chương trình ccht-batch soạn tự động từ kết quả tổng hợp. Nếu có điều chưa rõ, xin trả lời thư này hoặc liên hệ người nêu trên."]
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


def _signature_html(config: Config) -> str:
    lines = _signature_lines(config)
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


def rank_change_text(change: int | None) -> str:
    """``rank_change`` is previous rank − current rank: positive means the unit moved up."""
    if change is None:
        return "chưa có hạng kỳ trước"
    if change > 0:
        return f"tăng {change} bậc"
    if change < 0:
        return f"giảm {-change} bậc"
    return "giữ nguyên"


def _issue_line(issue: dict[str, Any]) -> str:
    where = ", ".join(x for x in (f"trang '{issue['sheet']}'" if issue.get("sheet") else "", f"ô {issue['cell']}" if issue.get("cell") else "") if x)
    severity = SEVERITY_TEXT.get(issue.get("severity") or "", issue.get("severity") or "")
    message = norm_text(issue.get("message"))
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


def has_submission(store: Store, unit_code: str, year: int) -> bool:
    """Whether a file of this unit was ever accepted for ``year`` (then it holds its template already)."""
    return store.one("SELECT 1 FROM submissions WHERE unit_code = ? AND year = ? LIMIT 1", (unit_code, year)) is not None


def _unit_issues(summary: dict[str, Any], store: Store, period: str, code: str, status: str) -> list[dict[str, Any]] | None:
    """Issues of the unit's files this period: rejected files for a rejected unit, else accepted ones.

    summary.json holds only the last run's files; a file taken by an earlier run of the month is found in
    the store. None when no such file is known (carried, missing).
    """
    if status not in (model.SUBMITTED, model.UNIT_REJECTED):
        return None
    wanted = model.REJECTED if status == model.UNIT_REJECTED else model.ACCEPTED
    files = [f for f in summary.get("files") or [] if f.get("unit_code") == code and f.get("status") == wanted]
    if files:
        lists = [f.get("issues") or [] for f in files]
    else:
        rows = store.all("SELECT issues_json FROM files WHERE period = ? AND unit_code = ? AND status = ? ORDER BY id", (period, code, wanted))
        if not rows:
            return None
        lists = [loads(r["issues_json"]) or [] for r in rows]
    return [i for issues in lists for i in issues if isinstance(i, dict) and i.get("message")]


def period_drafts(config: Config, period: str, store: Store) -> list[Draft]:
    """Every message of the month: one per unit, then one per leadership or Office recipient."""
    summary = load_summary(config, period)
    pdir = period_dir(config.output_dir, period)
    year = period_year(period)
    states = {u.get("code"): u for u in summary["units"] if isinstance(u, dict)}
    ranked = sum(1 for u in states.values() if u.get("rank") is not None)

    needs_template = [
        u.code for u in config.units
        if (states.get(u.code) or {}).get("status") in (model.MISSING, model.UNIT_REJECTED) and not has_submission(store, u.code, year)
    ]
    template_problem = ensure_templates(config, year, needs_template)

    drafts: list[Draft] = []
    for unit in config.units:
        state = states.get(unit.code)
        if state is None:
            drafts.append(_problem_draft(KIND_FEEDBACK, period, unit, f"không có trong kết quả {period_text(period)}: chạy lại `ccht-batch run --period {period}`"))
            continue
        issues = _unit_issues(summary, store, period, unit.code, state.get("status"))
        draft = _unit_draft(config, period, unit, state, ranked, issues, pdir, unit.code in needs_template, template_problem)
        drafts.append(_checked(draft, config.settings.mail))
    for code in states:
        if config.unit(code) is None:
            stray = Unit(code=str(code), name=header_text(states[code].get("name") or code), email=None, handles_dossiers=False)
            drafts.append(_problem_draft(KIND_FEEDBACK, period, stray, "không còn trong config/units.yaml: không gửi"))
    drafts.extend(_checked(d, config.settings.mail) for d in _leadership_drafts(config, period, summary, pdir))
    return drafts


def _problem_draft(kind: str, scope: str, unit: Unit, problem: str) -> Draft:
    return Draft(kind=kind, scope=scope, label=unit.code, name=unit.name, address=unit.email, subject="", text="", html="", figures={}, problem=problem)


def _unit_draft(
    config: Config,
    period: str,
    unit: Unit,
    state: dict[str, Any],
    ranked: int,
    issues: list[dict[str, Any]] | None,
    pdir: Path,
    with_template: bool,
    template_problem: str | None,
) -> Draft:
    status = state.get("status")
    kind = KIND_REMINDER if status in (model.MISSING, model.UNIT_REJECTED) else KIND_FEEDBACK
    problem = None
    feedback = template = None
    path = feedback_path(pdir, unit.code)
    if path.is_file():
        feedback = Attachment(feedback_name(unit.code, period), path.read_bytes())
    elif status in (model.SUBMITTED, model.UNIT_REJECTED):
        problem = f"thiếu tệp phản hồi {path}: chạy lại `ccht-batch run --period {period}`"
    if with_template:
        path = template_path(config, unit.code, period_year(period))
        if path.is_file():
            template = Attachment(path.name, path.read_bytes())
        else:
            problem = problem or template_problem or f"thiếu tệp mẫu {path}"
    attachments = tuple(a for a in (feedback, template) if a)

    errors = None if issues is None else sum(1 for i in issues if i.get("severity") == "error")
    warnings = None if issues is None else sum(1 for i in issues if i.get("severity") == "warning")
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
    }
    subject = _unit_subject(period, unit.name, status)
    text, html_body = _unit_bodies(config, period, figures, feedback and feedback.name, template and template.name)
    return Draft(kind, period, unit.code, unit.name, unit.email, subject, text, html_body, figures, attachments, problem)


def _unit_subject(period: str, name: str, status: str | None) -> str:
    when = period_text(period)
    if status == model.MISSING:
        return f"{SUBJECT_TAG} Nhắc nộp bảng tự chấm điểm {when} - {name}"
    if status == model.UNIT_REJECTED:
        return f"{SUBJECT_TAG} Bảng tự chấm điểm {when} bị trả lại - {name}"
    return f"{SUBJECT_TAG} Kết quả tự chấm điểm {when} - {name}"


def _unit_bodies(config: Config, period: str, f: dict[str, Any], feedback: str | None, template: str | None) -> tuple[str, str]:
    when = period_text(period)
    movement = config.criteria.movement.name
    status = f["status"]
    send_to = _send_to(config)

    if status == model.MISSING:
        intro = [f"Đến thời điểm tổng hợp {when}, Văn phòng Sở chưa nhận được bảng tự chấm điểm phong trào thi đua \"{movement}\" của đơn vị."]
    elif status == model.UNIT_REJECTED:
        intro = [f"Bảng tự chấm điểm phong trào thi đua \"{movement}\" đơn vị gửi trong {when} chưa được tiếp nhận vì còn lỗi. Đề nghị đơn vị sửa các lỗi nêu dưới đây (chi tiết trong tệp đính kèm) rồi gửi lại."]
    else:
        intro = [f"Văn phòng Sở gửi đơn vị kết quả tự chấm điểm phong trào thi đua \"{movement}\" {when}."]

    rows: list[tuple[str, str]] = [("Trạng thái", model.UNIT_STATUS_TEXT.get(status, str(status)))]
    if f["result"] is not None:
        rows.append(("Kết quả (thang 100)", f["result"]))
    if f["total"] is not None:
        rows.append(("Tổng điểm", f["total"]))
    if f["band"]:
        rows.append(("Xếp loại", str(f["band"])))
    if f["rank"] is not None:
        rows.append(("Xếp hạng", f"{f['rank']}/{f['ranked']} ({rank_change_text(f['rank_change'])} so với kỳ trước)"))
    if f["errors"] is not None:
        rows.append(("Số lỗi cần sửa", str(f["errors"])))
        rows.append(("Số cảnh báo cần xem lại", str(f["warnings"])))
    rows.append(("Hạn gửi bảng cập nhật lần tới", f"ngày {f['deadline']}"))

    issues = f["issues"][:MAX_LISTED_ISSUES]
    more = len(f["issues"]) - len(issues)
    after: list[str] = []
    if feedback:
        after.append(f"Chi tiết từng tiêu chí, nguồn điểm và các lỗi theo từng ô có trong tệp đính kèm {feedback}.")
    if status == model.CARRIED:
        after.append("Tháng này đơn vị chưa gửi bảng mới nên kết quả được tính theo bảng gần nhất đã tiếp nhận.")
    if status in (model.MISSING, model.UNIT_REJECTED):
        after.append(f"Đề nghị đơn vị gửi bảng tự chấm điểm về địa chỉ {send_to} trước ngày {f['deadline']}.")
    else:
        after.append(f"Đơn vị cập nhật và gửi lại bảng tự chấm điểm về địa chỉ {send_to} trước ngày {f['deadline']}.")
    if template:
        after.append(f"Văn phòng Sở chưa nhận được bảng nào của đơn vị trong năm nên gửi kèm tệp mẫu của đơn vị ({template}). Hãy điền vào chính tệp này, không đổi tên trang tính, dòng, cột.")

    greeting = f"Kính gửi: {f['name']},"
    text = [greeting, "", *intro, "", *_key_value_text(rows)]
    if issues:
        text += ["", "Các mục cần sửa hoặc xem lại:"] + [f"  - {x}" for x in issues]
        if more:
            text.append(f"  ... và {more} mục khác (xem tệp đính kèm).")
    text += ["", *after, "", *_signature_lines(config)]

    blocks = [_p(greeting), *(_p(x) for x in intro), _key_value_html(rows)]
    if issues:
        items = "".join(f"<li>{html.escape(x)}</li>" for x in issues)
        if more:
            items += f"<li>... và {more} mục khác (xem tệp đính kèm).</li>"
        blocks += [_p("Các mục cần sửa hoặc xem lại:"), f"<ul>{items}</ul>"]
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


def _leadership_drafts(config: Config, period: str, summary: dict[str, Any], pdir: Path) -> list[Draft]:
    attachments: list[Attachment] = []
    problem = None
    for name in (summary_name(period), nominations_name(period)):
        path = pdir / name
        if path.is_file():
            attachments.append(Attachment(name, path.read_bytes()))
        else:
            problem = problem or f"thiếu tệp {name} trong {pdir}: chạy lại `ccht-batch run --period {period}`"
    figures = _leadership_figures(config, summary)
    subject = f"{SUBJECT_TAG} Tổng hợp kết quả tự chấm điểm {period_text(period)}"
    drafts = []
    for name, address in leadership_recipients(config.settings.mail):
        text, html_body = _leadership_bodies(config, period, name, figures, [a.name for a in attachments])
        drafts.append(Draft(KIND_LEADERSHIP, period, address, name, address, subject, text, html_body, figures, tuple(attachments), problem))
    return drafts


def _leadership_figures(config: Config, summary: dict[str, Any]) -> dict[str, Any]:
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
        }
        for u in ranked_first
    ]
    counts = {s: sum(1 for u in units if u.get("status") == s) for s in model.UNIT_STATUS_TEXT}
    awards: dict[str, dict[str, Any]] = {}
    for n in summary.get("nominations") or []:
        if not isinstance(n, dict):
            continue
        a = awards.setdefault(str(n.get("award")), {"name": n.get("award_name") or n.get("award"), "collective": 0, "individual": 0, "unknown": 0})
        if n.get("eligible") is True:
            a["collective" if n.get("kind") == "collective" else "individual"] += 1
        elif n.get("eligible") is None:
            a["unknown"] += 1
    return {"milestone": summary.get("milestone"), "rows": rows, "counts": counts, "awards": [awards[k] for k in sorted(awards)]}


def _unit_name(config: Config, state: dict[str, Any]) -> str:
    unit = config.unit(state.get("code"))
    return unit.name if unit else header_text(state.get("name") or state.get("code"))


def _leadership_bodies(config: Config, period: str, name: str, f: dict[str, Any], attached: list[str]) -> tuple[str, str]:
    greeting = f"Kính gửi: {name},"
    when = period_text(period)
    movement = config.criteria.movement.name
    intro = f"Văn phòng Sở báo cáo kết quả tự chấm điểm phong trào thi đua \"{movement}\" {when} của các đơn vị."
    c = f["counts"]
    tally = "; ".join(f"{model.UNIT_STATUS_TEXT[s]}: {c[s]}" for s in model.UNIT_STATUS_TEXT) + "."
    header = ["Hạng", "Mã", "Đơn vị", "Tổng điểm", "Kết quả", "Xếp loại", "Trạng thái", "Thay đổi hạng"]
    rows = [
        [
            "" if r["rank"] is None else str(r["rank"]),
            str(r["code"]),
            str(r["name"]),
            r["total"] or "",
            r["result"] or "",
            r["band"] or "",
            model.UNIT_STATUS_TEXT.get(r["status"], str(r["status"])),
            "" if r["rank"] is None else rank_change_text(r["rank_change"]),
        ]
        for r in f["rows"]
    ]
    provisional = "" if f["milestone"] else " (dự kiến, chưa phải đợt xét chính thức)"
    award_lines = [
        f"{a['name']}: {a['collective']} tập thể, {a['individual']} cá nhân đủ điều kiện" + (f"; {a['unknown']} trường hợp chưa xác định được" if a["unknown"] else "")
        for a in f["awards"]
    ]
    files = f"Tệp đính kèm: {', '.join(attached)}." if attached else ""

    text = [greeting, "", intro, tally, "", "Bảng xếp hạng:", *_grid_text(header, rows)]
    if award_lines:
        text += ["", f"Đề nghị khen thưởng{provisional}:"] + [f"  - {x}" for x in award_lines]
    text += ["", files, "", *_signature_lines(config)]

    blocks = [_p(greeting), _p(intro), _p(tally), _p("Bảng xếp hạng:"), _grid_html(header, rows, numeric={0, 3, 4})]
    if award_lines:
        blocks += [_p(f"Đề nghị khen thưởng{provisional}:"), "<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in award_lines) + "</ul>"]
    if files:
        blocks.append(_p(files))
    blocks.append(_signature_html(config))
    return "\n".join(text) + "\n", _html_page(blocks)


# ---------------------------------------------------------------------------------------------------
# The year's blank templates


def template_scope(year: int) -> str:
    return f"templates-{year}"


def template_drafts(config: Config, year: int) -> list[Draft]:
    """Each unit's blank template for ``year``, with how to fill and send it."""
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
    return drafts


def _template_bodies(config: Config, year: int, unit: Unit, file_name: str) -> tuple[str, str]:
    movement = config.criteria.movement.name
    day = config.settings.deadline_day
    intro = f"Văn phòng Sở gửi đơn vị tệp mẫu tự chấm điểm năm {year} của phong trào thi đua \"{movement}\" (tệp đính kèm {file_name}). Tệp mẫu được lập riêng cho đơn vị; xin không dùng tệp của đơn vị khác."
    steps = [
        "Mở tệp bằng Excel hoặc LibreOffice và đọc trang \"Hướng dẫn\".",
        "Ở trang \"Tự chấm điểm\", nhập điểm tự chấm, tài liệu kiểm chứng (số, ngày văn bản hoặc đường dẫn) và ghi chú cho từng tiêu chí; chỉ nhập vào các ô tô màu.",
    ]
    if config.criteria.indicators:
        steps.append("Ở trang \"Số liệu\", nhập các số liệu được yêu cầu (ngày theo dạng dd/mm/yyyy).")
    steps += [
        "Ở trang \"Cá nhân\", kê khai cá nhân đề nghị xét khen thưởng (nếu có), chọn giá trị trong danh sách thả xuống.",
        "Không đổi tên, xóa hay thêm trang tính, dòng, cột; không đặt mật khẩu cho tệp.",
        f"Lưu tệp (.xlsx) và gửi về địa chỉ {_send_to(config)} trước ngày {day} hằng tháng; các tháng sau, cập nhật và gửi lại chính tệp này.",
    ]
    greeting = f"Kính gửi: {unit.name},"
    text = [greeting, "", intro, "", "Cách thực hiện:"] + [f"  {i}. {s}" for i, s in enumerate(steps, 1)] + ["", *_signature_lines(config)]
    blocks = [_p(greeting), _p(intro), _p("Cách thực hiện:"), "<ol>" + "".join(f"<li>{html.escape(s)}</li>" for s in steps) + "</ol>", _signature_html(config)]
    return "\n".join(text) + "\n", _html_page(blocks)
