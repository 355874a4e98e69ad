"""A working folder as the tests use it: a unit's filled template dropped into ``input/``, the period's
``summary.json``, the store's rows."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from ccht_batch.config.load import load_config
from ccht_batch.forms.filling import fill_template
from ccht_batch.forms.template import write_templates

GOOD = {"1.1": 3, "1.3": "Có", "3.3": "Tốt", "3.4": "Có", "3.5": "Tốt", "3.6": "Có", "5.2": "Tốt", "T1": 1}
EVIDENCE = {c: f"Văn bản số {i}/VB" for i, c in enumerate(["1.1", "1.2", "1.3", "2.1", "2.2", "3.2", "3.3", "3.5", "4.1", "4.2", "T1"], 1)}
INDICATORS = {
    "KH_NGAY": "15/01/2025", "KH_NV_GIAO": 10, "KH_NV_XONG": 10, "KT_TONTAI": 2, "KT_KHACPHUC": 2, "TT_HINHTHUC": 4,
    "TT_TIN_BAI": 12, "VB_GIAO": 5, "VB_DUNGHAN": 5, "HS_TIEPNHAN": 50, "HS_DUNGHAN": 50, "VBDI_TONG": 100,
    "VBDI_KYSO": 96, "DX_VANBAN": 3, "SK_CONGNHAN": 2, "BC_PHAINOP": 4, "BC_DUNGHAN": 4,
}


def summary(workdir: Path, period: str) -> dict:
    return json.loads((workdir / "output" / period / "summary.json").read_text(encoding="utf-8"))


def submit(workdir: Path, code: str, name: str, mtime: float | None = None, year: int = 2025, **kw) -> Path:
    config = load_config(workdir)
    template = workdir / "output" / "templates" / f"{code}_{year}.xlsx"
    if not template.exists():
        write_templates(config, year, [code])
    args = {"scores": GOOD, "evidence": EVIDENCE, "indicators": INDICATORS} | kw
    path = fill_template(template, workdir / "input" / name, **args)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def store_rows(workdir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(workdir / "data" / "ccht-batch.sqlite") as conn:
        return conn.execute(sql).fetchall()


def units_by_code(s: dict) -> dict:
    return {u["code"]: u for u in s["units"]}
