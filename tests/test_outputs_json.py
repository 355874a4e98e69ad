"""summary.json: the contract's keys and types (DESIGN.md §8), numbers as numbers, stable bytes."""

from __future__ import annotations

import json

import pytest
from support.sample import EVIL, PERIOD, build_outcome, load_sample_config  # noqa: E402

from ccht_batch.outputs.frames import write_summary_json  # noqa: E402

FILE_KEYS = {"name", "sha256", "status", "unit_code", "issues"}
ISSUE_KEYS = {"code", "severity", "sheet", "cell", "value", "message"}
UNIT_KEYS = {"code", "name", "status", "total", "result", "rank", "rank_change", "band", "criteria"}
CRITERION_KEYS = {"id", "max", "self_score", "score", "source"}
NOMINATION_KEYS = {"award", "award_name", "kind", "name", "unit_code", "eligible", "reasons"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    folder = tmp_path_factory.mktemp("summary")
    config = load_sample_config(folder)
    outcome = build_outcome(config, milestone="so-ket")
    path = write_summary_json(config, outcome, folder / "summary.json")
    return config, outcome, path, json.loads(path.read_text(encoding="utf-8"))


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def test_top_level(sample):
    _, _, _, data = sample
    assert list(data) == ["period", "milestone", "files", "units", "nominations"]
    assert data["period"] == PERIOD and data["milestone"] == "so-ket"


def test_files_are_this_runs(sample):
    _, outcome, _, data = sample
    assert [f["name"] for f in data["files"]] == sorted(f.name for f in outcome.files)
    assert "TTRA_lan1.xlsx" not in [f["name"] for f in data["files"]]  # an earlier run's file
    for f in data["files"]:
        assert set(f) == FILE_KEYS
        assert f["status"] in ("accepted", "rejected", "duplicate", "ignored")
        for i in f["issues"]:
            assert set(i) == ISSUE_KEYS and i["severity"] in ("error", "warning")
    files = {f["name"]: f for f in data["files"]}
    assert files["KHTC_2025.xlsx"]["issues"][0] | {"message": ""} == {
        "code": "score-not-a-number", "severity": "error", "sheet": "Tự chấm điểm", "cell": "D14", "value": "tám", "message": "",
    }
    assert files["QLKH_2025.xlsx"]["issues"][0]["cell"] is None
    assert files["ghi chu.txt"]["unit_code"] is None and files["ghi chu.txt"]["sha256"] is None
    vp = files["VP_2025.xlsx"]["issues"]
    assert [i["code"] for i in vp] == ["formula-in-text-cell", "evidence-missing"]
    assert vp[0]["value"] == EVIL


def test_every_unit_with_its_state(sample):
    config, outcome, _, data = sample
    assert [u["code"] for u in data["units"]] == [u.code for u in config.units]
    units = {u["code"]: u for u in data["units"]}
    for u in data["units"]:
        assert set(u) == UNIT_KEYS
        assert u["status"] in ("submitted", "carried", "missing", "rejected")
        for key in ("total", "result"):
            assert u[key] is None or is_number(u[key])
        assert u["rank"] is None or type(u["rank"]) is int
        assert u["rank_change"] is None or type(u["rank_change"]) is int
    vp = units["VP"]
    assert vp["result"] == float(outcome.unit("VP").result) and vp["rank"] == 1 and vp["rank_change"] == 1
    assert vp["band"] == "Xuất sắc" and vp["status"] == "submitted"
    assert units["KHTC"]["status"] == "carried" and units["KHTC"]["rank_change"] is None
    assert units["CDS"] == {"code": "CDS", "name": "Phòng Chuyển đổi số", "status": "missing", "total": None, "result": None,
                            "rank": None, "rank_change": None, "band": None, "criteria": []}
    assert units["QLKH"]["status"] == "rejected"
    rows = {c["id"]: c for c in vp["criteria"]}
    assert [c["id"] for c in vp["criteria"]] == [c.id for c in config.criteria.scored_rows]
    for c in vp["criteria"]:
        assert set(c) == CRITERION_KEYS
        assert is_number(c["max"])
        assert c["source"] in ("self", "computed", "appraised", "not-applicable")
    assert rows["3.1"] == {"id": "3.1", "max": 6, "self_score": 2.25, "score": 2.25, "source": "computed"}
    assert rows["3.3"]["source"] == "appraised"
    na = {c["id"]: c for c in units["TTRA"]["criteria"]}["3.2"]
    assert na == {"id": "3.2", "max": 8, "self_score": None, "score": None, "source": "not-applicable"}


def test_nominations(sample):
    _, outcome, _, data = sample
    assert len(data["nominations"]) == len(outcome.nominations)
    for n in data["nominations"]:
        assert NOMINATION_KEYS <= set(n)
        assert n["kind"] in ("collective", "individual")
        assert n["eligible"] in (True, False, None)
        assert isinstance(n["reasons"], list) and all(isinstance(r, str) for r in n["reasons"])
    cuong = next(n for n in data["nominations"] if n["name"] == "Lê Văn Cường")
    assert cuong["eligible"] is None and cuong["award"] == "giay-khen-giam-doc" and cuong["unit_code"] == "TTRA"


def test_utf8_indented_and_stable(sample, tmp_path):
    config, outcome, path, _ = sample
    raw = path.read_bytes()
    assert "Văn phòng Sở".encode("utf-8") in raw  # not \\u escapes
    assert raw.startswith(b'{\n  "period"') and b"\r\n" not in raw
    again = write_summary_json(config, outcome, tmp_path / "summary.json")
    assert again.read_bytes() == raw
