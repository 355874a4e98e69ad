"""One file never stops the month: every file is read in a child process with a memory ceiling and a time
limit, and what a crafted file asks a parser to allocate is checked from its XML before any parser sees
it. Real files (crafted from real templates, or saved by LibreOffice), real crashes, real kills."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import psutil
import pytest
from conftest import needs_soffice
from support.corpus import (
    PERIOD,
    Templates,
    fill,
    ods_with_repeats,
    rewrite_zip,
    with_far_cell,
)
from support.seams import dies_on, parses_unchecked, sleeps_on
from support.soffice import soffice_convert

from ccht_batch.config.load import load_config
from ccht_batch.config.workdir import init_workdir
from ccht_batch.core import children
from ccht_batch.core.records import ACCEPTED, REJECTED
from ccht_batch.forms import layout as L
from ccht_batch.intake import parallel as intake


@pytest.fixture
def templates(config, tmp_path):
    return Templates(config, tmp_path / "templates")


def _limits(workdir: Path, **values: int):
    """The working folder's configuration with these ``limits:`` in settings.yaml."""
    path = workdir / "config" / "settings.yaml"
    text = path.read_text(encoding="utf-8")
    for key, value in values.items():
        start = text.index(f"  {key}:")
        end = text.index("\n", start)
        text = text[:start] + f"  {key}: {value}" + text[end:]
    path.write_text(text, encoding="utf-8")
    return load_config(workdir)


def _read(config, *paths: Path, jobs: int = 1, read=intake.read_raw):
    return {r.name: r for r in intake.read_files(list(paths), config, PERIOD, jobs=jobs, read=read)}


def _codes(rec) -> list[tuple[str, str | None, str | None]]:
    return [(i.code, i.sheet, i.cell) for i in rec.issues]


# ---------------------------------------------------------------------------------------------------
# Pre-checks: how far a sheet's values reach, from its XML


@pytest.mark.parametrize(
    "sheet, ref, code",
    [
        (L.SHEET_SCORES, "XFD1048576", "sheet-too-large"),  # python-calamine: 549 GB, then abort
        (L.SHEET_PERSONS, "Z1048576", "sheet-too-large"),  # 1.15 GB
        (L.SHEET_META, "Z1048576", "sheet-too-large"),  # a sheet no formula scan reads
        (L.SHEET_INDICATORS, "D2000000", "cell-beyond-excel"),
        (L.SHEET_SCORES, "ZZZZ30", "cell-beyond-excel"),
    ],
)
def test_a_far_cell_is_refused_before_any_parser_allocates_and_the_rest_is_read(config, templates, tmp_path, sheet, ref, code):
    good = fill(templates, tmp_path / "in" / "a_tot.xlsx", unit="VP")
    bad = with_far_cell(fill(templates, tmp_path / "src.xlsx", unit="QLKH"), tmp_path / "in" / "b_xa.xlsx", sheet, ref)
    assert bad.stat().st_size < 60_000
    records = _read(config, good, bad)
    assert records["a_tot.xlsx"].status == ACCEPTED
    rec = records["b_xa.xlsx"]
    assert rec.status == REJECTED and _codes(rec) == [(code, sheet, ref)]
    assert ref in rec.issues[0].message and "Đề nghị đơn vị" in rec.issues[0].message
    # whose file it is still comes from _meta (unless _meta is the sheet refused): its unit is told why
    expected = None if sheet == L.SHEET_META else "QLKH"
    assert (rec.unit_code, rec.issues[0].unit_code) == (expected, expected)


def test_a_far_empty_styled_cell_costs_nothing_and_is_accepted(config, templates, tmp_path):
    """The same far cell with only a style, as Excel and LibreOffice write formatted empty cells."""
    far = with_far_cell(fill(templates, tmp_path / "src.xlsx", unit="VP"), tmp_path / "far.xlsx", L.SHEET_SCORES, "XFD1048576")
    rewrite_zip(far, tmp_path / "styled.xlsx", lambda name, body: body.replace(b'<c r="XFD1048576"><v>1</v></c>', b'<c r="XFD1048576" s="1"/>'))
    rec = _read(config, tmp_path / "styled.xlsx")["styled.xlsx"]
    assert (rec.status, rec.issues) == (ACCEPTED, [])


def test_the_sheet_cell_limit_is_configuration(workdir, templates, tmp_path):
    config = _limits(workdir, max_sheet_cells=20_000)
    far = with_far_cell(fill(templates, tmp_path / "src.xlsx", unit="VP"), tmp_path / "xa.xlsx", L.SHEET_PERSONS, "Z1000")
    rec = _read(config, far)["xa.xlsx"]
    assert _codes(rec) == [("sheet-too-large", L.SHEET_PERSONS, "Z1000")]
    assert "26.000 ô" in rec.issues[0].message and "20.000 ô" in rec.issues[0].message
    assert _read(_limits(workdir, max_sheet_cells=30_000), far)["xa.xlsx"].status == ACCEPTED


@pytest.fixture(scope="module")
def libreoffice(tmp_path_factory):
    """A filled template re-saved by LibreOffice as .xlsx and .ods (the .ods has LibreOffice's repeated
    empty rows and columns to the sheet's end: more than a million rows, 16,384 columns)."""
    root = tmp_path_factory.mktemp("lo")
    init_workdir(root / "wd")
    config = load_config(root / "wd")
    src = fill(Templates(config, root / "templates"), root / "src" / "vp.xlsx", unit="VP")
    return config, {fmt: soffice_convert(src, fmt, root / fmt) for fmt in ("xlsx", "ods")}


