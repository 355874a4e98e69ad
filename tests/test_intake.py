"""Intake: what counts as a candidate, reading in worker processes (spawn, as on Windows), progress, and
which of a unit's files counts when it sent several in one run."""

from __future__ import annotations

import functools
import multiprocessing
import os
import shutil
from pathlib import Path

import pytest
from support.corpus import PERIOD, Templates, fill
from support.seams import dies_on

from ccht_batch.core import issues
from ccht_batch.core.records import ACCEPTED, DUPLICATE, REJECTED, FileRecord
from ccht_batch.intake import parallel as intake


@pytest.fixture
def templates(config, tmp_path):
    return Templates(config, tmp_path / "templates")


def _record(name: str, unit: str | None, mtime: float, status: str = ACCEPTED, kind: str = "template") -> FileRecord:
    return FileRecord(name=name, sha256=name * 2, size=1, mtime=mtime, status=status, kind=kind, unit_code=unit)


def test_discover_sorts_candidates_and_explains_every_ignored_file(tmp_path):
    folder = tmp_path / "input"
    (folder / "processed" / "2025-10").mkdir(parents=True)
    for name in ("b.xlsx", "A.XLSX", "c.ods", "d.xls", "e.xlsm", "x.xlsb", "~$b.xlsx", ".hidden.xlsx", "notes.txt", "scan.pdf", "data.csv"):
        (folder / name).write_bytes(b"x")
    (folder / "processed" / "2025-10" / "old.xlsx").write_bytes(b"x")
    paths, ignored = intake.discover(folder)
    assert [p.name for p in paths] == ["A.XLSX", "b.xlsx", "c.ods", "d.xls", "e.xlsm", "x.xlsb"]  # .xlsb: read, to be refused
    assert {r.name: [i.code for i in r.issues] for r in ignored} == {
        "~$b.xlsx": ["ignored-lock-file"],
        ".hidden.xlsx": ["ignored-hidden-file"],
        "notes.txt": ["ignored-not-spreadsheet"],
        "scan.pdf": ["ignored-not-spreadsheet"],
        "data.csv": ["ignored-not-spreadsheet"],
    }
    assert all(r.status == "ignored" and r.sha256 and r.size == 1 for r in ignored)
    assert all(i.severity == issues.WARNING and i.file == r.name for r in ignored for i in r.issues)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and symlinks")
def test_folders_links_pipes_and_unreadable_names_are_ignored_with_their_reason_never_opened(tmp_path):
    folder = tmp_path / "input"
    (folder / "processed").mkdir(parents=True)  # the run's own folders: silent
    (folder / "rejected").mkdir()
    (folder / "thu_muc.xlsx").mkdir()
    (folder / "Tháng 11").mkdir()
    (tmp_path / "elsewhere.xlsx").write_bytes(b"x")
    (folder / "lien_ket.xlsx").symlink_to(tmp_path / "elsewhere.xlsx")
    os.mkfifo(folder / "ong.xlsx")  # opening it would block the run forever
    (folder / os.fsdecode(b"bad\xff\xfe.xlsx")).write_bytes(b"x")
    paths, ignored = intake.discover(folder)
    assert paths == []
    found = {r.name: (r.status, [i.code for i in r.issues], r.sha256) for r in ignored}
    assert found == {
        "Tháng 11": ("ignored", ["ignored-not-a-file"], None),
        "bad\ufffd\ufffd.xlsx": ("ignored", ["ignored-bad-name"], found["bad\ufffd\ufffd.xlsx"][2]),
        "lien_ket.xlsx": ("ignored", ["ignored-not-a-file"], None),
        "ong.xlsx": ("ignored", ["ignored-not-a-file"], None),
        "thu_muc.xlsx": ("ignored", ["ignored-not-a-file"], None),
    }
    messages = {r.name: r.issues[0].message for r in ignored}
    assert "một thư mục" in messages["thu_muc.xlsx"] and "lối tắt" in messages["lien_ket.xlsx"] and "tệp đặc biệt" in messages["ong.xlsx"]
    assert "đổi tên tệp" in messages["bad\ufffd\ufffd.xlsx"]


def test_discover_of_a_missing_folder_finds_nothing(tmp_path):
    assert intake.discover(tmp_path / "nowhere") == ([], [])


