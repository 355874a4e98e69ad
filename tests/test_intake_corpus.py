"""The whole intake over a corpus built in code: every case ends with its status and its issues at their
cells, nothing crashes, nothing is run, ignored files stay, and the result does not depend on --jobs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from support.corpus import PERIOD, Templates, build_corpus

from ccht_batch.config.load import load_config
from ccht_batch.config.workdir import init_workdir
from ccht_batch.core.records import ACCEPTED, IGNORED
from ccht_batch.intake import parallel as intake
from ccht_batch.intake.values import read_file


def _key(item):
    return tuple("" if v is None else str(v) for v in item)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    wd = root / "wd"
    init_workdir(wd)
    config = load_config(wd)
    cases = build_corpus(config, wd / "input", Templates(config, root / "templates"))
    paths, ignored = intake.discover(wd / "input")
    records = intake.read_files(paths, config, PERIOD, jobs=2)
    intake.mark_superseded(records)
    by_name = {r.name: r for r in records + ignored}
    return config, wd / "input", cases, paths, by_name


def test_every_case_ends_as_expected(corpus):
    _, _, cases, _, by_name = corpus
    assert sorted(by_name) == sorted(cases)
    wrong = []
    for name, expect in cases.items():
        rec = by_name[name]
        got = sorted(((i.code, i.sheet, i.cell) for i in rec.issues), key=_key)
        if (rec.status, rec.kind, rec.unit_code, got) != (expect.status, expect.kind, expect.unit_code, sorted(expect.issues, key=_key)):
            wrong.append(f"{name}: got {rec.status} {rec.kind} {rec.unit_code} {got}; expected {expect}")
    assert not wrong, "\n".join(wrong)


def test_every_issue_names_its_file_and_reads_vietnamese(corpus):
    _, _, _, _, by_name = corpus
    for rec in by_name.values():
        assert rec.sha256 and len(rec.sha256) == 64, rec.name
        for issue in rec.issues:
            assert issue.file == rec.name
            assert issue.message and "…" not in issue.message.replace("=…", ""), (rec.name, issue.code, issue.message)


def test_a_valid_file_reads_every_value_exactly(corpus):
    config, _, _, _, by_name = corpus
    sub = by_name["01_hop_le.xlsx"].submission
    assert sub.unit_code == "QLKH" and sub.year == 2025
    assert sub.scores["T1"].value == Decimal("1.5") and sub.scores["T1"].text == "1,5"
    assert sub.scores["2.1"].value == Decimal(6) and sub.scores["2.1"].cell == "D11"
    assert sub.scores["1.3"].value == Decimal(3) and sub.scores["1.3"].text == "Có"
    assert sub.scores["3.3"].text == "Tốt" and sub.scores["3.3"].value == Decimal(4)
    assert sub.scores["1.1"].evidence.startswith("Văn bản số") and sub.scores["1.1"].evidence_cell == "E6"
    assert set(sub.scores) == {c.id for c in config.criteria.scored_rows}
    assert sub.indicators["KH_NGAY"].value.isoformat() == "2025-01-15"
    assert sub.indicators["KH_NV_GIAO"].value == 10
    first, second = sub.persons
    assert (first.name, first.birth_year, first.rating, first.level, first.gender) == ("Nguyễn Văn An", 1980, "HTXSNV", "co-so", "Nam")
    assert first.proposal == config.criteria.awards[-1].id and first.initiative_recognised and first.valid
    assert (second.rating, second.proposal, second.initiative_recognised) == ("HTTNV", None, False)


def test_text_starting_with_equals_is_text(corpus):
    _, _, _, _, by_name = corpus
    sub = by_name["02_khong_ap_dung.xlsx"].submission
    assert sub.scores["1.1"].evidence == '=HYPERLINK("http://vanban.vn/12")'
    assert sub.scores["3.2"].value is None  # not applicable to TTRA: the typed 5 does not count


def test_nfd_text_is_read_as_nfc(corpus):
    _, _, _, _, by_name = corpus
    sub = by_name["03_nfd.xlsx"].submission
    assert sub.scores["3.3"].text == "Tốt" and sub.scores["3.3"].value == Decimal(4)
    assert [p.name for p in sub.persons] == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert sub.persons[0].rating == "HTXSNV" and sub.persons[0].level == "co-so"


def test_person_rows_with_a_problem_are_left_out_of_nominations(corpus):
    _, _, _, _, by_name = corpus
    persons = by_name["15_ca_nhan.xlsx"].submission.persons
    valid = {p.name: p.valid for p in persons}
    assert valid == {
        "Lê Văn Cường": True,
        "Phạm Thị Dung": False,
        "Hoàng Văn Em": False,
        "Vũ Thị Phương": False,
        "lê văn cường": False,
        "Đỗ Văn Giang": True,  # only the initiative is not counted
        "Ngô Thị Hà": False,
        "Bùi Văn Khánh": False,
    }
    giang = next(p for p in persons if p.name == "Đỗ Văn Giang")
    assert giang.initiative and not giang.initiative_recognised


def test_macros_are_never_run(corpus):
    _, folder, _, _, by_name = corpus
    assert by_name["36_macro.xlsm"].status == ACCEPTED
    assert not (folder / "pwned.txt").exists() and not Path("pwned.txt").exists()


def test_ignored_and_subfolder_files_stay_and_are_hashed(corpus):
    _, folder, _, paths, by_name = corpus
    for name in ("~$01_hop_le.xlsx", ".an.xlsx", "ghi_chu.txt", ".~lock.01_hop_le.xlsx#"):
        assert by_name[name].status == IGNORED and (folder / name).exists() and by_name[name].sha256
    assert "cu.xlsx" not in by_name and (folder / "processed" / "cu.xlsx").exists()
    assert [p.name for p in paths] == sorted(p.name for p in paths)


def test_results_do_not_depend_on_jobs(corpus):
    config, _, _, paths, by_name = corpus
    one = intake.read_files(paths, config, PERIOD, jobs=1)
    intake.mark_superseded(one)
    three = intake.read_files(paths, config, PERIOD, jobs=3)
    intake.mark_superseded(three)
    assert one == three == [by_name[p.name] for p in paths]
    assert repr(one) == repr(three)  # same values, same types (Decimal stays Decimal)


def test_read_file_alone_never_raises_on_any_case(corpus):
    config, folder, _, paths, _ = corpus
    for path in paths + [folder / "ghi_chu.txt", folder / "missing.xlsx"]:
        rec = read_file(path, config, PERIOD)
        assert rec.status in ("accepted", "rejected")
    missing = read_file(folder / "missing.xlsx", config, PERIOD)
    assert [i.code for i in missing.issues] == ["file-corrupt"] and missing.sha256 is None
