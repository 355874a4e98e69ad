"""``QuyetDinh_<form>.docx``: the head of the agency's decision giving a reward form he gives himself (the
Giấy khen of the Director), with the list as its annex on a new page."""

from __future__ import annotations

from pathlib import Path

from ccht_batch.config.model import AwardRule, FormDocument
from ccht_batch.documents.dossier import COLLECTIVE, Dossier, counts_text
from ccht_batch.documents.submission import grounds, subject_line
from ccht_batch.official.docx import CENTER, receivers, signer
from ccht_batch.official.naming import attachment_line
from ccht_batch.official.text import NAME_PT
from ccht_batch.outputs.nominations import achievement_summary

ANNEX_HEADERS = ["STT", "Họ và tên (tên tập thể)", "Chức vụ, đơn vị công tác", "Tóm tắt thành tích"]
ANNEX_WIDTHS = [1.2, 4.8, 5.0, 5.5]


def write_decision(d: Dossier, rule: AwardRule, form: FormDocument, path: Path) -> None:
    a = d.config.agency
    head = f"{d.config.documents.head_title} {a.text_name}"
    listed = d.listed(rule)
    chosen = [n for n in listed if n.selected]
    tied = [n for n in listed if n.selected is None]
    doc = d.new_document()
    doc.letterhead(d.letterhead(form.symbol))
    doc.title("Quyết định", [subject_line(d, "tặng", rule)])
    doc.para(head.upper(), bold=True, size=NAME_PT, align=CENTER)
    grounds(d, doc, council=False, italic=True)
    doc.placeholder("Căn cứ quyết định quy định chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức của Sở: Văn phòng Sở bổ sung số, ngày")
    doc.para(f"Theo đề nghị của {d.config.documents.council_name} tại cuộc họp ngày [   /   /{d.year}] và Chánh Văn phòng Sở.", italic=True)
    doc.para("QUYẾT ĐỊNH:", bold=True, size=NAME_PT, align=CENTER)
    doc.para(f"Điều 1. Tặng {rule.name} cho {counts_text(chosen)} (có danh sách kèm theo) đã có thành tích xuất sắc trong {d.movement} ({d.occasion}).")
    if tied:
        names = "; ".join(d.display_name(n) for n in tied)
        doc.placeholder(f"Bằng nhau tại vị trí cuối của chỉ tiêu, chờ Hội đồng Thi đua - Khen thưởng biểu quyết: {names}")
    doc.para("Điều 2. Kèm theo Giấy khen là tiền thưởng theo quy định [Văn phòng Sở bổ sung mức tiền thưởng và nguồn kinh phí].")
    doc.para(
        "Điều 3. Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Sở, Thủ trưởng các phòng, đơn vị thuộc Sở và các tập thể, "
        "cá nhân có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này./."
    )
    doc.signature(receivers(form.distribution), signer(a.signer.title_lines, a.signer.name))

    # The annex: the list, on its own page
    doc.page_break()
    doc.title("Danh sách", [f"Tập thể, cá nhân được tặng {rule.name}"], note=attachment_line(d.config, rule.id, d.year))
    collectives = [n for n in chosen if n.kind == COLLECTIVE]
    persons = [n for n in chosen if n.kind != COLLECTIVE]
    rows: list[list[str]] = [["I", "Tập thể", "", ""]]
    rows += [[str(i), d.display_name(n), "", achievement_summary(d.outcome, n)] for i, n in enumerate(collectives, start=1)] or [["", "(Không có)", "", ""]]
    sections = [0, len(rows)]
    rows.append(["II", "Cá nhân", "", ""])
    rows += [[str(i), n.name, d.position(n), achievement_summary(d.outcome, n)] for i, n in enumerate(persons, start=1)] or [["", "(Không có)", "", ""]]
    doc.table(ANNEX_HEADERS, rows, ANNEX_WIDTHS, left_columns=(1, 2, 3), bold_rows=sections)
    doc.save(path, title=f"Quyết định tặng {rule.name}")
