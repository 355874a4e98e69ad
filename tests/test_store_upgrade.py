"""A store written by an earlier release opens in today's program, migrated, with nothing lost.

``fixtures/store-schema1-demo.sqlite.gz`` is the store of the demo (October and November 2025) as the
release with schema version 1 wrote it. Migrations only add; this test fails when one does not.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from support.cli import run_in

from ccht_batch.config.workdir import init_workdir
from ccht_batch.store.db import SCHEMA_VERSION, Store

FIXTURE = Path(__file__).parent / "fixtures" / "store-schema1-demo.sqlite.gz"


def _old_workdir(tmp_path: Path) -> Path:
    wd = tmp_path / "wd"
    init_workdir(wd)
    (wd / "data").mkdir()
    with gzip.open(FIXTURE) as src, open(wd / "data" / "ccht-batch.sqlite", "wb") as dst:
        shutil.copyfileobj(src, dst)
    return wd


def test_the_schema_1_store_opens_migrated_with_its_rows(tmp_path):
    wd = _old_workdir(tmp_path)
    with Store(wd / "data" / "ccht-batch.sqlite") as store:
        assert store.one("PRAGMA user_version")[0] == SCHEMA_VERSION
        counts = {t: store.one(f"SELECT COUNT(*) FROM {t}")[0] for t in ("runs", "files", "submissions", "period_results")}
        statuses = {r["unit_code"]: r["status"] for r in store.all("SELECT unit_code, status FROM period_results WHERE period = '2025-11'")}
    assert counts == {"runs": 2, "files": 16, "submissions": 13, "period_results": 18}
    assert statuses["CDS"] == "carried" and statuses["TTUD"] == "missing" and statuses["VP"] == "submitted"


def test_a_new_run_of_the_old_period_carries_on_from_the_old_store(tmp_path):
    wd = _old_workdir(tmp_path)
    code, out, err = run_in(wd, "run", "--period", "2025-12")
    assert code == 0, err
    assert "0 đã nộp" in out and "dùng bản tháng trước" in out
