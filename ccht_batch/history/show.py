"""What the store knows of a unit, a person or the years, as lines a person reads (``history show``)."""

from __future__ import annotations

from ccht_batch.config.model import Config
from ccht_batch.core import vocab
from ccht_batch.core.records import TASK
from ccht_batch.core.values import fmt_number
from ccht_batch.official.text import decision_text
from ccht_batch.store.db import Store
from ccht_batch.store.history import (
    PersonIdentity,
    StoreHistory,
    closure_versions,
    history_counts,
    history_years,
)


def _rating_text(code: str | None) -> str:
    return vocab.RATINGS.get(code, code) if code else "chưa ghi nhận"


def _titles_text(titles) -> str:
    return ", ".join(vocab.TITLES.get(t, t) for t in sorted(titles, key=lambda t: list(vocab.TITLES).index(t) if t in vocab.TITLES else 99))


def _award_line(config: Config, a) -> str:
    form = f"{a.name} (tương đương {config.criteria.award_name(a.award)})" if a.name else config.criteria.award_name(a.award)
    bits = [f"năm {a.year}: {form}"]
    if a.decision:
        bits.append(decision_text(a.decision, a.decision_date))
    if a.issuer:
        bits.append(a.issuer)
    return " — ".join(bits)


def unit_lines(config: Config, history: StoreHistory, code: str) -> list[str]:
    unit = config.unit(code)
    years = history.unit_years(code)
    awards = history.unit_awards(code)
    persons = history.unit_persons(code)
    head = f"Đơn vị {code}" + (f" — {unit.name}" if unit else " (không có trong config/units.yaml)")
    lines = [head]
    if not years and not awards and not persons:
        return lines + ["  Chưa có lịch sử nào của đơn vị này."]
    lines.append("  Kết quả phong trào theo năm:")
    if not years:
        lines.append("    (chưa có)")
    for y, uy in years.items():
        bits = [f"    {y}:"]
        bits.append(f"tổng điểm {fmt_number(uy.total)}" if uy.total is not None else "tổng điểm —")
        bits.append(f"kết quả {fmt_number(uy.result)}" if uy.result is not None else "kết quả —")
        bits.append(f"xếp loại {uy.band}" if uy.band else "xếp loại —")
        bits.append(f"hạng {uy.rank}" if uy.rank else "hạng —")
        if uy.rating:
            bits.append(_rating_text(uy.rating))
        if uy.titles:
            bits.append(_titles_text(uy.titles))
        lines.append(" ".join(bits[:1]) + " " + "; ".join(bits[1:]))
    lines.append("  Khen thưởng đã nhận:" + ("" if awards else " (chưa có)"))
    lines += [f"    {_award_line(config, a)}" for a in awards]
    lines.append(f"  Cá nhân có lịch sử: {len(persons)}" + (" — " + ", ".join(_person_label(p) for p in persons) if persons else ""))
    return lines


def _person_label(p: PersonIdentity) -> str:
    return p.name + (f" ({p.birth_year})" if p.birth_year else "")


def person_lines(config: Config, history: StoreHistory, ident: PersonIdentity) -> list[str]:
    key = ident.keys[-1]
    years = history.person_years(key)
    awards = history.person_awards(key)
    lines = [f"Cá nhân: {ident.name}" + (f", sinh năm {ident.birth_year}" if ident.birth_year else ", chưa ghi năm sinh") + f" — đơn vị: {', '.join(ident.units)}"]
    for m in ident.moves:
        lines.append(f"  Chuyển từ {m.from_unit} sang {m.to_unit} năm {m.year}")
    lines.append("  Theo năm:" + ("" if years else " (chưa có)"))
    for y, py in years.items():
        text = f"    {y} ({py.unit_code}): {_rating_text(py.rating)}"
        if py.titles:
            text += f"; danh hiệu: {_titles_text(py.titles)}"
        text += f" — theo QĐ số {py.decision}" if py.decided else " — tự khai"
        lines.append(text)
        for ini in py.initiatives:
            if ini.kind == TASK:
                lines.append(f"      Đề tài, đề án KH&CN: {ini.title}" + (f" (QĐ nghiệm thu số {ini.decision})" if ini.decision else ""))
                continue
            if ini.recognised:
                rec = f"{decision_text(ini.decision, ini.decision_date)}, cấp {vocab.INITIATIVE_LEVELS.get(ini.level, ini.level)}"
            else:
                rec = "chưa được công nhận"
            lines.append(f"      Sáng kiến: {ini.title} ({rec})")
    lines.append("  Khen thưởng đã nhận:" + ("" if awards else " (chưa có)"))
    lines += [f"    {_award_line(config, a)}" for a in awards]
    return lines


def overview_lines(store: Store) -> list[str]:
    closures = closure_versions(store)
    n = history_counts(store)
    counts = {
        "Cá nhân": n["persons"],
        "Năm của cá nhân": n["person_years"],
        "Sáng kiến": n["initiatives"],
        "Khen thưởng đã nhận": n["awards"],
        "Năm của đơn vị": n["unit_years"],
    }
    years = history_years(store)
    lines = ["Lịch sử trong kho dữ liệu:"]
    lines += [f"  {k}: {v}" for k, v in counts.items()]
    lines.append("  Các năm có dữ liệu: " + (", ".join(str(y) for y in years) if years else "chưa có"))
    lines.append("  Các năm đã chốt: " + (", ".join(f"{year} (lần {version})" for year, version in closures.items()) if closures else "chưa có"))
    lines.append("Xem chi tiết: ccht-batch history show --unit MÃ hoặc --person \"HỌ VÀ TÊN\"")
    return lines


