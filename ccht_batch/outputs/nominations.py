"""The nomination lists ``DeNghiKhenThuong_<YYYY-MM>.xlsx``: one official list per reward form.

Each list sheet is meant to be printed and signed as it is, so it follows Decree 30/2020/NĐ-CP, Phụ lục I
(RULES.md §6), through the official layer (``official.xlsx``): the two-column header with the rules under
the issuing body and the Tiêu ngữ, a date line the signer completes by hand (no clock: the same run gives
the same bytes), the title with the line naming the document it goes with ("Kèm theo Tờ trình …" or
"Kèm theo Quyết định …", from ``units.yaml`` ``documents.awards``) and a rule beneath, the sections
"I. Tập thể" / "II. Cá nhân", the signer block and "Nơi nhận:"; page numbers at the top from page 2.
A list that goes up with a tờ trình names the agency and province after every collective and unit.
A list is provisional (titled DỰ KIẾN) until it is a milestone's and the council's decision is applied to all
of it; candidates tied at a quota's last places are listed apart, in a block "Đồng hạng tại ngưỡng chỉ tiêu —
Hội đồng quyết định" with the tie stated.

No processing note is printed: why a candidate moved to another form, was cut by a quota or refused is in
the consolidated workbook's sheet ``Ghi chú xử lý`` (for the Office, not signed) and in ``summary.json``
(``note``); the sheet ``Không đủ điều kiện`` gives each refusal's reason in words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ccht_batch.awards.select import COUNCIL_REFUSED, TIE_HEADING
from ccht_batch.config.model import AwardRule, Config
from ccht_batch.core.files import atomic_path
from ccht_batch.core.periods import period_text, period_year
from ccht_batch.core.records import Nomination, PersonEntry, RunOutcome
from ccht_batch.core.values import fmt_number, fold_key
from ccht_batch.official.naming import attachment_line, unit_label
from ccht_batch.official.text import DATE_PT, NAME_PT, date_line
from ccht_batch.official.xlsx import OfficialSheet, Spans
from ccht_batch.outputs.summary_json import considered_rules
from ccht_batch.xlsx.util import Formats, new_workbook

SHEET_REFUSED = "Không đủ điều kiện"
PROVISIONAL = "DỰ KIẾN"
SECTION_COLLECTIVE = "I. Tập thể"
SECTION_INDIVIDUAL = "II. Cá nhân"
TIE_NOTE = "Chờ Hội đồng quyết định"
LIST_HEADERS = (
    "STT",
    "Họ và tên (tên tập thể)",
    "Năm sinh",
    "Giới tính",
    "Chức vụ, đơn vị công tác",
    "Hình thức khen thưởng",
    "Tóm tắt thành tích",
    "Ghi chú",
)
REFUSED_HEADERS = ("STT", "Họ và tên (tên tập thể)", "Đơn vị", "Hình thức đề nghị", "Kết quả xét", "Lý do")
ELIGIBILITY_TEXT = {True: "Đủ điều kiện", False: "Không đủ điều kiện", None: "Chưa xác định được"}
ON_LIST_TEXT = {True: "Có", False: "Không", None: "Chờ Hội đồng quyết định"}
KIND_TEXT = {"collective": "Tập thể", "individual": "Cá nhân"}

_WIDTHS = (5, 26, 7, 7, 28, 22, 44, 18)
_SPANS = Spans(left=(0, 3), right=(4, 7), full=(0, 7))  # the agency block spans A:D, the national block E:H


def nominations_name(period: str) -> str:
    return f"DeNghiKhenThuong_{period}.xlsx"


def person_nominations(nominations: list[Nomination], unit_code: str, person: PersonEntry) -> list[Nomination]:
    """A `Cá nhân` row's nominations: matched by unit and row (names may repeat across units)."""
    out = []
    for n in nominations:
        if n.kind != "individual" or n.unit_code != unit_code:
            continue
        if n.person is not None:
            if n.person is person or n.person.row == person.row:
                out.append(n)
        elif fold_key(n.name) == fold_key(person.name):
            out.append(n)
    return out


def milestone_label(config: Config, milestone: str) -> str:
    if milestone == "yearly":
        return "đánh giá hằng năm"
    m = config.criteria.movement.milestone(milestone)
    return m.name if m else milestone


def list_title(rule: AwardRule, provisional: bool) -> str:
    return f"{rule.title} ({PROVISIONAL})" if provisional else rule.title


