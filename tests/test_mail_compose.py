"""`ccht-batch mail` without --send: the month's messages, written as .eml files for the clerk to open first."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

from support.mail import (
    EMAILS,
    LEADERSHIP,
    MESSAGES,
    NEVER_SENT,
    PERIOD,
    UNITS,
    YEAR,
    attachments,
    bodies,
    display_name,
    edit_config,
    encoded_words,
    mail_log,
    make_workdir,
    parse,
    run_cli,
    write_month,
)

from ccht_batch.config.load import load_config
from ccht_batch.core.issues import Issue
from ccht_batch.forms.template import write_templates
from ccht_batch.mail.compose import Attachment, Draft, period_drafts
from ccht_batch.mail.smtp import to_message
from ccht_batch.store.db import Store, dumps


def outbox(workdir: Path, period: str = PERIOD) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((workdir / "output" / period / "outbox").glob("*.eml"))}


def by_recipient(workdir: Path, kind: str | None = None) -> dict[str, object]:
    """The previews by recipient address: the units' messages, or those of one kind."""
    wanted = lambda name: f"_{kind}_" in name if kind else "_leadership_" not in name  # noqa: E731
    return {parse(data)["To"].addresses[0].addr_spec: parse(data) for name, data in outbox(workdir).items() if wanted(name)}


