"""``BaoCaoThanhTich/<code or person>.docx``: each candidate's achievement report, in the shape of the
forms annexed to Decree 98/2023/NĐ-CP — the collective's (sơ lược đặc điểm, tình hình; thành tích đạt
được; các hình thức đã được khen thưởng) and the individual's (sơ lược lý lịch; thành tích; khen thưởng).

What the store knows is filled in: the results (collective) or ratings (person) of every year the review
covers, the titles, the recognised initiatives with their decisions, the awards received. What only the
unit or the person can write is left in brackets. The header names the unit under the agency, with the
decree's rules, so the report prints as the unit's own document.
"""

from __future__ import annotations

from pathlib import Path

from ccht_batch.core import vocab
from ccht_batch.documents.dossier import COLLECTIVE, Achievement, Candidate, Dossier
from ccht_batch.official.docx import CENTER, Line, OfficialDocument
from ccht_batch.official.naming import outward_name
from ccht_batch.official.text import RECEIVERS_HEAD_PT, SIGNER_PT, decision_text

FOLDER = "BaoCaoThanhTich"
MISSING = "[chưa có số liệu: đơn vị bổ sung]"


def _covered(d: Dossier) -> str:
    """"(Thành tích trong phong trào thi đua “…”, các năm 2022 - 2025)"."""
    years = f"các năm {d.years[0]} - {d.years[-1]}" if len(d.years) > 1 else f"năm {d.years[0]}"
    return f"(Thành tích trong {d.movement}, {years})"


def _decision(a: Achievement) -> str:
    return decision_text(a.decision, a.decision_date) if a.decision else "[số, ngày quyết định]"


def _title_decision(a: Achievement) -> str:
    """The decision recorded with a title (history import, ``quyết định``), the issuer left to fill."""
    if not a.decision:
        return "[số, ngày quyết định; cơ quan ban hành]"
    return f"{decision_text(a.decision, a.decision_date)}; [cơ quan ban hành]"


def _initiatives(doc: OfficialDocument, c: Candidate, authors: bool) -> None:
    if not c.initiatives:
        doc.placeholder("Sáng kiến, giải pháp được công nhận (tên, số và ngày quyết định, cấp công nhận): chưa có trong dữ liệu, bổ sung nếu có")
        return
    headers = ["Năm", "Tên sáng kiến, giải pháp"] + (["Tác giả"] if authors else []) + ["Quyết định công nhận", "Cấp"]
    rows = []
    for a in c.initiatives:
        level = vocab.INITIATIVE_LEVELS.get(a.detail, a.detail) if a.detail else "[chưa được công nhận]"
        rows.append([str(a.year), a.what] + ([a.extra] if authors else []) + [_decision(a), level])
    widths = [1.4, 5.6, 3.2, 4.2, 2.1] if authors else [1.4, 7.6, 5.3, 2.2]
    doc.table(headers, rows, widths, left_columns=(1, 2) if authors else (1,))


def _rewards(doc: OfficialDocument, d: Dossier, c: Candidate, number: str) -> None:
    doc.heading(f"{number}. CÁC HÌNH THỨC ĐÃ ĐƯỢC KHEN THƯỞNG")
    doc.heading("1. Danh hiệu thi đua")
    if c.titles:
        rows = [[str(a.year), vocab.TITLES.get(a.what, a.what), _title_decision(a)] for a in c.titles]
        doc.table(["Năm", "Danh hiệu thi đua", "Số, ngày quyết định công nhận; cơ quan ban hành"], rows, [1.6, 6.4, 8.5])
    else:
        doc.placeholder("Danh hiệu thi đua các năm (năm, danh hiệu, số và ngày quyết định): chưa có trong dữ liệu, bổ sung nếu có")
    doc.heading("2. Hình thức khen thưởng")
    if c.awards:
        rows = [[str(a.year), d.config.criteria.award_name(a.what), _decision(a) + (f" của {a.detail}" if a.detail else "")] for a in c.awards]
        doc.table(["Năm", "Hình thức khen thưởng", "Số, ngày quyết định; cơ quan ban hành"], rows, [1.6, 6.4, 8.5])
    else:
        doc.placeholder("Hình thức khen thưởng đã nhận (năm, hình thức, số và ngày quyết định): chưa có trong dữ liệu, bổ sung nếu có")


