"""`ccht-batch close-year`: the year's last counted results become the yearly records, once, on confirmation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from support.history import (
    CSTDCS,
    HTXSNV,
    fill_history,
    initiative_row,
    make_workdir,
    person,
    person_row,
    run_cli,
    seed_result,
)

from ccht_batch.cli.history import close_year
from ccht_batch.core.records import person_key
from ccht_batch.history.imports import import_history
from ccht_batch.store.db import Store
from ccht_batch.store.history import StoreHistory

DUC = person_key("Phạm Minh Đức", 1980, "VP")


def seed_2025(store: Store) -> None:
    """VP and QLKH counted in December (QLKH carried from November); KHTC last counted in October."""
    seed_result(store, "2025-10", "KHTC", total="70", result="70", band="Khá", rank=3)
    seed_result(store, "2025-11", "VP", total="85", result="85", band="Tốt", rank=1)
    seed_result(
        store,
        "2025-12",
        "VP",
        total="92.5",
        result="92.5",
        band="Xuất sắc",
        rank=1,
        persons=[
            person(5, "Phạm Minh Đức", 1980, "HTXSNV", "Số hóa sổ công văn", "12/QĐ-SKHCN ngày 15/3/2025", "co-so"),
            person(6, "Vũ Thị Hoa", 1992, "HTTNV"),
            person(7, "Dòng lỗi", 1990, None, valid=False),
        ],
    )
    seed_result(store, "2025-12", "QLKH", status="carried", total="88.25", result="88.25", band="Tốt", rank=2)


def test_close_year_records_each_units_last_counted_result_and_its_persons(tmp_path):
    wd, config = make_workdir(tmp_path)
    with Store(config.store_path) as store:
        seed_2025(store)

    code, out, _ = run_cli(wd, "close-year", "--year", "2025", "--yes")
    assert code == 0, out
    assert "Đã chốt năm 2025 (lần 1): 3 đơn vị, 2 cá nhân." in out
    assert "KHTC" in out and "kỳ 2025-10" in out
    assert "hạng năm được xếp lại theo Kết quả" in out  # results come from different periods

    with Store(config.store_path) as store:
        h = StoreHistory(store)
        vp = h.unit_years("VP")[2025]
        assert (vp.total, vp.result, vp.band, vp.rank) == (Decimal("92.5"), Decimal("92.5"), "Xuất sắc", 1)
        assert (h.unit_years("QLKH")[2025].result, h.unit_years("QLKH")[2025].rank) == (Decimal("88.25"), 2)
        assert (h.unit_years("KHTC")[2025].result, h.unit_years("KHTC")[2025].rank) == (Decimal("70"), 3)
        assert h.unit_years("TTRA") == {}  # no counted result in 2025: nothing written

        duc = h.person_years(DUC)[2025]
        assert duc.rating == "HTXSNV" and duc.unit_code == "VP"
        assert [(i.title, i.decision_date, i.level, i.recognised) for i in duc.initiatives] == [
            ("Số hóa sổ công văn", dt.date(2025, 3, 15), "co-so", True)
        ]
        assert h.person_years(person_key("Vũ Thị Hoa", 1992, "VP"))[2025].rating == "HTTNV"
        assert h.person_years(person_key("Dòng lỗi", 1990, "VP")) == {}  # a row with a problem is left out
        closure = store.one("SELECT version, current FROM year_closures WHERE year = 2025")
        assert tuple(closure) == (1, 1)

    code, out, _ = run_cli(wd, "history", "show")
    assert "Các năm đã chốt: 2025 (lần 1)" in out


def test_without_yes_and_without_a_terminal_it_only_shows_and_exits_2(tmp_path):
    wd, config = make_workdir(tmp_path)
    with Store(config.store_path) as store:
        seed_2025(store)
    code, out, err = run_cli(wd, "close-year", "--year", "2025")
    assert code == 2
    assert "Chốt kết quả năm 2025 vào lịch sử — sẽ ghi:" in out
    assert "VP — Văn phòng Sở: tổng điểm 92,5, kết quả 92,5, xếp loại Xuất sắc" in out
    assert "--yes" in err and "--yes" not in out  # the refusal is a problem: stderr
    with Store(config.store_path) as store:
        assert store.one("SELECT COUNT(*) AS n FROM unit_years")["n"] == 0
        assert store.one("SELECT COUNT(*) AS n FROM person_years")["n"] == 0
        assert store.one("SELECT COUNT(*) AS n FROM year_closures")["n"] == 0


def test_a_question_answered_no_writes_nothing_and_yes_writes(tmp_path):
    wd, config = make_workdir(tmp_path)
    lines: list[str] = []
    with Store(config.store_path) as store:
        seed_2025(store)
        assert close_year(config, store, 2025, yes=False, force=False, say=lines.append, ask=lambda q: False) == 0
        assert lines[-1] == "Đã hủy; chưa ghi gì."
        assert store.one("SELECT COUNT(*) AS n FROM unit_years")["n"] == 0
        asked: list[str] = []
        assert close_year(config, store, 2025, yes=False, force=False, say=lines.append, ask=lambda q: asked.append(q) or True) == 0
        assert "Ghi kết quả năm 2025 vào lịch sử?" in asked[0]
        assert store.one("SELECT COUNT(*) AS n FROM unit_years WHERE current = 1")["n"] == 3


def test_a_closed_year_is_refused_unless_forced_and_the_previous_version_is_kept(tmp_path):
    wd, config = make_workdir(tmp_path)
    with Store(config.store_path) as store:
        seed_2025(store)
    assert run_cli(wd, "close-year", "--year", "2025", "--yes")[0] == 0

    code, out, err = run_cli(wd, "close-year", "--year", "2025", "--yes")
    assert code == 2 and out == ""
    assert "Năm 2025 đã được chốt (lần 1" in err and "--force" in err

    with Store(config.store_path) as store:  # an appraisal after the close changes VP's December result
        seed_result(store, "2025-12", "VP", total="90", result="90", band="Xuất sắc", rank=1, persons=[person(5, "Phạm Minh Đức", 1980, "HTTNV")])
    code, out, _ = run_cli(wd, "close-year", "--year", "2025", "--yes", "--force")
    assert code == 0, out
    assert "Đã chốt năm 2025 (lần 2)" in out and "Bản chốt trước được giữ lại." in out

    with Store(config.store_path) as store:
        h = StoreHistory(store)
        assert h.unit_years("VP")[2025].result == Decimal("90")
        assert h.person_years(DUC)[2025].rating == "HTTNV" and h.person_years(DUC)[2025].initiatives == ()
        assert h.person_years(person_key("Vũ Thị Hoa", 1992, "VP")) == {}  # no longer declared: retired
        rows = store.all("SELECT result, version, current FROM unit_years WHERE unit_code = 'VP' AND year = 2025 ORDER BY version")
        assert [tuple(r) for r in rows] == [("92.5", 1, 0), ("90", 2, 1)]
        closures = store.all("SELECT version, current FROM year_closures WHERE year = 2025 ORDER BY version")
        assert [tuple(r) for r in closures] == [(1, 0), (2, 1)]


def test_imported_titles_and_initiatives_of_the_year_survive_the_close(tmp_path):
    wd, config = make_workdir(tmp_path)
    sheets = {
        "Cá nhân theo năm": [person_row(2025, "VP", "Phạm Minh Đức", 1980, HTXSNV, CSTDCS)],
        "Sáng kiến": [initiative_row(2025, "VP", "Phạm Minh Đức", 1980, "Chuẩn hóa quy trình ISO", "40/QĐ-SKHCN", "01/12/2025", "Cơ sở")],
    }
    path = fill_history(config, tmp_path / "ls.xlsx", sheets)
    with Store(config.store_path) as store:
        assert import_history(config, store, path).issues == []
        seed_2025(store)
    assert run_cli(wd, "close-year", "--year", "2025", "--yes")[0] == 0
    with Store(config.store_path) as store:
        duc = StoreHistory(store).person_years(DUC)[2025]
        assert duc.titles == frozenset({"CSTDCS", "LDTT"})
        assert sorted(i.title for i in duc.initiatives) == ["Chuẩn hóa quy trình ISO", "Số hóa sổ công văn"]


def test_a_year_without_any_result_has_nothing_to_close(tmp_path):
    wd, config = make_workdir(tmp_path)
    code, out, err = run_cli(wd, "close-year", "--year", "2024", "--yes")
    assert code == 2 and out == ""
    assert "Không có gì để chốt" in err


def test_close_year_and_history_import_wait_for_no_running_batch(tmp_path):
    from ccht_batch.core.lock import workdir_lock

    wd, config = make_workdir(tmp_path)
    with Store(config.store_path) as store:
        seed_2025(store)
    path = fill_history(config, tmp_path / "ls.xlsx", {"Cá nhân theo năm": [person_row(2024, "VP", "Phạm Minh Đức", 1980, HTXSNV)]})
    lock = workdir_lock(wd)
    lock.acquire()
    try:
        code, _, err = run_cli(wd, "close-year", "--year", "2025", "--yes")
        assert code == 3 and "tệp khóa" in err
        code, _, err = run_cli(wd, "history", "import", str(path))
        assert code == 3 and "chưa ghi gì vào lịch sử" in err
    finally:
        lock.release()
    with Store(config.store_path) as store:
        assert store.one("SELECT COUNT(*) AS n FROM unit_years")["n"] == 0
        assert store.one("SELECT COUNT(*) AS n FROM person_years")["n"] == 0
