"""The nomination lists ``DeNghiKhenThuong_<YYYY-MM>.xlsx``: one official list per reward form.

Each sheet is meant to be printed and signed as it is, so it follows the official look of Decree
30/2020/NĐ-CP (RULES.md §6): the two-column header, a date line the signer completes by hand (no clock:
the same run gives the same bytes), the title, the sections "I. Tập thể" / "II. Cá nhân", the signer block
and "Nơi nhận:". Agency, place, signer and distribution come from ``units.yaml``; the rule's title and
sheet name from ``criteria.yaml``. A list is provisional (titled DỰ KIẾN) until it is a milestone's and the
council's decision is applied to all of it; candidates tied at a quota's last places are listed apart, in a
block "Đồng hạng tại ngưỡng chỉ tiêu — Hội đồng quyết định" with the tie stated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ccht_batch.awards.select import TIE_HEADING
from ccht_batch.config.model import AwardRule, Config
from ccht_batch.core.files import atomic_path
from ccht_batch.core.periods import period_text, period_year
from ccht_batch.core.records import Nomination, PersonEntry, RunOutcome
from ccht_batch.core.values import fmt_number, fold_key
from ccht_batch.outputs.summary_json import considered_rules
from ccht_batch.xlsx.util import (
    Formats,
    new_workbook,
    print_setup,
    text_height,
    write_value,
)

SHEET_REFUSED = "Không đủ điều kiện"
PROVISIONAL = "DỰ KIẾN"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
SECTION_COLLECTIVE = "I. Tập thể"
SECTION_INDIVIDUAL = "II. Cá nhân"
NONE_LINE = "(Không có)"
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
REFUSED_HEADERS = ("STT", "Họ và tên (tên tập thể)", "Đơn vị", "Hình thức đề nghị", "Kết quả xét", "Lý do", "Ghi chú")
ELIGIBILITY_TEXT = {True: "Đủ điều kiện", False: "Không đủ điều kiện", None: "Chưa xác định được"}

_WIDTHS = (5, 26, 7, 7, 28, 22, 44, 18)
_LEFT = (0, 3)  # the agency block spans A:D
_RIGHT = (4, 7)  # the national block spans E:H
_FULL = (0, 7)


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


class _OfficialSheet:
    """One printed list, written top to bottom."""

    def __init__(self, wb: Any, fm: Formats, name: str):
        self.ws = wb.add_worksheet(name)
        self.fm = fm
        self.row = 0
        self.widths: tuple[float, ...] = ()
        self.set_widths(_WIDTHS)

    def set_widths(self, widths: tuple[float, ...]) -> None:
        self.widths = widths
        for c, w in enumerate(widths):
            self.ws.set_column(c, c, w)

    def text(self, row: int, span: tuple[int, int], text: str, fmt: Any) -> None:
        """Merged cells get their text by ``write_string`` (never parsed as a formula)."""
        if span[0] != span[1]:
            self.ws.merge_range(row, span[0], row, span[1], "", fmt)
        self.ws.write_string(row, span[0], text, fmt)

    def line(self, text: str, fmt: Any, span: tuple[int, int] = _FULL, height: float | None = None, font_size: float = 12) -> None:
        self.text(self.row, span, text, fmt)
        height = text_height([text], [sum(self.widths[span[0]:span[1] + 1])], font_size) or height
        if height:
            self.ws.set_row(self.row, height)
        self.row += 1

    def heading(self, config: Config, year: int, title: str, provisional_note: str | None, subtitle: bool) -> None:
        f = self.fm
        agency = config.agency
        self.text(0, _LEFT, agency.parent.upper(), f(align="center", font_size=13))
        self.text(0, _RIGHT, NATION, f(align="center", bold=True, font_size=13))
        self.text(1, _LEFT, agency.name.upper(), f(align="center", bold=True, font_size=13))
        self.text(1, _RIGHT, MOTTO, f(align="center", bold=True, font_size=14))
        self.text(3, _RIGHT, f"{agency.place}, ngày .... tháng .... năm {year}", f(align="center", italic=True, font_size=13))
        self.row = 5
        self.line(title, f(align="center", bold=True, font_size=14, text_wrap=True), height=24, font_size=14)
        if provisional_note:
            self.line(provisional_note, f(align="center", italic=True, font_size=12, text_wrap=True))
        if subtitle:
            self.line(agency.submission_line.replace("{year}", str(year)), f(align="center", italic=True, font_size=13))
        self.row += 1

    def table_header(self, headers: tuple[str, ...]) -> None:
        fmt = self.fm(bold=True, align="center", text_wrap=True, border=1, font_size=12)
        for c, h in enumerate(headers):
            self.ws.write_string(self.row, c, h, fmt)
        self.ws.set_row(self.row, 36)
        self.ws.repeat_rows(self.row, self.row)
        self.row += 1

    def record(self, values: list[Any], centred: tuple[int, ...] = (0, 2, 3)) -> None:
        for c, v in enumerate(values):
            fmt = self.fm(border=1, text_wrap=True, valign="top", font_size=12, align="center" if c in centred else "left")
            write_value(self.ws, self.row, c, v, fmt)
        height = text_height(values, self.widths, 12)
        if height:
            self.ws.set_row(self.row, height)
        self.row += 1

    def section(self, text: str, width: int) -> None:
        self.line(text, self.fm(bold=True, border=1, font_size=12), span=(0, width - 1))

    def empty(self, width: int) -> None:
        self.line(NONE_LINE, self.fm(italic=True, border=1, font_size=12, align="center"), span=(0, width - 1))

    def signature(self, config: Config) -> None:
        f = self.fm
        agency = config.agency
        self.row += 1
        top = self.row
        left = [("Nơi nhận:", f(bold=True, italic=True, font_size=12))]
        left += [(f"- {d}", f(font_size=11)) for d in agency.distribution]
        right = [(t, f(bold=True, align="center", font_size=13)) for t in agency.signer.title_lines]
        right += [("", None)] * 4 + [(agency.signer.name, f(bold=True, align="center", font_size=13))]
        for i in range(max(len(left), len(right))):
            if i < len(left):
                self.text(top + i, _LEFT, *left[i])
            if i < len(right) and right[i][1] is not None:
                self.text(top + i, _RIGHT, *right[i])
        self.row = top + max(len(left), len(right))

    def finish(self) -> None:
        print_setup(self.ws)
        self.ws.set_footer('&C&"Times New Roman,Regular"&10Trang &P/&N')


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


def _position(outcome: RunOutcome, config: Config, n: Nomination) -> str:
    unit = outcome.unit(n.unit_code) or config.unit(n.unit_code)
    unit_name = unit.name if unit else n.unit_code
    position = n.person.position if n.person else ""
    return f"{position}, {unit_name}" if position else unit_name


def _award_sheet(wb: Any, fm: Formats, config: Config, outcome: RunOutcome, rule: AwardRule) -> None:
    year = period_year(outcome.period)
    provisional = not list_is_final(outcome, rule.id)
    considered = rule in considered_rules(config, outcome)
    note = None
    if outcome.milestone is None:
        note = f"(Danh sách dự kiến, lập từ kết quả {period_text(outcome.period)}; chưa phải danh sách chính thức để trình khen thưởng)"
    elif provisional:
        note = "(Danh sách dự kiến: chờ Hội đồng Thi đua - Khen thưởng xét, biểu quyết)"
    sheet = _OfficialSheet(wb, fm, rule.sheet_name)
    sheet.heading(config, year, list_title(rule, provisional), note, subtitle=considered)
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
    _records(sheet, [n for n in collectives if n.selected], lambda i, n: [i, n.name, None, None, "", n.award_name, _collective_summary(outcome, n), n.note])
    _tie_block(sheet, [n for n in collectives if n.selected is None], width, lambda i, n: [i, n.name, None, None, "", n.award_name, _collective_summary(outcome, n), TIE_NOTE])
    if not collectives:
        sheet.empty(width)
    sheet.section(SECTION_INDIVIDUAL, width)
    individuals = [n for n in chosen if n.kind == "individual"]

    def person_row(i: int, n: Nomination, note: str) -> list[Any]:
        p = n.person
        achievement = (p.summary if p and p.summary else "") or "; ".join(n.reasons)
        return [i, n.name, p.birth_year if p else None, p.gender if p else "", _position(outcome, config, n), n.award_name, achievement, note]

    _records(sheet, [n for n in individuals if n.selected], lambda i, n: person_row(i, n, n.note))
    _tie_block(sheet, [n for n in individuals if n.selected is None], width, lambda i, n: person_row(i, n, TIE_NOTE))
    if not individuals:
        sheet.empty(width)
    sheet.signature(config)
    sheet.finish()


def _records(sheet: _OfficialSheet, noms: list[Nomination], row: Any) -> None:
    for i, n in enumerate(noms, start=1):
        sheet.record(row(i, n))


def _tie_block(sheet: _OfficialSheet, tied: list[Nomination], width: int, row: Any) -> None:
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


def _refused_sheet(wb: Any, fm: Formats, config: Config, outcome: RunOutcome) -> None:
    provisional = outcome.milestone is None or not outcome.council_applied
    title = "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG KHÔNG ĐƯỢC ĐƯA VÀO DANH SÁCH"
    if provisional:
        title += f" ({PROVISIONAL})"
    sheet = _OfficialSheet(wb, fm, SHEET_REFUSED)
    sheet.set_widths((5, 26, 22, 24, 18, 52, 30, 2))
    sheet.heading(config, period_year(outcome.period), title, f"(Kèm theo kết quả xét {period_text(outcome.period)})", subtitle=False)
    sheet.table_header(REFUSED_HEADERS)
    refused = refused_nominations(config, outcome)
    for i, n in enumerate(refused, start=1):
        unit = outcome.unit(n.unit_code) or config.unit(n.unit_code)
        verdict = ELIGIBILITY_TEXT[n.eligible] if n.eligible is not True else "Đủ điều kiện, không được chọn"
        sheet.record([i, n.name, unit.name if unit else n.unit_code, n.award_name, verdict, "; ".join(n.reasons), n.note], centred=(0,))
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
