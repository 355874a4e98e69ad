"""The month always completes and every unit is told why, whatever lands in input/: a crafted file, a name
that is not text, a folder, a link or a pipe, a copy of a refused file, an .xlsb, a file still being
copied, a file held open; and a mistyped --period stops before anything moves. Through the command line,
with real files and real faults."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from support.cli import run_in as run
from support.corpus import with_far_cell
from support.workdirs import GOOD, store_rows, submit, summary, units_by_code

from ccht_batch.forms import layout as L


def _files(s: dict) -> dict[str, dict]:
    return {f["name"]: f for f in s["files"]}


def _inputs(workdir: Path) -> list[str]:
    return sorted(p.name for p in (workdir / "input").iterdir() if p.name not in ("processed", "rejected"))


def test_a_crafted_file_among_a_few_is_refused_and_the_month_completes(workdir):
    """Fewer files than a pool is worth, one with a value at XFD1048576: python-calamine would abort the
    whole program (549 GB); the file is refused at that cell and everything else goes on."""
    submit(workdir, "VP", "VP.xlsx")
    src = submit(workdir, "QLKH", "QLKH_goc.xlsx")
    with_far_cell(src, workdir / "input" / "QLKH.xlsx", L.SHEET_SCORES, "XFD1048576")
    src.unlink()
    code, out, err = run(workdir, "run", "--period", "2025-10")
    assert code == 1, err
    s = summary(workdir, "2025-10")
    bad = _files(s)["QLKH.xlsx"]
    assert bad["status"] == "rejected"
    assert [(i["code"], i["sheet"], i["cell"]) for i in bad["issues"]] == [("sheet-too-large", L.SHEET_SCORES, "XFD1048576")]
    assert _files(s)["VP.xlsx"]["status"] == "accepted" and units_by_code(s)["VP"]["status"] == "submitted"
    # the refused file is still QLKH's (from _meta): QLKH gets its feedback workbook, not "nothing received"
    assert bad["unit_code"] == "QLKH" and units_by_code(s)["QLKH"]["status"] == "rejected"
    assert (workdir / "output" / "2025-10" / "PhanHoi" / "QLKH.xlsx").exists()
    assert "Bị trả lại: QLKH.xlsx" in err  # a problem: on stderr
    assert (workdir / "input" / "rejected" / "2025-10" / "QLKH.xlsx").exists()
    assert run(workdir, "run", "--period", "2025-10")[0] == 0  # and every rerun completes too


@pytest.mark.skipif(sys.platform == "win32" or sys.platform == "darwin", reason="needs a file system that keeps any bytes in a name")
def test_a_name_that_is_not_text_is_ignored_named_and_left(workdir):
    submit(workdir, "VP", "VP.xlsx")
    odd = workdir / "input" / os.fsdecode(b"bad\xff\xfe.xlsx")
    shutil.copy(workdir / "input" / "VP.xlsx", odd)
    code, out, err = run(workdir, "run", "--period", "2025-10")
    assert code == 0, err
    raw = (workdir / "output" / "2025-10" / "summary.json").read_bytes()
    raw.decode("utf-8")  # valid UTF-8 throughout
    entry = _files(summary(workdir, "2025-10"))["bad\ufffd\ufffd.xlsx"]
    assert entry["status"] == "ignored" and [i["code"] for i in entry["issues"]] == ["ignored-bad-name"]
    assert odd.exists()
    assert ("bad\ufffd\ufffd.xlsx", "ignored") in store_rows(workdir, "SELECT name, status FROM files")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and symlinks")
def test_folders_links_and_pipes_in_input_are_in_the_summary_as_ignored(workdir):
    submit(workdir, "VP", "VP.xlsx")
    (workdir / "input" / "thu_muc.xlsx").mkdir()
    (workdir / "input" / "lien_ket.xlsx").symlink_to(workdir / "input" / "VP.xlsx")
    os.mkfifo(workdir / "input" / "ong.xlsx")
    code, _, err = run(workdir, "run", "--period", "2025-10")
    assert code == 0, err
    files = _files(summary(workdir, "2025-10"))
    for name in ("thu_muc.xlsx", "lien_ket.xlsx", "ong.xlsx"):
        assert files[name]["status"] == "ignored" and [i["code"] for i in files[name]["issues"]] == ["ignored-not-a-file"], name
    assert files["VP.xlsx"]["status"] == "accepted"
    assert _inputs(workdir) == ["lien_ket.xlsx", "ong.xlsx", "thu_muc.xlsx"]


def test_a_copy_of_a_refused_file_is_refused_again_never_called_duplicate(workdir):
    bad = submit(workdir, "QLKH", "QLKH.xlsx", scores={**GOOD, "1.1": "abc"})
    shutil.copy(bad, workdir / "input" / "QLKH_ban_sao.xlsx")
    keep = workdir / "QLKH_giu.xlsx"
    shutil.copy(bad, keep)
    assert run(workdir, "run", "--period", "2025-10")[0] == 1
    files = _files(summary(workdir, "2025-10"))
    first, copy = files["QLKH.xlsx"], files["QLKH_ban_sao.xlsx"]
    assert first["status"] == copy["status"] == "rejected"
    assert [i["code"] for i in copy["issues"]] == [i["code"] for i in first["issues"]] == ["score-not-a-number"]
    # the same bytes a month later: refused again, for the same reason, never "đã được tiếp nhận"
    shutil.copy(keep, workdir / "input" / "QLKH_lai.xlsx")
    assert run(workdir, "run", "--period", "2025-11")[0] == 1
    again = _files(summary(workdir, "2025-11"))["QLKH_lai.xlsx"]
    assert again["status"] == "rejected" and [i["code"] for i in again["issues"]] == ["score-not-a-number"]
    assert "đã được tiếp nhận" not in str(again)


def test_an_xlsb_file_is_refused_with_how_to_save_it(workdir):
    path = workdir / "input" / "VP.xlsb"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:  # the container of Excel's binary workbook
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>',
        )
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>')
        z.writestr("xl/workbook.bin", b"\x83\x01\x00\x80\x01\x00")
        z.writestr("xl/worksheets/sheet1.bin", b"\x81\x01\x00")
    code, _, err = run(workdir, "run", "--period", "2025-10")
    assert code == 1, err
    entry = _files(summary(workdir, "2025-10"))["VP.xlsb"]
    assert entry["status"] == "rejected" and [i["code"] for i in entry["issues"]] == ["xlsb-not-supported"]
    assert ".xlsx" in entry["issues"][0]["message"] and "Lưu thành" in entry["issues"][0]["message"]
    assert (workdir / "input" / "rejected" / "2025-10" / "VP.xlsb").exists()


def test_a_file_still_being_copied_is_left_for_the_next_run(workdir, tmp_path):
    src = submit(workdir, "VP", "VP.xlsx")
    whole = tmp_path / "VP.xlsx"
    shutil.move(src, whole)
    dest = workdir / "input" / "VP.xlsx"
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "data = open(sys.argv[1], 'rb').read()\n"
            "with open(sys.argv[2], 'wb') as out:\n"
            "    step = max(1, len(data) // 60)\n"
            "    for i in range(0, len(data), step):\n"
            "        out.write(data[i:i + step]); out.flush(); time.sleep(0.1)\n",
            str(whole),
            str(dest),
        ]
    )
    try:
        deadline = time.monotonic() + 30
        while not dest.exists() or dest.stat().st_size == 0:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        code, out, err = run(workdir, "run", "--period", "2025-10")
        assert writer.poll() is None, "the copy ended before the run read it: the test proves nothing"
    finally:
        writer.wait(timeout=60)
    assert code == 0, err
    entry = _files(summary(workdir, "2025-10"))["VP.xlsx"]
    assert entry["status"] == "ignored" and [i["code"] for i in entry["issues"]] == ["file-being-copied"]
    assert "tệp đang được chép, sẽ xử lý ở lần chạy sau" in entry["issues"][0]["message"].lower()
    assert "Chưa đọc VP.xlsx" in out
    assert dest.exists() and dest.read_bytes() == whole.read_bytes()
    assert not (workdir / "input" / "rejected").exists()
    # the copy is complete: the next run takes it
    assert run(workdir, "run", "--period", "2025-10")[0] == 0
    assert _files(summary(workdir, "2025-10"))["VP.xlsx"]["status"] == "accepted"
    assert (workdir / "input" / "processed" / "2025-10" / "VP.xlsx").exists()


@pytest.mark.parametrize("period, words", [("1999-01", "ngoài giai đoạn"), ("2052-11", "ngoài giai đoạn"), ("2024-05", "không tệp nào")])
def test_a_mistyped_period_stops_before_anything_moves(workdir, period, words):
    submit(workdir, "VP", "VP.xlsx")
    submit(workdir, "QLKH", "QLKH.xlsx")
    code, _, err = run(workdir, "run", "--period", period)
    assert code == 2
    assert words in err and "năm 2025: 2 tệp" in err and "--force" in err
    if words == "ngoài giai đoạn":
        assert "(2022 - 2025)" in err
    assert _inputs(workdir) == ["QLKH.xlsx", "VP.xlsx"]
    assert not (workdir / "output" / period).exists()
    assert store_rows(workdir, "SELECT count(*) FROM files") == [(0,)]
    # the clerk means it: --force runs, and the files are refused for their year as before
    code, _, err = run(workdir, "run", "--period", period, "--force")
    assert code == 1, err
    assert {f["status"] for f in summary(workdir, period)["files"]} == {"rejected"}


@pytest.fixture
def immutable(tmp_path):
    """Make a file impossible to move, as a file open in Excel is on Windows (``chattr +i``: even root
    cannot rename it); undone at the end."""
    made: list[Path] = []

    def make(path: Path) -> None:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
            pytest.skip("chattr +i is not available here")
        made.append(path)

    yield make
    for path in made:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True)


def test_a_file_that_cannot_be_moved_is_said_in_the_summary_and_moved_next_time(workdir, immutable):
    path = submit(workdir, "VP", "VP.xlsx")
    immutable(path)
    code, out, err = run(workdir, "run", "--period", "2025-10")
    assert code == 0, err
    entry = _files(summary(workdir, "2025-10"))["VP.xlsx"]
    assert entry["status"] == "accepted"
    held = [i for i in entry["issues"] if i["code"] == "file-in-use"]
    assert len(held) == 1 and "input/processed/2025-10/" in held[0]["message"] and held[0]["severity"] == "warning"
    assert f"Chưa chuyển được VP.xlsx: {held[0]['message']}" in err  # a problem: on stderr
    assert path.exists()
    subprocess.run(["chattr", "-i", str(path)], check=True)
    assert run(workdir, "run", "--period", "2025-10")[0] == 0
    assert (workdir / "input" / "processed" / "2025-10" / "VP.xlsx").exists() and not path.exists()
    assert store_rows(workdir, "SELECT name, status, moved_at IS NOT NULL FROM files") == [("VP.xlsx", "accepted", 1)]
