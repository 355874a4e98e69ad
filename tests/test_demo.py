"""`ccht-batch demo`: a working folder with realistic submissions, two runs, every case shown."""

from __future__ import annotations

import json

from support.cli import run_in as run
from support.workdirs import units_by_code


def test_demo_runs_two_months_and_exits_0(tmp_path):
    target = tmp_path / "demo"
    code, out, err = run(tmp_path, "demo", str(target))
    assert code == 0, err
    s = json.loads((target / "output" / "2025-11" / "summary.json").read_text(encoding="utf-8"))
    units = units_by_code(s)
    assert units["TTUD"]["status"] == "missing"
    assert units["CDS"]["status"] == "carried"
    assert units["VP"]["status"] == "submitted" and units["VP"]["rank"] == 1
    statuses = {f["name"]: f["status"] for f in s["files"]}
    assert statuses["BaoCao_KHTC_thang11.xlsx"] == "rejected" and statuses["BaoCao_QLCN_thang11.xlsx"] == "rejected"
    assert statuses["~$BaoCao_VP_thang11.xlsx"] == "ignored"
    codes = {i["code"] for f in s["files"] for i in f["issues"]}
    assert {"score-ambiguous-number", "score-out-of-range", "indicator-wrong-type", "score-off-step", "self-score-differs", "evidence-missing"} <= codes
    assert (target / "output" / "2025-11" / "PhanHoi" / "KHTC.xlsx").exists()
    assert "Chạy thử xong" in out
    # a second demo into the same folder is refused rather than mixing data
    code, _, err = run(tmp_path, "demo", str(target))
    assert code == 2 and "đã có dữ liệu" in err