def list_is_final(outcome: RunOutcome, rule_id: str) -> bool:
    """A list is final at a milestone once the council's decision is applied to every candidate on it."""
    if outcome.milestone is None or not outcome.council_applied:
        return False
    on_list = [n for n in outcome.nominations if n.award == rule_id and n.selected is not False]
    return all(n.selected is True and n.vote is not None for n in on_list)


# ---------------------------------------------------------------------------------------------------


def _sheet(wb: Any, fm: Formats, config: Config, name: str, year: int, title: str, lines: list[str], widths: tuple[float, ...] = _WIDTHS) -> OfficialSheet:
    """A list's sheet with its letterhead and title: the title (bold), its italic lines (the provisional note,
    "Kèm theo …"), a rule beneath."""
    sheet = OfficialSheet(wb, fm, name, widths, _SPANS)
    agency = config.agency
    sheet.letterhead(agency.parent, agency.name, date_line(agency.place, year))
    rows = [(title, {"bold": True, "font_size": NAME_PT})] + [(text, {"italic": True, "font_size": DATE_PT}) for text in lines if text]
    sheet.title(rows, rule_under=(title, NAME_PT))
    return sheet


def _collective_summary(outcome: RunOutcome, n: Nomination) -> str:
    if n.achievement:
        return n.achievement
    unit = outcome.unit(n.unit_code)
    if unit is None or unit.result is None:
        return "; ".join(n.reasons)
    ranked = outcome.ranked_count
    text = f"Kết quả {fmt_number(unit.result)} điểm, xếp loại {unit.band}"
    if unit.rank is not None:
        text += f", xếp hạng {unit.rank}/{ranked}"
    return text + f" ({period_text(outcome.period)})."


def achievement_summary(outcome: RunOutcome, n: Nomination) -> str:
    """The "Tóm tắt thành tích" of a list: a collective's result, band and rank; a person's summary as the
    unit wrote it (else the grounds of eligibility)."""
    if n.kind == "collective":
        return _collective_summary(outcome, n)
    p = n.person
    return (p.summary if p and p.summary else "") or "; ".join(n.reasons)


def position_text(outcome: RunOutcome, config: Config, n: Nomination) -> str:
    """A person's "Chức vụ, đơn vị công tác" on the list of their form."""
    unit = outcome.unit(n.unit_code) or config.unit(n.unit_code)
    unit_name = unit_label(config, n.award, unit.name if unit else n.unit_code)
    position = n.person.position if n.person else ""
    return f"{position}, {unit_name}" if position else unit_name


def _award_sheet(wb: Any, fm: Formats, config: Config, outcome: RunOutcome, rule: AwardRule) -> None:
    year = period_year(outcome.period)
    provisional = not list_is_final(outcome, rule.id)
    considered = rule in considered_rules(config, outcome)
    lines = []
    if outcome.milestone is None:
        lines.append(f"(Danh sách dự kiến, lập từ kết quả {period_text(outcome.period)}; chưa phải danh sách chính thức để trình khen thưởng)")
    elif provisional:
        lines.append("(Danh sách dự kiến: chờ Hội đồng Thi đua - Khen thưởng xét, biểu quyết)")
    if considered:
        lines.append(attachment_line(config, rule.id, year))
    sheet = _sheet(wb, fm, config, rule.sheet_name, year, list_title(rule, provisional), lines)
    if not considered:
        when = "; ".join(milestone_label(config, m) for m in rule.milestones)
        sheet.line(
            f"Hình thức khen thưởng này không xét ở kỳ đánh giá này ({milestone_label(config, outcome.milestone or 'yearly')}); chỉ xét khi: {when}.",
            fm(italic=True, font_size=13, align="center", text_wrap=True),
            font_size=13,
        )
        sheet.finish()
        return
    chosen = [n for n in outcome.nominations if n.award == rule.id and n.selected is not False]
    width = len(LIST_HEADERS)
    sheet.table_header(LIST_HEADERS)
    sheet.section(SECTION_COLLECTIVE, width)
    collectives = [n for n in chosen if n.kind == "collective"]
    def collective_row(i: int, n: Nomination, note: str) -> list[Any]:
        return [i, unit_label(config, rule.id, n.name), None, None, "", n.award_name, achievement_summary(outcome, n), note]

    _records(sheet, [n for n in collectives if n.selected], lambda i, n: collective_row(i, n, ""))
    _tie_block(sheet, [n for n in collectives if n.selected is None], width, lambda i, n: collective_row(i, n, TIE_NOTE))
    if not collectives:
        sheet.empty(width)
    sheet.section(SECTION_INDIVIDUAL, width)
    individuals = [n for n in chosen if n.kind == "individual"]

    def person_row(i: int, n: Nomination, note: str) -> list[Any]:
        p = n.person
        return [i, n.name, p.birth_year if p else None, p.gender if p else "", position_text(outcome, config, n), n.award_name, achievement_summary(outcome, n), note]

    _records(sheet, [n for n in individuals if n.selected], lambda i, n: person_row(i, n, ""))
    _tie_block(sheet, [n for n in individuals if n.selected is None], width, lambda i, n: person_row(i, n, TIE_NOTE))
    if not individuals:
        sheet.empty(width)
    a = config.agency
    sheet.signature(a.distribution, a.signer.title_lines, a.signer.name)
    sheet.finish()


