"""Reading a received message (no server): the spreadsheets each mail client's encoding carries, with their
names decoded and kept in Vietnamese; what cannot be used, said; the names files are saved under."""

from __future__ import annotations

import base64
import datetime as dt
import unicodedata
from pathlib import Path

from support.inbox import TNEF, gmail, outlook, when, zipped

from ccht_batch.config.model import Limits
from ccht_batch.mail.collect import saved_name, unique_name
from ccht_batch.mail.letters import message_key, read_letter

LIMITS = Limits(max_file_mb=1, max_zip_entries=500, max_uncompressed_mb=100, max_compression_ratio=100)
BOOK = b"PK\x03\x04 a workbook's bytes"
LONG = "Bảng tự chấm điểm phong trào thi đua cải cách hành chính tháng 11 năm 2025 - Phòng Quản lý Công nghệ.xlsx"


def found(raw: bytes) -> dict[str, bytes]:
    return {a.name: a.data for a in read_letter(raw, LIMITS).spreadsheets}


def codes(raw: bytes) -> list[str]:
    return [n.code for n in read_letter(raw, LIMITS).notes]


def test_outlook_rfc2231_names_continued_over_several_parameters_are_decoded():
    raw = outlook("qlcn.skhcn@lamdong.gov.vn", "Phòng Quản lý Công nghệ", "Bảng điểm", when(3), [(LONG, BOOK)])
    assert b"filename*1*=" in raw  # really continued, as Outlook does for a long name
    letter = read_letter(raw, LIMITS)
    assert found(raw) == {LONG: BOOK}
    assert (letter.sender, letter.sender_name, letter.subject, letter.date) == ("qlcn.skhcn@lamdong.gov.vn", "Phòng Quản lý Công nghệ", "Bảng điểm", when(3))


def test_gmail_rfc2047_words_inside_the_quotes_are_decoded():
    raw = gmail("ThanhTra.SKHCN@lamdong.gov.vn", "Thanh tra Sở", "Gửi bảng", when(4), [(LONG, BOOK), ("Phụ lục.xls", b"\xd0\xcf\x11\xe0 xls")])
    assert b'filename="=?UTF-8?B?' in raw and raw.count(b"?= =?UTF-8?B?") + raw.count(b"?=\r\n\t=?UTF-8?B?") > 1
    assert found(raw) == {LONG: BOOK, "Phụ lục.xls": b"\xd0\xcf\x11\xe0 xls"}
    assert read_letter(raw, LIMITS).sender == "thanhtra.skhcn@lamdong.gov.vn"


def test_a_forwarded_message_gives_its_workbook_however_it_is_attached():
    inner = outlook("tran.thi.b@lamdong.gov.vn", "Trần Thị B", "Bảng điểm", when(3), [("CDS.xlsx", BOOK)])
    as_rfc822 = outlook("cds.skhcn@lamdong.gov.vn", "Phòng Chuyển đổi số", "Fw", when(4), [], inner=inner, inner_name="Bảng điểm.eml")
    as_file = outlook("cds.skhcn@lamdong.gov.vn", "Phòng Chuyển đổi số", "Fw", when(4), [("Bảng điểm.eml", inner)])
    in_base64 = as_rfc822.replace(b"Content-Type: message/rfc822\r\n", b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n").replace(
        inner, base64.encodebytes(inner).replace(b"\n", b"\r\n")
    )
    for raw in (as_rfc822, as_file, in_base64):
        assert found(raw) == {"CDS.xlsx": BOOK}
        assert read_letter(raw, LIMITS).sender == "cds.skhcn@lamdong.gov.vn"


def test_a_zip_gives_its_workbooks_under_their_own_names():
    raw = outlook("ttud.skhcn@lamdong.gov.vn", "TTUD", "Bảng", when(5), [("nén.zip", zipped({"Thư mục/Bảng điểm TTUD.xlsx": BOOK, "ghi chú.txt": b"x"}))])
    assert found(raw) == {"Bảng điểm TTUD.xlsx": BOOK}
    # 7-Zip and macOS write UTF-8 names without the zip's UTF-8 flag
    name = "Bảng điểm.xlsx".encode("utf-8")
    placeholder = b"A" * (len(name) - 5) + b".xlsx"
    unflagged = zipped({placeholder.decode(): BOOK}).replace(placeholder, name)
    raw = outlook("ttud.skhcn@lamdong.gov.vn", "TTUD", "Bảng", when(5), [("a.zip", unflagged)])
    assert found(raw) == {"Bảng điểm.xlsx": BOOK}


