"""`ccht-batch collect` against a real Dovecot on 127.0.0.1: the units' workbooks land in input/ under their
names, exactly once, whatever the mail client, the rerun or the fault; what cannot be used is said."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import sqlite3
from pathlib import Path

import pytest
from support.cli import run_in
from support.dovecot import dovecot, needs_dovecot
from support.inbox import TNEF, gmail, outlook, unit_workbook, when, zipped
from support.mail import edit_config
from support.workdirs import summary, units_by_code

from ccht_batch.store.db import Store

pytestmark = needs_dovecot

SINCE = ("--since", "2025-11-01")
PROCESSED = "Đã lấy tệp"  # the default processed folder: a Vietnamese IMAP name (modified UTF-7)
KHTC_NAME = "Bảng tự chấm điểm phong trào thi đua cải cách hành chính tháng 11 năm 2025 của Phòng Kế hoạch - Tài chính (bản chính thức, đã ký).xlsx"
TTRA_NAME = "Thanh tra Sở - Tự chấm điểm CCHT tháng 11.xlsx"
CDS_NAME = "CDS_tự chấm_T11.xlsx"


@pytest.fixture
def mailbox(monkeypatch):
    with dovecot() as server:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        yield server


def inputs(workdir: Path) -> dict[str, bytes]:
    """The files in input/ (hidden ones too: a half-written file must show)."""
    return {p.name: p.read_bytes() for p in sorted((workdir / "input").iterdir()) if p.is_file()}


def store_rows(workdir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(workdir / "data" / "ccht-batch.sqlite") as conn:
        return conn.execute(sql).fetchall()


def by_sender(out: str) -> dict[str, str]:
    """The lines of each message in the summary, by its sender as shown."""
    blocks = re.split(r"^ *\d+\. ", out, flags=re.M)[1:]
    return {re.sub(r", (\d\d/\d\d/\d{4} \d\d:\d\d|không rõ ngày gửi)$", "", b.split("\n", 1)[0]): b for b in blocks}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def three_units(workdir: Path, mailbox) -> dict[str, bytes]:
    """KHTC by Outlook (a long RFC 2231 name), TTRA by Gmail (RFC 2047 words), CDS forwarded as an
    attachment by its head; returns the name each must be saved under → its bytes."""
    khtc, ttra, cds = (unit_workbook(workdir, code) for code in ("KHTC", "TTRA", "CDS"))
    mailbox.deliver(outlook("khtc.skhcn@lamdong.gov.vn", "Phòng Kế hoạch - Tài chính", "Bảng tự chấm điểm tháng 11/2025", when(3, 8, 15), [(KHTC_NAME, khtc)]), when(3, 8, 16))
    mailbox.deliver(gmail("thanhtra.skhcn@lamdong.gov.vn", "Thanh tra Sở", "Gửi bảng tự chấm điểm", when(4, 14, 30), [(TTRA_NAME, ttra)]), when(4, 14, 31))
    staff = outlook("tran.thi.b@lamdong.gov.vn", "Trần Thị B", "Bảng tự chấm điểm của phòng", when(4, 16), [(CDS_NAME, cds)])
    mailbox.deliver(
        outlook("cds.skhcn@lamdong.gov.vn", "Phòng Chuyển đổi số", "Fw: Bảng tự chấm điểm của phòng", when(5, 7, 45), [], inner=staff, inner_name="Bảng tự chấm điểm của phòng.eml"),
        when(5, 7, 46),
    )
    return {
        "2025-11-03_KHTC_Bảng tự chấm điểm phong trào thi đua cải cách hành chính tháng 11 năm 2025 của Phòng Kế hoạch - Tài.xlsx": khtc,
        f"2025-11-04_TTRA_{TTRA_NAME}": ttra,
        f"2025-11-05_CDS_{CDS_NAME}": cds,
    }


def test_three_units_messages_are_collected_into_input_with_their_names(workdir, mailbox):
    expected = three_units(workdir, mailbox)

    code, out, err = run_in(workdir, "collect", *SINCE)

    assert code == 0, err
    assert inputs(workdir) == expected
    assert len(next(iter(expected))) == 120  # the long Outlook name, cut to fit Windows paths, extension kept
    # each file is dated as its message, so that of a unit's several files run counts the newest
    assert os.stat(workdir / "input" / f"2025-11-04_TTRA_{TTRA_NAME}").st_mtime == when(4, 14, 30).timestamp()
    for name in expected:
        assert f"đã lưu: input/{name}" in out
    assert "Thanh tra Sở <thanhtra.skhcn@lamdong.gov.vn> (TTRA)" in out
    assert f"thư đã chuyển sang thư mục '{PROCESSED}'" in out
    assert "Kết quả: 3 thư mới cần xem; đã lưu 3 tệp vào input/;" in out
    # collected messages leave the folder for the processed one, whole
    assert mailbox.messages("INBOX") == []
    assert sorted(mailbox.subjects(PROCESSED)) == sorted(["Bảng tự chấm điểm tháng 11/2025", "Gửi bảng tự chấm điểm", "Fw: Bảng tự chấm điểm của phòng"])
    # the store: each message (Message-ID, sender, date) and each attachment's SHA-256
    messages = store_rows(workdir, "SELECT message_key, sender, unit_code, sent_at, status FROM inbox_messages ORDER BY id")
    assert [(m[1], m[2], m[4]) for m in messages] == [
        ("khtc.skhcn@lamdong.gov.vn", "KHTC", "done"),
        ("thanhtra.skhcn@lamdong.gov.vn", "TTRA", "done"),
        ("cds.skhcn@lamdong.gov.vn", "CDS", "done"),
    ]
    assert messages[1][0].endswith("@mail.gmail.com>") and dt.datetime.fromisoformat(messages[1][3]) == when(4, 14, 30)
    assert store_rows(workdir, "SELECT name, sha256, status FROM inbox_files ORDER BY id") == [(n, sha(b), "saved") for n, b in expected.items()]

    # run is independent: the collected files are ordinary submissions
    code, _, err = run_in(workdir, "run", "--period", "2025-11", "--jobs", "1")
    assert code == 0, err
    units = units_by_code(summary(workdir, "2025-11"))
    assert {c: units[c]["status"] for c in ("KHTC", "TTRA", "CDS")} == {"KHTC": "submitted", "TTRA": "submitted", "CDS": "submitted"}
    assert sorted(f["name"] for f in summary(workdir, "2025-11")["files"]) == sorted(expected)

    # a second collect saves nothing
    code, out, _ = run_in(workdir, "collect", *SINCE)
    assert code == 0
    assert inputs(workdir) == {}
    assert "đã lưu 0 tệp" in out
    assert len(store_rows(workdir, "SELECT * FROM inbox_files")) == 3


def test_messages_left_in_the_folder_are_not_collected_again(workdir, mailbox):
    edit_config(workdir, "settings.yaml", f'processed_folder: "{PROCESSED}"', 'processed_folder: ""')
    expected = three_units(workdir, mailbox)

    assert run_in(workdir, "collect", *SINCE)[0] == 0
    assert inputs(workdir) == expected
    with mailbox.client() as imap:  # left where they are, marked as read
        imap.select("INBOX", readonly=True)
        assert imap.uid("SEARCH", "UNSEEN")[1] == [b""]
        assert len(imap.uid("SEARCH", "SEEN")[1][0].split()) == 3

    for name in expected:  # the clerk even deletes the files: they are still not fetched again
        (workdir / "input" / name).unlink()
    code, out, _ = run_in(workdir, "collect", *SINCE)
    assert code == 0
    assert inputs(workdir) == {}
    assert "đã lưu 0 tệp" in out and "3 thư đã xử lý ở lần trước" in out


def test_a_workbook_received_before_is_skipped_not_saved_again(workdir, mailbox):
    vp = unit_workbook(workdir, "VP")
    bcvt = unit_workbook(workdir, "BCVT")
    (workdir / "input" / "bcvt.xlsx").write_bytes(bcvt)  # the clerk saved it by hand, and ran the month
    assert run_in(workdir, "run", "--period", "2025-11", "--jobs", "1")[0] == 0
    mailbox.deliver(outlook("vanphong.skhcn@lamdong.gov.vn", "Văn phòng Sở", "Bảng tự chấm điểm", when(3), [("VP.xlsx", vp)]), when(3))
    mailbox.deliver(outlook("vanphong.skhcn@lamdong.gov.vn", "Văn phòng Sở", "Gửi lại bảng tự chấm điểm", when(4), [("VP (1).xlsx", vp)]), when(4))
    mailbox.deliver(outlook("bcvt.skhcn@lamdong.gov.vn", "Phòng Bưu chính, Viễn thông", "Bảng tự chấm điểm", when(4), [("BCVT.xlsx", bcvt)]), when(4))

    code, out, _ = run_in(workdir, "collect", *SINCE)

    assert code == 0
    assert inputs(workdir) == {"2025-11-03_VP_VP.xlsx": vp}
    assert "bỏ qua 'VP (1).xlsx': cùng nội dung với tệp đã nhận trước đây (2025-11-03_VP_VP.xlsx)" in out
    assert "bỏ qua 'BCVT.xlsx': cùng nội dung với tệp đã nhận trước đây (bcvt.xlsx)" in out
    assert "bỏ qua 2 tệp đã nhận trước đây" in out
    assert mailbox.messages("INBOX") == []  # handled, so moved


def test_two_different_files_of_the_same_name_and_day_are_both_kept(workdir, mailbox):
    first, second = unit_workbook(workdir, "QLKH"), unit_workbook(workdir, "QLKH", scores={"1.1": 2})
    mailbox.deliver(outlook("qlkh.skhcn@lamdong.gov.vn", "Phòng Quản lý Khoa học", "Bảng tự chấm điểm", when(3, 8), [("QLKH.xlsx", first)]), when(3, 8))
    mailbox.deliver(outlook("qlkh.skhcn@lamdong.gov.vn", "Phòng Quản lý Khoa học", "Bản sửa", when(3, 10), [("QLKH.xlsx", second)]), when(3, 10))

    assert run_in(workdir, "collect", *SINCE)[0] == 0

    assert inputs(workdir) == {"2025-11-03_QLKH_QLKH.xlsx": first, "2025-11-03_QLKH_QLKH (2).xlsx": second}


def test_what_cannot_be_used_is_noted_with_its_sender_and_not_saved(workdir, mailbox):
    edit_config(workdir, "settings.yaml", "max_file_mb: 20", "max_file_mb: 1")
    ttud, chicuc = unit_workbook(workdir, "TTUD"), unit_workbook(workdir, "CCTDC")
    messages = [
        outlook("bcvt.skhcn@lamdong.gov.vn", "Phòng Bưu chính, Viễn thông", "Bảng điểm", when(3), [("winmail.dat", TNEF)]),
        outlook("qlcn.skhcn@lamdong.gov.vn", "Phòng Quản lý Công nghệ", "Bảng điểm (nén)", when(3), [("Bảng điểm.zip", zipped({"QLCN.xlsx": ttud}, protected=True))]),
        outlook("qlkh.skhcn@lamdong.gov.vn", "Phòng Quản lý Khoa học", "Bảng điểm (rar)", when(3), [("Bảng điểm.rar", b"Rar!\x1a\x07\x00" + bytes(50))]),
        outlook("khtc.skhcn@lamdong.gov.vn", "Phòng Kế hoạch - Tài chính", "Bảng điểm lớn", when(4), [("KHTC lớn.xlsx", os.urandom(1024 * 1024 + 10))]),
        outlook("thanhtra.skhcn@lamdong.gov.vn", "Thanh tra Sở", "Hỏi về cách chấm", when(4), []),
        outlook("cds.skhcn@lamdong.gov.vn", "Phòng Chuyển đổi số", "Tài liệu kiểm chứng", when(4), [("Kế hoạch CCHT.pdf", b"%PDF-1.7 ...")]),
        # a unit that zipped its workbook: opened, the workbook saved under its own name
        outlook("ttud.skhcn@lamdong.gov.vn", "Trung tâm Ứng dụng", "Bảng điểm", when(5), [("TTUD T11.zip", zipped({"Trung tâm/Bảng tự chấm điểm TTUD.xlsx": ttud}))]),
        # a personal address: saved, and said
        gmail("nguyenvanan.1980@gmail.com", "Nguyễn Văn An", "Gửi giúp bảng điểm Chi cục", when(5), [("Chi cục TĐC.xlsx", chicuc)]),
        # not the movement's business: counted only
        outlook("bantin@vnexpress.net", "Bản tin", "Tin nổi bật hôm nay", when(5), []),
    ]
    for raw in messages:
        mailbox.deliver(raw, when(5, 12))

    code, out, _ = run_in(workdir, "collect", *SINCE)

    assert code == 1  # something sent by units could not be saved
    assert inputs(workdir) == {"2025-11-05_TTUD_Bảng tự chấm điểm TTUD.xlsx": ttud, "2025-11-05_nguyenvanan.1980@gmail.com_Chi cục TĐC.xlsx": chicuc}
    blocks = by_sender(out)
    assert "Lỗi: Tệp 'winmail.dat': Outlook gửi thư ở định dạng RTF" in blocks["Phòng Bưu chính, Viễn thông <bcvt.skhcn@lamdong.gov.vn> (BCVT)"]
    assert "Lỗi: Tệp nén 'Bảng điểm.zip' có mật khẩu" in blocks["Phòng Quản lý Công nghệ <qlcn.skhcn@lamdong.gov.vn> (QLCN)"]
    assert "Lỗi: Tệp nén 'Bảng điểm.rar' không mở được (chương trình chỉ mở được tệp nén .zip)" in blocks["Phòng Quản lý Khoa học <qlkh.skhcn@lamdong.gov.vn> (QLKH)"]
    assert "Lỗi: Tệp 'KHTC lớn.xlsx' lớn 1,0 MB, vượt giới hạn 1 MB: không lưu." in blocks["Phòng Kế hoạch - Tài chính <khtc.skhcn@lamdong.gov.vn> (KHTC)"]
    assert "Cảnh báo: Thư không kèm tệp bảng tính" in blocks["Thanh tra Sở <thanhtra.skhcn@lamdong.gov.vn> (TTRA)"]
    assert "Cảnh báo: Tệp đính kèm 'Kế hoạch CCHT.pdf' không phải bảng tính: không lưu" in blocks["Phòng Chuyển đổi số <cds.skhcn@lamdong.gov.vn> (CDS)"]
    assert "đã lưu: input/2025-11-05_TTUD_Bảng tự chấm điểm TTUD.xlsx" in blocks["Trung tâm Ứng dụng <ttud.skhcn@lamdong.gov.vn> (TTUD)"]
    unknown = blocks["Nguyễn Văn An <nguyenvanan.1980@gmail.com>"]
    assert "đã lưu: input/2025-11-05_nguyenvanan.1980@gmail.com_Chi cục TĐC.xlsx" in unknown
    assert "Cảnh báo: Địa chỉ người gửi nguyenvanan.1980@gmail.com không có trong danh sách đơn vị" in unknown
    assert "vnexpress" not in out
    assert "Kết quả: 8 thư mới cần xem; đã lưu 2 tệp vào input/; bỏ qua 0 tệp đã nhận trước đây; 4 thư có tệp không dùng được; 1 thư không liên quan (không phải của đơn vị, không có bảng tính)." in out
    # what yielded nothing stays in the folder for the clerk; the notes are kept in the store
    assert sorted(mailbox.subjects(PROCESSED)) == ["Bảng điểm", "Gửi giúp bảng điểm Chi cục"]
    notes = dict(store_rows(workdir, "SELECT sender, notes_json FROM inbox_messages"))
    assert '"code": "mail-winmail"' in notes["bcvt.skhcn@lamdong.gov.vn"]
    # told once: the next collect has nothing new to say
    code, out, _ = run_in(workdir, "collect", *SINCE)
    assert code == 0 and "7 thư đã xử lý ở lần trước" in out and "Lỗi" not in out


def test_the_programs_own_messages_are_never_collected(workdir, mailbox):
    """The Office is among the addressees of the month's table: that message comes back to this mailbox,
    workbooks attached, and so does a unit's reply quoting it or a delivery report."""
    table = unit_workbook(workdir, "VP")
    ours = outlook("vanphong.skhcn@lamdong.gov.vn", "Văn phòng Sở", "[CCHT] Tổng hợp kết quả", when(6), [("TongHop_2025-11.xlsx", table)], message_id="<5f1c0ffee@lamdong.gov.vn>")
    with Store(workdir / "data" / "ccht-batch.sqlite") as store, store.transaction() as conn:
        conn.execute(
            "INSERT INTO mail_log (scope, recipient, kind, subject, message_id, fingerprint, attachments_json, sent_at) VALUES ('2025-11', 'vanphong.skhcn@lamdong.gov.vn', 'leadership', 's', '<5f1c0ffee@lamdong.gov.vn>', 'f', '[]', 'now')"
        )
    mailbox.deliver(ours, when(6))
    forwarded_back = outlook("khtc.skhcn@lamdong.gov.vn", "Phòng Kế hoạch - Tài chính", "Fw: [CCHT] Tổng hợp", when(6), [], inner=ours, inner_name="Tổng hợp.eml")
    mailbox.deliver(forwarded_back, when(6))
    report = (
        b"From: MAILER-DAEMON@lamdong.gov.vn\r\nTo: vanphong.skhcn@lamdong.gov.vn\r\nSubject: Undelivered Mail\r\nMessage-ID: <dsn1@lamdong.gov.vn>\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n\r\n'
        b"--R\r\nContent-Type: text/plain\r\n\r\nThe mail system could not deliver.\r\n--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mail\r\n\r\n"
        b"--R\r\nContent-Type: message/rfc822\r\n\r\n" + ours + b"\r\n--R--\r\n"
    )
    mailbox.deliver(report, when(6))

    code, out, _ = run_in(workdir, "collect", *SINCE)

    assert code == 0
    assert inputs(workdir) == {}
    assert "1 thư do chương trình gửi" in out
    assert "Cảnh báo: Thư không kèm tệp bảng tính" in out  # KHTC's forward: nothing of its own in it


