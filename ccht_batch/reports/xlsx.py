"""The report to the Province as a workbook: every figure of the report, in tables to check and reuse.

Its sheets print like the report (A4, the decree's margins, page numbers at the top from page 2); the
sheet ``Thông tin`` also lists what is missing from the figures, which the Word draft does not print."""

from __future__ import annotations

from pathlib import Path

from ccht_batch.config.model import Config
from ccht_batch.core import vocab
from ccht_batch.official.xlsx import add_official_sheet, page_setup
from ccht_batch.reports.data import KIND_TEXT, NO_RESULT, ReportData
from ccht_batch.xlsx.util import (
    GROUP_TINT,
    HEADER_TINT,
    Formats,
    new_workbook,
    write_value,
)


def write_report_workbook(config: Config, data: ReportData, path: Path) -> None:
    wb = new_workbook(path, title=f"Báo cáo kết quả phong trào thi đua {data.title_scope}")
    fmt = Formats(wb)
    title_fmt = fmt(bold=True, font_size=14)
    sub_fmt = fmt(italic=True)
    header = fmt(bold=True, align="center", text_wrap=True, border=1, bg_color=HEADER_TINT)
    cell = fmt(border=1, text_wrap=True)
    num = fmt(border=1, align="right")  # General: 92.5 and 93 as they are, in the reader's locale
    center = fmt(border=1, align="center")
    group = fmt(bold=True, border=1, bg_color=GROUP_TINT)
    scope_text = f"Phong trào thi đua “{config.criteria.movement.name}” — {data.title_scope}"

    def table(ws, row: int, headers: list[str], rows: list[list], formats: list) -> int:
        for c, h in enumerate(headers):
            ws.write_string(row, c, h, header)
        for r, values in enumerate(rows, start=row + 1):
            for c, v in enumerate(values):
                write_value(ws, r, c, v, formats[c])
        return row + len(rows) + 1

    # Thông tin
    ws = add_official_sheet(wb, "Thông tin")
    ws.write_string(0, 0, "BÁO CÁO KẾT QUẢ PHONG TRÀO THI ĐUA", title_fmt)
    ws.write_string(1, 0, scope_text, sub_fmt)
    ws.write_string(2, 0, f"{config.agency.parent} — {config.agency.text_name}", sub_fmt)
    r = table(ws, 4, ["Năm", "Nguồn số liệu"], [[y, data.sources[y].text] for y in data.years], [center, cell])
    r += 1
    ws.write_string(r, 0, "Số liệu còn thiếu" if data.missing else "Số liệu đầy đủ cho các năm báo cáo.", fmt(bold=True))
    for i, text in enumerate(data.missing, start=r + 1):
        ws.write_string(i, 0, f"- {text}")
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 70)
    page_setup(ws, landscape=False)

    # Kết quả đơn vị
    ws = add_official_sheet(wb, "Kết quả đơn vị")
    ws.write_string(0, 0, "KẾT QUẢ CỦA CÁC ĐƠN VỊ THEO NĂM", title_fmt)
    ws.write_string(1, 0, scope_text, sub_fmt)
    # Per year: result, band, rank; the total too for a yearly report; only the result of the year compared.
    columns: list[tuple[str, int, str, float]] = [("STT", 0, "", 5), ("Mã đơn vị", 0, "", 9), ("Tên đơn vị", 0, "", 36)]
    for y in ([data.compare_year] if data.compare_year else []) + data.years:
        if y == data.compare_year:
            columns.append((f"Kết quả {y}", y, "result", 9))
            continue
        if data.milestone is None:
            columns.append((f"Tổng điểm {y}", y, "total", 9))
        columns += [(f"Kết quả {y}", y, "result", 9), (f"Xếp loại {y}", y, "band", 10), (f"Hạng {y}", y, "rank", 6)]
    columns += [("Thay đổi", 0, "change", 9), ("Xu hướng", 0, "trend", 16)]
    rows = []
    for i, u in enumerate(data.units, start=1):
        values: list = [i, u.code, u.name]
        for _, y, what, _ in columns[3:-2]:
            uy = u.years.get(y)
            values.append(None if uy is None else getattr(uy, what))
        values += [u.change, u.trend]
        rows.append(values)
    kinds = {"": cell, "total": num, "result": num, "change": num, "band": center, "rank": center, "trend": cell}
    formats = [center, center, cell] + [kinds[c[2]] for c in columns[3:]]
    table(ws, 3, [c[0] for c in columns], rows, formats)
    for c, (_, _, _, width) in enumerate(columns):
        ws.set_column(c, c, width)
    ws.set_row(3, 32)
    ws.freeze_panes(4, 3)
    page_setup(ws, repeat_rows=(3, 3))

    # Theo xếp loại
    ws = add_official_sheet(wb, "Theo xếp loại")
    ws.write_string(0, 0, "SỐ ĐƠN VỊ THEO XẾP LOẠI", title_fmt)
    ws.write_string(1, 0, scope_text, sub_fmt)
    names = [b.name for b in config.criteria.bands] + [NO_RESULT]
    rows = [[name] + [data.band_counts[y].get(name, 0) for y in data.years] for name in names]
    rows.append(["Tổng số đơn vị"] + [sum(data.band_counts[y].values()) for y in data.years])
    table(ws, 3, ["Xếp loại"] + [f"Năm {y}" for y in data.years], rows, [cell] + [center] * len(data.years))
    r = 3 + len(rows) + 2
    ws.write_string(r, 0, "Cá nhân theo xếp loại", fmt(bold=True))
    rrows = [[text] + [data.ratings.get(y, {}).get(code, 0) for y in data.years] for code, text in vocab.RATINGS.items()]
    table(ws, r + 1, ["Xếp loại cá nhân"] + [f"Năm {y}" for y in data.years], rrows, [cell] + [center] * len(data.years))
    ws.set_column(0, 0, 34)
    ws.set_column(1, len(data.years), 11)
    page_setup(ws, landscape=False)

    # Sáng kiến
    ws = add_official_sheet(wb, "Sáng kiến")
    ws.write_string(0, 0, "SÁNG KIẾN, GIẢI PHÁP ĐƯỢC CÔNG NHẬN", title_fmt)
    ws.write_string(1, 0, scope_text, sub_fmt)
    rows = [
        [i, s.year, s.title, "\n".join(f"{name} ({unit})" for name, unit in s.authors), s.decision, s.decision_date, s.level]
        for i, s in enumerate(data.initiatives, start=1)
    ]
    if not rows:
        ws.write_string(2, 0, "Chưa có sáng kiến được công nhận nào trong phạm vi báo cáo.")
    table(ws, 3, ["STT", "Năm", "Tên sáng kiến", "Tác giả, đồng tác giả (đơn vị)", "Số quyết định", "Ngày quyết định", "Cấp công nhận"], rows, [center, center, cell, cell, cell, center, center])
    for c, w in enumerate((6, 8, 45, 32, 20, 14, 12)):
        ws.set_column(c, c, w)
    page_setup(ws, repeat_rows=(3, 3))

    # Khen thưởng
    ws = add_official_sheet(wb, "Khen thưởng")
    ws.write_string(0, 0, "KHEN THƯỞNG ĐỀ NGHỊ VÀ ĐÃ NHẬN", title_fmt)
    ws.write_string(1, 0, scope_text, sub_fmt)
    ws.write_string(3, 0, "I. Đề nghị khen thưởng" + (f" — theo {data.proposed_from}" if data.proposed_from else " — chưa có danh sách đề nghị"), group)
    rows = [[i, p.award_name, KIND_TEXT.get(p.kind, p.kind), p.name, p.unit_code] for i, p in enumerate(data.proposed, start=1)]
    r = table(ws, 4, ["STT", "Hình thức", "Đối tượng", "Họ và tên / Tên tập thể", "Mã đơn vị"], rows, [center, cell, center, cell, center])
    r += 1
    ws.write_string(r, 0, "II. Khen thưởng đã nhận", group)
    rows = [[i, g.year, g.award_name, KIND_TEXT.get(g.kind, g.kind), g.name, g.unit_code, g.decision, g.decision_date, g.issuer] for i, g in enumerate(data.given, start=1)]
    table(ws, r + 1, ["STT", "Năm", "Hình thức", "Đối tượng", "Họ và tên / Tên tập thể", "Mã đơn vị", "Số quyết định", "Ngày quyết định", "Cơ quan ban hành"], rows, [center, center, cell, center, cell, center, cell, center, cell])
    for c, w in enumerate((6, 34, 12, 34, 10, 18, 14, 26, 26)):
        ws.set_column(c, c, w)
    page_setup(ws)
    wb.close()