def test_what_cannot_be_used_is_named():
    big = b"x" * (1024 * 1024 + 1)
    cases = {
        "mail-winmail": [("winmail.dat", TNEF)],
        "mail-archive-protected": [("a.zip", zipped({"a.xlsx": BOOK}, protected=True))],
        "mail-archive-unreadable": [("a.7z", b"7z\xbc\xaf'\x1c")],
        "mail-attachment-too-large": [("a.xlsx", big)],
        "mail-not-spreadsheet": [("a.docx", b"PK")],
    }
    for code, attachments in cases.items():
        raw = outlook("vp@lamdong.gov.vn", "VP", "s", when(3), attachments)
        assert codes(raw) == [code], code
        assert found(raw) == {}
    broken = outlook("vp@lamdong.gov.vn", "VP", "s", when(3), [("a.zip", b"PK\x03\x04 not a zip")])
    assert codes(broken) == ["mail-archive-unreadable"]
    bomb = outlook("vp@lamdong.gov.vn", "VP", "s", when(3), [("a.zip", zipped({"a.xlsx": bytes(150 * 1024 * 1024)}))])
    letter = read_letter(bomb, LIMITS)
    assert [n.code for n in letter.notes] == ["mail-archive-too-large"] and "vượt giới hạn" in letter.notes[0].message


def test_a_delivery_report_carries_nothing_to_collect():
    ours = outlook("vanphong.skhcn@lamdong.gov.vn", "VP", "[CCHT]", when(3), [("TongHop_2025-11.xlsx", BOOK)])
    report = (
        b'From: MAILER-DAEMON@x\r\nSubject: Undelivered\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; boundary="R"\r\n\r\n'
        b"--R\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--R\r\nContent-Type: message/rfc822\r\n\r\n" + ours + b"\r\n--R--\r\n"
    )
    letter = read_letter(report, LIMITS)
    assert letter.spreadsheets == [] and letter.notes == [] and not letter.interesting


def test_the_key_of_a_message_is_its_message_id_or_its_header():
    assert message_key(b"Message-ID: <a@b>\r\nSubject: x\r\n\r\n") == ("<a@b>", "<a@b>")
    key, mid = message_key(b"Subject: x\r\n\r\n")
    assert mid is None and key.startswith("sha256:") and key == message_key(b"Subject: x\r\n\r\n")[0]


def test_saved_names_keep_the_original_and_are_safe_on_windows(tmp_path: Path):
    day = dt.datetime(2025, 11, 3, 8, 0)
    assert saved_name(day, "KHTC", "Bảng điểm.xlsx") == "2025-11-03_KHTC_Bảng điểm.xlsx"
    assert saved_name(day, "VP", 'a<b>c:"d"|e?f*g.xlsx') == "2025-11-03_VP_a_b_c__d__e_f_g.xlsx"
    assert saved_name(day, "VP", "NUL.xlsx") == "2025-11-03_VP_NUL.xlsx"  # the date in front: never a device name
    assert saved_name(day, "VP", "  tên có dấu chấm cuối. .xlsx ") == "2025-11-03_VP_tên có dấu chấm cuối.xlsx"
    nfd = saved_name(day, "VP", unicodedata.normalize("NFD", "Bảng điểm.xlsx"))
    assert nfd == unicodedata.normalize("NFC", nfd) == "2025-11-03_VP_Bảng điểm.xlsx"
    long = saved_name(day, "QLCN", LONG)
    assert len(long) == 120 and long.endswith(".xlsx") and long.startswith("2025-11-03_QLCN_Bảng tự chấm điểm")
    assert saved_name(day, "ai.do@gmail.com", "a.xlsx") == "2025-11-03_ai.do@gmail.com_a.xlsx"

    (tmp_path / "2025-11-03_VP_a.xlsx").write_bytes(b"1")
    (tmp_path / "2025-11-03_VP_a (2).xlsx").write_bytes(b"2")
    assert unique_name(tmp_path, "2025-11-03_VP_a.xlsx") == "2025-11-03_VP_a (3).xlsx"
    assert unique_name(tmp_path, "2025-11-03_VP_b.xlsx", {"2025-11-03_vp_B.xlsx"}) == "2025-11-03_VP_b (2).xlsx"
