"""Black-box kit for the contract tests: drive the CLI, fill templates by the contract, read the outputs.

Nothing here imports the product's internals except ``cli.main`` and ``Console`` (the documented entry point):
templates are filled by sheet name and header title as DESIGN.md §4 says, drop-down texts are found by
following each data validation to its lookup range, and expectations come from the contract and the YAML.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import openpyxl
import yaml
from openpyxl.utils import get_column_letter, range_boundaries

from support.cli import run_cli

PERIOD = "2025-11"
PREV_PERIOD = "2025-10"
YEAR = 2025

SCORE_HEADERS = ["Mã tiêu chí", "Nội dung", "Điểm tối đa", "Điểm tự chấm", "Tài liệu kiểm chứng", "Ghi chú"]
INDICATOR_HEADERS = ["Mã chỉ số", "Nội dung", "Đơn vị tính", "Giá trị"]
PERSON_HEADERS = [
    "STT", "Họ và tên", "Năm sinh", "Giới tính", "Chức vụ", "Xếp loại", "Sáng kiến, giải pháp",
    "Số, ngày quyết định công nhận sáng kiến", "Cấp công nhận sáng kiến", "Hình thức đề nghị", "Tóm tắt thành tích",
]
SHEET_ORDER = ["Hướng dẫn", "Tự chấm điểm", "Số liệu", "Cá nhân", "_meta"]
TONGHOP_HEADERS = ["Hạng", "Mã đơn vị", "Tên đơn vị", "Tổng điểm", "Kết quả", "Xếp loại", "Trạng thái"]
LOI_HEADERS = ["Tệp", "Mã đơn vị", "Trang tính", "Ô", "Mức độ", "Mã lỗi", "Nội dung"]
STATUS_TEXT = {"submitted": "Đã nộp", "carried": "Dùng bản tháng trước", "missing": "Chưa nộp", "rejected": "Bị trả lại"}

VI_MARKS = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.IGNORECASE)


# --------------------------------------------------------------------------------------------- the CLI
@dataclass
class Result:
    rc: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def cli(workdir: Path | None, *args: str) -> Result:
    """Run a command in this process through the public entry point, capturing what a clerk would read."""
    argv = (["--workdir", str(workdir)] if workdir is not None else []) + [str(a) for a in args]
    return Result(*run_cli(*argv))


def cli_proc(workdir: Path | None, *args: str, cwd: Path | None = None, timeout: float = 120, stdin: str | None = None,
             env: dict | None = None) -> Result:
    """Run a command as a separate process (``python -m ccht_batch``), as a clerk's shell would."""
    argv = [sys.executable, "-m", "ccht_batch"] + (["--workdir", str(workdir)] if workdir is not None else []) + [str(a) for a in args]
    env = dict(os.environ, PYTHONIOENCODING="utf-8", **(env or {}))
    proc = subprocess.run(argv, check=False, capture_output=True, text=True, encoding="utf-8", cwd=cwd, timeout=timeout,
                          input=stdin if stdin is not None else "", env=env)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def new_workdir(root: Path, name: str = "wd", templates: bool = True) -> Path:
    wd = root / name
    r = cli(None, "init", str(wd))
    assert r.rc == 0, r.text
    if templates:
        r = cli(wd, "templates", "--year", str(YEAR))
        assert r.rc == 0, r.text
    return wd


def submit_full_and_run(wd: Path, code: str = "VP") -> dict[str, dict]:
    """A unit's template filled completely (by contract), dropped in input/, and a run of the period;
    returns the units of units.yaml by code."""
    crits = criteria(wd)
    us = {u["code"]: u for u in units(wd)}
    t = Template(wd / "output" / "templates" / f"{code}_{YEAR}.xlsx")
    fill_full(t, crits, applicable(crits, us[code]))
    t.save(wd / "input" / f"{code.lower()}.xlsx")
    assert cli(wd, "run", "--period", PERIOD).rc == 0
    return us


