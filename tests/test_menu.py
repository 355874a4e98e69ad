"""`ccht-batch menu` (what ThiDua.cmd opens), driven on a real pseudo-terminal as a clerk would: numbered
steps, a question with a default for each, the command's own screen, how it ended, Enter to come back."""

from __future__ import annotations

import re

from support.terminal import finish, spawn
from support.workdirs import GOOD, submit

from ccht_batch.core.periods import current_period

PROMPT = "Chọn một số rồi nhấn Enter: "
BACK = "Nhấn Enter để quay lại thực đơn..."


def screen_until(child, text: str) -> str:
    """What the terminal showed from now until ``text`` (included)."""
    child.expect_exact(text)
    return (child.before + child.after).replace("\r\n", "\n")


def test_the_menu_runs_the_month_and_previews_the_mail(workdir):
    submit(workdir, "VP", "VP.xlsx")
    submit(workdir, "KHTC", "KHTC.xlsx", scores={**GOOD, "1.1": 7})
    child = spawn("--workdir", workdir, "menu")

    menu = screen_until(child, PROMPT)
    assert "THI ĐUA CẢI CÁCH HÀNH CHÍNH — ccht-batch" in menu
    assert f"Thư mục làm việc: {workdir.resolve()}" in menu
    numbers = re.findall(r"^  (\d)\. ", menu, re.M)
    assert numbers == ["1", "2", "3", "4", "5", "6", "7", "0"]
    assert "  1. Tổng hợp kết quả của tháng" in menu and "  2. Xem trước thư" in menu and "  0. Thoát" in menu

    child.sendline("1")  # a period outside the movement: refused, and not remembered as the session's
    screen_until(child, f"Kỳ tổng hợp (dạng YYYY-MM; nhấn Enter để chọn {current_period()}): ")
    child.sendline("1999-01")
    assert "--- ccht-batch run --period 1999-01 ---" in screen_until(child, BACK)
    child.sendline("")
    screen_until(child, PROMPT)

    child.sendline("1")
    screen_until(child, f"Kỳ tổng hợp (dạng YYYY-MM; nhấn Enter để chọn {current_period()}): ")
    child.sendline("2025-11")
    ran = screen_until(child, BACK)
    assert "--- ccht-batch run --period 2025-11 ---" in ran
    assert "Kỳ tổng hợp: tháng 11/2025" in ran
    assert "Tệp: 2 — 1 tiếp nhận, 1 bị trả lại, 0 trùng, 0 bỏ qua." in ran
    assert "Bị trả lại: KHTC.xlsx — 1 lỗi (xem PhanHoi/KHTC.xlsx)." in ran
    assert "--- Đã xong, nhưng có nội dung bị từ chối hoặc chưa gửi được (xem các dòng ở trên). ---" in ran
    assert (workdir / "output" / "2025-11" / "TongHop_2025-11.xlsx").is_file()
    assert (workdir / "input" / "rejected" / "2025-11" / "KHTC.xlsx").is_file()
    child.sendline("")
    screen_until(child, PROMPT)

    child.sendline("2")
    screen_until(child, "Xem trước thư của kỳ (dạng YYYY-MM; nhấn Enter để chọn 2025-11): ")  # the period just run
    child.sendline("")
    preview = screen_until(child, BACK)
    assert "--- ccht-batch mail --period 2025-11 ---" in preview
    assert re.search(r"Thư kết quả tháng 11/2025: \d+ thư\.", preview)
    assert "Chưa gửi thư nào (chạy thử)." in preview
    assert "--- Đã xong. ---" in preview
    outbox = sorted(p.name for p in (workdir / "output" / "2025-11" / "outbox").glob("*.eml"))
    assert outbox and all(name in preview for name in outbox)
    child.sendline("")
    screen_until(child, PROMPT)

    child.sendline("3")  # sending asks first; "k" sends nothing
    screen_until(child, "Gửi thư của kỳ (dạng YYYY-MM; nhấn Enter để chọn 2025-11): ")
    child.sendline("")
    screen_until(child, "Gửi thật thư kết quả tháng 11/2025 cho các đơn vị và lãnh đạo? Gõ c (có) hoặc k (không): ")
    child.sendline("k")
    assert "Chưa gửi thư nào." in screen_until(child, BACK)
    child.sendline("")

    child.sendline("6")
    assert f"Thư mục kết quả: {(workdir / 'output' / '2025-11').resolve()}" in screen_until(child, BACK)
    child.sendline("")

    child.sendline("9")
    assert "Không có bước '9'. Hãy gõ một số từ 0 đến 7." in screen_until(child, BACK)
    child.sendline("")

    child.sendline("0")
    code, screen = finish(child)
    assert code == 0 and "Đã thoát thực đơn." in screen
    assert "Traceback" not in screen
    # one log per step (two runs in one second get "run_2.log")
    logs = sorted(re.sub(r"_\d+\.log$", ".log", p.name.split("_", 2)[2]) for p in (workdir / "output" / "logs").iterdir())
    assert logs == ["mail.log", "run.log", "run.log"]  # each step has its log (the refused run too); the menu itself has none


def test_check_templates_and_appraisal_from_the_menu_and_end_of_input(workdir):
    (workdir / "config" / "units.yaml").write_text(
        (workdir / "config" / "units.yaml").read_text(encoding="utf-8").replace("code: TTRA", "code: CON"), encoding="utf-8"
    )
    child = spawn("--workdir", workdir, "menu")
    screen_until(child, PROMPT)
    child.sendline("7")
    checked = screen_until(child, BACK)
    assert "Cấu hình không hợp lệ, chưa làm gì." in checked and "units[1].code" in checked
    assert "--- Chưa làm gì: cấu hình hoặc lựa chọn chưa đúng (xem thông báo ở trên). ---" in checked
    child.sendline("")

    child.sendline("4")
    screen_until(child, "Năm của tệp mẫu (nhấn Enter để chọn ")
    child.sendline("25")
    assert "Lỗi: năm '25' không hợp lệ" in screen_until(child, BACK)
    child.sendline("")

    child.sendline("5")
    screen_until(child, "Kỳ thẩm định (dạng YYYY-MM; nhấn Enter để chọn ")
    child.sendline("11/2025")
    assert "Lỗi: kỳ '11/2025' không hợp lệ" in screen_until(child, BACK)
    child.sendline("")

    screen_until(child, PROMPT)
    child.sendeof()  # the window's input ends: the menu closes quietly
    code, screen = finish(child)
    assert code == 0 and "Traceback" not in screen
