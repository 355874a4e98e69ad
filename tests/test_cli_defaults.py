"""Defaults that lead the clerk right: the period and year a command works on when none is given, where
``--workdir`` may stand, what ``init`` says to do next, and what ``check`` says in a folder without one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.cli import run_cli, run_in
from support.workdirs import submit

from ccht_batch.config.load import load_config
from ccht_batch.forms.template import write_templates


@pytest.fixture
def two_months(tmp_path):
    """A folder with results for October and November 2025 (November run first: the latest period by date
    is still November)."""
    wd = tmp_path / "wd"
    assert run_cli("init", wd)[0] == 0
    submit(wd, "VP", "vp11.xlsx")
    assert run_in(wd, "run", "--period", "2025-11")[0] == 0
    submit(wd, "VP", "vp10.xlsx", scores={"1.1": 2})
    assert run_in(wd, "run", "--period", "2025-10")[0] == 0
    return wd


def test_mail_without_period_uses_the_latest_period_with_results_and_says_which(two_months):
    code, out, err = run_in(two_months, "mail")
    assert code == 0, err
    assert out.startswith("Kỳ: tháng 11/2025 (kỳ gần nhất đã có kết quả; chọn kỳ khác bằng --period YYYY-MM).\n")
    assert "Thư kết quả tháng 11/2025" in out
    assert any((two_months / "output" / "2025-11" / "outbox").glob("*.eml"))


def test_appraisal_without_period_uses_the_latest_period_with_results(two_months):
    code, out, err = run_in(two_months, "appraisal")
    assert code == 0, err
    assert "Kỳ: tháng 11/2025 (kỳ gần nhất" in out and (two_months / "output" / "2025-11" / "ThamDinh_2025-11.xlsx").exists()


def test_without_any_result_mail_says_to_run_first(tmp_path):
    wd = tmp_path / "wd"
    run_cli("init", wd)
    code, out, err = run_in(wd, "mail")
    assert code == 2 and "chưa có kỳ nào có kết quả" in err and "ccht-batch run --period" in err
    assert not (wd / "data").exists()  # nothing made on the way


def test_mail_templates_without_year_uses_the_latest_year_with_templates(tmp_path):
    wd = tmp_path / "wd"
    run_cli("init", wd)
    config = load_config(wd)
    write_templates(config, 2024)
    write_templates(config, 2025)
    code, out, err = run_in(wd, "mail", "templates")
    assert code == 0, err
    assert out.startswith("Năm của tệp mẫu: 2025 (năm gần nhất đã có tệp mẫu; chọn năm khác bằng --year NĂM).\n")
    assert len(list((wd / "output" / "templates" / "outbox").glob("*.eml"))) == len(config.units)


def test_mail_templates_for_a_year_outside_the_movement_is_refused_unless_forced(tmp_path):
    wd = tmp_path / "wd"
    run_cli("init", wd)
    write_templates(load_config(wd), 2026)  # the movement runs 2022 - 2025
    code, out, err = run_in(wd, "mail", "templates")
    assert code == 2
    assert "Năm của tệp mẫu: 2026" in out and "năm 2026 nằm ngoài giai đoạn của phong trào (2022 - 2025)" in err and "--force" in err
    assert not (wd / "output" / "templates" / "outbox").exists()
    code, _, err = run_in(wd, "mail", "templates", "--year", "2021")
    assert code == 2 and "năm 2021 nằm ngoài" in err
    code, _, err = run_in(wd, "mail", "templates", "--force")
    assert code == 0, err
    assert any((wd / "output" / "templates" / "outbox").glob("*.eml"))


@pytest.mark.parametrize("argv", [["--workdir", "{wd}", "check"], ["check", "--workdir", "{wd}"], ["history", "show", "--workdir", "{wd}"]])
def test_workdir_before_or_after_the_command(tmp_path, argv):
    wd = tmp_path / "wd"
    run_cli("init", wd)
    code, out, err = run_cli(*[a.format(wd=wd) for a in argv])
    assert code == 0, err


def test_init_ends_with_the_exact_next_command(tmp_path):
    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        code, out, _ = run_cli("init", "Thi Dua")
        assert code == 0
        assert out.splitlines()[-1] == '  ccht-batch --workdir "Thi Dua" check   (hoặc: cd "Thi Dua" rồi ccht-batch check)'
        assert run_cli("--workdir", "Thi Dua", "check")[0] == 0  # that command works as printed
        os.chdir(tmp_path / "Thi Dua")
        code, out, _ = run_cli("init")
        assert out.splitlines()[-1] == "  ccht-batch check"
    finally:
        os.chdir(here)


def test_check_in_a_folder_without_configuration_says_where_to_go(tmp_path):
    code, out, err = run_in(tmp_path, "check")
    assert code == 2
    assert "chưa có cấu hình" in err and "--workdir <THƯ_MỤC>" in err and "cd <THƯ_MỤC>" in err and "ccht-batch init" in err