@needs_soffice
@pytest.mark.soffice
def test_libreoffice_saved_files_of_the_template_pass_the_pre_checks(libreoffice):
    config, files = libreoffice
    assert b'number-rows-repeated="10485' in zipfile.ZipFile(files["ods"]).read("content.xml")
    for fmt, path in files.items():
        rec = _read(config, path)[path.name]
        assert (rec.status, rec.issues) == (ACCEPTED, []), fmt


@needs_soffice
@pytest.mark.soffice
def test_an_ods_whose_repeats_expand_to_gigabytes_is_refused_small(libreoffice, tmp_path):
    config, files = libreoffice
    bomb = ods_with_repeats(files["ods"], tmp_path / "bom.ods", L.SHEET_PERSONS, rows=500_000, columns=60)
    assert bomb.stat().st_size < 100_000
    started = time.monotonic()
    rec = _read(config, bomb)["bom.ods"]
    assert time.monotonic() - started < 30
    assert rec.status == REJECTED and [(i.code, i.sheet) for i in rec.issues] == [("sheet-too-large", L.SHEET_PERSONS)]


# ---------------------------------------------------------------------------------------------------
# Isolation: a reader that dies, runs out of memory or hangs costs only its file


def test_one_file_whose_reader_crashes_costs_only_itself_even_alone(config, templates, tmp_path):
    """With fewer files than a pool is worth, the file is still read in a child: this process lives."""
    path = fill(templates, tmp_path / "vp.xlsx", unit="VP")
    rec = _read(config, path, read=functools.partial(dies_on, "vp.xlsx"))["vp.xlsx"]
    assert rec.status == REJECTED and [i.code for i in rec.issues] == ["file-corrupt"] and rec.sha256
    assert "bị dừng đột ngột" in rec.issues[0].message
    # whose file it was is read from its _meta alone, in a child of its own: VP is told why
    assert (rec.kind, rec.unit_code, rec.year, rec.issues[0].unit_code) == ("template", "VP", 2025, "VP")


def test_a_reader_that_exceeds_the_memory_ceiling_costs_only_its_file(workdir, templates, tmp_path):
    """No pre-check this time (a seam loads every sheet with python-calamine first): the ceiling stops the
    27-million-cell sheet, in its child, and the next file is read by a new one."""
    config = _limits(workdir, max_read_memory_mb=256)
    folder = tmp_path / "in"
    good = [fill(templates, folder / f"b_{i}.xlsx", unit="VP") for i in range(3)]
    bad = with_far_cell(fill(templates, tmp_path / "src.xlsx", unit="QLKH"), folder / "a_xa.xlsx", L.SHEET_PERSONS, "Z1048576")
    records = _read(config, bad, *good, read=parses_unchecked)
    rec = records["a_xa.xlsx"]
    assert rec.status == REJECTED and [i.code for i in rec.issues] == ["file-too-complex"]
    assert "bộ nhớ" in rec.issues[0].message
    assert (rec.unit_code, rec.issues[0].unit_code) == ("QLKH", "QLKH")  # from its _meta, read alone
    assert [records[p.name].status for p in good] == [ACCEPTED] * 3


def test_a_reader_that_hangs_is_stopped_at_the_time_limit(workdir, templates, tmp_path):
    config = _limits(workdir, max_read_seconds=5)
    folder = tmp_path / "in"
    paths = [fill(templates, folder / f"{n}.xlsx", unit="VP") for n in ("a", "b_treo", "c")]
    started = time.monotonic()
    records = _read(config, *paths, read=functools.partial(sleeps_on, "b_treo.xlsx"))
    assert time.monotonic() - started < 60
    assert [i.code for i in records["b_treo.xlsx"].issues] == ["file-too-complex"]
    assert "mất hơn 5 giây" in records["b_treo.xlsx"].issues[0].message
    assert records["a.xlsx"].status == ACCEPTED and records["c.xlsx"].status == ACCEPTED


def test_the_parents_memory_watch_sees_a_child_grow(tmp_path):
    """Where the system sets no ceiling (Windows), the parent watches each child's memory."""
    proc = subprocess.Popen([sys.executable, "-c", "import sys, time; x = bytearray(300 << 20); sys.stdout.write('ok\\n'); sys.stdout.flush(); time.sleep(60)"], stdout=subprocess.PIPE)
    try:
        watch = children.MemoryWatch(proc.pid, 100)
        assert watch.active and not watch.exceeded()
        assert proc.stdout.readline() == b"ok\n"
        assert watch.exceeded()
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_reading_children_die_with_a_killed_run(workdir, templates):
    """``kill -9`` of the run while its children read: none is left running."""
    for i in range(20):
        fill(templates, workdir / "input" / f"f{i:02d}.xlsx", unit="VP")
    tests = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tests.parent), str(tests)])}
    proc = subprocess.Popen(
        [sys.executable, str(tests / "support" / "seams.py"), "read", str(workdir), PERIOD, "sleeps_on", "f03.xlsx"],
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        kids: list[psutil.Process] = []
        while len(kids) < 2:
            assert proc.poll() is None and time.monotonic() < deadline, "the run never started its readers"
            kids = psutil.Process(proc.pid).children()
            time.sleep(0.1)
        time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    gone, alive = psutil.wait_procs(kids, timeout=10)
    for leftover in alive:  # do not leave them behind for the next test
        leftover.kill()
    assert alive == [], f"children still running: {[p.pid for p in alive]}"
