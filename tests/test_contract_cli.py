"""Contract tests of the command line itself (DESIGN.md §3, §9, §10): init, check, help, usage errors, the lock."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap

import pytest
from support.contract import (
    PERIOD,
    VI_MARKS,
    cli,
    cli_proc,
    copy,
    load_yaml,
    new_workdir,
    sha256,
)

COMMANDS = [
    ["init"], ["check"], ["templates"], ["run"], ["appraisal"], ["mail"], ["mail", "templates"], ["history"],
    ["history", "template"], ["history", "import"], ["history", "show"], ["close-year"], ["report"], ["demo"],
]


def test_init_writes_defaults_and_never_overwrites(tmp_path):
    wd = tmp_path / "ThiDua"
    r = cli(None, "init", str(wd))
    assert r.rc == 0, r.text
    for name in ("criteria.yaml", "units.yaml", "settings.yaml"):
        assert (wd / "config" / name).is_file()
    assert (wd / "input").is_dir() and (wd / "output").is_dir()
    units = load_yaml(wd, "units.yaml")["units"]
    assert units and all({"code", "name", "email"} <= set(u) for u in units)
    edited = wd / "config" / "units.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# sửa bởi Văn phòng\n", encoding="utf-8")
    before = sha256(edited)
    r = cli(None, "init", str(wd))
    assert r.rc == 0, r.text
    assert sha256(edited) == before


def test_check_accepts_shipped_config(tmp_path):
    wd = new_workdir(tmp_path, templates=False)
    r = cli(wd, "check")
    assert r.rc == 0, r.text
    assert VI_MARKS.search(r.out)
    assert "100" in r.out  # total points of the tree


def test_contract_key_names_in_shipped_config(tmp_path):
    wd = new_workdir(tmp_path, templates=False)
    doc = load_yaml(wd, "criteria.yaml")
    total = 0
    for f in doc["fields"]:
        assert "max" in f
        assert sum(c["max"] for c in f["criteria"]) == f["max"]
        total += f["max"]
    assert total == 100
    for u in load_yaml(wd, "units.yaml")["units"]:
        assert re.fullmatch(r"^[A-Z][A-Z0-9_-]{1,15}$", u["code"])
    for r in doc["awards"]["rules"]:
        assert {"id", "name", "sheet_name"} <= set(r) and len(r["sheet_name"]) <= 31


def _break_line(path, old: str, new: str) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        if line.strip() == old:
            lines[i] = line.replace(old, new)
            path.write_text("\n".join(lines), encoding="utf-8")
            return i + 1
    raise AssertionError(f"{old!r} not found in {path}")


def test_broken_criteria_names_file_line_and_key(tmp_path):
    wd = new_workdir(tmp_path, templates=False)
    line = _break_line(wd / "config" / "criteria.yaml", "max: 6", "max: sáu")
    r = cli(wd, "check")
    assert r.rc == 2, r.text
    assert "criteria.yaml" in r.text and str(line) in r.text and "max" in r.text, r.text
    assert "sáu" in r.text
    assert "Traceback" not in r.text
    # nothing else runs on a bad configuration
    (wd / "input" / "x.xlsx").write_bytes(b"PK")
    r = cli(wd, "run", "--period", PERIOD)
    assert r.rc == 2, r.text
    assert (wd / "input" / "x.xlsx").exists() and not (wd / "output" / PERIOD).exists()


def test_yaml_syntax_error_names_its_line(tmp_path):
    wd = new_workdir(tmp_path, templates=False)
    path = wd / "config" / "units.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    idx = next(i for i, l in enumerate(lines) if l.strip().startswith("- code: TTRA"))
    lines[idx] = lines[idx].replace("- code: TTRA", "- code: [TTRA")
    path.write_text("\n".join(lines), encoding="utf-8")
    r = cli(wd, "check")
    assert r.rc == 2, r.text
    assert "units.yaml" in r.text
    assert any(str(n) in r.text for n in (idx + 1, idx + 2, idx + 3)), r.text


def test_bad_unit_code_is_refused(tmp_path):
    wd = new_workdir(tmp_path, templates=False)
    line = _break_line(wd / "config" / "units.yaml", "- code: CDS", "- code: cds/../x")
    r = cli(wd, "check")
    assert r.rc == 2, r.text
    assert "units.yaml" in r.text and str(line) in r.text and "code" in r.text, r.text


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: " ".join(c))
def test_help_is_vietnamese(cmd):
    r = cli(None, *cmd, "--help")
    assert r.rc == 0, r.text
    assert VI_MARKS.search(r.out), r.out
    assert "usage:" not in r.out and "show this help" not in r.out


def test_top_level_help_and_version():
    r = cli(None, "--help")
    assert r.rc == 0 and VI_MARKS.search(r.out)
    for name in ("init", "check", "templates", "run", "appraisal", "mail", "history", "close-year", "report", "demo"):
        assert name in r.out
    r = cli(None, "--version")
    assert r.rc == 0 and r.text.strip()


@pytest.mark.parametrize("args", [
    ["run", "--period", "2025-13"], ["run", "--period", "11/2025"], ["run", "--milestone", "giua-ky"],
    ["report"], ["nonsense"], ["close-year", "--year", "hai"],
], ids=lambda a: " ".join(a))
def test_usage_errors_exit_2_in_vietnamese(tmp_path, args):
    wd = new_workdir(tmp_path, templates=False)
    r = cli(wd, *args)
    assert r.rc == 2, r.text
    assert VI_MARKS.search(r.err or r.out), r.text
    assert "Traceback" not in r.text
    assert not (wd / "output" / "2025-13").exists()


def test_missing_workdir_exits_2(tmp_path):
    r = cli(tmp_path / "khong-co", "run", "--period", PERIOD)
    assert r.rc == 2, r.text
    assert VI_MARKS.search(r.text)


def test_run_on_empty_input_exits_0_all_missing(tmp_path):
    wd = new_workdir(tmp_path, templates=False)
    r = cli(wd, "run", "--period", PERIOD)
    assert r.rc == 0, r.text
    s = json.loads((wd / "output" / PERIOD / "summary.json").read_text(encoding="utf-8"))
    assert s["files"] == []
    assert {u["status"] for u in s["units"]} == {"missing"}
    assert all(u["rank"] is None and u["result"] is None for u in s["units"])


def test_report_on_empty_store_exits_0(tmp_path):
    wd = new_workdir(tmp_path, templates=False)
    r = cli(wd, "report", "--year", "2025")
    assert r.rc == 0, r.text
    assert (wd / "output" / "reports" / "BaoCao_2025.xlsx").stat().st_size > 0
    assert (wd / "output" / "reports" / "BaoCao_2025.docx").stat().st_size > 0


HOLDER = textwrap.dedent("""
    import sys
    from filelock import FileLock
    lock = FileLock(sys.argv[1], timeout=0)
    lock.acquire()
    print("held", flush=True)
    sys.stdin.read()   # hold until the test closes our stdin
