"""The draft report to the Province as a Word document, in the official layout (Decree 30/2020, RULES.md §6).

The Office edits and signs it, so it is a draft with the figures filled in and bracketed places for what
only people can write (the assessment, the way forward). The page, the header with its rules, the title,
"Nơi nhận" (UBND tỉnh first, ``units.yaml`` ``documents.report``) and the signer come from the official
layer (``official.docx``). What the Office must know about missing figures is not in the signable body: it
is on screen and in the workbook's sheet ``Thông tin``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ccht_batch.config.model import Config
from ccht_batch.core import vocab
from ccht_batch.core.values import fmt_number
from ccht_batch.official.docx import Letterhead, OfficialDocument, receivers, signer
from ccht_batch.official.text import date_line, decision_text, number_line
from ccht_batch.reports.data import KIND_TEXT, NO_RESULT, ReportData, UnitLine

# Longer lists go to the workbook; the report keeps to what a reader takes in.
MAX_LISTED = 30


def _num(d: Decimal | int | None) -> str:
    return fmt_number(d) if d is not None else "—"


def report_symbol(config: Config) -> str:
    return config.documents.report_symbol or f"BC-{config.agency.short_name}"


# ---------------------------------------------------------------------------------------------------


def write_report_docx(config: Config, data: ReportData, path: Path) -> None:
    d = OfficialDocument()
    a = config.agency
    d.letterhead(Letterhead(a.parent, a.name, date_line(a.place, data.year), number_line(report_symbol(config))))
    movement = config.criteria.movement.name
    scope = f"năm {data.year}" if data.milestone is None else f"({data.milestone.name})"
    d.title("BÁO CÁO", [f"Kết quả thực hiện phong trào thi đua “{movement}” {scope}"])
    d.para(f"Thực hiện Kế hoạch phát động phong trào thi đua “{movement}”, {a.text_name} báo cáo {_what(data)} như sau:")
    _section_1(d, config, data)
    _section_2(d, config, data)
    _section_3(d, config, data)
    _section_4(d, config, data)
    d.signature(receivers(config.documents.report_distribution or a.distribution), signer(a.signer.title_lines, a.signer.name))
    d.save(path, title=f"Báo cáo kết quả phong trào thi đua {data.title_scope}", subject=movement)


def _what(data: ReportData) -> str:
    """What is reported, inside a sentence: "kết quả thực hiện phong trào năm 2025", "tổng kết phong trào ..."."""
    if data.milestone is None:
        return f"kết quả thực hiện phong trào năm {data.year}"
    name = data.milestone.name
    return name[:1].lower() + name[1:]


def _section_1(d: OfficialDocument, config: Config, data: ReportData) -> None:
    c = config.criteria
    d.heading("I. TÌNH HÌNH TRIỂN KHAI THỰC HIỆN")
    d.para(
        f"Phong trào được triển khai tại {len(config.units)} phòng, đơn vị thuộc {config.agency.text_name}. Hằng tháng, các đơn vị tự chấm "
        f"điểm theo bộ tiêu chí gồm {len(c.fields)} lĩnh vực, {len(c.criteria)} tiêu chí (tổng {fmt_number(c.total_max)} điểm, "
        f"điểm thưởng tối đa {fmt_number(c.bonus_cap)} điểm); Văn phòng Sở tổng hợp, thẩm định, xếp loại và theo dõi tiến độ."
    )
    for y in data.years:
        d.para(f"Số liệu năm {y}: {data.sources[y].text.lower()}.")
    d.placeholder("Văn phòng Sở bổ sung: công tác quán triệt, tuyên truyền, hướng dẫn; các văn bản chỉ đạo đã ban hành; nội dung thi đua trọng tâm của năm")


def _extreme(units: list[UnitLine], year: int, best: bool) -> str:
    """"cao nhất Văn phòng Sở (92,5 điểm)", or every unit sharing that result when several do."""
    value = (max if best else min)(u.years[year].result for u in units)  # type: ignore[type-var]
    same = [u.name for u in units if u.years[year].result == value]
    word = "cao nhất" if best else "thấp nhất"
    if len(same) == 1:
        return f"{word} {same[0]} ({fmt_number(value)} điểm)"
    return f"{word} {fmt_number(value)} điểm, {len(same)} đơn vị bằng điểm nhau: {', '.join(same)}"


def _unit_summary(data: ReportData, year: int) -> str:
    have = data.units_with_result(year)
    if not have:
        return f"Năm {year}: chưa có kết quả của đơn vị nào."
    results = [u.years[year].result for u in have]
    avg = sum(results, Decimal(0)) / len(results)  # type: ignore[arg-type]
    text = f"Năm {year}: {len(have)}/{len(data.units)} đơn vị có kết quả; điểm kết quả bình quân {fmt_number(avg.quantize(Decimal('0.01')))}; "
    if len(have) == 1:
        return text + f"{have[0].name} đạt {fmt_number(results[0])} điểm."
    return text + f"{_extreme(have, year, True)}; {_extreme(have, year, False)}."


def _section_2(d: OfficialDocument, config: Config, data: ReportData) -> None:
    d.heading("II. KẾT QUẢ THỰC HIỆN")
    d.heading("1. Kết quả chấm điểm, xếp loại các đơn vị")
    for y in data.years:
        d.para(_unit_summary(data, y))
    if data.milestone is None:
        y = data.year
        cmp_ = data.compare_year
        headers = ["STT", "Đơn vị", "Tổng điểm", "Kết quả", "Xếp loại", "Hạng"] + ([f"So với năm {cmp_}"] if cmp_ else [])
        rows = []
        for i, u in enumerate(data.units, start=1):
            uy = u.years.get(y)
            row = [str(i), u.name, _num(uy.total if uy else None), _num(uy.result if uy else None), (uy.band if uy else None) or "—", _num(uy.rank if uy else None)]
            if cmp_:
                row.append(u.trend if u.change is not None else "—")
            rows.append(row)
        widths = [1.2, 5.0, 2.0, 2.0, 2.2, 1.4] + ([2.2] if cmp_ else [])
        d.table(headers, rows, widths)
    else:
        headers = ["STT", "Đơn vị"] + [f"Năm {y}" for y in data.years] + ["Xu hướng"]
        rows = []
        for i, u in enumerate(data.units, start=1):
            row = [str(i), u.name]
            for y in data.years:
                uy = u.years.get(y)
                row.append(f"{_num(uy.result)} ({uy.band})" if uy and uy.result is not None and uy.band else _num(uy.result if uy else None))
            row.append(u.trend)
            rows.append(row)
        span = 9.0 / max(len(data.years), 1)
        d.table(headers, rows, [1.2, 4.0] + [span] * len(data.years) + [1.8])

    d.heading("2. Số đơn vị theo xếp loại")
    for y in data.years:
        counts = data.band_counts[y]
        parts = [f"{name}: {n}" for name, n in counts.items() if name != NO_RESULT]
        tail = f"; chưa có kết quả: {counts.get(NO_RESULT, 0)}" if counts.get(NO_RESULT) else ""
        d.para(f"Năm {y}: " + "; ".join(parts) + tail + ".")

    d.heading("3. Kết quả xếp loại cá nhân")
    for y in data.years:
        counts = data.ratings.get(y, {})
        if not counts:
            d.para(f"Năm {y}: chưa có số liệu xếp loại cá nhân.")
            continue
        parts = [f"{text}: {counts.get(code, 0)}" for code, text in vocab.RATINGS.items()]
        d.para(f"Năm {y} ({sum(counts.values())} người): " + "; ".join(parts) + ".")

    d.heading("4. Sáng kiến, giải pháp được công nhận")
    if not data.initiatives:
        d.para("Chưa có sáng kiến, giải pháp được công nhận (có số, ngày quyết định và cấp công nhận) trong phạm vi báo cáo.")
    else:
        by_level: dict[str, int] = {}
        for s in data.initiatives:
            by_level[s.level] = by_level.get(s.level, 0) + 1
        levels = "; ".join(f"cấp {lv.lower()}: {n}" for lv, n in by_level.items())
        authors = sum(len(s.authors) for s in data.initiatives)
        d.para(f"Tổng số {len(data.initiatives)} sáng kiến, giải pháp được công nhận ({levels}), của {authors} lượt tác giả, đồng tác giả.")
        if len(data.initiatives) <= MAX_LISTED:
            rows = [
                [str(i), f"{s.title} ({s.authors_text})", str(s.year), decision_text(s.decision, s.decision_date), s.level]
                for i, s in enumerate(data.initiatives, start=1)
            ]
            d.table(["STT", "Sáng kiến (tác giả, đơn vị)", "Năm", "Quyết định công nhận", "Cấp"], rows, [1.2, 6.8, 1.4, 4.4, 2.2])
        else:
            d.para("Danh sách chi tiết tại trang tính “Sáng kiến” của tệp Excel kèm theo.")


def _section_3(d: OfficialDocument, config: Config, data: ReportData) -> None:
    d.heading("III. CÔNG TÁC KHEN THƯỞNG")
    d.heading("1. Đề nghị khen thưởng")
    if data.proposed_from is None:
        d.para("Chưa có danh sách đề nghị khen thưởng.")
    elif not data.proposed:
        d.para(f"Theo {data.proposed_from}: chưa có tập thể, cá nhân nào đủ điều kiện đề nghị khen thưởng.")
    else:
        d.para(f"Theo {data.proposed_from}, đề nghị khen thưởng:")
        names = [a.name for a in config.criteria.awards]
        grouped: dict[str, list] = {}
        for p in data.proposed:
            grouped.setdefault(p.award_name, []).append(p)
        for award in sorted(grouped, key=lambda n: names.index(n) if n in names else 99):
            items = grouped[award]
            coll = [p for p in items if p.kind == "collective"]
            ind = [p for p in items if p.kind != "collective"]
            counts = ", ".join(x for x in (f"{len(coll)} tập thể" if coll else "", f"{len(ind)} cá nhân" if ind else "") if x)
            listed = "; ".join(f"{p.name}" + (f" ({p.unit_code})" if p.kind != "collective" else "") for p in items[:MAX_LISTED])
            d.para(f"- {award}: {counts} — {listed}" + ("; ..." if len(items) > MAX_LISTED else "") + ".")
    d.heading("2. Khen thưởng đã nhận")
    if not data.given:
        d.para("Chưa có dữ liệu khen thưởng đã nhận trong phạm vi báo cáo (nhập qua tệp lịch sử).")
    else:
        for g in data.given[:MAX_LISTED]:
            dec = f" ({decision_text(g.decision, g.decision_date)}" + (f" của {g.issuer}" if g.issuer else "") + ")" if g.decision else ""
            d.para(f"- Năm {g.year}: {g.award_name} tặng {KIND_TEXT.get(g.kind, g.kind).lower()} {g.name}{dec}.")
        if len(data.given) > MAX_LISTED:
            d.para("Danh sách đầy đủ tại trang tính “Khen thưởng” của tệp Excel kèm theo.")


def _section_4(d: OfficialDocument, config: Config, data: ReportData) -> None:
    d.heading("IV. ĐÁNH GIÁ CHUNG VÀ PHƯƠNG HƯỚNG")
    d.heading("1. Ưu điểm")
    d.placeholder("Văn phòng Sở bổ sung: những kết quả nổi bật, mô hình, cách làm hay")
    d.heading("2. Tồn tại, hạn chế và nguyên nhân")
    d.placeholder("Văn phòng Sở bổ sung: những mặt còn hạn chế và nguyên nhân")
    d.heading("3. Phương hướng, nhiệm vụ thời gian tới")
    d.placeholder("Văn phòng Sở bổ sung: nhiệm vụ, giải pháp tiếp tục đẩy mạnh phong trào")
    d.heading("4. Đề xuất, kiến nghị")
    d.placeholder("Văn phòng Sở bổ sung: kiến nghị với UBND tỉnh, Sở Nội vụ (nếu có)")
    d.para(f"Trên đây là báo cáo {_what(data)} của {config.agency.text_name}./.")
