"""Safe opening: limits checked on what an archive declares, lies caught where entries are inflated, DTDs
refused, encrypted packages recognised — before any parser sees the file."""

from __future__ import annotations

import dataclasses
import io
import struct
import zipfile

import olefile
import pytest
from support.corpus import (
    PERIOD,
    Templates,
    compound_file,
    encrypt,
    fill,
    rewrite_zip,
    vba_project,
    zip_lying_about,
    zip_with_bomb,
)

from ccht_batch.config.model import Limits
from ccht_batch.intake import safety
from ccht_batch.intake.values import read_file

LIMITS = Limits(max_file_mb=20, max_zip_entries=500, max_uncompressed_mb=100, max_compression_ratio=100)


@pytest.fixture
def filled(config, tmp_path):
    return fill(Templates(config, tmp_path / "templates"), tmp_path / "work" / "vp.xlsx", unit="VP")


def _codes(rec) -> list[str]:
    return [i.code for i in rec.issues]


def _refusal(fn, *args) -> list[tuple[str, dict]]:
    with pytest.raises(safety.Refused) as caught:
        fn(*args)
    return caught.value.problems


def test_sniff_goes_by_content_not_name():
    assert safety.sniff(b"") == "empty"
    assert safety.sniff(b"PK\x03\x04rest") == "zip"
    assert safety.sniff(bytes.fromhex("d0cf11e0a1b11ae1") + b"rest") == "ole"
    assert safety.sniff(b"<html><body>table</body></html>") == "other"


def test_a_normal_workbook_passes_the_declared_limits(filled):
    index = safety.open_zip(filled.read_bytes(), LIMITS)
    assert "xl/workbook.xml" in index.namelist()
    assert index.namelist() == zipfile.ZipFile(filled).namelist()


def test_too_many_entries(filled, tmp_path):
    many = rewrite_zip(filled, tmp_path / "many.xlsx", extra={f"xl/media/p{i}.png": b"x" for i in range(30)})
    problems = _refusal(safety.open_zip, many.read_bytes(), dataclasses.replace(LIMITS, max_zip_entries=20))
    assert problems == [("zip-too-many-entries", {"entries": 44, "limit": 20})]


def test_declared_size_and_ratio_are_checked_before_anything_is_inflated(filled, tmp_path):
    bomb = zip_with_bomb(filled, tmp_path / "bomb.xlsx", megabytes=120)
    assert bomb.stat().st_size < 300_000  # the test file itself stays small
    problems = _refusal(safety.open_zip, bomb.read_bytes(), LIMITS)
    assert [code for code, _ in problems] == ["zip-too-large", "zip-ratio"]
    assert problems[0][1]["limit_mb"] == 100 and problems[1][1]["ratio"] > 1000


def test_a_header_that_understates_the_size_is_refused_from_the_directory(filled, tmp_path):
    forged = zip_lying_about(filled, tmp_path / "forged.xlsx", "xl/worksheets/sheet1.xml", padding_mb=40)
    problems = _refusal(safety.open_zip, forged.read_bytes(), LIMITS)
    assert problems[0][0] == "file-corrupt" and "sheet1.xml" in problems[0][1]["detail"]


def test_inflation_stops_at_the_declared_size(filled, tmp_path):
    forged = zip_lying_about(filled, tmp_path / "forged.xlsx", "xl/worksheets/sheet2.xml", padding_mb=5)
    data = forged.read_bytes()
    index = safety.open_zip(data, LIMITS)  # compresses well enough to pass the directory check
    problems = _refusal(safety.read_member, data, index, "xl/worksheets/sheet2.xml")
    assert problems[0][0] == "file-corrupt" and "lớn hơn kích thước khai báo" in problems[0][1]["detail"]


def test_python_calamine_refuses_a_lying_entry_too(config, filled, tmp_path):
    """The parts python-calamine inflates itself: its zip reader stops at the declared size as well."""
    forged = zip_lying_about(filled, tmp_path / "forged.xlsx", "xl/worksheets/sheet5.xml", padding_mb=1)  # _meta
    data = forged.read_bytes()
    safety.open_zip(data, LIMITS)  # small enough to pass the directory check: only python-calamine reads it
    rec = read_file(forged, config, PERIOD)
    assert _codes(rec) == ["file-corrupt"]
    assert "bị hỏng" in rec.issues[0].message


