"""Files really saved by LibreOffice (re-saved .xlsx, .ods, .xls): the same values, and formulas found in
each format — a formula in a number cell refused, a formula in a text cell read as its stored value."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import needs_soffice
from support.corpus import PERIOD, Templates, build_soffice_corpus

from ccht_batch.intake import parallel as intake

pytestmark = [needs_soffice, pytest.mark.soffice, pytest.mark.slow]


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    from ccht_batch.config.load import load_config
    from ccht_batch.config.workdir import init_workdir

    root = tmp_path_factory.mktemp("soffice")
    init_workdir(root / "wd")
    config = load_config(root / "wd")
    templates = Templates(config, root / "templates")
    cases = build_soffice_corpus(config, root / "wd" / "input", templates)
    paths, ignored = intake.discover(root / "wd" / "input")
    records = intake.read_files(paths, config, PERIOD, jobs=1)
    return cases, {r.name: r for r in records}, ignored


def test_each_format_ends_as_expected(converted):
    cases, records, ignored = converted
    assert ignored == [] and sorted(records) == sorted(cases)
    for name, expect in cases.items():
        rec = records[name]
        assert (rec.status, rec.kind, rec.unit_code) == (expect.status, expect.kind, expect.unit_code), name
        assert sorted((i.code, i.sheet, i.cell) for i in rec.issues) == sorted(expect.issues), name


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    from support.corpus import fill
    from support.soffice import soffice_convert

    from ccht_batch.config.load import load_config
    from ccht_batch.config.workdir import init_workdir
    from ccht_batch.forms.filling import Formula

    root = tmp_path_factory.mktemp("soffice-clean")
    init_workdir(root / "wd")
    config = load_config(root / "wd")
    t = Templates(config, root / "templates")
    src = fill(t, root / "src" / "vp.xlsx", unit="VP", evidence={"1.1": Formula('="QĐ "&"01/QĐ-VP"')}, scores={"2.1": "4,5", "T1": 1.25})
    out = {"xlsx": src}
    for fmt in ("xlsx", "ods"):
        out["lo-" + fmt] = soffice_convert(src, fmt, root / fmt)
    records = {k: intake.read_files([p], config, PERIOD, jobs=1)[0] for k, p in out.items()}
    return records


def test_libreoffice_keeps_every_value_and_stores_formula_results(clean):
    original = clean["xlsx"]
    assert [i.code for i in original.issues] == ["formula-in-text-cell"]  # openpyxl stores no result
    assert original.submission.scores["1.1"].evidence == ""
    for key in ("lo-xlsx", "lo-ods"):
        rec = clean[key]
        assert rec.issues == [], key
        sub = rec.submission
        assert sub.scores["1.1"].evidence == "QĐ 01/QĐ-VP", key
        assert sub.scores["2.1"].value == Decimal("4.5") and sub.scores["T1"].value == Decimal("1.25"), key
        assert [p.name for p in sub.persons] == [p.name for p in original.submission.persons], key
        assert {k: v.value for k, v in sub.indicators.items()} == {k: v.value for k, v in original.submission.indicators.items()}, key
