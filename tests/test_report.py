"""`ccht-batch report`: the yearly and final-review report (workbook + draft .docx) over the stored history."""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl
import pytest
from docx.shared import Cm
from support.history import (
    fill_history,
    four_year_history,
    make_workdir,
    person,
    run_cli,
    seed_nominations,
    seed_result,
)
from support.soffice import SOFFICE, soffice_convert

from ccht_batch.cli.history import close_year
from ccht_batch.history.imports import import_history
from ccht_batch.store.db import Store


def docx_text(path: Path) -> str:
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for r in t.rows:
            for c in r.cells:
                parts.append(c.text)
    return "\n".join(parts)


def sheet_rows(path: Path, sheet: str) -> list[list]:
    ws = openpyxl.load_workbook(path)[sheet]
    return [[c.value for c in row] for row in ws.iter_rows()]


def custom_agency(wd: Path) -> None:
    """An agency and signer of our own in units.yaml, so the report is seen to read them from the config."""
    path = wd / "config" / "units.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('"SỞ KHOA HỌC VÀ CÔNG NGHỆ"', '"SỞ THỬ NGHIỆM BÁO CÁO"').replace('"Đặng Văn Tin"', '"Hoàng Thị Ký Thử"')
    text = text.replace("SKHCN", "STN")  # the short name, and the symbols of the documents
    path.write_text(text, encoding="utf-8")


def year_2025_store(wd: Path, config, tmp_path: Path) -> None:
    """History up to 2024 imported; 2025 from the monthly results, closed; a December run's nominations."""
    path = fill_history(config, tmp_path / "ls.xlsx", four_year_history())
    with Store(config.store_path) as store:
        assert import_history(config, store, path).issues == []
        store.conn.execute("DELETE FROM unit_years WHERE year = 2025")  # 2025 comes from the runs below
        seed_result(store, "2025-12", "VP", total="92.5", result="92.5", band="Xuất sắc", rank=1,
                    persons=[person(5, "Phạm Minh Đức", 1980, "HTXSNV", "Số hóa sổ công văn", "12/QĐ-SKHCN ngày 15/3/2025", "co-so")])
        seed_result(store, "2025-12", "QLKH", total="88.25", result="88.25", band="Tốt", rank=2)
        seed_result(store, "2025-12", "KHTC", total="70", result="70", band="Khá", rank=3)
        assert close_year(config, store, 2025, yes=True, force=False, say=lambda _: None) == 0
        seed_nominations(store, "2025-12", None, [
            {"award": "giay-khen-giam-doc", "kind": "collective", "unit_code": "VP", "name": "Văn phòng Sở"},
            {"award": "bang-khen-ubnd", "kind": "individual", "unit_code": "VP", "name": "Phạm Minh Đức"},
            {"award": "bang-khen-ubnd", "kind": "individual", "unit_code": "KHTC", "name": "Không chọn", "selected": False},
        ])


def test_an_empty_store_still_gets_both_files_saying_what_is_missing(tmp_path):
    wd, config = make_workdir(tmp_path)
    code, out, _ = run_cli(wd, "report", "--year", "2025")
    assert code == 0
    xlsx, docx_path = wd / "output" / "reports" / "BaoCao_2025.xlsx", wd / "output" / "reports" / "BaoCao_2025.docx"
    assert xlsx.exists() and docx_path.exists()
    assert "Năm 2025: chưa có kết quả phong trào của đơn vị nào" in out
    text = docx_text(docx_path)
    assert "Năm 2025: chưa có kết quả phong trào của đơn vị nào" not in text  # an internal note: not on the signable pages
    assert "Chưa có danh sách đề nghị khen thưởng" in text
    info = sheet_rows(xlsx, "Thông tin")
    assert [2025, "Chưa có số liệu"] in [r[:2] for r in info]
    assert any(r[0] and str(r[0]).startswith("- Năm 2025: chưa có kết quả") for r in info)

    code, out, _ = run_cli(wd, "report", "--milestone", "tong-ket")
    assert code == 0
    assert (wd / "output" / "reports" / "BaoCao_tong-ket.docx").exists()
    assert "chạy ccht-batch run --milestone tong-ket" in out