def test_a_dtd_in_a_part_we_read_is_refused(config, filled, tmp_path):
    billion = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'

    def with_dtd(name: str, data: bytes) -> bytes:
        if name == "xl/workbook.xml":
            return billion + data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else billion + data
        return data

    rec = read_file(rewrite_zip(filled, tmp_path / "dtd.xlsx", with_dtd), config, PERIOD)
    assert _codes(rec) == ["file-corrupt"] and "DTD" in rec.issues[0].message


def test_a_comment_before_the_root_is_fine_but_a_hidden_dtd_is_not():
    assert not safety._prolog_has_dtd(b'<?xml version="1.0"?>\n<!-- made by hand -->\n<worksheet/>')
    assert safety._prolog_has_dtd(b"\xef\xbb\xbf<?xml version='1.0'?><!-- x --><!DOCTYPE x [<!ENTITY a 'b'>]><x/>")
    assert safety._prolog_has_dtd(b"<!-- " + b"a" * (safety.PROLOG_LIMIT + 10) + b" --><x/>")
    assert safety._prolog_has_dtd('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x><x/>'.encode("utf-16"))


def test_file_size_limit_comes_from_settings(workdir, filled):
    settings = workdir / "config" / "settings.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("max_file_mb: 20", "max_file_mb: 1"), encoding="utf-8")
    from ccht_batch.config.load import load_config

    config = load_config(workdir)
    big = workdir / "input" / "big.xlsx"
    big.write_bytes(filled.read_bytes() + b"\0" * (1024 * 1024))
    rec = read_file(big, config, PERIOD)
    assert _codes(rec) == ["file-too-large"] and rec.sha256 and rec.size > 1024 * 1024
    assert "1 MB" in rec.issues[0].message


def test_encrypted_package_is_recognised_in_its_ole_container(config, filled, tmp_path):
    locked = encrypt(filled, tmp_path / "locked.xlsx")
    ole = safety.OleFile.parse(locked.read_bytes())
    assert ole.encrypted_package and "EncryptedPackage" in ole.names()
    for name in ("locked.xlsx", "locked.xls", "locked.xlsm"):
        copy = tmp_path / name
        copy.write_bytes(locked.read_bytes())
        assert _codes(read_file(copy, config, PERIOD)) == ["file-encrypted"]


def test_ole_reader_reads_streams_like_olefile():
    data = compound_file({"Workbook": b"\x09\x08" + b"A" * 5000, "VBA/dir": b"dir stream", "PROJECT": b"Name=x"})
    ole = safety.OleFile.parse(data)
    reference = olefile.OleFileIO(io.BytesIO(data))
    assert ole.workbook_stream == "Workbook" and not ole.encrypted_package
    assert ole.stream("Workbook", 10**6) == reference.openstream("Workbook").read()
    assert ole.stream("dir", 10**6).startswith(b"dir stream")
    assert _refusal(ole.stream, "Workbook", 100)[0][0] == "zip-too-large"


def test_a_password_protected_xls_is_recognised_by_its_filepass_record():
    bof = struct.pack("<HH", 0x0809, 4) + b"\x00\x06\x05\x00"
    filepass = struct.pack("<HH", 0x002F, 2) + b"\x00\x00"
    eof = struct.pack("<HH", 0x000A, 0)
    assert safety.biff_encrypted(bof + filepass + eof)
    assert not safety.biff_encrypted(bof + eof + filepass)


def test_a_vba_project_is_a_real_compound_file():
    ole = olefile.OleFileIO(io.BytesIO(vba_project()))
    assert ["VBA", "Module1"] in ole.listdir() and ["PROJECT"] in ole.listdir()


def test_a_truncated_ole_file_is_corrupt_not_a_crash(config, tmp_path):
    data = compound_file({"Workbook": b"\x09\x08" + b"A" * 5000})
    path = tmp_path / "cut.xls"
    path.write_bytes(data[:1200])
    assert _codes(read_file(path, config, PERIOD)) == ["file-corrupt"]
