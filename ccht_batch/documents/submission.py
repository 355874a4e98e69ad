"""``ToTrinh_<form>.docx``: the tờ trình that sends a reward form's list up (to UBND tỉnh, through Sở Nội vụ).

The list itself is the form's sheet of ``DeNghiKhenThuong_<period>.xlsx`` (its line "Kèm theo Tờ trình
số …" names this tờ trình); the tờ trình names who is proposed, the grounds, the dossier attached, and asks
what ``units.yaml`` says it asks. Candidates tied at the quota's last places are named as such until the
council decides.
"""

from __future__ import annotations

from pathlib import Path

from ccht_batch.config.model import AwardRule, FormDocument
from ccht_batch.documents.dossier import COLLECTIVE, Dossier, counts_text
from ccht_batch.official.docx import CENTER, receivers, signer
from ccht_batch.official.text import SUBJECT_PT


def subject_line(d: Dossier, verb: str, rule: AwardRule) -> str:
    """"Về việc đề nghị tặng Bằng khen … cho các tập thể, cá nhân có thành tích xuất sắc trong …"."""
    return f"Về việc {verb} {rule.name} cho các tập thể, cá nhân có thành tích xuất sắc trong {d.movement}"


def grounds(d: Dossier, doc, council: bool = True, italic: bool = False) -> None:
    """The "Căn cứ …" lines: ``units.yaml`` ``documents.grounds``, the movement's plan, the council's
    meeting (italic in a decision, as its grounds for issuing)."""
    for line in d.config.documents.grounds:
        doc.para(line, italic=italic)
    doc.para(f"Căn cứ Kế hoạch phát động {d.movement} của {d.config.agency.text_name};", italic=italic)
    if council:
        doc.para(f"Căn cứ kết quả xét của {d.config.documents.council_name} tại cuộc họp ngày [   /   /{d.year}] (biên bản kèm theo);", italic=italic)


def write_submission(d: Dossier, rule: AwardRule, form: FormDocument, path: Path) -> None:
    a = d.config.agency
    listed = d.listed(rule)
    chosen = [n for n in listed if n.selected]
    tied = [n for n in listed if n.selected is None]
    doc = d.new_document()
    doc.letterhead(d.letterhead(form.symbol))
    doc.title("Tờ trình", [subject_line(d, "đề nghị tặng", rule)])
    addressees = list(form.addressees)
    through = f" (qua {form.through})" if form.through else ""
    if len(addressees) == 1:
        doc.para(f"Kính gửi: {addressees[0]}{through}.", size=SUBJECT_PT, align=CENTER)
    else:
        doc.para("Kính gửi:", size=SUBJECT_PT, align=CENTER)
        for i, who in enumerate(addressees):
            doc.para(f"- {who}{through if i == len(addressees) - 1 else ''};", size=SUBJECT_PT, align=CENTER)
    grounds(d, doc)
    doc.para(
        f"Qua {d.occasion}, {a.text_name} kính trình {addressees[0] if addressees else '[cấp có thẩm quyền]'} {form.request} "
        f"cho {counts_text(chosen)} đã có thành tích xuất sắc trong {d.movement} (có danh sách kèm theo), cụ thể:"
    )
    collectives = [n for n in chosen if n.kind == COLLECTIVE]
    persons = [n for n in chosen if n.kind != COLLECTIVE]
    if collectives:
        doc.para(f"- Tập thể ({len(collectives)}): " + "; ".join(d.display_name(n) for n in collectives) + ".")
    if persons:
        doc.para(f"- Cá nhân ({len(persons)}): " + "; ".join(f"{n.name}, {d.position(n)}" for n in persons) + ".")
    if not chosen:
        doc.placeholder("Chưa có tập thể, cá nhân nào trên danh sách: Hội đồng Thi đua - Khen thưởng xem xét trước khi trình")
    if tied:
        names = "; ".join(f"{d.display_name(n)}" for n in tied)
        note = next((n.tie_note for n in tied if n.tie_note), "")
        doc.placeholder(f"Bằng nhau tại vị trí cuối của chỉ tiêu, chờ Hội đồng Thi đua - Khen thưởng biểu quyết: {names}" + (f" ({note})" if note else ""))
    doc.para(
        "Hồ sơ kèm theo gồm: danh sách đề nghị khen thưởng; biên bản họp Hội đồng Thi đua - Khen thưởng; báo cáo thành tích "
        "của các tập thể, cá nhân được đề nghị; [các tài liệu khác theo quy định]."
    )
    doc.para(f"{a.text_name} kính trình {addressees[0] if addressees else '[cấp có thẩm quyền]'} xem xét, quyết định./.")
    doc.signature(receivers(form.distribution), signer(a.signer.title_lines, a.signer.name))
    doc.save(path, title=f"Tờ trình đề nghị tặng {rule.name}")