def test_yearly_report_holds_the_years_figures_agency_and_signer(tmp_path):
    wd, _ = make_workdir(tmp_path)
    custom_agency(wd)
    from ccht_batch.config.load import load_config

    config = load_config(wd)
    year_2025_store(wd, config, tmp_path)
    code, out, _ = run_cli(wd, "report", "--year", "2025")
    assert code == 0, out
    assert "Năm 2025: 3/9 đơn vị có kết quả — Đã chốt năm." in out

    reports = wd / "output" / "reports"
    rows = sheet_rows(reports / "BaoCao_2025.xlsx", "Kết quả đơn vị")
    header = rows[3]
    assert header[:3] == ["STT", "Mã đơn vị", "Tên đơn vị"]
    vp = next(r for r in rows[4:] if r[1] == "VP")
    assert vp[header.index("Kết quả 2025")] == 92.5
    assert vp[header.index("Xếp loại 2025")] == "Xuất sắc" and vp[header.index("Hạng 2025")] == 1
    assert vp[header.index("Kết quả 2024")] == 93
    assert vp[header.index("Xu hướng")] == "Giảm 0,5"
    bands = {r[0]: r[1] for r in sheet_rows(reports / "BaoCao_2025.xlsx", "Theo xếp loại")[4:10]}
    assert bands == {"Xuất sắc": 1, "Tốt": 1, "Khá": 1, "Trung bình": 0, "Yếu": 0, "Chưa có kết quả": 6}
    rewards = sheet_rows(reports / "BaoCao_2025.xlsx", "Khen thưởng")
    assert ["1", "Bằng khen của Chủ tịch UBND tỉnh", "Cá nhân", "Phạm Minh Đức", "VP"] in [[str(c) if c is not None else None for c in r[:5]] for r in rewards]
    assert not any("Không chọn" in str(c) for r in rewards for c in r)

    text = docx_text(reports / "BaoCao_2025.docx")
    for expected in (
        "UBND TỈNH LÂM ĐỒNG",
        "SỞ THỬ NGHIỆM BÁO CÁO",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số:      /BC-STN",
        "Lâm Đồng, ngày .... tháng .... năm 2025",
        "BÁO CÁO",
        "Kết quả thực hiện phong trào thi đua “Đẩy mạnh công tác cải cách hành chính, giai đoạn 2022 - 2025”",
        "I. TÌNH HÌNH TRIỂN KHAI THỰC HIỆN",
        "II. KẾT QUẢ THỰC HIỆN",
        "III. CÔNG TÁC KHEN THƯỞNG",
        "IV. ĐÁNH GIÁ CHUNG VÀ PHƯƠNG HƯỚNG",
        "Năm 2025: 3/9 đơn vị có kết quả; điểm kết quả bình quân 83,58; cao nhất Văn phòng Sở (92,5 điểm); thấp nhất Phòng Kế hoạch - Tài chính (70 điểm).",
        "Năm 2025: Xuất sắc: 1; Tốt: 1; Khá: 1; Trung bình: 0; Yếu: 0; chưa có kết quả: 6.",
        "Tổng số 2 sáng kiến, giải pháp được công nhận (cấp cơ sở: 2), của 2 lượt tác giả, đồng tác giả.",  # one imported, one from the submission
        "- Bằng khen của Chủ tịch UBND tỉnh: 1 cá nhân — Phạm Minh Đức (VP).",
        "- Giấy khen của Giám đốc Sở: 1 tập thể — Văn phòng Sở.",
        "Nơi nhận:",
        "- Sở Nội vụ (báo cáo);",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Hoàng Thị Ký Thử",
    ):
        assert expected in text, expected