""")


def test_second_run_while_lock_held_exits_3(tmp_path):
    wd = new_workdir(tmp_path)
    # a first run shows where the working folder's lock lives
    assert cli(wd, "run", "--period", "2025-10").rc == 0
    locks = sorted(p for p in wd.rglob("*") if p.is_file() and "lock" in p.name.lower() and "input" not in p.parts)
    assert locks, f"no lock file in {list(wd.iterdir())}"
    copy(wd / "output" / "templates" / "VP_2025.xlsx", wd / "input" / "vp.xlsx")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(locks[0])], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        r = cli_proc(wd, "run", "--period", PERIOD)
        assert r.rc == 3, r.text
        assert VI_MARKS.search(r.text) and "Traceback" not in r.text
        assert (wd / "input" / "vp.xlsx").exists(), "nothing moved"
        assert not (wd / "output" / PERIOD / "summary.json").exists(), "nothing written"
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    r = cli(wd, "run", "--period", PERIOD)
    assert r.rc in (0, 1), r.text
    assert (wd / "output" / PERIOD / "summary.json").exists()


def test_demo_runs_and_exits_0(tmp_path):
    r = cli(None, "demo", str(tmp_path / "demo"))
    assert r.rc == 0, r.text
    out = tmp_path / "demo" / "output"
    periods = sorted(p.name for p in out.iterdir() if re.fullmatch(r"\d{4}-\d{2}", p.name))
    assert periods, list(out.iterdir())
    last = out / periods[-1]
    s = json.loads((last / "summary.json").read_text(encoding="utf-8"))
    assert {f["status"] for f in s["files"]} >= {"accepted", "rejected"}
    assert (last / f"TongHop_{periods[-1]}.xlsx").exists() and (last / f"DeNghiKhenThuong_{periods[-1]}.xlsx").exists()


def test_year_out_of_range_message_is_not_misleading(tmp_path):
    wd = new_workdir(tmp_path, templates=False)
    r = cli(wd, "templates", "--year", "1999")
    assert r.rc == 2
    assert "cần 4 chữ số" not in r.text, r.text


def test_closed_stdout_is_not_reported_as_a_mail_server_failure(tmp_path):
    wd = new_workdir(tmp_path, templates=False)
    proc = subprocess.Popen([sys.executable, "-m", "ccht_batch", "--workdir", str(wd), "check"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8")
    proc.wait(timeout=60)
    assert "máy chủ" not in err and "kết nối" not in err, err


def test_workdir_defaults_to_current_folder(tmp_path):
    wd = new_workdir(tmp_path, templates=False)
    r = cli_proc(None, "check", cwd=wd)
    assert r.rc == 0, r.text
    r = cli_proc(None, "check", cwd=tmp_path)  # no config/ here
    assert r.rc == 2, r.text
    assert VI_MARKS.search(r.text) and "Traceback" not in r.text