# --------------------------------------------------------------------------------------------- config
def load_yaml(workdir: Path, name: str) -> dict:
    return yaml.safe_load((workdir / "config" / name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Criterion:
    id: str
    field: str
    max: Decimal
    method: str
    params: dict
    applies_to: str
    evidence: str


def criteria(workdir: Path) -> list[Criterion]:
    doc = load_yaml(workdir, "criteria.yaml")
    out = []
    for f in doc["fields"]:
        for c in f["criteria"]:
            out.append(Criterion(str(c["id"]), str(f["id"]), Decimal(str(c["max"])), c.get("method", "self"),
                                 c.get("params") or {}, c.get("applies_to", "all"), c.get("evidence", "optional")))
    return out


def units(workdir: Path) -> list[dict]:
    return load_yaml(workdir, "units.yaml")["units"]


def award_rules(workdir: Path) -> list[dict]:
    return load_yaml(workdir, "criteria.yaml")["awards"]["rules"]


# --------------------------------------------------------------------------------------------- workbooks
def find_header(ws, titles: list[str], max_row: int = 10) -> tuple[int, dict[str, int]]:
    """The row (within the first ``max_row``) holding every title, and each title's column number."""
    for row in ws.iter_rows(min_row=1, max_row=max_row):
        texts = {str(c.value).strip(): c.column for c in row if c.value is not None}
        if all(t in texts for t in titles):
            return row[0].row, {t: texts[t] for t in titles}
    raise AssertionError(f"{ws.title}: no header row with {titles} in the first {max_row} rows")


def meta(wb) -> dict:
    ws = wb["_meta"]
    return {str(r[0].value): r[1].value for r in ws.iter_rows(min_row=1, max_col=2) if r[0].value is not None}


def dv_choices(wb, ws, cell: str) -> list[str] | None:
    """Texts offered by the list validation covering ``cell``, read through its range on the lookup sheet."""
    for dv in ws.data_validations.dataValidation:
        if dv.type != "list":
            continue
        if any(cell in rng for rng in dv.sqref.ranges):
            f = dv.formula1.lstrip("=")
            if "!" not in f:
                return [s.strip() for s in f.strip('"').split(",")]
            sheet, rng = f.rsplit("!", 1)
            sheet = sheet.strip("'").replace("''", "'")
            lo_col, lo_row, hi_col, hi_row = range_boundaries(rng.replace("$", ""))
            vals = []
            for row in wb[sheet].iter_rows(min_row=lo_row, max_row=hi_row, min_col=lo_col, max_col=hi_col):
                for c in row:
                    if c.value not in (None, ""):
                        vals.append(str(c.value))
            return vals
    return None


def put(ws, ref: str, value) -> None:
    """Write what a unit would type: text stays text even when it starts with '='."""
    c = ws[ref]
    c.value = value
    if isinstance(value, str):
        c.data_type = "s"


class Template:
    """A unit's template opened for filling; every address is found from sheet names and header titles."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.wb = openpyxl.load_workbook(self.path)
        self.scores = self.wb["Tự chấm điểm"]
        self.s_hdr, self.s_col = find_header(self.scores, SCORE_HEADERS)
        self.rows: dict[str, int] = {}
        for r in range(self.s_hdr + 1, self.scores.max_row + 1):
            v = self.scores.cell(r, self.s_col["Mã tiêu chí"]).value
            if v not in (None, ""):
                self.rows[str(v).strip()] = r
        self.ind = self.wb["Số liệu"]
        self.i_hdr, self.i_col = find_header(self.ind, INDICATOR_HEADERS)
        self.ind_rows = {}
        for r in range(self.i_hdr + 1, self.ind.max_row + 1):
            v = self.ind.cell(r, self.i_col["Mã chỉ số"]).value
            if v not in (None, ""):
                self.ind_rows[str(v).strip()] = r
        self.persons = self.wb["Cá nhân"]
        self.p_hdr, self.p_col = find_header(self.persons, PERSON_HEADERS)
        self.next_person = self.p_hdr + 1

    def cell(self, item_id: str, title: str = "Điểm tự chấm") -> str:
        return f"{get_column_letter(self.s_col[title])}{self.rows[item_id]}"

    def ind_cell(self, ind_id: str) -> str:
        return f"{get_column_letter(self.i_col['Giá trị'])}{self.ind_rows[ind_id]}"

    def choices(self, item_id: str) -> list[str] | None:
        return dv_choices(self.wb, self.scores, self.cell(item_id))

    def score(self, item_id: str, value=None, evidence: str | None = None, note: str | None = None) -> Template:
        if value is not None:
            put(self.scores, self.cell(item_id), value)
        if evidence is not None:
            put(self.scores, self.cell(item_id, "Tài liệu kiểm chứng"), evidence)
        if note is not None:
            put(self.scores, self.cell(item_id, "Ghi chú"), note)
        return self

    def indicator(self, ind_id: str, value) -> Template:
        put(self.ind, self.ind_cell(ind_id), value)
        return self

    def person(self, **by_title) -> int:
        """Fill the next empty person row; keys are header titles with spaces as given (use a dict for commas)."""
        r = self.next_person
        self.next_person += 1
        for title, value in by_title.items():
            put(self.persons, f"{get_column_letter(self.p_col[title])}{r}", value)
        return r

    def person_choices(self, title: str) -> list[str]:
        return dv_choices(self.wb, self.persons, f"{get_column_letter(self.p_col[title])}{self.p_hdr + 1}") or []

    def save(self, dest: Path) -> Path:
        dest.parent.mkdir(parents=True, exist_ok=True)
        self.wb.save(dest)
        return dest


# Indicator values that reach the top threshold of every computed criterion of the default tree.
FULL_INDICATORS = {
    "KH_NGAY": "15/01/2025", "KH_NV_GIAO": 10, "KH_NV_XONG": 10, "KT_TONTAI": 4, "KT_KHACPHUC": 4,
    "TT_HINHTHUC": 5, "TT_TIN_BAI": 15, "VB_GIAO": 5, "VB_DUNGHAN": 5, "HS_TIEPNHAN": 100, "HS_DUNGHAN": 100,
    "VBDI_TONG": 200, "VBDI_KYSO": 200, "DX_VANBAN": 3, "SK_CONGNHAN": 2, "BC_PHAINOP": 12, "BC_DUNGHAN": 12,
}


def fill_full(t: Template, crits: list[Criterion], applies: set[str], choice_override: dict[str, str] | None = None,
              self_override: dict[str, object] | None = None, evidence: bool = True) -> dict[str, Decimal]:
    """Fill every applicable criterion at its top (unless overridden); return the expected score per id.

    Choice criteria get the first drop-down text (the best) unless overridden; numeric rows get their max
    as self-score, which is also what the indicators compute.
    """
    choice_override = choice_override or {}
    self_override = self_override or {}
    for k, v in FULL_INDICATORS.items():
        t.indicator(k, v)
    expected = {}
    for c in crits:
        if c.id not in applies:
            continue
        ev = f"Văn bản số {c.id}/KH-ĐV" if evidence else None
        if c.method in ("yes_no", "scale"):
            opts = t.choices(c.id)
            text = choice_override.get(c.id, opts[0])
            t.score(c.id, text, evidence=ev)
            expected[c.id] = Decimal(str(c.params["choices"][text]))
        else:
            t.score(c.id, self_override.get(c.id, float(c.max) if c.max != int(c.max) else int(c.max)), evidence=ev)
            expected[c.id] = c.max
    return expected


def applicable(crits: list[Criterion], unit: dict) -> set[str]:
    return {c.id for c in crits if c.applies_to == "all" or (c.applies_to == "handles_dossiers" and unit.get("handles_dossiers"))}


# --------------------------------------------------------------------------------------------- outputs
def summary(workdir: Path, period: str = PERIOD) -> dict:
    return json.loads((workdir / "output" / period / "summary.json").read_text(encoding="utf-8"))


def sheet_rows(path: Path, sheet: str) -> list[list]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return [list(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def table(rows: list[list], headers: list[str], max_row: int = 15) -> tuple[list[str], list[dict]]:
    """Rows under the first row (within ``max_row``) that holds every header, as dicts by header text."""
    for i, row in enumerate(rows[:max_row]):
        texts = [str(v).strip() if v is not None else "" for v in row]
        if all(h in texts for h in headers):
            out = []
            for r in rows[i + 1:]:
                if all(v in (None, "") for v in r):
                    continue
                out.append({texts[j]: r[j] if j < len(r) else None for j in range(len(texts)) if texts[j]})
            return [t for t in texts if t], out
    raise AssertionError(f"no header {headers} in {rows[:max_row]}")


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def d(x) -> Decimal | None:
    return None if x is None else Decimal(str(x))


def q2(x: Decimal) -> Decimal:
    from decimal import ROUND_HALF_UP
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def fake_docx(dest: Path) -> Path:
    """A minimal Word document (a zip holding word/document.xml), saved under an .xlsx name."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                   '<w:body><w:p><w:r><w:t>Báo cáo</w:t></w:r></w:p></w:body></w:document>')
    return dest


def copy(src: Path, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    return dest