def _collective(doc: OfficialDocument, d: Dossier, c: Candidate) -> None:
    doc.para(f"Tên tập thể đề nghị khen thưởng: {outward_name(d.config, c.unit_name)}.", bold=True)
    doc.heading("I. SƠ LƯỢC ĐẶC ĐIỂM, TÌNH HÌNH")
    doc.heading("1. Đặc điểm, tình hình")
    doc.placeholder("Đơn vị bổ sung: quá trình thành lập, cơ cấu tổ chức, số lượng công chức, viên chức, cơ sở vật chất")
    doc.heading("2. Chức năng, nhiệm vụ")
    doc.placeholder("Đơn vị bổ sung: chức năng, nhiệm vụ được giao")
    doc.heading("II. THÀNH TÍCH ĐẠT ĐƯỢC")
    doc.heading(f"1. Kết quả thực hiện {d.movement}")
    rows = [[str(a.year), a.what or MISSING, a.detail] for a in c.results]
    doc.table(["Năm", "Kết quả chấm điểm, xếp loại, xếp hạng", "Ghi chú"], rows, [1.6, 9.4, 5.5])
    doc.heading("2. Sáng kiến, giải pháp được công nhận")
    _initiatives(doc, c, authors=True)
    doc.heading("3. Các thành tích nổi bật khác")
    doc.placeholder("Đơn vị bổ sung: kết quả thực hiện nhiệm vụ cải cách hành chính, mô hình, cách làm hay, các biện pháp đã áp dụng")
    _rewards(doc, d, c, "III")


def _individual(doc: OfficialDocument, d: Dossier, c: Candidate) -> None:
    p = c.nomination.person
    doc.heading("I. SƠ LƯỢC LÝ LỊCH")
    doc.para(f"- Họ và tên: {c.name}" + (f"; giới tính: {p.gender}" if p and p.gender else "; giới tính: [   ]") + ".")
    doc.para(f"- Sinh ngày: [   /   ]/{p.birth_year}." if p and p.birth_year else "- Sinh ngày, tháng, năm: [   /   /     ].")
    doc.para("- Quê quán: [   ]; nơi thường trú: [   ].")
    doc.para(f"- Đơn vị công tác: {outward_name(d.config, c.unit_name)}.")
    doc.para(f"- Chức vụ: {p.position}." if p and p.position else "- Chức vụ (Đảng, chính quyền, đoàn thể): [   ].")
    doc.para("- Trình độ chuyên môn, nghiệp vụ: [   ]; học hàm, học vị, danh hiệu, giải thưởng: [   ].")
    doc.heading("II. THÀNH TÍCH ĐẠT ĐƯỢC")
    doc.heading("1. Quyền hạn, nhiệm vụ được giao")
    doc.placeholder("Cá nhân bổ sung: nhiệm vụ được giao, đảm nhận")
    doc.heading("2. Thành tích đạt được")
    if p and p.summary:
        doc.para(p.summary)
    doc.placeholder("Cá nhân bổ sung: thành tích nổi bật trong thực hiện nhiệm vụ cải cách hành chính, các giải pháp, biện pháp đã áp dụng")
    rows = [[str(a.year), vocab.RATINGS.get(a.what, a.what) if a.what else MISSING, a.detail] for a in c.results]
    doc.table(["Năm", "Xếp loại mức độ hoàn thành nhiệm vụ", "Ghi chú"], rows, [1.6, 9.4, 5.5])
    doc.heading("3. Sáng kiến, giải pháp")
    _initiatives(doc, c, authors=False)
    _rewards(doc, d, c, "III")


def write_achievement(d: Dossier, c: Candidate, path: Path) -> None:
    a = d.config.agency
    doc = d.new_document()
    doc.letterhead(d.letterhead(issuer=c.unit_name, parent=a.name))
    doc.title("Báo cáo thành tích", [f"Đề nghị tặng {c.rule.name}"], note=_covered(d))
    if c.kind == COLLECTIVE:
        _collective(doc, d, c)
        left = [Line("THỦ TRƯỞNG ĐƠN VỊ CẤP TRÊN TRỰC TIẾP", bold=True, size=SIGNER_PT), Line("XÁC NHẬN, ĐỀ NGHỊ", bold=True, size=SIGNER_PT)]
        right = [Line("THỦ TRƯỞNG ĐƠN VỊ", bold=True, size=SIGNER_PT)]
    else:
        _individual(doc, d, c)
        left = [Line("THỦ TRƯỞNG ĐƠN VỊ", bold=True, size=SIGNER_PT), Line("XÁC NHẬN, ĐỀ NGHỊ", bold=True, size=SIGNER_PT)]
        right = [Line("NGƯỜI BÁO CÁO THÀNH TÍCH", bold=True, size=SIGNER_PT)]
    left += [Line("(Ký, đóng dấu)", italic=True, size=RECEIVERS_HEAD_PT)]
    right += [Line("(Ký, ghi rõ họ và tên)" if c.kind != COLLECTIVE else "(Ký, đóng dấu)", italic=True, size=RECEIVERS_HEAD_PT)]
    right += [Line("")] * 3 + [Line(c.name if c.kind != COLLECTIVE else "", bold=True, size=SIGNER_PT, align=CENTER)]
    doc.signature(left, right)
    doc.save(path, title=f"Báo cáo thành tích đề nghị tặng {c.rule.name}: {c.name}")