def test_a_dry_run_lists_what_would_be_saved_and_changes_nothing(workdir, mailbox):
    expected = three_units(workdir, mailbox)

    code, out, _ = run_in(workdir, "collect", *SINCE, "--dry-run")

    assert code == 0
    assert "Chạy thử: chưa lưu tệp nào, chưa chuyển thư nào." in out
    for name in expected:
        assert f"sẽ lưu: input/{name}" in out
    assert inputs(workdir) == {}
    assert len(mailbox.messages("INBOX")) == 3 and mailbox.messages(PROCESSED) == []
    assert store_rows(workdir, "SELECT COUNT(*) FROM inbox_messages") == [(0,)]
    assert "Để lưu thật: ccht-batch collect --since 2025-11-01" in out

    assert run_in(workdir, "collect", *SINCE)[0] == 0
    assert inputs(workdir) == expected


def test_without_since_the_messages_of_this_and_last_month_are_read(workdir, mailbox):
    today = dt.datetime.now().astimezone()
    old = (today.replace(day=1) - dt.timedelta(days=40)).replace(hour=9)
    fresh = unit_workbook(workdir, "VP")
    mailbox.deliver(outlook("vanphong.skhcn@lamdong.gov.vn", "Văn phòng Sở", "Tháng trước nữa", old, [("cũ.xlsx", unit_workbook(workdir, "VP", scores={"1.1": 1}))]), old)
    mailbox.deliver(outlook("vanphong.skhcn@lamdong.gov.vn", "Văn phòng Sở", "Tháng này", today, [("mới.xlsx", fresh)]), today)

    code, out, _ = run_in(workdir, "collect")

    assert code == 0
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    assert f"thư nhận từ ngày {first:%d/%m/%Y}" in out
    assert inputs(workdir) == {f"{today:%Y-%m-%d}_VP_mới.xlsx": fresh}