def test_docx_official_layout(tmp_path):
    wd, config = make_workdir(tmp_path)
    assert run_cli(wd, "report", "--year", "2025")[0] == 0
    d = docx.Document(str(wd / "output" / "reports" / "BaoCao_2025.docx"))
    section = d.sections[0]
    assert abs(section.page_width - Cm(21)) < Cm(0.01) and abs(section.page_height - Cm(29.7)) < Cm(0.01)
    assert d.styles["Normal"].font.name == "Times New Roman" and d.styles["Normal"].font.size.pt == 13
    head, foot = d.tables[0], d.tables[-1]
    assert head.style.name != "Table Grid" and foot.style.name != "Table Grid"  # borderless
    assert head.rows[0].cells[0].text.splitlines() == ["UBND TỈNH LÂM ĐỒNG", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"]
    assert head.rows[0].cells[0].paragraphs[1].runs[0].bold is True
    assert head.rows[0].cells[1].text.splitlines()[0] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    date_run = head.rows[1].cells[1].paragraphs[-1].runs[0]
    assert date_run.italic is True and date_run.text == "Lâm Đồng, ngày .... tháng .... năm 2025"
    assert foot.rows[0].cells[0].text.startswith("Nơi nhận:")
    assert foot.rows[0].cells[1].text.splitlines()[0] == "KT. GIÁM ĐỐC" and foot.rows[0].cells[1].text.endswith("Đặng Văn Tin")
    assert d.core_properties.created.year == 2022 and d.core_properties.modified.year == 2022


def test_final_review_covers_2022_to_2025_with_each_units_results_and_trend(tmp_path):
    wd, config = make_workdir(tmp_path)
    path = fill_history(config, tmp_path / "ls.xlsx", four_year_history())
    with Store(config.store_path) as store:
        assert import_history(config, store, path).issues == []
        seed_nominations(store, "2025-12", "tong-ket", [
            {"award": "bang-khen-ttcp", "kind": "collective", "unit_code": "VP", "name": "Văn phòng Sở"},
            {"award": "bang-khen-ttcp", "kind": "individual", "unit_code": "VP", "name": "Phạm Minh Đức"},
        ])
    code, out, _ = run_cli(wd, "report", "--milestone", "tong-ket")
    assert code == 0, out
    xlsx = wd / "output" / "reports" / "BaoCao_tong-ket.xlsx"
    rows = sheet_rows(xlsx, "Kết quả đơn vị")
    header = rows[3]
    assert [h for h in header if h and h.startswith("Kết quả ")] == ["Kết quả 2022", "Kết quả 2023", "Kết quả 2024", "Kết quả 2025"]
    vp = next(r for r in rows[4:] if r[1] == "VP")
    assert [vp[header.index(f"Kết quả {y}")] for y in (2022, 2023, 2024, 2025)] == [90.5, 91.25, 93, 95.75]
    assert vp[header.index("Xu hướng")] == "Tăng 5,25"
    counts = sheet_rows(xlsx, "Theo xếp loại")
    assert counts[3] == ["Xếp loại", "Năm 2022", "Năm 2023", "Năm 2024", "Năm 2025"]
    assert counts[4] == ["Xuất sắc", 1, 1, 1, 1]
    initiatives = sheet_rows(xlsx, "Sáng kiến")
    assert [r[1] for r in initiatives[4:]] == [2023, 2024, 2025]

    text = docx_text(wd / "output" / "reports" / "BaoCao_tong-ket.docx")
    assert "(Tổng kết phong trào thi đua giai đoạn 2022 - 2025)" in text
    assert "Lâm Đồng, ngày .... tháng .... năm 2025" in text
    assert "90,5 (Xuất sắc)" in text and "95,75 (Xuất sắc)" in text
    assert "- Bằng khen của Thủ tướng Chính phủ: 1 tập thể, 1 cá nhân — Văn phòng Sở; Phạm Minh Đức (VP)." in text
    assert "Năm 2023: Bằng khen của Chủ tịch UBND tỉnh tặng cá nhân Phạm Minh Đức (Quyết định số 2150/QĐ-UBND ngày 28/12/2023 của UBND tỉnh Đắk Nông)." in text


def test_the_same_store_gives_the_same_files(tmp_path):
    wd, config = make_workdir(tmp_path)
    year_2025_store(wd, config, tmp_path)
    reports = wd / "output" / "reports"
    assert run_cli(wd, "report", "--year", "2025")[0] == 0
    first = {p.name: p.read_bytes() for p in reports.iterdir()}
    assert run_cli(wd, "report", "--year", "2025")[0] == 0
    assert {p.name: p.read_bytes() for p in reports.iterdir()} == first
    assert sorted(first) == ["BaoCao_2025.docx", "BaoCao_2025.xlsx"]


def test_an_unknown_milestone_is_a_usage_error(tmp_path):
    wd, _ = make_workdir(tmp_path)
    code, _, err = run_cli(wd, "report", "--milestone", "giua-ky")
    assert code == 2 and "giua-ky" in err
    assert not (wd / "output" / "reports").exists()


@pytest.mark.soffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_the_docx_opens_in_libreoffice_and_converts_to_pdf(tmp_path):
    wd, config = make_workdir(tmp_path)
    year_2025_store(wd, config, tmp_path)
    assert run_cli(wd, "report", "--year", "2025")[0] == 0
    pdf = soffice_convert(wd / "output" / "reports" / "BaoCao_2025.docx", "pdf", tmp_path / "pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 10_000


def test_a_year_not_closed_is_reported_from_its_latest_results_marked_provisional(tmp_path):
    wd, config = make_workdir(tmp_path)
    with Store(config.store_path) as store:
        seed_result(store, "2025-10", "VP", total="81", result="81", band="Tốt", rank=1)
        seed_result(store, "2025-11", "VP", total="86.5", result="86.5", band="Tốt", rank=1)
    code, out, _ = run_cli(wd, "report", "--year", "2025")
    assert code == 0
    assert "Tạm tính (năm chưa chốt), theo kết quả tháng 11/2025" in out
    assert "ccht-batch close-year --year 2025" in out
    rows = sheet_rows(wd / "output" / "reports" / "BaoCao_2025.xlsx", "Kết quả đơn vị")
    vp = next(r for r in rows[4:] if r[1] == "VP")
    assert vp[rows[3].index("Kết quả 2025")] == 86.5
    with Store(config.store_path) as store:  # reading for a report writes nothing
        assert store.one("SELECT COUNT(*) AS n FROM unit_years")["n"] == 0