def _records(sheet: OfficialSheet, noms: list[Nomination], row: Any) -> None:
    for i, n in enumerate(noms, start=1):
        sheet.record(row(i, n))


def _tie_block(sheet: OfficialSheet, tied: list[Nomination], width: int, row: Any) -> None:
    """Candidates tied at the quota's last places: listed apart, each tie stated once above its candidates."""
    if not tied:
        return
    span = (0, width - 1)
    sheet.line(TIE_HEADING, sheet.fm(bold=True, italic=True, border=1, font_size=12, text_wrap=True), span=span)
    number = 0
    for note in dict.fromkeys(n.tie_note for n in tied):
        sheet.line(note, sheet.fm(italic=True, border=1, font_size=12, text_wrap=True), span=span)
        for n in (n for n in tied if n.tie_note == note):
            number += 1
            sheet.record(row(number, n))


def refused_nominations(config: Config, outcome: RunOutcome) -> list[Nomination]:
    """Proposals the unit made that did not make the list: not eligible, cannot tell, cut (one form per
    achievement, quota) or refused by the council — never one tied for the council's decision. In the
    order of the award rules, then as the award engine listed them."""
    order = {r.id: i for i, r in enumerate(config.criteria.awards)}
    found = [n for n in outcome.nominations if n.selected is False and (n.proposed or n.vote is not None)]
    return sorted(found, key=lambda n: order.get(n.award, len(order)))


def refusal_reason(outcome: RunOutcome, n: Nomination) -> str:
    """Why a proposal is not on its list, in words for a printed page: the checks' reasons when it is not
    eligible (or cannot be told); else the form chosen instead, or the quota."""
    if n.eligible is not True:
        return "; ".join(n.reasons)
    refused = next((r for r in n.reasons if r.startswith(COUNCIL_REFUSED)), None)
    if refused is not None:
        return refused
    same = (lambda m: m.person is n.person) if n.person is not None else (lambda m: m.kind == n.kind and m.name == n.name)
    other = next((m for m in outcome.unit_nominations(n.unit_code) if m.selected and m is not n and same(m)), None)
    if other is not None:
        return f"Được đề nghị {other.award_name} (mỗi thành tích chỉ đề nghị một hình thức khen thưởng)"
    return f"Đủ điều kiện nhưng ngoài số lượng chỉ tiêu của {n.award_name}"


def _refused_sheet(wb: Any, fm: Formats, config: Config, outcome: RunOutcome) -> None:
    provisional = outcome.milestone is None or not outcome.council_applied
    title = "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG KHÔNG ĐƯỢC ĐƯA VÀO DANH SÁCH"
    if provisional:
        title += f" ({PROVISIONAL})"
    lines = [f"(Kèm theo kết quả xét {period_text(outcome.period)})"]
    sheet = _sheet(wb, fm, config, SHEET_REFUSED, period_year(outcome.period), title, lines, widths=(5, 26, 22, 24, 18, 54, 18, 13))
    sheet.table_header(REFUSED_HEADERS)
    refused = refused_nominations(config, outcome)
    for i, n in enumerate(refused, start=1):
        unit = outcome.unit(n.unit_code) or config.unit(n.unit_code)
        verdict = ELIGIBILITY_TEXT[n.eligible] if n.eligible is not True else "Đủ điều kiện, không được chọn"
        sheet.record([i, n.name, unit.name if unit else n.unit_code, n.award_name, verdict, refusal_reason(outcome, n)], centred=(0,))
    if not refused:
        sheet.empty(len(REFUSED_HEADERS))
    sheet.finish()


def write_nominations_workbook(config: Config, outcome: RunOutcome, path: Path) -> Path:
    with atomic_path(path) as tmp:
        wb = new_workbook(tmp, title="Danh sách đề nghị khen thưởng")
        fm = Formats(wb, size=12)
        for rule in config.criteria.awards:
            _award_sheet(wb, fm, config, outcome, rule)
        _refused_sheet(wb, fm, config, outcome)
        wb.close()
    return path