def test_decoded_names_keep_vietnamese_and_are_safe_on_windows(workdir, mailbox):
    book = unit_workbook(workdir, "VP")
    other = unit_workbook(workdir, "VP", scores={"1.1": 2})
    nfd = "Ba\u0309ng đie\u0302\u0309m.xlsx"  # macOS writes names decomposed
    mailbox.deliver(outlook("vanphong.skhcn@lamdong.gov.vn", "Văn phòng Sở", "a", when(3), [('Kỳ 11: "chính thức" <bản 2>?.xlsx', book)]), when(3))
    mailbox.deliver(gmail("vanphong.skhcn@lamdong.gov.vn", "Văn phòng Sở", "b", when(4), [(nfd, other)]), when(4))
    mailbox.deliver(outlook("vanphong.skhcn@lamdong.gov.vn", "Văn phòng Sở", "c", when(5), [("CON.XLSX", unit_workbook(workdir, "VP", scores={"1.1": 1}))]), when(5))

    assert run_in(workdir, "collect", *SINCE)[0] == 0

    assert sorted(inputs(workdir)) == [
        "2025-11-03_VP_Kỳ 11_ _chính thức_ _bản 2__.xlsx",
        "2025-11-04_VP_Bảng điểm.xlsx",
        "2025-11-05_VP_CON.XLSX",
    ]
