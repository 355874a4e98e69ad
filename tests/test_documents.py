"""``ccht-batch documents``: the dossier's drafts written from the final lists (ISSUE 13).

The nominations are built by hand with the council's fields set (a tie at a quota, the votes once the
council's workbook is applied); the history is a real store with four years imported.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import docx
import pytest
from support.history import fill_history, four_year_history, make_workdir, run_cli
from support.official import docx_facts, margins_in_range
from support.sample import BK_UBND, build_outcome

from ccht_batch.core.records import CouncilVote, Nomination, PersonEntry
from ccht_batch.documents.write import write_documents
from ccht_batch.history.imports import import_history
from ccht_batch.official.text import MOTTO
from ccht_batch.store.db import Store
from ccht_batch.store.history import StoreHistory

DUC = PersonEntry(row=9, name="Phạm Minh Đức", birth_year=1980, gender="Nam", position="Phó Chánh Văn phòng", rating="HTXSNV",
                  initiative="Số hóa sổ công văn", decision="Quyết định số 12/QĐ-SKHCN ngày 15/3/2025", level="co-so", proposal=BK_UBND)
TIE = "Thanh tra Sở và Văn phòng Sở cùng 95,5 điểm, cùng hạng 2 tại chỉ tiêu 2 tập thể"


def text_of(path: Path) -> str:
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    parts += [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def council_outcome(config, applied: bool):
    """The sample's final review: the provincial list holds VP (selected) and TTRA (tied), and Phạm Minh Đức;
    the Giấy khen list VP, TTRA? no — TTRA is tied above, so the Giấy khen list keeps An."""
    outcome = build_outcome(config, milestone="tong-ket")
    bk = config.criteria.award(BK_UBND)
    vote = CouncilVote(present=5, votes_for=4, decision="Đồng ý") if applied else None
    noms = []
    for n in outcome.nominations:
        if n.award == BK_UBND and n.unit_code == "VP":
            n = replace(n, vote=vote)
        noms.append(n)
    noms.append(Nomination(BK_UBND, bk.name, "collective", "Thanh tra Sở", "TTRA", True, ["Xếp hạng 2, yêu cầu: từ hạng 2 trở lên — đạt"],
                           selected=True if applied else None, tie_note=TIE,
                           vote=CouncilVote(present=5, votes_for=3, decision="Đồng ý") if applied else None))
    noms.append(Nomination(BK_UBND, bk.name, "individual", DUC.name, "VP", True, ["2 năm liên tục hoàn thành xuất sắc nhiệm vụ"],
                           proposed=True, selected=True, person=DUC, vote=vote))
    if applied:  # a collective the council voted down: not proposed by a unit, yet in the minutes with its votes
        noms.append(Nomination(BK_UBND, bk.name, "collective", "Phòng Quản lý Khoa học", "QLKH", True,
                               ["Xếp hạng 2, yêu cầu: từ hạng 2 trở lên — đạt", "Hội đồng không thống nhất đề nghị Bằng khen (2/5 phiếu đồng ý)"],
                               selected=False, vote=CouncilVote(present=5, votes_for=2, decision="Không đồng ý")))
    return replace(outcome, nominations=noms, council_applied=applied)


@pytest.fixture(scope="module")
def history_store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dossier")
    wd, config = make_workdir(tmp)
    path = fill_history(config, tmp / "ls.xlsx", four_year_history())
    with Store(config.store_path) as store:
        assert import_history(config, store, path).issues == []
    return wd, config


@pytest.fixture(scope="module")
def applied(history_store):
    wd, config = history_store
    with Store(config.store_path) as store:
        result = write_documents(config, council_outcome(config, applied=True), StoreHistory(store), wd / "out-applied")
    return config, result


@pytest.fixture(scope="module")
def pending(history_store):
    wd, config = history_store
    with Store(config.store_path) as store:
        result = write_documents(config, council_outcome(config, applied=False), StoreHistory(store), wd / "out-pending")
    return config, result


def test_the_dossier_has_each_document_and_one_report_per_candidate(applied):
    _, result = applied
    names = sorted(p.as_posix() for p in result.written)
    assert names == sorted([
        "ToTrinh_bang-khen-ubnd.docx",
        "QuyetDinh_giay-khen-giam-doc.docx",
        "BienBan_HoiDong_2025-11.docx",
        "BaoCaoThanhTich/VP.docx",
        "BaoCaoThanhTich/TTRA.docx",
        "BaoCaoThanhTich/VP_Pham-Minh-Duc.docx",
        "BaoCaoThanhTich/VP_Nguyen-Van-An.docx",
    ])
    assert sorted(p.relative_to(result.folder).as_posix() for p in result.folder.rglob("*.docx")) == names
    assert result.folder.name == "VanBan" and not result.draft
    assert result.skipped == ["Bằng khen của Thủ tướng Chính phủ: chưa có tập thể, cá nhân nào trên danh sách nên chưa soạn tờ trình."]


def test_every_document_has_the_official_page(applied, pending):
    for _, result in (applied, pending):
        for rel in result.written:
            f = docx_facts(result.folder / rel)
            assert f.a4 and margins_in_range(f.margins_mm), rel
            assert f.different_first and f.page_field and f.first_header_text == "", rel
            assert f.languages == {"vi-VN"} and f.runs_without_language == 0, rel
            assert len(f.rules_after) >= 3 and f.rules_after[1] == MOTTO, (rel, f.rules_after)
            assert ("DỰ THẢO" in f.texts[:2]) is result.draft, rel


def test_minutes_list_members_attendance_eligibility_and_the_votes(applied):
    config, result = applied
    text = text_of(result.folder / "BienBan_HoiDong_2025-11.docx")
    chair = next(m for m in config.documents.council_members if m.role == "Chủ tịch Hội đồng")
    assert f"Chủ trì: {chair.name}, {chair.position}, Chủ tịch Hội đồng." in text
    assert "Thành viên Hội đồng có mặt: 5/5" in text
    for m in config.documents.council_members:
        assert m.position in text and m.role in text
    d = docx.Document(str(result.folder / "BienBan_HoiDong_2025-11.docx"))
    rows = {r.cells[1].text: [c.text for c in r.cells] for t in d.tables for r in t.rows if len(r.cells) == 6}
    assert rows["Phạm Minh Đức"][3:] == ["Đủ điều kiện", "4/5 (80%)", "Đồng ý"]
    ttra = rows["Thanh tra Sở Khoa học và Công nghệ tỉnh Lâm Đồng"]
    assert ttra[3:] == ["Đủ điều kiện", "3/5 (60%)", "Đồng ý"]
    qlkh = rows["Phòng Quản lý Khoa học, Sở Khoa học và Công nghệ tỉnh Lâm Đồng"]  # voted down: in the minutes, votes and all
    assert qlkh[4:] == ["2/5 (40%)", "Không đồng ý"]
    binh = rows["Trần Thị Bình"]  # proposed for the Giấy khen, not eligible: the council sees why
    assert binh[3].startswith("Không đủ điều kiện: Xếp loại Hoàn thành tốt nhiệm vụ") and binh[5] == "Không đề nghị"


def test_before_the_council_the_minutes_leave_the_votes_and_name_the_tie(pending):
    _, result = pending
    d = docx.Document(str(result.folder / "BienBan_HoiDong_2025-11.docx"))
    rows = {r.cells[1].text: [c.text for c in r.cells] for t in d.tables for r in t.rows if len(r.cells) == 6}
    ttra = rows["Thanh tra Sở Khoa học và Công nghệ tỉnh Lâm Đồng"]
    assert ttra[3] == f"Đủ điều kiện; bằng nhau tại vị trí cuối của chỉ tiêu: {TIE}"
    assert ttra[4:] == ["[      ]", "[Hội đồng biểu quyết]"]
    assert rows["Phạm Minh Đức"][4] == "[      ]"
    text = text_of(result.folder / "ToTrinh_bang-khen-ubnd.docx")
    assert "chờ Hội đồng Thi đua - Khen thưởng biểu quyết: Thanh tra Sở Khoa học và Công nghệ tỉnh Lâm Đồng" in text


def test_the_submission_goes_to_the_province_through_the_home_affairs_department(applied):
    config, result = applied
    text = text_of(result.folder / "ToTrinh_bang-khen-ubnd.docx")
    assert "TỜ TRÌNH" in text and "Số:      /TTr-SKHCN" in text
    assert "Kính gửi: Ủy ban nhân dân tỉnh Lâm Đồng (qua Sở Nội vụ)." in text
    assert "xem xét, tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh cho 2 tập thể và 1 cá nhân" in text
    assert "- Tập thể (2): Văn phòng Sở Khoa học và Công nghệ tỉnh Lâm Đồng; Thanh tra Sở Khoa học và Công nghệ tỉnh Lâm Đồng." in text
    assert "- Cá nhân (1): Phạm Minh Đức, Phó Chánh Văn phòng, Văn phòng Sở Khoa học và Công nghệ tỉnh Lâm Đồng." in text
    for line in config.documents.grounds:
        assert line in text


def test_the_directors_decision_annexes_its_list(applied):
    _, result = applied
    path = result.folder / "QuyetDinh_giay-khen-giam-doc.docx"
    text = text_of(path)
    assert "GIÁM ĐỐC SỞ KHOA HỌC VÀ CÔNG NGHỆ" in text and "QUYẾT ĐỊNH:" in text
    assert "Điều 1. Tặng Giấy khen của Giám đốc Sở cho 2 tập thể và 1 cá nhân (có danh sách kèm theo)" in text
    assert "(Kèm theo Quyết định số        /QĐ-SKHCN ngày      tháng      năm 2025 của Giám đốc Sở Khoa học và Công nghệ)" in text
    annex = docx.Document(str(path)).tables[-1]
    names = [r.cells[1].text for r in annex.rows]
    assert names == ["Họ và tên (tên tập thể)", "Tập thể", "Văn phòng Sở", "Thanh tra Sở", "Cá nhân", "Nguyễn Văn An"]  # stays in the Sở


def test_achievement_reports_are_filled_from_the_store(applied):
    _, result = applied
    unit = text_of(result.folder / "BaoCaoThanhTich" / "VP.docx")
    assert "Tên tập thể đề nghị khen thưởng: Văn phòng Sở Khoa học và Công nghệ tỉnh Lâm Đồng." in unit
    assert "Đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh" in unit
    for year, result_text in ((2022, "90,5 điểm, xếp loại Xuất sắc, xếp hạng 1"), (2024, "93 điểm, xếp loại Xuất sắc, xếp hạng 1"), (2025, "95,75 điểm, xếp loại Xuất sắc, xếp hạng 1")):
        assert f"{year}\n{result_text}" in unit, year
    assert "Tập thể lao động xuất sắc" in unit
    assert "Quyết định số 2151/QĐ-UBND ngày 28/12/2023 của UBND tỉnh Đắk Nông" in unit
    assert "Số hóa sổ công văn" not in unit  # DUC is not on VP's submission: only what the store and the sheet say

    person = text_of(result.folder / "BaoCaoThanhTich" / "VP_Pham-Minh-Duc.docx")
    assert "- Họ và tên: Phạm Minh Đức; giới tính: Nam." in person and "- Sinh ngày: [   /   ]/1980." in person
    assert "- Đơn vị công tác: Văn phòng Sở Khoa học và Công nghệ tỉnh Lâm Đồng." in person
    assert person.count("Hoàn thành xuất sắc nhiệm vụ") >= 4  # 2022–2025
    assert person.count("Chiến sĩ thi đua cơ sở") == 2  # 2023, 2024
    # the title's decision, where the history holds it; the issuer left for the Office to fill
    assert "Quyết định số 172/QĐ-SKHCN ngày 28/12/2023; [cơ quan ban hành]" in person
    assert "[số, ngày quyết định; cơ quan ban hành]" in person  # 2024: recorded without its decision
    assert "Số hóa sổ công văn" in person and "Quyết định số 12/QĐ-SKHCN ngày 15/3/2025" in person
    assert "Quyết định số 2150/QĐ-UBND ngày 28/12/2023 của UBND tỉnh Đắk Nông" in person
    assert "NGƯỜI BÁO CÁO THÀNH TÍCH" in person and "[Cá nhân bổ sung: nhiệm vụ được giao, đảm nhận]" in person


def test_a_draft_the_office_edited_is_kept_when_written_again(history_store, tmp_path):
    wd, config = history_store
    out = tmp_path / "2025-11"
    with Store(config.store_path) as store:
        first = write_documents(config, council_outcome(config, applied=True), StoreHistory(store), out)
        again = write_documents(config, council_outcome(config, applied=True), StoreHistory(store), out)
        assert first.previous is None and again.previous is None  # the same bytes: nothing to keep
        edited = out / "VanBan" / "ToTrinh_bang-khen-ubnd.docx"
        edited.write_bytes(edited.read_bytes() + b"EDITED")
        third = write_documents(config, council_outcome(config, applied=True), StoreHistory(store), out)
    assert third.previous == out / "VanBan_cu_1"
    assert (out / "VanBan_cu_1" / "ToTrinh_bang-khen-ubnd.docx").read_bytes().endswith(b"EDITED")
    assert not (out / "VanBan" / "ToTrinh_bang-khen-ubnd.docx").read_bytes().endswith(b"EDITED")


def test_the_command_needs_a_period_with_results(tmp_path):
    wd, _ = make_workdir(tmp_path)
    code, _, err = run_cli(wd, "documents")
    assert code == 2 and "chưa có kỳ nào có kết quả" in err
    code, _, err = run_cli(wd, "documents", "--period", "2025-12", "--milestone", "giua-ky")
    assert code == 2 and "giua-ky" in err
    assert not (wd / "output" / "2025-12").exists()