def test_newest_file_of_a_unit_counts(config):
    records = [
        _record("a.xlsx", "VP", 100.0),
        _record("b.xlsx", "VP", 300.0),
        _record("c.xlsx", "VP", 200.0),
        _record("d.xlsx", "VP", 900.0, status=REJECTED),  # refused: does not compete
        _record("e.xlsx", "KHTC", 100.0),
    ]
    intake.mark_superseded(records)
    assert [(r.name, r.status) for r in records] == [
        ("a.xlsx", DUPLICATE),
        ("b.xlsx", ACCEPTED),
        ("c.xlsx", DUPLICATE),
        ("d.xlsx", REJECTED),
        ("e.xlsx", ACCEPTED),
    ]
    note = records[0].issues[-1]
    assert (note.code, note.severity, note.unit_code, note.file) == ("superseded-file", issues.WARNING, "VP", "a.xlsx")
    assert "'b.xlsx'" in note.message and "b.xlsx" in records[0].note


def test_equal_times_are_broken_by_name_whatever_the_order(config):
    for order in ((0, 1), (1, 0)):
        pair = [_record("bao_cao_1.xlsx", "VP", 50.0), _record("bao_cao_2.xlsx", "VP", 50.0)]
        records = [pair[i] for i in order]
        intake.mark_superseded(records)
        assert {r.name: r.status for r in records} == {"bao_cao_1.xlsx": DUPLICATE, "bao_cao_2.xlsx": ACCEPTED}


def test_only_the_newest_appraisal_counts(config):
    records = [_record("td1.xlsx", None, 10.0, kind="appraisal"), _record("td2.xlsx", None, 20.0, kind="appraisal")]
    intake.mark_superseded(records)
    assert [r.status for r in records] == [DUPLICATE, ACCEPTED]


def _copies(path: Path, folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        shutil.copyfile(path, folder / f"{path.stem}_{i:02d}{path.suffix}")


def test_parallel_reading_works_with_spawn_and_reports_progress(config, templates, tmp_path):
    folder = tmp_path / "input"
    _copies(fill(templates, tmp_path / "vp.xlsx", unit="VP"), folder, 8)
    _copies(fill(templates, tmp_path / "sai.xlsx", unit="TTRA", scores={"2.1": "abc"}), folder, 8)
    (folder / "hong.xlsx").write_bytes(b"PK\x03\x04 not really")
    paths, _ = intake.discover(folder)
    seen: list[int] = []
    spawned = intake.read_files(paths, config, PERIOD, jobs=2, progress=seen.append, mp_context=multiprocessing.get_context("spawn"))
    assert sum(seen) == 17 and len(paths) // intake.FILES_PER_WORKER >= 2  # two workers really ran
    assert [(r.name, r.status) for r in spawned[:2]] == [("hong.xlsx", REJECTED), ("sai_00.xlsx", REJECTED)]
    assert [r.status for r in spawned].count(ACCEPTED) == 8
    assert spawned == intake.read_files(paths, config, PERIOD, jobs=1)


def test_jobs_larger_than_the_files_and_no_files(config, templates, tmp_path):
    path = fill(templates, tmp_path / "input" / "vp.xlsx", unit="VP")
    assert [r.status for r in intake.read_files([path], config, PERIOD, jobs=8)] == [ACCEPTED]
    assert intake.read_files([], config, PERIOD, jobs=4) == []


def test_every_candidate_suffix_is_a_candidate_whatever_its_case():
    for name in ("a.xlsx", "a.XLSM", "a.Xls", "a.ODS"):
        assert intake.ignore_reason(name) is None
    assert intake.ignore_reason("~$a.xlsx") == "ignored-lock-file"
    assert intake.ignore_reason(".~lock.a.ods#") == "ignored-lock-file"
    assert intake.ignore_reason(".DS_Store") == "ignored-hidden-file"
    assert intake.ignore_reason("a.xlsx.bak") == "ignored-not-spreadsheet"


def test_a_worker_that_dies_costs_only_its_file(config, templates, tmp_path):
    """A worker killed while reading (a native crash, out of memory): the pool is rebuilt and only the
    file it was reading is refused; the others are read, in order."""
    folder = tmp_path / "input"
    _copies(fill(templates, tmp_path / "vp.xlsx", unit="VP"), folder, 20)
    paths, _ = intake.discover(folder)
    records = intake.read_files(paths, config, PERIOD, jobs=2, read=functools.partial(dies_on, "vp_05.xlsx"))
    assert [r.name for r in records] == [p.name for p in paths]
    assert [r.name for r in records if r.status == REJECTED] == ["vp_05.xlsx"]
    assert [i.code for i in records[5].issues] == ["file-corrupt"] and records[5].sha256
    assert all(r.status == ACCEPTED for i, r in enumerate(records) if i != 5)
