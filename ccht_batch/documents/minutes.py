"""``BienBan_HoiDong_<period>.docx``: the minutes of the emulation council's meeting on the nominations.

Members and roles come from ``units.yaml`` (``documents.council``); each form's candidates from the run:
who is on the list, who is tied at the quota's last places (with the tie in words), whose proposal was
refused and why, each with the eligibility found. Once the council's workbook is applied to the period
(``RunOutcome.council_applied``), every vote recorded there is written in (members present, votes for,
the decision); before that the vote columns are left for the secretary to fill and the minutes say DỰ THẢO.
"""

from __future__ import annotations

from pathlib import Path

from ccht_batch.core.records import Nomination
from ccht_batch.documents.dossier import COLLECTIVE, Dossier, counts_text
from ccht_batch.official.docx import LEFT, Line, receivers
from ccht_batch.official.text import SIGNER_PT
from ccht_batch.outputs.nominations import ELIGIBILITY_TEXT, refusal_reason

HEADERS = ["STT", "Tập thể, cá nhân", "Đơn vị", "Kết quả xét điều kiện", "Biểu quyết (đồng ý/có mặt)", "Kết luận"]
WIDTHS = [1.2, 3.6, 3.0, 4.2, 2.3, 2.2]
BLANK = "[      ]"


def minutes_name(period: str) -> str:
    return f"BienBan_HoiDong_{period}.docx"


def _vote(n: Nomination) -> tuple[str, str]:
    """(the vote, the conclusion) of one candidate."""
    v = n.vote
    if v is not None and (v.votes_for is not None or v.decision):
        share = ""
        if v.votes_for is not None and v.present:
            share = f" ({round(100 * v.votes_for / v.present)}%)"
        votes = f"{v.votes_for if v.votes_for is not None else BLANK}/{v.present if v.present is not None else BLANK}{share}"
        return votes, v.decision or BLANK
    if n.selected is None:
        return BLANK, "[Hội đồng biểu quyết]"
    return BLANK, "Đề nghị" if n.selected else "Không đề nghị"


def _eligibility(d: Dossier, n: Nomination) -> str:
    text = ELIGIBILITY_TEXT[n.eligible]
    if n.selected is None:
        return f"{text}; bằng nhau tại vị trí cuối của chỉ tiêu" + (f": {n.tie_note}" if n.tie_note else "")
    if n.selected is False:
        return f"{text}: {refusal_reason(d.outcome, n)}"
    return text


def write_minutes(d: Dossier, path: Path) -> None:
    config = d.config
    council = config.documents
    members = list(council.council_members)
    chair = next((m for m in members if m.role == "Chủ tịch Hội đồng"), None)
    secretary = next((m for m in members if m.role == "Thư ký"), None)
    doc = d.new_document()
    # under the agency's name the council is named without it: "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG"
    issuer = council.council_name.removesuffix(config.agency.text_name).strip() or council.council_name
    doc.letterhead(d.letterhead(f"BB-{config.agency.short_name}", issuer=issuer, parent=config.agency.name))
    doc.title("Biên bản", [f"Họp {council.council_name} xét đề nghị khen thưởng {d.occasion}"])
    doc.para(f"Thời gian: [     giờ     phút, ngày     tháng     năm {d.year}].")
    doc.para("Địa điểm: [Văn phòng Sở bổ sung].")

    doc.heading("I. THÀNH PHẦN")
    doc.para(f"Chủ trì: {_who(chair)}, Chủ tịch Hội đồng." if chair else "Chủ trì: [họ và tên, chức vụ], Chủ tịch Hội đồng.")
    doc.para(f"Thư ký: {_who(secretary)}." if secretary else "Thư ký: [họ và tên, chức vụ].")
    present = [v.present for n in d.outcome.nominations if (v := n.vote) is not None and v.present is not None]
    attendance = f"{max(present)}/{len(members)}" if present and members else f"{BLANK}/{len(members) or BLANK}"
    doc.para(f"Thành viên Hội đồng có mặt: {attendance}" + (" (theo kết quả biểu quyết Văn phòng Sở đã nhập)." if present else "; vắng mặt: [họ và tên, lý do]."))
    if members:
        rows = [[str(i), m.name or "[họ và tên]", m.position, m.role, ""] for i, m in enumerate(members, start=1)]
        doc.table(["STT", "Họ và tên", "Chức vụ", "Nhiệm vụ trong Hội đồng", "Có mặt"], rows, [1.2, 4.2, 5.0, 4.1, 2.0], left_columns=(1, 2, 3))

    doc.heading("II. NỘI DUNG")
    doc.para(
        f"Hội đồng xem xét kết quả chấm điểm, xếp loại {d.movement} và đề nghị khen thưởng của các phòng, đơn vị, "
        f"đối chiếu tiêu chuẩn khen thưởng ({d.occasion}); kết quả xét và biểu quyết như sau:"
    )
    conclusions = []
    for number, rule in enumerate(d.rules, start=1):
        listed, refused = d.listed(rule), d.refused(rule)
        doc.heading(f"{number}. {rule.name}")
        if not listed and not refused:
            doc.para("Không có tập thể, cá nhân nào đủ điều kiện hoặc được đơn vị đề nghị.")
            continue
        rows = []
        for i, n in enumerate(listed + refused, start=1):
            votes, conclusion = _vote(n)
            rows.append([str(i), d.display_name(n) if n.kind == COLLECTIVE else n.name, d.unit_name(n.unit_code), _eligibility(d, n), votes, conclusion])
        doc.table(HEADERS, rows, WIDTHS, left_columns=(1, 2, 3))
        chosen = [n for n in listed if n.selected]
        tied = [n for n in listed if n.selected is None]
        conclusions.append(f"- {rule.name}: {counts_text(chosen)}" + (f"; {len(tied)} trường hợp bằng nhau tại chỉ tiêu chờ Hội đồng biểu quyết" if tied else "") + ".")

    doc.heading("III. KẾT LUẬN")
    doc.para("Hội đồng thống nhất đề nghị khen thưởng (có danh sách kèm theo):")
    for line in conclusions:
        doc.para(line)
    doc.para("Cuộc họp kết thúc vào hồi [     giờ     phút] cùng ngày. Biên bản đã được thông qua trước Hội đồng./.")
    doc.signature(
        [Line("THƯ KÝ", bold=True, size=SIGNER_PT)] + [Line("")] * 4 + [Line(secretary.name if secretary and secretary.name else "[họ và tên]", bold=True, size=SIGNER_PT)],
        [Line("CHỦ TỊCH HỘI ĐỒNG", bold=True, size=SIGNER_PT)] + [Line("")] * 4 + [Line(chair.name if chair and chair.name else "[họ và tên]", bold=True, size=SIGNER_PT)],
    )
    for line in receivers(council.council_distribution):
        doc.para(line.text, bold=line.bold, italic=line.italic, size=line.size, align=LEFT).paragraph_format.space_after = 0
    doc.save(path, title=f"Biên bản họp {council.council_name}")


def _who(member) -> str:
    name = member.name or "[họ và tên]"
    return f"{name}, {member.position}" if member.position else name