def test_dry_run_writes_every_message_as_eml_that_parses_back(tmp_path):
    workdir = make_workdir(tmp_path)
    files = write_month(workdir)

    code, out, _ = run_cli(workdir, "mail", "--period", PERIOD)

    assert code == 0
    emls = outbox(workdir)
    assert len(emls) == MESSAGES
    messages = [parse(data) for data in emls.values()]
    assert sorted(m["To"].addresses[0].addr_spec for m in messages) == sorted([*EMAILS.values(), *LEADERSHIP])
    for m in messages:
        assert m["From"].addresses[0].addr_spec == "vanphong.skhcn@lamdong.gov.vn"
        assert display_name(m, "From") == "Văn phòng Sở Khoa học và Công nghệ"
        assert m["Reply-To"].addresses[0].addr_spec == "vanphong.skhcn@lamdong.gov.vn"
        assert m["Date"].datetime is not None
        assert re.fullmatch(r"<[^<>@\s]+@lamdong\.gov\.vn>", m["Message-ID"])
        text, html = bodies(m)
        assert text.startswith("Kính gửi: ") and "<table" in html
        for name, data in attachments(m).items():
            assert data == files[name]
    # Vietnamese subjects and names decode to exactly what was meant (no space lost or added by folding)
    names = {u["code"]: u["name"] for u in UNITS}
    for name, data in emls.items():
        m = parse(data)
        if "_leadership_" in name:
            assert m["Subject"] == "[CCHC] Tổng hợp kết quả tự chấm điểm tháng 11/2025"
        else:
            unit = names[name.split("_")[2].removesuffix(".eml")]
            assert display_name(m, "To") == unit
            assert re.fullmatch(rf"\[CCHC\] (Kết quả|Nhắc nộp bảng|Bảng) tự chấm điểm tháng 11/2025( bị trả lại)? - {unit}", m["Subject"])
    assert all(max(len(line) for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")) <= 998 for data in emls.values())
    vp = by_recipient(workdir, "feedback")["vanphong.skhcn@lamdong.gov.vn"]
    assert vp["Subject"] == "[CCHC] Kết quả tự chấm điểm tháng 11/2025 - Văn phòng Sở"
    assert list(attachments(vp)) == ["PhanHoi_VP_2025-11.xlsx"]
    # every byte of a preview is 7-bit: Vietnamese only through RFC 2047 words and QP/base64 parts
    assert all(max(data) < 128 for data in emls.values())
    assert "sẽ gửi" in out and "--send" in out
    assert mail_log(workdir) == []  # nothing left, nothing recorded


def test_unit_bodies_state_status_result_band_rank_errors_and_deadline(tmp_path):
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    run_cli(workdir, "mail", "--period", PERIOD)
    units = by_recipient(workdir)

    text, html = bodies(units[EMAILS["VP"]])
    assert re.search(r"Trạng thái:\s+Đã nộp", text)
    assert re.search(r"Kết quả \(thang 100\):\s+92,5\n", text)
    assert re.search(r"Xếp loại:\s+Xuất sắc", text)
    assert re.search(r"Xếp hạng:\s+1/6 \(tăng 1 bậc so với kỳ trước\)", text)
    assert "05/12/2025" in text and "Nguyễn Thị Thu Hà" in text
    assert "<td>92,5</td>" in html and "<td>Xuất sắc</td>" in html

    text, _ = bodies(units[EMAILS["TTRA"]])
    assert re.search(r"Xếp hạng:\s+2/6 \(giảm 1 bậc", text)
    assert re.search(r"Số lỗi cần sửa:\s+0\n", text) and re.search(r"Số cảnh báo cần xem lại:\s+1\n", text)
    assert "ô E9" in text

    khtc = units[EMAILS["KHTC"]]
    text, html = bodies(khtc)
    assert "Bảng tự chấm điểm đơn vị (tệp khtc thang 11.xlsx) bị trả lại vì 2 lỗi." in text and "chưa có kết quả" in text
    assert khtc["Subject"] == "[CCHC] Bảng tự chấm điểm tháng 11/2025 bị trả lại - Phòng Kế hoạch - Tài chính"
    assert re.search(r"Số lỗi cần sửa:\s+2\n", text)
    assert "ô D14): Điểm 'abc' không phải là số" in text and "ô D15" in text
    assert "<li>Lỗi (trang &#x27;Tự chấm điểm&#x27;, ô D14)" in html

    text, _ = bodies(units[EMAILS["BCVT"]])  # ranked, but no rank the period before: nothing to compare with
    assert re.search(r"Xếp hạng:\s+4/6 \(chưa có hạng kỳ trước để so sánh\)\n", text)

    text, _ = bodies(units[EMAILS["QLCN"]])
    assert re.search(r"Trạng thái:\s+Dùng bản tháng trước", text) and "giữ nguyên" in text

    qlkh = units[EMAILS["QLKH"]]
    assert qlkh["Subject"] == "[CCHC] Nhắc nộp bảng tự chấm điểm tháng 11/2025 - Phòng Quản lý Khoa học"
    assert "chưa nhận được bảng tự chấm điểm" in bodies(qlkh)[0]


def test_leadership_body_shows_the_ranking_table_in_rank_order(tmp_path):
    workdir = make_workdir(tmp_path)
    files = write_month(workdir)
    run_cli(workdir, "mail", "--period", PERIOD)

    leaders = by_recipient(workdir, "leadership")
    assert sorted(leaders) == sorted(LEADERSHIP)
    bgd = leaders["bgd.skhcn@lamdong.gov.vn"]
    assert bgd["Subject"] == "[CCHC] Tổng hợp kết quả tự chấm điểm tháng 11/2025"
    assert attachments(bgd) == {n: files[n] for n in ("TongHop_2025-11.xlsx", "DeNghiKhenThuong_2025-11.xlsx")}
    text, html = bodies(bgd)
    assert text.startswith("Kính gửi: Ban Giám đốc Sở,")
    rows = re.findall(r"<tr><td[^>]*>(\d*)</td><td>([A-Z]+)</td>", html)
    assert rows == [("1", "VP"), ("2", "TTRA"), ("3", "QLCN"), ("4", "BCVT"), ("5", "CCTDC"), ("6", "TTUD"), ("", "KHTC"), ("", "QLKH"), ("", "CDS")]
    assert re.search(r"1\s+\| VP\s+\| Văn phòng Sở\s+\| 90,25\s+\| 92,5\s+\| Xuất sắc", text)
    assert "Giấy khen của Giám đốc Sở: 1 tập thể" in text


def test_template_goes_only_to_units_that_never_had_a_file_accepted_this_year(tmp_path):
    workdir = make_workdir(tmp_path)
    files = write_month(workdir)  # KHTC is rejected this month but had a file accepted in March
    run_cli(workdir, "mail", "--period", PERIOD)
    units = by_recipient(workdir)

    for code in NEVER_SENT:
        assert attachments(units[EMAILS[code]]) == {f"{code}_{YEAR}.xlsx": files[f"{code}_{YEAR}.xlsx"]}
        assert f"{code}_{YEAR}.xlsx" in bodies(units[EMAILS[code]])[0]
    assert list(attachments(units[EMAILS["KHTC"]])) == ["PhanHoi_KHTC_2025-11.xlsx"]
    assert attachments(units[EMAILS["QLCN"]]) == {}  # carried: nothing new to attach


def test_dry_run_lists_units_without_an_address_and_exits_0(tmp_path):
    workdir = make_workdir(tmp_path)
    edit_config(workdir, "units.yaml", "email: cds.skhcn@lamdong.gov.vn", 'email: ""')
    write_month(workdir)

    code, out, _ = run_cli(workdir, "mail", "--period", PERIOD)

    assert code == 0
    assert "Đơn vị chưa có địa chỉ thư điện tử" in out
    assert re.search(r"- CDS: Phòng Chuyển đổi số", out)
    assert "[CDS] Phòng Chuyển đổi số (chưa có địa chỉ)" in out
    emls = outbox(workdir)
    assert len(emls) == MESSAGES - 1 and not any("_CDS" in name for name in emls)


def test_no_results_for_the_period_exits_2_and_says_to_run_first(tmp_path):
    workdir = make_workdir(tmp_path)

    code, out, err = run_cli(workdir, "mail", "--period", PERIOD)

    assert code == 2
    assert "chạy `ccht-batch run --period 2025-11` trước" in err
    assert not (workdir / "output" / PERIOD / "outbox").exists()


def test_names_from_config_cannot_inject_headers(tmp_path):
    workdir = make_workdir(tmp_path)
    edit_config(workdir, "units.yaml", 'name: "Thanh tra Sở"', 'name: "Thanh tra Sở\\r\\nBcc: attacker@evil.example"')
    edit_config(workdir, "settings.yaml", 'name: "Văn phòng Sở Khoa học và Công nghệ"', 'name: "VP\\nX-Injected: yes"')
    write_month(workdir)

    assert run_cli(workdir, "mail", "--period", PERIOD)[0] == 0

    raw = next(data for name, data in outbox(workdir).items() if "_TTRA" in name)
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert not re.search(rb"^(Bcc|X-Injected):", head, re.MULTILINE | re.IGNORECASE)
    msg = parse(raw)
    assert msg["Bcc"] is None and msg["X-Injected"] is None
    assert [a.addr_spec for a in msg["To"].addresses] == [EMAILS["TTRA"]]
    assert display_name(msg, "To") == "Thanh tra Sở Bcc: attacker@evil.example"
    assert msg["Subject"] == "[CCHC] Kết quả tự chấm điểm tháng 11/2025 - Thanh tra Sở Bcc: attacker@evil.example"
    assert display_name(msg, "From") == "VP X-Injected: yes"


def test_attachments_over_the_limit_are_reported_not_sent(tmp_path):
    workdir = make_workdir(tmp_path)
    edit_config(workdir, "settings.yaml", "max_attachments_mb: 20", "max_attachments_mb: 1")
    write_month(workdir)
    big = workdir / "output" / PERIOD / f"TongHop_{PERIOD}.xlsx"
    big.write_bytes(bytes(range(256)) * 5000)  # 1.2 MB

    code, out, _ = run_cli(workdir, "mail", "--period", PERIOD)

    assert code == 0
    assert out.count("không gửi được: tổng dung lượng tệp đính kèm 1,2 MB vượt giới hạn 1 MB") == len(LEADERSHIP)
    emls = outbox(workdir)
    assert len(emls) == len(UNITS) and not any("_leadership_" in name for name in emls)


def test_an_invalid_address_is_reported(tmp_path):
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    config = load_config(workdir)
    units = tuple(dataclasses.replace(u, email="khtc at lamdong") if u.code == "KHTC" else u for u in config.units)

    with Store(config.store_path) as store:
        drafts = period_drafts(dataclasses.replace(config, units=units), PERIOD, store)

    khtc = next(d for d in drafts if d.label == "KHTC")
    assert khtc.problem == "địa chỉ thư điện tử 'khtc at lamdong' không hợp lệ (sửa ở tệp cấu hình)"
    assert sum(1 for d in drafts if d.problem) == 1


def test_a_second_dry_run_replaces_the_previews(tmp_path):
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    run_cli(workdir, "mail", "--period", PERIOD)
    edit_config(workdir, "units.yaml", "email: cds.skhcn@lamdong.gov.vn", 'email: ""')

    run_cli(workdir, "mail", "--period", PERIOD)

    assert not any("_CDS" in name for name in outbox(workdir))


def test_encoded_words_stay_within_75_characters_and_no_automatic_reply_is_asked_for(tmp_path):
    workdir = make_workdir(tmp_path)
    long_name = "Trung tâm Ứng dụng tiến bộ khoa học và công nghệ tỉnh Lâm Đồng, cơ sở Đà Lạt"
    edit_config(workdir, "units.yaml", "Trung tâm Ứng dụng tiến bộ khoa học và công nghệ", long_name)
    edit_config(workdir, "settings.yaml", 'name: "Văn phòng Sở Khoa học và Công nghệ"', 'name: "Văn phòng Sở Khoa học và Công nghệ tỉnh Lâm Đồng"')
    write_month(workdir)

    assert run_cli(workdir, "mail", "--period", PERIOD)[0] == 0

    emls = outbox(workdir)
    assert len(emls) == MESSAGES
    for name, data in emls.items():
        head = data.split(b"\r\n\r\n", 1)[0]
        words = encoded_words(data)
        assert words and max(len(w) for w in words) <= 75, (name, max(words, key=len))  # RFC 2047 §2
        assert max(len(line) for line in head.split(b"\r\n")) <= 78, name
        m = parse(data)
        assert (m["Auto-Submitted"], m["X-Auto-Response-Suppress"]) == ("auto-generated", "All")
        # decoded as RFC 2047 says, every name and subject comes back exactly (no space lost or added)
        assert display_name(m, "From") == "Văn phòng Sở Khoa học và Công nghệ tỉnh Lâm Đồng"
        assert "  " not in str(m["Subject"]) and str(m["Subject"]).startswith("[CCHC] ")
    ttud = by_recipient(workdir)[EMAILS["TTUD"]]
    assert display_name(ttud) == long_name and str(ttud["Subject"]).endswith(f" - {long_name}")


def test_the_template_mail_has_its_own_footer(tmp_path):
    workdir = make_workdir(tmp_path)
    assert run_cli(workdir, "mail", "templates", "--year", str(YEAR))[0] == 0
    msg = parse(next((workdir / "output" / "templates" / "outbox").glob("*.eml")).read_bytes())
    text, _ = bodies(msg)
    assert "gửi tự động kèm tệp mẫu của đơn vị" in text and "từ kết quả tổng hợp" not in text
    assert "Đề nghị đơn vị thực hiện như sau:" in text and "ô có tô màu vàng" in text


def test_vietnamese_attachment_names_are_encoded_per_rfc_2231(tmp_path):
    mail = load_config(make_workdir(tmp_path)).settings.mail
    draft = Draft(
        kind="feedback", scope=PERIOD, label="VP", name="Văn phòng Sở", address="vanphong.skhcn@lamdong.gov.vn",
        subject="[CCHC] Thử", text="Nội dung", html="<p>Nội dung</p>", figures={},
        attachments=(Attachment("Phản hồi tháng 11.xlsx", b"PK\x03\x04 bytes"),),
    )

    raw = to_message(draft, mail).as_bytes()

    assert b"filename*=utf-8''Ph%E1%BA%A3n%20h%E1%BB%93i%20th%C3%A1ng%2011.xlsx" in raw
    assert attachments(parse(raw)) == {"Phản hồi tháng 11.xlsx": b"PK\x03\x04 bytes"}
    assert bodies(parse(raw)) == ("Nội dung\n", "<p>Nội dung</p>\n")


def test_mail_templates_dry_run_attaches_each_units_template(tmp_path):
    workdir = make_workdir(tmp_path)
    paths = write_templates(load_config(workdir), YEAR, [u["code"] for u in UNITS])
    templates = {p.name.split("_")[0]: p.read_bytes() for p in paths}

    code, out, _ = run_cli(workdir, "mail", "templates", "--year", str(YEAR))

    assert code == 0
    emls = sorted((workdir / "output" / "templates" / "outbox").glob("*.eml"))
    assert len(emls) == len(UNITS)
    for path in emls:
        msg = parse(path.read_bytes())
        code_ = next(c for c, a in EMAILS.items() if a == msg["To"].addresses[0].addr_spec)
        assert attachments(msg) == {f"{code_}_{YEAR}.xlsx": templates[code_]}
        assert msg["Subject"].startswith(f"[CCHC] Tệp mẫu tự chấm điểm năm {YEAR} - ")
        text, html = bodies(msg)
        assert "Hướng dẫn" in text and "chậm nhất ngày 5 hằng tháng" in text and "<ol>" in html
    assert "ccht-batch mail templates --year 2025 --send" in out


def test_missing_templates_are_generated_before_they_are_attached(tmp_path):
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    for code in NEVER_SENT:
        (workdir / "output" / "templates" / f"{code}_{YEAR}.xlsx").unlink()

    assert run_cli(workdir, "mail", "--period", PERIOD)[0] == 0

    units = by_recipient(workdir)
    for code in NEVER_SENT:
        path = workdir / "output" / "templates" / f"{code}_{YEAR}.xlsx"
        assert attachments(units[EMAILS[code]]) == {path.name: path.read_bytes()}


def test_summary_numbers_stay_exact_decimals(tmp_path):
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    summary_path = workdir / "output" / PERIOD / "summary.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    summary["units"][0]["result"] = 8.25
    summary["units"][0]["total"] = 0.1
    summary_path.write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")

    run_cli(workdir, "mail", "--period", PERIOD)

    text, _ = bodies(by_recipient(workdir, "feedback")[EMAILS["VP"]])
    assert re.search(r"Kết quả \(thang 100\):\s+8,25\n", text) and re.search(r"Tổng điểm:\s+0,1\n", text)


def test_issues_of_a_file_taken_by_an_earlier_run_of_the_month_come_from_the_store(tmp_path):
    workdir = make_workdir(tmp_path)
    write_month(workdir)
    summary_path = workdir / "output" / PERIOD / "summary.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    summary["files"] = [f for f in summary["files"] if f["unit_code"] != "TTRA"]  # this run saw only KHTC's file
    summary_path.write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")
    warning = Issue("evidence-missing", "warning", "Thiếu tài liệu kiểm chứng tiêu chí 2.1.", "TTRA.xlsx", "Tự chấm điểm", "E12", None, "TTRA")
    with Store(workdir / "data" / "ccht-batch.sqlite") as store, store.transaction() as conn:
        run = conn.execute("INSERT INTO runs (period, started_at, status) VALUES (?, '2025-12-02T08:00:00', 'committed')", (PERIOD,)).lastrowid
        conn.execute(
            "INSERT INTO files (run_id, period, name, size, mtime, status, unit_code, year, issues_json) VALUES (?, ?, 'TTRA.xlsx', 1, 0, 'accepted', 'TTRA', ?, ?)",
            (run, PERIOD, YEAR, dumps([warning.to_dict()])),
        )

    run_cli(workdir, "mail", "--period", PERIOD)

    text, _ = bodies(by_recipient(workdir)[EMAILS["TTRA"]])
    assert re.search(r"Số cảnh báo cần xem lại:\s+1\n", text)
    assert "Cảnh báo (trang 'Tự chấm điểm', ô E12): Thiếu tài liệu kiểm chứng tiêu chí 2.1." in text


def test_mail_does_not_start_while_a_run_holds_the_working_folder(tmp_path):
    from ccht_batch.core.lock import workdir_lock

    workdir = make_workdir(tmp_path)
    write_month(workdir)
    lock = workdir_lock(workdir)
    lock.acquire()
    try:
        code, _, err = run_cli(workdir, "mail", "--period", PERIOD)
    finally:
        lock.release()

    assert code == 3 and "đang dùng thư mục làm việc" in err
    assert not (workdir / "output" / PERIOD / "outbox").exists()
